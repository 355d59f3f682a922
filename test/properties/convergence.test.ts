// Claim M-DEEP: with nonlinear hidden layers, weight scaling only approximates the ensemble. Every
// number here is exact over all dropout masks (each network has ≤ 14 dropped units, so ≤ 16,384
// masks, enumerated in ONE batched pass with per-site 0/1 masks): E, the variance V and the
// normalized weighted geometric mean NWGM of the output over masks, against the weight-scaled output
// (the inference pass, inverted convention: net.apply(..., { training: false })).
//
// PRE-REGISTRATION. The criteria below were fixed from the claim's wording and sampling theory, and
// written down before they were run on any sample (this replaces criteria that had been widened after
// looking at data: a depth factor moved from 1.5 to 2 after one seed gave 1.60). Each part of the
// claim is a null hypothesis that the data must contradict, at a stated α, for the test to fail; the
// band each tests comes from the claim's words, not from data. They are evaluated on the FIXED sample
// (600 networks, SUMMARY_SEED) in every run and, in `npm run test:deep`, also on a FRESH sample of
// 2,000 networks drawn from the run's seed (printed by the deep run). α is per sample.
//   1. A counterexample exists, anchored (refutes): one smooth nonlinear hidden layer whose weight-
//      scaled output differs from E by > 1e-9 relative AND the gap is the one the second-order
//      estimate predicts, Σ_j W2_j·½g″(z̄_j)·Var z_j, within the third-order remainder (which must be
//      ≤ half the prediction), AND the engine's inference pass equals the weight-scaled network
//      computed here in plain JS. A broken inference pass therefore finds no counterexample.
//   2. For EVERY sigmoid network, a proven inequality: E − NWGM is the second-order term
//      ½σ″(z̄)·Var(z) within the third-order remainder E|z − z̄|³/48 (new networks on every seed).
//   3. "does not grow with depth": the gap |E − weight-scaled| at depth d (2, 3) is not stochastically
//      larger than at depth 1. Statistic U_d = P̂(gap_d > gap_1) (Mann–Whitney, ties ½); under the
//      null (no growth) E U ≤ ½ and P(U − ½ ≥ t) ≤ exp(−2·min(n_1, n_d)·t²) (Hoeffding's two-sample
//      U-statistic bound); fail if U_d > ½ + t at α = 2.5e-7 each.
//   4. "the layer-wise error is centred near 0": "near 0" is read as 0 lying between the quartiles
//      of the error distribution, P(error > 0) ∈ [¼, ¾], at every hidden layer and at the output; the
//      pooled fraction positive F (units of one network are dependent, networks independent) is held
//      to [¼ − r, ¾ + r], r from McDiarmid's inequality with each network's share of the units,
//      α = 1e-7 per layer. "does not grow with depth" layer-wise: in each network with l ≥ 2 hidden
//      layers, [mean |error| at layer l > at layer 1] has probability ≤ ½ under the null; fail if the
//      fraction exceeds ½ + t (Hoeffding, α = 1e-7 per layer).
//   5. The second-order estimate CLAIMS.md states, E − NWGM ≈ V(1−2E)/(2E(1−E) − V): "≈" is read as a
//      median ratio (E − NWGM)/estimate in [0.8, 1.25]; fail if the distribution-free (1 − α) interval
//      for the median (order statistics, exact binomial) lies outside that band, α = 1e-7.
//      Recorded beside it, not asserted: the form V(1−2E)/(1−2V) that an earlier list transcribed from
//      a secondary copy of Baldi & Sadowski whose formulas were stripped. It is not known to be theirs;
//      the gap found in it is a gap in the transcription, not in the paper, and the ledger says so.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  type MLP,
  type MLPParams,
  type Tensor,
  binomialAcceptance,
  mlp,
  reshape,
  sigmoid,
  tensor,
  float64Data,
} from '../../src/index.ts';
import { ensembleMean, ensembleMeanVector, ensembleStats } from '../../src/verify/enumerate.ts';
import { type DeepNetCase, oneHiddenNetArb, sigmoidNetArb } from '../../src/testing/arbitraries.ts';
import { DEEP, observe, recorder, runs } from '../../src/testing/record.ts';
import { type MaskEnumeration, codeOf, enumerateMasks, repeatRows } from './stochastic.ts';

