// Trees of tensors (arrays and plain objects of them, like parameter sets): flatten gives their
// tensors in a fixed order and a function that rebuilds the tree from new ones; the transforms take
// and return such trees.
import { Tensor } from './tensor.ts';
import { describeValue } from './shape.ts';

export type Tree = Tensor | readonly Tree[] | { readonly [k: string]: Tree };

/** The tensors of a tree in a fixed order, and a function that rebuilds the tree from new ones. */
export function flatten(
  tree: Tree,
  what = 'argument',
): { leaves: Tensor[]; rebuild: (leaves: readonly Tensor[]) => Tree } {
  // a bare tensor, the common case of grad(f)(x), costs no walk
  if (tree instanceof Tensor) return { leaves: [tree], rebuild: rebuildLeaf };
  const leaves: Tensor[] = [];
  // paths are spelled out only for the error message, in a second walk, so a valid tree builds no strings
  const walk = (t: unknown): unknown => {
    if (t instanceof Tensor) {
      leaves.push(t);
      return leaves.length - 1;
    }
    if (Array.isArray(t)) return t.map(walk);
    if (t !== null && typeof t === 'object' && Object.getPrototypeOf(t) === Object.prototype) {
      return Object.fromEntries(
        Object.keys(t)
          .sort()
          .map((k) => [k, walk((t as Record<string, unknown>)[k])]),
      );
    }
    throw new TypeError(
      `expected ${pathOf(tree, t, what)} to be a Tensor or an array/object of Tensors, got ${describeValue(t)}`,
    );
  };
  const skeleton = walk(tree);
  const rebuild = (ls: readonly Tensor[]): Tree => {
    if (!Array.isArray(ls) || ls.length !== leaves.length)
      throw new RangeError(
        `rebuild: expected an array of ${leaves.length} tensors (one per leaf of ${what}), got ${describeValue(ls)}`,
      );
    const build = (s: unknown): unknown =>
      typeof s === 'number'
        ? ls[s]
        : Array.isArray(s)
          ? s.map(build)
          : Object.fromEntries(Object.entries(s as object).map(([k, v]) => [k, build(v)]));
    return build(skeleton) as Tree;
  };
  return { leaves, rebuild };
}
const rebuildLeaf = (ls: readonly Tensor[]): Tree => {
  if (!Array.isArray(ls) || ls.length !== 1)
    throw new RangeError(`rebuild: expected an array of 1 tensor (the tree is one tensor), got ${describeValue(ls)}`);
  return ls[0];
};

/** Where `bad` sits in `tree`, as `what[0].key…` (the first place, in flatten's order). */
function pathOf(tree: unknown, bad: unknown, what: string): string {
  const find = (t: unknown, path: string): string | null => {
    if (Object.is(t, bad)) return path;
    if (Array.isArray(t)) {
      for (let i = 0; i < t.length; i++) {
        const r = find(t[i], `${path}[${i}]`);
        if (r !== null) return r;
      }
    } else if (t !== null && typeof t === 'object' && !(t instanceof Tensor)) {
      for (const k of Object.keys(t).sort()) {
        const r = find((t as Record<string, unknown>)[k], `${path}.${k}`);
        if (r !== null) return r;
      }
    }
    return null;
  };
  return find(tree, what) ?? what;
}
