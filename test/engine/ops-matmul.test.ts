// matmul (src/engine/ops.ts): 2-D and batched products by hand and against mathjs, batch
// broadcasting, an empty inner dimension, and its errors.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as math from 'mathjs';
import { type Tensor, matmul, reshape, tensor, zeros } from '../../src/index.ts';
import { arange, asMatrix, iota, valuesArb } from '../support/ops-reference.ts';

// +0 for −0: mathjs starts a dot product from its first term, the engine from +0, so an all-(−0) sum
// is −0 in one and +0 in the other; both are correct.
const unsign = (m: number[][]) => m.map((r) => r.map((v) => v + 0)); // −0 + 0 is +0
const mathMul = (a: number[][], b: number[][]) => unsign(math.multiply(a, b) as unknown as number[][]);
/** Σ_p |a_ip|·|b_pj|: the scale of each matmul result, for a relative error bound that allows cancellation. */
const absMatmul = (a: number[][], b: number[][]) =>
  mathMul(
    a.map((r) => r.map(Math.abs)),
    b.map((r) => r.map(Math.abs)),
  );
function expectMatmulClose(c: number[][], ref: number[][], scale: number[][]) {
  c.forEach((row, i) =>
    row.forEach((v, j) =>
      expect(Math.abs(v - ref[i][j]), `(${i}, ${j}): ${v} vs ${ref[i][j]}`).toBeLessThanOrEqual(1e-12 * scale[i][j]),
    ),
  );
}

describe('matmul', () => {
  it('2-D, by hand', () => {
    const c = matmul(
      tensor([
        [1, 2],
        [3, 4],
      ]),
      tensor([
        [5, 6],
        [7, 8],
      ]),
    );
    expect(c.toArray()).toEqual([
      [19, 22],
      [43, 50],
    ]);
    expect(matmul(tensor([[1, 2, 3]]), tensor([[4], [5], [6]])).toArray()).toEqual([[32]]);
    expect(matmul(tensor([[1], [2]]), tensor([[3, 4]])).toArray()).toEqual([
      [3, 4],
      [6, 8],
    ]);
  });

  it('2-D on integer values equals mathjs multiply exactly, including m not a multiple of 4 and n > 512', () => {
    const lcg = (n: number, seed: number) => arange(n).map((i) => (((i + 1) * 7919 + seed * 104729) % 19) - 9);
    for (const [m, k, n] of [
      [1, 1, 1],
      [5, 3, 4],
      [7, 6, 9],
      [5, 3, 600],
      [9, 2, 1030],
    ]) {
      const a = tensor(lcg(m * k, 1), [m, k]);
      const b = tensor(lcg(k * n, 2), [k, n]);
      expect(unsign(asMatrix(matmul(a, b)))).toEqual(mathMul(asMatrix(a), asMatrix(b)));
    }
  });

  it('2-D on random floats agrees with mathjs within 1e-12 of Σ|a||b| (property)', () => {
    const arb = fc
      .tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 9 }))
      .chain(([m, k, n]) =>
        fc.tuple(
          fc.constant([m, k, n]),
          valuesArb(m * k, fc.double({ min: -100, max: 100, noNaN: true })),
          valuesArb(k * n, fc.double({ min: -100, max: 100, noNaN: true })),
        ),
      );
    fc.assert(
      fc.property(arb, ([[m, k, n], va, vb]) => {
        const a = tensor(va, [m, k]);
        const b = tensor(vb, [k, n]);
        const c = matmul(a, b);
        expect(c.shape).toEqual([m, n]);
        expectMatmulClose(asMatrix(c), mathMul(asMatrix(a), asMatrix(b)), absMatmul(asMatrix(a), asMatrix(b)));
      }),
      { numRuns: 100 },
    );
  });

  it('batched over leading dims: [2,3,4] × [4,5]', () => {
    const a = tensor(
      arange(24).map((i) => Math.sin(i) * 3),
      [2, 3, 4],
    );
    const b = tensor(
      arange(20).map((i) => Math.cos(i) - 0.5),
      [4, 5],
    );
    const c = matmul(a, b);
    expect(c.shape).toEqual([2, 3, 5]);
    for (let i = 0; i < 2; i++) {
      const ci = asMatrix(c, i);
      expectMatmulClose(ci, mathMul(asMatrix(a, i), asMatrix(b)), absMatmul(asMatrix(a, i), asMatrix(b)));
    }
  });

  it('batch broadcasting: [1,3,4] × [2,4,5] and [3,4] × [2,4,5]', () => {
    const a = iota([1, 3, 4], -5);
    const b = iota([2, 4, 5], -20);
    const c = matmul(a, b);
    expect(c.shape).toEqual([2, 3, 5]);
    for (let i = 0; i < 2; i++) expect(unsign(asMatrix(c, i))).toEqual(mathMul(asMatrix(a, 0), asMatrix(b, i)));
    const c2 = matmul(reshape(a, [3, 4]), b);
    expect(c2.toArray()).toEqual(c.toArray());
  });

  it('batch broadcasting over two leading dims: [2,1,3,4] × [5,4,2]', () => {
    const a = iota([2, 1, 3, 4], -7);
    const b = iota([5, 4, 2], -11);
    const c = matmul(a, b);
    expect(c.shape).toEqual([2, 5, 3, 2]);
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 5; j++)
        expect(unsign(asMatrix(c, i * 5 + j))).toEqual(mathMul(asMatrix(a, i), asMatrix(b, j)));
  });

  it('handles an empty inner dimension (a sum over nothing is 0)', () => {
    expect(matmul(zeros([2, 0]), zeros([0, 3])).toArray()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(matmul(zeros([0, 2]), zeros([2, 3])).shape).toEqual([0, 3]);
  });

  it('errors name matmul and the shapes', () => {
    expect(() => matmul(zeros([3]), zeros([3, 2]))).toThrow(
      /matmul: expected tensors of rank ≥ 2, got shapes \[3\] and \[3, 2\]/,
    );
    expect(() => matmul(zeros([2, 3]), zeros([4, 2]))).toThrow(RangeError);
    expect(() => matmul(zeros([2, 3]), zeros([4, 2]))).toThrow(
      /matmul: inner dimensions differ: shapes \[2, 3\] and \[4, 2\]/,
    );
    // batch mismatch: the message names the two batch shapes
    expect(() => matmul(zeros([2, 3, 4]), zeros([3, 4, 5]))).toThrow(
      /matmul: batch dimensions of shapes \[2, 3, 4\] and \[3, 4, 5\] cannot be broadcast/,
    );
    expect(() => matmul([[1]] as unknown as Tensor, zeros([1, 1]))).toThrow(/matmul: expected a to be a Tensor/);
    expect(() => matmul(zeros([1, 1]), null as unknown as Tensor)).toThrow(/matmul: expected b to be a Tensor/);
  });
});
