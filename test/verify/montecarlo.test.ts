// The Monte-Carlo helpers (src/verify/montecarlo.ts): monteCarloMean runs its k samples as one batch,
// runningMeans and geometricGrid; then their boundaries and messages (the cases mutation testing found
// untested).
import { describe, expect, it } from 'vitest';
import {
  type Key,
  type Tensor,
  bernoulli,
  dropout,
  float64Data,
  foldIn,
  key,
  matmul,
  mlp,
  tensor,
  zeros,
} from '../../src/index.ts';
import { geometricGrid, monteCarloMean, runningMeans } from '../../src/verify/montecarlo.ts';

describe('monteCarloMean', () => {
  it('runs the k samples as one batch: row i uses the i-th row of the mask drawn from the key', () => {
    const W = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const f = (b: Tensor, k: Key) => matmul(dropout(k, b, { rate: 0.4, training: true }), W);
    const x = tensor([1, -1, 2]);
    const { samples, mean } = monteCarloMean(f, x, 50, key(3));
    expect(samples.shape).toEqual([50, 2]);
    const r = bernoulli(key(3), 0.6, [50, 3]).data;
    for (let i = 0; i < 50; i++) {
      const h = [0, 1, 2].map((j) => (r[i * 3 + j] ? x.data[j] * (1 / 0.6) : 0));
      expect(samples.data[i * 2]).toBeCloseTo(h[0] * 1 + h[1] * 3 + h[2] * 5, 12);
    }
    expect(mean[0]).toBeCloseTo(
      float64Data(samples)
        .filter((_, i) => i % 2 === 0)
        .reduce((a, b) => a + b, 0) / 50,
      12,
    );
  });

  it('works with an mlp (masks per row, per layer) and validates its arguments', () => {
    const net = mlp({ sizes: [3, 4, 2], inputRate: 0.2, hiddenRate: 0.5 });
    const params = net.init(key(1));
    const f = (b: Tensor, k: Key) => net.apply(params, b, { training: true, key: k });
    const { samples } = monteCarloMean(f, tensor([0.5, 1, -1]), 8, foldIn(key(2), 0));
    expect(samples.shape).toEqual([8, 2]);
    expect(new Set(Array.from({ length: 8 }, (_, i) => samples.data[2 * i])).size).toBeGreaterThan(1);
    expect(() => monteCarloMean(f, tensor([1, 2, 3]), 0, key(0))).toThrow(
      /k must be an integer in \[1, 16777216\], got 0/,
    );
    expect(() => monteCarloMean(f, tensor([1, 2, 3]), 2, 5 as never)).toThrow(/expected key to be a Key/);
    expect(() => monteCarloMean((b) => b, [1] as never, 2, key(0))).toThrow(/expected x to be a Tensor/);
    expect(() => monteCarloMean(() => tensor([1]), tensor([1]), 2, key(0))).toThrow(
      /2 rows \(one per sample\), got shape \[1\]/,
    );
  });
});

describe('runningMeans and geometricGrid', () => {
  it('means of prefixes', () => {
    const s = tensor([
      [1, 10],
      [2, 20],
      [3, 30],
      [6, 60],
    ]);
    expect(runningMeans(s, [1, 2, 4]).map((m) => Array.from(m))).toEqual([
      [1, 10],
      [1.5, 15],
      [3, 30],
    ]);
    expect(() => runningMeans(s, [2, 1])).toThrow(/increasing/);
    expect(() => runningMeans(s, [5])).toThrow(/\[1, 4\], got 5/);
  });

  it('a 1-2-5 grid ending at max', () => {
    expect(geometricGrid(100)).toEqual([1, 2, 5, 10, 20, 50, 100]);
    expect(geometricGrid(30)).toEqual([1, 2, 5, 10, 20, 30]);
    expect(() => geometricGrid(0)).toThrow(/positive integer/);
  });
});

// ---------------------------------------------------------------------------------------------------
// Boundaries and messages of the Monte-Carlo helpers (the cases mutation testing found untested).

const id = (b: Tensor) => b;

