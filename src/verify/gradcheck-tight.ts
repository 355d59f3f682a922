// The tight check: derivatives held to what float64 can resolve, for verifying claims (G-FD, G-ADJ)
// rather than for users' everyday checks (checkGrad's PyTorch-compatible tolerances stay above).
//
// Numeric derivative. Per input element, f is evaluated at x ± a·e_j for a = h/2, h, 2h (six
// evaluations, h a power of two). With Δ_a = f(x + a) − f(x − a), the fourth-order stencil
// D4(h) = (8Δ_h − Δ_2h)/(12h) has error −f⁽⁵⁾h⁴/30 + O(h⁶); one Richardson step
//   R = (16·D4(h/2) − D4(h))/15 = (256·Δ_{h/2} − 40·Δ_h + Δ_2h)/(180h)
// leaves O(h⁶). Its tolerance is, per entry (output o, element j):
//   truncation  t = |D4(h) − D4(h/2)|/15, the estimated error of D4(h/2); R's own error is smaller by
//               a factor of order h² (it also absorbs the rounding noise of the six values);
//   rounding    r = (594/180h)·(γ·(u·S_o + η) + |R|·u·(|x_j| + 2h)) + 8u|R|, u = 2^−53: the six values
//               enter with |coefficients| summing to 3.3/h; each f_o is taken to be within γ·(u·S_o + η)
//               of its exact value (η = 2^−1074, the spacing of subnormals, where products underflow),
//               S_o = max|f_o| over every evaluation + max_j |x_j| + Σ_j |R_oj|·|x_j|: the size of
//               the numbers f computes, taken as its outputs, its inputs (log softmax forms x − lse(x),
//               both of the inputs' size, however small the result) and its first-order sensitivity
//               to relative perturbations of the inputs (the scale rounding inside f propagates at); x_j ± a is itself rounded (u·|x_j + a|, moved by R); the
//               final combination adds a few ulps of R.
// The tolerance depends only on f's values, never on the derivative being judged. An entry is
// UNRESOLVED when t exceeds both 64·r and resolution·|R|: f is not smooth at the scale of the step
// (a kink or a jump within 2h, or higher derivatives too large for h) or noisier than the rounding
// model (cancellation inside f). Such a column is recomputed at h/4, h/16, h/64 (a smooth f resolves
// at a finer step, with a larger rounding bound); an entry still unresolved fails the check: nothing
// is excused.
//
// Adjoint (G-ADJ), to rounding. lhs = fl⟨v, ŷ⟩ with ŷ = J u by forward mode, rhs = fl⟨ĝ, u⟩ with
// ĝ = Jᵀ v by reverse mode. Each mode is taken to compute its product over a chain of at most K
// roundings of numbers no larger than the product's terms or the directions themselves:
// |ŷ_o − (J u)_o| ≤ γ_K·(Σ_j |J_oj||u_j| + ‖u‖∞) and |ĝ_j − (Jᵀv)_j| ≤ γ_K·(Σ_o |J_oj||v_o| + ‖v‖∞)
// (γ_k = k·u/(1 − k·u); the ‖·‖∞ terms cover rules that cancel internally, as log softmax's
// t − Σ p·t does). The two inner products add γ_m·Σ|v_o ŷ_o| and γ_n·Σ|ĝ_j u_j| (m outputs, n
// input elements). So, with T = Σ_o Σ_j |v_o|·|J_oj|·|u_j| (J the numeric Jacobian),
//   |lhs − rhs| ≤ γ_K·(2T + ‖v‖₁‖u‖∞ + ‖u‖₁‖v‖∞) + γ_m·Σ_o |v_o ŷ_o| + γ_n·Σ_j |ĝ_j u_j|,
// plus η per product for underflow. Per output, forward mode is also held to the reverse-mode
// Jacobian A: |ŷ_o − Σ_j A_oj u_j| ≤ 2γ_K·(Σ_j |J_oj||u_j| + ‖u‖∞) + γ_n·Σ_j |A_oj u_j|. The model
// fails for functions whose intermediates dwarf both their inputs and outputs (3x − (3 − 1e-7)x):
// there, checkGrad's allowance applies.
//
// Split from gradcheck.ts (which re-exports it); what both checks share is in gradcheck-common.ts.
import { type Key, type Tree, describeValue, flatten, isTensor, key as makeKey, tensor, vjp } from '../engine/index.ts';
import {
  type Fn,
  type Mismatch,
  type Prepared,
  adjointResult,
  directional,
  directions,
  prepare,
  shifted,
} from './gradcheck-common.ts';

