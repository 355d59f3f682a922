// The engine's fast paths against the straightforward code they replace: the same bits (random draws,\n// dropout's product in WebAssembly, tree flattening).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { Tensor, bernoulli, configureKernels, dropout, key, normal, split, float64Data } from '../../src/index.ts';
import { WASM_BERNOULLI_MIN, WASM_MASKED_MIN, wasmMasked } from '../../src/engine/wasm/runtime.ts';
import { same } from '../support/bits.ts';

const anyKey = fc.tuple(fc.nat(), fc.nat({ max: 40 })).map(([seed, i]) => split(key(seed), i + 1)[i]);

describe('random draws', () => {
  // The draws as the engine first wrote them: seedrandom's Alea, one double() per value.
  const stream = (k: { hi: number; lo: number }, tag: string) => seedrandom.alea(`${k.hi}:${k.lo}:${tag}`);

  it('bernoulli gives the numbers of one seedrandom double() per element', () => {
    fc.assert(
      fc.property(
        anyKey,
        fc.integer({ min: 0, max: 100 }).map((c) => c / 100),
        fc.integer({ min: 0, max: 300 }),
        (k, keep, n) => {
          const r = stream(k, 'bernoulli');
          const ref = Float64Array.from({ length: n }, () => (r.double() < keep ? 1 : 0));
          expect(same(bernoulli(k, keep, [n]).data, ref)).toBe(true);
        },
      ),
    );
  });

  it('long bernoulli streams (drawn in WebAssembly) give the same numbers, in either dtype', () => {
    for (const n of [WASM_BERNOULLI_MIN - 1, WASM_BERNOULLI_MIN, WASM_BERNOULLI_MIN + 1, 5000])
      for (const keep of [0, 0.3, 0.999, 1])
        for (const dtype of ['float64', 'float32'] as const) {
          const k = key(n + Math.round(1000 * keep));
          const r = stream(k, 'bernoulli');
          const ref = Float64Array.from({ length: n }, () => (r.double() < keep ? 1 : 0));
          const got = bernoulli(k, keep, [n], { dtype }).data;
          expect(got instanceof (dtype === 'float32' ? Float32Array : Float64Array)).toBe(true);
          expect(same(got, ref)).toBe(true);
        }
  });

  it('at a keep equal to a draw, that draw is dropped; in float32 too, whose mask compares the float64 draw, not its rounding', () => {
    let roundedUp = 0;
    for (let seed = 0; seed < 20; seed++)
      for (const n of [5, WASM_BERNOULLI_MIN]) {
        const k = key(seed);
        const r = stream(k, 'bernoulli');
        const u = Array.from({ length: n }, () => r.double());
        for (const j of [0, 1, 2, 3, 4])
          for (const dtype of ['float64', 'float32'] as const) {
            expect(bernoulli(k, u[j], [n], { dtype }).data[j], `seed ${seed}, n ${n}, draw ${j}`).toBe(0);
            const f = Math.fround(u[j]); // a float32 keep just above the draw keeps it
            if (f > u[j]) {
              if (dtype === 'float32') roundedUp++; // once per draw
              expect(bernoulli(k, f, [n], { dtype }).data[j], `seed ${seed}, n ${n}, draw ${j}`).toBe(1);
            }
          }
      }
    expect(roundedUp).toBeGreaterThan(50); // about half the 200 draws round up
  });

  it('normal gives the Box–Muller values of seedrandom double() pairs', () => {
    fc.assert(
      fc.property(anyKey, fc.nat({ max: 301 }), (k, n) => {
        const r = stream(k, 'normal');
        const ref = new Float64Array(n);
        for (let i = 0; i < n; i += 2) {
          const u1 = 1 - r.double(),
            u2 = r.double();
          const rad = Math.sqrt(-2 * Math.log(u1));
          ref[i] = 0.5 + 2 * rad * Math.cos(2 * Math.PI * u2);
          if (i + 1 < n) ref[i + 1] = 0.5 + 2 * rad * Math.sin(2 * Math.PI * u2);
        }
        expect(same(normal(k, [n], 0.5, 2).data, ref)).toBe(true);
      }),
    );
  });

  it('dropout multiplies by bernoulli(key, keep) / keep (inverted) or the 0/1 mask (paper)', () => {
    fc.assert(
      fc.property(
        anyKey,
        fc.integer({ min: 0, max: 95 }).map((c) => c / 100),
        fc.integer({ min: 0, max: 200 }),
        (k, rate, n) => {
          const x = new Tensor(
            Float64Array.from({ length: n }, (_, i) => i - 7.5),
            [n],
          );
          const keep = 1 - rate;
          const mask = bernoulli(k, keep, [n]).data;
          const inverted = float64Data(dropout(k, x, { rate, training: true }));
          const paper = float64Data(dropout(k, x, { rate, training: true, convention: 'scale-at-inference' }));
          expect(
            same(
              inverted,
              float64Data(x).map((v, i) => (mask[i] === 0 ? 0 : v * (1 / keep))),
            ),
          ).toBe(true);
          expect(
            same(
              paper,
              float64Data(x).map((v, i) => (mask[i] === 0 ? 0 : v)),
            ),
          ).toBe(true);
        },
      ),
    );
  });
});

