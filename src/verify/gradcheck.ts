// Gradient checking: the engine's reverse- and forward-mode derivatives against central finite
// differences in float64 (claim G-FD), and against each other through the adjoint identity
// ⟨v, J u⟩ = ⟨Jᵀ v, u⟩ (claim G-ADJ). Uses only the engine's public API.
// The tight check, for the project's own claims, is in gradcheck-tight.ts (re-exported here).
import { type Key, type Tensor, type Tree, flatten, key as makeKey, tensor, vjp } from '../engine/index.ts';
import {
  type Fn,
  type Mismatch,
  type Prepared,
  adjointResult,
  directional,
  directions,
  dot,
  prepare,
  shifted,
} from './gradcheck-common.ts';

export type { Mismatch } from './gradcheck-common.ts';
export * from './gradcheck-tight.ts';

export interface GradCheckOptions {
  /** Central-difference step. Default 1e-6. */
  eps?: number;
  /** An element passes when |analytic − numeric| ≤ atol + rtol·|numeric|. Defaults 1e-5 and 1e-3 (PyTorch's). */
  atol?: number;
  rtol?: number;
  /** 'full' compares whole Jacobians element by element; 'fast' compares random projections vᵀJu and reruns 'full' on failure. */
  mode?: 'full' | 'fast';
  /** Key for the random directions u, v. Default key(0). */
  key?: Key;
}

export interface GradCheckReport {
  ok: boolean;
  mode: 'full' | 'fast';
  /** Largest |analytic − numeric| over the compared entries, and the largest relative error |a − n|/|n|. */
  maxAbsError: number;
  maxRelError: number;
  /** The entry that exceeded its tolerance by the most (or the largest error when everything passed). */
  worst: Mismatch | null;
  /**
   * Forward mode against reverse mode on random directions u, v: ⟨v, J u⟩ (lhs) vs ⟨Jᵀv, u⟩ (rhs),
   * held to twice the tolerance each mode has against finite differences, projected on u and v.
   */
  adjoint: { lhs: number; rhs: number; error: number; tolerance: number; ok: boolean };
  /**
   * Entries that straddle a kink (relu or abs at 0, a tie of maximum/minimum/max): the one-sided
   * differences (f(x + eps) − f(x))/eps and (f(x) − f(x − eps))/eps disagree beyond the tolerance,
   * so the central difference is no derivative at all. Such an entry is not judged against it; it
   * passes if the analytic value lies between the one-sided slopes (within the tolerance), which every
   * subgradient does, and fails as usual otherwise. Listed here so a caller can move the point.
   */
  kinks: Mismatch[];
  /** In fast mode, when the projection failed: whether the full Jacobian check then passed too. */
  fullRerun?: GradCheckReport;
  /** One readable line. */
  message: string;
}

export class GradCheckError extends Error {
  constructor(readonly report: GradCheckReport) {
    super(report.message);
    this.name = 'GradCheckError';
  }
}

const l1 = (a: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]);
  return s;
};

/**
 * Checks the engine's derivatives of `f` at `inputs` against central finite differences in float64
 * (every entry of the Jacobian, or random projections vᵀJu in fast mode), and reverse mode against
 * forward mode through the adjoint identity ⟨v, J u⟩ = ⟨Jᵀv, u⟩. Like PyTorch's gradcheck, it
 * returns a report instead of throwing on a mismatch ({@link assertGrad} throws).
 *
 * @param f - a function of the inputs returning a tensor or a tree; a stochastic f must fix its keys
 *   inside, so every evaluation sees the same dropout mask.
 * @param inputs - the point: one float64 tensor or tree of tensors per argument of f.
 * @param options - `eps` (step, default 1e-6), `atol` and `rtol` (an entry passes when
 *   |analytic − numeric| ≤ atol + rtol·|numeric|; defaults 1e-5 and 1e-3), `mode` ('full' or 'fast'),
 *   `key` for the random directions (default key(0)).
 * @returns a {@link GradCheckReport}: `ok`, the largest errors, the worst entry, the adjoint check, and
 *   the entries at a kink (relu or abs at 0, ties of max), judged by their one-sided slopes instead.
 * @throws RangeError for a bad option; TypeError when f is not a function, an input is not a tree of
 *   tensors, or an input is float32 (its rounding would swamp the finite differences).
 * @example
 * const r = checkGrad((w) => sum(relu(matmul(x, w))), [w]);
 * if (!r.ok) console.log(r.message);
 */
