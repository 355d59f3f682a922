// Every stochastic check of the property suite, as a pure function of a seed, so the suite runs it
// on its fixed seed and the calibration command (test/properties/calibrate.ts) reruns it on many seeds.
// Each states its false-failure probability α and the bound it follows from.
import {
  type MLP,
  type MLPParams,
  type Tensor,
  AlphaBudget,
  bernsteinRadius,
  binomialAcceptance,
  broadcastTo,
  dropout,
  foldIn,
  gaussianDropout,
  geometricGrid,
  hoeffdingRadius,
  key,
  mlp,
  monteCarloMean,
  normal,
  reshape,
  runningMeans,
  tensor,
  float64Data,
} from '../../src/index.ts';
import { ensembleMean, ensembleMeanVector, ensembleStats, forEachMask } from '../../src/verify/enumerate.ts';

export interface Outcome {
  ok: boolean;
  /** The largest deviation observed and the radius it was held to. */
  observed: number;
  radius: number;
}

export interface StochasticCheck {
  claims: string[];
  name: string;
  /** False-failure probability on a correct implementation, and the bound that gives it. */
  alpha: number;
  bound: string;
  /** Random draws per run. */
  cases: number;
  run(seed: number): Outcome;
}

/** D-FWD: the number of kept elements is Binomial(n, keep), for rates 0.2, 0.5, 0.8: an exact two-sided binomial test each. */
const keepFraction: StochasticCheck = (() => {
  const n = 100_000;
  const rates = [0.2, 0.5, 0.8];
  const alpha = 3e-9;
  const budget = new AlphaBudget(alpha, rates.length);
  const accept = rates.map((rate) => binomialAcceptance(n, 1 - rate, budget.next(`kept count at rate ${rate}`)));
  return {
    claims: ['D-FWD'],
    name: `kept count ~ Binomial(n, keep) at rates ${rates.join(', ')} (n = ${n.toLocaleString('en')} each)`,
    alpha,
    bound: `exact binomial tails, two-sided, α/${rates.length} per rate: accepted counts ${accept.map((a) => `[${a.lo}, ${a.hi}]`).join(', ')}`,
    cases: n * rates.length,
    run(seed) {
      const x = tensor(new Float64Array(n).fill(1));
      let worst = 0,
        observed = 0,
        radius = 1;
      rates.forEach((rate, i) => {
        const y = dropout(foldIn(key(seed), i), x, { rate, training: true, convention: 'scale-at-inference' });
        let kept = 0;
        for (let j = 0; j < n; j++) kept += y.data[j];
        // the deviation of the kept fraction, against the half-width of the accepted interval on its side
        const mid = n * (1 - rate);
        const r = (kept >= mid ? accept[i].hi - mid : mid - accept[i].lo) / n;
        const dev = Math.abs(kept - mid) / n;
        if (dev / r > worst) [worst, observed, radius] = [dev / r, dev, r];
      });
      return { ok: worst <= 1, observed, radius }; // dev/r ≤ 1 ⟺ the count is inside the accepted interval
    },
  };
})();

// ---------------------------------------------------------------------------------------------
// M-CONV: Monte-Carlo averages over sampled masks against the exact ensemble, every mask enumerated
//
// The networks are small enough (≤ 16 mask bits) that the distribution of the output over masks is
// known exactly: its mean E, variance σ², fourth central moment μ4, its range [min, max] and every
// atom (mask probability, output). So the assumptions of the bounds hold exactly, not by estimate:
// the Monte-Carlo samples lie in [min, max] (Hoeffding's range), their variance is σ² (Bernstein's),
// and the exact tails of the mean-squared error are bounded from the exact distribution (below).

/** A network under test: an MLP, its parameters and one input example (no batch dimension). */
export interface NetUnderTest {
  name: string;
  net: MLP;
  params: MLPParams;
  x: Tensor;
}

/** Every dropout mask of an MLP at once: row c of each site's mask is bit-field c over all units. */
export interface MaskEnumeration {
  /** Mask bits: the units of every site with a nonzero rate, input units first, then hidden layer 1, … */
  bits: number;
  /** keep = 1 − rate of each unit, in the same order (one site's units share a rate). */
  keeps: Float64Array;
  /** Per dropout site (0 the input, i hidden layer i): a [2^bits, width] 0/1 tensor, row c holding bits of c; null for rate 0. */
  masks: (Tensor | null)[];
  /** P(mask) for each code c = Σ_j r_j·2^j, from forEachMask (the colleague-tested walk). */
  probability: Float64Array;
}

