// Student-t statistics for a handful of paired values (experiment seeds): the 97.5% quantile, the
// two-sided 95% interval of a mean, and the power of the one-sided decision "the interval lies above
// 0" (noncentral t, by quadrature), with the normal distribution function it needs.

import { describeValue } from '../engine/index.ts';

/** A non-empty array of finite numbers, or an error naming the function and what came. */
function values(v: unknown, op: string): readonly number[] {
  if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'number' && Number.isFinite(x)))
    throw new TypeError(`${op}: expected a non-empty array of finite numbers, got ${describeValue(v)}`);
  return v;
}
const num = (v: unknown, op: string, name: string): number => {
  if (typeof v !== 'number' || Number.isNaN(v))
    throw new TypeError(`${op}: expected ${name} to be a number, got ${describeValue(v)}`);
  return v;
};

const T975 = [
  NaN,
  12.706,
  4.303,
  3.182,
  2.776,
  2.571,
  2.447,
  2.365,
  2.306,
  2.262,
  2.228,
  2.201,
  2.179,
  2.16,
  2.145,
  2.131,
  2.12,
  2.11,
  2.101,
  2.093,
  2.086,
  2.08,
  2.074,
  2.069,
  2.064,
  2.06,
  2.056,
  2.052,
  2.048,
  2.045,
  2.042,
];
/** The 97.5% quantile of Student's t with df degrees of freedom (table to 30, then a 1/df expansion). */
export const t975 = (df: number): number => {
  num(df, 't975', 'df');
  if (!Number.isInteger(df)) throw new RangeError(`t975: expected df to be an integer, got ${describeValue(df)}`);
  return df < 1 ? Infinity : df <= 30 ? T975[df] : 1.96 + 2.4 / df;
};

export interface TInterval {
  n: number;
  mean: number;
  sd: number;
  lo: number;
  hi: number;
}

/** The mean of the values (a non-empty array of finite numbers). */
export const sampleMean = (v: readonly number[]): number =>
  values(v, 'sampleMean').reduce((s, x) => s + x, 0) / v.length;
/** The sample standard deviation (n − 1 in the denominator; NaN for fewer than two values). */
export function sampleSd(v: readonly number[]): number {
  if (values(v, 'sampleSd').length < 2) return NaN;
  const m = sampleMean(v);
  return Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1));
}

/** mean ± t(0.975, n−1)·sd/√n. With one value the interval is unbounded. */
export function tInterval(v: readonly number[]): TInterval {
  values(v, 'tInterval');
  const m = sampleMean(v),
    s = sampleSd(v),
    n = v.length;
  const half = n < 2 ? Infinity : t975(n - 1) * (s / Math.sqrt(n));
  return { n, mean: m, sd: s, lo: m - half, hi: m + half };
}

/** Φ(x), the standard normal distribution function (erfc by Numerical Recipes' Chebyshev fit, relative error < 1.2e-7). */
export function normalCdf(x: number): number {
  num(x, 'normalCdf', 'x');
  const z = Math.abs(x) / Math.SQRT2,
    t = 1 / (1 + 0.5 * z);
  const erfc =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/**
 * Power of a 'positive' part: the probability that the 95% t interval of n paired values lies above
 * 0 when their true mean is delta and their sd sigma, i.e. P(T > t975(n−1)) for T noncentral t with
 * n−1 degrees of freedom and noncentrality delta·√n/sigma, by quadrature over the chi-square of the
 * sample variance.
 */
export function powerPositive(delta: number, sigma: number, n: number): number {
  for (const [name, v] of [
    ['delta', delta],
    ['sigma', sigma],
    ['n', n],
  ] as const)
    if (!Number.isFinite(num(v, 'powerPositive', name)))
      throw new RangeError(`powerPositive: expected ${name} to be finite, got ${describeValue(v)}`);
  if (!(n >= 2) || !(sigma > 0)) return NaN;
  const df = n - 1,
    c = t975(df),
    ncp = (delta * Math.sqrt(n)) / sigma;
  // chi-square(df) density, by log-gamma (Stirling series after shifting the argument above 10)
  const lgamma = (x: number): number =>
    x < 10
      ? lgamma(x + 1) - Math.log(x)
      : (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x ** 3);
  const logNorm = -(df / 2) * Math.log(2) - lgamma(df / 2);
  const hi = df + 12 * Math.sqrt(2 * df) + 40,
    steps = 20000,
    h = hi / steps;
  let total = 0;
  for (let i = 1; i <= steps; i++) {
    const v = (i - 0.5) * h; // midpoint rule: the density is unbounded at 0 for df = 1
    total += Math.exp(logNorm + (df / 2 - 1) * Math.log(v) - v / 2) * (1 - normalCdf(c * Math.sqrt(v / df) - ncp)) * h;
  }
  return total;
}
