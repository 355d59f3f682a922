// The shape and indexing ops of src/engine/ops.ts: transpose (against a naive reference), reshape,
// broadcastTo and sumTo, concat, slice, take and stopGradient: values, and what they refuse.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  type Tensor,
  broadcastTo,
  concat,
  mul,
  reshape,
  slice,
  stopGradient,
  sumTo,
  take,
  tensor,
  transpose,
  zeros,
} from '../../src/index.ts';
import { arange, dimsArb, iota, naiveBinary, operandShape, prod, ravel, unravel } from '../support/ops-reference.ts';

function naiveTranspose(x: Tensor, perm: number[]): Tensor {
  const shape = perm.map((p) => x.shape[p]);
  const out = arange(x.size).map((o) => {
    const idx = unravel(o, shape);
    const src = new Array<number>(perm.length);
    perm.forEach((p, i) => (src[p] = idx[i]));
    return x.data[ravel(src, x.shape)];
  });
  return tensor(out, shape);
}

describe('transpose', () => {
  it('reverses axes by default', () => {
    expect(
      transpose(
        tensor([
          [1, 2, 3],
          [4, 5, 6],
        ]),
      ).toArray(),
    ).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    const x = iota([2, 3, 4]);
    const t = transpose(x);
    expect(t.shape).toEqual([4, 3, 2]);
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 3; j++)
        for (let k = 0; k < 4; k++) expect(t.data[k * 6 + j * 2 + i]).toBe(x.data[i * 12 + j * 4 + k]);
    expect(transpose(tensor(5)).item()).toBe(5);
    expect(transpose(tensor([1, 2])).toArray()).toEqual([1, 2]);
  });

  it('a 3-D permutation, by hand: perm [1, 0, 2] of [2, 3, 2]', () => {
    const x = iota([2, 3, 2]); // x[i][j][k] = 6i + 2j + k
    expect(transpose(x, [1, 0, 2]).toArray()).toEqual([
      [
        [0, 1],
        [6, 7],
      ],
      [
        [2, 3],
        [8, 9],
      ],
      [
        [4, 5],
        [10, 11],
      ],
    ]);
    expect(transpose(x, [2, 0, 1]).shape).toEqual([2, 2, 3]);
    expect(transpose(x, [2, 0, 1]).toArray()).toEqual(naiveTranspose(x, [2, 0, 1]).toArray());
    expect(transpose(x, [0, 1, 2]).toArray()).toEqual(x.toArray());
  });

  it('matches a naive reference for random shapes and permutations (property)', () => {
    const arb = fc
      .array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 5 })
      .chain((shape) =>
        fc.tuple(
          fc.constant(shape),
          fc.shuffledSubarray(arange(shape.length), { minLength: shape.length, maxLength: shape.length }),
        ),
      );
    fc.assert(
      fc.property(arb, ([shape, perm]) => {
        const x = iota(shape);
        const t = transpose(x, perm);
        const ref = naiveTranspose(x, perm);
        expect(t.shape).toEqual(ref.shape);
        expect(t.data).toEqual(ref.data);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects a perm that is not a permutation of the axes', () => {
    const x = zeros([2, 3, 4]);
    expect(() => transpose(x, [0, 1])).toThrow(RangeError);
    expect(() => transpose(x, [0, 0, 1])).toThrow(
      /transpose: perm must be a permutation of 0..2 for shape \[2, 3, 4\]/,
    );
    expect(() => transpose(x, [0, 1, 3])).toThrow(/transpose/);
    expect(() => transpose(x, [0, 1, -1])).toThrow(/transpose/);
    expect(() => transpose(x, [0, 1, 2, 3])).toThrow(/transpose/);
  });
});

