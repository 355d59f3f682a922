// float32 tensors: creation, conversion, promotion, and every op against its float64 counterpart.
// The contract checked here: an elementwise op or a reduction on float32 tensors gives exactly
// fround(the float64 op on the same values) (float64 computes the float32 values' result, then it is
// rounded once); matmul is held to a stated bound instead, since its kernel accumulates in float32;
// derivatives in float32 agree with float64 to a stated relative tolerance; and a gradient always
// has its primal's dtype.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  type DType,
  type Tensor,
  abs,
  add,
  astype,
  bernoulli,
  checkGrad,
  concat,
  div,
  dropConnect,
  dropout,
  dropoutWithMask,
  equal,
  errorRate,
  exp,
  fit,
  float64Data,
  full,
  gaussianDropout,
  grad,
  greater,
  jvp,
  key,
  log,
  logSoftmax,
  mapRows,
  matmul,
  max,
  maximum,
  mean,
  minimum,
  mlp,
  mul,
  neg,
  normal,
  ones,
  pow,
  relu,
  reshape,
  scalar,
  sgd,
  sigmoid,
  slice,
  softmaxCrossEntropy,
  sqrt,
  square,
  sub,
  sum,
  take,
  tanh,
  tensor,
  transpose,
  uniform,
  vjp,
  zeros,
} from '../../src/index.ts';

const f32 = (t: Tensor) => astype(t, 'float32');
const f64 = (t: Tensor) => astype(t, 'float64');
/** The float64 result rounded to float32, element by element. */
const rounded = (t: Tensor) => Float32Array.from(t.data);
const bits = (a: ArrayLike<number>) =>
  Array.from(a, (v) => (Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : String(v)));

/** A [rows, cols] float32 tensor of values in (−4, 4) from fast-check, and the same values in float64. */
const pair = (shape: number[]) =>
  fc
    .array(fc.double({ min: -4, max: 4, noNaN: true }), {
      minLength: shape.reduce((a, b) => a * b, 1),
      maxLength: shape.reduce((a, b) => a * b, 1),
    })
    .map((v) => {
      const x32 = tensor(v, shape, { dtype: 'float32' });
      return { x32, x64: f64(x32) };
    });

