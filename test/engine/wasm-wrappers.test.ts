// The JS side of the WebAssembly kernels (src/engine/wasm/runtime.ts): where each wrapper lays its
// operands out in the module's memory, which Alea states the Bernoulli kernel takes, and how the
// kernel setting is read and changed. The engine falls back to JS whenever a wrapper declines, with
// the same bits, so these are checked on the wrappers themselves.
import { afterEach, describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { Tensor, configureKernels, kernelInfo, maxNormProject } from '../../src/index.ts';
import { gemm } from '../../src/engine/kernels.ts';
import {
  WASM_BERNOULLI_MIN,
  configFromEnv,
  wasmBernoulli,
  wasmMasked,
  wasmSgd,
} from '../../src/engine/wasm/runtime.ts';
import { same } from '../support/bits.ts';
import { sgdReference } from '../support/sgd-reference.ts';

type State = { c: number; s0: number; s1: number; s2: number };
/** n draws of one where seedrandom's Alea, restored to `st`, gives a double below keep. */
function draws(st: State, keep: number, one: number, n: number): Float64Array {
  const r = seedrandom.alea('', { state: { ...st } } as never) as unknown as { double(): number };
  return Float64Array.from({ length: n }, () => (r.double() < keep ? one : 0));
}
const stateOf = (seed: string): State =>
  (seedrandom.alea(seed, { state: true }) as unknown as { state(): State }).state();

const initial = configureKernels({});
afterEach(() => void configureKernels(initial));

// First in this file, so on the module's fresh memory (4 MiB): each call needs more than the one
// before, so each wrapper must reserve, and grow the memory to, all the room its operands take.
describe('operand layout, on fresh memory', () => {
  it('each wrapper grows the memory to hold its operands and gives the JS bits', () => {
    configureKernels({ backend: 'wasm' });
    const n = 1 << 21; // 16 MiB of float64
    const st = stateOf('layout');
    const b = new Float64Array(n);
    expect(wasmBernoulli(st, 0.3, 2, b)).toBe(true);
    expect(same(b, draws(st, 0.3, 2, n))).toBe(true);

    // dropout's product: x, m and out, 48 MiB
    const x = Float64Array.from({ length: n }, (_, i) => (i % 7) - 3.5);
    const out = new Float64Array(n);
    expect(wasmMasked(x, b, out)).toBe(true);
    expect(
      same(
        out,
        Float64Array.from(x, (v, i) => (b[i] === 0 ? 0 : v * b[i])),
      ),
    ).toBe(true);

    // the SGD update with max-norm: w, g, v and the column sums, 96 MiB and more
    const rows = 512,
      cols = 8192,
      size = rows * cols;
    const w = Float64Array.from({ length: size }, (_, i) => ((i * 37) % 11) / 4 - 1);
    const g = Float64Array.from({ length: size }, (_, i) => ((i * 13) % 5) - 2);
    const v0 = Float64Array.from({ length: size }, (_, i) => ((i * 7) % 3) / 8);
    const [lr, momentum, decay, c] = [0.05, 0.9, 1e-3, 3];
    const wOut = new Float64Array(size),
      vOut = new Float64Array(size);
    expect(wasmSgd(w, g, v0, wOut, vOut, lr, momentum, decay, { rows, cols, c })).toBe(true);
    // the update written out, then maxNormProject's projection of each column
    const { v, out: updated } = sgdReference(w, g, v0, lr, momentum, decay);
    const ref = maxNormProject(new Tensor(updated, [rows, cols]), c).data;
    expect(same(ref, updated)).toBe(false); // some columns were over c
    expect(same(vOut, v)).toBe(true);
    expect(same(wOut, ref)).toBe(true);
  });
});

describe('wasmBernoulli', () => {
  const n = WASM_BERNOULLI_MIN;
  const ok = stateOf('bernoulli states');

  it('takes every state Alea makes, up to the edges of its words and carry', () => {
    for (const st of [
      ok,
      { c: 0, s0: 0, s1: 0, s2: 0 },
      { ...ok, c: 2 ** 21 - 1 },
      { ...ok, s0: 1 - 2 ** -32, s1: 2 ** -32 },
    ]) {
      for (const Arr of [Float64Array, Float32Array]) {
        const out = new Arr(n);
        expect(wasmBernoulli(st, 0.6, 1.5, out)).toBe(true);
        expect(same(out, draws(st, 0.6, 1.5, n))).toBe(true);
      }
    }
  });

  it('declines, leaving out alone, a state Alea does not make (the JS loop then draws)', () => {
    for (const st of [
      { ...ok, c: 0.5 },
      { ...ok, c: -1 },
      { ...ok, c: 2 ** 21 },
      { ...ok, s0: -(2 ** -32) },
      { ...ok, s1: 1 },
      { ...ok, s2: 2 ** -33 },
      { ...ok, s0: Number.NaN },
      { ...ok, s2: 1.5 },
    ]) {
      const out = new Float64Array(n).fill(7);
      expect(wasmBernoulli(st, 0.5, 1, out), JSON.stringify(st)).toBe(false);
      expect(out.every((v) => v === 7)).toBe(true);
    }
  });

  it('declines below WASM_BERNOULLI_MIN draws and on the JS backend', () => {
    expect(wasmBernoulli(ok, 0.5, 1, new Float64Array(n - 1))).toBe(false);
    configureKernels({ backend: 'js' });
    expect(wasmBernoulli(ok, 0.5, 1, new Float64Array(n))).toBe(false);
  });
});

describe('the kernel setting', () => {
  it('reads the environment: DROPCHECK_KERNEL=js, DROPCHECK_THREADS=1, DROPCHECK_FMA=1, else the defaults', () => {
    expect(configFromEnv({})).toEqual({ backend: 'wasm', threads: 2, fma: false });
    expect(configFromEnv({ DROPCHECK_KERNEL: 'js', DROPCHECK_THREADS: '1', DROPCHECK_FMA: '1' })).toEqual({
      backend: 'js',
      threads: 1,
      fma: true,
    });
    expect(configFromEnv({ DROPCHECK_KERNEL: 'wasm', DROPCHECK_THREADS: '2', DROPCHECK_FMA: '0' })).toEqual({
      backend: 'wasm',
      threads: 2,
      fma: false,
    });
  });

  it('changes only the options given', () => {
    configureKernels({ backend: 'wasm', threads: 1, fma: false });
    configureKernels({ backend: 'js' });
    expect(kernelInfo()).toMatchObject({ backend: 'js', threads: 1, fma: false });
    configureKernels({ threads: 2 });
    expect(kernelInfo()).toMatchObject({ backend: 'js', threads: 2, fma: false });
  });

  it('refuses options that are not an object, naming what it expected', () => {
    for (const bad of [5, 'js', true])
      expect(() => configureKernels(bad as never)).toThrow(/configureKernels: expected options \{ backend\?/);
  });

  it('reports the JS kernels on the JS backend, and counts no fused product when products are not fused', () => {
    configureKernels({ backend: 'js', fma: false });
    expect(kernelInfo().float64.kernel).toBe('js');
    expect(kernelInfo().float32.kernel).toBe('js');
    const before = kernelInfo().products;
    gemm(false, false, 2, 2, 2, new Float64Array(4).fill(1), 0, new Float64Array(4).fill(1), 0, new Float64Array(4), 0);
    const after = kernelInfo().products;
    expect(after.js).toBe(before.js + 1);
    expect(after.fused).toBe(before.fused);
  });
});

describe('two threads with the FMA module', () => {
  it('hands the helper thread the FMA module too: a product it shares gives the one-thread bits', async () => {
    configureKernels({ backend: 'wasm', threads: 2, fma: true });
    expect(kernelInfo().fmaAvailable).toBe(true); // Node 20 validates relaxed SIMD (as test/engine/wasm.test.ts checks)
    // large enough (four column blocks of about 3 ms each) that the helper takes some of them
    const [m, n, k] = [512, 512, 512];
    const A = Float64Array.from({ length: m * k }, (_, i) => ((i * 7) % 13) / 8 - 0.75);
    const B = Float64Array.from({ length: k * n }, (_, i) => ((i * 5) % 11) / 16 - 0.3);
    const product = () => {
      const C = new Float64Array(m * n);
      gemm(false, false, m, n, k, A, 0, B, 0, C, 0, true);
      return C;
    };
    product(); // starts the helper
    for (let t = 0; t < 500 && !kernelInfo().workerReady; t++) await new Promise((r) => setTimeout(r, 10));
    expect(kernelInfo().workerReady).toBe(true);
    const before = kernelInfo().products.float64.wasmTwoThreads;
    const two = product();
    expect(kernelInfo().products.float64.wasmTwoThreads).toBe(before + 1);
    configureKernels({ threads: 1 });
    expect(same(two, product())).toBe(true);
  });
});

describe('gemm operands', () => {
  it('refuses a mix of Float64Array and Float32Array, naming the three types', () => {
    const [d, f] = [new Float64Array(4), new Float32Array(4)];
    expect(() => gemm(false, false, 2, 2, 2, f, 0, d, 0, d, 0)).toThrow(
      /must all be Float64Array or all Float32Array, got Float32Array, Float64Array and Float64Array/,
    );
    expect(() => gemm(false, false, 2, 2, 2, d, 0, f, 0, d, 0)).toThrow(TypeError);
    expect(() => gemm(false, false, 2, 2, 2, d, 0, d, 0, f, 0)).toThrow(TypeError);
  });
});
