// Raw kernels over a tensor's storage (Float64Array or Float32Array): no autodiff, no validation, no
// allocation per element. Elementwise kernels are compiled once per expression and dtype, so each op
// gets its own monomorphic loop; a float32 output rounds each result as it is stored.
import { type Shape, broadcastStrides, sizeOf, stridesOf } from './shape.ts';
import { type Storage, allocLike } from './tensor.ts';
import { fma32, fma64 } from './fma.ts';
import { countProduct, fusedArithmetic, wasmGemm } from './wasm/runtime.ts';

export type Unary = (x: Storage, out: Storage, c: number) => void;
export type Binary = (
  a: Storage,
  b: Storage,
  out: Storage,
  offA: Int32Array,
  offB: Int32Array,
  inner: number,
  sa: number,
  sb: number,
) => void;

/** Compiles `out[i] = expr(a, c)` over a whole array; `c` is an optional scalar parameter. */
export function unaryKernel(expr: string): Unary {
  return new Function(
    'x',
    'out',
    'c',
    `for (let i = 0, n = x.length; i < n; i++) { const a = x[i]; out[i] = ${expr}; }`,
  ) as Unary;
}

/** Compiles `out = expr(a, b)` over rows of a broadcast: row r reads a from offA[r] (step sa), b from offB[r] (step sb). */
export function binaryKernel(expr: string): Binary {
  return new Function(
    'A',
    'B',
    'out',
    'offA',
    'offB',
    'inner',
    'sa',
    'sb',
    `for (let r = 0, o = 0, rows = offA.length; r < rows; r++) {
       let ia = offA[r], ib = offB[r];
       for (let j = 0; j < inner; j++, o++, ia += sa, ib += sb) { const a = A[ia], b = B[ib]; out[o] = ${expr}; }
     }`,
  ) as Binary;
}

/** Row offsets and inner steps for reading shapes `a` and `b` broadcast to `out`. */
export function broadcastPlan(a: Shape, b: Shape, out: Shape) {
  const d = out.length;
  const inner = d === 0 ? 1 : out[d - 1];
  const rows = inner === 0 ? 0 : sizeOf(out) / inner;
  const strA = broadcastStrides(a, out);
  const strB = broadcastStrides(b, out);
  const offA = new Int32Array(rows);
  const offB = new Int32Array(rows);
  const idx = new Array<number>(Math.max(d - 1, 0)).fill(0);
  let oa = 0;
  let ob = 0;
  for (let r = 0; r < rows; r++) {
    offA[r] = oa;
    offB[r] = ob;
    for (let k = d - 2; k >= 0; k--) {
      idx[k]++;
      oa += strA[k];
      ob += strB[k];
      if (idx[k] < out[k]) break;
      oa -= strA[k] * out[k];
      ob -= strB[k] * out[k];
      idx[k] = 0;
    }
  }
  return { offA, offB, inner, sa: d === 0 ? 0 : strA[d - 1], sb: d === 0 ? 0 : strB[d - 1] };
}

/** Copies x (shape `from`) into a new array of the broadcast shape `to`. */
export function broadcastCopy(x: Storage, from: Shape, to: Shape): Storage {
  const out = allocLike(x, sizeOf(to));
  if (x.length === 1) return out.fill(x[0]); // one value everywhere (the gradient of a full sum)
  const { offA, inner, sa } = broadcastPlan(from, from, to);
  for (let r = 0, o = 0; r < offA.length; r++) for (let j = 0, i = offA[r]; j < inner; j++, i += sa) out[o++] = x[i];
  return out;
}

/**
 * Reduces one axis of x viewed as [outer, n, inner]; `max` or sum. Summation order is fixed (left to
 * right). The result is float64 whatever x's storage, so a float32 reduction over several axes is
 * rounded once, by the caller, at the end: a float32 sum is the float64 sum of its values, rounded.
 */
export function reduceAxis(x: Storage, shape: Shape, axis: number, kind: 'sum' | 'max'): Float64Array {
  const n = shape[axis];
  const inner = sizeOf(shape.slice(axis + 1));
  const outer = sizeOf(shape.slice(0, axis));
  const out = new Float64Array(outer * inner);
  if (kind === 'max') out.fill(-Infinity);
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    const ob = o * inner;
    for (let k = 0; k < n; k++) {
      const row = base + k * inner;
      if (kind === 'sum') for (let i = 0; i < inner; i++) out[ob + i] += x[row + i];
      else
        for (let i = 0; i < inner; i++) {
          const v = x[row + i],
            m = out[ob + i];
          // as Math.max: NaN wins, and +0 beats −0 whichever comes first
          if (v > m || v !== v || (v === 0 && m === 0 && 1 / m < 0)) out[ob + i] = v;
        }
    }
  }
  return out;
}

