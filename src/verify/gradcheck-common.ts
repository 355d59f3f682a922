// What both gradient checks (gradcheck.ts, gradcheck-tight.ts) share: f with its inputs flattened into
// float64 leaves, f at shifted inputs, the random directions u, v and both modes along them, the
// adjoint identity's result, and the Mismatch a Jacobian entry is reported as.
import { type Key, type Tensor, type Tree, flatten, jvp, normal, split, tensor, vjp } from '../engine/index.ts';

export interface Mismatch {
  /** Which argument (position in `inputs`) and which element of its flattened tensors; -1 for a forward-mode (J u) mismatch. */
  input: number;
  element: number;
  /** Which element of the flattened output. */
  output: number;
  analytic: number;
  numeric: number;
}

export type Fn = (...args: any[]) => Tensor;

export interface Prepared {
  f: Fn;
  args: Tree[];
  leaves: Tensor[];
  argOf: number[]; // argument index of each leaf
  rebuild: (leaves: Tensor[]) => Tree[];
  out: Tensor;
}

export function prepare(f: Fn, inputs: readonly Tree[]): Prepared {
  if (typeof f !== 'function') throw new TypeError(`checkGrad: expected a function, got ${typeof f}`);
  if (!Array.isArray(inputs))
    throw new TypeError('checkGrad: expected inputs to be an array of arguments (tensors or trees of tensors)');
  const flats = inputs.map((x, i) => flatten(x, `checkGrad inputs[${i}]`));
  const leaves = flats.flatMap((fl) => fl.leaves);
  const argOf = flats.flatMap((fl, i) => fl.leaves.map(() => i));
  // float32 rounding (about 6e-8 relative) swamps a central difference with step 1e-6: its error is
  // of the order of the derivative itself, so a float32 check says nothing (PyTorch's gradcheck
  // warns for the same reason)
  const f32 = leaves.findIndex((x) => x.dtype !== 'float64');
  if (f32 >= 0) {
    throw new TypeError(
      `checkGrad: inputs[${argOf[f32]}] holds a float32 tensor; gradient checks need float64 inputs, because float32 rounding swamps the finite differences. Convert with astype(x, 'float64') (every op then computes in float64)`,
    );
  }
  const rebuild = (ls: Tensor[]) => {
    let k = 0;
    return flats.map((fl) => fl.rebuild(ls.slice(k, (k += fl.leaves.length))));
  };
  const out = f(...inputs);
  return { f, args: [...inputs], leaves, argOf, rebuild, out };
}

export const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/** f evaluated with leaf `l` moved by `delta` (a copy; the caller's tensors are never touched). */
export function shifted(P: Prepared, dirs: (ArrayLike<number> | null)[], scale: number): ArrayLike<number> {
  const ls = P.leaves.map((x, i) => {
    const d = dirs[i];
    if (!d) return x;
    const data = x.data.slice();
    for (let j = 0; j < data.length; j++) data[j] += scale * d[j];
    return tensor(data, x.shape);
  });
  return P.f(...P.rebuild(ls)).data;
}

/** Random directions u (one per input leaf) and v (output) from the key. */
export function directions(P: Prepared, k: Key) {
  const ks = split(k, P.leaves.length + 1);
  return { us: P.leaves.map((x, i) => normal(ks[i], x.shape)), v: normal(ks[P.leaves.length], P.out.shape) };
}

/** Both modes along the random directions: J u by forward mode, Jᵀ v by reverse mode. */
export function directional(P: Prepared, us: Tensor[], v: Tensor) {
  const Ju = (jvp(P.f, P.args, P.rebuild(us)).tangent as Tensor).data;
  const JTv = flatten(vjp(P.f, ...P.args).pullback(v)).leaves;
  return { Ju, JTv, lhs: dot(v.data, Ju), rhs: JTv.reduce((s, c, i) => s + dot(c.data, us[i].data), 0) };
}

// Rounding inside f cannot be bounded from outside it, so the adjoint identity is held to the
// tolerance the check already grants each mode against finite differences: if J u and Jᵀ v are both
// within it, ⟨v, J u⟩ and ⟨Jᵀ v, u⟩ differ by at most twice its projection.
export function adjointResult(lhs: number, rhs: number, tolerance: number) {
  const error = Math.abs(lhs - rhs);
  return { lhs, rhs, error, tolerance, ok: error <= tolerance };
}
