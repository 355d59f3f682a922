// The network helpers at their edges: every refusal word for word, the smallest sizes, the shapes
// of what they build, max-norm on every column, and the fit loop's epochs, step numbers and
// buffer donation.
import { describe, expect, it } from 'vitest';
import {
  type Tensor, argmaxRows, errorRate, fit, foldIn, initLinear, key, mapRows, matmul, maxNormProject, mlp, monteCarloAverages, mse, normal, permutation, sgd, tensor, uniform,
} from '../../src/index.ts';

describe('initLinear and mlp', () => {
  it('initLinear refuses a non-key and takes widths of 1; its bias has shape [out]', () => {
    expect(() => initLinear(3 as never, 2, 3)).toThrow('initLinear: expected key to be a Key, got 3');
    expect(() => initLinear(key(1), 2, 1.5)).toThrow('initLinear: outDim must be a positive integer, got 1.5');
    const p = initLinear(key(1), 1, 1);
    expect(p.W.shape).toEqual([1, 1]);
    expect(p.b.shape).toEqual([1]);
    expect(initLinear(key(1), 4, 3).b.shape).toEqual([3]);
  });

  it('Glorot weights are uniform on ±√(6/(in+out)), drawn from the key', () => {
    const a = Math.sqrt(6 / 12);
    const g = initLinear(key(4), 5, 7, 'glorot');
    expect(g.W.shape).toEqual([5, 7]);
    expect(g.W.data).toEqual(uniform(key(4), [5, 7], -a, a).data);
    expect(g.b.shape).toEqual([7]);
  });

  it('mlp refuses a zero or fractional width and lists the widths it got', () => {
    expect(() => mlp({ sizes: [3, 0] })).toThrow('mlp: sizes must list at least two positive integers (input and output widths), got [3, 0]');
    expect(() => mlp({ sizes: [3, 2.5, 1] })).toThrow('got [3, 2.5, 1]');
    expect(() => mlp({ sizes: [3, 1], activation: 'swish' as never })).toThrow('mlp: activation must be one of relu, tanh, sigmoid, linear, got swish');
  });

  it("mlp's Glorot option and the paper convention with Bernoulli masks are accepted", () => {
    const net = mlp({ sizes: [3, 4, 2], init: 'glorot' });
    const params = net.init(key(2));
    expect(params.map((p) => p.W.shape)).toEqual([[3, 4], [4, 2]]);
    const a = Math.sqrt(6 / 7);
    expect(params[0].W.data.every((v) => Math.abs(v) <= a)).toBe(true);
    expect(() => mlp({ sizes: [3, 2], inputRate: 0.5, convention: 'scale-at-inference' })).not.toThrow();
  });

  it('apply refuses the wrong number of layers and options that are not an object', () => {
    const net = mlp({ sizes: [3, 4, 2] });
    const params = net.init(key(1));
    const x = normal(key(2), [2, 3]);
    expect(() => net.apply([params[0]], x, { training: false })).toThrow('mlp.apply: expected params to be the 2 layers { W, b } that init makes, got an array of length 1');
    expect(() => net.apply(params, x, null as never)).toThrow('mlp.apply: expected options { training, key?, masks? }, got null');
    expect(() => net.apply(params, x, 3 as never)).toThrow('mlp.apply: expected options { training, key?, masks? }, got 3');
  });

  it('a network whose rates are all 0 trains without a key and computes what it computes at inference', () => {
    const net = mlp({ sizes: [3, 4, 2] });
    const params = net.init(key(1));
    const x = normal(key(2), [2, 3]);
    expect(net.apply(params, x, { training: true }).data).toEqual(net.apply(params, x, { training: false }).data);
  });
});

