// Layers, the MLP builder, SGD with momentum, weight decay and max-norm.
import { describe, expect, it } from 'vitest';
import {
  type Tensor, bernoulli, foldIn, initLinear, key, linear, maxNormProject, mlp, mse, normal, sgd, softmaxCrossEntropy, sum, tensor, valueAndGrad, float64Data } from '../../src/index.ts';

describe('linear and mlp', () => {
  it('initLinear: He-normal weights of the right shape and scale, zero bias, deterministic per key', () => {
    const p = initLinear(key(1), 400, 300);
    expect(p.W.shape).toEqual([400, 300]);
    expect(Array.from(p.b.data).every((v) => v === 0)).toBe(true);
    const variance = float64Data(p.W).reduce((s, v) => s + v * v, 0) / p.W.size;
    // n = 120,000 draws of N(0, 2/400): n·variance/(2/400) ~ χ²_n. Laurent–Massart tails at α = 1e-9
    // (each side ≤ α/2, L = ln(2/α)): the ratio lies in [1 − 2√(L/n), 1 + 2√(L/n) + 2L/n] (key fixed).
    const n = p.W.size;
    const L = Math.log(2 / 1e-9);
    expect(variance / (2 / 400)).toBeGreaterThanOrEqual(1 - 2 * Math.sqrt(L / n));
    expect(variance / (2 / 400)).toBeLessThanOrEqual(1 + 2 * Math.sqrt(L / n) + (2 * L) / n);
    expect(initLinear(key(1), 400, 300).W.data).toEqual(p.W.data);
    const g = initLinear(key(1), 3, 5, 'glorot');
    expect(Array.from(g.W.data).every((v) => Math.abs(v) <= Math.sqrt(6 / 8))).toBe(true);
    expect(() => initLinear(key(1), 0, 3)).toThrow(/inDim must be a positive integer, got 0/);
    expect(() => initLinear(key(1), 2, 3, 'bogus' as never)).toThrow(/init must be 'he' or 'glorot', got "bogus"/);
    expect(() => mlp({ sizes: [2, 3], init: 'bogus' as never })).toThrow(/mlp: init must be 'he' or 'glorot', got "bogus"/);
  });

  it('linear computes x·W + b', () => {
    const p = { W: tensor([[1, 2], [3, 4], [5, 6]]), b: tensor([10, 20]) };
    expect(linear(p, tensor([[1, 0, -1]])).toArray()).toEqual([[6, 16]]);
  });

  it('mlp: output shape, train/eval switch, and the masks come from foldIn(key, layer)', () => {
    const net = mlp({ sizes: [5, 4, 3], activation: 'linear', inputRate: 0.2, hiddenRate: 0.5 });
    const params = net.init(key(0));
    expect(params.map((p) => p.W.shape)).toEqual([[5, 4], [4, 3]]);
    const x = normal(key(1), [2, 5]);
    const evalOut = net.apply(params, x, { training: false });
    expect(evalOut.shape).toEqual([2, 3]);
    // a linear network at inference equals the plain affine stack (inverted dropout is the identity)
    const plain = linear(params[1], linear(params[0], x));
    expect(evalOut.data).toEqual(plain.data);
    // in training, the output is the thinned network's, with r_l = bernoulli(foldIn(key, l), keep)
    const k = key(7);
    const r0 = bernoulli(foldIn(k, 0), 0.8, [2, 5]).data;
    const r1 = bernoulli(foldIn(k, 1), 0.5, [2, 4]).data;
    const h0 = tensor(x.data.map((v, i) => (r0[i] ? v * (1 / 0.8) : 0)), [2, 5]);
    const h1 = linear(params[0], h0);
    const h1d = tensor(h1.data.map((v, i) => (r1[i] ? v * (1 / 0.5) : 0)), [2, 4]);
    expect(net.apply(params, x, { training: true, key: k }).data).toEqual(linear(params[1], h1d).data);
    expect(() => net.apply(params, x, { training: true })).toThrow(/mlp.apply: a key is required in training when a dropout rate is nonzero, got undefined/);
  });

  it('mlp: given masks replace the key’s draws, site by site', () => {
    const net = mlp({ sizes: [3, 4, 2], activation: 'tanh', inputRate: 0.25, hiddenRate: 0.5 });
    const params = net.init(key(2));
    const x = normal(key(3), [1, 3]);
    const k = key(4);
    const masks = [bernoulli(foldIn(k, 0), 0.75, [1, 3]), bernoulli(foldIn(k, 1), 0.5, [1, 4])];
    const drawn = net.apply(params, x, { training: true, key: k });
    expect(net.apply(params, x, { training: true, masks }).data).toEqual(drawn.data);
    // one site given, the other drawn from the key
    expect(net.apply(params, x, { training: true, key: k, masks: [masks[0]] }).data).toEqual(drawn.data);
    expect(() => net.apply(params, x, { training: true, masks: [masks[0]] })).toThrow(/a key is required/);
    // at inference masks are ignored
    expect(net.apply(params, x, { training: false, masks }).data).toEqual(net.apply(params, x, { training: false }).data);
  });

  it('mlp validates its spec', () => {
    expect(() => mlp({ sizes: [3] })).toThrow(/at least two positive integers/);
    expect(() => mlp({ sizes: [3, 2, 1], hiddenRate: [0.5, 0.5] })).toThrow(/one rate per hidden layer \(1\), got 2/);
    expect(() => mlp({ sizes: [3, 1], activation: 'swish' as never })).toThrow(/activation must be one of/);
  });
});

