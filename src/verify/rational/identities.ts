// Exact rational arithmetic, the identities (re-exported by ../rational.ts, the entry dropcheck/rational):
// both sides of E-LIN, E-INV, E-RIDGE and E-GAUSS, every expectation over dropout masks computed by
// enumerating all masks with their exact probabilities keep^|r|·(1−keep)^(n−|r|). Built on algebra.ts.
import { fraction } from 'mathjs';
import {
  type Fraction,
  type Mask,
  type Matrix,
  type MatrixInput,
  type RationalInput,
  type Vector,
  type VectorInput,
  ONE,
  ZERO,
  addK,
  dotK,
  gram,
  hadamardK,
  maskK,
  matVecK,
  scaleK,
  solve,
  subK,
  toKeep,
  toMask,
  toMatrix,
  toVector,
  transposeK,
} from './algebra.ts';

/** Mean and variance of a random variable, exactly. */
export interface Moments {
  mean: Fraction;
  variance: Fraction;
}

/** exactLinearEnsemble enumerates 2^n masks; n is at most this. */
export const MAX_ENSEMBLE_INPUTS = 12;
/** expectedDropoutLoss enumerates 2^(n·d) masks; n·d is at most this. */
export const MAX_RIDGE_MASK_BITS = 14;

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
