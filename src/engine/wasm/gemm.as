// AssemblyScript source of the WebAssembly gemm kernel (build: npm run build:wasm, which writes
// gemm.wasm.ts). Same algorithm and summation order as the JS `gemm` in ../kernels.ts, with the
// four columns of a register block held as two f64x2 vectors: every C element is its old value
// plus a·b for p = 0, 1, …, k − 1 in that order, one rounded multiply and one rounded add each
// (no fused multiply-add), so the result is the JS reference's bit for bit.
//
// All pointers are byte addresses into the imported (shared) memory. `scratch` is a private area
// of SCRATCH_BYTES per thread: the packed block of op(B), a packed 4-row panel of op(A) and a tile.

const KC: i32 = 256; // depth of a packed block
const NC: i32 = 256; // columns of a packed block of op(B): 512 KiB, in L2

const MR: i32 = 4; // rows of a register block: 4×4 is eight f64x2 accumulators (6×4 spills, measured slower)

/** Bytes of scratch one call needs. */
export const SCRATCH_BYTES: i32 = KC * NC * 8 + MR * KC * 8 + MR * 4 * 8;

/**
 * The block rows [i0, i1) × columns [j1, j2) of C[m×n] += op(A)·op(B), where op transposes when the flag is set: op(A)(i, p) is
 * at A + 8·(i·ai + p·ap) with (ai, ap) = ta ? (1, m) : (k, 1), op(B)(p, j) at B + 8·(p·bp + j·bj)
 * with (bp, bj) = tb ? (1, k) : (n, 1).
 */
export function gemm(ta: i32, tb: i32, m: i32, n: i32, k: i32, A: usize, B: usize, C: usize, i0: i32, i1: i32, j1: i32, j2: i32, scratch: usize): void {
  const ai = ta ? 1 : k, ap = ta ? m : 1;
  const bp = tb ? 1 : n, bj = tb ? k : 1;
  const Bp = scratch;
  const Ap = scratch + <usize>(KC * NC * 8);
  const tile = Ap + <usize>(MR * KC * 8);
  const ldc = <usize>n << 3;
  for (let j0 = j1; j0 < j2; j0 += NC) {
    const nc = min(NC, j2 - j0);
    const panels = (nc + 3) >> 2;
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = min(KC, k - p0);
      packB(B, bp, bj, j0, p0, nc, kc, panels, Bp);
      for (let i = i0; i < i1; i += MR) {
        const h = min(MR, i1 - i);
        packA(A, ai, ap, i, p0, h, kc, Ap);
        for (let jb = 0; jb < panels; jb++) {
          const j = j0 + 4 * jb;
          const c = C + ((<usize>i * <usize>n + <usize>j) << 3);
          const panel = Bp + <usize>(jb * 4 * kc * 8);
          const w = min(4, j2 - j);
          if (h == MR && w == 4) block(Ap, panel, kc, c, ldc);
          else {
            // ragged edge: work on a zeroed tile, then write back only what exists
            memory.fill(tile, 0, MR * 4 * 8);
            for (let r = 0; r < h; r++) for (let q = 0; q < w; q++) store<f64>(tile + <usize>((4 * r + q) << 3), load<f64>(c + <usize>r * ldc + <usize>(q << 3)));
            block(Ap, panel, kc, tile, 32);
            for (let r = 0; r < h; r++) for (let q = 0; q < w; q++) store<f64>(c + <usize>r * ldc + <usize>(q << 3), load<f64>(tile + <usize>((4 * r + q) << 3)));
          }
        }
      }
    }
  }
}

