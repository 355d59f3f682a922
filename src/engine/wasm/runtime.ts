// Runs the WebAssembly gemm kernels (gemm.as) on one or two cores. The modules' memory is shared:
// operands are copied in, blocks of C are shared out between this thread and one worker thread
// that instantiates the same modules on the same memory, and Atomics hand the job over and back, so
// the call stays synchronous. Each C element is computed whole by one thread in the fixed order of
// the JS reference, so the bits do not depend on the kernel or on the number of threads.
//
// Two modules are built from gemm.as: a plain one (a rounded multiply and a rounded add per step)
// and an FMA one (one relaxed_madd per step). The FMA module is compiled only where the engine
// validates relaxed SIMD (Node 20 after a V8 flag load.ts sets), and a probe says whether its
// relaxed_madd fuses here; the JS reference kernels then use an exact fused multiply-add (../fma.ts)
// exactly when the kernel in use fuses, so every path still gives the same bits on a machine.
//
// Loading the modules, the relaxed-SIMD probe and the fusing probe are in load.ts; this file chooses the
// kernel (the setting, its counts and kernelInfo) and runs products and updates on one or two threads.
import { Worker } from 'node:worker_threads';
import { MAX_PAGES } from './gemm.wasm.ts';
import { type Loaded, type Wasm, load } from './load.ts';
import { describeValue } from '../shape.ts';

export { fusion, relaxedSimd } from './load.ts';

export interface KernelConfig {
  /** 'wasm' (the default where WebAssembly SIMD works) or 'js' (the reference kernels). */
  backend: 'wasm' | 'js';
  /** Threads a large product may use: 1 or 2. Default 2; a worker starts on first use. */
  threads: 1 | 2;
  /**
   * Use the FMA module (one relaxed_madd per multiply-add) where relaxed SIMD validates. Default
   * false: measured on the machines this project runs on (AMD EPYC), a separate multiply and add
   * already run at full throughput, so the FMA kernel is no faster (scripts/measure-gemm.ts), while
   * its bits depend on whether the processor fuses relaxed_madd; the plain kernel gives the same bits
   * on every machine. Where relaxed_madd fuses and this is on, products of either backend are rounded
   * once per multiply-add (the JS reference uses an exact fma, src/engine/fma.ts).
   */
  fma: boolean;
}

/** The element types the kernels take: float64 (f64x2, two lanes) and float32 (f32x4, four). */
export type KernelDtype = 'float64' | 'float32';
const LANES = { float64: 2, float32: 4 } as const;
/** The setting an environment asks for: DROPCHECK_KERNEL=js, DROPCHECK_THREADS=1, DROPCHECK_FMA=1 (anything else: the defaults). */
export const configFromEnv = (env: Readonly<Record<string, string | undefined>>): KernelConfig => ({
  backend: env.DROPCHECK_KERNEL === 'js' ? 'js' : 'wasm',
  threads: env.DROPCHECK_THREADS === '1' ? 1 : 2,
  fma: env.DROPCHECK_FMA === '1',
});
const config = configFromEnv(process.env); // Node only (worker_threads): process is always there

/**
 * Chooses the matmul kernel, thread count and multiply-add (also settable by DROPCHECK_KERNEL=js,
 * DROPCHECK_THREADS=1, DROPCHECK_FMA=1). Checks every option before changing any. Returns the previous setting.
 */
export function configureKernels(options: Partial<KernelConfig>): KernelConfig {
  if (options === null || typeof options !== 'object')
    throw new TypeError(
      `configureKernels: expected options { backend?, threads?, fma? }, got ${describeValue(options)}`,
    );
  const { backend, threads, fma } = options;
  if (backend !== undefined && backend !== 'wasm' && backend !== 'js')
    throw new RangeError(`configureKernels: backend must be 'wasm' or 'js', got ${describeValue(backend)}`);
  if (threads !== undefined && threads !== 1 && threads !== 2)
    throw new RangeError(`configureKernels: threads must be 1 or 2, got ${describeValue(threads)}`);
  if (fma !== undefined && fma !== true && fma !== false)
    throw new RangeError(`configureKernels: fma must be true or false, got ${describeValue(fma)}`);
  const prev = { ...config };
  if (backend !== undefined) config.backend = backend;
  if (threads !== undefined) config.threads = threads;
  if (fma !== undefined) config.fma = fma;
  return prev;
}

