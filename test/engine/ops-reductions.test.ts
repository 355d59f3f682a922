// The reductions of src/engine/ops.ts: sum, mean and max over any axes (against a naive reference and
// mathjs), and logSumExp, softmax and logSoftmax (values, and stability for logits of magnitude 1e3).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as math from 'mathjs';
import {
  type Tensor,
  exp,
  logSoftmax,
  logSumExp,
  max,
  mean,
  slice,
  softmax,
  sum,
  tensor,
  zeros,
} from '../../src/index.ts';
import { arange, expectClose, iota, prod, ravel, unravel, valuesArb } from '../support/ops-reference.ts';

/** Reduction over `axes` by visiting every element, row-major. */
function naiveReduce(x: Tensor, axes: number[], keepdims: boolean, kind: 'sum' | 'max'): Tensor {
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const acc = new Array<number>(prod(kept)).fill(kind === 'sum' ? 0 : -Infinity);
  for (let f = 0; f < x.size; f++) {
    const idx = unravel(f, x.shape).map((v, i) => (axes.includes(i) ? 0 : v));
    const o = ravel(idx, kept);
    const v = x.data[f];
    acc[o] = kind === 'sum' ? acc[o] + v : Number.isNaN(v) || v > acc[o] ? v : acc[o];
  }
  return tensor(acc, keepdims ? kept : x.shape.filter((_, i) => !axes.includes(i)));
}

