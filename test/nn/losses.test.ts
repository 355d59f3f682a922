// The losses (src/nn/losses.ts): softmaxCrossEntropy and mse, by hand and with mathjs, for extreme
// logits, leading dimensions as rows, and what they refuse.
import { describe, expect, it } from 'vitest';
import * as math from 'mathjs';
import { type Tensor, mse, reshape, softmaxCrossEntropy, tensor, zeros } from '../../src/index.ts';
import { arange, asMatrix, expectClose } from '../support/ops-reference.ts';

describe('softmaxCrossEntropy and mse', () => {
  it('softmaxCrossEntropy against a hand computation', () => {
    const logits = tensor([
      [1, 2, 3],
      [1, 1, 1],
    ]);
    const row0 = Math.log(Math.E + Math.E ** 2 + Math.E ** 3) - 3;
    const row1 = Math.log(3);
    const loss = softmaxCrossEntropy(logits, [2, 0]);
    expect(loss.shape).toEqual([]);
    expectClose(loss, (row0 + row1) / 2);
    expectClose(softmaxCrossEntropy(logits, [0, 1]), (Math.log(Math.E + Math.E ** 2 + Math.E ** 3) - 1 + row1) / 2);
    expectClose(softmaxCrossEntropy(tensor([0, 0, 0, 0]), [3]), Math.log(4));
    expectClose(softmaxCrossEntropy(logits, Int32Array.of(2, 0)), (row0 + row1) / 2);
  });

  it('softmaxCrossEntropy is finite and correct for logits like [[1000, 0, -1000]]', () => {
    const l = tensor([[1000, 0, -1000]]);
    expect(Math.abs(softmaxCrossEntropy(l, [0]).item())).toBe(0);
    expect(softmaxCrossEntropy(l, [1]).item()).toBe(1000);
    expect(softmaxCrossEntropy(l, [2]).item()).toBe(2000);
    expect(
      softmaxCrossEntropy(
        tensor([
          [1000, 0, -1000],
          [0, 1000, 0],
        ]),
        [1, 1],
      ).item(),
    ).toBe(500);
  });

  it('softmaxCrossEntropy treats all leading dims as rows', () => {
    const logits = tensor(
      arange(12).map((i) => (i % 5) - 2),
      [2, 2, 3],
    );
    const rows = asMatrix(reshape(logits, [4, 3]));
    const labels = [0, 2, 1, 1];
    const ref = math.mean(rows.map((r, i) => Math.log(math.sum(r.map(Math.exp))) - r[labels[i]]));
    expectClose(softmaxCrossEntropy(logits, labels), ref);
  });

  // Regression: picking the label with a one-hot product gave 0 · −∞ = NaN for masked (−∞) logits.
  it('softmaxCrossEntropy ignores −Infinity logits of other classes', () => {
    expect(Math.abs(softmaxCrossEntropy(tensor([[0, -Infinity]]), [0]).item())).toBe(0); // abs: the loss may be −0
  });

  it('softmaxCrossEntropy rejects bad labels, naming labels', () => {
    const logits = zeros([2, 3]);
    expect(() => softmaxCrossEntropy(logits, [0, 3])).toThrow(RangeError);
    expect(() => softmaxCrossEntropy(logits, [0, 3])).toThrow(
      /softmaxCrossEntropy: labels\[1\] must be an integer in \[0, 2\], got 3/,
    );
    expect(() => softmaxCrossEntropy(logits, [-1, 0])).toThrow(/labels\[0\]/);
    expect(() => softmaxCrossEntropy(logits, [0, 1.5])).toThrow(/labels\[1\].*1\.5/);
    expect(() => softmaxCrossEntropy(logits, [NaN, 0])).toThrow(/labels\[0\]/);
    expect(() => softmaxCrossEntropy(logits, [0])).toThrow(/expected 2 labels for logits of shape \[2, 3\], got 1/);
    expect(() => softmaxCrossEntropy(logits, [0, 1, 2])).toThrow(/expected 2 labels/);
    expect(() => softmaxCrossEntropy(logits, 1 as unknown as number[])).toThrow(TypeError);
    expect(() => softmaxCrossEntropy(logits, null as unknown as number[])).toThrow(/labels/);
    expect(() => softmaxCrossEntropy(tensor(1), [0])).toThrow(/rank-0/);
    expect(() => softmaxCrossEntropy([[0]] as unknown as Tensor, [0])).toThrow(/expected logits to be a Tensor/);
  });

  it('mse by hand and with mathjs', () => {
    expect(mse(tensor([1, 2, 3]), tensor([1, 4, 0])).item()).toBe(13 / 3);
    expect(
      mse(
        tensor([
          [1, 2],
          [3, 4],
        ]),
        tensor([
          [1, 2],
          [3, 4],
        ]),
      ).item(),
    ).toBe(0);
    const p = [0.1, -2.3, 4.4, 1e-3];
    const q = [0.7, 2.1, -1.2, 0];
    expectClose(mse(tensor(p), tensor(q)), math.mean(p.map((v, i) => (v - q[i]) ** 2)));
  });

  it('mse refuses different shapes, naming both', () => {
    expect(() => mse(zeros([2, 3]), zeros([3, 2]))).toThrow(/mse: .*\[2, 3\] and \[3, 2\]/);
    expect(() => mse(zeros([3]), zeros([1, 3]))).toThrow(RangeError);
    expect(() => mse(zeros([3]), [0, 0, 0] as unknown as Tensor)).toThrow(/expected target to be a Tensor/);
  });
});