describe('creation and conversion', () => {
  it('every creation function takes a dtype, float64 by default', () => {
    const made: [string, Tensor][] = [
      ['tensor', tensor([[0.1, 0.2]], undefined, { dtype: 'float32' })],
      ['tensor with a shape', tensor([0.1, 0.2], [1, 2], { dtype: 'float32' })],
      ['scalar', scalar(0.1, { dtype: 'float32' })],
      ['zeros', zeros([2], { dtype: 'float32' })],
      ['ones', ones([2], { dtype: 'float32' })],
      ['full', full([2], 0.1, { dtype: 'float32' })],
      ['uniform', uniform(key(1), [3], 0, 1, { dtype: 'float32' })],
      ['normal', normal(key(1), [3], 0, 1, { dtype: 'float32' })],
      ['bernoulli', bernoulli(key(1), 0.5, [3], { dtype: 'float32' })],
    ];
    for (const [name, t] of made) {
      expect(t.dtype, name).toBe('float32');
      expect(t.data, name).toBeInstanceOf(Float32Array);
    }
    expect(tensor([0.1]).dtype).toBe('float64');
    expect(tensor(new Float32Array([0.5])).dtype).toBe('float64'); // the call says the dtype, not the input's array type
    expect(tensor([0.1], undefined, { dtype: 'float32' }).data[0]).toBe(Math.fround(0.1));
  });

  it('a wrong dtype is refused, naming the function and what came', () => {
    expect(() => tensor([1], undefined, { dtype: 'float16' as DType })).toThrow(
      new TypeError(`tensor: expected options.dtype to be 'float64' or 'float32', got "float16"`),
    );
    expect(() => zeros([1], { dtype: 'int32' as DType })).toThrow(
      /zeros: expected options.dtype to be 'float64' or 'float32', got "int32"/,
    );
    expect(() => normal(key(0), [1], 0, 1, 5 as never)).toThrow(/normal: expected options \{ dtype\? \}, got 5/);
    expect(() => astype(tensor([1]), 'half' as DType)).toThrow(
      /astype: expected dtype to be 'float64' or 'float32', got "half"/,
    );
    expect(() => astype(3 as never, 'float32')).toThrow(/astype: expected x to be a Tensor, got 3/);
  });

  it('float32 draws are the float64 draws of the same key, rounded (uniform redraws one that rounds up to high)', () => {
    for (const seed of [1, 2, 3]) {
      expect(bits(normal(key(seed), [257], 0.5, 2, { dtype: 'float32' }).data)).toEqual(
        bits(rounded(normal(key(seed), [257], 0.5, 2))),
      );
      expect(bits(bernoulli(key(seed), 0.3, [257], { dtype: 'float32' }).data)).toEqual(
        bits(bernoulli(key(seed), 0.3, [257]).data),
      );
      expect(bits(uniform(key(seed), [257], -1, 1, { dtype: 'float32' }).data)).toEqual(
        bits(rounded(uniform(key(seed), [257], -1, 1))),
      );
    }
    // a width of one float32 ulp below high: most float64 draws round up to high and are drawn again
    const high = 1,
      low = 1 - 2 ** -24;
    const u = uniform(key(4), [1000], low, high, { dtype: 'float32' }).data;
    expect(u.every((v) => v === Math.fround(low))).toBe(true);
  });

  it('astype rounds to float32, converts back exactly, is x itself for its own dtype, and its derivative converts back', () => {
    const x = tensor([0.1, 1e-50, 1e50, -0]);
    const y = f32(x);
    expect(bits(y.data)).toEqual(bits([Math.fround(0.1), 0, Infinity, -0]));
    expect(f64(y).data).toEqual(Float64Array.from(y.data));
    expect(f32(y)).toBe(y);
    expect(astype(x, 'float64')).toBe(x);
    const g = grad((t: Tensor) => sum(mul(f32(t), 3)))(x);
    expect(g.dtype).toBe('float64');
    expect(Array.from(g.data)).toEqual([3, 3, 3, 3]);
    const t = jvp((v: Tensor) => f32(v), [x], [tensor([1, 2, 3, 4])]).tangent as Tensor;
    expect(t.dtype).toBe('float32');
  });

  it('options that are not an object, or an empty one, and each function naming itself', () => {
    expect(() => tensor([1], undefined, null as never)).toThrow(
      new TypeError('tensor: expected options { dtype? }, got null'),
    );
    expect(() => ones([1], 'float32' as never)).toThrow(
      new TypeError('ones: expected options { dtype? }, got "float32"'),
    );
    expect(tensor([1], undefined, {}).dtype).toBe('float64');
    expect(zeros([1], {}).dtype).toBe('float64');
    expect(() => scalar(1, { dtype: 'x' as DType })).toThrow(/^scalar: expected options.dtype/);
    expect(() => ones([1], { dtype: 'x' as DType })).toThrow(/^ones: expected options.dtype/);
  });

  it('float64Data hands out float64 storage and refuses float32, saying how to convert', () => {
    expect(() => float64Data(tensor([1], undefined, { dtype: 'float32' }))).toThrow(
      /^float64Data: expected a float64 tensor/,
    );
    expect(() => float64Data([1] as never)).toThrow(
      new TypeError('float64Data: expected x to be a Tensor, got an array of length 1'),
    );
    expect(float64Data(tensor([1]))).toBeInstanceOf(Float64Array);
    expect(() => float64Data(tensor([1], undefined, { dtype: 'float32' }), 'myTool')).toThrow(
      /myTool: expected a float64 tensor, got a float32 one of shape \[1\]; convert it with astype\(x, 'float64'\)/,
    );
  });
});

