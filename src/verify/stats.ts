// Statistical helpers for stochastic tests: confidence radii (Hoeffding, Bernstein, empirical
// Bernstein, DKW) and the sample sizes they imply, exact binomial tails and acceptance intervals for
// counts, and Bonferroni accounting of a suite's false-failure probability. Each bound is stated with
// its assumptions; every function checks its arguments and throws an error naming the argument and
// the value instead of returning NaN. Nothing here draws random numbers: the samples come from the
// caller (the engine's keys), so a test built on these helpers is deterministic for a fixed key.
//
// Notation: α is the false-failure probability of one assertion (the chance that a correct
// implementation fails it), n the number of i.i.d. samples, `range` the width of an interval
// [a, a + range] that holds every sample.

import { describeValue } from '../engine/index.ts';

// ---------------------------------------------------------------------------------------------------
// Argument checks

/** A value as it appears in an error message. */
const show = describeValue;

function num(op: string, arg: string, v: unknown, expected: string): number {
  if (typeof v !== 'number') throw new TypeError(`${op}: expected ${arg} to be ${expected}, got ${show(v)}`);
  return v;
}

/** An integer ≥ min (a safe integer). */
function int(op: string, arg: string, v: unknown, min: number, what = min === 1 ? 'a positive integer' : `an integer ≥ ${min}`): number {
  const x = num(op, arg, v, what);
  if (!Number.isSafeInteger(x) || x < min) throw new RangeError(`${op}: expected ${arg} to be ${what}, got ${show(v)}`);
  return x;
}

/** A probability strictly between 0 and 1 (a false-failure probability). */
function alphaArg(op: string, v: unknown, arg = 'alpha'): number {
  const what = 'a probability in (0, 1)';
  const x = num(op, arg, v, what);
  if (!(x > 0 && x < 1)) throw new RangeError(`${op}: expected ${arg} to be ${what}, got ${show(v)}`);
  return x;
}

function positive(op: string, arg: string, v: unknown): number {
  const what = 'a finite number > 0';
  const x = num(op, arg, v, what);
  if (!(x > 0 && Number.isFinite(x))) throw new RangeError(`${op}: expected ${arg} to be ${what}, got ${show(v)}`);
  return x;
}

/** A variance in [0, range²/4]: no distribution on an interval of width `range` has more (Popoviciu). */
function varianceArg(op: string, arg: string, v: unknown, range: number): number {
  const what = 'a finite number ≥ 0';
  const x = num(op, arg, v, what);
  if (!(x >= 0 && Number.isFinite(x))) throw new RangeError(`${op}: expected ${arg} to be ${what}, got ${show(v)}`);
  const max = (range * range) / 4;
  if (x > max) throw new RangeError(`${op}: expected ${arg} ≤ range²/4 = ${max} (no distribution on an interval of width range ${range} has more), got ${show(v)}`);
  return x;
}

function probability(op: string, arg: string, v: unknown): number {
  const what = 'a probability in [0, 1]';
  const x = num(op, arg, v, what);
  if (!(x >= 0 && x <= 1)) throw new RangeError(`${op}: expected ${arg} to be ${what}, got ${show(v)}`);
  return x;
}

