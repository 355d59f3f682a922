// Exact rational arithmetic, the algebra (re-exported by ../rational.ts, the entry dropcheck/rational):
// the input types, conversions and checks (a number becomes the exact value of its double; see
// ../rational.ts), the unchecked kernels that identities.ts builds on, the vector and matrix helpers,
// and exact solving.
import { type Fraction, fraction, isFraction as isMathFraction } from 'mathjs';
import { describeValue } from '../../engine/index.ts';

export type { Fraction };

/** What the functions accept for one rational number (see the header for how numbers convert). */
export type RationalInput = Fraction | number | bigint | string;
export type VectorInput = readonly RationalInput[];
/** A matrix as an array of rows. */
export type MatrixInput = readonly VectorInput[];
export type Vector = Fraction[];
/** A matrix as an array of rows. */
export type Matrix = Fraction[][];
/** A dropout mask: 1 keeps the unit, 0 drops it. */
export type Mask = readonly number[];

// mathjs's test reads x.constructor, which an object without a prototype lacks
const isFraction = (x: unknown): boolean =>
  x !== null && typeof x === 'object' && Object.getPrototypeOf(x) !== null && isMathFraction(x);

export const ZERO = fraction(0);
export const ONE = fraction(1);

/** Thrown by `solve` when the matrix has no inverse. */
export class SingularSystemError extends Error {
  constructor(fn: string, column: number, size: number) {
    super(
      `${fn}: expected an invertible ${size}×${size} matrix, got a singular one (no nonzero pivot in column ${column} after eliminating the columns before it)`,
    );
    this.name = 'SingularSystemError';
  }
}

// ---------------------------------------------------------------------------------------------
// Conversions and checks

/** describeValue, with fractions written exactly and strings in single quotes (as mathjs parses them). */
function describeRational(x: unknown): string {
  if (typeof x === 'string') return `'${x}'`;
  if (typeof x === 'bigint') return `${x}n`;
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (isFraction(x)) return (x as Fraction).toFraction();
  return x !== null && typeof x === 'object' ? describeValue(x) : String(x); // String() fails on an object without a prototype
}

/** The exact value of a finite double as a Fraction (its binary expansion, no rounding). */
function exactFromNumber(x: number): Fraction {
  let m = x;
  let e = 0n;
  // a non-integer double has |m| < 2^52, so doubling is exact; at most 1074 steps (subnormals)
  while (!Number.isInteger(m)) {
    m *= 2;
    e += 1n;
  }
  return fraction(BigInt(m), 2n ** e);
}

/**
 * Converts one value to a Fraction exactly: Fractions pass through, bigints and strings go through
 * mathjs, numbers become the exact value of the double (they must be finite). `fn` and `arg` name
 * the caller and the argument in the error.
 */
export function toFraction(x: RationalInput, fn = 'toFraction', arg = 'x'): Fraction {
  if (isFraction(x)) return x as Fraction;
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) throw new RangeError(`${fn}: expected ${arg} to be a finite number, got ${x}`);
    return exactFromNumber(x);
  }
  if (typeof x === 'bigint') return fraction(x);
  if (typeof x === 'string') {
    try {
      return fraction(x);
    } catch {
      throw new RangeError(
        `${fn}: expected ${arg} to be a fraction string such as '1/3' or '0.25', got ${describeRational(x)}`,
      );
    }
  }
  throw new TypeError(
    `${fn}: expected ${arg} to be a Fraction, number, bigint or string, got ${x === null ? 'null' : typeof x}`,
  );
}

/** Converts a vector; with `length`, also checks it. */
export function toVector(v: VectorInput, fn = 'toVector', arg = 'v', length?: number): Vector {
  if (!Array.isArray(v))
    throw new TypeError(`${fn}: expected ${arg} to be an array of rationals, got ${v === null ? 'null' : typeof v}`);
  if (length !== undefined && v.length !== length)
    throw new RangeError(`${fn}: expected ${arg} to have length ${length}, got length ${v.length}`);
  return v.map((x, i) => toFraction(x, fn, `${arg}[${i}]`));
}