describe('promotion', () => {
  it('numbers take the tensor operand dtype; float32 meets float64 as float64, exactly', () => {
    const a = tensor([0.1, 0.7], undefined, { dtype: 'float32' });
    const b = tensor([0.3, 0.2]);
    expect(add(a, 1).dtype).toBe('float32');
    expect(mul(2, a).dtype).toBe('float32');
    expect(add(1, 2).dtype).toBe('float64');
    for (const op of [add, sub, mul, div, maximum, minimum, equal, greater]) {
      const z = op(a, b);
      expect(z.dtype, op.name).toBe('float64');
      expect(bits(z.data), op.name).toEqual(bits(op(f64(a), b).data));
      expect(op(b, a).dtype, op.name).toBe('float64');
    }
    expect(matmul(reshape(a, [1, 2]), reshape(b, [2, 1])).dtype).toBe('float64');
    expect(concat([a, b]).dtype).toBe('float64');
    expect(concat([a, a]).dtype).toBe('float32');
  });

  it('a gradient has its primal dtype whatever the function mixed', () => {
    const a = tensor([0.1, 0.7], undefined, { dtype: 'float32' });
    const b = tensor([0.3, 0.2]);
    const [ga, gb] = grad((x: Tensor, y: Tensor) => sum(mul(exp(x), y)), { argnums: [0, 1] })(a, b);
    expect([ga.dtype, gb.dtype]).toEqual(['float32', 'float64']);
    // the cotangent of exp(x) is b, converted back to float32 by astype's rule, then times the float32 exp(x), rounded
    expect(bits(ga.data)).toEqual(
      bits(Float32Array.from(a.data, (v, i) => Math.fround(b.data[i]) * Math.fround(Math.exp(v)))),
    );
  });

  it('a float64 first operand promotes the float32 second one too, and its gradient comes back float32', () => {
    const a = tensor([0.1, 0.7], undefined, { dtype: 'float32' });
    const b = tensor([0.3, 0.2]);
    const [ga, gb] = grad((x: Tensor, y: Tensor) => sum(mul(y, exp(x))), { argnums: [0, 1] })(a, b);
    expect([ga.dtype, gb.dtype]).toEqual(['float32', 'float64']);
    expect(bits(ga.data)).toEqual(
      bits(Float32Array.from(a.data, (v, i) => Math.fround(b.data[i]) * Math.fround(Math.exp(v)))),
    );
  });

  it('tangents and cotangents must have their primal dtype, as in JAX', () => {
    const a = tensor([0.5], undefined, { dtype: 'float32' });
    expect(() => jvp((x: Tensor) => exp(x), [a], [tensor([1])])).toThrow(
      new TypeError('jvp tangents of argument 0: tensor 0 must have dtype float32 like its primal, got float64'),
    );
    const { pullback } = vjp((x: Tensor) => exp(x), a);
    expect(() => pullback(tensor([1]))).toThrow(
      new TypeError('pullback: tensor 0 must have dtype float32 like its output, got float64'),
    );
  });
});

