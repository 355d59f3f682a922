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
import { type Fraction, fraction, isFraction as isMathFraction } from 'mathjs';
import { describeValue } from '../engine/index.ts';

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

/** Mean and variance of a random variable, exactly. */
export interface Moments {
  mean: Fraction;
  variance: Fraction;
}

/** exactLinearEnsemble enumerates 2^n masks; n is at most this. */
export const MAX_ENSEMBLE_INPUTS = 12;
/** expectedDropoutLoss enumerates 2^(n·d) masks; n·d is at most this. */
export const MAX_RIDGE_MASK_BITS = 14;

// mathjs's test reads x.constructor, which an object without a prototype lacks
const isFraction = (x: unknown): boolean =>
  x !== null && typeof x === 'object' && Object.getPrototypeOf(x) !== null && isMathFraction(x);

const ZERO = fraction(0);
const ONE = fraction(1);

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

const dotK = (a: Vector, b: Vector): Fraction => a.reduce((s, x, i) => s.add(x.mul(b[i])), ZERO);
const matVecK = (A: Matrix, x: Vector): Vector => A.map((row) => dotK(row, x));
const addK = (a: Vector, b: Vector): Vector => a.map((x, i) => x.add(b[i]));
const subK = (a: Vector, b: Vector): Vector => a.map((x, i) => x.sub(b[i]));
const scaleK = (s: Fraction, a: Vector): Vector => a.map((x) => s.mul(x));
const hadamardK = (a: Vector, b: Vector): Vector => a.map((x, i) => x.mul(b[i]));
const transposeK = (A: Matrix): Matrix => A[0].map((_, j) => A.map((row) => row[j]));
const maskK = (mask: readonly number[]): Vector => mask.map((r) => (r === 1 ? ONE : ZERO));

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

// ---------------------------------------------------------------------------------------------
// Masks

/** keep^k·(1 − keep)^(n − k) for k = 0..n: the probability of one particular mask with k ones. */
function maskProbabilities(keep: Fraction, n: number): Fraction[] {
  const drop = ONE.sub(keep);
  const keepPow = [ONE];
  const dropPow = [ONE];
  for (let k = 1; k <= n; k++) {
    keepPow.push(keepPow[k - 1].mul(keep));
    dropPow.push(dropPow[k - 1].mul(drop));
  }
  return keepPow.map((kp, k) => kp.mul(dropPow[n - k]));
}

/** Calls visit(mask, probability) for each of the 2^n masks, mask i having bit j = (i >> j) & 1. */
function forEachMask(n: number, keep: Fraction, visit: (mask: number[], probability: Fraction) => void): void {
  const prob = maskProbabilities(keep, n);
  for (let i = 0; i < 2 ** n; i++) {
    const mask = Array.from({ length: n }, (_, j) => (i >> j) & 1);
    visit(mask, prob[mask.reduce((a, r) => a + r, 0)]);
  }
}

/** P(r) = keep^|r|·(1 − keep)^(n − |r|) for one mask r of independent Bernoulli(keep) entries. */
export function maskProbability(mask: Mask, keep: RationalInput): Fraction {
  const k = toKeep(keep, 'maskProbability');
  const r = toMask(mask, Array.isArray(mask) ? mask.length : 0, 'maskProbability');
  return maskProbabilities(k, r.length)[r.reduce((a, x) => a + x, 0)];
}

// ---------------------------------------------------------------------------------------------
// E-LIN and E-INV: one affine layer W y + b, with dropout on its input y

interface Affine {
  W: Matrix;
  b: Vector;
  y: Vector;
}

/** Checks W (out×n), b (out) and y (n). */
function affine(fn: string, W: MatrixInput, b: VectorInput, y: VectorInput): Affine {
  const w = toMatrix(W, fn, 'W');
  return { W: w, b: toVector(b, fn, 'b', w.length), y: toVector(y, fn, 'y', w[0].length) };
}

/**
 * E-LIN, left side: E_r[W(r ⊙ y) + b] over all 2^n masks r, r_j independent Bernoulli(keep), each
 * mask weighted by keep^|r|·(1 − keep)^(n − |r|). n = length of y ≤ MAX_ENSEMBLE_INPUTS.
 */