interface Counts {
  js: number;
  wasm: number;
  wasmTwoThreads: number;
  /** Products rounded once per multiply-add (by either kernel). */
  fused: number;
}
const counts = (): Counts => ({ js: 0, wasm: 0, wasmTwoThreads: 0, fused: 0 });

/**
 * Products run in this process by each kernel, in all and per dtype: which kernel a setting really
 * used (the two-thread ones are also counted as wasm).
 */
export const products: Counts & Record<KernelDtype, Counts> = { ...counts(), float64: counts(), float32: counts() };

/** Counts one product of this dtype run by `kernel` (kernels.ts counts the JS ones). */
export function countProduct(dtype: KernelDtype, kernel: keyof Counts) {
  products[kernel]++;
  products[dtype][kernel]++;
}

/**
 * The current kernel setting and what this machine does with it: whether the WebAssembly modules
 * loaded (fmaAvailable: the FMA module validated), whether relaxed_madd fuses here (null without the
 * FMA module), whether the helper thread is up (it starts on the first large product), per dtype the
 * SIMD lanes, the kernel a product of that dtype would use now (products under 512 multiply-adds
 * always run in JS) and its arithmetic, and how many products each kernel has run.
 */
export function kernelInfo() {
  const w = load();
  return {
    ...config,
    wasmAvailable: w !== null,
    fmaAvailable: !!w?.fma,
    fused: w?.fma ? w.fused : null,
    workerReady: !!helper && Atomics.load(helper.ctl, READY) === 1,
    float64: dtypeInfo('float64'),
    float32: dtypeInfo('float32'),
    products: { ...products, float64: { ...products.float64 }, float32: { ...products.float32 } },
  };
}

function dtypeInfo(dtype: KernelDtype) {
  const w = load();
  const js = w === null || config.backend === 'js';
  const fused = fusedArithmetic();
  const kernel = js
    ? fused
      ? 'js-fma'
      : 'js'
    : `wasm-simd128${config.fma && w.fma ? '-fma' : ''} ${dtype === 'float64' ? 'f64x2' : 'f32x4'}`;
  return { lanes: LANES[dtype], kernel, arithmetic: fused ? ('fma' as const) : ('mul+add' as const) };
}

/**
 * Whether products are now rounded once per multiply-add: the FMA module is chosen, loaded, and its
 * relaxed_madd fuses here. The JS reference kernels follow this, whichever backend runs.
 */
export function fusedArithmetic(): boolean {
  if (!config.fma) return false;
  const w = load();
  return w !== null && w.fma !== null && w.fused === true;
}

/** The module a product runs in now: the FMA one when chosen and available. */
const kernels = (w: Wasm): Loaded => (config.fma && w.fma ? w.fma : w.plain);

/** The register-only loop of each dtype in the gemm module (gemm.as). */
const PEAK_LOOP = { float64: 'peak64', float32: 'peak32' } as const;

/**
 * The single-thread peak of the multiply-add the kernels use now (relaxed_madd in the FMA module,
 * else a multiply and an add), in GFLOP/s: a loop of independent chains on registers only, 2 flops
 * per lane per multiply-add, best of the runs in about `ms` milliseconds. For reading a gemm's
 * speed as a fraction of what one core can do. `now` is the clock in milliseconds (a parameter so
 * that the timing can be tested with a scripted one).
 */