describe('float32 ops are the float64 ops rounded', () => {
  const unaries: [string, (x: Tensor) => Tensor][] = [
    ['neg', neg],
    ['exp', exp],
    ['log∘abs', (x) => log(abs(x))],
    ['sqrt∘abs', (x) => sqrt(abs(x))],
    ['square', square],
    ['tanh', tanh],
    ['sigmoid', sigmoid],
    ['relu', relu],
    ['abs', abs],
    ['pow 3', (x) => pow(x, 3)],
  ];
  it('unary ops, bit for bit (the composed ones through a float32 intermediate)', () => {
    fc.assert(
      fc.property(pair([3, 5]), ({ x32, x64 }) => {
        for (const [name, f] of unaries) {
          const composed = name.includes('∘');
          // a composition rounds its intermediate: compare with float64 applied to that rounded intermediate
          const want = composed
            ? rounded(name.startsWith('log') ? log(f64(abs(x32))) : sqrt(f64(abs(x32))))
            : rounded(f(x64));
          expect(bits(f(x32).data), name).toEqual(bits(want));
        }
      }),
      { numRuns: 30 },
    );
  });

  it('binary ops with broadcasting, bit for bit', () => {
    fc.assert(
      fc.property(pair([4, 3]), pair([3]), ({ x32: a32, x64: a64 }, { x32: b32, x64: b64 }) => {
        for (const op of [add, sub, mul, div, maximum, minimum, equal, greater]) {
          expect(bits(op(a32, b32).data), op.name).toEqual(bits(rounded(op(a64, b64))));
          expect(bits(op(b32, a32).data), op.name).toEqual(bits(rounded(op(b64, a64))));
        }
      }),
      { numRuns: 30 },
    );
  });

  it('sum and max over any axes, bit for bit (sums accumulate in float64 and round once); mean within one rounding', () => {
    fc.assert(
      fc.property(pair([3, 4, 5]), ({ x32, x64 }) => {
        for (const axes of [undefined, 0, 1, 2, [0, 2], [1, 2]] as const) {
          expect(bits(sum(x32, axes).data)).toEqual(bits(rounded(sum(x64, axes))));
          expect(bits(max(x32, axes).data)).toEqual(bits(rounded(max(x64, axes))));
          const m32 = mean(x32, axes).data,
            m64 = mean(x64, axes).data;
          // mean = fround(fround(S)/n): two float32 roundings of S/n, so within 2 half-ulps relative (one subnormal ulp absolute)
          m32.forEach((v, i) =>
            expect(Math.abs(v - m64[i])).toBeLessThanOrEqual(2 ** -23 * Math.abs(m64[i]) + 2 ** -149),
          );
        }
      }),
      { numRuns: 30 },
    );
  });

  it('shape ops, slicing, gathering and logSoftmax keep float32 and match float64 rounded', () => {
    const x32 = normal(key(5), [4, 6], 0, 1, { dtype: 'float32' });
    const x64 = f64(x32);
    const same = (a: Tensor, b: Tensor) => {
      expect(a.dtype).toBe('float32');
      expect(bits(a.data)).toEqual(bits(rounded(b)));
    };
    same(transpose(x32), transpose(x64));
    same(reshape(x32, [6, 4]), reshape(x64, [6, 4]));
    same(slice(x32, 1, 3, 1), slice(x64, 1, 3, 1));
    same(take(x32, [3, 0, 3]), take(x64, [3, 0, 3]));
    same(concat([x32, x32], 1), concat([x64, x64], 1));
    // logSoftmax composes float32 ops: within a few float32 roundings of float64
    const l32 = logSoftmax(x32).data,
      l64 = logSoftmax(x64).data;
    l64.forEach((v, i) => expect(Math.abs(l32[i] - v)).toBeLessThanOrEqual(8 * 2 ** -24 * (Math.abs(v) + 4)));
  });

  it('matmul: float32 within k·2⁻²³ of Σ|a||b| of the float64 product, on ragged shapes and all transposes', () => {
    for (const [m, n, k] of [
      [1, 1, 1],
      [3, 5, 7],
      [17, 9, 33],
      [64, 70, 130],
    ]) {
      const a32 = uniform(key(m), [m, k], -1, 1, { dtype: 'float32' }),
        b32 = uniform(key(n + 100), [k, n], -1, 1, { dtype: 'float32' });
      const a64 = f64(a32),
        b64 = f64(b32);
      const bound = matmul(abs(a64), abs(b64)).data;
      for (const [ta, tb] of [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ]) {
        const A32 = ta ? transpose(transpose(a32)) : a32;
        const z32 = matmul(tb ? transpose(transpose(A32)) : A32, b32).data;
        const z64 = matmul(a64, b64).data;
        z64.forEach((v, i) => expect(Math.abs(z32[i] - v)).toBeLessThanOrEqual((k + 1) * 2 ** -23 * bound[i]));
      }
      expect(matmul(a32, b32).dtype).toBe('float32');
    }
  });
});