/** Unit roundoff of float64. */
const UNIT = 2 ** -53;
const gamma = (k: number) => (k * UNIT) / (1 - k * UNIT);

export interface NumericJacobianOptions {
  /** The stencil's step h (f is evaluated at x_j ± h/2, ± h, ± 2h). Default 2^−12. */
  step?: number;
  /** γ of the rounding model: each f_o within γ·u·S_o of its exact value. Default 32. */
  rounding?: number;
  /** An entry whose truncation estimate exceeds max(64·rounding bound, resolution·|value|) is unresolved. Default 1e-9. */
  resolution?: number;
  /** A column with an unresolved entry is tried again at step/4, step/16, … this many times. Default 3. */
  refinements?: number;
}

export interface NumericJacobian {
  /** Outputs (m) and input elements over every leaf (n); entries row-major, [o·n + j]. */
  m: number;
  n: number;
  values: Float64Array;
  /** Per entry: truncation estimate t + rounding bound r. */
  tolerance: Float64Array;
  truncation: Float64Array;
  rounding: Float64Array;
  /** Entries where f is not smooth at the step's scale (see above), as o·n + j. */
  unresolved: number[];
  /** S_o per output. */
  scale: Float64Array;
  /** The step each column was finally computed with (step, or step/4^k after refinements). */
  steps: Float64Array;
  /** f's value at the inputs (flattened). */
  value: Float64Array;
}

function tightOptions(fn: string, o: NumericJacobianOptions) {
  const { step = 2 ** -12, rounding = 32, resolution = 1e-9, refinements = 3 } = o;
  if (!(step > 0 && Number.isFinite(step)))
    throw new RangeError(`${fn}: step must be a finite number > 0, got ${step}`);
  if (!(rounding >= 0 && Number.isFinite(rounding)))
    throw new RangeError(`${fn}: rounding must be a finite number ≥ 0, got ${rounding}`);
  if (!(resolution >= 0 && Number.isFinite(resolution)))
    throw new RangeError(`${fn}: resolution must be a finite number ≥ 0, got ${resolution}`);
  if (!(Number.isSafeInteger(refinements) && refinements >= 0))
    throw new RangeError(`${fn}: refinements must be an integer ≥ 0, got ${refinements}`);
  return { step, rounding, resolution, refinements };
}