/**
 * Converts a matrix given as rows: at least one row, at least one column, all rows the same
 * length; with `rows`/`cols`, also checks those.
 */
export function toMatrix(M: MatrixInput, fn = 'toMatrix', arg = 'M', rows?: number, cols?: number): Matrix {
  if (!Array.isArray(M) || M.some((row) => !Array.isArray(row))) {
    throw new TypeError(
      `${fn}: expected ${arg} to be an array of rows (arrays of rationals), got ${describeRational(M)}`,
    );
  }
  if (M.length === 0 || M[0].length === 0)
    throw new RangeError(`${fn}: expected ${arg} to have at least one row and one column, got ${M.length} rows`);
  const c = M[0].length;
  M.forEach((row, i) => {
    if (row.length !== c)
      throw new RangeError(
        `${fn}: expected every row of ${arg} to have ${c} entries (as row 0), got ${row.length} in row ${i}`,
      );
  });
  if (rows !== undefined && M.length !== rows)
    throw new RangeError(`${fn}: expected ${arg} to have ${rows} rows, got ${M.length}`);
  if (cols !== undefined && c !== cols)
    throw new RangeError(`${fn}: expected ${arg} to have ${cols} columns, got ${c}`);
  return M.map((row, i) => toVector(row, fn, `${arg}[${i}]`));
}

/** Converts and checks a keep probability: 0 < keep ≤ 1. */
export function toKeep(keep: RationalInput, fn = 'toKeep'): Fraction {
  const k = toFraction(keep, fn, 'keep');
  if (k.compare(ZERO) <= 0 || k.compare(ONE) > 0) {
    throw new RangeError(`${fn}: expected keep (the keep probability, 1 − rate) in (0, 1], got ${k.toFraction()}`);
  }
  return k;
}

/** Checks a mask of n entries, each 0 or 1. */
export function toMask(mask: Mask, n: number, fn = 'toMask', arg = 'mask'): number[] {
  if (!Array.isArray(mask))
    throw new TypeError(
      `${fn}: expected ${arg} to be an array of 0s and 1s, got ${mask === null ? 'null' : typeof mask}`,
    );
  if (mask.length !== n) throw new RangeError(`${fn}: expected ${arg} to have length ${n}, got length ${mask.length}`);
  mask.forEach((r, i) => {
    if (r !== 0 && r !== 1)
      throw new RangeError(`${fn}: expected ${arg}[${i}] to be 0 or 1, got ${describeRational(r)}`);
  });
  return [...mask];
}

// ---------------------------------------------------------------------------------------------
// Unchecked kernels (inputs already converted, shapes already agree)

export const dotK = (a: Vector, b: Vector): Fraction => a.reduce((s, x, i) => s.add(x.mul(b[i])), ZERO);
export const matVecK = (A: Matrix, x: Vector): Vector => A.map((row) => dotK(row, x));
export const addK = (a: Vector, b: Vector): Vector => a.map((x, i) => x.add(b[i]));
export const subK = (a: Vector, b: Vector): Vector => a.map((x, i) => x.sub(b[i]));
export const scaleK = (s: Fraction, a: Vector): Vector => a.map((x) => s.mul(x));
export const hadamardK = (a: Vector, b: Vector): Vector => a.map((x, i) => x.mul(b[i]));
export const transposeK = (A: Matrix): Matrix => A[0].map((_, j) => A.map((row) => row[j]));
export const maskK = (mask: readonly number[]): Vector => mask.map((r) => (r === 1 ? ONE : ZERO));

// ---------------------------------------------------------------------------------------------
// Vector and matrix helpers

/** ⟨a, b⟩. */
export function dot(a: VectorInput, b: VectorInput): Fraction {
  const x = toVector(a, 'dot', 'a');
  return dotK(x, toVector(b, 'dot', 'b', x.length));
}

