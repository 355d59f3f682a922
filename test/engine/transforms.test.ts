// The transformations: vjp, jvp, grad, valueAndGrad over tensors and trees, nesting, and errors; then
// their edge cases (every refusal word for word, argnums, derivatives through the shape and indexing ops).
import { describe, expect, it } from 'vitest';
import {
  type Tensor,
  add,
  broadcastTo,
  concat,
  exp,
  grad,
  jvp,
  key,
  matmul,
  max,
  maximum,
  minimum,
  mul,
  neg,
  normal,
  ones,
  pow,
  reshape,
  slice,
  softmax,
  square,
  sum,
  sumTo,
  take,
  tanh,
  tensor,
  transpose,
  valueAndGrad,
  vjp,
  zeros,
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
    close(
      grad(f)(x),
      [-1, 0, 0.5, 2].map((v) => 2 * v + Math.exp(v) * (1 + v)),
    );
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
    const params = {
      w: tensor([
        [1, 2],
        [3, 4],
      ]),
      layers: [{ b: tensor([0.5, -0.5]) }],
    };
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
    expect(() => grad((x: Tensor) => sum(x), { argnums: 3 })(tensor([1]))).toThrow(
      /argnums 3 is out of range for 1 arguments/,
    );
    expect(() => grad((x: Tensor) => sum(x), { argnums: [0, 0] })).toThrow(
      /argnums must not repeat an argument, got \[0, 0\]/,
    );
    expect(() => grad((x: Tensor) => sum(x))([1, 2] as never)).toThrow(
      /Tensor or an array\/object of Tensors, got 1|got 1/,
    );
    expect(() => grad(42 as never)).toThrow(/expected a function, got 42/);
  });
});

