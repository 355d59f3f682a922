// Runs the WebAssembly gemm kernel (gemm.as) on one or two cores. The module's memory is shared:
// operands are copied in, blocks of C are shared out between this thread and one worker thread
// that instantiates the same module on the same memory, and Atomics hand the job over and back, so
// the call stays synchronous. Each C element is computed whole by one thread in the fixed order of
// the JS reference, so the bits do not depend on the kernel or on the number of threads.
import { Worker } from 'node:worker_threads';
import { GEMM_WASM_BASE64, MAX_PAGES } from './gemm.wasm.ts';
import { describe } from '../shape.ts';

export interface KernelConfig {
  /** 'wasm' (the default where WebAssembly SIMD works) or 'js' (the reference kernels). */
  backend: 'wasm' | 'js';
  /** Threads a large product may use: 1 or 2. Default 2; a worker starts on first use. */
  threads: 1 | 2;
}

const env = typeof process === 'object' ? process.env : {};
const config: KernelConfig = {
  backend: env.DROPCHECK_KERNEL === 'js' ? 'js' : 'wasm',
  threads: env.DROPCHECK_THREADS === '1' ? 1 : 2,
};

/** Chooses the matmul kernel and thread count (also settable by DROPCHECK_KERNEL=js, DROPCHECK_THREADS=1). Returns the previous setting. */
export function configureKernels(options: Partial<KernelConfig>): KernelConfig {
  if (options === null || typeof options !== 'object') throw new TypeError(`configureKernels: expected options { backend?, threads? }, got ${describe(options)}`);
  const prev = { ...config };
  if (options.backend !== undefined) {
    if (options.backend !== 'wasm' && options.backend !== 'js') throw new RangeError(`configureKernels: backend must be 'wasm' or 'js', got ${describe(options.backend)}`);
    config.backend = options.backend;
  }
  if (options.threads !== undefined) {
    if (options.threads !== 1 && options.threads !== 2) throw new RangeError(`configureKernels: threads must be 1 or 2, got ${describe(options.threads)}`);
    config.threads = options.threads;
  }
  return prev;
}

/** Products run in this process by each kernel (the JS count is kept by kernels.ts gemm): which kernel a setting really used. */
export const products = { js: 0, wasm: 0, wasmTwoThreads: 0 };

/**
 * The current kernel setting, whether the WebAssembly kernel loaded here, whether the helper thread
 * is up (it starts on the first large product), and how many products each kernel has run (the
 * two-thread ones are also counted as wasm).
 */
export const kernelInfo = () => ({ ...config, wasmAvailable: load() !== null, workerReady: !!helper && Atomics.load(helper.ctl, READY) === 1, products: { ...products } });

// The few WebAssembly JS API types used here (the project's TypeScript lib has no DOM types).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
};

interface Wasm {
  memory: WasmMemory;
  module: object;
  gemm: (ta: number, tb: number, m: number, n: number, k: number, A: number, B: number, C: number, i0: number, i1: number, j1: number, j2: number, scratch: number) => void;
  scratch: number; // bytes of scratch per thread
  view: Float64Array;
}
let wasm: Wasm | null | undefined;

function load(): Wasm | null {
  if (wasm !== undefined) return wasm;
  try {
    const bytes = Uint8Array.from(atob(GEMM_WASM_BASE64), (c) => c.charCodeAt(0));
    const module = new WebAssembly.Module(bytes);
    const memory = new WebAssembly.Memory({ initial: 64, maximum: MAX_PAGES, shared: true });
    const ex = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as { gemm: Wasm['gemm']; SCRATCH_BYTES: { value: number } };
    wasm = { memory, module, gemm: ex.gemm, scratch: (Number(ex.SCRATCH_BYTES.value) + 63) & ~63, view: new Float64Array(memory.buffer) };
  } catch {
    wasm = null; // no WebAssembly SIMD or shared memory here: the JS kernels run
  }
  return wasm;
}

// ---------------------------------------------------------------------------------------------
// Two threads. A job is cut into units (blocks of columns, or of rows when C is narrow); both
// threads claim units from a shared counter until none is left, so a thread slowed by other work
// on the machine simply does fewer. Each unit is computed whole by one thread, in the fixed order.

const SEQ = 0, DONE = 1, READY = 2, FAILED = 3, NEXT = 4, ARGS = 5;
/** The unit of work: this many columns (each thread packs only its own columns of op(B)), or ROW_UNIT rows when n is small. */
const COL_UNIT = 128, ROW_UNIT = 16;