/** c = Σ_j mask[j]·2^j: the row of the batched enumeration that holds this mask. */
export function codeOf(mask: Uint8Array): number {
  let c = 0;
  for (let j = mask.length - 1; j >= 0; j--) c = c * 2 + mask[j];
  return c;
}

/** All masks of an MLP (at most 16 bits), as per-site mask tensors over 2^bits rows. */
export function enumerateMasks(spec: MLP['spec']): MaskEnumeration {
  const rates = [spec.inputRate, ...spec.hiddenRate];
  const widths = spec.sizes.slice(0, rates.length);
  const bits = rates.reduce((s, r, i) => s + (r > 0 ? widths[i] : 0), 0);
  if (bits > 16) throw new RangeError(`enumerateMasks: ${bits} mask bits; at most 16 are enumerated here`);
  if (rates.some((r) => !(r >= 0 && r < 1)))
    throw new RangeError(`enumerateMasks: rates must be in [0, 1), got ${rates.join(', ')}`);
  const rows = 2 ** bits;
  const keeps = new Float64Array(bits);
  const masks: (Tensor | null)[] = [];
  let offset = 0;
  rates.forEach((rate, i) => {
    if (rate === 0) {
      masks.push(null);
      return;
    }
    const w = widths[i];
    const m = new Float64Array(rows * w);
    for (let c = 0; c < rows; c++) for (let u = 0; u < w; u++) m[c * w + u] = (c >>> (offset + u)) & 1;
    masks.push(tensor(m, [rows, w]));
    keeps.fill(1 - rate, offset, offset + w);
    offset += w;
  });
  const probability = new Float64Array(rows);
  forEachMask(bits, keeps, (mask, prob) => (probability[codeOf(mask)] = prob));
  return { bits, keeps, masks, probability };
}

/** The example x repeated once per mask: [2^bits, ...x.shape]. */
export const repeatRows = (x: Tensor, rows: number): Tensor =>
  broadcastTo(reshape(x, [1, ...x.shape]), [rows, ...x.shape]);

/** The exact distribution over masks of each output of a network (training pass, inverted dropout). */
export interface ExactDistribution {
  en: MaskEnumeration;
  /** outputs[c·out + o]: output o under mask c. */
  outputs: Float64Array;
  out: number;
  mean: Float64Array;
  variance: Float64Array;
  /** Fourth central moment Σ P(r)(f(r) − E)⁴. */
  mu4: Float64Array;
  /** The range over masks of positive probability. */
  min: Float64Array;
  max: Float64Array;
}

/** One batched pass over all 2^bits masks, then E, σ², μ4 and [min, max] per output with the enumeration helpers. */
export function exactDistribution({ net, params, x }: NetUnderTest): ExactDistribution {
  const en = enumerateMasks(net.spec);
  const rows = 2 ** en.bits;
  const y = net.apply(params, repeatRows(x, rows), { training: true, masks: en.masks });
  const out = y.size / rows;
  const outputs = float64Data(y);
  const mean = new Float64Array(out),
    variance = new Float64Array(out),
    mu4 = new Float64Array(out);
  const min = new Float64Array(out).fill(Infinity),
    max = new Float64Array(out).fill(-Infinity);
  for (let o = 0; o < out; o++) {
    const f = (mask: Uint8Array) => outputs[codeOf(mask) * out + o];
    const s = ensembleStats(en.bits, en.keeps, f, { geometric: false });
    mean[o] = s.mean;
    variance[o] = s.variance;
    mu4[o] = ensembleMean(en.bits, en.keeps, (mask) => (f(mask) - s.mean) ** 4);
    for (let c = 0; c < rows; c++) {
      if (en.probability[c] === 0) continue;
      min[o] = Math.min(min[o], outputs[c * out + o]);
      max[o] = Math.max(max[o], outputs[c * out + o]);
    }
  }
  // cross-check of the two enumeration helpers: the vector mean over masks agrees with the scalar one
  const mv = ensembleMeanVector(en.bits, en.keeps, (mask) =>
    outputs.subarray(codeOf(mask) * out, codeOf(mask) * out + out),
  );
  for (let o = 0; o < out; o++) {
    if (!(Math.abs(mv[o] - mean[o]) <= 1e-12 * (max[o] - min[o]) + 1e-300))
      throw new Error(`exactDistribution: ensembleMeanVector ${mv[o]} ≠ ensembleStats ${mean[o]} for output ${o}`);
  }
  return { en, outputs, out, mean, variance, mu4, min, max };
}