export function measurePeak(dtype: KernelDtype, ms = 200, now: () => number = () => performance.now()): number {
  if (dtype !== 'float64' && dtype !== 'float32')
    throw new RangeError(`measurePeak: dtype must be 'float64' or 'float32', got ${describeValue(dtype)}`);
  if (typeof ms !== 'number' || !(ms > 0 && ms < Infinity))
    throw new RangeError(`measurePeak: ms must be a positive number of milliseconds, got ${describeValue(ms)}`);
  const w = load();
  if (w === null) throw new Error('measurePeak: the WebAssembly kernels are not available here');
  const ex = kernels(w).ex;
  const run = ex[PEAK_LOOP[dtype]];
  const flops = Number(ex.PEAK_CHAINS.value) * LANES[dtype] * 2; // per iteration
  // grow a run to a tenth of the budget (untimed: short runs measure the timer), then keep the best
  let iters = 1 << 12;
  for (let t = 0; t < ms / 10 && iters < 2 ** 30; iters *= 2) {
    const t0 = now();
    run(iters);
    t = now() - t0;
  }
  let best = 0;
  for (const end = now() + ms; now() < end || best === 0;) {
    const t0 = now();
    run(iters);
    best = Math.max(best, (iters * flops) / ((now() - t0) * 1e6));
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Two threads. A job is cut into units (blocks of columns, or of rows when C is narrow); both
// threads claim units from a shared counter until none is left, so a thread slowed by other work
// on the machine simply does fewer. Each unit is computed whole by one thread, in the fixed order.

const SEQ = 0,
  DONE = 1,
  READY = 2,
  FAILED = 3,
  NEXT = 4,
  ARGS = 5;
/** The unit of work: this many columns (each thread packs only its own columns of op(B)), or ROW_UNIT rows when n is small. */
const COL_UNIT = 128,
  ROW_UNIT = 16;
/** Which kernel a job runs: module (plain 0, FMA 2) + width (float64 0, float32 1). */
const kernelId = (fma: boolean, f32: boolean) => (fma ? 2 : 0) + (f32 ? 1 : 0);

// Plain JS, evaluated as a script or as a module (it inherits the parent's flags), hence import().
const WORKER_SOURCE = `
import('node:worker_threads').then(({ workerData }) => {
  const { modules, memory, ctl } = workerData;
  const kernels = modules.flatMap((module) => {
    if (module === null) return [null, null];
    const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
    return [ex.gemm64, ex.gemm32];
  });
  const c = new Int32Array(ctl);
  Atomics.store(c, ${READY}, 1);
  for (let seen = 0;;) {
    Atomics.wait(c, ${SEQ}, seen);
    seen = Atomics.load(c, ${SEQ});
    const [id, ta, tb, m, n, k, A, B, C, ru, cu, scratch] = c.subarray(${ARGS}, ${ARGS} + 12);
    const nc = Math.ceil(n / cu), units = Math.ceil(m / ru) * nc;
    try {
      const gemm = kernels[id];
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
    const ctl = new Int32Array(new SharedArrayBuffer(128));
    const modules = [w.plain.module, w.fma?.module ?? null];
    const t = new Worker(WORKER_SOURCE, { eval: true, workerData: { modules, memory: w.memory, ctl: ctl.buffer } });
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

/** Grows the memory to hold `end` bytes (false if it cannot) and renews the views when it grew. */
function holds(w: Wasm, end: number): boolean {
  if (end > w.memory.buffer.byteLength) {
    const pages = Math.ceil((end - w.memory.buffer.byteLength) / 65536);
    if (w.memory.buffer.byteLength / 65536 + pages > MAX_PAGES) return false;
    w.memory.grow(pages);
  }
  if (w.f64.byteLength !== w.memory.buffer.byteLength)
    ((w.f64 = new Float64Array(w.memory.buffer)), (w.f32 = new Float32Array(w.memory.buffer)));
  return true;
}

/** Bytes rounded up to a multiple of 16 (each operand starts v128-aligned); arithmetic, not bitwise, so sizes over 2^31 stay right. */
const align16 = (bytes: number) => Math.ceil(bytes / 16) * 16;

/**
 * C[m×n] += op(A)·op(B) with the WebAssembly kernel (see kernels.ts gemm for the layout); A, B and C
 * all Float64Array or all Float32Array. Returns false, having done nothing, if the kernel is not in
 * use or the operands do not fit its memory.
 */
export function wasmGemm(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  A: Float64Array | Float32Array,
  aOff: number,
  B: Float64Array | Float32Array,
  bOff: number,
  C: Float64Array | Float32Array,
  cOff: number,
  cIsZero: boolean,
): boolean {
  if (config.backend !== 'wasm') return false;
  const w = load();
  if (w === null) return false;
  const f32 = C instanceof Float32Array,
    size = f32 ? 4 : 8;
  // layout: [64 KiB reserved][scratch × 2][A][B][C], each operand 16-byte aligned
  const s0 = 65536,
    s1 = s0 + w.scratch;
  const aP = s1 + w.scratch;
  const bP = aP + align16(m * k * size);
  const cP = bP + align16(k * n * size);
  const end = cP + m * n * size;
  if (!holds(w, end)) return false;
  const v = f32 ? w.f32 : w.f64;
  v.set(A.subarray(aOff, aOff + m * k), aP / size);
  v.set(B.subarray(bOff, bOff + k * n), bP / size);
  if (cIsZero) v.fill(0, cP / size, cP / size + m * n);
  else v.set(C.subarray(cOff, cOff + m * n), cP / size);
  const ta = transA ? 1 : 0,
    tb = transB ? 1 : 0;
  const mod = kernels(w);
  const gemm = f32 ? mod.ex.gemm32 : mod.ex.gemm64;
  const dtype = f32 ? 'float32' : 'float64';
  const h = config.threads === 2 && m * n * k >= TWO_THREAD_MIN ? worker(w) : null;
  countProduct(dtype, 'wasm');
  if (fusedArithmetic()) countProduct(dtype, 'fused');
  if (h !== null && Atomics.load(h.ctl, READY) === 1) {
    countProduct(dtype, 'wasmTwoThreads');
    const [ru, cu] = n >= 2 * COL_UNIT ? [m, COL_UNIT] : [ROW_UNIT, n];
    const nc = Math.ceil(n / cu),
      units = Math.ceil(m / ru) * nc;
    h.ctl.set([kernelId(mod === w.fma, f32), ta, tb, m, n, k, aP, bP, cP, ru, cu, s1], ARGS);
    Atomics.store(h.ctl, NEXT, 0);
    Atomics.store(h.ctl, SEQ, ++h.seq);
    Atomics.notify(h.ctl, SEQ);
    for (let u = Atomics.add(h.ctl, NEXT, 1); u < units; u = Atomics.add(h.ctl, NEXT, 1)) {
      const i = Math.floor(u / nc) * ru,
        j = (u % nc) * cu;
      gemm(ta, tb, m, n, k, aP, bP, cP, i, Math.min(m, i + ru), j, Math.min(n, j + cu), s0);
    }
    for (let d = Atomics.load(h.ctl, DONE); d !== h.seq; d = Atomics.load(h.ctl, DONE)) Atomics.wait(h.ctl, DONE, d);
    if (Atomics.load(h.ctl, FAILED) === h.seq) throw new Error('internal: the gemm worker failed');
  } else gemm(ta, tb, m, n, k, aP, bP, cP, 0, m, 0, n, s0);
  C.set(v.subarray(cP / size, cP / size + m * n), cOff);
  return true;
}

/**
 * The modules and the byte address where an elementwise kernel's operands start (past the reserved
 * 64 KiB and the two scratch areas, as the products lay theirs out), with `bytes` of room after it;
 * null where the kernels are not in use, the work is shorter than `min` elements or it does not fit.
 */
function operands(n: number, min: number, bytes: number): { wm: Wasm; at: number } | null {
  if (config.backend !== 'wasm' || n < min) return null;
  const wm = load();
  if (wm === null) return null;
  const at = 65536 + 2 * wm.scratch;
  return holds(wm, at + bytes) ? { wm, at } : null;
}

/** Parameters with fewer elements than this are updated in JS: the copies would cost more than they save. */
export const WASM_SGD_MIN = 4096;

/** The max-norm projection of a weight matrix after its update: row-major [rows, cols], each column's L2 norm at most c. */
export interface ColumnBound {
  rows: number;
  cols: number;
  c: number;
}

/**
 * The SGD-with-momentum update (src/nn/optim.ts) in WebAssembly SIMD: v = momentum·v0 + g + decay·w,
 * out = w − lr·v, element by element, computed in float64 and stored in the arrays' type, the same bits
 * as the JS kernel (same operations, same order, no fused multiply-add). out may be w and v may be v0
 * (a donated update). With `bound`, the updated matrix is then projected as projectColumns does (the
 * same bits), while it is still in WebAssembly memory. Returns false, having done nothing, where the
 * kernel is not in use, the parameter is small or does not fit the memory.
 */
export function wasmSgd(
  w: Float64Array | Float32Array,
  g: Float64Array | Float32Array,
  v0: Float64Array | Float32Array,
  out: Float64Array | Float32Array,
  v: Float64Array | Float32Array,
  lr: number,
  momentum: number,
  decay: number,
  bound?: ColumnBound,
): boolean {
  const n = w.length;
  const f32 = w instanceof Float32Array,
    size = f32 ? 4 : 8;
  // operands: w, g, v, then the column sums
  const a = operands(n, WASM_SGD_MIN, 3 * align16(n * size) + (bound ? bound.cols * 8 : 0));
  if (a === null) return false;
  const { wm, at: wP } = a;
  const gP = wP + align16(n * size);
  const vP = gP + align16(n * size);
  const sP = vP + align16(n * size);
  const view = f32 ? wm.f32 : wm.f64;
  view.set(w, wP / size);
  view.set(g, gP / size);
  view.set(v0, vP / size);
  const ex = wm.plain.ex;
  (f32 ? ex.sgd32 : ex.sgd64)(wP, gP, vP, n, lr, momentum, decay);
  if (bound) {
    const { rows, cols, c } = bound;
    const s = wm.f64.subarray(sP / 8, sP / 8 + cols).fill(0);
    (f32 ? ex.colsq32 : ex.colsq64)(wP, sP, rows, cols);
    if (columnScales(s, c)) (f32 ? ex.scalecols32 : ex.scalecols64)(wP, sP, rows, cols);
  }
  out.set(view.subarray(wP / size, wP / size + n));
  v.set(view.subarray(vP / size, vP / size + n));
  return true;
}

/**
 * Turns squared column norms into max-norm scales in place: c/norm where the norm exceeds c, else 1.
 * Returns whether any column exceeds c (the JS projection and the WebAssembly one share it).
 */
export function columnScales(s: Float64Array, c: number): boolean {
  let any = false;
  for (let j = 0; j < s.length; j++) {
    const norm = Math.sqrt(s[j]);
    s[j] = norm > c ? c / norm : 1;
    any ||= norm > c;
  }
  return any;
}

/** Elements below which dropout's product stays in JS: the copies would cost more than they save. */
export const WASM_MASKED_MIN = 4096;

/**
 * out = m = 0 ? +0 : x·m element by element (dropout's product with a multiplier of x's shape), in
 * WebAssembly SIMD with the JS kernel's bits. x, m and out have one type and length. Returns false,
 * having done nothing, where the kernel is not in use, the arrays are small or do not fit the memory.
 */
export function wasmMasked(
  x: Float64Array | Float32Array,
  m: Float64Array | Float32Array,
  out: Float64Array | Float32Array,
): boolean {
  const n = x.length;
  const f32 = x instanceof Float32Array,
    size = f32 ? 4 : 8;
  const a = operands(n, WASM_MASKED_MIN, 3 * align16(n * size));
  if (a === null) return false;
  const { wm, at: xP } = a;
  const mP = xP + align16(n * size);
  const oP = mP + align16(n * size);
  const view = f32 ? wm.f32 : wm.f64;
  view.set(x, xP / size);
  view.set(m, mP / size);
  (f32 ? wm.plain.ex.masked32 : wm.plain.ex.masked64)(xP, mP, oP, n);
  out.set(view.subarray(oP / size, oP / size + n));
  return true;
}

/** Draws below which Bernoulli draws stay in JS. */
export const WASM_BERNOULLI_MIN = 1024;

/**
 * Bernoulli draws from an Alea state (seedrandom's c, s0, s1, s2), in WebAssembly with the JS
 * loop's bits (random.ts): out[i] = one where the i-th value of the stream is below keep, else 0,
 * stored in out's type. Returns false, having done nothing, where the kernel is not in use, out is
 * short, or the state is not one Alea makes (integer carry, words that are multiples of 2^-32).
 */
export function wasmBernoulli(
  st: { c: number; s0: number; s1: number; s2: number },
  keep: number,
  one: number,
  out: Float64Array | Float32Array,
): boolean {
  const word = (s: number) => s >= 0 && s < 1 && Number.isInteger(s * 4294967296);
  if (!(Number.isInteger(st.c) && st.c >= 0 && st.c < 2 ** 21 && word(st.s0) && word(st.s1) && word(st.s2)))
    return false;
  const n = out.length;
  const f32 = out instanceof Float32Array,
    size = f32 ? 4 : 8;
  const a = operands(n, WASM_BERNOULLI_MIN, n * size);
  if (a === null) return false;
  const { wm, at: oP } = a;
  (f32 ? wm.plain.ex.bernoulli32 : wm.plain.ex.bernoulli64)(st.c, st.s0, st.s1, st.s2, keep, one, oP, n);
  out.set((f32 ? wm.f32 : wm.f64).subarray(oP / size, oP / size + n));
  return true;
}
