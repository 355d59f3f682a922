// Autodiff as plain functions over functions: vjp, grad, valueAndGrad, jvp. Arguments and results
// may be tensors or trees of them (arrays and plain objects, see tree.ts), like parameter sets.
import { type Level, backward, enter, leave, tangentOf, withLevel } from './trace.ts';
import { Tensor, onesLike, zerosLike } from './tensor.ts';
import { add } from './ops.ts';
import { describeValue, formatShape, sameShape } from './shape.ts';
import { type Tree, flatten } from './tree.ts';

export { type Tree, flatten } from './tree.ts';

/** b matches a tensor for tensor: a cotangent matches the function's outputs, a tangent its primals. */
function checkSameTree(a: Tensor[], b: Tensor[], what: string, of: 'output' | 'primal') {
  if (a.length !== b.length)
    throw new RangeError(`${what}: expected ${a.length} tensors to match the ${of}s, got ${b.length}`);
  for (let i = 0; i < a.length; i++) {
    if (!sameShape(a[i].shape, b[i].shape))
      throw new RangeError(
        `${what}: tensor ${i} must have shape ${formatShape(a[i].shape)} like its ${of}, got ${formatShape(b[i].shape)}`,
      );
    // as in JAX: a tangent or cotangent has its primal's dtype (convert it with astype)
    if (a[i].dtype !== b[i].dtype)
      throw new TypeError(`${what}: tensor ${i} must have dtype ${a[i].dtype} like its ${of}, got ${b[i].dtype}`);
  }
}

function checkFn(f: unknown, op: string) {
  if (typeof f !== 'function') throw new TypeError(`${op}: expected a function, got ${describeValue(f)}`);
}

/**
 * Reverse mode: runs `f` on the primals once and returns its value and a pullback that maps a
 * cotangent of the output to cotangents of every primal (zeros where the output does not depend on it).
 *
 * @param f - a function of tensors or trees of tensors (arrays and plain objects), returning a tree.
 * @param primals - the arguments to call `f` with.
 * @returns `value`, f(...primals); `pullback(ct)`, with `ct` shaped like `value` (same tree, shapes and
 *   dtypes), giving one cotangent per primal, each shaped like its primal.
 * @throws TypeError when `f` is not a function or a primal is not a tree of tensors; RangeError or
 *   TypeError from `pullback` when `ct` does not match `value`'s tree, shapes or dtypes.
 * @example
 * const { value, pullback } = vjp((x) => mul(x, x), tensor([1, 2, 3]));
 * pullback(ones([3]));   // [ 2·x ] = [tensor([2, 4, 6])]
 */
export function vjp<A extends Tree[], R extends Tree>(
  f: (...args: A) => R,
  ...primals: A
): { value: R; pullback: (ct: R) => A } {
  checkFn(f, 'vjp');
  // plain loops and no per-call strings: this is the fixed cost every grad pays
  const flats: ReturnType<typeof flatten>[] = [];
  for (let i = 0; i < primals.length; i++)
    flats.push(primals[i] instanceof Tensor ? flatten(primals[i]) : flatten(primals[i], `vjp primal ${i}`));
  const inputs: Tensor[] = [];
  let out!: ReturnType<typeof flatten>;
  const { level } = withLevel('vjp', (L) => {
    const args: Tree[] = [];
    for (let i = 0; i < flats.length; i++) {
      const leaves = flats[i].leaves;
      const entered: Tensor[] = [];
      for (let j = 0; j < leaves.length; j++) entered.push(enter(leaves[j], L));
      inputs.push(...entered);
      args.push(flats[i].rebuild(entered));
    }
    const r = f(...(args as A));
    out = r instanceof Tensor ? flatten(r) : flatten(r, 'vjp output');
  });
  const outLeaves = out.leaves;
  const left: Tensor[] = [];
  for (let i = 0; i < outLeaves.length; i++) left.push(leave(outLeaves[i], level));
  const value = out.rebuild(left) as R;
  const pullback = (ct: R): A => {
    const cts = ct instanceof Tensor ? [ct] : flatten(ct, 'cotangent').leaves;
    checkSameTree(outLeaves, cts, 'pullback', 'output');
    const grads = backward(level, outLeaves, cts, inputs, add);
    const result: Tree[] = [];
    for (let i = 0, k = 0; i < flats.length; i++) {
      const mine: Tensor[] = [];
      for (let j = 0; j < flats[i].leaves.length; j++, k++) mine.push(grads[k] ?? zerosLike(inputs[k]));
      result.push(flats[i].rebuild(mine));
    }
    return result as unknown as A;
  };
  return { value, pullback };
}

export interface GradOptions {
  /** Which arguments to differentiate: an index (the result is that argument's gradient) or a list (a list of gradients). Default 0. */
  argnums?: number | readonly number[];
}

/**
 * Like {@link grad}, but the function it returns gives the loss too: `{ value, grad }` from one pass.
 *
 * @param f - a scalar loss: must return a one-element Tensor.
 * @param options - `argnums`: the argument (an index) or arguments (a list) to differentiate; default 0.
 * @returns `(...args) => ({ value, grad })`; `grad` is one gradient (argnums an index) or a list of them,
 *   each shaped like its argument (a tree for a tree argument).
 * @throws TypeError when `f` is not a function, or (at the call) returns anything but a one-element Tensor;
 *   RangeError when argnums repeats an argument or names one the call does not have.
 * @example
 * const loss = (w, x) => sum(square(matmul(x, w)));
 * const { value, grad: g } = valueAndGrad(loss)(w, x);   // g has w's shape
 */
