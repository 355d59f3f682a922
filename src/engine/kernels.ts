// Raw kernels over Float64Array: no autodiff, no validation, no allocation per element.
// Elementwise kernels are compiled once per expression so each op gets its own monomorphic loop.
import { type Shape, broadcastStrides, sizeOf, stridesOf } from './shape.ts';

export type Unary = (x: Float64Array, out: Float64Array, c: number) => void;
export type Binary = (a: Float64Array, b: Float64Array, out: Float64Array, offA: Int32Array, offB: Int32Array, inner: number, sa: number, sb: number) => void;

/** Compiles `out[i] = expr(a, c)` over a whole array; `c` is an optional scalar parameter. */
export function unaryKernel(expr: string): Unary {
  return new Function('x', 'out', 'c', `for (let i = 0, n = x.length; i < n; i++) { const a = x[i]; out[i] = ${expr}; }`) as Unary;
}

/** Compiles `out = expr(a, b)` over rows of a broadcast: row r reads a from offA[r] (step sa), b from offB[r] (step sb). */
export function binaryKernel(expr: string): Binary {
  return new Function(
    'A', 'B', 'out', 'offA', 'offB', 'inner', 'sa', 'sb',
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
export function broadcastCopy(x: Float64Array, from: Shape, to: Shape): Float64Array {
  const out = new Float64Array(sizeOf(to));
  const { offA, inner, sa } = broadcastPlan(from, from, to);
  for (let r = 0, o = 0; r < offA.length; r++) for (let j = 0, i = offA[r]; j < inner; j++, i += sa) out[o++] = x[i];
  return out;
}

/** Reduces one axis of x viewed as [outer, n, inner]; `max` or sum. Summation order is fixed (left to right). */
export function reduceAxis(x: Float64Array, shape: Shape, axis: number, kind: 'sum' | 'max'): Float64Array {
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
          const v = x[row + i];
          // NaN wins, as in Math.max
          if (v > out[ob + i] || v !== v) out[ob + i] = v;
        }
    }
  }
  return out;
}

/** General transpose: out[idx] = x[idx permuted]. */
export function transposeKernel(x: Float64Array, shape: Shape, perm: readonly number[]): Float64Array {
  const out = new Float64Array(x.length);
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
export function copyAxisBlock(src: Float64Array, sDim: number, sOff: number, dst: Float64Array, dDim: number, dOff: number, len: number, outer: number, inner: number) {
  for (let o = 0; o < outer; o++) {
    const s = (o * sDim + sOff) * inner;
    const t = (o * dDim + dOff) * inner;
    dst.set(src.subarray(s, s + len * inner), t);
  }
}

/**
 * C[m×n] = op(A) · op(B) for row-major A, B, where op transposes when the flag is set. The sum over
 * k always runs in increasing order, so results do not depend on blocking.
 */
export function gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, A: Float64Array, aOff: number, B: Float64Array, bOff: number, C: Float64Array, cOff: number) {
  if (transB && !transA) return gemmNT(m, n, k, A, aOff, B, bOff, C, cOff);
  if (transA && transB) {
    // (Aᵀ Bᵀ): transpose B once, then Aᵀ B. Rare (only second-order rules reach it).
    const Bt = transposeKernel(B.subarray(bOff, bOff + n * k), [n, k], [1, 0]);
    return gemmRows(m, n, k, A, aOff, 1, m, Bt, 0, C, cOff);
  }
  // A element (i, p) sits at aOff + i*ai + p*ap
  return transA ? gemmRows(m, n, k, A, aOff, 1, m, B, bOff, C, cOff) : gemmRows(m, n, k, A, aOff, k, 1, B, bOff, C, cOff);
}

const JB = 512; // columns of C per block: four C rows of JB doubles stay in L1

/** B not transposed: each row of B is streamed once into four rows of C at a time. */
function gemmRows(m: number, n: number, k: number, A: Float64Array, aOff: number, ai: number, ap: number, B: Float64Array, bOff: number, C: Float64Array, cOff: number) {
  for (let j0 = 0; j0 < n; j0 += JB) {
    const j1 = Math.min(n, j0 + JB);
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      const c0 = cOff + i * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
      for (let p = 0; p < k; p++) {
        const a = aOff + i * ai + p * ap;
        const a0 = A[a], a1 = A[a + ai], a2 = A[a + 2 * ai], a3 = A[a + 3 * ai];
        const b = bOff + p * n;
        for (let j = j0; j < j1; j++) {
          const bv = B[b + j];
          C[c0 + j] += a0 * bv;
          C[c1 + j] += a1 * bv;
          C[c2 + j] += a2 * bv;
          C[c3 + j] += a3 * bv;
        }
      }
    }
    for (; i < m; i++) {
      const c0 = cOff + i * n;
      for (let p = 0; p < k; p++) {
        const a0 = A[aOff + i * ai + p * ap];
        const b = bOff + p * n;
        for (let j = j0; j < j1; j++) C[c0 + j] += a0 * B[b + j];
      }
    }
  }
}

/** C = A · Bᵀ: dot products of rows, 2×2 outputs per pass. */
function gemmNT(m: number, n: number, k: number, A: Float64Array, aOff: number, B: Float64Array, bOff: number, C: Float64Array, cOff: number) {
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const a0 = aOff + i * k, a1 = a0 + k;
    let j = 0;
    for (; j + 2 <= n; j += 2) {
      const b0 = bOff + j * k, b1 = b0 + k;
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0;
      for (let p = 0; p < k; p++) {
        const x0 = A[a0 + p], x1 = A[a1 + p], y0 = B[b0 + p], y1 = B[b1 + p];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
      }
      const c = cOff + i * n + j;
      C[c] = s00;
      C[c + 1] = s01;
      C[c + n] = s10;
      C[c + n + 1] = s11;
    }
    for (; j < n; j++) {
      const b0 = bOff + j * k;
      let s0 = 0, s1 = 0;
      for (let p = 0; p < k; p++) {
        s0 += A[a0 + p] * B[b0 + p];
        s1 += A[a1 + p] * B[b0 + p];
      }
      C[cOff + i * n + j] = s0;
      C[cOff + (i + 1) * n + j] = s1;
    }
  }
  for (; i < m; i++) {
    const a0 = aOff + i * k;
    for (let j = 0; j < n; j++) {
      const b0 = bOff + j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += A[a0 + p] * B[b0 + p];
      C[cOff + i * n + j] = s;
    }
  }
}