const EXACT =
  'E, V and NWGM exact over every mask (the engine’s training pass with enumerated masks, src/verify/enumerate.ts’s compensated sums)';
const { holds, refutes, check } = recorder(import.meta.url, {
  'M-DEEP': {
    reference: `${EXACT}, against the weight-scaled output (the engine’s inference pass, itself checked against a plain-JS weight-scaled network).`,
    tolerance:
      'pre-registered criteria, each a null hypothesis held at a stated α (see the property); the Taylor bound is a proven inequality with 1e-14 for rounding.',
  },
});

// ---------------------------------------------------------------------------------------------
// Networks from a DeepNetCase, and their exact ensembles

interface Built {
  net: MLP;
  params: MLPParams;
  x: Tensor;
  en: MaskEnumeration;
}

function build(c: DeepNetCase): Built {
  const net = mlp({ sizes: c.sizes, activation: c.activation, inputRate: c.inputRate, hiddenRate: c.hiddenRate });
  const params = c.layers.map((l, i) => ({
    W: tensor(l.W, [c.sizes[i], c.sizes[i + 1]]),
    b: tensor(l.b, [c.sizes[i + 1]]),
  }));
  return { net, params, x: tensor(c.x, [c.sizes[0]]), en: enumerateMasks(net.spec) };
}

/**
 * The first `layers` layers of the network as an MLP of their own (its output is the pre-activation
 * of layer `layers`), over every mask: [2^bits, width] in training with the enumerated masks, and
 * [1, width] at inference. layers = the number of layers gives the network's output.
 */
function prefix(
  { net, params, x, en }: Built,
  layers: number,
): { z: Float64Array; scaled: Float64Array; width: number } {
  const s = net.spec;
  const sub =
    layers === params.length
      ? net
      : mlp({
          sizes: s.sizes.slice(0, layers + 1),
          activation: s.activation,
          inputRate: s.inputRate,
          hiddenRate: s.hiddenRate.slice(0, layers - 1),
        });
  const p = params.slice(0, layers);
  const rows = 2 ** en.bits;
  const z = float64Data(sub.apply(p, repeatRows(x, rows), { training: true, masks: en.masks.slice(0, layers) }));
  const scaled = float64Data(sub.apply(p, reshape(x, [1, x.size]), { training: false }));
  return { z, scaled, width: s.sizes[layers] };
}

const relative = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)));
const r3 = (v: number) => Number(v.toFixed(3));
const sig = (v: number) => v.toPrecision(12);

/** A counterexample as text: the architecture, every weight (multiples of 1/1000), both outputs and the anchor. */
function render(c: DeepNetCase, a: Anchor): string {
  const lines = [
    `sizes [${c.sizes.join(', ')}], activation ${c.activation} (output layer linear), inverted dropout`,
    `rates: input ${c.inputRate}, hidden [${c.hiddenRate.join(', ')}]  (keep = 1 − rate)`,
    `x = [${c.x.map(r3).join(', ')}]`,
    ...c.layers.map(
      (l, i) =>
        `layer ${i + 1}: W (${c.sizes[i]}×${c.sizes[i + 1]}, row-major) = [${l.W.map(r3).join(', ')}], b = [${l.b.map(r3).join(', ')}]`,
    ),
    `exact ensemble mean over all masks  E = ${sig(a.E)}`,
    `weight-scaled (inference pass)        = ${sig(a.scaled)}  (plain-JS weight-scaled network: ${sig(a.scaledJs)})`,
    `difference E − weight-scaled ${(a.E - a.scaled).toExponential(6)}, relative ${relative(a.E, a.scaled).toExponential(3)} (> 1e-9)`,
    `second-order prediction Σ_j W2_j·½g″(z̄_j)·Var z_j = ${a.predicted.toExponential(6)}, third-order remainder ≤ ${a.remainder.toExponential(3)}`,
  ];
  return lines.join('\n');
}

