// Bad values inside well-formed calls: sizes that would exhaust memory are refused before anything
// is allocated; a NaN or ±Infinity in one element never changes any element that does not depend
// on it (in values and gradients); zero-size dimensions give empty results; and no op, gradient or
// dropout call writes into the tensors it is given.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Tensor,
  abs,
  add,
  bernoulli,
  broadcastTo,
  concat,
  div,
  dropConnect,
  dropout,
  exp,
  full,
  gaussianDropout,
  grad,
  jvp,
  key,
  log,
  logSoftmax,
  logSumExp,
  matmul,
  max,
  maximum,
  mean,
  minimum,
  mlp,
  mse,
  mul,
  neg,
  normal,
  ones,
  relu,
  reshape,
  sigmoid,
  slice,
  softmax,
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
  zeros,
  split,
  CompensatedVector,
  binomialAcceptance,
  binomialTest,
  binomialCdf,
  binomialSf,
  binomialLogCdf,
  binomialLogSf,
} from '../../src/index.ts';

const GIB = 2 ** 30;

/** Runs f, which must throw a RangeError matching `message` without growing array-buffer memory by 64 MiB. */
function refusedBeforeAllocating(f: () => unknown, message: RegExp) {
  // no wall-clock bound: a pause of the loaded machine must not fail it. A refusal that walked the
  // elements first would take minutes and meet the test timeout; one that allocated shows here.
  const before = process.memoryUsage().arrayBuffers;
  expect(f).toThrow(message);
  expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 2 ** 20);
}

describe('sizes that would exhaust memory', () => {
  // shapes over 2^28 elements, or with zero dimensions whose other dimensions multiply past it
  const huge = fc.oneof(
    fc
      .tuple(fc.integer({ min: 2 ** 14 + 1, max: 2 ** 26 }), fc.integer({ min: 2 ** 14 + 1, max: 2 ** 26 }))
      .map(([a, b]) => [a, b]),
    fc.integer({ min: 2 ** 28 + 1, max: 2 ** 53 - 1 }).map((n) => [n]),
    fc
      .tuple(fc.integer({ min: 2 ** 15, max: 2 ** 30 }), fc.integer({ min: 2 ** 15, max: 2 ** 30 }))
      .map(([a, b]) => [a, 0, b]),
  );

  it('every creator refuses them, naming the op and the shape, before allocating', () => {
    fc.assert(
      fc.property(huge, (shape) => {
        const named = (op: string) => new RegExp(`^${op}.*shape \\[${shape.join(', ')}\\] has .* more than the 2\\^28`);
        refusedBeforeAllocating(() => zeros(shape), named('zeros'));
        refusedBeforeAllocating(() => ones(shape), named('ones'));
        refusedBeforeAllocating(() => full(shape, 1), named('full'));
        refusedBeforeAllocating(() => uniform(key(0), shape), named('uniform'));
        refusedBeforeAllocating(() => normal(key(0), shape), named('normal'));
        refusedBeforeAllocating(() => bernoulli(key(0), 0.5, shape), named('bernoulli'));
        refusedBeforeAllocating(() => tensor([], shape), named('tensor\\(values, shape\\)'));
        refusedBeforeAllocating(() => broadcastTo(tensor([1]), shape), named('broadcastTo'));
      }),
      { numRuns: 40 },
    );
  });

  it("so do ops whose result would be too large: broadcasting, matmul, take, and a network's init", () => {
    const col = zeros([2 ** 15, 1]),
      row = zeros([1, 2 ** 15]);
    refusedBeforeAllocating(
      () => add(col, row),
      /^add: shape \[32768, 32768\] has 1073741824 elements, more than the 2\^28/,
    );
    refusedBeforeAllocating(() => maximum(col, row), /^maximum: shape \[32768, 32768\]/);
    refusedBeforeAllocating(
      () => matmul(col, row),
      /^matmul of \[32768, 1\] and \[1, 32768\]: the result: shape \[32768, 32768\] has/,
    );
    refusedBeforeAllocating(
      () => take(row, new Array(2 ** 14).fill(0)),
      /^take: the result: shape \[16384, 32768\] has 536870912 elements/,
    );
    refusedBeforeAllocating(
      () => mlp({ sizes: [2 ** 15, 2 ** 15] }).init(key(0)),
      /^normal: shape \[32768, 32768\] has/,
    );
    refusedBeforeAllocating(
      () => reshape(zeros([0]), [GIB, 0, GIB]),
      /^reshape: shape \[1073741824, 0, 1073741824\] has dimensions whose product, 1152921504606847000, more than/,
    );
  });
});