/** General transpose: out[idx] = x[idx permuted]. */
export function transposeKernel(x: Storage, shape: Shape, perm: readonly number[]): Storage {
  const out = allocLike(x, x.length);
  const d = shape.length;
  if (d === 2 && perm[0] === 1) {
    const [m, n] = shape;
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = x[i * n + j];
    return out;
  }
  const inStr = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]);
  const str = perm.map((p) => inStr[p]); // input stride of each output dim
  const idx = new Array<number>(d).fill(0);
  let src = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = x[src];
    for (let k = d - 1; k >= 0; k--) {
      idx[k]++;
      src += str[k];
      if (idx[k] < outShape[k]) break;
      src -= str[k] * outShape[k];
      idx[k] = 0;
    }
  }
  return out;
}

/** Copies blocks [outer, len, inner] between arrays: dst[.., dOff + i, ..] (op)= src[.., sOff + i, ..] for i < len. */
export function copyAxisBlock(
  src: Storage,
  sDim: number,
  sOff: number,
  dst: Storage,
  dDim: number,
  dOff: number,
  len: number,
  outer: number,
  inner: number,
) {
  for (let o = 0; o < outer; o++) {
    const s = (o * sDim + sOff) * inner;
    const t = (o * dDim + dOff) * inner;
    for (let i = 0, m = len * inner; i < m; i++) dst[t + i] = src[s + i];
  }
}

const KC = 256; // depth of a packed block: a 4-wide A panel (8 KiB) stays in L1
const NC = 256; // columns of a packed B block: KC·NC doubles (512 KiB) stay in L2

/** Products with fewer multiply-adds than this stay in JS: copying into WebAssembly memory would cost more than it saves. */
const WASM_MIN = 512;

/** What gemm multiplies: A, B and C all float64 or all float32. */
export type GemmArray = Float64Array | Float32Array;

/**
 * C[m×n] += op(A) · op(B) for A, B, C all Float64Array or all Float32Array: the WebAssembly SIMD
 * kernel (wasm/gemm.as, f64x2 or f32x4, on one or two threads) when it is in use and the product
 * is not tiny, else gemmJS. Both give the same bits (see gemmJS), rounding each multiply-add once
 * exactly when the kernel in use does (fusedArithmetic). cIsZero promises that C holds zeros there
 * (a fresh output), which spares reading it.
 */
export function gemm(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  A: GemmArray,
  aOff: number,
  B: GemmArray,
  bOff: number,
  C: GemmArray,
  cOff: number,
  cIsZero = false,
) {
  const f32 = C instanceof Float32Array;
  // the kernels read every operand as C's type: a mix would be silently converted
  if (A instanceof Float32Array !== f32 || B instanceof Float32Array !== f32)
    throw new TypeError(
      `gemm: A, B and C must all be Float64Array or all Float32Array, got ${A.constructor.name}, ${B.constructor.name} and ${C.constructor.name}`,
    );
  if (m === 0 || n === 0 || k === 0) return;
  if (m * n * k >= WASM_MIN && wasmGemm(transA, transB, m, n, k, A, aOff, B, bOff, C, cOff, cIsZero)) return;
  const dtype = f32 ? 'float32' : 'float64',
    fused = fusedArithmetic();
  countProduct(dtype, 'js');
  if (fused) countProduct(dtype, 'fused');
  gemmJS(transA, transB, m, n, k, A, aOff, B, bOff, C, cOff, fused);
}

/**
 * The reference kernel in plain JS. C[m×n] += op(A) · op(B) for row-major A, B, where op
 * transposes when the flag is set. Blocks of op(B) and 4-row panels of op(A) are packed, and each
 * 4×4 block of C is accumulated in registers. Every C element is its old value plus a·b for
 * p = 0, 1, …, k − 1 in that order, whatever the flags and blocking (the same bits as a naive
 * triple loop), each step rounded as the WebAssembly kernel rounds it:
 * - float64: a rounded product then a rounded sum, or with `fused` one rounding (fma64);
 * - float32: the same in float32, fround(c + fround(a·b)) (the product is exact in double, and a
 *   sum of two floats rounded to double then to float is rounded once, since 53 ≥ 2·24 + 2), or
 *   with `fused` fma32.
 * `fused` defaults to what the kernels do now, so gemmJS is gemm's reference whatever the setting.
 */