describe('sgd at its edges', () => {
  it('refuses each bad hyperparameter with the range it needed', () => {
    expect(() => sgd(null as never)).toThrow('sgd: expected options { lr, momentum?, weightDecay?, maxNorm? }, got null');
    expect(() => sgd(0.1 as never)).toThrow('sgd: expected options { lr, momentum?, weightDecay?, maxNorm? }, got 0.1');
    expect(() => sgd({ lr: 0.1 }).init(3 as never)).toThrow('expected params to be a Tensor or an array/object of Tensors, got 3');
    expect(() => sgd({ lr: 0.1, momentum: -0.5 })).toThrow('sgd: momentum must be in [0, 1), got -0.5');
    expect(() => sgd({ lr: 0.1, momentum: NaN })).toThrow('sgd: momentum must be in [0, 1), got NaN');
    expect(() => sgd({ lr: 0.1, weightDecay: -1 })).toThrow('sgd: weightDecay must be a finite number ≥ 0, got -1');
    expect(() => sgd({ lr: 0.1, weightDecay: Infinity })).toThrow('sgd: weightDecay must be a finite number ≥ 0, got Infinity');
    expect(() => sgd({ lr: 0.1, maxNorm: 0 })).toThrow('sgd: maxNorm must be a finite number > 0, got 0');
    expect(() => sgd({ lr: 0.1, momentum: 0, weightDecay: 0 })).not.toThrow();
  });

  it('refuses trees of another structure or shape, naming which', () => {
    const opt = sgd<{ W: Tensor }>({ lr: 0.1 });
    const params = { W: tensor([[1], [2]]) };
    const state = opt.init(params);
    expect(() => opt.step(3 as never, params, state)).toThrow('expected params to be a Tensor or an array/object of Tensors, got 3');
    expect(() => opt.step(params, 3 as never, state)).toThrow('expected grads to be a Tensor or an array/object of Tensors, got 3');
    expect(() => opt.step(params, params, 3 as never)).toThrow('expected state to be a Tensor or an array/object of Tensors, got 3');
    const two = { W: tensor([[1], [2]]), b: tensor([0]) } as never;
    expect(() => opt.step(params, two, state)).toThrow('sgd.step: params, grads and state must have the same structure');
    expect(() => opt.step(params, params, two)).toThrow('sgd.step: params, grads and state must have the same structure');
    // same size, other rank; same rank, other size
    expect(() => opt.step(params, { W: tensor([1, 2]) }, state)).toThrow("sgd.step: gradient and state 0 must have their parameter's shape [2, 1], got [2] and [2, 1]");
    expect(() => opt.step(params, params, { W: tensor([[0, 0], [0, 0]]) })).toThrow('got [2, 1] and [2, 2]');
  });

  it('max-norm projects every column over the limit, only rank-2 parameters, and leaves W itself alone', () => {
    const W = tensor([[3, 6, 0.5], [4, 8, 0.5]]); // column norms 5, 10, ≈0.71
    const P = maxNormProject(W, 2);
    expect(W.data).toEqual(Float64Array.of(3, 6, 0.5, 4, 8, 0.5));
    expect(Array.from(P.data)).toEqual([3 * (2 / 5), 6 * (2 / 10), 0.5, 4 * (2 / 5), 8 * (2 / 10), 0.5]);
    expect(() => maxNormProject(tensor([3, 4]), 1)).toThrow('maxNormProject: expected W to be a rank-2 Tensor [in, out]');
    const opt = sgd<{ W: Tensor; b: Tensor; K: Tensor }>({ lr: 0, maxNorm: 2 });
    const params = { W, b: tensor([30, 40]), K: tensor([[[3, 4]], [[6, 8]]]) };
    const zero = { W: tensor([[0, 0, 0], [0, 0, 0]]), b: tensor([0, 0]), K: tensor([[[0, 0]], [[0, 0]]]) };
    const out = opt.step(params, zero, opt.init(params)).params;
    expect(out.W.data).toEqual(P.data);
    expect(out.b.data).toEqual(params.b.data);
    expect(out.K.data).toEqual(params.K.data);
  });

  it('max-norm takes one radius per weight matrix in tree order, and says when their count differs', () => {
    const A = tensor([[3, 0.3], [4, 0.4]]), B = tensor([[6], [8]]); // column norms 5, 0.5 | 10
    const params = [{ W: A, b: tensor([9, 9]) }, { W: B, b: tensor([9]) }];
    const zero = [{ W: tensor([[0, 0], [0, 0]]), b: tensor([0, 0]) }, { W: tensor([[0], [0]]), b: tensor([0]) }];
    const opt = sgd<typeof params>({ lr: 0, maxNorm: [1, 5] });
    const out = opt.step(params, zero, opt.init(params)).params;
    expect(out[0].W.data).toEqual(maxNormProject(A, 1).data);
    expect(out[1].W.data).toEqual(maxNormProject(B, 5).data);
    expect(out[0].b.data).toEqual(params[0].b.data);
    const three = sgd<typeof params>({ lr: 0, maxNorm: [1, 2, 3] });
    expect(() => three.step(params, zero, three.init(params))).toThrow('sgd.step: maxNorm gives 3 radii, but the parameters hold 2 rank-2 weight matrices');
    expect(() => sgd({ lr: 0.1, maxNorm: [] })).toThrow('sgd: maxNorm must be a number or a non-empty array of numbers, got an array of length 0');
    expect(() => sgd({ lr: 0.1, maxNorm: [1, -1] })).toThrow('sgd: maxNorm[1] must be a finite number > 0, got -1');
  });

  it('max-norm sums each column in row order: the same bits as a column walk, on a wide matrix', () => {
    const W = normal(key(5), [37, 53]);
    const data = W.data;
    const ref = Float64Array.from(data);
    for (let j = 0; j < 53; j++) {
      let s = 0;
      for (let i = 0; i < 37; i++) s += ref[i * 53 + j] ** 2;
      const norm = Math.sqrt(s);
      if (norm > 6) for (let i = 0; i < 37; i++) ref[i * 53 + j] *= 6 / norm;
    }
    const P = maxNormProject(W, 6);
    expect(P.data).toEqual(ref);
    expect(ref.some((v, i) => v !== data[i])).toBe(true); // some columns were over the bound
    expect(ref.some((v, i) => v === data[i] && v !== 0)).toBe(true); // and some were not
  });
});