export function checkGrad(f: Fn, inputs: readonly Tree[], options: GradCheckOptions = {}): GradCheckReport {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, mode = 'full', key = makeKey(0) } = options;
  if (!(eps > 0 && Number.isFinite(eps)))
    throw new RangeError(`checkGrad: eps must be a finite number > 0, got ${eps}`);
  if (!(atol >= 0 && rtol >= 0)) throw new RangeError(`checkGrad: atol and rtol must be ≥ 0, got ${atol} and ${rtol}`);
  if (mode !== 'full' && mode !== 'fast')
    throw new RangeError(`checkGrad: mode must be 'full' or 'fast', got ${String(mode)}`);
  const P = prepare(f, inputs);
  const { us, v } = directions(P, key);
  const d = directional(P, us, v);
  return mode === 'full' ? fullCheck(P, us, v, d, eps, atol, rtol) : fastCheck(P, us, v, d, eps, atol, rtol);
}

type Directional = ReturnType<typeof directional>;

function fullCheck(
  P: Prepared,
  us: Tensor[],
  v: Tensor,
  d: Directional,
  eps: number,
  atol: number,
  rtol: number,
): GradCheckReport {
  const m = P.out.size;
  // analytic Jacobian, one reverse pass per output element
  const { pullback } = vjp(P.f, ...P.args);
  const rows: Tensor[][] = [];
  for (let o = 0; o < m; o++) {
    const e = new Float64Array(m);
    e[o] = 1;
    rows.push(flatten(pullback(tensor(e, P.out.shape))).leaves);
  }
  let maxAbs = 0,
    maxRel = 0,
    worstExcess = -Infinity;
  let worst: Mismatch | null = null;
  const kinks: Mismatch[] = [];
  const base = P.out.data;
  const numericJu = new Float64Array(m); // J u from the finite differences
  const tolJu = new Float64Array(m); // Σ_j (atol + rtol·|J_oj|)·|u_j|: what the check allows J u to be off by (J: the analytic Jacobian)
  const elementBase = new Array<number>(P.args.length).fill(0);
  const judge = (analytic: number, numeric: number, tol: number, at: Mismatch) => {
    const err = Math.abs(analytic - numeric);
    const excess = Number.isNaN(err) ? Infinity : err - tol;
    maxAbs = Math.max(maxAbs, Number.isNaN(err) ? Infinity : err);
    if (numeric !== 0) maxRel = Math.max(maxRel, err / Math.abs(numeric));
    if (excess > worstExcess) {
      worstExcess = excess;
      worst = at;
    }
  };
  P.leaves.forEach((x, l) => {
    const arg = P.argOf[l];
    const u = us[l].data;
    for (let j = 0; j < x.size; j++) {
      const dir = new Float64Array(x.size);
      dir[j] = 1;
      const dirs = P.leaves.map((_, i) => (i === l ? dir : null));
      const plus = shifted(P, dirs, eps);
      const minus = shifted(P, dirs, -eps);
      for (let o = 0; o < m; o++) {
        const numeric = (plus[o] - minus[o]) / (2 * eps);
        const analytic = rows[o][l].data[j];
        const tol = atol + rtol * Math.abs(numeric);
        const at = { input: arg, element: elementBase[arg] + j, output: o, analytic, numeric };
        if (
          !(Math.abs(analytic - numeric) <= tol) &&
          atKink(analytic, (base[o] - minus[o]) / eps, (plus[o] - base[o]) / eps, atol, rtol)
        ) {
          kinks.push(at);
          numericJu[o] += analytic * u[j]; // the forward-mode check below judges the other entries
          tolJu[o] += (atol + rtol * Math.abs(analytic)) * Math.abs(u[j]);
          continue;
        }
        judge(analytic, numeric, tol, at);
        numericJu[o] += numeric * u[j];
        tolJu[o] += (atol + rtol * Math.abs(analytic)) * Math.abs(u[j]);
      }
    }
    elementBase[arg] += x.size;
  });
  // forward mode against the finite differences along u (the whole Jacobian would cost a pass per input element)
  let forward: Mismatch | null = null;
  for (let o = 0; o < m && !forward; o++) {
    const tol = tolJu[o] + rtol * Math.abs(numericJu[o]);
    if (!(Math.abs(d.Ju[o] - numericJu[o]) <= tol))
      forward = { input: -1, element: -1, output: o, analytic: d.Ju[o], numeric: numericJu[o] };
  }
  const adjoint = adjointResult(d.lhs, d.rhs, 2 * tolJu.reduce((s, t, o) => s + t * Math.abs(v.data[o]), 0));
  const ok = worstExcess <= 0 && !forward && adjoint.ok;
  const fwdMsg = forward
    ? `; forward mode: (J u) at output ${forward.output} is ${forward.analytic}, finite differences give ${forward.numeric}`
    : '';
  const kinkMsg = kinks.length
    ? `; ${kinks.length} ${kinks.length === 1 ? 'entry straddles' : 'entries straddle'} a kink (one-sided differences disagree; the analytic value lies between them), first: input ${kinks[0].input}, element ${kinks[0].element}, output ${kinks[0].output}`
    : '';
  return {
    ok,
    mode: 'full',
    maxAbsError: maxAbs,
    maxRelError: maxRel,
    worst: worstExcess > 0 || !forward ? worst : forward,
    adjoint,
    kinks,
    message: describeResult(ok, 'full', maxAbs, worst, adjoint, atol, rtol) + fwdMsg + kinkMsg,
  };
}

