// The transformations: vjp, jvp, grad, valueAndGrad over tensors and trees, nesting, and errors.
import { describe, expect, it } from 'vitest';
import {
  type Tensor, add, exp, grad, jvp, key, matmul, mul, normal, ones, reshape, sum, tanh, tensor, valueAndGrad, vjp,
} from '../../src/index.ts';

/** Every element of a to `digits` decimals of b, and as many of them (an empty or short result fails). */
const close = (a: Tensor, b: number[], digits = 12) => {
  expect(a.size, 'number of elements').toBe(b.length);
  Array.from(a.data).forEach((v, i) => expect(v).toBeCloseTo(b[i], digits));
};

describe('the close helper', () => {
  it('fails on an empty or short result, not only on a wrong value', () => {
    expect(() => close(tensor([]), [1])).toThrow(/number of elements/);
    expect(() => close(tensor([1, 2]), [1])).toThrow(/number of elements/);
    expect(() => close(tensor([1.5]), [1])).toThrow();
    close(tensor([1, 2]), [1, 2]);
  });
});

describe('grad and valueAndGrad', () => {
  it('differentiates a diamond graph, summing the gradient of every use', () => {
    // f = Σ x·x + exp(x)·x ⇒ f' = 2x + exp(x)(1 + x)
    const f = (x: Tensor) => sum(add(mul(x, x), mul(exp(x), x)));
    const x = tensor([-1, 0, 0.5, 2]);
    close(grad(f)(x), [-1, 0, 0.5, 2].map((v) => 2 * v + Math.exp(v) * (1 + v)));
  });

  it('returns the gradient for argument 0 by default, a list for argnums arrays, and passes other arguments through', () => {
    const f = (a: Tensor, b: Tensor, scale: number) => mul(sum(mul(a, b)), scale);
    const a = tensor([1, 2]);
    const b = tensor([3, 4]);
    close(grad(f)(a, b, 2), [6, 8]);
    close(grad(f, { argnums: 1 })(a, b, 2), [2, 4]);
    const [ga, gb] = grad(f, { argnums: [0, 1] })(a, b, 2);
    close(ga, [6, 8]);
    close(gb, [2, 4]);
    const { value, grad: g } = valueAndGrad(f)(a, b, 2);
    expect(value.item()).toBe(22);
    close(g, [6, 8]);
  });

  it('differentiates with respect to a parameter tree and returns a tree of the same shape', () => {
    const params = { w: tensor([[1, 2], [3, 4]]), layers: [{ b: tensor([0.5, -0.5]) }] };
    const x = tensor([[1, 1]]);
    const f = (p: typeof params) => sum(tanh(add(matmul(x, p.w), p.layers[0].b)));
    const g = grad(f)(params);
    expect(Object.keys(g).sort()).toEqual(['layers', 'w']);
    expect(g.w.shape).toEqual([2, 2]);
    expect(g.layers[0].b.shape).toEqual([2]);
    // d/db tanh(z) = 1 − tanh²(z), z = [4.5, 5.5]
    close(g.layers[0].b, [1 - Math.tanh(4.5) ** 2, 1 - Math.tanh(5.5) ** 2]);
  });

  it('gives zeros for an input the output does not depend on', () => {
    const g = grad((a: Tensor, _b: Tensor) => sum(a), { argnums: [0, 1] })(tensor([1, 2]), tensor([[1, 2, 3]]));
    expect(Array.from(g[1].data)).toEqual([0, 0, 0]);
  });

  it('refuses a non-scalar output, a bad argnums and a non-function', () => {
    expect(() => grad((x: Tensor) => x)(tensor([1, 2]))).toThrow(/one-element Tensor.*shape \[2\]/);
    expect(() => grad((x: Tensor) => sum(x), { argnums: 3 })(tensor([1]))).toThrow(/argnums 3 is out of range for 1 arguments/);
    expect(() => grad((x: Tensor) => sum(x), { argnums: [0, 0] })).toThrow(/argnums must not repeat an argument, got \[0, 0\]/);
    expect(() => grad((x: Tensor) => sum(x))([1, 2] as never)).toThrow(/Tensor or an array\/object of Tensors, got 1|got 1/);
    expect(() => grad(42 as never)).toThrow(/expected a function, got 42/);
  });
});

