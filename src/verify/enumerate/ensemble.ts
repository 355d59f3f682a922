// Exact dropout-mask enumeration, the ensemble statistics (re-exported by ../enumerate.ts, the entry
// dropcheck/enumerate): the mean, variance and geometric means of an output over every mask, computed
// on the walk of walk.ts.
//
// Sums over masks (ensembleMean, ensembleStats, …) are compensated (Neumaier), so their rounding
// error does not grow with the 2^n terms: each is within a few ulps of Σ P(r)·|f(r)| of the exact
// weighted sum of the float values f returned.
import { describeValue } from '../../engine/index.ts';
import { type Keep, checkFunction, checkKeep, checkUnits, showMask, walk } from './walk.ts';

// ---------------------------------------------------------------------------------------------
// Compensated sums

/**
 * Neumaier's compensated sum: the error stays within a few ulps of Σ|terms| however many terms are
 * added. Infinities and NaN propagate as in a plain sum.
 */
export class CompensatedSum {
  private sum = 0;
  private carry = 0;

  /** Adds x (times weight, if given). */
  add(x: number, weight = 1): void {
    const v = weight === 1 ? x : x * weight;
    const t = this.sum + v;
    // an infinite or NaN sum is final; compensating it would turn −∞ into NaN
    if (Number.isFinite(t)) this.carry += Math.abs(this.sum) >= Math.abs(v) ? this.sum - t + v : v - t + this.sum;
    this.sum = t;
  }

  get value(): number {
    return this.sum + this.carry;
  }
}

/** A compensated sum of vectors of a fixed length. */
export class CompensatedVector {
  private readonly sum: Float64Array;
  private readonly carry: Float64Array;

  constructor(readonly length: number) {
    // 2^28 doubles (2 GiB) per array, the engine's tensor limit: refused before allocating
    if (!Number.isSafeInteger(length) || length < 0 || length > 2 ** 28)
      throw new RangeError(
        `CompensatedVector: expected length to be an integer in [0, 2^28], got ${describeValue(length)}`,
      );
    this.sum = new Float64Array(length);
    this.carry = new Float64Array(length);
  }

  /** Adds weight·x elementwise; x must have `length` elements. */
  add(x: ArrayLike<number>, weight = 1): void {
    if (x.length !== this.length)
      throw new RangeError(`CompensatedVector.add: expected ${this.length} values, got ${x.length}`);
    const s = this.sum,
      c = this.carry;
    for (let i = 0; i < s.length; i++) {
      const v = x[i] * weight;
      const t = s[i] + v;
      if (Number.isFinite(t)) c[i] += Math.abs(s[i]) >= Math.abs(v) ? s[i] - t + v : v - t + s[i];
      s[i] = t;
    }
  }

  /** The sums, as a new array. */
  value(): Float64Array {
    return this.sum.map((s, i) => s + this.carry[i]);
  }
}

// ---------------------------------------------------------------------------------------------
// Ensemble statistics

/** What f returned, checked to be a number. */
function scalarOf(v: unknown, mask: Uint8Array, op: string): number {
  if (typeof v !== 'number')
    throw new TypeError(`${op}: expected f to return a number, got ${describeValue(v)} for mask ${showMask(mask)}`);
  return v;
}

/** What f returned, checked to be a Float64Array or array of numbers of the same length as the first. */
function vectorOf(v: unknown, mask: Uint8Array, length: number, op: string): ArrayLike<number> {
  if (!(Array.isArray(v) || v instanceof Float64Array)) {
    throw new TypeError(
      `${op}: expected f to return a Float64Array or an array of numbers, got ${describeValue(v)} for mask ${showMask(mask)}`,
    );
  }
  if (length >= 0 && v.length !== length) {
    throw new RangeError(
      `${op}: expected f to return the same number of values for every mask: ${length} for the first mask, ${v.length} for mask ${showMask(mask)}`,
    );
  }
  return v as ArrayLike<number>;
}

/**
 * The exact ensemble mean Σ_r P(r)·f(r) over all 2^n masks (see forEachMask for n and keep), with a
 * compensated sum. f receives the reused mask (copy it to keep it). Masks of probability 0 carry no
 * weight and f is not called for them, so an infinite or NaN f there does not poison the mean.
 */
