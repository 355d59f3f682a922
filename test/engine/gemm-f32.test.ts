// float32 gemm: the WebAssembly f32x4 kernel against the JS reference bit for bit (random shapes
// with ragged edges, the float32 block boundaries, every transpose flag, offsets, non-finite values),
// with the plain and the FMA module, on one thread and on two; against naive loops of float32
// arithmetic, rounded once or twice per step (exactly, by a BigInt reference); and against float64
// gemm of the same values, within the error bound of float32 summation.
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gemm } from '../../src/engine/kernels.ts';
import { TWO_THREAD_MIN, configureKernels, kernelInfo } from '../../src/engine/wasm/runtime.ts';
import { exactFma32, gemmBoth, gemmValues, naiveGemm } from '../support/gemm-reference.ts';
import { same } from '../support/bits.ts';

const saved = kernelInfo();
afterEach(() => void configureKernels({ backend: saved.backend, threads: saved.threads, fma: saved.fma }));

const FLAGS = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;

const values = (len: number, seed: number, special: boolean) => gemmValues(Float32Array, len, seed, special);
const both = gemmBoth<Float32Array>;

describe('float32 gemm', () => {
  for (const fma of [false, true]) {
    describe(fma ? 'FMA module' : 'plain module', () => {
      it('matches the JS reference bit for bit on random shapes, offsets and transpose flags', () => {
        configureKernels({ backend: 'wasm', threads: 1, fma });
        expect(kernelInfo().float32.kernel).toBe(fma ? 'wasm-simd128-fma f32x4' : 'wasm-simd128 f32x4'); // Node 20 has the FMA module
        const before = kernelInfo().products.float32.wasm;
        // register blocks are 4×8 and packed blocks 256 deep: dims around those and odd ones
        const dim = fc.oneof(fc.integer({ min: 1, max: 19 }), fc.integer({ min: 250, max: 262 }));
        fc.assert(
          fc.property(
            dim,
            fc.integer({ min: 1, max: 41 }),
            dim,
            fc.boolean(),
            fc.boolean(),
            fc.integer({ min: 0, max: 5 }),
            fc.integer({ min: 0, max: 5 }),
            fc.integer(),
            fc.boolean(),
            (m, n, k, ta, tb, aOff, bOff, seed, special) => {
              const A = values(aOff + m * k, seed, special);
              const B = values(bOff + k * n, seed + 1, special);
              const { ref, fast } = both(ta, tb, m, n, k, A, aOff, B, bOff);
              expect(same(fast, ref)).toBe(true);
            },
          ),
          { numRuns: 120 },
        );
        expect(kernelInfo().products.float32.wasm - before).toBeGreaterThan(50); // most were large enough for WebAssembly
      });

      it('matches across the float32 packed-block boundaries (512 columns, 256 deep) and on 1, 3, 5, 17, 257', () => {
        configureKernels({ backend: 'wasm', threads: 1, fma });
        for (const [m, n, k] of [
          [5, 513, 300],
          [3, 520, 257],
          [9, 1025, 40],
          [13, 7, 600],
          [4, 512, 256],
          [1, 257, 5],
          [17, 3, 17],
          [257, 1, 3],
          [5, 17, 1],
        ] as const) {
          for (const [ta, tb] of FLAGS) {
            const { ref, fast } = both(ta, tb, m, n, k, values(m * k, m, false), 0, values(k * n, n, true), 0);
            expect(same(fast, ref), `${m}×${n}×${k} ${ta} ${tb}`).toBe(true);
          }
        }
      });

      it('gives the bits of naive float32 loops: fround(c + fround(a·b)) per step, or the exact fma when relaxed_madd fuses', () => {
        configureKernels({ backend: 'wasm', threads: 1, fma });
        const fused = fma && kernelInfo().fused === true;
        const once = (c: number, a: number, b: number) => exactFma32(a, b, c);
        const twice = (c: number, a: number, b: number) => Math.fround(c + Math.fround(a * b));
        let differs = 0;
        for (const [m, n, k] of [
          [8, 9, 10],
          [1, 1, 600],
          [3, 5, 40],
          [17, 3, 11],
        ] as const) {
          for (const [ta, tb] of FLAGS) {
            // products of integers near 2^12 overflow 24 bits: rounded once or twice they differ
            const A = values(m * k, k, true).map((x, i) => (i % 3 ? x : (4096 + i) * Math.sign(x || 1)));
            const B = values(k * n, n, true).map((x, i) => (i % 2 ? x : 4095 - 3 * i));
            const C = new Float32Array(m * n);
            gemm(ta, tb, m, n, k, A, 0, B, 0, C, 0);
            expect(same(C, naiveGemm(ta, tb, m, n, k, A, B, fused ? once : twice)), `${m}×${n}×${k}`).toBe(true);
            if (!same(C, naiveGemm(ta, tb, m, n, k, A, B, fused ? twice : once))) differs++;
          }
        }
        expect(differs).toBeGreaterThan(0); // the other arithmetic would have been caught
      });

      it('gives the same bits on two threads as on one, for every flag, ragged rows and columns', async () => {
        configureKernels({ backend: 'wasm', threads: 2, fma });
        both(false, false, 103, 130, 97, values(103 * 97, 1, false), 0, values(97 * 130, 2, false), 0); // starts the worker
        for (let t = 0; t < 500 && !kernelInfo().workerReady; t++) await new Promise((r) => setTimeout(r, 10));
        expect(kernelInfo().workerReady).toBe(true);
        for (const [ta, tb, m, n, k] of [
          [false, false, 103, 130, 97],
          [true, false, 103, 130, 97],
          [false, true, 103, 130, 97],
          [true, true, 103, 130, 97],
          [false, false, 29, 517, 70],
          [true, true, 30, 300, 121],
          [false, true, 5, 1031, 205],
        ] as const) {
          expect(m * n * k).toBeGreaterThanOrEqual(TWO_THREAD_MIN); // wide C: blocks of columns; narrow: blocks of rows
          const A = values(m * k, 3, true),
            B = values(k * n, 4, false);
          configureKernels({ threads: 1 });
          const one = both(ta, tb, m, n, k, A, 0, B, 0);
          configureKernels({ threads: 2 });
          const before = kernelInfo().products.float32.wasmTwoThreads;
          const two = both(ta, tb, m, n, k, A, 0, B, 0);
          expect(kernelInfo().products.float32.wasmTwoThreads - before).toBe(1);
          expect(same(two.fast, one.fast)).toBe(true);
          expect(same(two.fast, one.ref)).toBe(true);
        }
      });

      it('stays within (k + 1)·2^-24·Σ|a||b| of float64 gemm of the same values', () => {
        configureKernels({ backend: 'wasm', threads: 1, fma });
        let worst = 0;
        for (const [m, n, k] of [
          [7, 9, 1000],
          [33, 17, 257],
          [4, 8, 3],
          [64, 64, 64],
        ] as const) {
          for (const [ta, tb] of FLAGS) {
            const A = values(m * k, k, false),
              B = values(k * n, m + n, false);
            const C32 = new Float32Array(m * n),
              C64 = new Float64Array(m * n);
            gemm(ta, tb, m, n, k, A, 0, B, 0, C32, 0);
            gemm(ta, tb, m, n, k, Float64Array.from(A), 0, Float64Array.from(B), 0, C64, 0);
            const abs = new Float64Array(m * n);
            gemm(ta, tb, m, n, k, Float64Array.from(A, Math.abs), 0, Float64Array.from(B, Math.abs), 0, abs, 0);
            // float32 recursive summation: |error| ≤ γ_k·Σ|a||b| with γ_k = k·u/(1 − k·u), u = 2^-24;
            // float64's own error (k·2^-53·Σ|a||b|) and the bound's rounding are inside the (k + 1) and the 1.01
            for (let i = 0; i < m * n; i++) {
              const bound = (k + 1) * 2 ** -24 * abs[i] * 1.01;
              const err = Math.abs(C32[i] - C64[i]);
              expect(err, `${m}×${n}×${k} [${i}]`).toBeLessThanOrEqual(bound);
              worst = Math.max(worst, err / bound);
            }
          }
        }
        expect(worst).toBeGreaterThan(0); // float32 really rounded
      });
    });
  }

  it('gives matmul-sized products the same bits on the JS backend as on WebAssembly', () => {
    const A = values(37 * 45, 1, false),
      B = values(45 * 29, 2, false);
    const run = () => {
      const C = new Float32Array(37 * 29);
      gemm(false, false, 37, 29, 45, A, 0, B, 0, C, 0);
      return C;
    };
    configureKernels({ backend: 'js' });
    const js = run();
    configureKernels({ backend: 'wasm' });
    expect(same(run(), js)).toBe(true);
  });

  it('refuses operands of mixed dtypes, naming them', () => {
    const f32 = new Float32Array(4),
      f64 = new Float64Array(4);
    expect(() => gemm(false, false, 2, 2, 1, f32, 0, f64, 0, f32, 0)).toThrow(
      /^gemm: A, B and C must all be Float64Array or all Float32Array, got Float32Array, Float64Array and Float32Array$/,
    );
    expect(() => gemm(false, false, 2, 2, 1, f64, 0, f64, 0, f32, 0)).toThrow(TypeError);
    expect(() => gemm(false, false, 2, 2, 1, f32, 0, f32, 0, f64, 0)).toThrow(TypeError);
  });
});