export function valueAndGrad<A extends unknown[]>(f: (...args: A) => Tensor, options: GradOptions = {}) {
  checkFn(f, 'valueAndGrad');
  const argnums = options.argnums ?? 0;
  const list = typeof argnums === 'number' ? [argnums] : [...argnums];
  if (new Set(list).size !== list.length)
    throw new RangeError(`grad: argnums must not repeat an argument, got [${list.join(', ')}]`);
  // f with the scalar-loss check, made once: the per-call path below allocates no closure
  const loss = (...full: unknown[]): Tensor => {
    const out = f(...(full as A));
    if (!(out instanceof Tensor) || out.size !== 1) {
      throw new TypeError(
        `grad: the function must return a one-element Tensor (a scalar loss), got ${out instanceof Tensor ? `shape ${formatShape(out.shape)}` : describeValue(out)}`,
      );
    }
    return out;
  };
  return (...args: A): { value: Tensor; grad: any } => {
    for (let j = 0; j < list.length; j++) {
      const i = list[j];
      if (!Number.isInteger(i) || i < 0 || i >= args.length)
        throw new RangeError(`grad: argnums ${i} is out of range for ${args.length} arguments`);
    }
    let r: { value: Tensor; pullback: (ct: Tensor) => Tree[] };
    if (args.length === 1 && list.length === 1) {
      // list is [0]: its entries were checked to be in range above
      r = vjp(loss as (x: Tree) => Tensor, args[0] as Tree); // grad(f)(x), the common case: no wrapper per call
    } else {
      const g = (...diff: Tree[]) => {
        const full = args.slice() as unknown[];
        list.forEach((i, j) => (full[i] = diff[j]));
        return loss(...full);
      };
      r = vjp(g, ...list.map((i) => args[i] as Tree));
    }
    const value = r.value;
    const grads = r.pullback(onesLike(value));
    return { value, grad: typeof argnums === 'number' ? grads[0] : grads };
  };
}

/**
 * The gradient of a scalar-valued `f`, as a function of the same arguments (JAX's `grad`).
 *
 * @param f - a scalar loss: must return a one-element Tensor.
 * @param options - `argnums`: the argument (an index) or arguments (a list) to differentiate; default 0.
 * @returns `(...args) => gradient`: for argnums an index, one gradient shaped like that argument (a tree
 *   for a tree of parameters); for a list, a list of them.
 * @throws as {@link valueAndGrad}.
 * @example
 * grad((x) => sum(mul(x, x)))(tensor([1, 2, 3]));          // tensor([2, 4, 6])
 * grad((w, b) => loss(w, b), { argnums: [0, 1] })(w, b);   // [dw, db]
 */
export function grad<A extends unknown[]>(f: (...args: A) => Tensor, options: GradOptions = {}) {
  const vg = valueAndGrad(f, options);
  return (...args: A): any => vg(...args).grad;
}

/**
 * Forward mode: `f(...primals)` and its directional derivative along `tangents`, in one pass.
 *
 * @param f - a function of tensors or trees of tensors, returning a tree.
 * @param primals - the arguments, as an array.
 * @param tangents - one tangent per primal, each the same tree, shapes and dtypes as its primal.
 * @returns `value`, f(...primals), and `tangent`, J·tangents, shaped like `value`.
 * @throws TypeError when `f` is not a function, or primals or tangents are not arrays of trees;
 *   RangeError or TypeError when a tangent does not match its primal.
 * @example
 * jvp((x) => mul(x, x), [tensor([1, 2])], [tensor([1, 0])]);   // { value: [1, 4], tangent: [2, 0] }
 */
export function jvp<A extends Tree[], R extends Tree>(
  f: (...args: A) => R,
  primals: A,
  tangents: A,
): { value: R; tangent: R } {
  checkFn(f, 'jvp');
  if (!Array.isArray(primals) || !Array.isArray(tangents))
    throw new TypeError(
      `jvp: expected primals and tangents to be arrays of arguments, got ${describeValue(primals)} and ${describeValue(tangents)}`,
    );
  if (primals.length !== tangents.length)
    throw new RangeError(`jvp: got ${primals.length} primals but ${tangents.length} tangents`);
  const flats = primals.map((p, i) => flatten(p, `jvp primal ${i}`));
  const tflats = tangents.map((t, i) => flatten(t, `jvp tangent ${i}`));
  flats.forEach((fl, i) => checkSameTree(fl.leaves, tflats[i].leaves, `jvp tangents of argument ${i}`, 'primal'));
  let level!: Level;
  let out!: { leaves: Tensor[]; rebuild: (l: readonly Tensor[]) => Tree };
  let tangentLeaves!: Tensor[];
  ({ level } = withLevel('jvp', (L) => {
    const args = flats.map((fl, i) => fl.rebuild(fl.leaves.map((x, j) => enter(x, L, tflats[i].leaves[j]))));
    out = flatten(f(...(args as A)), 'jvp output');
    tangentLeaves = out.leaves.map((o) => tangentOf(o, L) ?? zerosLike(o));
  }));
  return { value: out.rebuild(out.leaves.map((o) => leave(o, level))) as R, tangent: out.rebuild(tangentLeaves) as R };
}