/** Panel jb of Bp holds op(B)(p0 + p, j0 + 4jb + q) at 8·(jb·4kc + 4p + q), zero beyond column nc. */
function packB(B: usize, bp: i32, bj: i32, j0: i32, p0: i32, nc: i32, kc: i32, panels: i32, Bp: usize): void {
  if (bj == 1) {
    // rows of op(B) are contiguous: copy four columns at a time
    const full = nc >> 2;
    for (let p = 0; p < kc; p++) {
      const src = B + ((<usize>(p0 + p) * <usize>bp + <usize>j0) << 3);
      let dst = Bp + <usize>(p << 5);
      for (let jb = 0; jb < full; jb++) {
        v128.store(dst, v128.load(src + <usize>(jb << 5)));
        v128.store(dst, v128.load(src + <usize>(jb << 5), 16), 16);
        dst += <usize>(kc << 5);
      }
    }
    for (let c = full << 2; c < panels << 2; c++) {
      const src = B + ((<usize>p0 * <usize>bp + <usize>(j0 + c)) << 3);
      const dst = Bp + <usize>(((c >> 2) * 4 * kc + (c & 3)) << 3);
      for (let p = 0; p < kc; p++) store<f64>(dst + <usize>(p << 5), c < nc ? load<f64>(src + (<usize>(p * bp) << 3)) : 0);
    }
  } else {
    // columns of op(B) are contiguous (tb): walk down each column
    for (let c = 0; c < panels << 2; c++) {
      const src = B + ((<usize>(j0 + c) * <usize>bj + <usize>p0) << 3);
      const dst = Bp + <usize>(((c >> 2) * 4 * kc + (c & 3)) << 3);
      if (c < nc) for (let p = 0; p < kc; p++) store<f64>(dst + <usize>(p << 5), load<f64>(src + <usize>(p << 3)));
      else for (let p = 0; p < kc; p++) store<f64>(dst + <usize>(p << 5), 0);
    }
  }
}

/** Ap holds op(A)(i + r, p0 + p) at 8·(MR·p + r), zero for rows r ≥ h. */
function packA(A: usize, ai: i32, ap: i32, i: i32, p0: i32, h: i32, kc: i32, Ap: usize): void {
  if (ai == 1 && h == MR) {
    // op(A) is A transposed: the rows of one p are contiguous
    for (let p = 0; p < kc; p++) {
      const src = A + ((<usize>(p0 + p) * <usize>ap + <usize>i) << 3);
      const dst = Ap + <usize>(p * MR * 8);
      v128.store(dst, v128.load(src));
      v128.store(dst, v128.load(src, 16), 16);
    }
    return;
  }
  for (let r = 0; r < MR; r++) {
    const dst = Ap + <usize>(r << 3);
    if (r < h) {
      const src = A + ((<usize>(i + r) * <usize>ai + <usize>p0 * <usize>ap) << 3);
      for (let p = 0; p < kc; p++) store<f64>(dst + <usize>(p * MR * 8), load<f64>(src + (<usize>(p * ap) << 3)));
    } else for (let p = 0; p < kc; p++) store<f64>(dst + <usize>(p * MR * 8), 0);
  }
}

/** The MR×4 block of C at c (row stride ldc bytes) += Ap panel · Bp panel over kc steps, in registers. */
// @ts-ignore: decorator
@inline
function block(a: usize, b: usize, kc: i32, c: usize, ldc: usize): void {
  const r1 = c + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
  let c00 = v128.load(c), c01 = v128.load(c, 16);
  let c10 = v128.load(r1), c11 = v128.load(r1, 16);
  let c20 = v128.load(r2), c21 = v128.load(r2, 16);
  let c30 = v128.load(r3), c31 = v128.load(r3, 16);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let x = v128.load64_splat(a);
    c00 = f64x2.add(c00, f64x2.mul(x, b0)); c01 = f64x2.add(c01, f64x2.mul(x, b1));
    x = v128.load64_splat(a, 8);
    c10 = f64x2.add(c10, f64x2.mul(x, b0)); c11 = f64x2.add(c11, f64x2.mul(x, b1));
    x = v128.load64_splat(a, 16);
    c20 = f64x2.add(c20, f64x2.mul(x, b0)); c21 = f64x2.add(c21, f64x2.mul(x, b1));
    x = v128.load64_splat(a, 24);
    c30 = f64x2.add(c30, f64x2.mul(x, b0)); c31 = f64x2.add(c31, f64x2.mul(x, b1));
    a += 32;
    b += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(r1, c10); v128.store(r1, c11, 16);
  v128.store(r2, c20); v128.store(r2, c21, 16);
  v128.store(r3, c30); v128.store(r3, c31, 16);
}
