// Transformation levels, JAX-style. Each active `vjp` or `jvp` is a level on a stack. A primitive
// applied to tensors annotated at a level is recorded on that level's tape (vjp) or has its tangent
// pushed forward (jvp). A level's rules run with that level and every inner one hidden, so rules
// written with ordinary ops are themselves differentiated by the outer levels: this is what makes
// grad-of-grad, jvp-of-grad and grad-of-jvp work without special cases.
import { Tensor, zerosLike } from './tensor.ts';
import { formatShape, sameShape } from './shape.ts';

/** A primitive: its forward kernel and its two derivative rules, side by side. */
export interface Primitive<P = unknown> {
  readonly name: string;
  /** Computes the output from input values; never reads or writes annotations. */
  fwd(xs: readonly Tensor[], p: P): Tensor;
  /** One thunk per input giving that input's cotangent (input-shaped); null where none flows. */
  vjp(g: Tensor, xs: readonly Tensor[], out: Tensor, p: P): ReadonlyArray<(() => Tensor) | null>;
  /** The output tangent from the inputs' tangents (zeros for inputs without one). */
  jvp(ts: readonly Tensor[], xs: readonly Tensor[], out: Tensor, p: P): Tensor;
}

export interface Node {
  readonly index: number;
  readonly prim: Primitive<any> | null; // null: an input of the transformation
  readonly inputs: readonly Tensor[];
  readonly out: Tensor;
  readonly p: unknown;
}

export class Level {
  readonly nodes: Node[] = [];
  constructor(
    readonly kind: 'vjp' | 'jvp',
    readonly depth: number,
  ) {}
}

export interface Annotation {
  readonly level: Level;
  readonly node?: Node;
  readonly tangent?: Tensor;
}

const stack: Level[] = [];
let visible = 0; // levels stack[0 .. visible-1] are active

const isActive = (L: Level) => L.depth < visible && stack[L.depth] === L;

export function annotation(x: Tensor, L: Level): Annotation | undefined {
  const ad = x._ad;
  if (ad === undefined) return undefined;
  for (let i = 0; i < ad.length; i++) if (ad[i].level === L) return ad[i];
  return undefined;
}

function annotate(x: Tensor, a: Annotation) {
  if (x._ad === undefined) x._ad = [a];
  else x._ad.push(a);
}

/** Runs `fn` with only the levels below `depth` active. */
function withVisible<T>(depth: number, fn: () => T): T {
  const saved = visible;
  visible = depth;
  try {
    return fn();
  } finally {
    visible = saved;
  }
}

/** Applies a primitive: computes it, then records or differentiates it at every active level that sees its inputs. */
export function bind<P>(prim: Primitive<P>, xs: readonly Tensor[], p: P): Tensor {
  const out = prim.fwd(xs, p);
  if (visible === 0) return out;
  for (let k = 0; k < visible; k++) {
    const L = stack[k];
    let seen = false;
    for (let i = 0; i < xs.length && !seen; i++) seen = annotation(xs[i], L) !== undefined;
    if (!seen) continue;
    if (L.kind === 'vjp') {
      const node: Node = { index: L.nodes.length, prim, inputs: xs, out, p };
      L.nodes.push(node);
      annotate(out, { level: L, node });
    } else {
      const ts = xs.map((x) => annotation(x, L)?.tangent ?? zerosLike(x));
      const t = withVisible(k, () => prim.jvp(ts, xs, out, p));
      if (!sameShape(t.shape, out.shape))
        throw new Error(
          `internal: jvp of ${prim.name} gave shape ${formatShape(t.shape)}, expected ${formatShape(out.shape)}`,
        );
      annotate(out, { level: L, tangent: t });
    }
  }
  return out;
}

