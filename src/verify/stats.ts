// Statistical helpers for stochastic tests: confidence radii (Hoeffding, Bernstein, empirical
// Bernstein, DKW) and the sample sizes they imply, exact binomial tails and acceptance intervals for
// counts (in binomial.ts, re-exported here), and Bonferroni accounting of a suite's false-failure
// probability. Each bound is stated with its assumptions; every function checks its arguments
// (arguments.ts) and throws an error naming the argument and the value instead of returning NaN.
// Nothing here draws random numbers: the samples come from the caller (the engine's keys), so a test
// built on these helpers is deterministic for a fixed key.
//
// Notation: α is the false-failure probability of one assertion (the chance that a correct
// implementation fails it), n the number of i.i.d. samples, `range` the width of an interval
// [a, a + range] that holds every sample.

import { describeValue } from '../engine/index.ts';
import { alphaArg, int, num, positive, samplesArg, varianceArg } from './arguments.ts';

export * from './binomial.ts';

/** ln(c/α), finite even where c/α overflows (α below ~1e-308). */
const lnOver = (c: number, alpha: number) => Math.log(c) - Math.log(alpha);

// ---------------------------------------------------------------------------------------------------
// Sample sizes: the smallest n whose radius is ≤ t, found exactly (radii are non-increasing in n, and
// so is their floating-point evaluation, since every IEEE operation is monotone).

function smallestN(op: string, radius: (n: number) => number, t: number, minN: number): number {
  const maxN = Number.MAX_SAFE_INTEGER;
  let hi = minN;
  while (radius(hi) > t) {
    if (hi === maxN)
      throw new RangeError(`${op}: t ${t} is too small: even n = 2^53 − 1 samples give a radius of ${radius(maxN)}`);
    hi = Math.min(maxN, hi * 2);
  }
  let lo = hi === minN ? minN - 1 : Math.floor(hi / 2); // below minN, or at most the last hi that failed: radius(lo) > t
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (radius(mid) <= t) hi = mid;
    else lo = mid;
  }
  return hi;
}

// ---------------------------------------------------------------------------------------------------
// Confidence radii for means

/**
 * Hoeffding's inequality, two-sided: for n independent samples X_i, each in an interval of width
 * `range` and with common mean μ, P(|mean − μ| ≥ t) ≤ 2·exp(−2nt²/range²) = α at
 * t = range·sqrt(ln(2/α)/(2n)). Needs independence and boundedness only (no variance, any
 * distribution); loose when the variance is small, where Bernstein does better.
 */
export function hoeffdingRadius(n: number, alpha: number, range = 1): number {
  const op = 'hoeffdingRadius';
  int(op, 'n', n, 1);
  alphaArg(op, alpha);
  positive(op, 'range', range);
  return range * Math.sqrt(lnOver(2, alpha) / (2 * n));
}

/**
 * The smallest n with hoeffdingRadius(n, alpha, range) ≤ t, about range²·ln(2/α)/(2t²): e.g. 3,823
 * samples in [0, 1] pin a mean to ±0.05 at α = 1e-8. Same assumptions as hoeffdingRadius.
 */
export function hoeffdingSampleSize(t: number, alpha: number, range = 1): number {
  const op = 'hoeffdingSampleSize';
  positive(op, 't', t);
  alphaArg(op, alpha);
  positive(op, 'range', range);
  return smallestN(op, (n) => range * Math.sqrt(lnOver(2, alpha) / (2 * n)), t, 1);
}

/**
 * Bernstein's inequality, two-sided, with a known bound on the variance: for n independent samples
 * with mean μ, Var X_i ≤ variance and |X_i − μ| ≤ range (true when every X_i lies in an interval of
 * width range), P(|mean − μ| ≥ t) ≤ 2·exp(−nt²/(2σ² + 2·range·t/3)), so with probability ≥ 1 − α
 * |mean − μ| < sqrt(2σ²·ln(2/α)/n) + 2·range·ln(2/α)/(3n). Much tighter than Hoeffding when σ² is
 * small (rare events: a Bernoulli(q) has σ² = q(1 − q)). `variance` may not exceed range²/4.
 */
export function bernsteinRadius(n: number, alpha: number, variance: number, range: number): number {
  const op = 'bernsteinRadius';
  int(op, 'n', n, 1);
  alphaArg(op, alpha);
  positive(op, 'range', range);
  varianceArg(op, 'variance', variance, range);
  return bernstein(n, lnOver(2, alpha), variance, range);
}

const bernstein = (n: number, L: number, variance: number, range: number) =>
  Math.sqrt((2 * variance * L) / n) + (2 * range * L) / (3 * n);

/** The smallest n with bernsteinRadius(n, alpha, variance, range) ≤ t. Same assumptions as bernsteinRadius. */
export function bernsteinSampleSize(t: number, alpha: number, variance: number, range: number): number {
  const op = 'bernsteinSampleSize';
  positive(op, 't', t);
  alphaArg(op, alpha);
  positive(op, 'range', range);
  varianceArg(op, 'variance', variance, range);
  const L = lnOver(2, alpha);
  return smallestN(op, (n) => bernstein(n, L, variance, range), t, 1);
}

