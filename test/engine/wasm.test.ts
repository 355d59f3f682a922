// The WebAssembly SIMD gemm (float64; float32 is test/gemm-f32.test.ts) against the JS reference
// kernel: the same bits on random shapes (ragged edges, block boundaries, every transpose flag,
// offsets, non-finite values), on one thread and on two, with the plain module (a rounded multiply
// and a rounded add per step) and with the FMA module (relaxed_madd), whose bits are checked against
// an exact fused multiply-add too; the committed binary is what its source compiles to; a process
// that used the worker exits.
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gemm } from '../../src/engine/kernels.ts';
import { TWO_THREAD_MIN, configureKernels, kernelInfo } from '../../src/engine/wasm/runtime.ts';
import { buildGemm, generated, generatedPath } from '../../scripts/build-wasm.ts';
import { key, matmul, uniform } from '../../src/index.ts';
import { exactFma64, gemmBoth, gemmValues, naiveGemm } from '../support/gemm-reference.ts';
import { same } from '../support/bits.ts';

// Same bits for every number (−0 included); NaN where the reference has NaN. NaN's sign and payload
// are not something JS fixes (V8 may canonicalise a NaN it stores), so they are not compared.
const saved = kernelInfo();
afterEach(() => void configureKernels({ backend: saved.backend, threads: saved.threads, fma: saved.fma }));

const values = (len: number, seed: number, special: boolean) => gemmValues(Float64Array, len, seed, special);
const both = gemmBoth<Float64Array>;