/**
 * The anchor of the refutation, for a network with ONE hidden layer of a smooth g (tanh, sigmoid) and
 * a linear output. With inverted dropout, z_j = Σ_i (r_i/keep)·x_i·W1_ij + b1_j has mean z̄_j (the
 * weight-scaled pre-activation) and the hidden mask is independent of z with mean 1, so exactly
 *   E − weight-scaled = Σ_j W2_j·(E g(z_j) − g(z̄_j)),
 * and by Taylor with Lagrange remainder each term is ½g″(z̄_j)·Var z_j within sup|g‴|/6·E|z_j − z̄_j|³
 * (sup|tanh‴| = 2, sup|σ‴| = 1/8). Var z_j and E|z_j − z̄_j|³ are computed here in plain JS over the
 * input masks; so is the weight-scaled output, against which the engine's inference pass is checked.
 */
interface Anchor {
  E: number;
  scaled: number;
  scaledJs: number;
  predicted: number;
  remainder: number;
  /** |b2| + Σ_j |W2_j·g(z̄_j)|: the size of the output's terms, for the rounding slack. */
  scale: number;
}
const G: Record<string, { g: (z: number) => number; g2: (z: number) => number; g3max: number }> = {
  tanh: { g: Math.tanh, g2: (z) => -2 * Math.tanh(z) * (1 - Math.tanh(z) ** 2), g3max: 2 },
  sigmoid: {
    g: (z) => 1 / (1 + Math.exp(-z)),
    g2: (z) => {
      const s = 1 / (1 + Math.exp(-z));
      return s * (1 - s) * (1 - 2 * s);
    },
    g3max: 1 / 8,
  },
};
function anchor(c: DeepNetCase, inference: (b: Built) => number = (b) => prefix(b, 2).scaled[0]): Anchor {
  const b = build(c);
  const { z } = prefix(b, 2);
  const E = ensembleMean(b.en.bits, b.en.keeps, (m) => z[codeOf(m)]);
  const [n, h] = c.sizes;
  const [W1, b1] = [c.layers[0].W, c.layers[0].b];
  const [W2, b2] = [c.layers[1].W, c.layers[1].b[0]];
  const keep = 1 - c.inputRate;
  const { g, g2, g3max } = G[c.activation];
  let scaledJs = b2,
    predicted = 0,
    remainder = 0,
    scale = Math.abs(b2);
  for (let j = 0; j < h; j++) {
    const zbar = c.x.reduce((s, xi, i) => s + xi * W1[i * h + j], b1[j]);
    // the input masks: unit i kept (multiplier 1/keep) with probability keep
    let variance = 0,
      third = 0;
    for (let bits = 0; bits < 2 ** n; bits++) {
      let p = 1,
        zr = b1[j];
      for (let i = 0; i < n; i++) {
        const kept = (bits >> i) & 1;
        p *= c.inputRate === 0 ? (kept ? 1 : 0) : kept ? keep : 1 - keep;
        if (kept) zr += (c.inputRate === 0 ? 1 : 1 / keep) * c.x[i] * W1[i * h + j];
      }
      variance += p * (zr - zbar) ** 2;
      third += p * Math.abs(zr - zbar) ** 3;
    }
    scaledJs += W2[j] * g(zbar);
    scale += Math.abs(W2[j] * g(zbar));
    predicted += W2[j] * 0.5 * g2(zbar) * variance;
    remainder += Math.abs(W2[j]) * (g3max / 6) * third;
  }
  return { E, scaled: inference(b), scaledJs, predicted, remainder, scale };
}