export function exactLinearEnsemble(W: MatrixInput, b: VectorInput, y: VectorInput, keep: RationalInput): Vector {
  const fn = 'exactLinearEnsemble';
  const a = affine(fn, W, b, y);
  const k = toKeep(keep, fn);
  const n = a.y.length;
  if (n > MAX_ENSEMBLE_INPUTS)
    throw new RangeError(
      `${fn}: expected y to have at most ${MAX_ENSEMBLE_INPUTS} entries (2^n masks are enumerated), got ${n}`,
    );
  let mean = a.b.map(() => ZERO);
  forEachMask(n, k, (mask, prob) => {
    const out = addK(matVecK(a.W, hadamardK(maskK(mask), a.y)), a.b);
    mean = addK(mean, scaleK(prob, out));
  });
  return mean;
}

/** E-LIN, right side: the weight-scaled network W(keep·y) + b. */
export function weightScaled(W: MatrixInput, b: VectorInput, y: VectorInput, keep: RationalInput): Vector {
  const a = affine('weightScaled', W, b, y);
  return addK(matVecK(a.W, scaleK(toKeep(keep, 'weightScaled'), a.y)), a.b);
}

/** E-INV, the paper's convention in training: W(r ⊙ y) + b. */
export function paperOutput(W: MatrixInput, b: VectorInput, y: VectorInput, mask: Mask): Vector {
  const a = affine('paperOutput', W, b, y);
  const r = maskK(toMask(mask, a.y.length, 'paperOutput'));
  return addK(matVecK(a.W, hadamardK(r, a.y)), a.b);
}

/** E-INV, inverted dropout in training with weights keep·W: (keep·W)(r ⊙ y / keep) + b. */
export function invertedOutput(
  W: MatrixInput,
  b: VectorInput,
  y: VectorInput,
  keep: RationalInput,
  mask: Mask,
): Vector {
  const a = affine('invertedOutput', W, b, y);
  const k = toKeep(keep, 'invertedOutput');
  const r = maskK(toMask(mask, a.y.length, 'invertedOutput'));
  const scaledW = a.W.map((row) => scaleK(k, row));
  return addK(matVecK(scaledW, scaleK(ONE.div(k), hadamardK(r, a.y))), a.b);
}

/** E-INV, the paper's convention at inference: W(keep·y) + b (the weight-scaled network). */
export function paperInference(W: MatrixInput, b: VectorInput, y: VectorInput, keep: RationalInput): Vector {
  return weightScaled(W, b, y, keep);
}

/** E-INV, inverted dropout at inference (the identity on y) with weights keep·W: (keep·W)y + b. */
export function invertedInference(W: MatrixInput, b: VectorInput, y: VectorInput, keep: RationalInput): Vector {
  const a = affine('invertedInference', W, b, y);
  const k = toKeep(keep, 'invertedInference');
  return addK(
    matVecK(
      a.W.map((row) => scaleK(k, row)),
      a.y,
    ),
    a.b,
  );
}

// ---------------------------------------------------------------------------------------------
// E-RIDGE: linear regression with dropout on every input element

interface Regression {
  X: Matrix;
  y: Vector;
  keep: Fraction;
}

/** Checks X (n×d), y (n) and keep. */
function regression(fn: string, X: MatrixInput, y: VectorInput, keep: RationalInput): Regression {
  const x = toMatrix(X, fn, 'X');
  return { X: x, y: toVector(y, fn, 'y', x.length), keep: toKeep(keep, fn) };
}

/** Γ² = diag(XᵀX): the squared norms of the columns of X, as a vector. */
function gammaSquared(X: Matrix): Vector {
  return transposeK(X).map((col) => dotK(col, col));
}

/**
 * E-RIDGE, left side: E_R ‖y − (R ∗ X)w‖² over all 2^(n·d) masks R (n×d), R_ij independent
 * Bernoulli(keep), ∗ elementwise. n·d ≤ MAX_RIDGE_MASK_BITS.
 */
export function expectedDropoutLoss(X: MatrixInput, y: VectorInput, w: VectorInput, keep: RationalInput): Fraction {
  const fn = 'expectedDropoutLoss';
  const g = regression(fn, X, y, keep);
  const wv = toVector(w, fn, 'w', g.X[0].length);
  const n = g.X.length;
  const d = wv.length;
  if (n * d > MAX_RIDGE_MASK_BITS)
    throw new RangeError(
      `${fn}: expected X to have at most ${MAX_RIDGE_MASK_BITS} entries (2^(n·d) masks are enumerated), got ${n}×${d} = ${n * d}`,
    );
  let loss = ZERO;
  forEachMask(n * d, g.keep, (mask, prob) => {
    const RX = g.X.map((row, i) => row.map((x, j) => (mask[i * d + j] === 1 ? x : ZERO)));
    const residual = subK(g.y, matVecK(RX, wv));
    loss = loss.add(prob.mul(dotK(residual, residual)));
  });
  return loss;
}