describe('WebAssembly gemm', () => {
  it('is in use here (Node 20 has WebAssembly SIMD and shared memory), with the FMA module', () => {
    expect(kernelInfo().wasmAvailable).toBe(true);
    expect(kernelInfo().fmaAvailable).toBe(true);
  });

  for (const fma of [false, true]) {
    describe(fma ? 'FMA module' : 'plain module', () => {
      it('matches the JS reference bit for bit on random shapes, offsets and transpose flags', () => {
        configureKernels({ backend: 'wasm', threads: 1, fma });
        const dim = fc.oneof(fc.integer({ min: 1, max: 13 }), fc.integer({ min: 250, max: 262 }));
        fc.assert(
          fc.property(
            dim,
            fc.integer({ min: 1, max: 40 }),
            dim,
            fc.boolean(),
            fc.boolean(),
            fc.integer({ min: 0, max: 5 }),
            fc.integer({ min: 0, max: 5 }),
            fc.integer(),
            fc.boolean(),
            (m, n, k, ta, tb, aOff, bOff, seed, special) => {
              // keep products small enough for a quick suite: big k with small m·n, big n via the block test below
              const A = values(aOff + m * k, seed, special);
              const B = values(bOff + k * n, seed + 1, special);
              const { ref, fast } = both(ta, tb, m, n, k, A, aOff, B, bOff);
              expect(same(fast, ref)).toBe(true);
            },
          ),
          { numRuns: 120 },
        );
      });

      it('matches across packed-block boundaries in n and k', () => {
        configureKernels({ backend: 'wasm', threads: 1, fma });
        for (const [m, n, k] of [
          [5, 261, 300],
          [9, 513, 257],
          [13, 7, 600],
          [4, 256, 256],
          [1, 257, 3],
          [17, 5, 1],
        ] as const) {
          for (const [ta, tb] of [
            [false, false],
            [true, false],
            [false, true],
            [true, true],
          ] as const) {
            const { ref, fast } = both(ta, tb, m, n, k, values(m * k, m, false), 0, values(k * n, n, true), 0);
            expect(same(fast, ref), `${m}×${n}×${k} ${ta} ${tb}`).toBe(true);
          }
        }
      });

      it('gives the bits of a naive loop with an exact multiply-add when relaxed_madd fuses, else a rounded product and sum', () => {
        configureKernels({ backend: 'wasm', threads: 1, fma });
        const fused = fma && kernelInfo().fused === true;
        const step = fused
          ? (c: number, a: number, b: number) => exactFma64(a, b, c)
          : (c: number, a: number, b: number) => c + a * b;
        let differs = 0;
        for (const [m, n, k] of [
          [8, 9, 10],
          [1, 1, 600],
          [3, 5, 40],
          [17, 3, 11],
        ] as const) {
          for (const [ta, tb] of [
            [false, false],
            [true, true],
          ] as const) {
            // products of integers near 2^27 overflow 53 bits: rounded once or twice they differ
            const A = values(m * k, k, true).map((x, i) => (i % 3 ? x : (2 ** 27 + i) * Math.sign(x || 1)));
            const B = values(k * n, n, true).map((x, i) => (i % 2 ? x : 2 ** 27 - 3 * i));
            const C = new Float64Array(m * n);
            gemm(ta, tb, m, n, k, A, 0, B, 0, C, 0);
            expect(same(C, naiveGemm(ta, tb, m, n, k, A, B, step)), `${m}×${n}×${k}`).toBe(true);
            if (
              !same(
                C,
                naiveGemm(ta, tb, m, n, k, A, B, fused ? (c, a, b) => c + a * b : (c, a, b) => exactFma64(a, b, c)),
              )
            )
              differs++;
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
        ] as const) {
          expect(m * n * k).toBeGreaterThanOrEqual(TWO_THREAD_MIN); // wide C: blocks of columns; narrow: blocks of rows
          const A = values(m * k, 3, true),
            B = values(k * n, 4, false);
          configureKernels({ threads: 1 });
          const one = both(ta, tb, m, n, k, A, 0, B, 0);
          configureKernels({ threads: 2 });
          const before = kernelInfo().products.float64.wasmTwoThreads;
          const two = both(ta, tb, m, n, k, A, 0, B, 0);
          expect(kernelInfo().products.float64.wasmTwoThreads - before).toBe(1);
          expect(same(two.fast, one.fast)).toBe(true);
          expect(same(two.fast, one.ref)).toBe(true);
        }
      });
    });
  }

  it('gives matmul the same bits whichever backend runs', () => {
    const a = uniform(key(1), [2, 37, 45], -1, 1);
    const b = uniform(key(2), [45, 29], -1, 1);
    configureKernels({ backend: 'js' });
    const js = matmul(a, b);
    configureKernels({ backend: 'wasm' });
    expect(same(matmul(a, b).data, js.data)).toBe(true);
  });

  it('refuses an unknown backend or thread count', () => {
    expect(() => configureKernels({ backend: 'gpu' as never })).toThrow(/backend must be 'wasm' or 'js', got "gpu"/);
    expect(() => configureKernels({ threads: 4 as never })).toThrow(/threads must be 1 or 2, got 4/);
  });

  it('is built from gemm.as: compiling the source reproduces the committed bytes of both modules', async () => {
    const bytes = await buildGemm();
    expect(readFileSync(generatedPath, 'utf8')).toBe(generated(bytes));
    // the FMA module is the plain one with relaxed_madd: the prefix 0xfd and opcode 0x105 or 0x107 (LEB128)
    const relaxed = (b: Uint8Array) =>
      b.some((x, i) => x === 0xfd && (b[i + 1] === 0x85 || b[i + 1] === 0x87) && b[i + 2] === 0x02);
    expect([relaxed(bytes.plain), relaxed(bytes.fma)]).toEqual([false, true]);
  }, 60_000);

  it('lets a process that used the worker exit on its own', () => {
    const code = `import { configureKernels, kernelInfo } from './src/engine/wasm/runtime.ts';
      import { gemm } from './src/engine/kernels.ts';
      configureKernels({ threads: 2 });
      const n = 128, A = new Float64Array(n * n).fill(1), C = new Float64Array(n * n);
      gemm(false, false, n, n, n, A, 0, A, 0, C, 0); // starts the worker
      while (!kernelInfo().workerReady) await new Promise((r) => setTimeout(r, 10));
      C.fill(0);
      gemm(false, false, n, n, n, A, 0, A, 0, C, 0);
      console.log(C[0]);`;
    const t = performance.now();
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(out.trim()).toBe('128');
    expect(performance.now() - t).toBeLessThan(15_000);
  }, 40_000);
});