describe('counts that would take minutes or exhaust memory', () => {
  it('split, CompensatedVector and the exact binomial functions refuse them at once, naming the argument', () => {
    const t0 = performance.now();
    for (const n of [2 ** 16 + 1, 2 ** 31, 2 ** 53 - 1])
      expect(() => split(key(0), n)).toThrow(
        /^split: expected n to be an integer in \[0, 2\^16\] \(use foldIn\(key, i\) for more keys\), got \d+$/,
      );
    expect(split(key(0), 2 ** 16)).toHaveLength(2 ** 16);
    for (const n of [2 ** 28 + 1, 2 ** 40])
      expect(() => new CompensatedVector(n)).toThrow(
        /^CompensatedVector: expected length to be an integer in \[0, 2\^28\]/,
      );
    const n = 2 ** 40 + 1;
    const tooMany =
      /expected n \(the number of trials\) to be at most 2\^40, got 1099511627777: the exact tail sums cost about sqrt\(n\) steps/;
    expect(() => binomialAcceptance(n, 0.5, 1e-6)).toThrow(tooMany);
    expect(() => binomialTest(5, n, 0.5, 1e-6)).toThrow(tooMany);
    for (const f of [binomialCdf, binomialSf, binomialLogCdf, binomialLogSf])
      expect(() => f(5, n, 0.5)).toThrow(tooMany);
    expect(performance.now() - t0).toBeLessThan(5_000); // refusing takes microseconds; doing any of these would take minutes
    expect(binomialCdf(2 ** 39, 2 ** 40, 0.5)).toBeCloseTo(0.5, 5); // the largest n still answers, in well under a second
  });
});

