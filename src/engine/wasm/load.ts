// Loads the WebAssembly modules built from gemm.as (runtime.ts runs them): the plain module (a rounded
// multiply and a rounded add per step) and, where the engine validates relaxed SIMD (Node 20 after a
// V8 flag this file sets), the FMA module (one relaxed_madd per step), both instantiated on one shared
// memory; a probe says whether relaxed_madd fuses here. Loaded once, on first use.
import { setFlagsFromString } from 'node:v8';
import { GEMM_FMA_WASM_BASE64, GEMM_WASM_BASE64, MAX_PAGES } from './gemm.wasm.ts';

// The few WebAssembly JS API types used here (the project's TypeScript lib has no DOM types).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
};

type GemmFn = (
  ta: number,
  tb: number,
  m: number,
  n: number,
  k: number,
  A: number,
  B: number,
  C: number,
  i0: number,
  i1: number,
  j1: number,
  j2: number,
  scratch: number,
) => void;
/** What gemm.as exports (either module). */
interface Exports {
  gemm64: GemmFn;
  gemm32: GemmFn;
  probe64: (a: number, b: number, c: number) => number;
  probe32: (a: number, b: number, c: number) => number;
  peak64: (iters: number) => number;
  peak32: (iters: number) => number;
  PEAK_CHAINS: { value: number };
  SCRATCH_BYTES: { value: number };
  sgd64: SgdFn;
  sgd32: SgdFn;
  colsq64: ColumnFn;
  colsq32: ColumnFn;
  scalecols64: ColumnFn;
  scalecols32: ColumnFn;
  masked64: MaskedFn;
  masked32: MaskedFn;
  bernoulli64: BernoulliFn;
  bernoulli32: BernoulliFn;
}
type BernoulliFn = (
  c: number,
  s0: number,
  s1: number,
  s2: number,
  keep: number,
  one: number,
  out: number,
  n: number,
) => void;
type ColumnFn = (w: number, s: number, rows: number, cols: number) => void;
type MaskedFn = (x: number, m: number, out: number, n: number) => void;
type SgdFn = (w: number, g: number, v: number, n: number, lr: number, momentum: number, decay: number) => void;
export interface Loaded {
  module: object;
  ex: Exports;
}
export interface Wasm {
  memory: WasmMemory;
  plain: Loaded;
  /** The FMA module, or null where relaxed SIMD does not validate (or its two widths disagree on fusing). */
  fma: Loaded | null;
  /** Whether the FMA module's relaxed_madd rounds once; null without it. */
  fused: boolean | null;
  scratch: number; // bytes of scratch per thread
  f64: Float64Array; // views of the memory, renewed when it grows
  f32: Float32Array;
}
let wasm: Wasm | null | undefined;

export function load(): Wasm | null {
  if (wasm !== undefined) return wasm;
  try {
    const memory = new WebAssembly.Memory({ initial: 64, maximum: MAX_PAGES, shared: true });
    const plain = instantiate(GEMM_WASM_BASE64, memory);
    let fma: Loaded | null = null,
      fused: boolean | null = null;
    try {
      if (relaxedSimd()) {
        fma = instantiate(GEMM_FMA_WASM_BASE64, memory);
        fused = fusion(fma.ex);
        if (fused === null) fma = null; // a relaxed_madd neither fused nor separate in both widths: no JS reference for it
      }
    } catch {
      ((fma = null), (fused = null)); // the plain module runs
    }
    const scratch =
      (Math.max(Number(plain.ex.SCRATCH_BYTES.value), Number(fma?.ex.SCRATCH_BYTES.value ?? 0)) + 63) & ~63;
    wasm = {
      memory,
      plain,
      fma,
      fused,
      scratch,
      f64: new Float64Array(memory.buffer),
      f32: new Float32Array(memory.buffer),
    };
  } catch {
    wasm = null; // no WebAssembly SIMD or shared memory here: the JS kernels run
  }
  return wasm;
}

function instantiate(base64: string, memory: WasmMemory): Loaded {
  const module = new WebAssembly.Module(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
  return { module, ex: new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Exports };
}

/** A module of one function, (v128, v128, v128) → f64x2.relaxed_madd of them: valid exactly where relaxed SIMD is. */
const RELAXED_PROBE = Uint8Array.of(
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00, // magic, version 1
  0x01,
  0x08,
  0x01,
  0x60,
  0x03,
  0x7b,
  0x7b,
  0x7b,
  0x01,
  0x7b, // type section: (v128 v128 v128) → v128
  0x03,
  0x02,
  0x01,
  0x00, // function section: one function of that type
  0x0a,
  0x0d,
  0x01,
  0x0b,
  0x00,
  0x20,
  0x00,
  0x20,
  0x01,
  0x20,
  0x02,
  0xfd,
  0x87,
  0x02,
  0x0b, // code: local.get 0 1 2, f64x2.relaxed_madd, end
);

/**
 * Whether this engine validates relaxed SIMD, turning on V8's flag for it when it does not yet
 * (Node 20; V8 reads the flag each time it validates a module, so it is in time for the FMA module).
 * The FMA module is compiled only after this says yes. The parameters are for tests.
 */
export function relaxedSimd(
  validate = (b: Uint8Array) => WebAssembly.validate(b),
  setFlags = setFlagsFromString,
): boolean {
  if (validate(RELAXED_PROBE)) return true;
  try {
    setFlags('--experimental-wasm-relaxed-simd');
  } catch {
    return false;
  }
  return validate(RELAXED_PROBE);
}

/**
 * Whether relaxed_madd rounds once here: a·b + c where one rounding and two give different results,
 * in both widths. float64: a = 1 + 2^-27, c = −(1 + 2^-26), a·a + c = 2^-54 exactly, which a rounded
 * product loses (0). float32: a = 1 + 2^-13, c = −(1 + 2^-12), exactly 2^-26, or 0. Null if a width
 * gives neither, or the widths disagree: then no JS reference matches the module and it is not used.
 */
export function fusion(ex: Pick<Exports, 'probe64' | 'probe32'>): boolean | null {
  const classify = (got: number, fused: number) => (got === fused ? true : got === 0 ? false : null);
  const wide = classify(ex.probe64(1 + 2 ** -27, 1 + 2 ** -27, -(1 + 2 ** -26)), 2 ** -54);
  const narrow = classify(ex.probe32(1 + 2 ** -13, 1 + 2 ** -13, -(1 + 2 ** -12)), 2 ** -26);
  return wide === narrow ? wide : null;
}