describe('reshape / broadcastTo / sumTo', () => {
  it('reshape keeps the row-major order and infers one -1', () => {
    const x = iota([2, 3]);
    expect(reshape(x, [3, 2]).toArray()).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    expect(reshape(x, [-1]).toArray()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(reshape(x, [3, -1]).shape).toEqual([3, 2]);
    expect(reshape(x, [-1, 2, 1]).shape).toEqual([3, 2, 1]);
    expect(reshape(x, [1, -1, 1]).shape).toEqual([1, 6, 1]);
    expect(reshape(x, [2, 3]).toArray()).toEqual(x.toArray());
    expect(reshape(tensor([7]), []).shape).toEqual([]);
    expect(reshape(tensor(7), [1, 1]).toArray()).toEqual([[7]]);
    expect(reshape(zeros([0, 4]), [-1]).shape).toEqual([0]);
    expect(reshape(zeros([0, 4]), [2, 0]).shape).toEqual([2, 0]);
  });

  it('reshape errors', () => {
    const x = iota([2, 3]);
    expect(() => reshape(x, [4])).toThrow(RangeError);
    expect(() => reshape(x, [4])).toThrow(/reshape: cannot reshape \[2, 3\] \(6 elements\) to \[4\]/);
    expect(() => reshape(x, [4, -1])).toThrow(/reshape/);
    expect(() => reshape(x, [-1, -1])).toThrow(/at most one dimension may be -1/);
    expect(() => reshape(x, [-2, -3])).toThrow(RangeError);
    expect(() => reshape(x, [2.5, 2])).toThrow(RangeError);
    expect(() => reshape(x, 6 as unknown as number[])).toThrow(TypeError);
    expect(() => reshape(x, [0, -1])).toThrow(RangeError);
  });

  it('broadcastTo copies along new and unit dims', () => {
    expect(broadcastTo(tensor([1, 2, 3]), [2, 3]).toArray()).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expect(broadcastTo(tensor([[1], [2], [3]]), [3, 4]).toArray()).toEqual([
      [1, 1, 1, 1],
      [2, 2, 2, 2],
      [3, 3, 3, 3],
    ]);
    expect(broadcastTo(tensor(5), [2, 2]).toArray()).toEqual([
      [5, 5],
      [5, 5],
    ]);
    expect(broadcastTo(tensor([1, 2]), [2]).toArray()).toEqual([1, 2]);
    const x = tensor([[1, 2]]);
    const y = broadcastTo(x, [2, 3, 2]);
    expect(y.toArray()).toEqual(naiveBinary(x, zeros([2, 3, 2]), (v) => v).toArray());
    expect(broadcastTo(tensor([1]), [0]).shape).toEqual([0]);
  });

  it('broadcastTo errors name the op and the shapes', () => {
    expect(() => broadcastTo(zeros([2]), [3])).toThrow(/broadcastTo: shapes \[2\] and \[3\] cannot be broadcast/);
    expect(() => broadcastTo(zeros([2, 3]), [3])).toThrow(/broadcastTo: shape \[2, 3\] cannot be broadcast to \[3\]/);
    expect(() => broadcastTo(zeros([2, 1]), [2])).toThrow(/broadcastTo/);
    expect(() => broadcastTo(zeros([2]), [-2])).toThrow(RangeError);
  });

  it('sumTo sums broadcast dimensions back', () => {
    const x = iota([2, 3]);
    expect(sumTo(x, [3]).toArray()).toEqual([3, 5, 7]);
    expect(sumTo(x, [1, 3]).toArray()).toEqual([[3, 5, 7]]);
    expect(sumTo(x, [2, 1]).toArray()).toEqual([[3], [12]]);
    expect(sumTo(x, []).item()).toBe(15);
    expect(sumTo(x, [1, 1]).toArray()).toEqual([[15]]);
    expect(sumTo(x, [2, 3]).toArray()).toEqual(x.toArray());
    const y = iota([2, 3, 4]);
    expect(sumTo(y, [3, 1]).toArray()).toEqual([[60], [92], [124]]);
  });

  it('sumTo inverts broadcastTo (sum of copies) for random shapes (property)', () => {
    fc.assert(
      fc.property(
        dimsArb.chain((out) => fc.tuple(fc.constant(out), operandShape(out))),
        ([out, small]) => {
          const x = iota(small, 1);
          const copies = prod(out) / prod(small);
          expect(sumTo(broadcastTo(x, out), small).data).toEqual(mul(x, copies).data);
        },
      ),
      { numRuns: 100 },
    );
  });

  // Regression: without this check a final reshape silently turned [2,3] into [3,2].
  it('sumTo refuses a target shape that does not broadcast to x', () => {
    expect(() => sumTo(iota([2, 3]), [3, 2])).toThrow(/sumTo: shapes \[3, 2\] and \[2, 3\] cannot be broadcast/);
    expect(() => sumTo(iota([2, 3]), [1, 2, 3, 1])).toThrow(
      /sumTo: shape \[1, 2, 3, 1\] does not broadcast to \[2, 3\]/,
    );
    expect(() => sumTo(iota([6]), [2, 3])).toThrow();
  });
});

describe('concat / slice / take / stopGradient', () => {
  const a = tensor([
    [1, 2],
    [3, 4],
  ]);
  const b = tensor([[5, 6]]);

  it('concat along axis 0 and 1', () => {
    expect(concat([a, b]).toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(concat([a, b], 0).shape).toEqual([3, 2]);
    const c = tensor([[7], [8]]);
    expect(concat([a, c], 1).toArray()).toEqual([
      [1, 2, 7],
      [3, 4, 8],
    ]);
    expect(concat([c, a, c], -1).toArray()).toEqual([
      [7, 1, 2, 7],
      [8, 3, 4, 8],
    ]);
    expect(concat([a]).toArray()).toEqual(a.toArray());
    expect(concat([a, zeros([0, 2])]).toArray()).toEqual(a.toArray());
    expect(concat([tensor([1, 2]), tensor([3])]).toArray()).toEqual([1, 2, 3]);
    const x = iota([2, 2, 3]);
    const y = iota([2, 1, 3], 100);
    expect(concat([x, y], 1).toArray()).toEqual([
      [
        [0, 1, 2],
        [3, 4, 5],
        [100, 101, 102],
      ],
      [
        [6, 7, 8],
        [9, 10, 11],
        [103, 104, 105],
      ],
    ]);
  });

  it('concat errors', () => {
    expect(() => concat([a, tensor([[1, 2, 3]])])).toThrow(
      /concat: shapes \[2, 2\] and \[1, 3\] differ outside axis 0/,
    );
    expect(() => concat([a, b], 1)).toThrow(/concat/);
    expect(() => concat([a, tensor([1, 2])])).toThrow(RangeError);
    expect(() => concat([])).toThrow(TypeError);
    expect(() => concat(a as unknown as Tensor[])).toThrow(/non-empty array/);
    expect(() => concat([a, [1, 2] as unknown as Tensor])).toThrow(/expected xs\[1\] to be a Tensor/);
    expect(() => concat([a, b], 2)).toThrow(/concat: axis/);
    expect(() => concat([tensor(1), tensor(2)])).toThrow(RangeError);
  });

  it('slice rows and other axes', () => {
    const x = iota([4, 3]);
    expect(slice(x, 1, 3).toArray()).toEqual([
      [3, 4, 5],
      [6, 7, 8],
    ]);
    expect(slice(x, 0, 4).toArray()).toEqual(x.toArray());
    expect(slice(x, 2, 2).shape).toEqual([0, 3]);
    expect(slice(x, 1, 3, 1).toArray()).toEqual([
      [1, 2],
      [4, 5],
      [7, 8],
      [10, 11],
    ]);
    expect(slice(x, 0, 1, -1).toArray()).toEqual([[0], [3], [6], [9]]);
    const y = iota([2, 3, 2]);
    expect(slice(y, 1, 2, 1).toArray()).toEqual([[[2, 3]], [[8, 9]]]);
    expect(slice(tensor([1, 2, 3, 4]), 3, 4).toArray()).toEqual([4]);
  });

  it('slice rejects bad bounds and axes', () => {
    const x = iota([4, 3]);
    expect(() => slice(x, -1, 2)).toThrow(RangeError);
    expect(() => slice(x, 0, 5)).toThrow(
      /slice: expected integers 0 ≤ start ≤ end ≤ 4 along axis 0 of shape \[4, 3\], got start 0, end 5/,
    );
    expect(() => slice(x, 3, 1)).toThrow(/slice/);
    expect(() => slice(x, 0.5, 2)).toThrow(/start 0\.5/);
    expect(() => slice(x, 0, NaN)).toThrow(/end NaN/);
    expect(() => slice(x, 0, 4, 1)).toThrow(/≤ 3 along axis 1/);
    expect(() => slice(x, 0, 1, 2)).toThrow(/slice: axis/);
    expect(() => slice(tensor(1), 0, 1)).toThrow(/rank-0/);
  });

  it('take gathers rows, with repeats', () => {
    const x = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(take(x, [2, 0, 2, 2]).toArray()).toEqual([
      [5, 6],
      [1, 2],
      [5, 6],
      [5, 6],
    ]);
    expect(take(x, Int32Array.of(1, 1)).toArray()).toEqual([
      [3, 4],
      [3, 4],
    ]);
    expect(take(x, []).shape).toEqual([0, 2]);
    expect(take(tensor([10, 20, 30]), [1, 1, 0]).toArray()).toEqual([20, 20, 10]);
    expect(take(iota([3, 2, 2]), [1]).toArray()).toEqual([
      [
        [4, 5],
        [6, 7],
      ],
    ]);
  });

  it('take rejects bad indices, naming indices', () => {
    const x = zeros([3, 2]);
    expect(() => take(x, [3])).toThrow(RangeError);
    expect(() => take(x, [0, 3])).toThrow(/take: indices\[1\] must be an integer in \[0, 2\], got 3/);
    expect(() => take(x, [-1])).toThrow(/indices\[0\]/);
    expect(() => take(x, [1.5])).toThrow(/indices\[0\].*1\.5/);
    expect(() => take(x, [NaN])).toThrow(/indices\[0\]/);
    expect(() => take(x, 1 as unknown as number[])).toThrow(TypeError);
    expect(() => take(x, '0' as unknown as number[])).toThrow(/expected indices to be an array of integers/);
    expect(() => take(tensor(1), [0])).toThrow(/rank-0/);
  });

  it('stopGradient is the identity on values', () => {
    const x = tensor([
      [1.5, -2],
      [NaN, 4],
    ]);
    const y = stopGradient(x);
    expect(y.shape).toEqual([2, 2]);
    expect(y.data).toEqual(x.data);
    expect(() => stopGradient(1 as unknown as Tensor)).toThrow(/stopGradient: expected x to be a Tensor/);
  });
});