/** The M-CONV networks for a seed: parameters, biases and input all drawn from key(seed). */
interface NetSpecForSeed {
  name: string;
  spec: Parameters<typeof mlp>[0];
}
const CONV_NETS: readonly NetSpecForSeed[] = [
  {
    name: '[4, 5, 1] tanh, rate 0.2 input / 0.35 hidden',
    spec: { sizes: [4, 5, 1], activation: 'tanh', inputRate: 0.2, hiddenRate: 0.35 },
  },
  {
    name: '[3, 4, 4, 2] relu, rate 0.3 input / 0.25, 0.4 hidden',
    spec: { sizes: [3, 4, 4, 2], activation: 'relu', inputRate: 0.3, hiddenRate: [0.25, 0.4] },
  },
];

/**
 * The networks for a seed, with their exact distributions. He-normal weights from net.init, biases
 * N(0, 0.5²), input N(0, 1). A draw where some output does not vary over the masks (e.g. every
 * ReLU dead) is redrawn from the next foldIn key, so the result is still a function of the seed.
 */
function convNetworks(seed: number): { net: NetUnderTest; exact: ExactDistribution }[] {
  return CONV_NETS.map(({ name, spec }, i) => {
    for (let attempt = 0; attempt < 100; attempt++) {
      const k = foldIn(foldIn(foldIn(key(seed), 7001), i), attempt);
      const net = mlp(spec);
      const params = net
        .init(foldIn(k, 0))
        .map((layer, l) => ({ W: layer.W, b: normal(foldIn(k, 10 + l), layer.b.shape, 0, 0.5) }));
      const x = normal(foldIn(k, 1), [spec.sizes[0]]);
      const nut = { name, net, params, x };
      const exact = exactDistribution(nut);
      // every output must vary (σ > 1e-3·√(1 + E²)), so the bounds below are not degenerate
      if (exact.variance.every((v, o) => v > 1e-6 * (1 + exact.mean[o] ** 2))) return { net: nut, exact };
    }
    throw new Error(`convNetworks: no network with varying outputs for seed ${seed}`);
  });
}

let convCache: { seed: number; nets: ReturnType<typeof convNetworks> } | null = null;
const convNetworksCached = (seed: number) =>
  convCache?.seed === seed ? convCache.nets : (convCache = { seed, nets: convNetworks(seed) }).nets;

/** Monte-Carlo samples of a network under test: one batched pass of k rows, each row with its own masks drawn from mcKey. */
const sampleOutputs = ({ net, params, x }: NetUnderTest, k: number, mcKey: ReturnType<typeof key>) =>
  monteCarloMean((batch, kk) => net.apply(params, batch, { training: true, key: kk }), x, k, mcKey);

/**
 * M-CONV (a): the Monte-Carlo mean over the first k of 10^4 sampled masks is within a confidence
 * radius of the exact ensemble mean at EVERY k of geometricGrid(10^4), for every output.
 *
 * Bounds: the k samples of an output are i.i.d. (one independent mask per row of the batch), lie in
 * the exact range [min, max] over all masks and have the exact variance σ². At each (k, output) two
 * radii are computed, Hoeffding (range = max − min) and Bernstein (variance σ², range max − min), each
 * with its own α from an AlphaBudget of 1e-6 over 2·(grid points)·(outputs) radii, and the SMALLER
 * is asserted: P(|mean − E| > min(r_H, r_B)) ≤ P(> r_H) + P(> r_B). Bonferroni over the grid, the
 * outputs and the two bounds: the running means at different k share samples, which the union bound
 * allows. Bernstein is the smaller radius from k ≈ 50–200 on (range/σ ≈ 3–5 here); below that,
 * where Bernstein's range term dominates, Hoeffding is.
 */