export function ensembleMean(n: number, keep: Keep, f: (mask: Uint8Array) => number): number {
  const op = 'ensembleMean';
  checkUnits(n, op);
  const keeps = checkKeep(keep, n, op);
  checkFunction(f, op, 'f');
  const acc = new CompensatedSum();
  walk(n, keeps, (mask, probability) => {
    if (probability !== 0) acc.add(scalarOf(f(mask), mask, op), probability);
  });
  return acc.value;
}

/**
 * The vector form of ensembleMean: Σ_r P(r)·f(r) elementwise, for f returning a Float64Array or an
 * array of numbers of the same length for every mask (it may reuse one array). A new Float64Array.
 */
export function ensembleMeanVector(n: number, keep: Keep, f: (mask: Uint8Array) => ArrayLike<number>): Float64Array {
  const op = 'ensembleMeanVector';
  checkUnits(n, op);
  const keeps = checkKeep(keep, n, op);
  checkFunction(f, op, 'f');
  let acc: CompensatedVector | null = null;
  walk(n, keeps, (mask, probability) => {
    if (probability === 0) return;
    const v = vectorOf(f(mask), mask, acc ? acc.length : -1, op);
    (acc ??= new CompensatedVector(v.length)).add(v, probability);
  });
  // some mask has probability ≥ 2^−n (each unit's likelier state), so f was called and acc exists
  return (acc as unknown as CompensatedVector).value();
}

export interface StatsOptions {
  /** Compute the variance (f is then called twice per mask: once for the mean, once for the deviations). Default true. */
  variance?: boolean;
  /** Compute the geometric means G, G′ and NWGM; f's outputs must then lie in [0, 1]. Default true. */
  geometric?: boolean;
}

export interface EnsembleStats {
  /** E = Σ P(r)·f(r). */
  mean: number;
  /** Σ P(r)·(f(r) − E)²; NaN when not requested. */
  variance: number;
  /** G = Π f(r)^P(r), computed as exp(logG); NaN when not requested. 0 when some f(r) = 0 (P(r) > 0). */
  G: number;
  /** G′ = Π (1 − f(r))^P(r), as exp(logGc); NaN when not requested. 0 when some f(r) = 1 (P(r) > 0). */
  Gc: number;
  /** log G = Σ P(r)·log f(r) and log G′ = Σ P(r)·log(1 − f(r)) (−Infinity for the 0 limits). */
  logG: number;
  logGc: number;
  /**
   * NWGM = G/(G + G′), computed as 1/(1 + exp(log G′ − log G)) so it is right even when G and G′
   * underflow: 0 when G = 0 < G′, 1 when G′ = 0 < G, NaN (undefined) when some output is exactly 0
   * and another exactly 1.
   */
  nwgm: number;
}

/**
 * Mean, variance and geometric means over all 2^n masks of a scalar output f(mask), for E-SIGMOID,
 * E-BOUNDS and M-DEEP. The geometric quantities (Baldi & Sadowski §4, §8) need outputs in [0, 1];
 * G and G′ are computed in log space, so no product over 2^n masks underflows. Masks of probability
 * 0 are skipped. Pass { geometric: false } for outputs outside [0, 1], { variance: false } to call f
 * only once per mask.
 */