export function gemmJS(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  A: GemmArray,
  aOff: number,
  B: GemmArray,
  bOff: number,
  C: GemmArray,
  cOff: number,
  fused = fusedArithmetic(),
) {
  // an empty product (m, n or k zero) runs no loop below: C is left as it was
  const block = BLOCKS[(C instanceof Float32Array ? 2 : 0) + (fused ? 1 : 0)];
  // element (i, p) of op(A) sits at aOff + i*ai + p*ap; element (p, j) of op(B) at bOff + p*bp + j*bj
  const [ai, ap] = transA ? [1, m] : [k, 1];
  const [bp, bj] = transB ? [1, k] : [n, 1];
  // packed copies are float64 whatever the dtype: a float32 value is exact in double
  const Bp = new Float64Array(Math.min(KC, k) * Math.min(NC, (n + 3) & ~3));
  const Ap = new Float64Array(4 * Math.min(KC, k));
  const tile = new Float64Array(16);
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = Math.min(NC, n - j0);
    const panels = (nc + 3) >> 2;
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = Math.min(KC, k - p0);
      // panel jb holds op(B)[p0 + p][j0 + 4jb + c] at jb·4kc + 4p + c; the slots past the block's
      // last column keep stale values, whose sums land in tile columns that are never written back
      for (let c = 0; c < nc; c++) {
        const src = bOff + (j0 + c) * bj + p0 * bp;
        for (let p = 0, q = (c >> 2) * 4 * kc + (c & 3); p < kc; p++, q += 4) Bp[q] = B[src + p * bp];
      }
      for (let i = 0; i < m; i += 4) {
        // rows h … 3 of a short panel keep stale values: they feed only tile rows that are not written back
        const h = Math.min(4, m - i);
        for (let r = 0; r < h; r++) {
          const src = aOff + (i + r) * ai + p0 * ap;
          for (let p = 0; p < kc; p++) Ap[4 * p + r] = A[src + p * ap];
        }
        for (let jb = 0; jb < panels; jb++) {
          const j = j0 + 4 * jb;
          const o = cOff + i * n + j;
          const full = h === 4 && j + 4 <= n;
          const w = Math.min(4, n - j);
          if (full) block(Ap, Bp, jb * 4 * kc, kc, C, o, n);
          else {
            // ragged edge: work on a scratch tile, then write back only what exists (its other cells hold stale sums)
            for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) tile[4 * r + c] = C[o + r * n + c];
            block(Ap, Bp, jb * 4 * kc, kc, tile, 0, 4);
            for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) C[o + r * n + c] = tile[4 * r + c];
          }
        }
      }
    }
  }
}

/** T[4×4 block at to, row stride ts] += Ap panel · Bp panel over kc steps, in registers. */
type Block = (Ap: Float64Array, Bp: Float64Array, q0: number, kc: number, T: GemmArray, to: number, ts: number) => void;

/**
 * Compiles block4x4 with each step `c = step(c, x, b)` for the sixteen accumulators: one function
 * per arithmetic, so each loop stays monomorphic (as unaryKernel), written once. The statements are
 * joined with no separator (each ends in a semicolon).
 */
function block4x4(step: (c: string, x: string, b: string) => string): Block {
  const rows = ['to', 'r1', 'r2', 'r3'],
    cols = [0, 1, 2, 3];
  const each = (f: (r: number, q: number) => string, sep: string) =>
    rows.map((_, r) => cols.map((q) => f(r, q)).join(sep)).join(sep);
  const body = `
    const r1 = to + ts, r2 = r1 + ts, r3 = r2 + ts;
    let ${each((r, q) => `c${r}${q} = T[${rows[r]} + ${q}]`, ', ')};
    for (let p = 0, q = q0, a = 0; p < kc; p++, q += 4, a += 4) {
      const b0 = Bp[q], b1 = Bp[q + 1], b2 = Bp[q + 2], b3 = Bp[q + 3];
      let x;
      ${rows.map((_, r) => `x = Ap[a + ${r}];${cols.map((q) => `c${r}${q} = ${step(`c${r}${q}`, 'x', `b${q}`)};`).join('')}`).join('')}
    }
    ${each((r, q) => `T[${rows[r]} + ${q}] = c${r}${q};`, '')}`;
  return new Function('fround', 'fma64', 'fma32', `return function block4x4(Ap, Bp, q0, kc, T, to, ts) {${body}\n}`)(
    Math.fround,
    fma64,
    fma32,
  ) as Block;
}

/** The block of each arithmetic, indexed (float32 ? 2 : 0) + (fused ? 1 : 0). */
const BLOCKS: readonly Block[] = [
  block4x4((c, x, b) => `${c} + ${x} * ${b}`),
  block4x4((c, x, b) => `fma64(${x}, ${b}, ${c})`),
  block4x4((c, x, b) => `fround(${c} + fround(${x} * ${b}))`),
  block4x4((c, x, b) => `fma32(${x}, ${b}, ${c})`),
];