const convHoeffding: StochasticCheck = (() => {
  const K = 10_000;
  const grid = geometricGrid(K);
  const outputs = 3; // 1 + 2 over the two networks
  const alpha = 1e-6;
  const budget = new AlphaBudget(alpha, 2 * grid.length * outputs);
  const labels: string[] = [];
  for (const { name, spec } of CONV_NETS) {
    for (let o = 0; o < spec.sizes[spec.sizes.length - 1]; o++)
      for (const k of grid) labels.push(`${name} output ${o} k=${k}`);
  }
  const a = labels.map((l) => [budget.next(`${l} Hoeffding`), budget.next(`${l} Bernstein`)]);
  const each = a[0][0];
  return {
    claims: ['M-CONV'],
    name: `Monte-Carlo mean within min(Hoeffding, Bernstein) radius of the exact ensemble mean at every k of geometricGrid(10^4) (${grid.length} values), 2 networks / 3 outputs, one batched pass of 10^4 masks each`,
    alpha: budget.spent,
    bound: `Hoeffding on the exact range [min, max] over all masks and Bernstein with the exact variance σ², two-sided, each at α = ${each.toExponential(2)} (AlphaBudget ${alpha} over ${budget.count} radii: ${grid.length} k × ${outputs} outputs × 2 bounds); the smaller radius is asserted`,
    cases: K * CONV_NETS.length,
    run(seed) {
      const nets = convNetworksCached(seed);
      let worst = -1,
        observed = 0,
        radius = 1,
        ok = true,
        i = 0;
      nets.forEach(({ net, exact }, n) => {
        const { samples } = sampleOutputs(net, K, foldIn(foldIn(key(seed), 7101), n));
        const means = runningMeans(samples, grid);
        for (let o = 0; o < exact.out; o++) {
          const range = exact.max[o] - exact.min[o];
          grid.forEach((k, g) => {
            const [aH, aB] = a[i++];
            const r = Math.min(
              hoeffdingRadius(k, aH, range),
              bernsteinRadius(k, aB, Math.min(exact.variance[o], (range * range) / 4), range),
            );
            const dev = Math.abs(means[g][o] - exact.mean[o]);
            if (!(dev <= r)) ok = false;
            if (dev / r > worst) [worst, observed, radius] = [dev / r, dev, r];
          });
        }
      });
      return { ok, observed, radius };
    },
  };
})();

// ---------------------------------------------------------------------------------------------
// M-CONV (b): exact tail bounds for the mean-squared error of a Monte-Carlo mean
//
// Let d = f(r) − E over a random mask (atoms d_j with probabilities p_j, from the enumeration),
// e = the mean of k i.i.d. copies of d (the error of one Monte-Carlo mean) and Y = e². Then
// E[Y] = m = σ²/k exactly, and the estimate MSE = (1/R)·Σ Y_r over R independent repetitions is
// held between two thresholds, each with a rigorous false-failure probability:
//
// Upper tail, Chernoff with the exact moment generating function of Y. For λ > 0,
//   E exp(λe²) = E_g E_e exp(√(2λ)·g·e) = E_g[φ(√(2λ)·g/k)^k],  g ~ N(0, 1),  φ(t) = Σ p_j e^{t·d_j},
// a one-dimensional Gaussian integral of a finite sum of exponentials (k = 1: Σ p_j e^{λ d_j²}
// directly). P(MSE ≥ T) ≤ (E e^{λY})^R·e^{−λRT}, so T = (log E e^{λY} + ln(1/α)/R)/λ, minimised
// over λ. The integral is computed by the trapezoid rule (step 0.2) on h(g) = k·log φ(cg) − g²/2,
// c = √(2λ)/k; λ is kept ≤ 1.8k/range² so that h'' ≤ λ·range²/(2k) − 1 ≤ −0.1 (log φ'' is a
// variance of d, ≤ range²/4): h is concave, so its mode is found by bisection and truncating where
// h is 80 below the mode loses less than e^−80 of the integral. The rule is checked against step
// 0.4 and the estimate inflated by 10× their difference (an analytic integrand with Gaussian decay:
// the error of the rule is exponentially small in 1/step) and by 1e-9 relative for rounding. At k = 2
// it agrees with the exact double sum over atom pairs to ~1e-12 (checked while writing this).
//
// Lower tail, for nonnegative Y: e^{−x} ≤ 1 − x + x²/2 (x ≥ 0) gives E e^{−λY} ≤ exp(−λm + λ²E[Y²]/2),
// so P(MSE ≤ m − t) ≤ exp(−R·t²/(2E[Y²])) (Maurer 2003), with the exact
// E[Y²] = E[e⁴] = (μ4 + 3(k − 1)σ⁴)/k³.

