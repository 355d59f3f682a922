// The packed matmul kernel against a naive triple loop: bit-identical, because both sum each
// element as 0 + Σ_p a·b in increasing p, for every transpose flag, ragged edge and block boundary;
// then the edges of the raw kernels that the differential tests do not reach (below).
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gemm, gemmJS, reduceAxis, transposeKernel } from '../../src/engine/kernels.ts';
import { TWO_THREAD_MIN, configureKernels, kernelInfo } from '../../src/engine/wasm/runtime.ts';
import { load } from '../../src/engine/wasm/load.ts';
import { dropoutWithMask, key, matmul, max, tensor, transpose, uniform } from '../../src/index.ts';
import { naiveGemm } from '../support/gemm-reference.ts';

const fill = (len: number, seed: number) => Float64Array.from({ length: len }, (_, i) => Math.sin(seed + i * 1.37) * 3);

describe('gemm', () => {
  it('matches the naive product bit for bit on small ragged shapes and every transpose flag', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 0, max: 9 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer(),
        (m, n, k, ta, tb, seed) => {
          const A = fill(m * k, seed);
          const B = fill(k * n, seed + 1);
          const C = new Float64Array(m * n);
          gemm(ta, tb, m, n, k, A, 0, B, 0, C, 0);
          expect(C).toEqual(naiveGemm(ta, tb, m, n, k, A, B));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('matches across block boundaries (k and n beyond the 256-wide packed blocks)', () => {
    for (const [m, n, k] of [
      [5, 261, 300],
      [9, 513, 257],
      [3, 7, 600],
    ] as const) {
      for (const [ta, tb] of [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ] as const) {
        const A = fill(m * k, m);
        const B = fill(k * n, n);
        const C = new Float64Array(m * n);
        gemm(ta, tb, m, n, k, A, 0, B, 0, C, 0);
        expect(C).toEqual(naiveGemm(ta, tb, m, n, k, A, B));
      }
    }
  });

  it('reads and writes at the given offsets only', () => {
    const A = fill(2 + 6, 1);
    const B = fill(3 + 6, 2);
    const C = Float64Array.of(7, 7, 7, 7, 0, 0, 0, 0); // gemm accumulates into C, which callers zero
    gemm(false, false, 2, 2, 3, A, 2, B, 3, C, 4);
    expect(Array.from(C.subarray(0, 4))).toEqual([7, 7, 7, 7]);
    expect(C.subarray(4)).toEqual(naiveGemm(false, false, 2, 2, 3, A.subarray(2), B.subarray(3)));
  });
});

// ---------------------------------------------------------------------------------------------------
// Edges of the raw kernels that the differential tests do not reach: the JS reference writing only
// the rows and columns of C that exist, max's signed zeros, the transpose kernel's identity
// permutation, and which kernel a setting really runs (the products each kernel counts), including
// the WebAssembly memory growing for operands larger than it and the environment variables.

// read before any test changes the setting: the defaults the environment gave this process
const saved = kernelInfo();
afterEach(() => void configureKernels({ backend: saved.backend, threads: saved.threads }));

/** Products counted since `before`. */
const counted = (before: ReturnType<typeof kernelInfo>) => {
  const now = kernelInfo().products;
  return {
    js: now.js - before.products.js,
    wasm: now.wasm - before.products.wasm,
    wasmTwoThreads: now.wasmTwoThreads - before.products.wasmTwoThreads,
  };
};

describe('the JS reference gemm', () => {
  it('writes only the rows and columns of C that exist, whatever lies after them', () => {
    for (const [m, n, k] of [
      [5, 7, 3],
      [6, 259, 9],
      [3, 2, 300],
      [1, 1, 1],
    ] as const) {
      for (const [ta, tb] of [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ] as const) {
        const A = fill(m * k, m),
          B = fill(k * n, n);
        B[k * n - 1] = Infinity;
        // −0 after C: a row past m or a column past n written back would turn it into +0 (−0 + 0·b) or NaN (0·∞)
        const C = new Float64Array(m * n + 4 * n + 8).fill(-0);
        C.fill(0, 0, m * n);
        gemmJS(ta, tb, m, n, k, A, 0, B, 0, C, 0);
        expect(C.subarray(0, m * n)).toEqual(naiveGemm(ta, tb, m, n, k, A, B));
        expect(
          C.subarray(m * n).every((v) => Object.is(v, -0)),
          `${m}×${n}×${k} ${ta} ${tb}`,
        ).toBe(true);
      }
    }
  });
});

describe('max', () => {
  it('+0 beats −0 whichever comes first, as Math.max', () => {
    for (const v of [
      [-0, 0],
      [0, -0],
      [-0, -0, 0, -0],
    ]) {
      expect(Object.is(max(tensor(v)).item(), 0), JSON.stringify(v)).toBe(true);
      expect(Object.is(reduceAxis(Float64Array.from(v), [1, v.length], 1, 'max')[0], 0)).toBe(true);
    }
    expect(Object.is(max(tensor([-0, -0])).item(), -0)).toBe(true);
    expect(
      Array.from(
        max(
          tensor([
            [-0, 0],
            [0, -0],
          ]),
          0,
        ).data,
        (x) => Object.is(x, 0),
      ),
    ).toEqual([true, true]);
    expect(Number.isNaN(reduceAxis(Float64Array.of(0, NaN, -0, 5), [4], 0, 'max')[0])).toBe(true);
    // a zero never beats a larger value, and −0 is not beaten by a smaller one
    expect(max(tensor([5, 0, -0])).item()).toBe(5);
    expect(Object.is(max(tensor([-0, -1, 0.5, -2])).item(), 0.5)).toBe(true);
    expect(Object.is(max(tensor([-0, -1])).item(), -0)).toBe(true);
  });
});

describe('a rank-0 tensor through the broadcasting kernels', () => {
  it('dropout of a scalar keeps or drops its one element', () => {
    expect(dropoutWithMask(tensor(3), tensor(1), { rate: 0.5 }).item()).toBe(6);
    expect(dropoutWithMask(tensor(3), tensor(0), { rate: 0.5 }).item()).toBe(0);
  });
});

describe('transpose', () => {
  it('the identity permutation of a matrix copies it', () => {
    const x = Float64Array.of(1, 2, 3, 4, 5, 6);
    expect(transposeKernel(x, [2, 3], [0, 1])).toEqual(x);
    expect(transposeKernel(x, [2, 3], [1, 0])).toEqual(Float64Array.of(1, 4, 2, 5, 3, 6));
    expect(
      Array.from(
        transpose(
          tensor([
            [1, 2, 3],
            [4, 5, 6],
          ]),
          [0, 1],
        ).data,
      ),
    ).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe('which kernel runs', () => {
  it('the defaults follow DROPCHECK_KERNEL and DROPCHECK_THREADS: WebAssembly on two threads unless they say otherwise', () => {
    const env = process.env;
    expect({ backend: saved.backend, threads: saved.threads }).toEqual({
      backend: env.DROPCHECK_KERNEL === 'js' ? 'js' : 'wasm',
      threads: env.DROPCHECK_THREADS === '1' ? 1 : 2,
    });
  });

  it('products under 512 multiply-adds stay in JS; from 512 on, WebAssembly unless the JS backend is chosen', () => {
    configureKernels({ backend: 'wasm', threads: 1 });
    let before = kernelInfo();
    gemm(false, false, 7, 73, 1, fill(7, 1), 0, fill(73, 2), 0, new Float64Array(7 * 73), 0); // 511
    expect(counted(before)).toEqual({ js: 1, wasm: 0, wasmTwoThreads: 0 });
    before = kernelInfo();
    gemm(false, false, 8, 8, 8, fill(64, 1), 0, fill(64, 2), 0, new Float64Array(64), 0); // 512
    expect(counted(before)).toEqual({ js: 0, wasm: 1, wasmTwoThreads: 0 });
    configureKernels({ backend: 'js' });
    before = kernelInfo();
    matmul(uniform(key(1), [40, 40]), uniform(key(2), [40, 40]));
    expect(counted(before)).toEqual({ js: 1, wasm: 0, wasmTwoThreads: 0 });
  });

  it('an empty product (m, n or k zero) is not counted and leaves C as it was, on either backend', () => {
    for (const backend of ['wasm', 'js'] as const) {
      configureKernels({ backend, threads: 1 });
      for (const [m, n, k] of [
        [0, 5, 3],
        [5, 0, 3],
        [5, 3, 0],
        [0, 0, 0],
      ]) {
        const before = kernelInfo();
        const C = new Float64Array(m * n).fill(7);
        gemm(false, false, m, n, k, fill(m * k, 1), 0, fill(k * n, 2), 0, C, 0);
        expect(counted(before)).toEqual({ js: 0, wasm: 0, wasmTwoThreads: 0 });
        expect(C.every((v) => v === 7)).toBe(true);
      }
    }
  });

  it('two threads from TWO_THREAD_MIN multiply-adds on, only when two are allowed and the helper is up', async () => {
    configureKernels({ backend: 'wasm', threads: 2 });
    const big = (m: number, n: number, k: number) =>
      gemm(false, false, m, n, k, fill(m * k, 1), 0, fill(k * n, 2), 0, new Float64Array(m * n), 0, true);
    const fresh = !kernelInfo().workerReady;
    big(128, 128, 64); // 2^20: starts the helper if it is not up
    // a helper just asked to start is not up yet (starting a thread takes milliseconds)
    if (fresh) expect(kernelInfo().workerReady).toBe(false);
    for (let t = 0; t < 500 && !kernelInfo().workerReady; t++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 20));
    expect(kernelInfo().workerReady).toBe(true);
    expect(TWO_THREAD_MIN).toBe(2 ** 20);
    let before = kernelInfo();
    big(128, 128, 64);
    expect(counted(before)).toEqual({ js: 0, wasm: 1, wasmTwoThreads: 1 });
    before = kernelInfo();
    big(75, 341, 41); // 2^20 − 1
    expect(counted(before)).toEqual({ js: 0, wasm: 1, wasmTwoThreads: 0 });
    configureKernels({ threads: 1 });
    before = kernelInfo();
    big(128, 128, 64);
    expect(counted(before)).toEqual({ js: 0, wasm: 1, wasmTwoThreads: 0 });
  });

  it('the WebAssembly memory grows for operands larger than it, and the result is right', () => {
    configureKernels({ backend: 'wasm', threads: 1 });
    const k = 2048,
      n = 2048; // B alone is 32 MiB; one row of A keeps the work small
    const A = new Float64Array(k).fill(1),
      B = new Float64Array(k * n).fill(0.5),
      C = new Float64Array(n);
    for (let j = 0; j < n; j++) B[(j % k) * n + j] = 2.5; // one entry per column differs
    const before = kernelInfo();
    gemm(false, false, 1, n, k, A, 0, B, 0, C, 0, true);
    expect(counted(before)).toEqual({ js: 0, wasm: 1, wasmTwoThreads: 0 });
    expect(C.every((v) => v === 0.5 * (k - 1) + 2.5)).toBe(true);
  });

  it('the memory grows to hold C too: a wide output from a product of depth 1', () => {
    configureKernels({ backend: 'wasm', threads: 1 });
    const m = 2600,
      n = 2600; // C is 52 MiB, more than the previous test's operands
    const A = Float64Array.from({ length: m }, (_, i) => i),
      B = new Float64Array(n).fill(2),
      C = new Float64Array(m * n);
    // the memory's size before: files share modules (isolate: false), so an earlier file may have grown it further
    const w = load()!;
    const before = w.memory.buffer.byteLength;
    gemm(false, false, m, n, 1, A, 0, B, 0, C, 0, true);
    expect(C[0]).toBe(0);
    expect(C[m * n - 1]).toBe(2 * (m - 1));
    expect(C.every((v, i) => v === 2 * Math.floor(i / n))).toBe(true);
    // it grew only as far as the product needed: its operands past the reserved area, rounded up to a page
    const end = 65536 + 2 * w.scratch + m * 8 + n * 8 + m * n * 8;
    expect(w.memory.buffer.byteLength).toBe(end > before ? Math.ceil(end / 65536) * 65536 : before);
  });

  it('a fresh output is zeroed in WebAssembly memory, not left with what an earlier product put there', () => {
    configureKernels({ backend: 'wasm', threads: 1 });
    matmul(uniform(key(3), [64, 64], 1, 2), uniform(key(4), [64, 64], 1, 2)); // fills the memory where the next C goes
    const a = uniform(key(5), [8, 8]),
      b = uniform(key(6), [8, 8]);
    const ref = new Float64Array(64);
    gemmJS(false, false, 8, 8, 8, a.data, 0, b.data, 0, ref, 0);
    expect(matmul(a, b).data).toEqual(ref);
  });

  it('DROPCHECK_KERNEL=js and DROPCHECK_THREADS=1 set the defaults; without WebAssembly the JS kernel runs', () => {
    const code = `import { kernelInfo, measurePeak } from './src/engine/wasm/runtime.ts';
      import { matmul, tensor } from './src/index.ts';
      const y = matmul(tensor([[1, 2, 3, 4, 5, 6, 7, 8]]), tensor(Array.from({ length: 8 }, () => Array(64).fill(1))));
      let peak;
      try { peak = measurePeak('float64', 1) > 0; } catch (e) { peak = e.message; }
      console.log(JSON.stringify({ ...kernelInfo(), y: y.data[63], peak }));`;
    const run = (env: Record<string, string>, flags: string[] = []) => {
      const out = execFileSync(process.execPath, [...flags, '--import', 'tsx', '--input-type=module', '-e', code], {
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, DROPCHECK_KERNEL: '', DROPCHECK_THREADS: '', ...env },
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      return JSON.parse(out.trim().split('\n').pop()!);
    };
    expect(run({})).toMatchObject({
      backend: 'wasm',
      threads: 2,
      wasmAvailable: true,
      products: { js: 0, wasm: 1 },
      y: 36,
    });
    expect(run({ DROPCHECK_KERNEL: 'js', DROPCHECK_THREADS: '1' })).toMatchObject({
      backend: 'js',
      threads: 1,
      products: { js: 1, wasm: 0 },
      y: 36,
    });
    expect(run({}, ['--jitless'])).toMatchObject({
      backend: 'wasm',
      wasmAvailable: false,
      float64: { kernel: 'js' },
      products: { js: 1, wasm: 0 },
      y: 36,
      peak: 'measurePeak: the WebAssembly kernels are not available here',
    });
  }, 60_000);

  it('configureKernels returns the setting it replaced', () => {
    configureKernels({ backend: 'wasm', threads: 2, fma: false });
    expect(configureKernels({ backend: 'js', threads: 1, fma: true })).toEqual({
      backend: 'wasm',
      threads: 2,
      fma: false,
    });
    expect(configureKernels({})).toEqual({ backend: 'js', threads: 1, fma: true });
    configureKernels({ fma: false });
  });
});