describe('a NaN or ±Infinity stays where it is', () => {
  const bad = fc.constantFrom(NaN, Infinity, -Infinity);
  const finiteArray = (n: number) =>
    fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: n, maxLength: n });
  const at = (n: number) => fc.tuple(finiteArray(n), fc.integer({ min: 0, max: n - 1 }), bad);

  // elementwise: output j depends on input j only
  const ELEMENTWISE: [string, (x: Tensor) => Tensor][] = [
    ['neg', neg],
    ['exp', exp],
    ['log', (x) => log(abs(x))],
    ['sqrt', (x) => sqrt(abs(x))],
    ['square', square],
    ['tanh', tanh],
    ['sigmoid', sigmoid],
    ['relu', relu],
    ['abs', abs],
    ['add', (x) => add(x, 2)],
    ['sub', (x) => sub(1, x)],
    ['mul', (x) => mul(x, x)],
    ['div', (x) => div(x, 3)],
    ['maximum', (x) => maximum(x, 0.5)],
    ['minimum', (x) => minimum(x, 0.5)],
    ['dropout', (x) => dropout(key(1), x, { rate: 0.5, training: true })],
    ['dropConnect', (x) => dropConnect(key(1), x, { rate: 0.3, training: true })],
    ['gaussianDropout', (x) => gaussianDropout(key(1), x, { rate: 0.5, training: true })],
  ];

  it.each(ELEMENTWISE)('%s: value and gradient of every other element unchanged', (_, f) => {
    fc.assert(
      fc.property(at(6), ([v, i, b]) => {
        const clean = tensor(v),
          dirty = tensor(v.map((a, j) => (j === i ? b : a)));
        const [y0, y1] = [f(clean).data, f(dirty).data];
        const loss = (x: Tensor) => sum(f(x));
        const [g0, g1] = [grad(loss)(clean).data, grad(loss)(dirty).data];
        for (let j = 0; j < v.length; j++) {
          if (j === i) continue;
          expect(Object.is(y1[j], y0[j]), `value ${j}`).toBe(true);
          // the gradient of a sum through an elementwise op: element j's derivative depends on x_j only
          expect(Object.is(g1[j], g0[j]), `gradient ${j}`).toBe(true);
        }
      }),
      { numRuns: 15 },
    );
  });

  it('row-wise ops (softmax, logSoftmax, logSumExp, sum, mean, max, matmul, an MLP with dropout): other rows unchanged', () => {
    const net = mlp({ sizes: [3, 4, 2], hiddenRate: 0.5 });
    const params = net.init(key(5));
    const W = tensor([
      [1, 2],
      [3, -1],
      [0.5, 0],
    ]);
    const ROWWISE: [string, (x: Tensor) => Tensor][] = [
      ['softmax', (x) => softmax(x)],
      ['logSoftmax', (x) => logSoftmax(x)],
      ['logSumExp', (x) => logSumExp(x, 1)],
      ['sum', (x) => sum(x, 1)],
      ['mean', (x) => mean(x, 1)],
      ['max', (x) => max(x, 1)],
      ['matmul', (x) => matmul(x, W)],
      ['mlp', (x) => net.apply(params, x, { training: true, key: key(9) })],
    ];
    fc.assert(
      fc.property(at(12), ([v, i, b]) => {
        const clean = tensor(v, [4, 3]),
          dirty = tensor(
            v.map((a, j) => (j === i ? b : a)),
            [4, 3],
          );
        const row = Math.floor(i / 3);
        for (const [name, f] of ROWWISE) {
          const [y0, y1] = [f(clean), f(dirty)];
          const width = y0.size / 4;
          for (let j = 0; j < y0.size; j++)
            if (Math.floor(j / width) !== row) expect(Object.is(y1.data[j], y0.data[j]), `${name} ${j}`).toBe(true);
          const [g0, g1] = [grad((x: Tensor) => sum(f(x)))(clean).data, grad((x: Tensor) => sum(f(x)))(dirty).data];
          for (let j = 0; j < 12; j++)
            if (Math.floor(j / 3) !== row) expect(Object.is(g1[j], g0[j]), `${name} gradient ${j}`).toBe(true);
        }
      }),
      { numRuns: 15 },
    );
  });

  it('dropout: a dropped element is exactly 0 in value and derivative, whatever x holds there', () => {
    const x = tensor([NaN, Infinity, -Infinity, NaN, Infinity, -Infinity, 1, 2]);
    const f = (z: Tensor) => dropout(key(4), z, { rate: 0.5, training: true });
    const y = f(x).data,
      g = grad((z: Tensor) => sum(f(z)))(x).data,
      t = (jvp(f, [x], [ones([8])]).tangent as Tensor).data;
    const dropped = Array.from(f(ones([8])).data, (v) => v === 0);
    expect(dropped.some(Boolean)).toBe(true);
    dropped.forEach((d, j) => {
      if (d) expect([y[j], g[j], t[j]]).toEqual([0, 0, 0]);
      else expect(g[j]).toBe(2);
    });
  });
});

