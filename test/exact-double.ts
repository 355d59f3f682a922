// Exact values of doubles for test references: 80-digit mathjs BigNumbers, so that a reference
// computed from the doubles a function received carries no rounding of its own.
import * as math from 'mathjs';

export const M = math.create(math.all, { number: 'BigNumber', precision: 80 });
export type Big = math.BigNumber;
export const big = (x: number | string) => M.bignumber(x) as Big;

/** The exact value of a double as a BigNumber (mathjs would otherwise read 0.3 as the decimal 0.3). */
export function exactBig(x: number): Big {
  if (x === 0) return big(0);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const sign = bits >> 63n ? -1n : 1n;
  const exp = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  const mant = exp === 0 ? frac : frac | (1n << 52n);
  const e2 = (exp === 0 ? 1 : exp) - 1075;
  return M.multiply(big((sign * mant).toString()), M.pow(big(2), big(e2))) as Big;
}
