// Reference values for the elementwise ops from mathjs BigNumbers at 50 significant digits: the
// exact value of each double input (toPrecision(100) is its exact decimal expansion to 100 digits,
// more than a double needs for the functions below), the function evaluated in decimal arithmetic
// (decimal.js's own series, not Math.*), and the engine's result judged in units of u = 2^−53
// relative to the exact value. This replaces comparisons of Math.exp with mathjs's exp, which calls
// Math.exp itself.
import { type BigNumber, all, create } from 'mathjs';
import { expect } from 'vitest';

export const M = create(all, { precision: 50 });
/** The exact value of a double as a BigNumber. */
export const big = (x: number): BigNumber => M.bignumber(x.toPrecision(100));
const U = M.bignumber(2).pow(-53);

/** |actual − ref| / |ref| in units of u = 2^−53 (|actual − ref| / u when ref is 0). */
export function errorInU(actual: number, ref: BigNumber): number {
  const diff = big(actual).minus(ref).abs();
  return (ref.isZero() ? diff : diff.div(ref.abs())).div(U).toNumber();
}

/** Every element of `actual` within `k` u (relative) of its BigNumber reference; returns the largest error in u. */
export function expectWithinU(
  actual: ArrayLike<number>,
  refs: readonly BigNumber[],
  k: number,
  what = 'value',
): number {
  expect(actual.length, `${what}: number of elements`).toBe(refs.length);
  let worst = 0;
  for (let i = 0; i < refs.length; i++) {
    const e = errorInU(actual[i], refs[i]);
    worst = Math.max(worst, e);
    if (!(e <= k))
      throw new Error(`${what}[${i}]: ${actual[i]} vs ${refs[i].toPrecision(20)}: ${e.toFixed(2)} u > ${k} u`);
  }
  return worst;
}

/** BigNumber references of the elementwise ops (decimal arithmetic throughout). */
export const REF = {
  exp: (x: number) => big(x).exp(),
  log: (x: number) => big(x).ln(),
  sqrt: (x: number) => big(x).sqrt(),
  tanh: (x: number) => big(x).tanh(),
  sigmoid: (x: number) => M.bignumber(1).div(M.bignumber(1).plus(big(x).neg().exp())),
  pow: (x: number, e: number) => big(x).pow(big(e)),
  /** log Σ exp(x_i). */
  logSumExp: (xs: readonly number[]) => xs.reduce((s, x) => s.plus(big(x).exp()), M.bignumber(0)).ln(),
  /** exp(x_i) / Σ exp(x_j). */
  softmax: (xs: readonly number[]) => {
    const total = xs.reduce((s, x) => s.plus(big(x).exp()), M.bignumber(0));
    return xs.map((x) => big(x).exp().div(total));
  },
};