/** A·x for A (m×n) and x (n). */
export function matVec(A: MatrixInput, x: VectorInput): Vector {
  const M = toMatrix(A, 'matVec', 'A');
  return matVecK(M, toVector(x, 'matVec', 'x', M[0].length));
}

/** a + b. */
export function vecAdd(a: VectorInput, b: VectorInput): Vector {
  const x = toVector(a, 'vecAdd', 'a');
  return addK(x, toVector(b, 'vecAdd', 'b', x.length));
}

/** a − b. */
export function vecSub(a: VectorInput, b: VectorInput): Vector {
  const x = toVector(a, 'vecSub', 'a');
  return subK(x, toVector(b, 'vecSub', 'b', x.length));
}

/** s·a. */
export function vecScale(s: RationalInput, a: VectorInput): Vector {
  return scaleK(toFraction(s, 'vecScale', 's'), toVector(a, 'vecScale', 'a'));
}

/** a ⊙ b (elementwise product; with a mask, r ⊙ y). */
export function hadamard(a: VectorInput, b: VectorInput): Vector {
  const x = toVector(a, 'hadamard', 'a');
  return hadamardK(x, toVector(b, 'hadamard', 'b', x.length));
}

/** s·A. */
export function matScale(s: RationalInput, A: MatrixInput): Matrix {
  const k = toFraction(s, 'matScale', 's');
  return toMatrix(A, 'matScale', 'A').map((row) => scaleK(k, row));
}

/** Aᵀ. */
export function transpose(A: MatrixInput): Matrix {
  return transposeK(toMatrix(A, 'transpose', 'A'));
}

/** A·B for A (m×k) and B (k×n). */
export function matMul(A: MatrixInput, B: MatrixInput): Matrix {
  const a = toMatrix(A, 'matMul', 'A');
  const bT = transposeK(toMatrix(B, 'matMul', 'B', a[0].length));
  return a.map((row) => bT.map((col) => dotK(row, col)));
}

/** XᵀX, the Gram matrix of the columns of X. */
export function gram(X: MatrixInput): Matrix {
  const xT = transposeK(toMatrix(X, 'gram', 'X'));
  return xT.map((ci) => xT.map((cj) => dotK(ci, cj)));
}

/** Whether two vectors are exactly equal (same length, equal entries). */
export function vecEquals(a: VectorInput, b: VectorInput): boolean {
  const x = toVector(a, 'vecEquals', 'a');
  const y = toVector(b, 'vecEquals', 'b');
  return x.length === y.length && x.every((v, i) => v.equals(y[i]));
}

/**
 * Solves A x = b exactly by Gaussian elimination (first nonzero pivot in each column; in exact
 * arithmetic any nonzero pivot is as good as another). A must be square and invertible: a singular
 * A throws SingularSystemError naming the column without a pivot.
 */
export function solve(A: MatrixInput, b: VectorInput): Vector {
  const M = toMatrix(A, 'solve', 'A');
  const n = M.length;
  if (M[0].length !== n) throw new RangeError(`solve: expected A to be square, got ${n}×${M[0].length}`);
  const rhs = toVector(b, 'solve', 'b', n);
  // augmented rows [A | b], copied (Fractions are immutable, the arrays are ours)
  const rows = M.map((row, i) => [...row, rhs[i]]);
  for (let col = 0; col < n; col++) {
    const pivot = rows.findIndex((row, i) => i >= col && !row[col].equals(ZERO));
    if (pivot < 0) throw new SingularSystemError('solve', col, n);
    [rows[col], rows[pivot]] = [rows[pivot], rows[col]];
    const p = rows[col][col];
    for (let i = 0; i < n; i++) {
      if (i === col || rows[i][col].equals(ZERO)) continue;
      const factor = rows[i][col].div(p);
      rows[i] = rows[i].map((v, j) => v.sub(factor.mul(rows[col][j])));
    }
  }
  return rows.map((row, i) => row[n].div(row[i]));
}
