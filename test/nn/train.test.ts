// Training helpers (src/nn/train.ts): keyed batches, the fit loop, batched inference, error rates and
// Monte-Carlo averaging; then their edges: every refusal word for word, the fit loop's epochs, step
// numbers and buffer donation.
import { describe, expect, it } from 'vitest';
import {
  type Key,
  Tensor,
  argmaxRows,
  errorRate,
  fit,
  foldIn,
  key,
  linear,
  mapRows,
  matmul,
  mlp,
  monteCarloAverages,
  mse,
  normal,
  permutation,
  relu,
  sgd,
  softmax,
  tensor,
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
  const rowsOf = (t: Tensor, idx: Int32Array) =>
    new Tensor(
      Float64Array.from(
        Array.from(idx).flatMap((i) => Array.from(t.data.subarray(i * t.shape[1], (i + 1) * t.shape[1]))),
      ),
      [idx.length, t.shape[1]],
    );
  const loss = (p: { W: Tensor }, batch: Int32Array) =>
    mse(linear({ W: p.W, b: tensor([0]) }, rowsOf(X, batch)), rowsOf(y, batch));

  it('fits a linear model, visits every example once per epoch, and is a function of its key', () => {
    const seen: number[][] = [];
    const losses: number[] = [];
    const run = () =>
      fit(
        { W: new Tensor(new Float64Array(3), [3, 1]) },
        (p, batch, k) => (seen.push([...batch]), void k, loss(p, batch)),
        {
          optimizer: sgd({ lr: 0.1 }),
          steps: 200,
          batchSize: 8,
          n: 40,
          key: key(5),
          onStep: (_, __, l) => losses.push(l),
        },
      );
    const p = run();
    expect(Math.max(...Array.from(p.W.data, (v, i) => Math.abs(v - w.data[i])))).toBeLessThan(1e-3);
    expect(losses.length).toBe(200);
    expect(losses[199]).toBeLessThan(losses[0]);
    expect(
      seen
        .slice(0, 5)
        .flat()
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(
      seen
        .slice(5, 10)
        .flat()
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(seen.slice(0, 5)).not.toEqual(seen.slice(5, 10)); // a fresh order each epoch
    expect(run().W.data).toEqual(p.W.data);
    // the caller's starting point is never overwritten (only the loop's own buffers are donated)
    const start = { W: tensor([[0.1], [0.2], [0.3]]) };
    fit(start, (q, batch) => loss(q, batch), {
      optimizer: sgd({ lr: 0.1, momentum: 0.5 }),
      steps: 5,
      batchSize: 8,
      n: 40,
      key: key(6),
    });
    expect(Array.from(start.W.data)).toEqual([0.1, 0.2, 0.3]);
  });

  it('passes a distinct key per update, takes a schedule of optimizers, and handles a ragged last batch', () => {
    const keys: Key[] = [];
    const sizes: number[] = [];
    const lrs: number[] = [];
    fit(
      { W: new Tensor(new Float64Array(3), [3, 1]) },
      (p, batch, k) => (keys.push(k), sizes.push(batch.length), loss(p, batch)),
      {
        optimizer: (t) => (lrs.push(t), sgd({ lr: 0.01 })),
        steps: 4,
        batchSize: 30,
        n: 40,
        key: key(6),
      },
    );
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
    expect(() => errorRate(x, 4, 3 as never)).toThrow(
      /errorRate: expected labels to be an array of class indices, got 3/,
    );
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
    expect(() => monteCarloAverages(net, params, x, key(1), [2, 2])).toThrow(
      /grid must be increasing positive integers, got \[2, 2\]/,
    );
    expect(() => monteCarloAverages(net, params, x, key(1), [0])).toThrow(/grid must be increasing/);
    expect(() => monteCarloAverages(net, params, x, 1 as never, [1])).toThrow(/expected key to be a Key/);
  });
});

// ---------------------------------------------------------------------------------------------------
// Edges: every refusal word for word, the fit loop's epochs, step numbers and buffer donation.

describe('the fit loop', () => {
  const X = normal(key(1), [6, 2]);
  const Y = normal(key(2), [6, 1]);
  const loss = (p: { W: Tensor }, batch: Int32Array) => {
    const rows = (t: Tensor) =>
      tensor(Array.from(batch, (i) => Array.from(t.data.subarray(i * t.shape[1], (i + 1) * t.shape[1]))));
    return mse(matmul(rows(X), p.W), rows(Y));
  };

  it('shuffles epoch e with foldIn(key, 2e), numbers updates from 1, and reuses the buffers from the second update on', () => {
    const batches: number[][] = [];
    const steps: number[] = [];
    const buffers: Float64Array[] = [];
    const start = { W: tensor([[0.5], [-0.5]]) };
    fit(start, (p, batch) => (batches.push([...batch]), loss(p, batch)), {
      optimizer: sgd({ lr: 0.1 }),
      steps: 4,
      batchSize: 3,
      n: 6,
      key: key(7),
      onStep: (t, p) => (steps.push(t), buffers.push(p.W.data as Float64Array)),
    });
    expect(steps).toEqual([1, 2, 3, 4]);
    const epoch = (e: number) => [...permutation(foldIn(key(7), 2 * e), 6)];
    expect(batches).toEqual([epoch(0).slice(0, 3), epoch(0).slice(3), epoch(1).slice(0, 3), epoch(1).slice(3)]);
    expect(start.W.data).toEqual(Float64Array.of(0.5, -0.5));
    expect(buffers[0]).not.toBe(start.W.data);
    expect(buffers[1]).toBe(buffers[0]);
    expect(buffers[3]).toBe(buffers[0]);
  });

  it('permutation refuses a non-key', () => {
    expect(() => permutation(3 as never, 4)).toThrow('permutation: expected k to be a Key, got 3');
  });
});

describe('inference helpers at their edges', () => {
  const x = Float64Array.from({ length: 12 }, (_, i) => i);

  it('mapRows refuses each bad argument by name', () => {
    const f = (b: Tensor) => b;
    expect(() => mapRows('x' as never, 4, f)).toThrow(
      'mapRows: expected x to be a Float64Array or a Float32Array, got "x"',
    );
    expect(() => mapRows(x, 4, 3 as never)).toThrow('mapRows: expected f to be a function of a block of rows, got 3');
    expect(() => mapRows(x, 4, f, 0)).toThrow('mapRows: expected block to be a positive integer, got 0');
    expect(() => mapRows(x, 4, f, 1.5)).toThrow('mapRows: expected block to be a positive integer, got 1.5');
    expect(() => mapRows(x, 0, f)).toThrow('mapRows: expected width to be a positive integer, got 0');
    expect(() => mapRows(x, '4' as never, f)).toThrow('mapRows: expected width to be a positive integer, got "4"');
    expect(() => mapRows(x, 2.5, f)).toThrow('mapRows: expected width to be a positive integer, got 2.5');
  });

  it('mapRows hands f blocks of at most `block` rows, the last one ragged, and nothing more', () => {
    const shapes: number[][] = [];
    const f = (b: Tensor) => (shapes.push([...b.shape]), b);
    expect(mapRows(x, 2, f, 4)).toEqual(x);
    expect(shapes).toEqual([
      [4, 2],
      [2, 2],
    ]);
    shapes.length = 0;
    expect(mapRows(x, 2, f, 3)).toEqual(x);
    expect(shapes).toEqual([
      [3, 2],
      [3, 2],
    ]);
    shapes.length = 0;
    expect(mapRows(x, 1, f, 1)).toEqual(x);
    expect(shapes.length).toBe(12);
  });

  it('argmaxRows reads each row alone and refuses anything but a Float64Array or Float32Array by name', () => {
    expect([...argmaxRows(Float64Array.of(0, 1, 5, 0, 2, 3), 2)]).toEqual([1, 0, 1]);
    expect([...argmaxRows(Float64Array.of(4, 9, 7), 1)]).toEqual([0, 0, 0]);
    expect([...argmaxRows(Float64Array.of(0, 0, 0, 1, 5, 3), 3)]).toEqual([0, 1]);
    expect(() => argmaxRows([1, 2] as never, 2)).toThrow(
      'argmaxRows: expected scores to be a Float64Array or a Float32Array, got an array of length 2',
    );
  });

  it('errorRate refuses labels that are not an array', () => {
    const s = Float64Array.of(0, 1);
    for (const [labels, got] of [
      [null, 'null'],
      ['1', '"1"'],
      [{ length: '1' }, 'an object (Object)'],
    ] as const) {
      expect(() => errorRate(s, 2, labels as never)).toThrow(
        `errorRate: expected labels to be an array of class indices, got ${got}`,
      );
    }
    expect(errorRate(s, 2, { length: 1, 0: 1 })).toBe(0);
  });

  it('monteCarloAverages refuses a net, key or grid of the wrong kind by name', () => {
    const net = mlp({ sizes: [2, 2], inputRate: 0.5 });
    const params = net.init(key(1));
    const xs = normal(key(2), [1, 2]);
    expect(() => monteCarloAverages(null as never, params, xs, key(1), [1])).toThrow(
      'monteCarloAverages: expected net to be a network from mlp(…), got null',
    );
    expect(() => monteCarloAverages({ apply: 3 } as never, params, xs, key(1), [1])).toThrow(
      'monteCarloAverages: expected net to be a network from mlp(…), got an object (Object)',
    );
    expect(() => monteCarloAverages(net, params, xs, 1 as never, [1])).toThrow(
      'monteCarloAverages: expected key to be a Key, got 1',
    );
    expect(() => monteCarloAverages(net, params, xs, key(1), 3 as never)).toThrow(
      'monteCarloAverages: expected grid to be an array of increasing positive integers, got 3',
    );
    expect(() => monteCarloAverages(net, params, xs, key(1), [1.5])).toThrow(
      'monteCarloAverages: grid must be increasing positive integers, got [1.5]',
    );
  });
});