describe('derivatives in float32', () => {
  // relative tolerance: a few float32 roundings per op on the path, 1e-4 of the gradient's scale
  const RTOL = 1e-4;
  const close = (a: Tensor, b: Tensor) => {
    expect(a.dtype).toBe('float32');
    const scale = Math.max(...Array.from(b.data, Math.abs), 1e-30);
    b.data.forEach((v, i) => expect(Math.abs(a.data[i] - v), `element ${i}`).toBeLessThanOrEqual(RTOL * scale));
  };
  const fns: [string, (x: Tensor, w: Tensor) => Tensor][] = [
    ['tanh layer', (x, w) => sum(tanh(matmul(x, w)))],
    ['softmax cross-entropy', (x, w) => softmaxCrossEntropy(matmul(x, w), [0, 1, 2])],
    ['sigmoid·exp', (x, w) => mean(mul(sigmoid(matmul(x, w)), exp(mul(matmul(x, w), 0.1))))],
  ];
  it('VJP of every test function agrees with float64 to 1e-4 of the gradient scale, and JVP too', () => {
    const x64 = f64(f32(normal(key(7), [3, 4]))),
      w64 = f64(f32(normal(key(8), [4, 3])));
    for (const [name, f] of fns) {
      const g64 = grad(f, { argnums: [0, 1] })(x64, w64) as Tensor[];
      const g32 = grad(f, { argnums: [0, 1] })(f32(x64), f32(w64)) as Tensor[];
      g32.forEach((g, i) => close(g, g64[i]));
      const u = f64(f32(normal(key(9), [3, 4])));
      const t64 = jvp((x: Tensor) => f(x, w64), [x64], [u]).tangent as Tensor;
      const t32 = jvp((x: Tensor) => f(x, f32(w64)), [f32(x64)], [f32(u)]).tangent as Tensor;
      expect(Math.abs(t32.item() - t64.item()), name).toBeLessThanOrEqual(RTOL * Math.max(1, Math.abs(t64.item())));
    }
  });

  it('checkGrad refuses float32 inputs and says why and how to convert', () => {
    expect(() => checkGrad((x: Tensor) => exp(x), [tensor([1], undefined, { dtype: 'float32' })])).toThrow(
      /checkGrad: inputs\[0\] holds a float32 tensor; gradient checks need float64 inputs, because float32 rounding swamps the finite differences. Convert with astype\(x, 'float64'\)/,
    );
    expect(() =>
      checkGrad(
        (x: Tensor, w: Tensor) => mul(x, w),
        [tensor([1]), { w: [tensor([1], undefined, { dtype: 'float32' })] }],
      ),
    ).toThrow(/inputs\[1\] holds a float32 tensor/);
  });
});

describe('dropout in float32', () => {
  it('keeps the float64 mask of the same key; a kept value is fround(x)·fround(1/keep), rounded', () => {
    const x64 = normal(key(11), [8, 16]);
    const x32 = f32(x64);
    for (const rate of [0.1, 0.5, 0.8]) {
      const keep = 1 - rate;
      for (const convention of ['inverted', 'scale-at-inference'] as const) {
        const y32 = dropout(key(12), x32, { rate, training: true, convention });
        const y64 = dropout(key(12), x64, { rate, training: true, convention });
        expect(y32.dtype).toBe('float32');
        const scale = convention === 'inverted' ? Math.fround(1 / keep) : 1;
        y64.data.forEach((v, i) => expect(y32.data[i]).toBe(v === 0 ? 0 : Math.fround(x32.data[i] * scale)));
        const inf = dropout(null, x32, { rate, training: false, convention });
        expect(bits(inf.data)).toEqual(
          bits(convention === 'inverted' ? x32.data : Float32Array.from(x32.data, (v) => v * Math.fround(keep))),
        );
        // the backward pass applies the same float32 multiplier to the cotangent
        const dy = f32(normal(key(13), [8, 16]));
        const g = vjp((t: Tensor) => dropout(key(12), t, { rate, training: true, convention }), x32).pullback(dy)[0];
        expect(g.dtype).toBe('float32');
        y64.data.forEach((v, i) => expect(g.data[i]).toBe(v === 0 ? 0 : Math.fround(dy.data[i] * scale)));
      }
    }
  });

  it('noiseShape, dropConnect, dropoutWithMask and Gaussian dropout keep float32', () => {
    const x32 = f32(normal(key(14), [4, 6]));
    const shared = dropout(key(15), x32, { rate: 0.5, training: true, noiseShape: [1, null] });
    expect(shared.dtype).toBe('float32');
    for (let r = 1; r < 4; r++)
      for (let c = 0; c < 6; c++)
        expect(shared.data[r * 6 + c] === 0).toBe(shared.data[c] === 0 || x32.data[r * 6 + c] === 0);
    expect(dropConnect(key(16), x32, { rate: 0.3, training: true }).dtype).toBe('float32');
    const mask = tensor([[1, 0, 1, 1, 0, 1]]);
    expect(bits(dropoutWithMask(x32, mask, { rate: 0.5 }).data)).toEqual(
      bits(Float32Array.from(x32.data, (v, i) => (mask.data[i % 6] ? v * 2 : 0))),
    );
    const gd32 = gaussianDropout(key(17), x32, { rate: 0.4, training: true });
    const m64 = normal(key(17), [4, 6], 1, Math.sqrt(0.4 / 0.6)).data;
    expect(bits(gd32.data)).toEqual(bits(Float32Array.from(x32.data, (v, i) => v * Math.fround(m64[i]))));
  });
});