/** The unbiased sample variance Σ(x − x̄)²/(n − 1), by two passes. */
function sampleVariance(s: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < s.length; i++) mean += s[i];
  mean /= s.length;
  let ss = 0,
    c = 0; // c: the compensation Σ(x − x̄), zero in exact arithmetic
  for (let i = 0; i < s.length; i++) {
    const d = s[i] - mean;
    ss += d * d;
    c += d;
  }
  return Math.max(0, (ss - (c * c) / s.length) / (s.length - 1));
}

const empiricalBernstein = (n: number, L: number, v: number, range: number) =>
  Math.sqrt((2 * v * L) / n) + (7 * range * L) / (3 * (n - 1));

/**
 * The empirical Bernstein bound (Maurer & Pontil 2009, Theorem 4), two-sided: for n ≥ 2 independent
 * samples with common mean μ, each in an interval of width `range`, with V the unbiased sample
 * variance, each one-sided deviation exceeds sqrt(2V·ln(2/δ)/n) + 7·range·ln(2/δ)/(3(n − 1)) with
 * probability ≤ δ; taking δ = α/2 per side, with probability ≥ 1 − α
 * |mean − μ| < sqrt(2V·ln(4/α)/n) + 7·range·ln(4/α)/(3(n − 1)).
 * No variance bound is needed: the radius adapts to the data. Pass the samples themselves (checked
 * to fit in an interval of width range) or { n, sampleVariance }.
 */
export function empiricalBernsteinRadius(
  samples: ArrayLike<number> | { n: number; sampleVariance: number },
  alpha: number,
  range: number,
): number {
  const op = 'empiricalBernsteinRadius';
  alphaArg(op, alpha);
  positive(op, 'range', range);
  let n: number, v: number;
  if (samples !== null && typeof samples === 'object' && 'sampleVariance' in samples) {
    n = int(op, 'samples.n', samples.n, 2);
    const what = 'a finite number ≥ 0';
    v = num(op, 'samples.sampleVariance', samples.sampleVariance, what);
    if (!(v >= 0 && Number.isFinite(v)))
      throw new RangeError(`${op}: expected samples.sampleVariance to be ${what}, got ${describeValue(v)}`);
    // n points in an interval of width range have Σ(x − x̄)² ≤ n·range²/4
    const max = (n * range * range) / (4 * (n - 1));
    if (v > max)
      throw new RangeError(
        `${op}: expected samples.sampleVariance ≤ n·range²/(4(n − 1)) = ${max}, the most n = ${n} samples in an interval of width range ${range} can have, got ${describeValue(v)}`,
      );
  } else {
    const s = samplesArg(op, samples, 2);
    let min = Infinity,
      max = -Infinity;
    for (let i = 0; i < s.length; i++) {
      min = Math.min(min, s[i]);
      max = Math.max(max, s[i]);
    }
    if (max - min > range)
      throw new RangeError(
        `${op}: expected the samples to lie in an interval of width range ${range}, but they span [${min}, ${max}]`,
      );
    n = s.length;
    v = sampleVariance(s);
  }
  return empiricalBernstein(n, lnOver(4, alpha), v, range);
}

/**
 * For planning: the smallest n ≥ 2 whose empirical Bernstein radius is ≤ t when the sample variance
 * comes out at most `varianceBound` (≤ range²/4). The radius a test then uses comes from the
 * observed variance, so the guarantee is empiricalBernsteinRadius's, not this function's.
 */
export function empiricalBernsteinSampleSize(t: number, alpha: number, range: number, varianceBound: number): number {
  const op = 'empiricalBernsteinSampleSize';
  positive(op, 't', t);
  alphaArg(op, alpha);
  positive(op, 'range', range);
  varianceArg(op, 'varianceBound', varianceBound, range);
  const L = lnOver(4, alpha);
  return smallestN(op, (n) => empiricalBernstein(n, L, varianceBound, range), t, 2);
}

// ---------------------------------------------------------------------------------------------------
// Distributions: the Dvoretzky–Kiefer–Wolfowitz inequality

/**
 * The DKW inequality with Massart's constant: for n i.i.d. samples with distribution function F and
 * empirical distribution function F_n, P(sup_x |F_n(x) − F(x)| > ε) ≤ 2·exp(−2nε²) = α at
 * ε = sqrt(ln(2/α)/(2n)). Holds for every F and n (the sharpest for continuous F); a uniform band
 * around the whole CDF, so it tests every quantile at once.
 */
export function dkwRadius(n: number, alpha: number): number {
  const op = 'dkwRadius';
  int(op, 'n', n, 1);
  alphaArg(op, alpha);
  return Math.sqrt(lnOver(2, alpha) / (2 * n));
}

