// Exact binomial tails and the tests built on them, for X ~ Binomial(n, q): P(X ≤ k), P(X ≥ k) and
// their logs, the acceptance interval of a two-sided exact test, and the test. stats.ts re-exports it.
//
// ln P(X = j) by Loader's saddle-point expansion ("Fast and accurate computation of binomial
// probabilities", 2000; R's dbinom): the large terms ln n!, j·ln q, … are never formed, so the log
// has an absolute error of a few ulps of its own size even at n = 1e7. Tails are sums of terms from
// k outward, away from the mode, where the terms shrink geometrically; each term is the previous one
// times the exact ratio, resynchronised with the saddle-point formula every 64 terms, and the sum
// stops when a geometric bound on the rest is below 2^-60 of it. Everything is relative to the
// first term, so log tails far below the smallest double (e.g. ln P = −5000) are exact too.

import { describeValue } from '../engine/index.ts';
import { alphaArg, int, num, probability } from './arguments.ts';

/** ln(k!) − ln(sqrt(2πk)·(k/e)^k) for k = 0..15 (k = 0: 0, unused). */
const STIRLERR = [
  0, 0.08106146679532726, 0.0413406959554093, 0.02767792568499834, 0.020790672103765093, 0.016644691189821193,
  0.013876128823070748, 0.01189670994589177, 0.010411265261972096, 0.009255462182712733, 0.00833056343336287,
  0.007573675487951841, 0.00694284010720953, 0.006408994188004207, 0.0059513701127588475, 0.005554733551962801,
];

/** The error of Stirling's formula for ln(k!), k a positive integer. */
function stirlerr(k: number): number {
  if (k <= 15) return STIRLERR[k];
  // five terms of the Stirling series: the first term left out is 1.1e-16 at k = 16 and smaller beyond;
  // fewer terms at larger k, as R's dbinom takes, would only save a few flops
  const S0 = 1 / 12,
    S1 = 1 / 360,
    S2 = 1 / 1260,
    S3 = 1 / 1680,
    S4 = 1 / 1188;
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
  let sum = 1,
    comp = 0,
    term = 1; // compensated sum of P(X = j)/P(X = k); every term is ≤ 1 ≤ sum
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
  if (x > MAX_TRIALS)
    throw new RangeError(
      `${op}: expected n (the number of trials) to be at most 2^40, got ${describeValue(n)}: the exact tail sums cost about sqrt(n) steps`,
    );
  return x;
}

function binomialArgs(op: string, k: unknown, n: unknown, q: unknown) {
  const kk = num(op, 'k', k, 'an integer');
  if (!Number.isSafeInteger(kk)) throw new RangeError(`${op}: expected k to be an integer, got ${describeValue(k)}`);
  return { k: kk, n: trials(op, n), q: probability(op, 'q', q) };
}

interface Tail {
  readonly log: number;
  readonly complement: boolean;
}
const NONE: Tail = { log: -Infinity, complement: false },
  ALL: Tail = { log: 0, complement: false };

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
  let a = 0,
    b = n + 1; // a qualifies, b does not (or is past the end)
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
  if (!Number.isSafeInteger(kk) || kk < 0 || kk > n)
    throw new RangeError(`${op}: expected k to be an integer count in [0, n] = [0, ${n}], got ${describeValue(k)}`);
  probability(op, 'q', q);
  alphaArg(op, alpha);
  const { lo, hi } = acceptance(n, q, alpha);
  const ok = lo <= k && k <= hi;
  const pLow = Math.exp(logCdf(k, n, q));
  const pHigh = Math.exp(logSf(k, n, q));
  const message = `${k} successes in ${n} trials ${ok ? 'is' : 'is not'} in [${lo}, ${hi}], the counts accepted for q = ${q} at α = ${alpha} (P(X ≤ ${k}) = ${pLow.toExponential(3)}, P(X ≥ ${k}) = ${pHigh.toExponential(3)})`;
  return { ok, lo, hi, pLow, pHigh, message };
}
