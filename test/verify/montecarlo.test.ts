import { describe, expect, it } from 'vitest';
import { type Key, type Tensor, bernoulli, dropout, foldIn, key, matmul, mlp, tensor, float64Data } from '../../src/index.ts';
import { geometricGrid, monteCarloMean, runningMeans } from '../../src/verify/montecarlo.ts';

describe('monteCarloMean', () => {
  it('runs the k samples as one batch: row i uses the i-th row of the mask drawn from the key', () => {
    const W = tensor([[1, 2], [3, 4], [5, 6]]);
    const f = (b: Tensor, k: Key) => matmul(dropout(k, b, { rate: 0.4, training: true }), W);
    const x = tensor([1, -1, 2]);
    const { samples, mean } = monteCarloMean(f, x, 50, key(3));
    expect(samples.shape).toEqual([50, 2]);
    const r = bernoulli(key(3), 0.6, [50, 3]).data;
    for (let i = 0; i < 50; i++) {
      const h = [0, 1, 2].map((j) => (r[i * 3 + j] ? x.data[j] * (1 / 0.6) : 0));
      expect(samples.data[i * 2]).toBeCloseTo(h[0] * 1 + h[1] * 3 + h[2] * 5, 12);
    }
    expect(mean[0]).toBeCloseTo(float64Data(samples).filter((_, i) => i % 2 === 0).reduce((a, b) => a + b, 0) / 50, 12);
  });

  it('works with an mlp (masks per row, per layer) and validates its arguments', () => {
    const net = mlp({ sizes: [3, 4, 2], inputRate: 0.2, hiddenRate: 0.5 });
    const params = net.init(key(1));
    const f = (b: Tensor, k: Key) => net.apply(params, b, { training: true, key: k });
    const { samples } = monteCarloMean(f, tensor([0.5, 1, -1]), 8, foldIn(key(2), 0));
    expect(samples.shape).toEqual([8, 2]);
    expect(new Set(Array.from({ length: 8 }, (_, i) => samples.data[2 * i])).size).toBeGreaterThan(1);
    expect(() => monteCarloMean(f, tensor([1, 2, 3]), 0, key(0))).toThrow(/k must be an integer in \[1, 16777216\], got 0/);
    expect(() => monteCarloMean(f, tensor([1, 2, 3]), 2, 5 as never)).toThrow(/expected key to be a Key/);
    expect(() => monteCarloMean((b) => b, [1] as never, 2, key(0))).toThrow(/expected x to be a Tensor/);
    expect(() => monteCarloMean(() => tensor([1]), tensor([1]), 2, key(0))).toThrow(/2 rows \(one per sample\), got shape \[1\]/);
  });
});

describe('runningMeans and geometricGrid', () => {
  it('means of prefixes', () => {
    const s = tensor([[1, 10], [2, 20], [3, 30], [6, 60]]);
    expect(runningMeans(s, [1, 2, 4]).map((m) => Array.from(m))).toEqual([[1, 10], [1.5, 15], [3, 30]]);
    expect(() => runningMeans(s, [2, 1])).toThrow(/increasing/);
    expect(() => runningMeans(s, [5])).toThrow(/\[1, 4\], got 5/);
  });

  it('a 1-2-5 grid ending at max', () => {
    expect(geometricGrid(100)).toEqual([1, 2, 5, 10, 20, 50, 100]);
    expect(geometricGrid(30)).toEqual([1, 2, 5, 10, 20, 30]);
    expect(() => geometricGrid(0)).toThrow(/positive integer/);
  });
});
