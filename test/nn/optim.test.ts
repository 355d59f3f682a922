// SGD with momentum, weight decay and max-norm (src/nn/optim.ts): the update rule, donated buffers,
// refusals, training to a known solution; its edges (every refusal word for word, max-norm on every
// column); and the update's WebAssembly kernel (wasmSgd, used by sgd.step for large parameters)
// against the update written out here in plain JS, bit for bit, for both dtypes, lengths around the
// SIMD widths and the size threshold, in place (donated) and into fresh arrays; and sgd.step through
// either path.
import { describe, expect, it } from 'vitest';
import {
  Tensor,
  configureKernels,
  foldIn,
  key,
  linear,
  maxNormProject,
  mlp,
  mse,
  normal,
  sgd,
  softmaxCrossEntropy,
  sum,
  tensor,
  valueAndGrad,
} from '../../src/index.ts';
import { WASM_SGD_MIN, wasmSgd } from '../../src/engine/wasm/runtime.ts';
import { sgdReference } from '../support/sgd-reference.ts';

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
    const make = () => ({
      W: tensor([
        [1, -2],
        [0.5, 4],
      ]),
      b: tensor([3, -1]),
    });
    const grads = {
      W: tensor([
        [0.5, 0.5],
        [-1, 2],
      ]),
      b: tensor([1, 0.25]),
    };
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
    const W = tensor([
      [3, 0.1],
      [4, 0.1],
    ]); // column norms 5 and ≈0.14
    const P = maxNormProject(W, 2);
    expect(P.data[0]).toBeCloseTo(1.2, 15);
    expect(P.data[2]).toBeCloseTo(1.6, 15);
    expect(P.data[1]).toBe(0.1);
    const opt = sgd<{ W: Tensor }>({ lr: 0, maxNorm: 2 });
    expect(
      opt.step(
        { W },
        {
          W: tensor([
            [0, 0],
            [0, 0],
          ]),
        },
        opt.init({ W }),
      ).params.W.data,
    ).toEqual(P.data);
    expect(() => maxNormProject(W, 0)).toThrow(/c must be a finite number > 0/);
  });

  it('refuses gradients or state whose shape differs from the parameter', () => {
    const opt = sgd<{ W: Tensor }>({ lr: 0.1 });
    const params = {
      W: tensor([
        [1, 2],
        [3, 4],
      ]),
    };
    expect(() => opt.step(params, { W: tensor([1, 2, 3, 4]) }, opt.init(params))).toThrow(
      /gradient and state 0 must have their parameter's shape \[2, 2\], got \[4\] and \[2, 2\]/,
    );
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
    const labels = Array.from(
      x.data.filter((_, i) => i % 4 === 0),
      (v) => (v > 0.5 ? 2 : v > -0.5 ? 1 : 0),
    );
    const loss = (p: typeof params, k: ReturnType<typeof key>) =>
      softmaxCrossEntropy(net.apply(p, x, { training: true, key: k }), labels);
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
    const y = tensor(
      Array.from({ length: 50 }, (_, i) => X.data[3 * i] - 2 * X.data[3 * i + 1] + 0.5 * X.data[3 * i + 2]),
      [50, 1],
    );
    let params = { W: tensor([[0], [0], [0]]), b: tensor([0]) };
    const opt = sgd<typeof params>({ lr: 0.1 });
    let state = opt.init(params);
    const vg = valueAndGrad((p: typeof params) => mse(linear(p, X), y));
    for (let i = 0; i < 300; i++) ({ params, state } = opt.step(params, vg(params).grad, state));
    Array.from(params.W.data).forEach((v, i) => expect(v).toBeCloseTo(wTrue.data[i], 6));
    expect(sum(params.b).item()).toBeCloseTo(0, 6);
  });
});

// ---------------------------------------------------------------------------------------------------
// Edges: every refusal word for word, max-norm on every column.

