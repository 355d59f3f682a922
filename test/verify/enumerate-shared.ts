// What the enumeration tests share (enumerate.test.ts, enumerate-ensemble.test.ts): the unit roundoff,
// the underflow slack, and generated values, probabilities and keeps.
import fc from 'fast-check';

export const U = 2 ** -53; // unit roundoff of float64
/**
 * Relative error bounds fail below the normal range: a product P(r)·f(r) that underflows loses up
 * to Number.MIN_VALUE absolutely. Sums over 2^n masks (and n-term reference sums) get this slack.
 */
export const underflow = (n: number) => (2 ** n + n) * Number.MIN_VALUE;

export const value = fc.double({ min: -3, max: 3, noNaN: true });
export const probability = fc.double({ min: 0, max: 1, noNaN: true });
/** Keep probabilities: 1/2, the edges, and anything in [0, 1] (E-LIN must hold for keep ≠ 1/2 too). */
export const keepValue = fc.oneof(
  fc.constant(0.5),
  fc.constantFrom(0, 1, 0.2, 0.8),
  probability.filter((k) => k !== 0.5),
);