describe('networks and training in float32', () => {
  it('mlp({ dtype }) makes float32 parameters, the float64 ones rounded; sgd keeps them float32 and refuses a mixed gradient', () => {
    const spec = { sizes: [5, 7, 3], inputRate: 0.2, hiddenRate: 0.5 };
    const p32 = mlp({ ...spec, dtype: 'float32' }).init(key(20));
    const p64 = mlp(spec).init(key(20));
    p32.forEach((l, i) => {
      expect([l.W.dtype, l.b.dtype]).toEqual(['float32', 'float32']);
      expect(bits(l.W.data)).toEqual(bits(rounded(p64[i].W)));
    });
    expect(() => mlp({ ...spec, dtype: 'int8' as DType })).toThrow(
      /mlp: dtype must be 'float64' or 'float32', got "int8"/,
    );
    const opt = sgd<typeof p32>({ lr: 0.1, momentum: 0.9, maxNorm: 1 });
    const state = opt.init(p32);
    expect(state[0].W.dtype).toBe('float32');
    const step = opt.step(p32, p32, state);
    expect(step.params[1].W.dtype).toBe('float32');
    expect(() => opt.step(p32, p64, state)).toThrow(
      /sgd.step: gradient and state 0 must have their parameter's dtype float32, got float64 and float32/,
    );
    expect(() => opt.step(p32, p32, opt.init(p64))).toThrow(
      /sgd.step: gradient and state 0 must have their parameter's dtype float32, got float32 and float64/,
    );
  });

  it('the same small network trained in float32 and float64 reaches the same test error within 2 points', () => {
    // two Gaussian blobs per class in 8 dimensions, 3 classes: a keyed synthetic task with a few % Bayes error
    const task = (k: number, n: number) => {
      const labels = Array.from({ length: n }, (_, i) => i % 3);
      const centers = normal(key(30), [3, 8], 0, 1.2).data;
      const noise = normal(key(k), [n, 8]).data;
      return { x: Float64Array.from(noise, (v, i) => v + centers[labels[Math.floor(i / 8)] * 8 + (i % 8)]), labels };
    };
    const train = task(31, 600),
      test = task(32, 3000);
    const errorOf = (dtype: DType) => {
      const net = mlp({ sizes: [8, 32, 3], inputRate: 0.1, hiddenRate: 0.3, dtype });
      const xs = dtype === 'float32' ? Float32Array.from(train.x) : train.x;
      const X = tensor(xs, [600, 8], { dtype });
      const params = fit(
        net.init(key(33)),
        (p, batch, k) =>
          softmaxCrossEntropy(
            net.apply(p, take(X, batch), { training: true, key: k }),
            Array.from(batch, (i) => train.labels[i]),
          ),
        {
          optimizer: sgd({ lr: 0.05, momentum: 0.9 }),
          steps: 400,
          batchSize: 30,
          n: 600,
          key: key(34),
        },
      );
      const tx = dtype === 'float32' ? Float32Array.from(test.x) : test.x;
      return errorRate(
        mapRows(tx, 8, (b) => net.apply(params, b, { training: false })),
        3,
        test.labels,
      );
    };
    const e64 = errorOf('float64'),
      e32 = errorOf('float32');
    expect(e64).toBeLessThan(0.2); // it learned something
    // 2 points of 3,000 test points (60 of them): far beyond rounding noise, far below a broken float32 path (chance is 67%)
    expect(Math.abs(e32 - e64)).toBeLessThanOrEqual(0.02);
  });
});