/** E-RIDGE, right side: ‖y − keep·Xw‖² + keep(1 − keep)‖Γw‖², with ‖Γw‖² = Σ_j (XᵀX)_jj w_j². */
export function ridgeClosedForm(X: MatrixInput, y: VectorInput, w: VectorInput, keep: RationalInput): Fraction {
  const g = regression('ridgeClosedForm', X, y, keep);
  const wv = toVector(w, 'ridgeClosedForm', 'w', g.X[0].length);
  const residual = subK(g.y, scaleK(g.keep, matVecK(g.X, wv)));
  const penalty = dotK(gammaSquared(g.X), hadamardK(wv, wv));
  return dotK(residual, residual).add(g.keep.mul(ONE.sub(g.keep)).mul(penalty));
}

/**
 * The exact gradient of ridgeClosedForm in w: −2·keep·Xᵀ(y − keep·Xw) + 2·keep(1 − keep)·Γ²w.
 * (The closed form is quadratic in w, so L(w + v) − L(w − v) = 2⟨∇L(w), v⟩ exactly.)
 */
export function ridgeClosedFormGradient(X: MatrixInput, y: VectorInput, w: VectorInput, keep: RationalInput): Vector {
  const g = regression('ridgeClosedFormGradient', X, y, keep);
  const wv = toVector(w, 'ridgeClosedFormGradient', 'w', g.X[0].length);
  const residual = subK(g.y, scaleK(g.keep, matVecK(g.X, wv)));
  const fit = scaleK(fraction(-2).mul(g.keep), matVecK(transposeK(g.X), residual));
  const penalty = scaleK(fraction(2).mul(g.keep).mul(ONE.sub(g.keep)), hadamardK(gammaSquared(g.X), wv));
  return addK(fit, penalty);
}

/** The linear system of E-RIDGE's minimizer: A = keep·XᵀX + (1 − keep)·Γ², rhs = Xᵀy. */
export function ridgeSystem(X: MatrixInput, y: VectorInput, keep: RationalInput): { A: Matrix; rhs: Vector } {
  return buildRidgeSystem('ridgeSystem', X, y, keep);
}

function buildRidgeSystem(fn: string, X: MatrixInput, y: VectorInput, keep: RationalInput): { A: Matrix; rhs: Vector } {
  const g = regression(fn, X, y, keep);
  const G = gram(g.X);
  const rate = ONE.sub(g.keep);
  const A = G.map((row, i) => row.map((v, j) => (i === j ? g.keep.mul(v).add(rate.mul(v)) : g.keep.mul(v))));
  return { A, rhs: matVecK(transposeK(g.X), g.y) };
}

/**
 * E-RIDGE's minimizer: the w solving (keep·XᵀX + (1 − keep)·Γ²)w = Xᵀy, exactly. The matrix is
 * invertible whenever keep < 1 and no column of X is zero, or keep = 1 and X has full column rank;
 * otherwise this throws SingularSystemError.
 */
export function ridgeMinimizer(X: MatrixInput, y: VectorInput, keep: RationalInput): Vector {
  const { A, rhs } = buildRidgeSystem('ridgeMinimizer', X, y, keep);
  return solve(A, rhs);
}

// ---------------------------------------------------------------------------------------------
// E-GAUSS: Gaussian multiplicative noise against inverted Bernoulli noise

/** Mean and variance of r/keep, r ~ Bernoulli(keep), by enumerating r ∈ {0, 1} exactly. */
export function bernoulliInvertedMoments(keep: RationalInput): Moments {
  const k = toKeep(keep, 'bernoulliInvertedMoments');
  const outcomes = [
    { value: ZERO, prob: ONE.sub(k) }, // r = 0
    { value: ONE.div(k), prob: k }, // r = 1, scaled by 1/keep
  ];
  const mean = outcomes.reduce((s, o) => s.add(o.prob.mul(o.value)), ZERO);
  const variance = outcomes.reduce((s, o) => s.add(o.prob.mul(o.value.sub(mean).pow(2))), ZERO);
  return { mean, variance };
}

/** Mean and variance of the Gaussian noise N(1, σ²) with σ² = (1 − keep)/keep. */
export function gaussianMoments(keep: RationalInput): Moments {
  const k = toKeep(keep, 'gaussianMoments');
  return { mean: ONE, variance: ONE.sub(k).div(k) };
}