/** log E exp(λ·e²) for e the mean of k i.i.d. copies of the atoms (prob, d); see above. */
function logMgfOfSquare(prob: Float64Array, d: Float64Array, k: number, lambda: number, range: number): number {
  if (k === 1) {
    let top = -Infinity;
    for (let j = 0; j < d.length; j++) if (prob[j] > 0) top = Math.max(top, lambda * d[j] * d[j]);
    let s = 0;
    for (let j = 0; j < d.length; j++) s += prob[j] * Math.exp(lambda * d[j] * d[j] - top);
    return top + Math.log(s);
  }
  const a = 1 - (lambda * range * range) / (2 * k);
  if (!(a >= 0.1 - 1e-12)) throw new RangeError(`logMgfOfSquare: λ = ${lambda} leaves h non-concave (a = ${a})`);
  const c = Math.sqrt(2 * lambda) / k;
  let dmin = Infinity,
    dmax = -Infinity;
  for (let j = 0; j < d.length; j++) if (prob[j] > 0) [dmin, dmax] = [Math.min(dmin, d[j]), Math.max(dmax, d[j])];
  // mode of h: h'(g) = k·c·μ(cg) − g with μ the tilted mean of d, decreasing (h concave); h' ≥ 0 at k·c·dmin, ≤ 0 at k·c·dmax
  const slope = (g: number) => {
    const t = c * g;
    let s0 = 0,
      s1 = 0,
      top = -Infinity;
    for (let j = 0; j < d.length; j++) if (prob[j] > 0) top = Math.max(top, t * d[j]);
    for (let j = 0; j < d.length; j++) {
      const w = prob[j] * Math.exp(t * d[j] - top);
      s0 += w;
      s1 += w * d[j];
    }
    return k * c * (s1 / s0) - g;
  };
  let lo = k * c * dmin,
    hi = k * c * dmax;
  for (let it = 0; it < 60 && hi - lo > 1e-3; it++) {
    const mid = (lo + hi) / 2;
    if (slope(mid) > 0) lo = mid;
    else hi = mid;
  }
  const mode = (lo + hi) / 2; // within 1e-3 of the mode
  const W = Math.sqrt(160 / a) + 1e-3; // h ≤ h(mode) − a(g − mode)²/2, so h is ≥ 80 below its mode beyond ±W
  const step = 0.2;
  const n = 2 * Math.ceil(W / step) + 1;
  const g0 = mode - ((n - 1) / 2) * step;
  const phi = new Float64Array(n);
  for (let j = 0; j < d.length; j++) {
    if (prob[j] === 0) continue;
    const ratio = Math.exp(c * step * d[j]);
    let cur = prob[j] * Math.exp(c * g0 * d[j]);
    for (let i = 0; i < n; i++) {
      phi[i] += cur;
      cur *= ratio;
    }
  }
  const h = new Float64Array(n);
  let top = -Infinity;
  for (let i = 0; i < n; i++) {
    const g = g0 + i * step;
    h[i] = k * Math.log(phi[i]) - (g * g) / 2;
    top = Math.max(top, h[i]);
  }
  let fine = 0,
    coarse = 0;
  for (let i = 0; i < n; i++) {
    const v = Math.exp(h[i] - top);
    fine += v;
    if (i % 2 === 0) coarse += v;
  }
  fine *= step;
  coarse *= 2 * step;
  const err = Math.abs(fine - coarse) / fine;
  if (!(err < 1e-6))
    throw new Error(
      `logMgfOfSquare: the trapezoid rule did not converge (steps 0.2 and 0.4 differ by ${err} relative; k = ${k}, λ = ${lambda})`,
    );
  return top + Math.log(fine * (1 + 10 * err)) - 0.5 * Math.log(2 * Math.PI) + 1e-9; // + 1e-9: rounding in the sums over atoms (~1e-12 seen)
}

