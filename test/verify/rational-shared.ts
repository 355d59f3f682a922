// What the rational arithmetic tests share (rational.test.ts, rational-identities.test.ts): Fractions
// shown as strings, so a failing comparison prints them exactly.
import type { Fraction } from '../../src/verify/rational.ts';

export const show = (v: readonly Fraction[]) => v.map((x) => x.toFraction());
export const showM = (M: readonly Fraction[][]) => M.map(show);