/** Runs `fn` inside a new level; `enter` marks the transformation's inputs. The level is popped afterwards. */
export function withLevel<T>(kind: 'vjp' | 'jvp', fn: (L: Level) => T): { level: Level; result: T } {
  if (visible !== stack.length) throw new Error('internal: a transformation was started from inside a derivative rule');
  const L = new Level(kind, stack.length);
  stack.push(L);
  visible = stack.length;
  try {
    return { level: L, result: fn(L) };
  } finally {
    stack.pop();
    visible = stack.length;
  }
}

/** A new tensor sharing x's storage and outer annotations, marked as an input of level L. */
export function enter(x: Tensor, L: Level, tangent?: Tensor): Tensor {
  const y = new Tensor(x.data, x.shape);
  if (x._ad) y._ad = x._ad.filter((a) => isActive(a.level));
  if (L.kind === 'vjp') {
    const node: Node = { index: L.nodes.length, prim: null, inputs: [], out: y, p: undefined };
    L.nodes.push(node);
    annotate(y, { level: L, node });
  } else {
    annotate(y, { level: L, tangent: tangent ?? zerosLike(x) });
  }
  return y;
}

/** x without its annotation at level L (so results handed back do not keep the tape alive). */
export function leave(x: Tensor, L: Level): Tensor {
  if (annotation(x, L) === undefined) return x;
  const y = new Tensor(x.data, x.shape);
  const ad = x._ad!;
  if (ad.length === 1) return y; // the common case: only L's annotation
  const rest: Annotation[] = [];
  for (let i = 0; i < ad.length; i++) if (ad[i].level !== L && isActive(ad[i].level)) rest.push(ad[i]);
  if (rest.length) y._ad = rest;
  return y;
}

/**
 * Reverse sweep over level L's tape from `outs` seeded with `cts`. Returns the cotangent of each of
 * `ins` (null where nothing flowed). L has been popped by then, so the levels still active (outer
 * transformations) differentiate the sweep itself.
 */
export function backward(
  L: Level,
  outs: readonly Tensor[],
  cts: readonly Tensor[],
  ins: readonly Tensor[],
  add: (a: Tensor, b: Tensor) => Tensor,
): (Tensor | null)[] {
  const ct: (Tensor | undefined)[] = new Array(L.nodes.length);
  if (isActive(L)) throw new Error('internal: a reverse sweep was started while its own level is still active');
  for (let i = 0; i < outs.length; i++) {
    const a = annotation(outs[i], L);
    if (a?.node) accumulate(ct, a.node.index, cts[i], add);
  }
  for (let i = L.nodes.length - 1; i >= 0; i--) {
    const g = ct[i];
    const node = L.nodes[i];
    if (g === undefined || node.prim === null) continue;
    const rules = node.prim.vjp(g, node.inputs, node.out, node.p);
    for (let j = 0; j < node.inputs.length; j++) {
      const x = node.inputs[j];
      const a = annotation(x, L);
      const rule = rules[j];
      if (!a?.node || !rule) continue;
      const c = rule();
      if (!sameShape(c.shape, x.shape))
        throw new Error(
          `internal: vjp of ${node.prim.name} gave shape ${formatShape(c.shape)} for an input of shape ${formatShape(x.shape)}`,
        );
      accumulate(ct, a.node.index, c, add);
    }
  }
  const res = new Array<Tensor | null>(ins.length);
  for (let i = 0; i < ins.length; i++) {
    const a = annotation(ins[i], L);
    res[i] = (a?.node && ct[a.node.index]) ?? null;
  }
  return res;
}

/** ct[i] += c, where an empty slot is zero (so a single contribution is used as it is). */
function accumulate(ct: (Tensor | undefined)[], i: number, c: Tensor, add: (a: Tensor, b: Tensor) => Tensor) {
  const prev = ct[i];
  ct[i] = prev === undefined ? c : add(prev, c);
}

/** The tangent of x at level L, if it has one. */
export const tangentOf = (x: Tensor, L: Level): Tensor | undefined => annotation(x, L)?.tangent;