export function ensembleStats(
  n: number,
  keep: Keep,
  f: (mask: Uint8Array) => number,
  options: StatsOptions = {},
): EnsembleStats {
  const op = 'ensembleStats';
  checkUnits(n, op);
  const keeps = checkKeep(keep, n, op);
  checkFunction(f, op, 'f');
  if (options === null || typeof options !== 'object')
    throw new TypeError(`${op}: expected options { variance?, geometric? }, got ${describeValue(options)}`);
  for (const k of Object.keys(options)) {
    if (k !== 'variance' && k !== 'geometric')
      throw new TypeError(`${op}: unknown option "${k}"; expected variance, geometric`);
  }
  const { variance = true, geometric = true } = options;
  const mean = new CompensatedSum(),
    logG = new CompensatedSum(),
    logGc = new CompensatedSum();
  walk(n, keeps, (mask, probability) => {
    if (probability === 0) return;
    const v = scalarOf(f(mask), mask, op);
    mean.add(v, probability);
    if (!geometric) return;
    if (!(v >= 0 && v <= 1)) {
      throw new RangeError(
        `${op}: geometric means need outputs in [0, 1], but f returned ${describeValue(v)} for mask ${showMask(mask)} (pass { geometric: false } for mean and variance only)`,
      );
    }
    logG.add(Math.log(v), probability);
    logGc.add(Math.log(1 - v), probability);
  });
  const E = mean.value;
  let V = NaN;
  if (variance) {
    // Second pass, corrected two-pass algorithm: Σ P d² − (Σ P d)², d = f − E, where Σ P d is the
    // rounding error left in E.
    const sq = new CompensatedSum(),
      dev = new CompensatedSum();
    walk(n, keeps, (mask, probability) => {
      if (probability === 0) return;
      const d = scalarOf(f(mask), mask, op) - E;
      sq.add(d * d, probability);
      dev.add(d, probability);
    });
    V = Math.max(0, sq.value - dev.value * dev.value);
  }
  if (!geometric) return { mean: E, variance: V, G: NaN, Gc: NaN, logG: NaN, logGc: NaN, nwgm: NaN };
  const L = logG.value,
    Lc = logGc.value; // finite or −Infinity: the outputs were checked to lie in [0, 1]
  return {
    mean: E,
    variance: V,
    G: Math.exp(L),
    Gc: Math.exp(Lc),
    logG: L,
    logGc: Lc,
    nwgm: 1 / (1 + Math.exp(Lc - L)),
  };
}

export interface GeometricMeanResult {
  /** Per class c: exp(Σ P(r)·log f_c(r)) divided by the sum over classes. */
  renormalized: Float64Array;
  /** Per class c: the geometric mean exp(Σ P(r)·log f_c(r)) before renormalizing. */
  unnormalized: Float64Array;
  /** Σ_c unnormalized_c: at most 1 when each f(r) is a distribution, < 1 unless f is constant (E-SOFTMAX). */
  sum: number;
  /** Per class c: Σ P(r)·log f_c(r), the mask-average log-probability (E-MEANLOG); −Infinity if some f_c(r) = 0. */
  meanLog: Float64Array;
}

/**
 * The renormalized geometric mean of the distributions f(r) over all 2^n masks (E-SOFTMAX): per
 * class c, exp(Σ P(r)·log f_c(r)), renormalized to sum to 1. f returns a Float64Array or an array
 * of numbers in [0, 1] (a distribution over classes), the same length for every mask. The logs are
 * summed with compensation and renormalized after subtracting their maximum, so nothing underflows.
 * A class that is exactly 0 under some mask of positive probability gets 0; if every class does, the
 * renormalized values are NaN.
 */
export function renormalizedGeometricMean(
  n: number,
  keep: Keep,
  f: (mask: Uint8Array) => ArrayLike<number>,
): GeometricMeanResult {
  const op = 'renormalizedGeometricMean';
  checkUnits(n, op);
  const keeps = checkKeep(keep, n, op);
  checkFunction(f, op, 'f');
  let acc: CompensatedVector | null = null;
  let logs = new Float64Array(0);
  walk(n, keeps, (mask, probability) => {
    if (probability === 0) return;
    const v = vectorOf(f(mask), mask, acc ? acc.length : -1, op);
    if (!acc) {
      acc = new CompensatedVector(v.length);
      logs = new Float64Array(v.length);
    }
    for (let c = 0; c < v.length; c++) {
      const x = v[c];
      if (!(x >= 0 && x <= 1))
        throw new RangeError(
          `${op}: expected f to return probabilities in [0, 1], got ${describeValue(x)} for class ${c} under mask ${showMask(mask)}`,
        );
      logs[c] = Math.log(x);
    }
    (acc as CompensatedVector).add(logs, probability);
  });
  // some mask has probability ≥ 2^−n (each unit's likelier state), so f was called and acc exists
  const meanLog = (acc as unknown as CompensatedVector).value(); // finite or −Infinity: the values were checked to lie in [0, 1]
  const unnormalized = meanLog.map(Math.exp);
  const top = meanLog.reduce((m, l) => Math.max(m, l), -Infinity);
  const shifted = meanLog.map((l) => Math.exp(l - top));
  const total = shifted.reduce((s, v) => s + v, 0);
  return {
    renormalized: shifted.map((v) => v / total),
    unnormalized,
    sum: unnormalized.reduce((s, v) => s + v, 0),
    meanLog,
  };
}