describe("dropout's product in WebAssembly", () => {
  // out = m = 0 ? +0 : x·m, written out here in JS, stored in the arrays' type
  const reference = (x: Float64Array | Float32Array, m: Float64Array | Float32Array) => {
    const out = x instanceof Float32Array ? new Float32Array(x.length) : new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = m[i] === 0 ? 0 : x[i] * m[i];
    return out;
  };
  const specials = [Infinity, -Infinity, NaN, -0, 0, 1e-45, 3.4e38, -2.5];

  for (const T of [Float64Array, Float32Array]) {
    it(`${T.name}: the JS kernel's bits at lengths around the SIMD width and the threshold, with infinities, NaN and signed zeros`, () => {
      for (const n of [
        WASM_MASKED_MIN,
        WASM_MASKED_MIN + 1,
        WASM_MASKED_MIN + 2,
        WASM_MASKED_MIN + 3,
        3 * WASM_MASKED_MIN + 7,
      ]) {
        const x = T.from(normal(key(n), [n]).data),
          m = T.from(Array.from(bernoulli(key(n + 1), 0.5, [n]).data, (r) => r * 1.6));
        // specials in x against kept and dropped multipliers, and special multipliers
        specials.forEach(
          (v, i) => ((x[i] = v), (x[i + specials.length] = v), (m[i] = 0), (m[i + specials.length] = 1.6)),
        );
        ((m[2 * specials.length] = -0),
          (m[2 * specials.length + 1] = NaN),
          (m[n - 2] = 0),
          (x[n - 2] = NaN),
          (m[n - 1] = 1.6));
        const out = new T(n);
        const before = [Array.from(x), Array.from(m)];
        expect(wasmMasked(x, m, out)).toBe(true);
        expect(same(out, reference(x, m))).toBe(true);
        expect(same(x, before[0]) && same(m, before[1])).toBe(true); // nothing given is touched
      }
    });
  }

  it('declines short arrays and the JS backend; dropout gives the same bits on either backend', () => {
    const short = new Float64Array(WASM_MASKED_MIN - 1).fill(1);
    expect(wasmMasked(short, short, new Float64Array(short.length))).toBe(false);
    for (const dtype of ['float32', 'float64'] as const) {
      const x = normal(key(3), [64, 200], 0, 1, { dtype });
      const fast = dropout(key(4), x, { rate: 0.3, training: true });
      // a mask shared along rows (noiseShape) is smaller than x: it takes the broadcasting path
      const shared = dropout(key(4), x, { rate: 0.3, training: true, noiseShape: [1, null] });
      const prev = configureKernels({ backend: 'js' });
      try {
        expect(wasmMasked(x.data, x.data, new (x.data.constructor as Float64ArrayConstructor)(x.size))).toBe(false);
        expect(same(fast.data, dropout(key(4), x, { rate: 0.3, training: true }).data)).toBe(true);
        expect(same(shared.data, dropout(key(4), x, { rate: 0.3, training: true, noiseShape: [1, null] }).data)).toBe(
          true,
        );
      } finally {
        configureKernels(prev);
      }
    }
  });
});

describe('flatten', () => {
  it('names the first bad leaf by its path, though valid trees build no path strings', async () => {
    const { flatten, tensor } = await import('../../src/index.ts');
    const x = tensor([1]);
    expect(() => flatten([x, { b: x, a: [x, 3] }] as never, 'params')).toThrow(
      /expected params\[1\]\.a\[1\] to be a Tensor or an array\/object of Tensors, got 3/,
    );
    expect(() => flatten({ w: [x, NaN] } as never)).toThrow(/expected argument\.w\[1\] to be a Tensor .* got NaN/);
    const { leaves, rebuild } = flatten(x);
    expect(leaves).toEqual([x]);
    expect(rebuild([tensor([2])])).toEqual(tensor([2]));
  });
});