/** Minimises a unimodal f on [lo, hi] by golden-section search; returns the smallest value seen (any value is a valid bound). */
function goldenMin(f: (u: number) => number, lo: number, hi: number, iterations = 32): number {
  const r = (Math.sqrt(5) - 1) / 2;
  let a = lo,
    b = hi;
  let c = b - r * (b - a),
    d = a + r * (b - a);
  let fc = f(c),
    fd = f(d);
  let best = Math.min(fc, fd, f(hi));
  for (let i = 0; i < iterations; i++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - r * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + r * (b - a);
      fd = f(d);
    }
    best = Math.min(best, fc, fd);
  }
  return best;
}

export interface MseBounds {
  /** E[Y] = σ²/k. */
  m: number;
  /** P(MSE ≤ lower) ≤ αLow and P(MSE ≥ upper) ≤ αHigh for the mean of R i.i.d. copies of Y. */
  lower: number;
  upper: number;
}

/** The thresholds for the MSE of R Monte-Carlo means of k samples, from the exact atoms of the output (see above). */
export function mseBounds(
  probability: Float64Array,
  deviation: Float64Array,
  variance: number,
  mu4: number,
  range: number,
  k: number,
  R: number,
  alphaLow: number,
  alphaHigh: number,
): MseBounds {
  const { prob, d } = mergeAtoms(probability, deviation);
  const m = variance / k;
  const EY2 = (mu4 + 3 * (k - 1) * variance * variance) / k ** 3;
  const lower = m - Math.sqrt((2 * EY2 * Math.log(1 / alphaLow)) / R);
  const L = Math.log(1 / alphaHigh) / R;
  const lambdaMax = k === 1 ? 1e3 / m : (1.8 * k) / (range * range);
  const T = (u: number) => {
    const lambda = Math.exp(u);
    return (logMgfOfSquare(prob, d, k, lambda, range) + L) / lambda;
  };
  const upper = goldenMin(T, Math.log(lambdaMax) - 14, Math.log(lambdaMax));
  return { m, lower, upper };
}

/** The atoms with positive probability, equal values merged (ReLU outputs repeat across masks), sorted by value. */
function mergeAtoms(prob: Float64Array, d: Float64Array): { prob: Float64Array; d: Float64Array } {
  const idx = Array.from(d.keys())
    .filter((j) => prob[j] > 0)
    .sort((i, j) => d[i] - d[j]);
  const ps: number[] = [],
    ds: number[] = [];
  for (const j of idx) {
    if (ds.length && ds[ds.length - 1] === d[j]) ps[ps.length - 1] += prob[j];
    else {
      ps.push(prob[j]);
      ds.push(d[j]);
    }
  }
  return { prob: Float64Array.from(ps), d: Float64Array.from(ds) };
}

/**
 * M-CONV (b): the root-mean-square error of the Monte-Carlo mean falls as k^−½.
 *
 * At each k of K_GRID, R = 1000 independent Monte-Carlo means of k masks each (one batched pass of
 * R·k rows per k, from its own foldIn key; the repetitions are disjoint blocks of independent rows),
 * for every output of the two networks. MSE_k = (1/R)·Σ (mean − E)², with E exact.
 * Assertions, with one AlphaBudget of 1e-6 over (outputs)·(grid)·2 tails:
 *   1. level: MSE_k/(σ²/k) ∈ [lower/m, upper/m] at every k (the exact-tail thresholds above);
 *   2. slope: the least-squares slope s of log RMS_k against log k lies in −½ + [tolLow, tolHigh],
 *      where s + ½ = ½·Σ w_i·log(MSE_i/m_i) exactly (w the least-squares weights, Σw = 0,
 *      Σ w·log k = 1, and log m_i = log σ² − log k_i), so the worst case over the level box gives
 *      the tolerance. Assertion 2 fails only if assertion 1 fails: no extra α.
 * The outcome reports the worst of these deviations against its bound, in log units: |log(MSE/m)|
 * against log(upper/m) or −log(lower/m), and |s + ½| against the tolerance on its side.
 */