function numericJacobianOf(
  P: Prepared,
  opts: { step: number; rounding: number; resolution: number; refinements: number },
): NumericJacobian {
  const { step, rounding: g, resolution, refinements } = opts;
  if (!isTensor(P.out))
    throw new TypeError(`numericJacobian: expected f to return a Tensor, got ${describeValue(P.out)}`);
  const m = P.out.size;
  const n = P.leaves.reduce((s, x) => s + x.size, 0);
  const values = new Float64Array(m * n),
    truncation = new Float64Array(m * n),
    rounding = new Float64Array(m * n),
    tolerance = new Float64Array(m * n);
  const steps = new Float64Array(n);
  const maxAbs = new Float64Array(m);
  const value = Float64Array.from(P.out.data);
  for (let o = 0; o < m; o++) maxAbs[o] = Math.abs(value[o]);
  const xAbs = new Float64Array(n);
  // pass 1: the stencil at step h for every column (f's values also give the scale S_o)
  const column = (l: number, j: number, col: number, h: number) => {
    const x = P.leaves[l];
    const dir = new Float64Array(x.size);
    dir[j] = 1;
    const dirs = P.leaves.map((_, i) => (i === l ? dir : null));
    const at = (a: number) => {
      const y = shifted(P, dirs, a);
      if (!(ArrayBuffer.isView(y) && y.length === m))
        throw new TypeError(`numericJacobian: f returned ${m} values at the inputs but not at a shifted input`);
      for (let o = 0; o < m; o++) maxAbs[o] = Math.max(maxAbs[o], Math.abs(y[o]));
      return y;
    };
    const [p1, m1, p2, m2, p4, m4] = [at(h / 2), at(-h / 2), at(h), at(-h), at(2 * h), at(-2 * h)];
    for (let o = 0; o < m; o++) {
      const [d1, d2, d4] = [p1[o] - m1[o], p2[o] - m2[o], p4[o] - m4[o]];
      const fine = (8 * d1 - d2) / (6 * h); // D4(h/2)
      const coarse = (8 * d2 - d4) / (12 * h); // D4(h)
      values[o * n + col] = (256 * d1 - 40 * d2 + d4) / (180 * h);
      truncation[o * n + col] = Math.abs(coarse - fine) / 15;
    }
    steps[col] = h;
  };
  const where: [number, number][] = [];
  P.leaves.forEach((x, l) => {
    for (let j = 0; j < x.size; j++) {
      xAbs[where.length] = Math.abs(x.data[j]);
      column(l, j, where.length, step);
      where.push([l, j]);
    }
  });
  // S_o: the size of the numbers f computes for output o, taken as its largest value, the largest
  // input, and its first-order sensitivity to relative perturbations of every input
  let xMax = 0;
  for (let j = 0; j < n; j++) xMax = Math.max(xMax, xAbs[j]);
  const scale = new Float64Array(m);
  // NaN or infinite values are unresolved too (the comparisons are false for NaN)
  const resolved = (e: number) =>
    truncation[e] <= Math.max(64 * rounding[e], resolution * Math.abs(values[e])) && Number.isFinite(values[e]);
  const bound = (col: number) => {
    let bad = false;
    for (let o = 0; o < m; o++) {
      const e = o * n + col;
      const R = Math.abs(values[e]);
      rounding[e] =
        (594 / (180 * steps[col])) *
          (g * (UNIT * scale[o] + Number.MIN_VALUE) + R * UNIT * (xAbs[col] + 2 * steps[col])) +
        8 * UNIT * R;
      tolerance[e] = truncation[e] + rounding[e];
      if (!resolved(e)) bad = true;
    }
    return bad;
  };
  for (let o = 0; o < m; o++) {
    let s = maxAbs[o] + xMax;
    for (let j = 0; j < n; j++) s += Math.abs(values[o * n + j]) * xAbs[j];
    scale[o] = s;
  }
  // pass 2: a column that is not resolved at h is tried again at h/4, h/16, … (f may be smooth at a
  // finer scale: large higher derivatives, or a kink farther than the smaller reach); a kink or a jump
  // within the finest reach stays unresolved
  const unresolved: number[] = [];
  for (let col = 0; col < n; col++) {
    let bad = bound(col);
    for (let k = 1; bad && k <= refinements; k++) {
      column(where[col][0], where[col][1], col, step / 4 ** k);
      bad = bound(col);
    }
    if (bad) for (let o = 0; o < m; o++) if (!resolved(o * n + col)) unresolved.push(o * n + col);
  }
  unresolved.sort((a, b) => a - b);
  return { m, n, values, tolerance, truncation, rounding, unresolved, scale, value, steps };
}

/**
 * The Jacobian of f at `inputs` by Richardson-extrapolated fourth-order central differences, with a
 * tolerance per entry from the step, f's scale and float64 rounding (see the comment above). Uses
 * only evaluations of f: no derivative rule of the engine is involved. Inputs must be float64.
 */
export function numericJacobian(f: Fn, inputs: readonly Tree[], options: NumericJacobianOptions = {}): NumericJacobian {
  const opts = tightOptions('numericJacobian', options);
  return numericJacobianOf(prepare(f, inputs), opts);
}

export interface TightGradOptions extends NumericJacobianOptions {
  /** K of the adjoint's rounding model: each mode's product within γ_K·|J||u| (or |J|ᵀ|v|). Default 32. */
  chain?: number;
  /** Key for the random directions u, v. Default key(0). */
  key?: Key;
}

/** One Jacobian entry as the tight check saw it. */
export interface TightEntry extends Mismatch {
  error: number;
  tolerance: number;
  truncation: number;
  rounding: number;
}