describe('zero-size dimensions', () => {
  it('ops on empty tensors give empty results of the broadcast shape; reductions give their identities', () => {
    const e = zeros([2, 0]);
    for (const y of [
      neg(e),
      exp(e),
      add(e, 1),
      mul(e, zeros([1, 0])),
      softmax(e),
      logSoftmax(e),
      transpose(transpose(e)),
      dropout(key(0), e, { rate: 0.5, training: true }),
    ]) {
      expect(y.shape).toEqual([2, 0]);
    }
    expect(Array.from(sum(e, 1).data)).toEqual([0, 0]); // empty sum is 0
    expect(Array.from(logSumExp(e, 1).data)).toEqual([-Infinity, -Infinity]); // log of an empty sum
    expect(Array.from(mean(e, 1).data)).toEqual([NaN, NaN]); // 0/0, as NumPy
    expect(() => max(e, 1)).toThrow(/max: cannot reduce over axis 1 of length 0 \(shape \[2, 0\]\)/);
    expect(Array.from(matmul(zeros([2, 0]), zeros([0, 3])).data)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(concat([zeros([0, 3]), ones([1, 3])]).shape).toEqual([1, 3]);
    expect(slice(ones([3]), 1, 1).shape).toEqual([0]);
    expect(take(ones([3, 2]), []).shape).toEqual([0, 2]);
    expect(Array.from(grad((x: Tensor) => sum(mul(x, x)))(zeros([0, 4])).data)).toEqual([]);
    expect(softmaxCrossEntropy(zeros([0, 3]), []).item()).toBeNaN(); // the mean loss of no examples, as PyTorch
    expect(mse(zeros([0]), zeros([0])).item()).toBeNaN();
  });
});

describe('no call writes into what it is given', () => {
  it('array arguments (shapes, permutations, axes, indices, labels, tensor lists, noise shapes, sizes) stay as they were', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), (seed) => {
        const x = normal(key(seed), [2, 3, 4]);
        const args = {
          perm: [2, 0, 1],
          shape: [4, 6],
          target: [5, 2, 3, 4],
          axes: [2, 0],
          rows: [1, 0, 1],
          labels: [3, 0, 2, 1, 1, 0],
          list: [x, x],
          noiseShape: [1, null, 4],
          sizes: [4, 3, 2],
          hiddenRate: [0.5],
          keep: [0.5, 0.25],
          grid: [1, 2],
        };
        const before = JSON.stringify(args, (_, v) => (v instanceof Float64Array ? Array.from(v) : v));
        transpose(x, args.perm);
        reshape(x, args.shape);
        broadcastTo(x, args.target);
        sum(x, args.axes);
        max(x, args.axes, true);
        logSumExp(x, args.axes);
        take(x, args.rows);
        softmaxCrossEntropy(reshape(x, [6, 4]), args.labels);
        concat(args.list, 1);
        dropout(key(seed), x, { rate: 0.5, training: true, noiseShape: args.noiseShape });
        const net = mlp({ sizes: args.sizes, hiddenRate: args.hiddenRate });
        net.apply(net.init(key(1)), reshape(x, [6, 4]), { training: true, key: key(2) });
        expect(JSON.stringify(args, (_, v) => (v instanceof Float64Array ? Array.from(v) : v))).toBe(before);
      }),
      { numRuns: 10 },
    );
  });

  const values = fc.array(fc.oneof(fc.double({ min: -3, max: 3 }), fc.constantFrom(0, -0, NaN, Infinity)), {
    minLength: 6,
    maxLength: 6,
  });
  it('ops, gradients, tangents and dropout leave their tensor arguments bit for bit as they were', () => {
    fc.assert(
      fc.property(values, values, (a, b) => {
        const x = tensor(a, [2, 3]),
          y = tensor(b, [2, 3]);
        const [x0, y0] = [x.data.slice(), y.data.slice()];
        const f = (p: Tensor, q: Tensor) =>
          sum(add(mul(softmax(p), relu(q)), dropout(key(2), sub(p, q), { rate: 0.4, training: true })));
        f(x, y);
        grad(f, { argnums: [0, 1] })(x, y);
        jvp(f, [x, y], [y, x]);
        matmul(x, transpose(y));
        mse(x, y);
        expect(Array.from(x.data).map(String)).toEqual(Array.from(x0).map(String));
        expect(Array.from(y.data).map(String)).toEqual(Array.from(y0).map(String));
        expect(x.data.every((v, i) => Object.is(v, x0[i])) && y.data.every((v, i) => Object.is(v, y0[i]))).toBe(true);
      }),
      { numRuns: 40 },
    );
  });
});
