// Autodiff as plain functions over functions: vjp, grad, valueAndGrad, jvp. Arguments and results
// may be tensors or trees of them (arrays and plain objects, see tree.ts), like parameter sets.
import { type Level, backward, enter, leave, tangentOf, withLevel } from './trace.ts';
import { Tensor, onesLike, zerosLike } from './tensor.ts';
import { add } from './ops.ts';
import { describe, fmt, sameShape } from './shape.ts';
import { type Tree, flatten } from './tree.ts';

export { type Tree, flatten } from './tree.ts';

/** b matches a tensor for tensor: a cotangent matches the function's outputs, a tangent its primals. */
function checkSameTree(a: Tensor[], b: Tensor[], what: string, of: 'output' | 'primal') {
  if (a.length !== b.length) throw new RangeError(`${what}: expected ${a.length} tensors to match the ${of}s, got ${b.length}`);
  for (let i = 0; i < a.length; i++) {
    if (!sameShape(a[i].shape, b[i].shape)) throw new RangeError(`${what}: tensor ${i} must have shape ${fmt(a[i].shape)} like its ${of}, got ${fmt(b[i].shape)}`);
    // as in JAX: a tangent or cotangent has its primal's dtype (convert it with astype)
    if (a[i].dtype !== b[i].dtype) throw new TypeError(`${what}: tensor ${i} must have dtype ${a[i].dtype} like its ${of}, got ${b[i].dtype}`);
  }
}

function checkFn(f: unknown, op: string) {
  if (typeof f !== 'function') throw new TypeError(`${op}: expected a function, got ${describe(f)}`);
}

/**
 * Runs f on the primals and returns its value and a pullback mapping a cotangent of the output
 * (same tree shape) to cotangents of every primal (zeros where the output does not depend on it).
 */
export function vjp<A extends Tree[], R extends Tree>(f: (...args: A) => R, ...primals: A): { value: R; pullback: (ct: R) => A } {
  checkFn(f, 'vjp');
  // plain loops and no per-call strings: this is the fixed cost every grad pays
  const flats: ReturnType<typeof flatten>[] = [];
  for (let i = 0; i < primals.length; i++) flats.push(primals[i] instanceof Tensor ? flatten(primals[i]) : flatten(primals[i], `vjp primal ${i}`));
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

/** f(...args) and its gradient with respect to the chosen arguments; f must return a one-element tensor. */
export function valueAndGrad<A extends unknown[]>(f: (...args: A) => Tensor, options: GradOptions = {}) {
  checkFn(f, 'valueAndGrad');
  const argnums = options.argnums ?? 0;
  const list = typeof argnums === 'number' ? [argnums] : [...argnums];
  if (new Set(list).size !== list.length) throw new RangeError(`grad: argnums must not repeat an argument, got [${list.join(', ')}]`);
  // f with the scalar-loss check, made once: the per-call path below allocates no closure
  const loss = (...full: unknown[]): Tensor => {
    const out = f(...(full as A));
    if (!(out instanceof Tensor) || out.size !== 1) {
      throw new TypeError(`grad: the function must return a one-element Tensor (a scalar loss), got ${out instanceof Tensor ? `shape ${fmt(out.shape)}` : describe(out)}`);
    }
    return out;
  };
  return (...args: A): { value: Tensor; grad: any } => {
    for (let j = 0; j < list.length; j++) {
      const i = list[j];
      if (!Number.isInteger(i) || i < 0 || i >= args.length) throw new RangeError(`grad: argnums ${i} is out of range for ${args.length} arguments`);
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

/** The gradient of a scalar-valued f with respect to argument 0 (or the chosen argnums). */
export function grad<A extends unknown[]>(f: (...args: A) => Tensor, options: GradOptions = {}) {
  const vg = valueAndGrad(f, options);
  return (...args: A): any => vg(...args).grad;
}

/** Forward mode: f(...primals) and its directional derivative along the tangents (same trees as the primals). */
export function jvp<A extends Tree[], R extends Tree>(f: (...args: A) => R, primals: A, tangents: A): { value: R; tangent: R } {
  checkFn(f, 'jvp');
  if (!Array.isArray(primals) || !Array.isArray(tangents)) throw new TypeError(`jvp: expected primals and tangents to be arrays of arguments, got ${describe(primals)} and ${describe(tangents)}`);
  if (primals.length !== tangents.length) throw new RangeError(`jvp: got ${primals.length} primals but ${tangents.length} tangents`);
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