export interface TightGradReport {
  ok: boolean;
  /** Jacobian entries compared. */
  entries: number;
  /** Largest |analytic − numeric| / tolerance over the entries (≤ 1 passes). */
  maxRatio: number;
  /** |analytic − numeric| / tolerance for every entry, in order [o·n + j]. */
  ratios: Float64Array;
  /** tolerance / max(|numeric|, tiny) per entry: the relative error of a rule that the check resolves. */
  relativeTolerance: Float64Array;
  /** The reverse-mode (analytic) and numeric Jacobians, row-major [o·n + j], and each entry's tolerance. */
  analytic: Float64Array;
  numeric: Float64Array;
  tolerance: Float64Array;
  /** The entry with the largest ratio (null for an empty Jacobian). */
  worst: TightEntry | null;
  /** Entries where f is not smooth at the step's scale: each fails the check. */
  unresolved: TightEntry[];
  /** ⟨v, J u⟩ by forward mode against ⟨Jᵀv, u⟩ by reverse mode, held to their rounding bound (see above). */
  adjoint: { lhs: number; rhs: number; error: number; tolerance: number; ok: boolean };
  /** Forward mode per output against the reverse-mode Jacobian times u: the worst output's error over its bound. */
  forward: { output: number; error: number; tolerance: number; ok: boolean };
  message: string;
}

/**
 * Checks f's reverse-mode Jacobian against numericJacobian entry by entry, and forward mode against
 * reverse mode to rounding (G-ADJ), with the tolerances derived above. For the project's own claims;
 * users' checks keep checkGrad's defaults.
 */
