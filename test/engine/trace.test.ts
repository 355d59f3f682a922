// The tape's bookkeeping (src/engine/trace.ts): results handed back by a transformation carry no
// annotation of it (so they do not keep its tape alive), inside an outer transformation they keep
// exactly the outer one, and a tensor leaked out of a finished transformation enters a new one clean.
import { describe, expect, it } from 'vitest';
import { Tensor, add, exp, grad, jvp, mul, sum, tensor, valueAndGrad, vjp } from '../../src/index.ts';
import { type Primitive, backward, bind, withLevel } from '../../src/engine/trace.ts';

const x = tensor([0.5, -1.25, 2]);
const levelsOf = (t: Tensor) => t._ad?.length ?? 0;

describe('annotations on what transformations hand back', () => {
  it('grad, valueAndGrad, vjp and jvp results carry no annotation once the transformation is over', () => {
    const f = (v: Tensor) => sum(mul(exp(v), v));
    expect(levelsOf(grad(f)(x))).toBe(0);
    const vg = valueAndGrad(f)(x);
    expect(levelsOf(vg.value)).toBe(0);
    expect(levelsOf(vg.grad)).toBe(0);
    const { value, pullback } = vjp((v: Tensor) => mul(v, v), x);
    expect(levelsOf(value)).toBe(0);
    expect(levelsOf(pullback(tensor([1, 1, 1]))[0])).toBe(0);
    const j = jvp((v: Tensor) => mul(v, v), [x], [tensor([1, 0, 0])]);
    expect(levelsOf(j.value)).toBe(0);
    expect(levelsOf(j.tangent)).toBe(0);
  });

  it('inside an outer transformation, an inner one hands back results annotated at the outer level only', () => {
    const seen: number[] = [];
    const outer = grad((v: Tensor) => {
      const g = grad((w: Tensor) => sum(mul(mul(w, w), w)))(v); // 3w², still differentiable by the outer grad
      seen.push(levelsOf(g), levelsOf(v));
      const inner = valueAndGrad((w: Tensor) => sum(mul(w, v)))(v); // closes over the outer input
      seen.push(levelsOf(inner.value), levelsOf(inner.grad));
      return sum(add(g, inner.value));
    })(x);
    expect(seen).toEqual([1, 1, 1, 1]);
    // d/dv Σᵢ (3vᵢ² + Σⱼ vⱼ²) = 6v + 3·2v
    expect(Array.from(outer.data)).toEqual(Array.from(x.data, (a) => 12 * a));
    expect(levelsOf(outer)).toBe(0);
  });

  it('operations on constants alone are not recorded: their results carry no annotation', () => {
    const c = tensor([2, 3, 4]);
    const levels: number[] = [];
    const g = grad((v: Tensor) => {
      const constant = mul(c, c); // no traced input
      const traced = mul(v, c);
      levels.push(levelsOf(constant), levelsOf(traced));
      return sum(add(traced, constant));
    })(x);
    expect(levels).toEqual([0, 1]);
    expect(Array.from(g.data)).toEqual([2, 3, 4]);
    let tangentLevels = -1;
    jvp(
      (v: Tensor) => {
        tangentLevels = levelsOf(mul(c, c));
        return mul(v, c);
      },
      [x],
      [x],
    );
    expect(tangentLevels).toBe(0);
  });

  it('a tensor leaked out of a finished transformation enters the next one with no stale annotation', () => {
    let leaked: Tensor | undefined;
    grad((v: Tensor) => {
      leaked = mul(v, v);
      return sum(leaked);
    })(x);
    expect(levelsOf(leaked!)).toBe(1); // the finished level's annotation, left on the intermediate
    let inside = -1;
    const g = grad((w: Tensor) => {
      inside = levelsOf(w);
      return sum(mul(w, w));
    })(leaked!);
    expect(inside).toBe(1); // only the new level
    expect(Array.from(g.data)).toEqual(Array.from(leaked!.data, (a) => 2 * a));
    // and used as a constant inside a new transformation, it is not mistaken for a traced input
    const h = grad((w: Tensor) => sum(mul(w, leaked!)))(x);
    expect(Array.from(h.data)).toEqual(Array.from(leaked!.data));
  });
});

describe("the tape's own checks on derivative rules (a primitive written wrongly)", () => {
  // a primitive with the identity as forward and deliberately wrong rules, reached through bind
  const wrong = (rule: 'shape' | 'nested'): Primitive<null> => ({
    name: `broken-${rule}`,
    fwd: ([x]) => new Tensor(x.data.slice(), x.shape),
    vjp: (g) => [() => (rule === 'shape' ? tensor([1, 2, 3, 4, 5]) : grad((v: Tensor) => sum(v))(g))],
    jvp: ([t]) => (rule === 'shape' ? tensor([1, 2, 3, 4, 5]) : grad((v: Tensor) => sum(v))(t)),
  });
  const apply = (p: Primitive<null>) => (v: Tensor) => sum(bind(p, [v], null));

  it('a rule that gives a wrongly shaped result is an internal error naming the primitive and both shapes', () => {
    expect(() => grad(apply(wrong('shape')))(x)).toThrow(
      'internal: vjp of broken-shape gave shape [5] for an input of shape [3]',
    );
    expect(() => jvp((v: Tensor) => bind(wrong('shape'), [v], null), [x], [x])).toThrow(
      'internal: jvp of broken-shape gave shape [5], expected [3]',
    );
  });

  it('a tangent rule that starts a transformation of its own is refused (it runs with its level hidden)', () => {
    // a reverse rule runs after its level is popped, where a transformation may start
    expect(Array.from((grad(apply(wrong('nested')))(x) as Tensor).data)).toEqual([1, 1, 1]);
    expect(() => jvp((v: Tensor) => bind(wrong('nested'), [v], null), [x], [x])).toThrow(
      'internal: a transformation was started from inside a derivative rule',
    );
  });

  it('a reverse sweep of a level that is still active is refused', () => {
    expect(() => withLevel('vjp', (L) => backward(L, [], [], [], add))).toThrow(
      'internal: a reverse sweep was started while its own level is still active',
    );
  });
});
