// The SGD update's WebAssembly kernel (wasmSgd, used by sgd.step for large parameters) against the
// update written out here in plain JS, bit for bit, for both dtypes, lengths around the SIMD widths
// and the size threshold, in place (donated) and into fresh arrays; and sgd.step through either path.
import { describe, expect, it } from 'vitest';
import { configureKernels, key, normal, sgd, tensor } from '../../src/index.ts';
import { WASM_SGD_MIN, wasmSgd } from '../../src/engine/wasm/runtime.ts';

type Arr = Float64Array | Float32Array;
const bits = (a: ArrayLike<number>) => Array.from(a, (x) => (Object.is(x, -0) ? '-0' : String(x)));

/** The update as optim.ts defines it: float64 arithmetic, stored in the arrays' type. */
function reference(w: Arr, g: Arr, v0: Arr, lr: number, momentum: number, decay: number) {
  const T = w instanceof Float32Array ? Float32Array : Float64Array;
  const v = new T(w.length), out = new T(w.length);
  for (let j = 0; j < w.length; j++) {
    const vj = momentum * v0[j] + g[j] + decay * w[j];
    v[j] = vj;
    out[j] = w[j] - lr * vj;
  }
  return { v, out };
}

describe('wasmSgd', () => {
  const draw = (T: typeof Float64Array | typeof Float32Array, n: number, seed: number) => T.from(normal(key(seed), [n]).data);

  for (const T of [Float64Array, Float32Array]) {
    it(`${T.name}: the JS update's bits, into fresh arrays and in place, at lengths around the SIMD width and the threshold`, () => {
      for (const n of [WASM_SGD_MIN, WASM_SGD_MIN + 1, WASM_SGD_MIN + 2, WASM_SGD_MIN + 3, 3 * WASM_SGD_MIN + 5]) {
        const w = draw(T, n, n), g = draw(T, n, n + 1), v0 = draw(T, n, n + 2);
        g[0] = -0, w[1] = 1e-30, v0[2] = 3e38; // a signed zero, a tiny and a huge value among them
        for (const [lr, momentum, decay] of [[0.01, 0.9, 0], [0.1, 0, 5e-4], [0.037, 0.95, 1e-3]]) {
          const want = reference(w, g, v0, lr, momentum, decay);
          const out = new T(n), v = new T(n);
          const before = [bits(w), bits(g), bits(v0)];
          expect(wasmSgd(w, g, v0, out, v, lr, momentum, decay)).toBe(true);
          expect(bits(out)).toEqual(bits(want.out));
          expect(bits(v)).toEqual(bits(want.v));
          expect([bits(w), bits(g), bits(v0)]).toEqual(before); // nothing given is touched
          // donated: out is w and v is v0
          const w2 = w.slice(), v2 = v0.slice();
          expect(wasmSgd(w2, g, v2, w2, v2, lr, momentum, decay)).toBe(true);
          expect(bits(w2)).toEqual(bits(want.out));
          expect(bits(v2)).toEqual(bits(want.v));
        }
      }
    });
  }

  it('declines small parameters and the JS backend, touching nothing', () => {
    const n = WASM_SGD_MIN - 1;
    const w = new Float64Array(n).fill(1), out = new Float64Array(n), v = new Float64Array(n);
    expect(wasmSgd(w, w, w, out, v, 0.1, 0.9, 0)).toBe(false);
    expect(out.every((x) => x === 0) && v.every((x) => x === 0)).toBe(true);
    const big = new Float64Array(WASM_SGD_MIN).fill(1);
    const prev = configureKernels({ backend: 'js' });
    try {
      expect(wasmSgd(big, big, big, new Float64Array(WASM_SGD_MIN), new Float64Array(WASM_SGD_MIN), 0.1, 0.9, 0)).toBe(false);
    } finally {
      configureKernels(prev);
    }
  });

  it('sgd.step gives the same parameters and velocities on the WebAssembly and the JS path, for both dtypes', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      const shape = [70, 90]; // 6,300 elements: over the threshold
      const p = { W: tensor(normal(key(1), shape).data, shape, { dtype }), b: tensor(normal(key(2), [90]).data, [90], { dtype }) };
      const gr = { W: tensor(normal(key(3), shape).data, shape, { dtype }), b: tensor(normal(key(4), [90]).data, [90], { dtype }) };
      const opt = sgd<typeof p>({ lr: 0.05, momentum: 0.9, weightDecay: 1e-3, maxNorm: 2 });
      const run = () => {
        let params = p, state = opt.init(p);
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