describe('vjp and jvp', () => {
  it('vjp: the pullback may be called several times, and results match the Jacobian', () => {
    const W = tensor([[1, 2, 3], [4, 5, 6]]);
    const { value, pullback } = vjp((x: Tensor) => matmul(x, W), tensor([[1, -1]]));
    expect(Array.from(value.data)).toEqual([-3, -3, -3]);
    expect(Array.from(pullback(tensor([[1, 0, 0]]))[0].data)).toEqual([1, 4]);
    expect(Array.from(pullback(tensor([[0, 0, 1]]))[0].data)).toEqual([3, 6]);
    expect(() => pullback(tensor([1, 2, 3]))).toThrow(/shape \[1, 3\].*got \[3\]/);
  });

  it('jvp: the directional derivative, with trees of primals and tangents', () => {
    const f = (p: { a: Tensor; b: Tensor }) => mul(p.a, p.b);
    const { value, tangent } = jvp(f, [{ a: tensor([1, 2]), b: tensor([3, 4]) }], [{ a: tensor([1, 0]), b: tensor([0, 1]) }]);
    expect(Array.from(value.data)).toEqual([3, 8]);
    expect(Array.from(tangent.data)).toEqual([3, 2]);
    expect(() => jvp(f, [{ a: tensor([1, 2]), b: tensor([3, 4]) }], [{ a: tensor([1]), b: tensor([0, 1]) }])).toThrow(/shape \[2\].*got \[1\]/);
    expect(() => jvp(f, [] as never, [{}] as never)).toThrow(/1 tangents|0 primals/);
  });

  it('jvp of a function that ignores its input gives zero tangents', () => {
    const { tangent } = jvp((_x: Tensor) => ones([2]), [tensor([1])], [tensor([1])]);
    expect(Array.from(tangent.data)).toEqual([0, 0]);
  });
});

describe('nested transformations', () => {
  const cube = (x: Tensor) => sum(mul(mul(x, x), x));
  const x = tensor([-1, 0.5, 2]);

  it('grad of grad: the second derivative 6x', () => {
    close(grad((x: Tensor) => sum(grad(cube)(x)))(x), [-6, 3, 12]);
  });

  it('jvp of grad (a Hessian-vector product) and grad of jvp agree', () => {
    const v = tensor([1, 2, 3]);
    const hvp = jvp((x: Tensor) => grad(cube)(x), [x], [v]).tangent;
    close(hvp, [-6, 6, 36]);
    const viaReverse = grad((x: Tensor) => sum(mul(jvp(cube, [x], [v]).tangent, 1)))(x);
    close(viaReverse, [-6, 6, 36]);
  });

  it('third derivatives by nesting grad three times', () => {
    const f = (x: Tensor) => sum(mul(mul(mul(x, x), x), x)); // x⁴ ⇒ 24x
    const d3 = grad((x: Tensor) => sum(grad((y: Tensor) => sum(grad(f)(y)))(x)))(x);
    close(d3, [-24, 12, 48], 10);
  });

  it('a gradient does not leak into an unrelated outer transformation (no perturbation confusion)', () => {
    // d/dx [ x · d/dy (x·y) ] = d/dx [x · x] = 2x; confusing the two levels would give 3x or x
    const f = (x: Tensor) => sum(mul(x, grad((y: Tensor) => sum(mul(x, y)))(ones(x.shape))));
    close(grad(f)(x), [-2, 1, 4]);
  });
});

describe('inputs are never modified, results do not alias the tape', () => {
  it('leaves the caller’s tensors untouched', () => {
    const x = normal(key(1), [3, 2]);
    const before = Array.from(x.data);
    grad((x: Tensor) => sum(tanh(reshape(x, [6]))))(x);
    jvp((x: Tensor) => tanh(x), [x], [x]);
    expect(Array.from(x.data)).toEqual(before);
  });
});