/** One-sided slopes that disagree beyond the tolerance, with the analytic value between them (a subgradient). */
function atKink(analytic: number, left: number, right: number, atol: number, rtol: number): boolean {
  const tol = atol + rtol * Math.max(Math.abs(left), Math.abs(right));
  return (
    Math.abs(right - left) > tol && analytic >= Math.min(left, right) - tol && analytic <= Math.max(left, right) + tol
  );
}

function fastCheck(
  P: Prepared,
  us: Tensor[],
  v: Tensor,
  d: Directional,
  eps: number,
  atol: number,
  rtol: number,
): GradCheckReport {
  const plus = shifted(
    P,
    us.map((u) => u.data),
    eps,
  );
  const minus = shifted(
    P,
    us.map((u) => u.data),
    -eps,
  );
  const fd = new Float64Array(plus.length);
  for (let i = 0; i < fd.length; i++) fd[i] = (plus[i] - minus[i]) / (2 * eps);
  const numeric = dot(v.data, fd);
  // the elementwise atol accumulated over the projection (as in PyTorch's fast mode), plus rtol
  const tol = atol * l1(v.data) * us.reduce((s, u) => s + l1(u.data), 0) + rtol * Math.abs(numeric);
  const errRev = Math.abs(d.rhs - numeric);
  const errFwd = Math.abs(d.lhs - numeric);
  const adjoint = adjointResult(
    d.lhs,
    d.rhs,
    2 *
      (atol * l1(v.data) * us.reduce((s, u) => s + l1(u.data), 0) + rtol * Math.max(Math.abs(d.lhs), Math.abs(d.rhs))),
  );
  const passed = errRev <= tol && errFwd <= tol && adjoint.ok;
  const err = Math.max(errRev, errFwd);
  const report: GradCheckReport = {
    ok: passed,
    mode: 'fast',
    maxAbsError: Number.isNaN(err) ? Infinity : err,
    maxRelError: numeric !== 0 ? err / Math.abs(numeric) : 0,
    worst: { input: -1, element: -1, output: -1, analytic: errRev >= errFwd ? d.rhs : d.lhs, numeric },
    adjoint,
    kinks: [],
    message: '',
  };
  if (passed) {
    report.message = describeResult(true, 'fast', report.maxAbsError, report.worst, adjoint, atol, rtol);
    return report;
  }
  // the projection's tolerance can be tighter than the elementwise one under cancellation: the full
  // Jacobian check, element by element, decides
  const full = fullCheck(P, us, v, d, eps, atol, rtol);
  report.fullRerun = full;
  report.ok = full.ok;
  report.worst = full.worst;
  report.kinks = full.kinks;
  report.message = `fast mode${full.ok ? ' (projection off, full check passed)' : ''}: projection vᵀJu by reverse mode ${d.rhs}, by forward mode ${d.lhs}, by finite differences ${numeric} (tolerance ${tol.toExponential(3)}); full rerun: ${full.message}`;
  return report;
}

function describeResult(
  ok: boolean,
  mode: string,
  maxAbs: number,
  worst: Mismatch | null,
  adjoint: GradCheckReport['adjoint'],
  atol: number,
  rtol: number,
): string {
  const adj = adjoint.ok
    ? ''
    : `; forward and reverse mode disagree: ⟨v, Ju⟩ = ${adjoint.lhs} but ⟨Jᵀv, u⟩ = ${adjoint.rhs} (|diff| ${adjoint.error.toExponential(3)} > ${adjoint.tolerance.toExponential(3)})`;
  if (ok) return `gradient check passed (${mode}): max |analytic − numeric| = ${maxAbs.toExponential(3)}`;
  const w =
    worst && worst.input >= 0
      ? `; worst: input ${worst.input}, element ${worst.element}, output ${worst.output}: analytic ${worst.analytic}, numeric ${worst.numeric} (tolerance ${atol} + ${rtol}·|numeric|)`
      : '';
  return `gradient check failed (${mode}): max |analytic − numeric| = ${maxAbs.toExponential(3)}${w}${adj}`;
}

/** The throwing form of checkGrad, for tests. */
export function assertGrad(f: Fn, inputs: readonly Tree[], options: GradCheckOptions = {}): GradCheckReport {
  const report = checkGrad(f, inputs, options);
  if (!report.ok) throw new GradCheckError(report);
  return report;
}