/** The anchored refutation's predicate: true unless the case is a counterexample with the predicted gap and a correct inference pass. */
function notAnchoredCounterexample(a: Anchor): boolean {
  const slack = 1e-12 * (a.scale + 1);
  const counter =
    relative(a.E, a.scaled) > 1e-9 &&
    Math.abs(a.scaled - a.scaledJs) <= slack &&
    a.remainder <= 0.5 * Math.abs(a.predicted) &&
    Math.abs(a.E - a.scaled - a.predicted) <= a.remainder + slack;
  return !counter;
}

// ---------------------------------------------------------------------------------------------
// The sample of sigmoid networks: everything measured once, by the first M-DEEP test below

interface Measured {
  depth: number;
  bits: number;
  /** Output O = σ(z): exact mean, variance, NWGM over masks; weight-scaled σ(z at inference). */
  E: number;
  V: number;
  nwgm: number;
  scaled: number;
  /** Logit statistics: z̄ = E[z], Var z, E|z − z̄|³. */
  zMean: number;
  zVar: number;
  zAbs3: number;
  /** E − weight-scaled for every hidden unit, by hidden layer (index 0 = layer 1). */
  hidden: number[][];
}

// The summary criteria (3–5 in the header) on a sample: the FIXED one (its own seed, 600 networks) in
// every run, and in a deep run also a FRESH one of 2,000 drawn from the run's seed.
const SUMMARY_SEED = 20261127;
const samples = new Map<string, Measured[]>();
function sampleOf(which: 'fixed' | 'fresh'): Measured[] {
  if (!samples.has(which)) {
    const seed = which === 'fixed' ? SUMMARY_SEED : (fc.readConfigureGlobal().seed as number) ^ 0x5deece6;
    samples.set(which, fc.sample(sigmoidNetArb, { seed, numRuns: which === 'fixed' ? 600 : 2000 }).map(measure));
  }
  return samples.get(which)!;
}
/** The samples a summary criterion is evaluated on in this run. */
const SAMPLES: ('fixed' | 'fresh')[] = DEEP ? ['fixed', 'fresh'] : ['fixed'];

function measure(c: DeepNetCase): Measured {
  const b = build(c);
  const { bits, keeps } = b.en;
  const depth = c.sizes.length - 2;
  const hidden: number[][] = [];
  for (let l = 1; l <= depth; l++) {
    const { z, scaled, width } = prefix(b, l);
    const a = sigmoid(tensor(z, [z.length])).data; // the hidden units' outputs before their own dropout
    const E = ensembleMeanVector(bits, keeps, (m) => a.subarray(codeOf(m) * width, codeOf(m) * width + width));
    const ws = sigmoid(tensor(scaled, [width])).data;
    hidden.push(Array.from(E, (e, u) => e - ws[u]));
  }
  const { z, scaled } = prefix(b, depth + 1);
  const O = sigmoid(tensor(z, [z.length])).data; // the output unit, made logistic
  const s = ensembleStats(bits, keeps, (m) => O[codeOf(m)]);
  const zs = ensembleStats(bits, keeps, (m) => z[codeOf(m)], { geometric: false });
  const zAbs3 = ensembleMean(bits, keeps, (m) => Math.abs(z[codeOf(m)] - zs.mean) ** 3);
  return {
    depth,
    bits,
    E: s.mean,
    V: s.variance,
    nwgm: s.nwgm,
    scaled: sigmoid(tensor(scaled, [1])).data[0],
    zMean: zs.mean,
    zVar: zs.variance,
    zAbs3,
    hidden,
  };
}

const quantile = (values: readonly number[], f: number) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(f * s.length))];
};
const summary = (values: readonly number[]) => ({
  n: values.length,
  median: quantile(values, 0.5),
  q90: quantile(values, 0.9),
  max: Math.max(...values),
});
const fmt = (v: number) => v.toExponential(2);

/** The second-order estimate CLAIMS.md states (signed), and the transcribed form (unsigned, as it was written). */
const secondOrderEstimate = (m: Measured) => (m.V * (1 - 2 * m.E)) / (2 * m.E * (1 - m.E) - m.V);
const transcribedEstimate = (m: Measured) => (m.V * Math.abs(1 - 2 * m.E)) / (1 - 2 * m.V);