describe('sgd at its edges', () => {
  it('refuses each bad hyperparameter with the range it needed', () => {
    expect(() => sgd(null as never)).toThrow(
      'sgd: expected options { lr, momentum?, weightDecay?, maxNorm? }, got null',
    );
    expect(() => sgd(0.1 as never)).toThrow('sgd: expected options { lr, momentum?, weightDecay?, maxNorm? }, got 0.1');
    expect(() => sgd({ lr: 0.1 }).init(3 as never)).toThrow(
      'expected params to be a Tensor or an array/object of Tensors, got 3',
    );
    expect(() => sgd({ lr: 0.1, momentum: -0.5 })).toThrow('sgd: momentum must be in [0, 1), got -0.5');
    expect(() => sgd({ lr: 0.1, momentum: NaN })).toThrow('sgd: momentum must be in [0, 1), got NaN');
    expect(() => sgd({ lr: 0.1, weightDecay: -1 })).toThrow('sgd: weightDecay must be a finite number ≥ 0, got -1');
    expect(() => sgd({ lr: 0.1, weightDecay: Infinity })).toThrow(
      'sgd: weightDecay must be a finite number ≥ 0, got Infinity',
    );
    expect(() => sgd({ lr: 0.1, maxNorm: 0 })).toThrow('sgd: maxNorm must be a finite number > 0, got 0');
    expect(() => sgd({ lr: 0.1, maxNorm: Infinity })).toThrow('sgd: maxNorm must be a finite number > 0, got Infinity');
    expect(() => sgd({ lr: 0.1, maxNorm: [1, Infinity] })).toThrow(
      'sgd: maxNorm[1] must be a finite number > 0, got Infinity',
    );
    expect(() => sgd({ lr: 0.1, momentum: 0, weightDecay: 0 })).not.toThrow();
  });

  it('refuses trees of another structure or shape, naming which', () => {
    const opt = sgd<{ W: Tensor }>({ lr: 0.1 });
    const params = { W: tensor([[1], [2]]) };
    const state = opt.init(params);
    expect(() => opt.step(3 as never, params, state)).toThrow(
      'expected params to be a Tensor or an array/object of Tensors, got 3',
    );
    expect(() => opt.step(params, 3 as never, state)).toThrow(
      'expected grads to be a Tensor or an array/object of Tensors, got 3',
    );
    expect(() => opt.step(params, params, 3 as never)).toThrow(
      'expected state to be a Tensor or an array/object of Tensors, got 3',
    );
    const two = { W: tensor([[1], [2]]), b: tensor([0]) } as never;
    expect(() => opt.step(params, two, state)).toThrow(
      'sgd.step: params, grads and state must have the same structure',
    );
    expect(() => opt.step(params, params, two)).toThrow(
      'sgd.step: params, grads and state must have the same structure',
    );
    // same size, other rank; same rank, other size
    expect(() => opt.step(params, { W: tensor([1, 2]) }, state)).toThrow(
      "sgd.step: gradient and state 0 must have their parameter's shape [2, 1], got [2] and [2, 1]",
    );
    expect(() =>
      opt.step(params, params, {
        W: tensor([
          [0, 0],
          [0, 0],
        ]),
      }),
    ).toThrow('got [2, 1] and [2, 2]');
  });

  it('max-norm projects every column over the limit, only rank-2 parameters, and leaves W itself alone', () => {
    const W = tensor([
      [3, 6, 0.5],
      [4, 8, 0.5],
    ]); // column norms 5, 10, ≈0.71
    const P = maxNormProject(W, 2);
    expect(W.data).toEqual(Float64Array.of(3, 6, 0.5, 4, 8, 0.5));
    expect(Array.from(P.data)).toEqual([3 * (2 / 5), 6 * (2 / 10), 0.5, 4 * (2 / 5), 8 * (2 / 10), 0.5]);
    expect(() => maxNormProject(tensor([3, 4]), 1)).toThrow(
      'maxNormProject: expected W to be a rank-2 Tensor [in, out]',
    );
    const opt = sgd<{ W: Tensor; b: Tensor; K: Tensor }>({ lr: 0, maxNorm: 2 });
    const params = { W, b: tensor([30, 40]), K: tensor([[[3, 4]], [[6, 8]]]) };
    const zero = {
      W: tensor([
        [0, 0, 0],
        [0, 0, 0],
      ]),
      b: tensor([0, 0]),
      K: tensor([[[0, 0]], [[0, 0]]]),
    };
    const out = opt.step(params, zero, opt.init(params)).params;
    expect(out.W.data).toEqual(P.data);
    expect(out.b.data).toEqual(params.b.data);
    expect(out.K.data).toEqual(params.K.data);
  });

  it('max-norm takes one radius per weight matrix in tree order, and says when their count differs', () => {
    const A = tensor([
        [3, 0.3],
        [4, 0.4],
      ]),
      B = tensor([[6], [8]]); // column norms 5, 0.5 | 10
    const params = [
      { W: A, b: tensor([9, 9]) },
      { W: B, b: tensor([9]) },
    ];
    const zero = [
      {
        W: tensor([
          [0, 0],
          [0, 0],
        ]),
        b: tensor([0, 0]),
      },
      { W: tensor([[0], [0]]), b: tensor([0]) },
    ];
    const opt = sgd<typeof params>({ lr: 0, maxNorm: [1, 5] });
    const out = opt.step(params, zero, opt.init(params)).params;
    expect(out[0].W.data).toEqual(maxNormProject(A, 1).data);
    expect(out[1].W.data).toEqual(maxNormProject(B, 5).data);
    expect(out[0].b.data).toEqual(params[0].b.data);
    const one = sgd<typeof params>({ lr: 0, maxNorm: 1 }); // one radius for every matrix
    const both = one.step(params, zero, one.init(params)).params;
    expect([both[0].W.data, both[1].W.data]).toEqual([maxNormProject(A, 1).data, maxNormProject(B, 1).data]);
    const three = sgd<typeof params>({ lr: 0, maxNorm: [1, 2, 3] });
    expect(() => three.step(params, zero, three.init(params))).toThrow(
      'sgd.step: maxNorm gives 3 radii, but the parameters hold 2 rank-2 weight matrices',
    );
    expect(() => sgd({ lr: 0.1, maxNorm: [] })).toThrow(
      'sgd: maxNorm must be a number or a non-empty array of numbers, got an array of length 0',
    );
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

// ---------------------------------------------------------------------------------------------------
// The update's WebAssembly kernel against the update written out in plain JS.

const bits = (a: ArrayLike<number>) => Array.from(a, (x) => (Object.is(x, -0) ? '-0' : String(x)));

describe('wasmSgd', () => {
  const draw = (T: typeof Float64Array | typeof Float32Array, n: number, seed: number) =>
    T.from(normal(key(seed), [n]).data);

  for (const T of [Float64Array, Float32Array]) {
    it(`${T.name}: the JS update's bits, into fresh arrays and in place, at lengths around the SIMD width and the threshold`, () => {
      for (const n of [WASM_SGD_MIN, WASM_SGD_MIN + 1, WASM_SGD_MIN + 2, WASM_SGD_MIN + 3, 3 * WASM_SGD_MIN + 5]) {
        const w = draw(T, n, n),
          g = draw(T, n, n + 1),
          v0 = draw(T, n, n + 2);
        ((g[0] = -0), (w[1] = 1e-30), (v0[2] = 3e38)); // a signed zero, a tiny and a huge value among them
        for (const [lr, momentum, decay] of [
          [0.01, 0.9, 0],
          [0.1, 0, 5e-4],
          [0.037, 0.95, 1e-3],
        ]) {
          const want = sgdReference(w, g, v0, lr, momentum, decay);
          const out = new T(n),
            v = new T(n);
          const before = [bits(w), bits(g), bits(v0)];
          expect(wasmSgd(w, g, v0, out, v, lr, momentum, decay)).toBe(true);
          expect(bits(out)).toEqual(bits(want.out));
          expect(bits(v)).toEqual(bits(want.v));
          expect([bits(w), bits(g), bits(v0)]).toEqual(before); // nothing given is touched
          // donated: out is w and v is v0
          const w2 = w.slice(),
            v2 = v0.slice();
          expect(wasmSgd(w2, g, v2, w2, v2, lr, momentum, decay)).toBe(true);
          expect(bits(w2)).toEqual(bits(want.out));
          expect(bits(v2)).toEqual(bits(want.v));
        }
      }
    });
  }

  for (const T of [Float64Array, Float32Array]) {
    it(`${T.name}: with a column bound, the JS update then maxNormProject's bits, at widths around the SIMD width`, () => {
      for (const cols of [5, 6, 7, 8, 9, 130]) {
        const rows = Math.ceil(WASM_SGD_MIN / cols) + 1,
          n = rows * cols;
        const w = draw(T, n, cols),
          g = draw(T, n, cols + 1),
          v0 = draw(T, n, cols + 2);
        w[cols] = -0;
        const want = sgdReference(w, g, v0, 0.05, 0.9, 1e-3);
        // column norms are about √rows: radii below, at and above them, so some columns or none are projected
        for (const c of [0.5 * Math.sqrt(rows), Math.sqrt(rows), 4 * Math.sqrt(rows)]) {
          const projected = maxNormProject(new Tensor(want.out, [rows, cols]), c).data;
          const out = new T(n),
            v = new T(n);
          expect(wasmSgd(w, g, v0, out, v, 0.05, 0.9, 1e-3, { rows, cols, c })).toBe(true);
          expect(bits(out)).toEqual(bits(projected));
          expect(bits(v)).toEqual(bits(want.v));
        }
        // the radius decides: at the smallest, some column moved; at the largest, none did
        const small = maxNormProject(new Tensor(want.out, [rows, cols]), 0.5 * Math.sqrt(rows)).data;
        expect(bits(small)).not.toEqual(bits(want.out));
      }
    });
  }

  it('sgd.step with max-norm gives the same bits through WebAssembly and through JS', () => {
    const make = (dtype: 'float32' | 'float64') => ({
      W1: normal(key(1), [96, 64], 0, 0.3, { dtype }),
      b1: normal(key(2), [64], 0, 1, { dtype }),
      W2: normal(key(3), [64, 70], 0, 0.3, { dtype }),
    });
    for (const dtype of ['float32', 'float64'] as const) {
      const grads = {
        W1: normal(key(4), [96, 64], 0, 1, { dtype }),
        b1: normal(key(5), [64], 0, 1, { dtype }),
        W2: normal(key(6), [64, 70], 0, 1, { dtype }),
      };
      const opt = sgd<ReturnType<typeof make>>({ lr: 0.1, momentum: 0.9, maxNorm: [2.5, 1.5] });
      const run = () => opt.step(make(dtype), grads, opt.init(make(dtype))).params;
      const wasm = run();
      const prev = configureKernels({ backend: 'js' });
      let js: ReturnType<typeof run>;
      try {
        js = run();
      } finally {
        configureKernels(prev);
      }
      for (const k of ['W1', 'b1', 'W2'] as const) expect(bits(wasm[k].data)).toEqual(bits(js[k].data));
      // the radii are per matrix and bind: every column of W2 within 1.5, some at it
      const norms = Array.from({ length: 70 }, (_, j) =>
        Math.hypot(...Array.from({ length: 64 }, (_, i) => wasm.W2.data[i * 70 + j])),
      );
      expect(Math.max(...norms)).toBeLessThanOrEqual(1.5 * (1 + 1e-6));
      expect(Math.max(...norms)).toBeGreaterThan(1.5 * (1 - 1e-6));
    }
  });

  it('declines small parameters and the JS backend, touching nothing', () => {
    const n = WASM_SGD_MIN - 1;
    const w = new Float64Array(n).fill(1),
      out = new Float64Array(n),
      v = new Float64Array(n);
    expect(wasmSgd(w, w, w, out, v, 0.1, 0.9, 0)).toBe(false);
    expect(out.every((x) => x === 0) && v.every((x) => x === 0)).toBe(true);
    const big = new Float64Array(WASM_SGD_MIN).fill(1);
    const prev = configureKernels({ backend: 'js' });
    try {
      expect(wasmSgd(big, big, big, new Float64Array(WASM_SGD_MIN), new Float64Array(WASM_SGD_MIN), 0.1, 0.9, 0)).toBe(
        false,
      );
    } finally {
      configureKernels(prev);
    }
  });

  it('sgd.step gives the same parameters and velocities on the WebAssembly and the JS path, for both dtypes', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      const shape = [70, 90]; // 6,300 elements: over the threshold
      const p = {
        W: tensor(normal(key(1), shape).data, shape, { dtype }),
        b: tensor(normal(key(2), [90]).data, [90], { dtype }),
      };
      const gr = {
        W: tensor(normal(key(3), shape).data, shape, { dtype }),
        b: tensor(normal(key(4), [90]).data, [90], { dtype }),
      };
      const opt = sgd<typeof p>({ lr: 0.05, momentum: 0.9, weightDecay: 1e-3, maxNorm: 2 });
      const run = () => {
        let params = p,
          state = opt.init(p);
        for (let t = 0; t < 3; t++) ({ params, state } = opt.step(params, gr, state, { donate: t > 0 }));
        return [bits(params.W.data), bits(params.b.data), bits(state.W.data)];
      };
      const viaWasm = run();
      const prev = configureKernels({ backend: 'js' });
      try {
        expect(viaWasm).toEqual(run());
      } finally {
        configureKernels(prev);
      }
      expect(p.W.dtype).toBe(dtype);
    }
  });
});
