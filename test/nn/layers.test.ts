// Layers and the MLP builder (src/nn/layers.ts): He-normal and Glorot weights, linear, the masks an
// mlp draws or is given, its Gaussian-noise option, the checks of its spec; then their edges: every
// refusal word for word, the smallest sizes, the shapes of what they build.
import { describe, expect, it } from 'vitest';
import {
  type MLPParams,
  bernoulli,
  float64Data,
  foldIn,
  gaussianDropout,
  initLinear,
  key,
  linear,
  mlp,
  normal,
  relu,
  tensor,
  uniform,
} from '../../src/index.ts';

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
    expect(() => initLinear(key(1), 2, 3, 'he', 'int8' as never)).toThrow(
      new TypeError(`initLinear: dtype must be 'float64' or 'float32', got "int8"`),
    );
    expect(() => mlp({ sizes: [2, 3], init: 'bogus' as never })).toThrow(
      /mlp: init must be 'he' or 'glorot', got "bogus"/,
    );
  });

  it('linear computes x·W + b', () => {
    const p = {
      W: tensor([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
      b: tensor([10, 20]),
    };
    expect(linear(p, tensor([[1, 0, -1]])).toArray()).toEqual([[6, 16]]);
  });

  it('mlp: output shape, train/eval switch, and the masks come from foldIn(key, layer)', () => {
    const net = mlp({ sizes: [5, 4, 3], activation: 'linear', inputRate: 0.2, hiddenRate: 0.5 });
    const params = net.init(key(0));
    expect(params.map((p) => p.W.shape)).toEqual([
      [5, 4],
      [4, 3],
    ]);
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
    const h0 = tensor(
      x.data.map((v, i) => (r0[i] ? v * (1 / 0.8) : 0)),
      [2, 5],
    );
    const h1 = linear(params[0], h0);
    const h1d = tensor(
      h1.data.map((v, i) => (r1[i] ? v * (1 / 0.5) : 0)),
      [2, 4],
    );
    expect(net.apply(params, x, { training: true, key: k }).data).toEqual(linear(params[1], h1d).data);
    expect(() => net.apply(params, x, { training: true })).toThrow(
      /mlp.apply: a key is required in training when a dropout rate is nonzero, got undefined/,
    );
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
    expect(net.apply(params, x, { training: false, masks }).data).toEqual(
      net.apply(params, x, { training: false }).data,
    );
  });

  it('mlp validates its spec', () => {
    expect(() => mlp({ sizes: [3] })).toThrow(/at least two positive integers/);
    expect(() => mlp({ sizes: [3, 2, 1], hiddenRate: [0.5, 0.5] })).toThrow(/one rate per hidden layer \(1\), got 2/);
    expect(() => mlp({ sizes: [3, 1], activation: 'swish' as never })).toThrow(/activation must be one of/);
  });
});

describe('mlp with Gaussian noise', () => {
  it('multiplies each site by gaussianDropout(foldIn(key, site)) in training and is the plain network at inference', () => {
    const net = mlp({ sizes: [3, 4, 2], inputRate: 0.2, hiddenRate: 0.5, noise: 'gaussian' });
    const params: MLPParams = net.init(key(1));
    const x = normal(key(2), [2, 3]);
    const k = key(3);
    const h = gaussianDropout(
      foldIn(k, 1),
      relu(linear(params[0], gaussianDropout(foldIn(k, 0), x, { rate: 0.2, training: true }))),
      { rate: 0.5, training: true },
    );
    expect(net.apply(params, x, { training: true, key: k }).data).toEqual(linear(params[1], h).data);
    expect(net.apply(params, x, { training: false }).data).toEqual(linear(params[1], relu(linear(params[0], x))).data);
    expect(net.spec.noise).toBe('gaussian');
    expect(mlp({ sizes: [3, 2] }).spec.noise).toBe('bernoulli');
  });

  it('refuses an unknown noise, the paper convention, and 0/1 masks', () => {
    expect(() => mlp({ sizes: [3, 2], noise: 'uniform' as never })).toThrow(
      /mlp: noise must be 'bernoulli' or 'gaussian', got "uniform"/,
    );
    expect(() => mlp({ sizes: [3, 2], noise: 'gaussian', convention: 'scale-at-inference' })).toThrow(
      /only the inverted convention/,
    );
    const net = mlp({ sizes: [3, 2], inputRate: 0.5, noise: 'gaussian' });
    expect(() =>
      net.apply(net.init(key(1)), normal(key(2), [1, 3]), { training: true, key: key(1), masks: [] }),
    ).toThrow(/masks are 0\/1 dropout masks/);
  });
});

// ---------------------------------------------------------------------------------------------------
// Edges: every refusal word for word, the smallest sizes, the shapes of what they build.

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
    expect(() => mlp({ sizes: [3, 0] })).toThrow(
      'mlp: sizes must list at least two positive integers (input and output widths), got [3, 0]',
    );
    expect(() => mlp({ sizes: [3, 2.5, 1] })).toThrow('got [3, 2.5, 1]');
    expect(() => mlp({ sizes: [3, 1], activation: 'swish' as never })).toThrow(
      'mlp: activation must be one of relu, tanh, sigmoid, linear, got swish',
    );
  });

  it("mlp's Glorot option and the paper convention with Bernoulli masks are accepted", () => {
    const net = mlp({ sizes: [3, 4, 2], init: 'glorot' });
    const params = net.init(key(2));
    expect(params.map((p) => p.W.shape)).toEqual([
      [3, 4],
      [4, 2],
    ]);
    const a = Math.sqrt(6 / 7);
    expect(params[0].W.data.every((v) => Math.abs(v) <= a)).toBe(true);
    expect(() => mlp({ sizes: [3, 2], inputRate: 0.5, convention: 'scale-at-inference' })).not.toThrow();
  });

  it('apply refuses the wrong number of layers and options that are not an object', () => {
    const net = mlp({ sizes: [3, 4, 2] });
    const params = net.init(key(1));
    const x = normal(key(2), [2, 3]);
    expect(() => net.apply([params[0]], x, { training: false })).toThrow(
      'mlp.apply: expected params to be the 2 layers { W, b } that init makes, got an array of length 1',
    );
    expect(() => net.apply(params, x, null as never)).toThrow(
      'mlp.apply: expected options { training, key?, masks? }, got null',
    );
    expect(() => net.apply(params, x, 3 as never)).toThrow(
      'mlp.apply: expected options { training, key?, masks? }, got 3',
    );
  });

  it('a network whose rates are all 0 trains without a key and computes what it computes at inference', () => {
    const net = mlp({ sizes: [3, 4, 2] });
    const params = net.init(key(1));
    const x = normal(key(2), [2, 3]);
    expect(net.apply(params, x, { training: true }).data).toEqual(net.apply(params, x, { training: false }).data);
  });
});