describe('reductions: sum, mean, max', () => {
  const x = iota([2, 3, 4]); // x[i][j][k] = 12i + 4j + k

  it('over all axes', () => {
    expect(sum(x).shape).toEqual([]);
    expect(sum(x).item()).toBe(276);
    expect(mean(x).item()).toBe(11.5);
    expect(max(x).item()).toBe(23);
    expect(sum(x, undefined, true).shape).toEqual([1, 1, 1]);
    expect(sum(x, undefined, true).toArray()).toEqual([[[276]]]);
    expect(mean(x, [0, 1, 2], true).toArray()).toEqual([[[11.5]]]);
    expect(
      max(
        tensor([
          [-5, -2],
          [-9, -3],
        ]),
      ).item(),
    ).toBe(-2);
  });

  it('over a single axis, by hand', () => {
    const m = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(sum(m, 0).toArray()).toEqual([5, 7, 9]);
    expect(sum(m, 1).toArray()).toEqual([6, 15]);
    expect(sum(m, 1, true).toArray()).toEqual([[6], [15]]);
    expect(sum(m, -1).toArray()).toEqual([6, 15]);
    expect(sum(m, -2, true).toArray()).toEqual([[5, 7, 9]]);
    expect(mean(m, 0).toArray()).toEqual([2.5, 3.5, 4.5]);
    expect(mean(m, 1).toArray()).toEqual([2, 5]);
    expect(mean(m, -1, true).toArray()).toEqual([[2], [5]]);
    expect(max(m, 0).toArray()).toEqual([4, 5, 6]);
    expect(max(m, 1, true).toArray()).toEqual([[3], [6]]);
    expect(
      max(
        tensor([
          [3, 1],
          [2, 7],
        ]),
        -1,
      ).toArray(),
    ).toEqual([3, 7]);
  });

  it('over several axes, in any order, with negative axes', () => {
    expect(sum(x, [0, 2]).toArray()).toEqual([60, 92, 124]);
    expect(sum(x, [2, 0]).toArray()).toEqual([60, 92, 124]);
    expect(sum(x, [-1, 0], true).toArray()).toEqual([[[60], [92], [124]]]);
    expect(mean(x, [0, 2]).toArray()).toEqual([7.5, 11.5, 15.5]);
    expect(max(x, [1, 2]).toArray()).toEqual([11, 23]);
    expect(max(x, [-3, -2], true).toArray()).toEqual([[[20, 21, 22, 23]]]);
    expect(sum(x, 1).toArray()).toEqual(naiveReduce(x, [1], false, 'sum').toArray());
    expect(sum(x, []).toArray()).toEqual(x.toArray());
  });

  it('match a naive reference for random shapes, axes and keepdims (property)', () => {
    const arb = fc
      .array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 })
      .chain((shape) =>
        fc.tuple(
          fc.constant(shape),
          valuesArb(prod(shape), fc.integer({ min: -50, max: 50 })),
          fc.subarray(arange(shape.length)),
          fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
          fc.boolean(),
          fc.boolean(),
        ),
      );
    fc.assert(
      fc.property(arb, ([shape, values, axes, negative, keepdims, allAxes]) => {
        const t = tensor(values, shape);
        const asked = allAxes ? undefined : axes.map((a, i) => (negative[i] ? a - shape.length : a));
        const ax = allAxes ? arange(shape.length) : axes;
        const s = naiveReduce(t, ax, keepdims, 'sum');
        const got = sum(t, asked, keepdims);
        expect(got.shape).toEqual(s.shape);
        expect(got.data).toEqual(s.data); // integers: exact in any order
        const n = ax.reduce((acc, a) => acc * shape[a], 1);
        expect(mean(t, asked, keepdims).data).toEqual(s.data.map((v) => v / n));
        const m = naiveReduce(t, ax, keepdims, 'max');
        expect(max(t, asked, keepdims).shape).toEqual(m.shape);
        expect(max(t, asked, keepdims).data).toEqual(m.data);
      }),
      { numRuns: 200 },
    );
  });

  it('sum and mean of floats agree with mathjs', () => {
    const v = [0.1, 0.2, 0.3, 1e-3, -7.25, Math.PI];
    expectClose(sum(tensor(v)), math.sum(v));
    expectClose(mean(tensor(v)), math.mean(v));
    expect(max(tensor(v)).item()).toBe(math.max(v));
  });

  it('edge cases: NaN propagates through max, -Infinity, empty axes', () => {
    expect(max(tensor([1, NaN, 2])).item()).toBeNaN();
    expect(max(tensor([NaN, 1])).item()).toBeNaN();
    expect(max(tensor([-Infinity, -Infinity])).item()).toBe(-Infinity);
    expect(sum(zeros([0, 3]), 0).toArray()).toEqual([0, 0, 0]);
    expect(sum(zeros([0])).item()).toBe(0);
    expect(() => max(zeros([0, 3]), 0)).toThrow(/max: cannot reduce over axis 0 of length 0/);
    expect(max(zeros([0, 3]), 1).shape).toEqual([0]);
  });

  it('reject bad axes, naming the op', () => {
    for (const [name, op] of [
      ['sum', sum],
      ['max', max],
      ['mean', mean],
      ['logSumExp', logSumExp],
    ] as const) {
      expect(() => op(x, 3), name).toThrow(RangeError);
      expect(() => op(x, 3), name).toThrow(new RegExp(`^${name}: axis must be an integer in \\[-3, 2\\]`));
      expect(() => op(x, -4), name).toThrow(RangeError);
      expect(() => op(x, 1.5), name).toThrow(RangeError);
      expect(() => op(x, NaN), name).toThrow(RangeError);
      expect(() => op(x, [0, 0]), name).toThrow(/repeated/);
      expect(() => op(x, [2, -1]), name).toThrow(/repeated/);
      expect(() => op(tensor(1), 0), name).toThrow(RangeError);
    }
  });
});