describe('monteCarloMean: arguments', () => {
  it('k from 1 to 2^24, integers only; the message gives the range and the value', () => {
    const x = tensor([2, -3]);
    const one = monteCarloMean(id, x, 1, key(0));
    expect(one.samples.shape).toEqual([1, 2]);
    expect(Array.from(one.mean)).toEqual([2, -3]);
    // the largest k, cheaply: an example with no features makes a [2^24, 0] batch of no elements
    expect(monteCarloMean(id, zeros([0]), 2 ** 24, key(0)).samples.shape).toEqual([2 ** 24, 0]);
    for (const [k, shown] of [
      [0, '0'],
      [-1, '-1'],
      [1.5, '1.5'],
      [2 ** 24 + 1, '16777217'],
      [NaN, 'NaN'],
      [Infinity, 'Infinity'],
    ] as const) {
      expect(() => monteCarloMean(id, x, k, key(0))).toThrow(
        new RangeError(`monteCarloMean: k must be an integer in [1, 16777216], got ${shown}`),
      );
    }
  });

  it('names f, x, key and what f returned', () => {
    const x = tensor([1]);
    expect(() => monteCarloMean(3 as never, x, 2, key(0))).toThrow(
      new TypeError('monteCarloMean: expected f to be a function (batch, key) => Tensor'),
    );
    expect(() => monteCarloMean(id, [1] as never, 2, key(0))).toThrow(
      new TypeError('monteCarloMean: expected x to be a Tensor (one example, without a batch dimension)'),
    );
    expect(() => monteCarloMean(id, x, 2, { hi: 0, lo: 0 } as never)).toThrow(
      new TypeError('monteCarloMean: expected key to be a Key'),
    );
    expect(() => monteCarloMean(() => 7 as never, x, 2, key(0))).toThrow(
      new RangeError('monteCarloMean: f must return a Tensor with 2 rows (one per sample), got number'),
    );
    expect(() => monteCarloMean(() => zeros([3, 2]), x, 2, key(0))).toThrow(
      new RangeError('monteCarloMean: f must return a Tensor with 2 rows (one per sample), got shape [3, 2]'),
    );
  });

  it('passes f the batch and the key it was given, and averages all k rows', () => {
    let seen: [number[], Key] | undefined;
    const k = key(11);
    const f = (b: Tensor, kk: Key) => {
      seen = [[...b.shape], kk];
      return dropout(kk, b, { rate: 0.5, training: true });
    };
    const { samples, mean } = monteCarloMean(f, tensor([4, 8]), 6, k);
    expect(seen).toEqual([[6, 2], k]);
    for (let j = 0; j < 2; j++)
      expect(mean[j]).toBe([0, 1, 2, 3, 4, 5].reduce((s, r) => s + samples.data[r * 2 + j], 0) / 6);
  });
});

describe('runningMeans: arguments and shapes', () => {
  const s = tensor([
    [1, 10],
    [2, 20],
    [3, 30],
    [6, 60],
  ]);

  it('refuses what is not a tensor with a batch dimension, or a grid that is not an increasing list of row counts', () => {
    expect(() => runningMeans(tensor(5), [1])).toThrow(
      new TypeError('runningMeans: expected samples to be a Tensor [k, ...], got a Tensor of shape []'),
    );
    expect(() => runningMeans([1, 2] as never, [1])).toThrow(
      new TypeError('runningMeans: expected samples to be a Tensor [k, ...], got an array of length 2'),
    );
    expect(() => runningMeans(s, 2 as never)).toThrow(
      new TypeError('runningMeans: expected grid to be an increasing array of row counts, got 2'),
    );
    for (const [k, shown] of [
      [0, '0'],
      [5, '5'],
      [1.5, '1.5'],
      [NaN, 'NaN'],
    ] as const) {
      expect(() => runningMeans(s, [k])).toThrow(
        new RangeError(`runningMeans: grid values must be integers in [1, 4], got ${shown}`),
      );
    }
    expect(() => runningMeans(s, [2, 2])).toThrow(
      new RangeError('runningMeans: grid must be increasing, got 2 then 2'),
    );
    expect(() => runningMeans(s, [3, 1])).toThrow(
      new RangeError('runningMeans: grid must be increasing, got 3 then 1'),
    );
  });

  it('an empty grid gives no means; rows of any shape are averaged elementwise; k = rows is allowed', () => {
    expect(runningMeans(s, [])).toEqual([]);
    expect(runningMeans(zeros([0, 3]), [])).toEqual([]);
    const cube = tensor(
      Array.from({ length: 12 }, (_, i) => i),
      [2, 2, 3],
    );
    expect(runningMeans(cube, [1, 2]).map((m) => Array.from(m))).toEqual([
      [0, 1, 2, 3, 4, 5],
      [3, 4, 5, 6, 7, 8],
    ]);
    expect(Array.from(runningMeans(s, [4])[0])).toEqual([3, 30]);
    // one number per row: a [k] tensor of scalar samples is allowed
    expect(runningMeans(tensor([1, 2, 3, 6]), [1, 2, 4]).map((m) => Array.from(m))).toEqual([[1], [1.5], [3]]);
  });
});

describe('geometricGrid', () => {
  it('1-2-5 steps up to max, ending at max exactly once', () => {
    expect(geometricGrid(1)).toEqual([1]);
    expect(geometricGrid(2)).toEqual([1, 2]);
    expect(geometricGrid(7)).toEqual([1, 2, 5, 7]);
    expect(geometricGrid(10)).toEqual([1, 2, 5, 10]);
    expect(geometricGrid(50)).toEqual([1, 2, 5, 10, 20, 50]);
    expect(geometricGrid(10 ** 6).slice(-3)).toEqual([200_000, 500_000, 1_000_000]);
    expect(geometricGrid(2 ** 53 - 1).length).toBe(49);
    for (const [m, shown] of [
      [0, '0'],
      [1.5, '1.5'],
      [-5, '-5'],
    ] as const) {
      expect(() => geometricGrid(m)).toThrow(
        new RangeError(`geometricGrid: max must be a positive integer, got ${shown}`),
      );
    }
  });
});
