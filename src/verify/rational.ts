// Exact rational arithmetic (mathjs Fractions) for the claims that are identities: E-LIN, E-INV,
// E-RIDGE and E-GAUSS (see CLAIMS.md). Every expectation over dropout masks is computed by
// enumerating all masks with their exact probabilities keep^|r|·(1−keep)^(n−|r|), so both sides of
// each identity are exact rationals and are compared with `equals`, never with a tolerance.
//
// Inputs. Every function accepts Fractions, bigints, strings that mathjs parses as fractions
// ('1/3', '0.25', '0.(3)') and plain numbers. A number is converted to the EXACT value of the double
// it holds: 0.375 becomes 3/8, but 0.1 becomes 3602879701896397/36028797018963968, not 1/10, and 1/3
// (the double) is not the fraction 1/3. So pass Fractions (or strings) for non-dyadic values, and
// numbers only for integers and small-denominator dyadic values (k/2^m), whose conversion is what
// you mean. (mathjs's own fraction(0.1) rounds the double to a nearby simple fraction and sends
// 2^-60 to 0, which is why numbers are not converted with it here.)
//
// Naming: `keep` is the paper's p, the probability of KEEPING a unit; `rate` = 1 − keep.
//
// This module is the entry dropcheck/rational and re-exports its two halves: rational/algebra.ts (the
// input types, conversions and checks, vector and matrix helpers, exact solving) and
// rational/identities.ts (mask probabilities and both sides of E-LIN, E-INV, E-RIDGE and E-GAUSS).
export {
  type Fraction,
  type RationalInput,
  type VectorInput,
  type MatrixInput,
  type Vector,
  type Matrix,
  type Mask,
  SingularSystemError,
  toFraction,
  toVector,
  toMatrix,
  toKeep,
  toMask,
  dot,
  matVec,
  vecAdd,
  vecSub,
  vecScale,
  hadamard,
  matScale,
  transpose,
  matMul,
  gram,
  vecEquals,
  solve,
} from './rational/algebra.ts';
export * from './rational/identities.ts';