describe('sgd', () => {
  it('plain SGD, momentum and weight decay follow v ← μv + g + λW, p ← p − lr·v', () => {
    const params = { W: tensor([[1, -2]]), b: tensor([3]) };
    const grads = { W: tensor([[0.5, 0.5]]), b: tensor([1]) };
    const opt = sgd<typeof params>({ lr: 0.1, momentum: 0.9, weightDecay: 0.01 });
    const s0 = opt.init(params);
    const { params: p1, state: s1 } = opt.step(params, grads, s0);
    // v1 = g + λW (weights only); p1 = p − 0.1·v1
    expect(Array.from(s1.W.data)).toEqual([0.5 + 0.01 * 1, 0.5 + 0.01 * -2]);
    expect(Array.from(s1.b.data)).toEqual([1]);
    expect(p1.W.data[0]).toBeCloseTo(1 - 0.1 * 0.51, 15);
    expect(p1.b.data[0]).toBeCloseTo(3 - 0.1, 15);
    const { state: s2 } = opt.step(p1, grads, s1);
    expect(s2.b.data[0]).toBeCloseTo(0.9 * 1 + 1, 15);
    // nothing given was modified
    expect(Array.from(params.W.data)).toEqual([1, -2]);
    expect(Array.from(s0.W.data)).toEqual([0, 0]);
  });

  it('donating params and state reuses their storage and gives the same numbers', () => {
    const make = () => ({ W: tensor([[1, -2], [0.5, 4]]), b: tensor([3, -1]) });
    const grads = { W: tensor([[0.5, 0.5], [-1, 2]]), b: tensor([1, 0.25]) };
    const opt = sgd<ReturnType<typeof make>>({ lr: 0.1, momentum: 0.9, weightDecay: 0.01, maxNorm: 3 });
    let kept = { params: make(), state: opt.init(make()) };
    let donated = { params: make(), state: opt.init(make()) };
    for (let t = 0; t < 3; t++) {
      const before = donated;
      kept = opt.step(kept.params, grads, kept.state);
      donated = opt.step(donated.params, grads, donated.state, { donate: true });
      expect(donated.params.W.data).toBe(before.params.W.data); // the same buffer, overwritten
      expect(donated.state.b.data).toBe(before.state.b.data);
      expect(Array.from(donated.params.W.data)).toEqual(Array.from(kept.params.W.data));
      expect(Array.from(donated.state.W.data)).toEqual(Array.from(kept.state.W.data));
    }
  });

  it('max-norm projects each unit’s incoming weight vector (a column) onto the ball of radius c', () => {
    const W = tensor([[3, 0.1], [4, 0.1]]); // column norms 5 and ≈0.14
    const P = maxNormProject(W, 2);
    expect(P.data[0]).toBeCloseTo(1.2, 15);
    expect(P.data[2]).toBeCloseTo(1.6, 15);
    expect(P.data[1]).toBe(0.1);
    const opt = sgd<{ W: Tensor }>({ lr: 0, maxNorm: 2 });
    expect(opt.step({ W }, { W: tensor([[0, 0], [0, 0]]) }, opt.init({ W })).params.W.data).toEqual(P.data);
    expect(() => maxNormProject(W, 0)).toThrow(/c must be a finite number > 0/);
  });

  it('refuses gradients or state whose shape differs from the parameter', () => {
    const opt = sgd<{ W: Tensor }>({ lr: 0.1 });
    const params = { W: tensor([[1, 2], [3, 4]]) };
    expect(() => opt.step(params, { W: tensor([1, 2, 3, 4]) }, opt.init(params))).toThrow(/gradient and state 0 must have their parameter's shape \[2, 2\], got \[4\] and \[2, 2\]/);
  });

  it('refuses bad hyperparameters', () => {
    expect(() => sgd({ lr: -1 })).toThrow(/lr must be a finite number ≥ 0, got -1/);
    expect(() => sgd({ lr: 0.1, momentum: 1 })).toThrow(/momentum must be in \[0, 1\)/);
    expect(() => sgd({ lr: 0.1, maxNorm: 0 })).toThrow(/maxNorm/);
  });

  it('training a small dropout MLP lowers the loss on a fixed problem', () => {
    const net = mlp({ sizes: [4, 16, 3], activation: 'tanh', hiddenRate: 0.2 });
    let params = net.init(key(11));
    const x = normal(key(12), [30, 4]);
    const labels = Array.from(x.data.filter((_, i) => i % 4 === 0), (v) => (v > 0.5 ? 2 : v > -0.5 ? 1 : 0));
    const loss = (p: typeof params, k: ReturnType<typeof key>) => softmaxCrossEntropy(net.apply(p, x, { training: true, key: k }), labels);
    const evalLoss = (p: typeof params) => softmaxCrossEntropy(net.apply(p, x, { training: false }), labels).item();
    const opt = sgd<typeof params>({ lr: 0.2, momentum: 0.9 });
    let state = opt.init(params);
    const before = evalLoss(params);
    const vg = valueAndGrad(loss);
    for (let step = 0; step < 150; step++) {
      const { grad } = vg(params, foldIn(key(13), step));
      ({ params, state } = opt.step(params, grad, state));
    }
    expect(evalLoss(params)).toBeLessThan(0.5 * before);
  });

  it('mse-trained linear regression reaches the least-squares solution', () => {
    const X = normal(key(21), [50, 3]);
    const wTrue = tensor([[1], [-2], [0.5]]);
    const y = tensor(Array.from({ length: 50 }, (_, i) => X.data[3 * i] - 2 * X.data[3 * i + 1] + 0.5 * X.data[3 * i + 2]), [50, 1]);
    let params = { W: tensor([[0], [0], [0]]), b: tensor([0]) };
    const opt = sgd<typeof params>({ lr: 0.1 });
    let state = opt.init(params);
    const vg = valueAndGrad((p: typeof params) => mse(linear(p, X), y));
    for (let i = 0; i < 300; i++) ({ params, state } = opt.step(params, vg(params).grad, state));
    Array.from(params.W.data).forEach((v, i) => expect(v).toBeCloseTo(wTrue.data[i], 6));
    expect(sum(params.b).item()).toBeCloseTo(0, 6);
  });
});