/** The smallest n with dkwRadius(n, alpha) ≤ eps, about ln(2/α)/(2ε²). Same assumptions as dkwRadius. */
export function dkwSampleSize(eps: number, alpha: number): number {
  const op = 'dkwSampleSize';
  positive(op, 'eps', eps);
  alphaArg(op, alpha);
  return smallestN(op, (n) => Math.sqrt(lnOver(2, alpha) / (2 * n)), eps, 1);
}

/**
 * The Kolmogorov–Smirnov statistic sup_x |F_n(x) − F(x)| of the samples against a continuous
 * distribution function `cdf` (non-decreasing, values in [0, 1]): the largest of i/n − F(x_(i)) and
 * F(x_(i)) − (i − 1)/n over the sorted samples. For a discontinuous F this overstates the distance at
 * F's jumps. Compare it with dkwRadius(n, alpha).
 */
export function ksStatistic(samples: ArrayLike<number>, cdf: (x: number) => number): number {
  const op = 'ksStatistic';
  const s = Float64Array.from(samplesArg(op, samples, 1)).sort();
  if (typeof cdf !== 'function') throw new TypeError(`${op}: expected cdf to be a function, got ${describeValue(cdf)}`);
  const n = s.length;
  let d = 0,
    prev = 0;
  for (let i = 0; i < n; i++) {
    const F = cdf(s[i]);
    if (typeof F !== 'number' || !(F >= 0 && F <= 1))
      throw new RangeError(`${op}: expected cdf(${s[i]}) to be a probability in [0, 1], got ${describeValue(F)}`);
    if (F < prev)
      throw new RangeError(
        `${op}: expected cdf to be non-decreasing, but cdf(${s[i]}) = ${F} < cdf(${s[i - 1]}) = ${prev}`,
      );
    prev = F;
    d = Math.max(d, (i + 1) / n - F, F - i / n);
  }
  return d;
}

// ---------------------------------------------------------------------------------------------------
// Suites: Bonferroni accounting

// Dekker's exact product: a·b = p + e exactly (no overflow for the magnitudes used here).
function twoProduct(a: number, b: number): [number, number] {
  const split = (x: number) => {
    const c = 134217729 * x; // 2^27 + 1
    const hi = c - (c - x);
    return [hi, x - hi];
  };
  const p = a * b;
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

/** The largest double below x (x > 0 and finite). */
function nextDown(x: number): number {
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  buf.setBigUint64(0, buf.getBigUint64(0) - 1n);
  return buf.getFloat64(0);
}

/**
 * The Bonferroni (union) bound: if each of `count` assertions fails with probability ≤ a, at least
 * one fails with probability ≤ count·a, whatever their dependence. Returns totalAlpha/count, rounded
 * down so that count·a ≤ totalAlpha holds exactly.
 */
export function bonferroni(totalAlpha: number, count: number): number {
  const op = 'bonferroni';
  alphaArg(op, totalAlpha, 'totalAlpha');
  int(op, 'count', count, 1);
  let a = totalAlpha / count;
  for (;;) {
    const [p, e] = twoProduct(a, count);
    if (p < totalAlpha || (p === totalAlpha && e <= 0)) return a;
    a = nextDown(a);
  }
}

/**
 * A suite's false-failure budget: `total` split evenly (Bonferroni) over `count` stochastic
 * assertions. Each assertion takes its α with next(label); `spent` is what has been handed out
 * (≤ total), and toString() prints the account. Taking more than `count` throws, so a suite cannot
 * silently exceed its budget.
 */
export class AlphaBudget {
  readonly total: number;
  readonly count: number;
  /** The α of each assertion. */
  readonly perAssertion: number;
  readonly #labels: string[] = [];

  constructor(total: number, count: number) {
    const op = 'AlphaBudget';
    alphaArg(op, total, 'total');
    int(op, 'count', count, 1);
    this.total = total;
    this.count = count;
    this.perAssertion = bonferroni(total, count);
  }

  /** The α for one more assertion, named by `label` (a non-empty string). */
  next(label: string): number {
    if (typeof label !== 'string' || label.length === 0)
      throw new TypeError(`AlphaBudget.next: expected label to be a non-empty string, got ${describeValue(label)}`);
    if (this.#labels.length >= this.count) {
      throw new RangeError(
        `AlphaBudget.next: the budget of ${this.total} is spent: all ${this.count} assertions are taken, so "${label}" cannot have one; raise count (or total) instead`,
      );
    }
    this.#labels.push(label);
    return this.perAssertion;
  }

  /** The labels of the assertions taken so far, in order. */
  get labels(): readonly string[] {
    return [...this.#labels];
  }

  /** The sum of the α handed out: the probability that some assertion so far fails by chance is at most this. */
  get spent(): number {
    return this.perAssertion * this.#labels.length;
  }

  get remaining(): number {
    return this.count - this.#labels.length;
  }

  /** The account: the budget, the share per assertion, the shares taken with their labels, and the total spent. */
  toString(): string {
    const list = this.#labels.length ? `: ${this.#labels.join(', ')}` : '';
    return `α budget ${this.total} over ${this.count} assertions (${this.perAssertion} each): ${this.#labels.length} taken, spent ${this.spent}${list}`;
  }
}