describe('the fit loop', () => {
  const X = normal(key(1), [6, 2]);
  const Y = normal(key(2), [6, 1]);
  const loss = (p: { W: Tensor }, batch: Int32Array) => {
    const rows = (t: Tensor) => tensor(Array.from(batch, (i) => Array.from(t.data.subarray(i * t.shape[1], (i + 1) * t.shape[1]))));
    return mse(matmul(rows(X), p.W), rows(Y));
  };

  it('shuffles epoch e with foldIn(key, 2e), numbers updates from 1, and reuses the buffers from the second update on', () => {
    const batches: number[][] = [];
    const steps: number[] = [];
    const buffers: Float64Array[] = [];
    const start = { W: tensor([[0.5], [-0.5]]) };
    fit(start, (p, batch) => (batches.push([...batch]), loss(p, batch)), {
      optimizer: sgd({ lr: 0.1 }), steps: 4, batchSize: 3, n: 6, key: key(7),
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
    expect(() => mapRows('x' as never, 4, f)).toThrow('mapRows: expected x to be a Float64Array or a Float32Array, got "x"');
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
    expect(shapes).toEqual([[4, 2], [2, 2]]);
    shapes.length = 0;
    expect(mapRows(x, 2, f, 3)).toEqual(x);
    expect(shapes).toEqual([[3, 2], [3, 2]]);
    shapes.length = 0;
    expect(mapRows(x, 1, f, 1)).toEqual(x);
    expect(shapes.length).toBe(12);
  });

  it('argmaxRows reads each row alone and refuses anything but a Float64Array or Float32Array by name', () => {
    expect([...argmaxRows(Float64Array.of(0, 1, 5, 0, 2, 3), 2)]).toEqual([1, 0, 1]);
    expect([...argmaxRows(Float64Array.of(4, 9, 7), 1)]).toEqual([0, 0, 0]);
    expect([...argmaxRows(Float64Array.of(0, 0, 0, 1, 5, 3), 3)]).toEqual([0, 1]);
    expect(() => argmaxRows([1, 2] as never, 2)).toThrow('argmaxRows: expected scores to be a Float64Array or a Float32Array, got an array of length 2');
  });

  it('errorRate refuses labels that are not an array', () => {
    const s = Float64Array.of(0, 1);
    for (const [labels, got] of [[null, 'null'], ['1', '"1"'], [{ length: '1' }, 'an object (Object)']] as const) {
      expect(() => errorRate(s, 2, labels as never)).toThrow(`errorRate: expected labels to be an array of class indices, got ${got}`);
    }
    expect(errorRate(s, 2, { length: 1, 0: 1 })).toBe(0);
  });

  it('monteCarloAverages refuses a net, key or grid of the wrong kind by name', () => {
    const net = mlp({ sizes: [2, 2], inputRate: 0.5 });
    const params = net.init(key(1));
    const xs = normal(key(2), [1, 2]);
    expect(() => monteCarloAverages(null as never, params, xs, key(1), [1])).toThrow('monteCarloAverages: expected net to be a network from mlp(…), got null');
    expect(() => monteCarloAverages({ apply: 3 } as never, params, xs, key(1), [1])).toThrow('monteCarloAverages: expected net to be a network from mlp(…), got an object (Object)');
    expect(() => monteCarloAverages(net, params, xs, 1 as never, [1])).toThrow('monteCarloAverages: expected key to be a Key, got 1');
    expect(() => monteCarloAverages(net, params, xs, key(1), 3 as never)).toThrow('monteCarloAverages: expected grid to be an array of increasing positive integers, got 3');
    expect(() => monteCarloAverages(net, params, xs, key(1), [1.5])).toThrow('monteCarloAverages: grid must be increasing positive integers, got [1.5]');
  });
});
