// Exact values of doubles for test references: every finite double is m·2^e with integer m and e, so
// a reference computed from the doubles a function received carries no rounding of its own.
import * as math from 'mathjs';

/** A finite double as m·2^e exactly, m a BigInt (signed), e an integer. */
export function binary(x: number): { m: bigint; e: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const sign = bits >> 63n ? -1n : 1n;
  const exp = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  return exp === 0 ? { m: sign * frac, e: -1074 } : { m: sign * (frac | (1n << 52n)), e: exp - 1075 };
}

export const M = math.create(math.all, { number: 'BigNumber', precision: 80 });
export type Big = math.BigNumber;
export const big = (x: number | string) => M.bignumber(x) as Big;

/** The exact value of a double as an 80-digit BigNumber (mathjs would otherwise read 0.3 as the decimal 0.3). */
export function exactBig(x: number): Big {
  const { m, e } = binary(x);
  return M.multiply(big(m.toString()), M.pow(big(2), big(e))) as Big;
}