const K_GRID = [1, 4, 16, 64, 256];
const REPS = 1000;
const convRms: StochasticCheck = (() => {
  const outputs = 3;
  const alpha = 1e-6;
  const budget = new AlphaBudget(alpha, 2 * K_GRID.length * outputs);
  const shares: [number, number][] = [];
  for (const { name, spec } of CONV_NETS) {
    for (let o = 0; o < spec.sizes[spec.sizes.length - 1]; o++) {
      for (const k of K_GRID)
        shares.push([budget.next(`${name} output ${o} k=${k} lower`), budget.next(`${name} output ${o} k=${k} upper`)]);
    }
  }
  const xs = K_GRID.map(Math.log);
  const xbar = xs.reduce((s, v) => s + v, 0) / xs.length;
  const sxx = xs.reduce((s, v) => s + (v - xbar) ** 2, 0);
  const w = xs.map((v) => (v - xbar) / sxx);
  return {
    claims: ['M-CONV'],
    name: `RMS error of the Monte-Carlo mean = σ/√k (σ² exact) within exact tail bounds at k = ${K_GRID.join(', ')} (R = ${REPS} repetitions each), and the fitted slope of log RMS on log k is −1/2 within the tolerance those bounds give, 2 networks / 3 outputs`,
    alpha: budget.spent,
    bound: `exact tails of the MSE of R = ${REPS} i.i.d. squared errors: Chernoff with the exact MGF of e² (Gaussian-integral identity over the enumerated atoms) above, Maurer's nonnegative-variable bound with the exact E[e⁴] below, each at α = ${budget.perAssertion.toExponential(2)} (AlphaBudget ${alpha} over ${budget.count}: ${outputs} outputs × ${K_GRID.length} k × 2 tails); slope tolerance = worst case of ½·Σ w_i·log(MSE_i/m_i) over those intervals`,
    cases: REPS * K_GRID.reduce((s, k) => s + k, 0) * CONV_NETS.length,
    run(seed) {
      const nets = convNetworksCached(seed);
      let ok = true,
        worst = -1,
        observed = 0,
        radius = 1,
        i = 0;
      nets.forEach(({ net, exact }, n) => {
        const means = K_GRID.map((k, g) => {
          const { samples } = sampleOutputs(net, REPS * k, foldIn(foldIn(key(seed), 7201 + n), g));
          return runningBlockMeans(samples, k);
        });
        for (let o = 0; o < exact.out; o++) {
          const d = new Float64Array(exact.outputs.length / exact.out);
          for (let c = 0; c < d.length; c++) d[c] = exact.outputs[c * exact.out + o] - exact.mean[o];
          const range = exact.max[o] - exact.min[o];
          let tolLow = 0,
            tolHigh = 0,
            fit = 0;
          K_GRID.forEach((k, g) => {
            const [aLow, aHigh] = shares[i++];
            const b = mseBounds(exact.en.probability, d, exact.variance[o], exact.mu4[o], range, k, REPS, aLow, aHigh);
            let mse = 0;
            for (let r = 0; r < REPS; r++) mse += (means[g][r * exact.out + o] - exact.mean[o]) ** 2;
            mse /= REPS;
            if (!(b.lower <= mse && mse <= b.upper)) ok = false;
            const [lo, hi] = [Math.log(Math.max(b.lower, 0) / b.m), Math.log(b.upper / b.m)];
            const level = Math.log(mse / b.m); // in log units, against the side it falls on
            const side = level >= 0 ? hi : -lo;
            if (Math.abs(level) / side > worst)
              [worst, observed, radius] = [Math.abs(level) / side, Math.abs(level), side];
            tolLow += 0.5 * Math.min(w[g] * lo, w[g] * hi);
            tolHigh += 0.5 * Math.max(w[g] * lo, w[g] * hi);
            fit += w[g] * 0.5 * Math.log(mse);
          });
          const dev = fit + 0.5;
          if (!(tolLow <= dev && dev <= tolHigh)) ok = false;
          const tol = dev >= 0 ? tolHigh : -tolLow;
          if (Math.abs(dev) / tol > worst) [worst, observed, radius] = [Math.abs(dev) / tol, Math.abs(dev), tol];
        }
      });
      return { ok, observed, radius };
    },
  };
})();

/** The means of consecutive blocks of k rows: [R, out] flattened, R = rows/k. */
function runningBlockMeans(samples: Tensor, k: number): Float64Array {
  const rows = samples.shape[0];
  const out = samples.size / rows;
  const R = rows / k;
  const res = new Float64Array(R * out);
  for (let r = 0; r < R; r++) {
    for (let i = r * k; i < (r + 1) * k; i++)
      for (let o = 0; o < out; o++) res[r * out + o] += samples.data[i * out + o];
    for (let o = 0; o < out; o++) res[r * out + o] /= k;
  }
  return res;
}