export function checkGradTight(f: Fn, inputs: readonly Tree[], options: TightGradOptions = {}): TightGradReport {
  const opts = tightOptions('checkGradTight', options);
  const { chain = 32, key = makeKey(0) } = options;
  if (!(chain >= 0 && Number.isFinite(chain)))
    throw new RangeError(`checkGradTight: chain must be a finite number ≥ 0, got ${chain}`);
  const P = prepare(f, inputs);
  const { us, v } = directions(P, key);
  const d = directional(P, us, v);
  const J = numericJacobianOf(P, opts);
  const { m, n } = J;
  // analytic Jacobian, one reverse pass per output element
  const { pullback } = vjp(P.f, ...P.args);
  const A = new Float64Array(m * n);
  for (let o = 0; o < m; o++) {
    const e = new Float64Array(m);
    e[o] = 1;
    let col = 0;
    for (const c of flatten(pullback(tensor(e, P.out.shape))).leaves)
      for (let j = 0; j < c.size; j++) A[o * n + col++] = c.data[j];
  }
  // where each column's element lives: (argument, element index within the argument's leaves)
  const argOfCol = new Int32Array(n),
    elementOfCol = new Int32Array(n);
  {
    const base = new Array<number>(P.args.length).fill(0);
    let col = 0;
    P.leaves.forEach((x, l) => {
      const arg = P.argOf[l];
      for (let j = 0; j < x.size; j++, col++) [argOfCol[col], elementOfCol[col]] = [arg, base[arg] + j];
      base[arg] += x.size;
    });
  }
  const entry = (e: number): TightEntry => {
    const o = Math.floor(e / n),
      j = e % n;
    const error = Math.abs(A[e] - J.values[e]);
    return {
      input: argOfCol[j],
      element: elementOfCol[j],
      output: o,
      analytic: A[e],
      numeric: J.values[e],
      error: Number.isNaN(error) ? Infinity : error,
      tolerance: J.tolerance[e],
      truncation: J.truncation[e],
      rounding: J.rounding[e],
    };
  };
  const ratios = new Float64Array(m * n),
    relativeTolerance = new Float64Array(m * n);
  let maxRatio = 0,
    worstAt = -1;
  for (let e = 0; e < m * n; e++) {
    const err = Math.abs(A[e] - J.values[e]);
    const ratio = Number.isNaN(err) ? Infinity : err === 0 ? 0 : err / J.tolerance[e];
    ratios[e] = ratio;
    relativeTolerance[e] = J.tolerance[e] / Math.max(Math.abs(J.values[e]), Number.MIN_VALUE);
    if (worstAt < 0 || ratio > maxRatio) [maxRatio, worstAt] = [ratio, e];
  }
  // the adjoint identity and forward mode per output, to rounding
  const u = new Float64Array(n);
  {
    let col = 0;
    for (const t of us) for (let j = 0; j < t.size; j++) u[col++] = t.data[j];
  }
  const K = gamma(chain);
  let uMax = 0,
    uL1 = 0,
    vMax = 0,
    vL1 = 0;
  for (let j = 0; j < n; j++) [uMax, uL1] = [Math.max(uMax, Math.abs(u[j])), uL1 + Math.abs(u[j])];
  for (let o = 0; o < m; o++) [vMax, vL1] = [Math.max(vMax, Math.abs(v.data[o])), vL1 + Math.abs(v.data[o])];
  let T = 0,
    dotLhs = 0,
    dotRhs = 0;
  let forward = { output: -1, error: 0, tolerance: 0, ok: true };
  let worstForward = -Infinity;
  for (let o = 0; o < m; o++) {
    let absJu = 0,
      ref = 0,
      absRef = 0;
    for (let j = 0; j < n; j++) {
      absJu += Math.abs(J.values[o * n + j]) * Math.abs(u[j]);
      ref += A[o * n + j] * u[j];
      absRef += Math.abs(A[o * n + j] * u[j]);
    }
    T += Math.abs(v.data[o]) * absJu;
    dotLhs += Math.abs(v.data[o] * d.Ju[o]);
    const error = Math.abs(d.Ju[o] - ref);
    const tolerance = 2 * K * (absJu + uMax) + gamma(n) * absRef + (2 * chain + n) * Number.MIN_VALUE;
    const excess = Number.isNaN(error) ? Infinity : error - tolerance;
    if (excess > worstForward) {
      worstForward = excess;
      forward = { output: o, error: Number.isNaN(error) ? Infinity : error, tolerance, ok: excess <= 0 };
    }
  }
  let col = 0;
  for (const c of d.JTv) for (let j = 0; j < c.size; j++) dotRhs += Math.abs(c.data[j] * u[col++]);
  // + (2K + 1)(m + n)·η: products that underflow are off by up to η = 2^−1074 each
  const adjoint = adjointResult(
    d.lhs,
    d.rhs,
    K * (2 * T + vL1 * uMax + uL1 * vMax) +
      gamma(m) * dotLhs +
      gamma(n) * dotRhs +
      (2 * chain + 1) * (m + n) * Number.MIN_VALUE,
  );
  if (Number.isNaN(adjoint.error)) adjoint.error = Infinity;
  const unresolved = J.unresolved.map(entry);
  const ok = maxRatio <= 1 && unresolved.length === 0 && adjoint.ok && forward.ok;
  const worst = worstAt < 0 ? null : entry(worstAt);
  const parts: string[] = [];
  if (worst)
    parts.push(
      `max |analytic − numeric|/tolerance = ${maxRatio.toExponential(3)} over ${m * n} entries (worst: input ${worst.input}, element ${worst.element}, output ${worst.output}: analytic ${worst.analytic}, numeric ${worst.numeric}, tolerance ${worst.tolerance.toExponential(3)})`,
    );
  if (unresolved.length) {
    const e = unresolved[0];
    parts.push(
      `${unresolved.length} ${unresolved.length === 1 ? 'entry is' : 'entries are'} unresolved (f is not smooth at the step's scale, or noisier than its rounding model), first: input ${e.input}, element ${e.element}, output ${e.output}: truncation estimate ${e.truncation.toExponential(3)} against rounding bound ${e.rounding.toExponential(3)}`,
    );
  }
  if (!adjoint.ok)
    parts.push(
      `forward and reverse mode disagree beyond rounding: ⟨v, Ju⟩ = ${adjoint.lhs} but ⟨Jᵀv, u⟩ = ${adjoint.rhs} (|diff| ${adjoint.error.toExponential(3)} > ${adjoint.tolerance.toExponential(3)})`,
    );
  if (!forward.ok)
    parts.push(
      `forward mode: (J u) at output ${forward.output} is ${d.Ju[forward.output]}, the reverse-mode Jacobian gives a value ${forward.error.toExponential(3)} away (bound ${forward.tolerance.toExponential(3)})`,
    );
  const message = `tight gradient check ${ok ? 'passed' : 'failed'}${parts.length ? ': ' + parts.join('; ') : ''}`;
  return {
    ok,
    entries: m * n,
    maxRatio,
    ratios,
    relativeTolerance,
    analytic: A,
    numeric: J.values,
    tolerance: J.tolerance,
    worst,
    unresolved,
    adjoint,
    forward,
    message,
  };
}

/** The throwing form of checkGradTight. */
export function assertGradTight(f: Fn, inputs: readonly Tree[], options: TightGradOptions = {}): TightGradReport {
  const report = checkGradTight(f, inputs, options);
  if (!report.ok) throw new TightGradError(report);
  return report;
}

export class TightGradError extends Error {
  constructor(readonly report: TightGradReport) {
    super(report.message);
    this.name = 'TightGradError';
  }
}