function samplesArg(op: string, v: unknown, minLength: number): ArrayLike<number> {
  const ok = v !== null && typeof v === 'object' && typeof (v as ArrayLike<number>).length === 'number';
  if (!ok) throw new TypeError(`${op}: expected samples to be an array of numbers, got ${show(v)}`);
  const s = v as ArrayLike<number>;
  if (s.length < minLength) throw new RangeError(`${op}: expected at least ${minLength} samples, got ${s.length}`);
  for (let i = 0; i < s.length; i++) {
    const x = s[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new TypeError(`${op}: expected samples[${i}] to be a finite number, got ${show(x)}`);
  }
  return s;
}

/** ln(c/α), finite even where c/α overflows (α below ~1e-308). */
const lnOver = (c: number, alpha: number) => Math.log(c) - Math.log(alpha);

// ---------------------------------------------------------------------------------------------------
// Sample sizes: the smallest n whose radius is ≤ t, found exactly (radii are non-increasing in n, and
// so is their floating-point evaluation, since every IEEE operation is monotone).

function smallestN(op: string, radius: (n: number) => number, t: number, minN: number): number {
  const maxN = Number.MAX_SAFE_INTEGER;
  let hi = minN;
  while (radius(hi) > t) {
    if (hi === maxN) throw new RangeError(`${op}: t ${t} is too small: even n = 2^53 − 1 samples give a radius of ${radius(maxN)}`);
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

const bernstein = (n: number, L: number, variance: number, range: number) => Math.sqrt((2 * variance * L) / n) + (2 * range * L) / (3 * n);

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
  let ss = 0, c = 0; // c: the compensation Σ(x − x̄), zero in exact arithmetic
  for (let i = 0; i < s.length; i++) {
    const d = s[i] - mean;
    ss += d * d;
    c += d;
  }
  return Math.max(0, (ss - (c * c) / s.length) / (s.length - 1));
}

const empiricalBernstein = (n: number, L: number, v: number, range: number) => Math.sqrt((2 * v * L) / n) + (7 * range * L) / (3 * (n - 1));

/**
 * The empirical Bernstein bound (Maurer & Pontil 2009, Theorem 4), two-sided: for n ≥ 2 independent
 * samples with common mean μ, each in an interval of width `range`, with V the unbiased sample
 * variance, each one-sided deviation exceeds sqrt(2V·ln(2/δ)/n) + 7·range·ln(2/δ)/(3(n − 1)) with
 * probability ≤ δ; taking δ = α/2 per side, with probability ≥ 1 − α
 * |mean − μ| < sqrt(2V·ln(4/α)/n) + 7·range·ln(4/α)/(3(n − 1)).
 * No variance bound is needed: the radius adapts to the data. Pass the samples themselves (checked
 * to fit in an interval of width range) or { n, sampleVariance }.
 */
export function empiricalBernsteinRadius(samples: ArrayLike<number> | { n: number; sampleVariance: number }, alpha: number, range: number): number {
  const op = 'empiricalBernsteinRadius';
  alphaArg(op, alpha);
  positive(op, 'range', range);
  let n: number, v: number;
  if (samples !== null && typeof samples === 'object' && 'sampleVariance' in samples) {
    n = int(op, 'samples.n', samples.n, 2);
    const what = 'a finite number ≥ 0';
    v = num(op, 'samples.sampleVariance', samples.sampleVariance, what);
    if (!(v >= 0 && Number.isFinite(v))) throw new RangeError(`${op}: expected samples.sampleVariance to be ${what}, got ${show(v)}`);
    // n points in an interval of width range have Σ(x − x̄)² ≤ n·range²/4
    const max = (n * range * range) / (4 * (n - 1));
    if (v > max) throw new RangeError(`${op}: expected samples.sampleVariance ≤ n·range²/(4(n − 1)) = ${max}, the most n = ${n} samples in an interval of width range ${range} can have, got ${show(v)}`);
  } else {
    const s = samplesArg(op, samples, 2);
    let min = Infinity, max = -Infinity;
    for (let i = 0; i < s.length; i++) {
      min = Math.min(min, s[i]);
      max = Math.max(max, s[i]);
    }
    if (max - min > range) throw new RangeError(`${op}: expected the samples to lie in an interval of width range ${range}, but they span [${min}, ${max}]`);
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
// Exact binomial tails
//
// ln P(X = j) by Loader's saddle-point expansion ("Fast and accurate computation of binomial
// probabilities", 2000; R's dbinom): the large terms ln n!, j·ln q, … are never formed, so the log
// has an absolute error of a few ulps of its own size even at n = 1e7. Tails are sums of terms from
// k outward, away from the mode, where the terms shrink geometrically; each term is the previous one
// times the exact ratio, resynchronised with the saddle-point formula every 64 terms, and the sum
// stops when a geometric bound on the rest is below 2^-60 of it. Everything is relative to the
// first term, so log tails far below the smallest double (e.g. ln P = −5000) are exact too.

/** ln(k!) − ln(sqrt(2πk)·(k/e)^k) for k = 0..15 (k = 0: 0, unused). */
const STIRLERR = [
  0, 0.08106146679532726, 0.0413406959554093, 0.02767792568499834, 0.020790672103765093, 0.016644691189821193, 0.013876128823070748,
  0.01189670994589177, 0.010411265261972096, 0.009255462182712733, 0.00833056343336287, 0.007573675487951841, 0.00694284010720953,
  0.006408994188004207, 0.0059513701127588475, 0.005554733551962801,
];

/** The error of Stirling's formula for ln(k!), k a positive integer. */
function stirlerr(k: number): number {
  if (k <= 15) return STIRLERR[k];
  // five terms of the Stirling series: the first term left out is 1.1e-16 at k = 16 and smaller beyond;
  // fewer terms at larger k, as R's dbinom takes, would only save a few flops
  const S0 = 1 / 12, S1 = 1 / 360, S2 = 1 / 1260, S3 = 1 / 1680, S4 = 1 / 1188;
  const kk = k * k;
  return (S0 - (S1 - (S2 - (S3 - S4 / kk) / kk) / kk) / kk) / k;
}

/**
 * x·ln(x/m) + m − x, the deviance term. Near x = m by the series in v = (x − m)/(x + m), which has no
 * cancellation; the direct formula would lose x·2^-53 to the rounding of x/m alone, and this term can be
 * hundreds of times smaller than x. The series runs while m/2 ≤ x ≤ 2m, where x − m is exact (Sterbenz).
 */
function bd0(x: number, m: number): number {
  if (3 * Math.abs(x - m) < x + m) {
    let v = (x - m) / (x + m);
    let s = (x - m) * v;
    let ej = 2 * x * v;
    v *= v;
    // v² < 1/9, so each term is below 1/9 of the one before: about 17 terms at most
    for (let j = 1; ; j++) {
      ej *= v;
      const s1 = s + ej / (2 * j + 1);
      if (s1 === s) return s1;
      s = s1;
    }
  }
  const r = x / m;
  return (Number.isFinite(r) ? x * Math.log(r) : x * (Math.log(x) - Math.log(m))) + m - x;
}

const LN_2PI = Math.log(2 * Math.PI);

/** ln P(X = j), X ~ Binomial(n, q), 0 < q < 1, j an integer in [0, n]. */
function logPmf(j: number, n: number, q: number): number {
  if (j === 0) return n * Math.log1p(-q);
  if (j === n) return n * Math.log(q);
  const lc = stirlerr(n) - stirlerr(j) - stirlerr(n - j) - bd0(j, n * q) - bd0(n - j, n * (1 - q));
  return lc - 0.5 * (LN_2PI + Math.log(j) + Math.log1p(-j / n));
}

const SUM_TOL = 2 ** -60;

/**
 * ln P(X ≤ k) (lower) or ln P(X ≥ k) (upper) for 0 < q < 1, 0 ≤ k ≤ n, summing from k away from the
 * mode. Needs the terms to shrink from k outward: k ≤ (n + 1)q for lower, k ≥ (n + 1)q − 1 for upper.
 */
function logTailSum(k: number, n: number, q: number, upper: boolean): number {
  const base = logPmf(k, n, q);
  const odds = upper ? q / (1 - q) : (1 - q) / q;
  let sum = 1, comp = 0, term = 1; // compensated sum of P(X = j)/P(X = k); every term is ≤ 1 ≤ sum
  const steps = upper ? n - k : k;
  for (let i = 1; i <= steps; i++) {
    const j = upper ? k + i : k - i; // the next term's index
    const r = upper ? ((n - j + 1) / j) * odds : ((j + 1) / (n - j)) * odds; // P(X = j)/P(X = j ∓ 1)
    term = i % 64 === 0 ? Math.exp(logPmf(j, n, q) - base) : term * r;
    const t = sum + term;
    comp += sum - t + term; // the rounding error of sum + term, exact since sum ≥ term
    sum = t;
    // later ratios are ≤ r, so the rest of the sum is ≤ term·r/(1 − r)
    if (term * r <= (1 - r) * sum * SUM_TOL) break;
  }
  return base + Math.log(sum + comp);
}

/** Most trials the exact binomial functions accept: their cost grows like sqrt(n), and at 2^53 one call takes minutes. */
const MAX_TRIALS = 2 ** 40;

function trials(op: string, n: unknown): number {
  const x = int(op, 'n', n, 0, 'a non-negative integer (the number of trials)');
  if (x > MAX_TRIALS) throw new RangeError(`${op}: expected n (the number of trials) to be at most 2^40, got ${show(n)}: the exact tail sums cost about sqrt(n) steps`);
  return x;
}

function binomialArgs(op: string, k: unknown, n: unknown, q: unknown) {
  const kk = num(op, 'k', k, 'an integer');
  if (!Number.isSafeInteger(kk)) throw new RangeError(`${op}: expected k to be an integer, got ${show(k)}`);
  return { k: kk, n: trials(op, n), q: probability(op, 'q', q) };
}

interface Tail {
  readonly log: number;
  readonly complement: boolean;
}
const NONE: Tail = { log: -Infinity, complement: false }, ALL: Tail = { log: 0, complement: false };

/**
 * ln P(X ≤ k) (after validation) from the tail that sums accurately: at or below the mean the lower
 * tail itself; above it ln P(X > k), the smaller tail (≤ 1/2), flagged `complement` so that the caller
 * forms P(X ≤ k) = 1 − P(X > k) in whichever of linear or log space it answers in.
 */
function lowerTail(k: number, n: number, q: number): Tail {
  if (k < 0) return NONE;
  if (k >= n || q === 0) return ALL;
  if (q === 1) return NONE;
  if (k <= n * q) return { log: logTailSum(k, n, q, false), complement: false };
  return { log: logTailSum(k + 1, n, q, true), complement: true };
}

/** ln P(X ≥ k) (after validation), as lowerTail: complement means the log is ln P(X < k). */
function upperTail(k: number, n: number, q: number): Tail {
  if (k <= 0) return ALL;
  if (k > n || q === 0) return NONE;
  if (q === 1) return ALL;
  if (k >= n * q) return { log: logTailSum(k, n, q, true), complement: false };
  return { log: logTailSum(k - 1, n, q, false), complement: true };
}

const asLog = (t: Tail) => (t.complement ? Math.log1p(-Math.exp(t.log)) : t.log);
const asProbability = (t: Tail) => (t.complement ? 1 - Math.exp(t.log) : Math.exp(t.log));
const logCdf = (k: number, n: number, q: number) => asLog(lowerTail(k, n, q));
const logSf = (k: number, n: number, q: number) => asLog(upperTail(k, n, q));

/**
 * P(X ≤ k) for X ~ Binomial(n, q), the number of successes in n independent trials of probability
 * q; k any integer (k < 0 gives 0, k ≥ n gives 1). Relative error within 2e-15·max(10, |ln P|): about
 * 1e-14 in the bulk, a few 1e-13 in tails near 1e-300 (use binomialLogCdf below that); cost grows like
 * sqrt(n·q(1 − q)).
 */
export function binomialCdf(k: number, n: number, q: number): number {
  const a = binomialArgs('binomialCdf', k, n, q);
  return asProbability(lowerTail(a.k, a.n, a.q));
}

/** P(X ≥ k) for X ~ Binomial(n, q); k any integer (k ≤ 0 gives 1, k > n gives 0). As binomialCdf. */
export function binomialSf(k: number, n: number, q: number): number {
  const a = binomialArgs('binomialSf', k, n, q);
  return asProbability(upperTail(a.k, a.n, a.q));
}

/** ln P(X ≤ k), finite even where P(X ≤ k) underflows (−Infinity where it is 0). */
export function binomialLogCdf(k: number, n: number, q: number): number {
  const a = binomialArgs('binomialLogCdf', k, n, q);
  return logCdf(a.k, a.n, a.q);
}

/** ln P(X ≥ k), finite even where P(X ≥ k) underflows (−Infinity where it is 0). */
export function binomialLogSf(k: number, n: number, q: number): number {
  const a = binomialArgs('binomialLogSf', k, n, q);
  return logSf(a.k, a.n, a.q);
}

export interface BinomialAcceptance {
  /** The accepted counts are lo, lo + 1, …, hi. */
  lo: number;
  hi: number;
  /** The false-failure probability of each side: P(X < lo) and P(X > hi), each ≤ α/2. */
  pBelow: number;
  pAbove: number;
}

/**
 * The counts a two-sided exact test accepts when X ~ Binomial(n, q): lo is the largest integer with
 * P(X < lo) ≤ α/2 and hi the smallest with P(X > hi) ≤ α/2, so a correct implementation (n
 * independent trials of probability exactly q) fails with probability P(X < lo) + P(X > hi) ≤ α, and
 * the interval is the narrowest of this form: P(X < lo + 1) > α/2 and P(X > hi − 1) > α/2. Unlike
 * Hoeffding, nothing is lost to a bound: this is the exact distribution. (Comparisons are made in
 * floating point, ~1e-13 relative, so a tail within that of α/2 may land on either side.)
 */
export function binomialAcceptance(n: number, q: number, alpha: number): BinomialAcceptance {
  const op = 'binomialAcceptance';
  trials(op, n);
  probability(op, 'q', q);
  alphaArg(op, alpha);
  return acceptance(n, q, alpha);
}

function acceptance(n: number, q: number, alpha: number): BinomialAcceptance {
  const logHalf = Math.log(alpha) - Math.LN2;
  // lo: the largest l in [0, n] with ln P(X ≤ l − 1) ≤ ln(α/2); l = 0 always qualifies
  let a = 0, b = n + 1; // a qualifies, b does not (or is past the end)
  while (b - a > 1) {
    const m = a + Math.floor((b - a) / 2);
    if (logCdf(m - 1, n, q) <= logHalf) a = m;
    else b = m;
  }
  const lo = a;
  // hi: the smallest h in [0, n] with ln P(X ≥ h + 1) ≤ ln(α/2); h = n always qualifies
  a = -1;
  b = n; // b qualifies, a does not (or is before the start)
  while (b - a > 1) {
    const m = a + Math.floor((b - a) / 2);
    if (logSf(m + 1, n, q) <= logHalf) b = m;
    else a = m;
  }
  const hi = b;
  return { lo, hi, pBelow: Math.exp(logCdf(lo - 1, n, q)), pAbove: Math.exp(logSf(hi + 1, n, q)) };
}

export interface BinomialTestResult {
  /** Whether lo ≤ k ≤ hi. */
  ok: boolean;
  lo: number;
  hi: number;
  /** P(X ≤ k) and P(X ≥ k): how extreme the observed count is on each side. */
  pLow: number;
  pHigh: number;
  /** One readable line. */
  message: string;
}

/**
 * The exact two-sided test of an observed count k of successes in n independent trials against
 * success probability q: passes when k is in binomialAcceptance(n, q, alpha), so a correct
 * implementation fails with probability ≤ alpha.
 */
export function binomialTest(k: number, n: number, q: number, alpha: number): BinomialTestResult {
  const op = 'binomialTest';
  trials(op, n);
  const kk = num(op, 'k', k, 'an integer count in [0, n]');
  if (!Number.isSafeInteger(kk) || kk < 0 || kk > n) throw new RangeError(`${op}: expected k to be an integer count in [0, n] = [0, ${n}], got ${show(k)}`);
  probability(op, 'q', q);
  alphaArg(op, alpha);
  const { lo, hi } = acceptance(n, q, alpha);
  const ok = lo <= k && k <= hi;
  const pLow = Math.exp(logCdf(k, n, q));
  const pHigh = Math.exp(logSf(k, n, q));
  const message = `${k} successes in ${n} trials ${ok ? 'is' : 'is not'} in [${lo}, ${hi}], the counts accepted for q = ${q} at α = ${alpha} (P(X ≤ ${k}) = ${pLow.toExponential(3)}, P(X ≥ ${k}) = ${pHigh.toExponential(3)})`;
  return { ok, lo, hi, pLow, pHigh, message };
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
  if (typeof cdf !== 'function') throw new TypeError(`${op}: expected cdf to be a function, got ${show(cdf)}`);
  const n = s.length;
  let d = 0, prev = 0;
  for (let i = 0; i < n; i++) {
    const F = cdf(s[i]);
    if (typeof F !== 'number' || !(F >= 0 && F <= 1)) throw new RangeError(`${op}: expected cdf(${s[i]}) to be a probability in [0, 1], got ${show(F)}`);
    if (F < prev) throw new RangeError(`${op}: expected cdf to be non-decreasing, but cdf(${s[i]}) = ${F} < cdf(${s[i - 1]}) = ${prev}`);
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
    if (typeof label !== 'string' || label.length === 0) throw new TypeError(`AlphaBudget.next: expected label to be a non-empty string, got ${show(label)}`);
    if (this.#labels.length >= this.count) {
      throw new RangeError(`AlphaBudget.next: the budget of ${this.total} is spent: all ${this.count} assertions are taken, so "${label}" cannot have one; raise count (or total) instead`);
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