/**
 * E-GAUSS, sampled: the multipliers of gaussianDropout (N(1, σ²), σ² = rate/keep) and of inverted
 * dropout (r/keep) have mean 1 and variance (1 − keep)/keep. Means and mean squared deviations from
 * 1 are held to rigorous radii: for the Gaussian, the exact normal tail of the mean and the
 * Laurent–Massart χ² tails of Σ(m − 1)²/σ²; for the bounded Bernoulli multiplier, Hoeffding.
 */
const gaussMoments: StochasticCheck = (() => {
  const n = 200_000;
  const rates = [0.2, 0.5, 0.8];
  const alpha = 1e-6;
  const budget = new AlphaBudget(alpha, rates.length * 4); // per rate: 2 distributions × (mean, variance)
  for (const rate of rates)
    for (const what of ['Gaussian mean', 'Gaussian variance', 'Bernoulli mean', 'Bernoulli variance'])
      budget.next(`${what} at rate ${rate}`);
  const a = budget.perAssertion;
  const x = tensor(new Float64Array(n).fill(1));
  return {
    claims: ['E-GAUSS'],
    name: `sample mean and variance of the Gaussian and inverted-Bernoulli multipliers at rates ${rates.join(', ')} (n = ${n.toLocaleString('en')} each)`,
    alpha,
    bound: `normal tail (mean), Laurent–Massart χ² tails (variance) for N(1, σ²); Hoeffding for r/keep; each at α = ${a.toExponential(2)} (${rates.length * 4} assertions)`,
    cases: 2 * n * rates.length,
    run(seed) {
      let worst = 0; // largest deviation / radius
      let observed = 0;
      let radiusAtWorst = 1;
      const judge = (dev: number, radius: number) => {
        if (dev / radius > worst) [worst, observed, radiusAtWorst] = [dev / radius, dev, radius];
      };
      rates.forEach((rate, i) => {
        const keep = 1 - rate;
        const v = rate / keep; // (1 − keep)/keep
        // Gaussian multiplier: mean ~ N(1, v/n) exactly; Σ(m − 1)²/v ~ χ²_n
        const g = gaussianDropoutMultiplier(foldIn(key(seed), 2 * i), x, rate);
        let s = 0,
          ss = 0;
        for (let j = 0; j < n; j++) {
          s += g[j] - 1;
          ss += (g[j] - 1) ** 2;
        }
        judge(Math.abs(s / n), Math.sqrt((2 * v * Math.log(2 / a)) / n));
        const L = Math.log(2 / a); // each χ² tail at a/2
        const up = 2 * Math.sqrt(n * L) + 2 * L; // P(χ²_n − n ≥ 2√(nL) + 2L) ≤ e^{−L}
        const down = 2 * Math.sqrt(n * L); // P(n − χ²_n ≥ 2√(nL)) ≤ e^{−L}
        // in variance units: |Σ(m − 1)²/n − v| against v·(χ² radius)/n, on the side it falls
        const dev = ss / n - v;
        judge(Math.abs(dev), (v * (dev >= 0 ? up : down)) / n);
        // inverted Bernoulli multiplier r/keep ∈ [0, 1/keep]; (r/keep − 1)² ∈ [0, max(1, (1/keep − 1)²)]
        const b = dropout(foldIn(key(seed), 2 * i + 1), x, { rate, training: true }).data;
        let bs = 0,
          bss = 0;
        for (let j = 0; j < n; j++) {
          bs += b[j] - 1;
          bss += (b[j] - 1) ** 2;
        }
        judge(Math.abs(bs / n), hoeffdingRadius(n, a, 1 / keep));
        judge(Math.abs(bss / n - v), hoeffdingRadius(n, a, Math.max(1, (1 / keep - 1) ** 2)));
      });
      return { ok: worst <= 1, observed, radius: radiusAtWorst };
    },
  };
})();

/** The multipliers gaussianDropout applies to x (all ones): its output. */
function gaussianDropoutMultiplier(k: ReturnType<typeof key>, ones: Tensor, rate: number): Float64Array {
  return float64Data(gaussianDropout(k, ones, { rate, training: true }));
}

export const STOCHASTIC: readonly StochasticCheck[] = [keepFraction, convHoeffding, convRms, gaussMoments];
