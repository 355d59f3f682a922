// What the exact-identity property files share (exact.test.ts, exact-engine.test.ts, exact-gauss.test.ts):
// the default basis of each claim's records, a Fraction as a number, and exact vectors as strings.
import type { Fraction } from '../../src/verify/rational.ts';

const EXACT =
  'exact rational arithmetic (mathjs Fractions), every mask enumerated with its exact probability: the identity’s algebra, which shares no code with the engine.';
/** Each claim's basis, for a record that states none: the recorders' defaults. */
export const EXACT_BASES = {
  'E-LIN': { reference: EXACT, tolerance: 'none: equality of Fractions.' },
  'E-INV': { reference: EXACT, tolerance: 'none: equality of Fractions.' },
  'E-RIDGE': {
    reference: `${EXACT} The closed form and the linear system are built from their definitions.`,
    tolerance: 'none: equality of Fractions.',
  },
  'E-GAUSS': {
    reference: 'the moments of r/keep by enumerating r ∈ {0, 1} in Fractions.',
    tolerance: 'none: equality of Fractions.',
  },
};

/** A Fraction as a number, also when numerator and denominator overflow a double. */
export function approx(f: Fraction): number {
  const n = (f as unknown as { n: bigint }).n,
    d = (f as unknown as { d: bigint }).d,
    s = Number((f as unknown as { s: bigint }).s);
  const shift = BigInt(Math.max(0, d.toString(2).length - 900, n.toString(2).length - 900));
  return (s * Number(n >> shift)) / Number(d >> shift || 1n);
}

/** Exact vectors as readable strings ('1/3'), so failures show both sides. */
export const show = (v: readonly Fraction[]): string[] => v.map((f) => f.toFraction());