/** U = P̂(b > a) over all pairs (ties ½): the two-sample Mann–Whitney statistic, in [0, 1]. */
function mannWhitney(a: readonly number[], b: readonly number[]): number {
  let u = 0;
  for (const x of a) for (const y of b) u += y > x ? 1 : y === x ? 0.5 : 0;
  return u / (a.length * b.length);
}
/** Hoeffding's one-sided bound for a mean of n independent [0, 1] terms (or a two-sample U-statistic with min(n1, n2) = n): P(excess ≥ t) ≤ exp(−2nt²). */
const oneSided = (n: number, alpha: number) => Math.sqrt(Math.log(1 / alpha) / (2 * n));

// ---------------------------------------------------------------------------------------------

describe('M-DEEP: with nonlinear hidden layers, weight scaling approximates the exact ensemble mean', () => {
  it('M-DEEP (refutation, anchored): fast-check finds a network with a smooth nonlinear hidden layer whose weight-scaled output differs from the exact mean by > 1e-9 relative, by the gap the second-order estimate predicts, with a correct inference pass', () => {
    refutes(
      fc.property(oneHiddenNetArb, (c) => {
        const a = anchor(c);
        observe(relative(a.E, a.scaled));
        return notAnchoredCounterexample(a);
      }),
      { numRuns: runs(100) },
      ([c]) => render(c, anchor(c)),
      {
        basis: {
          reference: `${EXACT}; the gap anchored to the second-order prediction Σ_j W2_j·½g″(z̄_j)·Var z_j (Var, E|z − z̄|³ and the weight-scaled network computed in plain JS over the input masks), and the engine's inference pass to the plain-JS weight-scaled network.`,
          tolerance:
            'the gap within the Lagrange remainder Σ_j |W2_j|·sup|g‴|/6·E|z_j − z̄_j|³, which must be ≤ half the prediction; rounding 1e-12 of the output’s terms.',
        },
      },
    );
  });

  it('M-DEEP (refutation, power): a broken inference pass (the paper\'s scaling applied to an inverted network) still yields an unanchored "counterexample", but never an anchored one', () => {
    // the inference pass of the same network read with the other convention: every layer's input scaled by keep once too often
    const broken = (b: Built) => {
      const s = b.net.spec;
      const paper = mlp({
        sizes: s.sizes,
        activation: s.activation,
        inputRate: s.inputRate,
        hiddenRate: s.hiddenRate,
        convention: 'scale-at-inference',
      });
      return float64Data(paper.apply(b.params, reshape(b.x, [1, b.x.size]), { training: false }))[0];
    };
    const old = fc.check(
      fc.property(oneHiddenNetArb, (c) => {
        const a = anchor(c, broken);
        return relative(a.E, a.scaled) <= 1e-9;
      }),
      { numRuns: runs(100) },
    );
    expect(old.failed).toBe(true); // the old refutation "succeeds" on the broken pass
    const anchored = fc.check(
      fc.property(oneHiddenNetArb, (c) => notAnchoredCounterexample(anchor(c, broken))),
      { numRuns: runs(100) },
    );
    expect(anchored.failed).toBe(false); // the anchored one finds nothing: its check would fail
    check({
      cases: old.numRuns + anchored.numRuns,
      ok: old.failed && !anchored.failed,
      basis: {
        reference: 'the anchored refutation above, run on a deliberately broken inference pass.',
        tolerance: 'as above.',
      },
    });
  });

  // σ(z) = σ(z̄) + σ′(z̄)(z − z̄) + ½σ″(z̄)(z − z̄)² + (1/6)σ‴(ξ)(z − z̄)³ (Taylor, Lagrange remainder),
  // |σ‴| ≤ 1/8 everywhere (σ‴ = u(1 − 6u) with u = σ(1 − σ) ∈ (0, ¼]). Averaging over masks, and
  // NWGM = σ(E[z]) for a logistic output (log G − log G′ = E[log O − log(1 − O)] = E[z]):
  //   |(E − NWGM) − ½·N(1 − N)(1 − 2N)·Var z| ≤ E|z − z̄|³/48,  N = NWGM, z = the output's logit.
  // Since Var O ≈ (E(1 − E))²·Var z, the second-order term is ≈ V(1 − 2E)/(2E(1 − E)): the estimate
  // CLAIMS.md states. Slack 1e-14 covers rounding (E, NWGM are compensated sums in (0, 1)); NWGM from
  // ensembleStats is also checked against σ(E[z]) to 1e-12.
  it('M-DEEP: for every sigmoid network (1–3 hidden layers), E − NWGM is the second-order term ½σ″(z̄)Var(z) within the third-order remainder E|z − z̄|³/48', () => {
    holds(
      fc.property(sigmoidNetArb, (c) => {
        const m = measure(c);
        observe(Math.abs(m.E - m.nwgm));
        const N = 1 / (1 + Math.exp(-m.zMean));
        if (!(relative(m.nwgm, N) <= 1e-12)) throw new Error(`NWGM ${m.nwgm} from ensembleStats ≠ σ(E[z]) = ${N}`);
        const second = 0.5 * N * (1 - N) * (1 - 2 * N) * m.zVar;
        const residual = Math.abs(m.E - m.nwgm - second);
        const bound = m.zAbs3 / 48 + 1e-14;
        if (!(residual <= bound))
          throw new Error(
            `|(E − NWGM) − ½σ″(z̄)Var z| = ${residual} > E|z − z̄|³/48 = ${bound} (E ${m.E}, NWGM ${m.nwgm}, Var z ${m.zVar})`,
          );
        return true;
      }),
      { numRuns: runs(200) },
      {
        basis: {
          reference: `${EXACT}; Taylor’s theorem with Lagrange remainder for σ, with NWGM = σ(E z) checked to 1e-12.`,
          tolerance: 'the proven remainder E|z − z̄|³/48 + 1e-14 for rounding.',
        },
      },
    );
  });

  for (const which of SAMPLES) {
    it(`M-DEEP: |E − weight-scaled| at the output does not grow with depth (pre-registered: Mann–Whitney U of depth d against depth 1 ≤ ½ + t, Hoeffding, α = 2.5e-7 each; ${which} sample)`, () => {
      const sample = sampleOf(which);
      const gapsAt = (d: number) => sample.filter((m) => m.depth === d).map((m) => Math.abs(m.E - m.scaled));
      const alpha = 2.5e-7;
      const rows = [2, 3].map((d) => {
        const [a, b] = [gapsAt(1), gapsAt(d)];
        const t = oneSided(Math.min(a.length, b.length), alpha);
        const U = mannWhitney(a, b);
        // the power this sample has: the smallest growth factor f (on a grid) at which f·gap_d would fail
        const resolves =
          [1.25, 1.5, 2, 3, 5, 10, 20, 50].find(
            (f) =>
              mannWhitney(
                a,
                b.map((g) => g * f),
              ) >
              0.5 + t,
          ) ?? Infinity;
        return {
          depth: d,
          n1: a.length,
          nd: b.length,
          U,
          threshold: 0.5 + t,
          resolves,
          ok: a.length > 0 && b.length > 0 && U <= 0.5 + t,
        };
      });
      const gaps = sample.map((m) => Math.abs(m.E - m.scaled));
      check({
        cases: sample.length,
        maxError: Math.max(...gaps),
        ok: rows.every((r) => r.ok),
        alpha: 2 * alpha,
        bound:
          'Hoeffding’s bound for a two-sample U-statistic, P(U − ½ ≥ t) ≤ exp(−2·min(n₁, n_d)·t²), one-sided, α = 2.5e-7 per depth',
        details: {
          distribution:
            which === 'fixed'
              ? {
                  name: 'gap-E-vs-weight-scaled',
                  values: gaps,
                  xlabel: '|E − weight-scaled| at the output (sigmoid networks, 1–3 hidden layers)',
                }
              : undefined,
          sample: which,
          byDepth: Object.fromEntries(
            [1, 2, 3].map((d) => [
              `depth ${d}`,
              (({ n, median, q90, max }) => ({ n, median: fmt(median), q90: fmt(q90), max: fmt(max) }))(
                summary(gapsAt(d)),
              ),
            ]),
          ),
          mannWhitney: rows.map((r) => ({
            depth: r.depth,
            U: r.U.toFixed(3),
            threshold: r.threshold.toFixed(3),
            n1: r.n1,
            nd: r.nd,
            wouldDetectGrowthBy: r.resolves,
          })),
          criterion: 'U_d = P̂(gap at depth d > gap at depth 1) ≤ ½ + sqrt(ln(1/α)/(2·min(n₁, n_d))), d = 2, 3',
        },
      });
    });

    it(`M-DEEP: the layer-wise error E − weight-scaled is centred near 0 (pre-registered: fraction positive in [¼ − r, ¾ + r], McDiarmid, α = 1e-7 per layer) and does not grow with depth (paired, fraction of networks with mean |error| at layer l > layer 1 ≤ ½ + t, α = 1e-7 per layer; ${which} sample)`, () => {
      const sample = sampleOf(which);
      const alpha = 1e-7;
      const positive = (v: number[]) => v.filter((e) => e > 0).length;
      // per layer (hidden 1–3, then the output): the pooled fraction positive and its McDiarmid radius
      const groups = [0, 1, 2]
        .map((l) => sample.filter((m) => m.hidden[l]).map((m) => m.hidden[l]))
        .concat([sample.map((m) => [m.E - m.scaled])]);
      const centred = groups.map((nets, l) => {
        const total = nets.reduce((s, v) => s + v.length, 0);
        const F = nets.reduce((s, v) => s + positive(v), 0) / total;
        const r = Math.sqrt((Math.log(2 / alpha) * nets.reduce((s, v) => s + (v.length / total) ** 2, 0)) / 2);
        return {
          layer: l < 3 ? `hidden ${l + 1}` : 'output',
          networks: nets.length,
          units: total,
          fractionPositive: F,
          radius: r,
          ok: total > 0 && F >= 0.25 - r && F <= 0.75 + r,
        };
      });
      const meanAbs = (v: number[]) => v.reduce((s, e) => s + Math.abs(e), 0) / v.length;
      const growth = [1, 2].map((l) => {
        const nets = sample.filter((m) => m.hidden[l]);
        const up = nets.filter((m) => meanAbs(m.hidden[l]) > meanAbs(m.hidden[0])).length / nets.length;
        const t = oneSided(nets.length, alpha);
        return {
          layer: `hidden ${l + 1} vs 1`,
          networks: nets.length,
          fractionLarger: up,
          threshold: 0.5 + t,
          ok: nets.length > 0 && up <= 0.5 + t,
        };
      });
      const all = groups.slice(0, 3).flat(2).map(Math.abs);
      check({
        cases: all.length,
        maxError: Math.max(...all),
        ok: centred.every((c) => c.ok) && growth.every((g) => g.ok),
        alpha: 6 * alpha,
        bound:
          'McDiarmid’s inequality for the pooled fraction positive (each network’s share of the units as its bounded difference), two-sided, and Hoeffding for the paired fraction, one-sided, α = 1e-7 each (4 + 2 assertions)',
        details: {
          distribution:
            which === 'fixed'
              ? {
                  name: 'layerwise-gap-E-vs-weight-scaled',
                  values: all,
                  xlabel: '|E − weight-scaled| per hidden unit (all layers)',
                }
              : undefined,
          sample: which,
          centred: centred.map((c) => ({
            ...c,
            fractionPositive: c.fractionPositive.toFixed(3),
            radius: c.radius.toFixed(3),
          })),
          growth: growth.map((g) => ({
            ...g,
            fractionLarger: g.fractionLarger.toFixed(3),
            threshold: g.threshold.toFixed(3),
          })),
          criterion:
            'centred: P(error > 0) ∈ [¼, ¾] (0 between the quartiles); does not grow: P(mean |error| at layer l > at layer 1) ≤ ½',
        },
      });
    });

    it(`M-DEEP: E − NWGM ≈ V(1−2E)/(2E(1−E) − V), the second-order estimate (pre-registered: the (1 − α) order-statistic interval for the median ratio meets [0.8, 1.25], α = 1e-7; ${which} sample); the transcribed V|1−2E|/(1−2V) recorded`, () => {
      const sample = sampleOf(which);
      const alpha = 1e-7;
      const used = sample.filter((m) => Math.abs(secondOrderEstimate(m)) > 1e-12);
      const ratios = used.map((m) => (m.E - m.nwgm) / secondOrderEstimate(m)).sort((a, b) => a - b);
      const transcribed = used.map((m) => Math.abs(m.E - m.nwgm) / transcribedEstimate(m));
      // C = #{ratio < true median} ~ Binomial(N, ½): with probability ≥ 1 − α, lo ≤ C ≤ hi, so the median lies in [x_(lo), x_(hi+1)]
      const N = ratios.length;
      const { lo, hi } = binomialAcceptance(N, 0.5, alpha);
      const interval = [ratios[Math.max(0, lo - 1)], ratios[Math.min(N - 1, hi)]];
      const ok = N >= 0.9 * sample.length && interval[1] >= 0.8 && interval[0] <= 1.25;
      const q = (v: number[]) => ({
        q10: quantile(v, 0.1).toFixed(3),
        median: quantile(v, 0.5).toFixed(3),
        q90: quantile(v, 0.9).toFixed(3),
      });
      const gaps = sample.map((m) => Math.abs(m.E - m.nwgm));
      check({
        cases: sample.length,
        maxError: Math.max(...gaps),
        ok,
        alpha,
        bound:
          'distribution-free interval for the median from order statistics, the count below the median being exactly Binomial(N, ½) (two-sided exact binomial acceptance)',
        details: {
          distribution:
            which === 'fixed'
              ? {
                  name: 'gap-E-vs-NWGM',
                  values: gaps,
                  xlabel: '|E − NWGM| at the output (sigmoid networks, 1–3 hidden layers)',
                }
              : undefined,
          sample: which,
          networksUsed: N,
          ratioToSecondOrderEstimate: { ...q(ratios), medianInterval: interval.map((v) => v.toFixed(3)) },
          ratioToTranscribedForm: q(transcribed),
          criterion: 'the (1 − α) interval for the median of (E − NWGM)/estimate meets [0.8, 1.25]',
        },
        basis: {
          reference: `${EXACT}; the estimate V(1−2E)/(2E(1−E) − V) CLAIMS.md states, derived from G ≈ E − V/(2E) and G′ ≈ 1 − E − V/(2(1−E)).`,
          tolerance:
            '“≈” read as a median ratio in [0.8, 1.25] (pre-registered), tested with the exact order-statistic interval at α = 1e-7.',
        },
        note:
          which === 'fixed'
            ? `the second-order estimate E − NWGM ≈ V(1−2E)/(2E(1−E) − V) matches (median ratio ${quantile(ratios, 0.5).toFixed(2)}); the form V(1−2E)/(1−2V) that an earlier version of the claim list transcribed from a secondary copy of Baldi & Sadowski (formulas stripped, not known to be theirs) underestimates |E − NWGM| by a median factor ${quantile(transcribed, 0.5).toFixed(2)} (10–90%: ${quantile(transcribed, 0.1).toFixed(2)}–${quantile(transcribed, 0.9).toFixed(2)}): a gap in that transcription, not in the paper`
            : undefined,
      });
    });
  }
});