describe('vjp and jvp', () => {
  it('vjp: the pullback may be called several times, and results match the Jacobian', () => {
    const W = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const { value, pullback } = vjp((x: Tensor) => matmul(x, W), tensor([[1, -1]]));
    expect(Array.from(value.data)).toEqual([-3, -3, -3]);
    expect(Array.from(pullback(tensor([[1, 0, 0]]))[0].data)).toEqual([1, 4]);
    expect(Array.from(pullback(tensor([[0, 0, 1]]))[0].data)).toEqual([3, 6]);
    expect(() => pullback(tensor([1, 2, 3]))).toThrow(/shape \[1, 3\].*got \[3\]/);
  });

  it('jvp: the directional derivative, with trees of primals and tangents', () => {
    const f = (p: { a: Tensor; b: Tensor }) => mul(p.a, p.b);
    const { value, tangent } = jvp(
      f,
      [{ a: tensor([1, 2]), b: tensor([3, 4]) }],
      [{ a: tensor([1, 0]), b: tensor([0, 1]) }],
    );
    expect(Array.from(value.data)).toEqual([3, 8]);
    expect(Array.from(tangent.data)).toEqual([3, 2]);
    expect(() => jvp(f, [{ a: tensor([1, 2]), b: tensor([3, 4]) }], [{ a: tensor([1]), b: tensor([0, 1]) }])).toThrow(
      /shape \[2\].*got \[1\]/,
    );
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

// ---------------------------------------------------------------------------------------------------
// Edge cases of the transformations (src/engine/transforms.ts): every refusal word for word, and argnums.

const t = tensor([1, 2]);
const u = tensor([3, -1]);
const bad = (what: string, got: string) => `expected ${what} to be a Tensor or an array/object of Tensors, got ${got}`;

describe('vjp, valueAndGrad, jvp: refusals word for word', () => {
  it('each names itself when given something that is not a function', () => {
    expect(() => vjp(5 as never)).toThrow('vjp: expected a function, got 5');
    expect(() => valueAndGrad(5 as never)).toThrow('valueAndGrad: expected a function, got 5');
    expect(() => grad('f' as never)).toThrow('valueAndGrad: expected a function, got "f"');
    expect(() => jvp(5 as never, [], [])).toThrow('jvp: expected a function, got 5');
  });

  it('vjp names the primal, the output and the cotangent that are not trees of tensors', () => {
    expect(() => vjp((a: Tensor) => a, [t, 'x'] as never)).toThrow(bad('vjp primal 0[1]', '"x"'));
    expect(() => vjp(((_a: Tensor, b: Tensor) => b) as never, t, { w: 3 } as never)).toThrow(
      bad('vjp primal 1.w', '3'),
    );
    expect(() => vjp((() => 'x') as never, t)).toThrow(bad('vjp output', '"x"'));
    const { pullback } = vjp((a: Tensor) => a, t);
    expect(() => pullback('x' as never)).toThrow(bad('cotangent', '"x"'));
  });

  it('a cotangent must match the outputs, tensor for tensor', () => {
    const two = vjp((a: Tensor) => [a, mul(a, a)] as never, t);
    expect(() => two.pullback([t] as never)).toThrow('pullback: expected 2 tensors to match the outputs, got 1');
    expect(() => two.pullback([t, tensor([1])] as never)).toThrow(
      'pullback: tensor 1 must have shape [2] like its output, got [1]',
    );
    const [g] = two.pullback([tensor([1, 0]), tensor([0, 1])] as never) as unknown as [Tensor];
    expect(Array.from(g.data)).toEqual([1, 4]); // e₀ + 2a·e₁
  });

  it('jvp names the primal, tangent and output, and matches tangents to primals', () => {
    expect(() => jvp((a: Tensor) => a, [[t, 'x']] as never, [[t, t]] as never)).toThrow(bad('jvp primal 0[1]', '"x"'));
    expect(() => jvp((a: Tensor) => a, [t] as never, [[t, 'x']] as never)).toThrow(bad('jvp tangent 0[1]', '"x"'));
    expect(() => jvp((a: Tensor) => a, [t], [tensor([1])])).toThrow(
      'jvp tangents of argument 0: tensor 0 must have shape [2] like its primal, got [1]',
    );
    expect(() => jvp((a: Tensor) => a, [[t, t]] as never, [[t]] as never)).toThrow(
      'jvp tangents of argument 0: expected 2 tensors to match the primals, got 1',
    );
    expect(() => jvp((() => 'x') as never, [t], [t])).toThrow(bad('jvp output', '"x"'));
    expect(() => jvp(((a: Tensor) => a) as never, [t, t], [t])).toThrow('jvp: got 2 primals but 1 tangents');
  });
});

describe('argnums', () => {
  const f = (a: Tensor, b: Tensor) => sum(mul(mul(a, a), b));

  it('must name arguments that exist: integers in [0, number of arguments)', () => {
    for (const n of [-1, 1.5, 2])
      expect(() => grad(f, { argnums: n })(t, u)).toThrow(`grad: argnums ${n} is out of range for 2 arguments`);
    expect(() => grad((a: Tensor) => sum(a), { argnums: 1 })(t)).toThrow(
      'grad: argnums 1 is out of range for 1 arguments',
    );
    expect(() => grad(f, { argnums: [1, 1] })).toThrow('grad: argnums must not repeat an argument, got [1, 1]');
  });

  it('a number gives that gradient, a list a list of gradients (an empty list, none), in the order listed', () => {
    const [ga, gb] = [Array.from(mul(mul(t, u), tensor([2, 2])).data), Array.from(mul(t, t).data)]; // ∂/∂a = 2ab, ∂/∂b = a²
    expect(Array.from(grad(f)(t, u).data)).toEqual(ga);
    expect(Array.from(grad(f, { argnums: 1 })(t, u).data)).toEqual(gb);
    const both = grad(f, { argnums: [1, 0] })(t, u) as Tensor[];
    expect(both.map((g) => Array.from(g.data))).toEqual([gb, ga]);
    expect(grad(f, { argnums: [] })(t, u)).toEqual([]);
    expect(grad((a: Tensor) => sum(a), { argnums: [] })(t)).toEqual([]);
    const one = grad((a: Tensor) => sum(mul(a, a)), { argnums: [0] })(t) as Tensor[];
    expect(one.map((g) => Array.from(g.data))).toEqual([[2, 4]]);
    // the arguments not differentiated are passed through as they are
    expect(Array.from(grad((a: Tensor, k: number) => sum(mul(a, tensor([k, k]))))(t, 3).data)).toEqual([3, 3]);
  });
});

describe('second derivatives through the indexing ops', () => {
  // f(x) = Σ c(x)³ for c one of the indexing ops: grad f puts 3c(x)² back where c took it from (the
  // adjoint op), so forward- and reverse-over-reverse differentiate the adjoint ops themselves
  const x = tensor([1, 2, 3, 4]);
  const v = tensor([1, -1, 2, 0.5]);
  const cube = (a: Tensor) => mul(mul(a, a), a);
  const cases: [string, (a: Tensor) => Tensor, number[]][] = [
    // the Hessian is diagonal: 6·x_i times how often c uses x_i
    ['slice', (a) => slice(a, 1, 3), [0, 1, 1, 0]],
    ['concat', (a) => concat([slice(a, 2, 4), slice(a, 0, 1)]), [1, 0, 1, 1]],
    ['take', (a) => take(a, [2, 0, 2]), [1, 0, 2, 0]],
  ];
  for (const [name, c, uses] of cases) {
    it(`${name}: Hessian-vector products forward over reverse and reverse over reverse agree with 6·uses·x·v`, () => {
      const f = (a: Tensor) => sum(cube(c(a)));
      const hv = [0, 1, 2, 3].map((i) => 6 * uses[i] * x.data[i] * v.data[i] + 0); // + 0: an unused element gets +0, never −0
      expect(Array.from(grad(f)(x).data)).toEqual([0, 1, 2, 3].map((i) => 3 * uses[i] * x.data[i] ** 2));
      expect(Array.from((jvp((a: Tensor) => grad(f)(a), [x], [v]).tangent as Tensor).data)).toEqual(hv);
      expect(Array.from(grad((a: Tensor) => sum(mul(grad(f)(a), v)))(x).data)).toEqual(hv);
    });
  }
});

describe('second derivatives through matmul', () => {
  // f(A, B) = Σ (A·B)²: grad_A = 2·C·Bᵀ and grad_B = 2·Aᵀ·C (C = A·B) are products with a transposed
  // operand, so differentiating them again runs the product's rule for every transpose flag it makes.
  // Along (dA, dB) the Hessian gives d grad_A = 2(dA·B + A·dB)·Bᵀ + 2C·dBᵀ, d grad_B = 2dAᵀ·C + 2Aᵀ(dA·B + A·dB),
  // computed here with plain loops; small integers keep every sum exact.
  type M = number[][];
  const mm = (x: M, y: M) => x.map((r) => y[0].map((_, j) => r.reduce((s, v, k) => s + v * y[k][j], 0)));
  const tr = (x: M) => x[0].map((_, j) => x.map((r) => r[j]));
  const plus = (x: M, y: M) => x.map((r, i) => r.map((v, j) => v + y[i][j]));
  const times = (c: number, x: M) => x.map((r) => r.map((v) => c * v));
  const A = [
    [1, -2, 3],
    [0, 2, -1],
  ];
  const B = [
    [2, 1],
    [-1, 3],
    [1, 0],
  ];
  const dA = [
    [1, 0, -1],
    [2, 1, 1],
  ];
  const dB = [
    [0, 1],
    [1, -2],
    [3, 1],
  ];
  const C = mm(A, B);
  const dC = plus(mm(dA, B), mm(A, dB));
  const hA = plus(times(2, mm(dC, tr(B))), times(2, mm(C, tr(dB))));
  const hB = plus(times(2, mm(tr(dA), C)), times(2, mm(tr(A), dC)));
  const f = (a: Tensor, b: Tensor) => sum(square(matmul(a, b)));
  const both = grad(f, { argnums: [0, 1] }) as (a: Tensor, b: Tensor) => Tensor[];

  it('forward over reverse', () => {
    const { tangent } = jvp((a: Tensor, b: Tensor) => both(a, b), [tensor(A), tensor(B)], [tensor(dA), tensor(dB)]);
    expect((tangent as Tensor[]).map((t) => t.toArray())).toEqual([hA, hB]);
  });

  it('reverse over reverse: the gradient of ⟨(dA, dB), ∇f⟩ is the same Hessian-vector product', () => {
    const inner = (a: Tensor, b: Tensor) => {
      const [ga, gb] = both(a, b);
      return add(sum(mul(ga, tensor(dA))), sum(mul(gb, tensor(dB))));
    };
    const [ha, hb] = grad(inner, { argnums: [0, 1] })(tensor(A), tensor(B)) as Tensor[];
    expect([ha.toArray(), hb.toArray()]).toEqual([hA, hB]);
  });

  it('third order, forward over forward over reverse: Σ (a·B)³ along dA twice gives 6·(dA·B)²·Bᵀ', () => {
    const cube = (a: Tensor) => sum(mul(mul(matmul(a, tensor(B)), matmul(a, tensor(B))), matmul(a, tensor(B))));
    const d3 = jvp(
      (a: Tensor) => jvp((b: Tensor) => grad(cube)(b), [a], [tensor(dA)]).tangent as Tensor,
      [tensor(A)],
      [tensor(dA)],
    ).tangent as Tensor;
    const dAB = mm(dA, B);
    const expected = mm(
      times(
        6,
        dAB.map((r) => r.map((v) => v * v)),
      ),
      tr(B),
    );
    expect(d3.toArray()).toEqual(expected);
  });
});

describe('first derivatives of the shape ops and pow', () => {
  it('transpose, broadcastTo and pow', () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const w = tensor([
      [1, -1],
      [2, 0],
      [0, 3],
    ]);
    expect(grad((a: Tensor) => sum(mul(transpose(a), w)))(x).toArray()).toEqual([
      [1, 2, 0],
      [-1, 0, 3],
    ]);
    expect(grad((a: Tensor) => sum(mul(transpose(a, [0, 1]), x)))(x).toArray()).toEqual(x.toArray());
    // a cyclic permutation is not its own inverse: the gradient goes back through [2, 0, 1], not the reversal
    const c = tensor([
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
    ]);
    expect(grad((a: Tensor) => sum(mul(transpose(a, [1, 2, 0]), transpose(c, [1, 2, 0]))))(c).toArray()).toEqual(
      c.toArray(),
    );
    expect(grad((a: Tensor) => sum(mul(broadcastTo(a, [2, 3]), x)))(tensor([1, 1, 1])).toArray()).toEqual([5, 7, 9]);
    expect(grad((a: Tensor) => sum(mul(broadcastTo(a, [2, 3]), x)))(tensor([[1], [1]])).toArray()).toEqual([[6], [15]]);
    expect(grad((a: Tensor) => sum(pow(a, 3)))(tensor([1, -2, 0.5])).toArray()).toEqual([3, 12, 0.75]);
    expect(grad((a: Tensor) => sum(pow(a, 0)))(tensor([1, -2, 0])).toArray()).toEqual([0, 0, 0]);
    expect((jvp((a: Tensor) => pow(a, 3), [tensor([1, -2])], [tensor([2, 1])]).tangent as Tensor).toArray()).toEqual([
      6, 12,
    ]);
    expect((jvp((a: Tensor) => pow(a, 0), [tensor([1, 0])], [tensor([2, 1])]).tangent as Tensor).toArray()).toEqual([
      0, 0,
    ]);
    expect((jvp((a: Tensor) => transpose(a), [x], [transpose(w)]).tangent as Tensor).toArray()).toEqual(w.toArray());
    expect(
      (jvp((a: Tensor) => broadcastTo(a, [2, 2]), [tensor([1, 2])], [tensor([3, 4])]).tangent as Tensor).toArray(),
    ).toEqual([
      [3, 4],
      [3, 4],
    ]);
  });
});

describe('first derivatives that split, route or negate', () => {
  it('neg; minimum and maximum in each argument, ties split evenly; max over ties', () => {
    const a = tensor([1, 5, 3]);
    const b = tensor([2, 4, 3]);
    expect(grad((x: Tensor) => sum(mul(neg(x), tensor([1, 2, 3]))))(a).toArray()).toEqual([-1, -2, -3]);
    for (const [f, wa, wb] of [
      [minimum, [1, 0, 0.5], [0, 1, 0.5]],
      [maximum, [0, 1, 0.5], [1, 0, 0.5]],
    ] as const) {
      const [ga, gb] = grad((x: Tensor, y: Tensor) => sum(f(x, y)), { argnums: [0, 1] })(a, b) as Tensor[];
      expect([ga.toArray(), gb.toArray()]).toEqual([wa, wb]);
    }
    expect(grad((x: Tensor) => sum(max(x)))(tensor([3, 1, 3, 2])).toArray()).toEqual([0.5, 0, 0.5, 0]);
  });

  it('take of rows routes each row of the gradient back to its row, repeats added', () => {
    const x = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const w = tensor([
      [1, 10],
      [100, 1000],
      [7, 70],
    ]);
    expect(grad((a: Tensor) => sum(mul(take(a, [2, 0, 2]), w)))(x).toArray()).toEqual([
      [100, 1000],
      [0, 0],
      [8, 80],
    ]);
  });
});

describe('shape ops at their edges', () => {
  it('the identity permutation, shape and sum give back the tensor itself', () => {
    const x = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(transpose(x, [0, 1])).toBe(x);
    expect(reshape(x, [2, 2])).toBe(x);
    expect(sumTo(x, [2, 2])).toBe(x);
    expect(broadcastTo(x, [2, 2])).toBe(x);
  });

  it('-1 next to a zero dimension stands for 0', () => {
    expect(reshape(zeros([0, 3]), [0, -1]).shape).toEqual([0, 0]);
  });

  it('softmax runs over the last axis by default, at any rank', () => {
    expect(softmax(tensor([0, Math.log(3)])).toArray()).toEqual([0.25, 0.75]);
    const x = tensor([
      [
        [0, Math.log(3)],
        [0, 0],
      ],
    ]);
    expect(softmax(x).toArray()).toEqual(softmax(x, 2).toArray());
    expect(softmax(x).toArray()).not.toEqual(softmax(x, 1).toArray());
  });
});
