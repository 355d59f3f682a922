// Training helpers: keyed batches, the fit loop, batched inference, error rates, Monte-Carlo
// averaging, and the mlp's Gaussian-noise option.
import { describe, expect, it } from 'vitest';
import {
  type Key, type MLPParams, Tensor, argmaxRows, errorRate, fit, foldIn, gaussianDropout, key, linear, mapRows, mlp, monteCarloAverages, mse, normal, permutation, relu, sgd, softmax, tensor,
} from '../../src/index.ts';

describe('permutation', () => {
  it('is a permutation of 0..n−1, a function of the key', () => {
    const p = permutation(key(3), 50);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(permutation(key(3), 50)).toEqual(p);
    expect(permutation(key(4), 50)).not.toEqual(p);
    expect(permutation(key(3), 0).length).toBe(0);
    expect(() => permutation(key(3), -1)).toThrow(/n must be a non-negative integer, got -1/);
  });
});

describe('fit', () => {
  const X = normal(key(1), [40, 3]);
  const w = tensor([[1], [-2], [0.5]]);
  const y = new Tensor(new Float64Array(40), [40, 1]);
  for (let i = 0; i < 40; i++) y.data[i] = X.data[3 * i] - 2 * X.data[3 * i + 1] + 0.5 * X.data[3 * i + 2];
  const rowsOf = (t: Tensor, idx: Int32Array) => new Tensor(Float64Array.from(Array.from(idx).flatMap((i) => Array.from(t.data.subarray(i * t.shape[1], (i + 1) * t.shape[1])))), [idx.length, t.shape[1]]);
  const loss = (p: { W: Tensor }, batch: Int32Array) => mse(linear({ W: p.W, b: tensor([0]) }, rowsOf(X, batch)), rowsOf(y, batch));

  it('fits a linear model, visits every example once per epoch, and is a function of its key', () => {
    const seen: number[][] = [];
    const losses: number[] = [];
    const run = () => fit({ W: new Tensor(new Float64Array(3), [3, 1]) }, (p, batch, k) => (seen.push([...batch]), void k, loss(p, batch)), {
      optimizer: sgd({ lr: 0.1 }), steps: 200, batchSize: 8, n: 40, key: key(5), onStep: (_, __, l) => losses.push(l),
    });
    const p = run();
    expect(Math.max(...Array.from(p.W.data, (v, i) => Math.abs(v - w.data[i])))).toBeLessThan(1e-3);
    expect(losses.length).toBe(200);
    expect(losses[199]).toBeLessThan(losses[0]);
    expect(seen.slice(0, 5).flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(seen.slice(5, 10).flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(seen.slice(0, 5)).not.toEqual(seen.slice(5, 10)); // a fresh order each epoch
    expect(run().W.data).toEqual(p.W.data);
    // the caller's starting point is never overwritten (only the loop's own buffers are donated)
    const start = { W: tensor([[0.1], [0.2], [0.3]]) };
    fit(start, (q, batch) => loss(q, batch), { optimizer: sgd({ lr: 0.1, momentum: 0.5 }), steps: 5, batchSize: 8, n: 40, key: key(6) });
    expect(Array.from(start.W.data)).toEqual([0.1, 0.2, 0.3]);
  });

  it('passes a distinct key per update, takes a schedule of optimizers, and handles a ragged last batch', () => {
    const keys: Key[] = [];
    const sizes: number[] = [];
    const lrs: number[] = [];
    fit({ W: new Tensor(new Float64Array(3), [3, 1]) }, (p, batch, k) => (keys.push(k), sizes.push(batch.length), loss(p, batch)), {
      optimizer: (t) => (lrs.push(t), sgd({ lr: 0.01 })), steps: 4, batchSize: 30, n: 40, key: key(6),
    });
    expect(sizes).toEqual([30, 10, 30, 10]);
    expect(new Set(keys.map(String)).size).toBe(4);
    expect(keys[0]).toEqual(foldIn(key(6), 1));
    expect(lrs).toEqual([0, 0, 1, 2, 3]);
  });

  it('refuses bad options', () => {
    const o = { optimizer: sgd<{ W: Tensor }>({ lr: 0.1 }), steps: 1, batchSize: 1, n: 1, key: key(1) };
    const p = { W: new Tensor(new Float64Array(3), [3, 1]) };
    expect(() => fit(p, loss, { ...o, steps: -1 })).toThrow(/fit: steps must be an integer ≥ 0, got -1/);
    expect(() => fit(p, loss, { ...o, batchSize: 0 })).toThrow(/fit: batchSize must be an integer ≥ 1, got 0/);
    expect(() => fit(p, loss, { ...o, n: 1.5 })).toThrow(/fit: n must be an integer ≥ 1, got 1.5/);
    expect(() => fit(p, loss, { ...o, key: 3 as never })).toThrow(/fit: expected key to be a Key/);
    expect(fit(p, loss, { ...o, steps: 0 })).toBe(p);
  });
});

describe('inference helpers', () => {
  it('mapRows applies f block by block and concatenates', () => {
    const x = normal(key(2), [7, 4]).data;
    const f = (b: Tensor) => relu(b);
    expect(mapRows(x, 4, f, 3)).toEqual(relu(new Tensor(x, [7, 4])).data);
    expect(mapRows(x, 4, f, 100)).toEqual(mapRows(x, 4, f, 2));
    expect(() => mapRows(x, 5, f)).toThrow(/mapRows: expected whole rows of 5 values, got 28 values/);
    expect(() => argmaxRows(x, 0)).toThrow(/argmaxRows: expected classes to be a positive integer, got 0/);
    expect(() => errorRate(x, 4, 3 as never)).toThrow(/errorRate: expected labels to be an array of class indices, got 3/);
  });

  it('argmaxRows takes the first maximum; errorRate counts mismatches', () => {
    const s = Float64Array.of(0.1, 0.9, 0, 0.5, 0.5, 0, 0, 0, 2);
    expect([...argmaxRows(s, 3)]).toEqual([1, 0, 2]);
    expect(errorRate(s, 3, [1, 1, 2])).toBeCloseTo(1 / 3, 15);
    expect(errorRate(new Float64Array(0), 3, [])).toBe(0);
    expect(() => errorRate(s, 3, [1])).toThrow(/errorRate: 3 rows of scores but 1 labels/);
  });
});

describe('monteCarloAverages', () => {
  const net = mlp({ sizes: [4, 6, 3], hiddenRate: 0.5 });
  const params = net.init(key(1));
  const x = normal(key(2), [5, 4]);

  it('averages the softmax outputs of masks foldIn(key, 1..k) at each k of the grid', () => {
    const out = monteCarloAverages(net, params, x, key(9), [1, 3]);
    const p = (s: number) => softmax(net.apply(params, x, { training: true, key: foldIn(key(9), s) })).data;
    expect(out[0]).toEqual(p(1));
    const mean3 = p(1).map((v, i) => (v + p(2)[i] + p(3)[i]) / 3);
    out[1].forEach((v, i) => expect(v).toBeCloseTo(mean3[i], 14));
  });

  it('equals the plain softmax without dropout, and checks its arguments', () => {
    const plain = mlp({ sizes: [4, 6, 3] });
    const out = monteCarloAverages(plain, params, x, key(1), [1, 2]);
    const p = softmax(plain.apply(params, x, { training: false })).data;
    out[1].forEach((v, i) => expect(v).toBeCloseTo(p[i], 14));
    expect(() => monteCarloAverages(net, params, x, key(1), [2, 2])).toThrow(/grid must be increasing positive integers, got \[2, 2\]/);
    expect(() => monteCarloAverages(net, params, x, key(1), [0])).toThrow(/grid must be increasing/);
    expect(() => monteCarloAverages(net, params, x, 1 as never, [1])).toThrow(/expected key to be a Key/);
  });
});

describe('mlp with Gaussian noise', () => {
  it('multiplies each site by gaussianDropout(foldIn(key, site)) in training and is the plain network at inference', () => {
    const net = mlp({ sizes: [3, 4, 2], inputRate: 0.2, hiddenRate: 0.5, noise: 'gaussian' });
    const params: MLPParams = net.init(key(1));
    const x = normal(key(2), [2, 3]);
    const k = key(3);
    const h = gaussianDropout(foldIn(k, 1), relu(linear(params[0], gaussianDropout(foldIn(k, 0), x, { rate: 0.2, training: true }))), { rate: 0.5, training: true });
    expect(net.apply(params, x, { training: true, key: k }).data).toEqual(linear(params[1], h).data);
    expect(net.apply(params, x, { training: false }).data).toEqual(linear(params[1], relu(linear(params[0], x))).data);
    expect(net.spec.noise).toBe('gaussian');
    expect(mlp({ sizes: [3, 2] }).spec.noise).toBe('bernoulli');
  });

  it('refuses an unknown noise, the paper convention, and 0/1 masks', () => {
    expect(() => mlp({ sizes: [3, 2], noise: 'uniform' as never })).toThrow(/mlp: noise must be 'bernoulli' or 'gaussian', got "uniform"/);
    expect(() => mlp({ sizes: [3, 2], noise: 'gaussian', convention: 'scale-at-inference' })).toThrow(/only the inverted convention/);
    const net = mlp({ sizes: [3, 2], inputRate: 0.5, noise: 'gaussian' });
    expect(() => net.apply(net.init(key(1)), normal(key(2), [1, 3]), { training: true, key: key(1), masks: [] })).toThrow(/masks are 0\/1 dropout masks/);
  });
});