describe('logSumExp / softmax / logSoftmax', () => {
  const naiveLse = (row: number[]) => math.log(math.sum(row.map((v) => math.exp(v))));

  it('logSumExp agrees with log Σ exp on moderate values', () => {
    const rows = [
      [1, 2, 3],
      [-1, 0.5, 0],
    ];
    expectClose(logSumExp(tensor(rows), 1), rows.map(naiveLse));
    expectClose(
      logSumExp(tensor(rows), -1, true),
      rows.map((r) => [naiveLse(r)]),
    );
    expectClose(
      logSumExp(tensor(rows), 0),
      [0, 1, 2].map((j) => naiveLse([rows[0][j], rows[1][j]])),
    );
    expectClose(logSumExp(tensor(rows)), naiveLse(rows.flat()));
    expect(logSumExp(tensor(rows)).shape).toEqual([]);
    expect(logSumExp(iota([2, 3, 4]), [0, 2]).shape).toEqual([3]);
    expect(logSumExp(iota([2, 3, 4]), [0, 2], true).shape).toEqual([1, 3, 1]);
    expectClose(
      logSumExp(iota([2, 3, 4]), [0, 2]),
      [0, 1, 2].map((j) => naiveLse([0, 1].flatMap((i) => arange(4, 12 * i + 4 * j)))),
    );
  });

  it('logSumExp is stable for magnitudes of 1e3 and handles infinities', () => {
    expectClose(logSumExp(tensor([1000, 1000])), 1000 + Math.log(2));
    expectClose(logSumExp(tensor([-1000, -1000])), -1000 + Math.log(2));
    expect(logSumExp(tensor([1000, 0, -1000])).item()).toBe(1000);
    expectClose(logSumExp(tensor([[1001, 1002, 1003]]), 1), [1000 + naiveLse([1, 2, 3])]);
    expect(logSumExp(tensor([-Infinity, -Infinity])).item()).toBe(-Infinity);
    expect(logSumExp(tensor([0, Infinity])).item()).toBe(Infinity);
    expect(logSumExp(tensor([0, -Infinity])).item()).toBe(0);
  });

  it('softmax rows sum to 1 and match exp(x)/Σexp(x)', () => {
    const rows = [
      [1, 2, 3],
      [0, 0, 0],
      [-2, 5, 0.5],
    ];
    const s = softmax(tensor(rows));
    const ref = rows.map((r) => {
      const z = math.sum(r.map((v) => math.exp(v)));
      return r.map((v) => math.exp(v) / z);
    });
    expectClose(s, ref);
    expectClose(sum(s, 1), [1, 1, 1]);
    expectClose(slice(s, 1, 2), [[1 / 3, 1 / 3, 1 / 3]]);
    // along axis 0: columns sum to 1
    expectClose(sum(softmax(tensor(rows), 0), 0), [1, 1, 1]);
  });

  it('softmax is stable for logits of magnitude 1e3', () => {
    const big = softmax(
      tensor([
        [1000, 1001, 1002],
        [-1000, -1001, -1002],
      ]),
    );
    expect(big.data.every(Number.isFinite)).toBe(true);
    const e = [1, Math.E, Math.E ** 2].map((v) => v / (1 + Math.E + Math.E ** 2));
    expectClose(big, [e, [...e].reverse()]);
    const far = softmax(tensor([[1000, 0, -1000]]));
    expect(far.toArray()).toEqual([[1, 0, 0]]);
    expectClose(sum(big, -1), [1, 1]);
  });

  it('logSoftmax matches x − logSumExp(x) and is exact and finite for logits of magnitude 1e3', () => {
    const rows = [
      [1, 2, 3],
      [-3, 0, 7],
    ];
    expectClose(
      logSoftmax(tensor(rows)),
      rows.map((r) => r.map((v) => v - naiveLse(r))),
    );
    expect(logSoftmax(tensor([[1000, 0, -1000]])).toArray()).toEqual([[0, -1000, -2000]]);
    const ls = logSoftmax(tensor([[1000, 1001, 1002]]));
    expect(ls.data.every(Number.isFinite)).toBe(true);
    expectClose(ls, [[1, 2, 3].map((v) => v - naiveLse([1, 2, 3]))]);
    expectClose(sum(exp(logSoftmax(tensor(rows), 0)), 0), [1, 1, 1]);
  });
});