// Plain JS, evaluated as a script or as a module (it inherits the parent's flags), hence import().
const WORKER_SOURCE = `
import('node:worker_threads').then(({ workerData }) => {
  const { module, memory, ctl } = workerData;
  const gemm = new WebAssembly.Instance(module, { env: { memory } }).exports.gemm;
  const c = new Int32Array(ctl);
  Atomics.store(c, ${READY}, 1);
  for (let seen = 0;;) {
    Atomics.wait(c, ${SEQ}, seen);
    seen = Atomics.load(c, ${SEQ});
    const [ta, tb, m, n, k, A, B, C, ru, cu, scratch] = c.subarray(${ARGS}, ${ARGS} + 11);
    const nc = Math.ceil(n / cu), units = Math.ceil(m / ru) * nc;
    try {
      for (let u = Atomics.add(c, ${NEXT}, 1); u < units; u = Atomics.add(c, ${NEXT}, 1)) {
        const i = Math.floor(u / nc) * ru, j = (u % nc) * cu;
        gemm(ta, tb, m, n, k, A, B, C, i, Math.min(m, i + ru), j, Math.min(n, j + cu), scratch);
      }
    } catch {
      Atomics.store(c, ${FAILED}, seen);
    }
    Atomics.store(c, ${DONE}, seen);
    Atomics.notify(c, ${DONE});
  }
});`;

let helper: { ctl: Int32Array; seq: number } | null | undefined;

function worker(w: Wasm): { ctl: Int32Array; seq: number } | null {
  if (helper !== undefined) return helper;
  try {
    const ctl = new Int32Array(new SharedArrayBuffer(64));
    const t = new Worker(WORKER_SOURCE, { eval: true, workerData: { module: w.module, memory: w.memory, ctl: ctl.buffer } });
    t.unref(); // an idle helper never keeps the process alive
    t.on('error', () => (helper = null));
    helper = { ctl, seq: 0 };
  } catch {
    helper = null;
  }
  return helper;
}

/** Products with at least this many multiply-adds use two threads. */
export const TWO_THREAD_MIN = 1 << 20;

/**
 * C[m×n] += op(A)·op(B) with the WebAssembly kernel (see kernels.ts gemm for the layout). Returns
 * false, having done nothing, if the kernel is not in use or the operands do not fit its memory.
 */
export function wasmGemm(transA: boolean, transB: boolean, m: number, n: number, k: number, A: Float64Array, aOff: number, B: Float64Array, bOff: number, C: Float64Array, cOff: number, cIsZero: boolean): boolean {
  if (config.backend !== 'wasm') return false;
  const w = load();
  if (w === null) return false;
  // layout: [64 KiB reserved][scratch × 2][A][B][C], each operand 16-byte aligned
  const s0 = 65536, s1 = s0 + w.scratch;
  const aP = s1 + w.scratch;
  const bP = aP + ((m * k * 8 + 15) & ~15);
  const cP = bP + ((k * n * 8 + 15) & ~15);
  const end = cP + m * n * 8;
  if (end > w.memory.buffer.byteLength) {
    const pages = Math.ceil((end - w.memory.buffer.byteLength) / 65536);
    if (w.memory.buffer.byteLength / 65536 + pages > MAX_PAGES) return false;
    w.memory.grow(pages);
  }
  if (w.view.byteLength !== w.memory.buffer.byteLength) w.view = new Float64Array(w.memory.buffer);
  const v = w.view;
  v.set(A.subarray(aOff, aOff + m * k), aP / 8);
  v.set(B.subarray(bOff, bOff + k * n), bP / 8);
  if (cIsZero) v.fill(0, cP / 8, cP / 8 + m * n);
  else v.set(C.subarray(cOff, cOff + m * n), cP / 8);
  const ta = transA ? 1 : 0, tb = transB ? 1 : 0;
  const h = config.threads === 2 && m * n * k >= TWO_THREAD_MIN ? worker(w) : null;
  products.wasm++;
  if (h !== null && Atomics.load(h.ctl, READY) === 1) {
    products.wasmTwoThreads++;
    const [ru, cu] = n >= 2 * COL_UNIT ? [m, COL_UNIT] : [ROW_UNIT, n];
    const nc = Math.ceil(n / cu), units = Math.ceil(m / ru) * nc;
    h.ctl.set([ta, tb, m, n, k, aP, bP, cP, ru, cu, s1], ARGS);
    Atomics.store(h.ctl, NEXT, 0);
    Atomics.store(h.ctl, SEQ, ++h.seq);
    Atomics.notify(h.ctl, SEQ);
    for (let u = Atomics.add(h.ctl, NEXT, 1); u < units; u = Atomics.add(h.ctl, NEXT, 1)) {
      const i = Math.floor(u / nc) * ru, j = (u % nc) * cu;
      w.gemm(ta, tb, m, n, k, aP, bP, cP, i, Math.min(m, i + ru), j, Math.min(n, j + cu), s0);
    }
    for (let d = Atomics.load(h.ctl, DONE); d !== h.seq; d = Atomics.load(h.ctl, DONE)) Atomics.wait(h.ctl, DONE, d);
    if (Atomics.load(h.ctl, FAILED) === h.seq) throw new Error('internal: the gemm worker failed');
  } else w.gemm(ta, tb, m, n, k, aP, bP, cP, 0, m, 0, n, s0);
  C.set(v.subarray(cP / 8, cP / 8 + m * n), cOff);
  return true;
}
