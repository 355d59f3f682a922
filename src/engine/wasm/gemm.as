// AssemblyScript source of the WebAssembly gemm kernels (build: npm run build:wasm, which writes
// gemm.wasm.ts). It is compiled twice: a plain module, and an FMA module with relaxed SIMD enabled
// (ASC_FEATURE_RELAXED_SIMD), whose only difference is that each multiply-add is one relaxed_madd.
//
// Same algorithm and summation order as the JS `gemmJS` in ../kernels.ts: every C element is its
// old value plus a·b for p = 0, 1, …, k − 1 in that order, each step c = madd(a, b, c). In the plain
// module madd is a rounded multiply then a rounded add; in the FMA module it is whatever this
// machine's relaxed_madd does (fused, one rounding, where the CPU has FMA; the runtime probes which
// and picks the matching JS reference), so the result is the JS reference's bit for bit.
//
// float64 works on f64x2 and float32 on f32x4, with the same packing and blocking: a register block
// is MR rows by two v128 of columns (4 float64 or 8 float32), eight accumulators either way.
//
// All pointers are byte addresses into the imported (shared) memory. `scratch` is a private area
// of SCRATCH_BYTES per thread: the packed block of op(B), a packed MR-row panel of op(A) and a tile.

const MR: i32 = 4; // rows of a register block: 4 rows × 2 v128 is eight accumulators (6 rows spill, measured slower)
/** Bytes of one row of a register block, and of one step p of a packed B panel: two v128. */
const ROW: i32 = 32;

const KC64: i32 = 256; // depth of a packed block: A panel (8 KiB) and B panel (8 KiB) in L1
const NC64: i32 = 256; // columns of a packed block of op(B): 512 KiB, in L2
const KC32: i32 = 256; // float32: the same bytes per panel (4 KiB of A, 8 KiB of B)
const NC32: i32 = 512; // the same 512 KiB block

const SCRATCH64: i32 = KC64 * NC64 * 8 + MR * KC64 * 8 + MR * ROW; // B block, A panel, tile
const SCRATCH32: i32 = KC32 * NC32 * 4 + MR * KC32 * 4 + MR * ROW;
/** Bytes of scratch one call needs (either width). */
export const SCRATCH_BYTES: i32 = SCRATCH64 > SCRATCH32 ? SCRATCH64 : SCRATCH32;

/**
 * The block rows [i0, i1) × columns [j1, j2) of C[m×n] += op(A)·op(B) for float64, where op transposes when the flag is set:
 * op(A)(i, p) is at A + 8·(i·ai + p·ap) with (ai, ap) = ta ? (1, m) : (k, 1), op(B)(p, j) at
 * B + 8·(p·bp + j·bj) with (bp, bj) = tb ? (1, k) : (n, 1).
 */
export function gemm64(ta: i32, tb: i32, m: i32, n: i32, k: i32, A: usize, B: usize, C: usize, i0: i32, i1: i32, j1: i32, j2: i32, scratch: usize): void {
  gemm<f64>(ta, tb, m, n, k, A, B, C, i0, i1, j1, j2, scratch);
}

/** gemm64 for float32: 4-byte elements, addresses scaled by 4. */
export function gemm32(ta: i32, tb: i32, m: i32, n: i32, k: i32, A: usize, B: usize, C: usize, i0: i32, i1: i32, j1: i32, j2: i32, scratch: usize): void {
  gemm<f32>(ta, tb, m, n, k, A, B, C, i0, i1, j1, j2, scratch);
}

function gemm<T>(ta: i32, tb: i32, m: i32, n: i32, k: i32, A: usize, B: usize, C: usize, i0: i32, i1: i32, j1: i32, j2: i32, scratch: usize): void {
  const sz = <usize>sizeof<T>();
  const NR = ROW / <i32>sz; // columns of a register block
  const KC = sz == 8 ? KC64 : KC32, NC = sz == 8 ? NC64 : NC32;
  const ai = ta ? 1 : k, ap = ta ? m : 1;
  const bp = tb ? 1 : n, bj = tb ? k : 1;
  const Bp = scratch;
  const Ap = scratch + <usize>KC * <usize>NC * sz;
  const tile = Ap + <usize>(MR * KC) * sz;
  const ldc = <usize>n * sz;
  for (let j0 = j1; j0 < j2; j0 += NC) {
    const nc = min(NC, j2 - j0);
    const panels = (nc + NR - 1) / NR;
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = min(KC, k - p0);
      packB<T>(B, bp, bj, j0, p0, nc, kc, panels, Bp);
      for (let i = i0; i < i1; i += MR) {
        const h = min(MR, i1 - i);
        packA<T>(A, ai, ap, i, p0, h, kc, Ap);
        for (let jb = 0; jb < panels; jb++) {
          const j = j0 + NR * jb;
          const c = C + (<usize>i * <usize>n + <usize>j) * sz;
          const panel = Bp + <usize>(jb * kc * ROW);
          const w = min(NR, j2 - j);
          if (h == MR && w == NR) block<T>(Ap, panel, kc, c, ldc);
          else {
            // ragged edge: work on a zeroed tile, then write back only what exists
            memory.fill(tile, 0, MR * ROW);
            for (let r = 0; r < h; r++) for (let q = 0; q < w; q++) store<T>(tile + <usize>(r * ROW) + <usize>q * sz, load<T>(c + <usize>r * ldc + <usize>q * sz));
            block<T>(Ap, panel, kc, tile, ROW);
            for (let r = 0; r < h; r++) for (let q = 0; q < w; q++) store<T>(c + <usize>r * ldc + <usize>q * sz, load<T>(tile + <usize>(r * ROW) + <usize>q * sz));
          }
        }
      }
    }
  }
}

/** Panel jb of Bp holds op(B)(p0 + p, j0 + NR·jb + q) at jb·kc·ROW + p·ROW + q·sz, zero beyond column nc. */
function packB<T>(B: usize, bp: i32, bj: i32, j0: i32, p0: i32, nc: i32, kc: i32, panels: i32, Bp: usize): void {
  const sz = <usize>sizeof<T>();
  const NR = ROW / <i32>sz;
  let c = 0;
  if (bj == 1) {
    // rows of op(B) are contiguous: copy NR columns (two v128) at a time
    const full = nc / NR;
    for (let p = 0; p < kc; p++) {
      const src = B + (<usize>(p0 + p) * <usize>bp + <usize>j0) * sz;
      let dst = Bp + <usize>(p * ROW);
      for (let jb = 0; jb < full; jb++) {
        v128.store(dst, v128.load(src + <usize>(jb * ROW)));
        v128.store(dst, v128.load(src + <usize>(jb * ROW), 16), 16);
        dst += <usize>(kc * ROW);
      }
    }
    c = full * NR; // the ragged columns left go one by one below
  }
  // columns one at a time (all of them when columns of op(B) are contiguous, tb); none read past nc
  for (; c < panels * NR; c++) {
    const src = B + (<usize>(j0 + c) * <usize>bj + <usize>p0 * <usize>bp) * sz;
    const step = <usize>bp * sz;
    const dst = Bp + <usize>((c / NR) * kc * ROW) + <usize>(c % NR) * sz;
    if (c < nc) for (let p = 0; p < kc; p++) store<T>(dst + <usize>(p * ROW), load<T>(src + <usize>p * step));
    else for (let p = 0; p < kc; p++) store<T>(dst + <usize>(p * ROW), <T>0);
  }
}

/** Ap holds op(A)(i + r, p0 + p) at (MR·p + r)·sz, zero for rows r ≥ h. */
function packA<T>(A: usize, ai: i32, ap: i32, i: i32, p0: i32, h: i32, kc: i32, Ap: usize): void {
  const sz = <usize>sizeof<T>();
  const row = <usize>MR * sz;
  if (ai == 1 && h == MR) {
    // op(A) is A transposed: the MR rows of one p are contiguous (two v128 of float64, one of float32)
    for (let p = 0; p < kc; p++) {
      const src = A + (<usize>(p0 + p) * <usize>ap + <usize>i) * sz;
      const dst = Ap + <usize>p * row;
      v128.store(dst, v128.load(src));
      if (sz == 8) v128.store(dst, v128.load(src, 16), 16);
    }
    return;
  }
  for (let r = 0; r < MR; r++) {
    const dst = Ap + <usize>r * sz;
    if (r < h) {
      const src = A + (<usize>(i + r) * <usize>ai + <usize>p0 * <usize>ap) * sz;
      for (let p = 0; p < kc; p++) store<T>(dst + <usize>p * row, load<T>(src + <usize>(p * ap) * sz));
    } else for (let p = 0; p < kc; p++) store<T>(dst + <usize>p * row, <T>0);
  }
}

/** a·b + c per lane: one relaxed_madd in the FMA module, else a rounded multiply and a rounded add. */
// @ts-ignore: decorator
@inline
function madd64(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(a, b, c);
  return f64x2.add(c, f64x2.mul(a, b));
}

/** madd64 for f32x4. */
// @ts-ignore: decorator
@inline
function madd32(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// @ts-ignore: decorator
@inline
function block<T>(a: usize, b: usize, kc: i32, c: usize, ldc: usize): void {
  if (sizeof<T>() == 8) block64(a, b, kc, c, ldc);
  else block32(a, b, kc, c, ldc);
}

/** The 4×4 float64 block of C at c (row stride ldc bytes) += Ap panel · Bp panel over kc steps, in registers. */
// @ts-ignore: decorator
@inline
function block64(a: usize, b: usize, kc: i32, c: usize, ldc: usize): void {
  const r1 = c + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
  let c00 = v128.load(c), c01 = v128.load(c, 16);
  let c10 = v128.load(r1), c11 = v128.load(r1, 16);
  let c20 = v128.load(r2), c21 = v128.load(r2, 16);
  let c30 = v128.load(r3), c31 = v128.load(r3, 16);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let x = v128.load64_splat(a);
    c00 = madd64(x, b0, c00); c01 = madd64(x, b1, c01);
    x = v128.load64_splat(a, 8);
    c10 = madd64(x, b0, c10); c11 = madd64(x, b1, c11);
    x = v128.load64_splat(a, 16);
    c20 = madd64(x, b0, c20); c21 = madd64(x, b1, c21);
    x = v128.load64_splat(a, 24);
    c30 = madd64(x, b0, c30); c31 = madd64(x, b1, c31);
    a += 32;
    b += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(r1, c10); v128.store(r1, c11, 16);
  v128.store(r2, c20); v128.store(r2, c21, 16);
  v128.store(r3, c30); v128.store(r3, c31, 16);
}

/** The 4×8 float32 block of C at c (row stride ldc bytes) += Ap panel · Bp panel over kc steps, in registers. */
// @ts-ignore: decorator
@inline
function block32(a: usize, b: usize, kc: i32, c: usize, ldc: usize): void {
  const r1 = c + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
  let c00 = v128.load(c), c01 = v128.load(c, 16);
  let c10 = v128.load(r1), c11 = v128.load(r1, 16);
  let c20 = v128.load(r2), c21 = v128.load(r2, 16);
  let c30 = v128.load(r3), c31 = v128.load(r3, 16);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let x = v128.load32_splat(a);
    c00 = madd32(x, b0, c00); c01 = madd32(x, b1, c01);
    x = v128.load32_splat(a, 4);
    c10 = madd32(x, b0, c10); c11 = madd32(x, b1, c11);
    x = v128.load32_splat(a, 8);
    c20 = madd32(x, b0, c20); c21 = madd32(x, b1, c21);
    x = v128.load32_splat(a, 12);
    c30 = madd32(x, b0, c30); c31 = madd32(x, b1, c31);
    a += 16;
    b += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(r1, c10); v128.store(r1, c11, 16);
  v128.store(r2, c20); v128.store(r2, c21, 16);
  v128.store(r3, c30); v128.store(r3, c31, 16);
}

// ---------------------------------------------------------------------------------------------
// Detection and peak.

/** Lane 0 of madd64(a, b, c): the runtime compares it with a·b + c fused and unfused to learn which relaxed_madd does here. */
export function probe64(a: f64, b: f64, c: f64): f64 {
  return f64x2.extract_lane(madd64(f64x2.splat(a), f64x2.splat(b), f64x2.splat(c)), 0);
}

/** probe64 for f32x4. */
export function probe32(a: f32, b: f32, c: f32): f32 {
  return f32x4.extract_lane(madd32(f32x4.splat(a), f32x4.splat(b), f32x4.splat(c)), 0);
}

/**
 * Independent multiply-add chains in peak64/peak32: each step of a chain waits for the previous
 * (4–6 cycles), so twelve in flight keep two vector units busy with registers to spare (16 xmm).
 */
export const PEAK_CHAINS: i32 = 12;

/** iters × PEAK_CHAINS f64x2 multiply-adds on registers only (s = s·m + d, which stays near d/(1 − m)); returns their sum so nothing is dropped. */
export function peak64(iters: i32): f64 {
  const m = f64x2.splat(1.0 - 1.0 / 1073741824.0), d = f64x2.splat(1.0 / 1099511627776.0);
  let s0 = f64x2.splat(0), s1 = f64x2.splat(1), s2 = f64x2.splat(2), s3 = f64x2.splat(3), s4 = f64x2.splat(4), s5 = f64x2.splat(5);
  let s6 = f64x2.splat(6), s7 = f64x2.splat(7), s8 = f64x2.splat(8), s9 = f64x2.splat(9), s10 = f64x2.splat(10), s11 = f64x2.splat(11);
  for (let i = 0; i < iters; i++) {
    s0 = madd64(s0, m, d); s1 = madd64(s1, m, d); s2 = madd64(s2, m, d); s3 = madd64(s3, m, d);
    s4 = madd64(s4, m, d); s5 = madd64(s5, m, d); s6 = madd64(s6, m, d); s7 = madd64(s7, m, d);
    s8 = madd64(s8, m, d); s9 = madd64(s9, m, d); s10 = madd64(s10, m, d); s11 = madd64(s11, m, d);
  }
  const s = f64x2.add(f64x2.add(f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3)), f64x2.add(f64x2.add(s4, s5), f64x2.add(s6, s7))), f64x2.add(f64x2.add(s8, s9), f64x2.add(s10, s11)));
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

/** peak64 on f32x4. */
export function peak32(iters: i32): f64 {
  const m = f32x4.splat(<f32>(1.0 - 1.0 / 1048576.0)), d = f32x4.splat(<f32>(1.0 / 1073741824.0));
  let s0 = f32x4.splat(0), s1 = f32x4.splat(1), s2 = f32x4.splat(2), s3 = f32x4.splat(3), s4 = f32x4.splat(4), s5 = f32x4.splat(5);
  let s6 = f32x4.splat(6), s7 = f32x4.splat(7), s8 = f32x4.splat(8), s9 = f32x4.splat(9), s10 = f32x4.splat(10), s11 = f32x4.splat(11);
  for (let i = 0; i < iters; i++) {
    s0 = madd32(s0, m, d); s1 = madd32(s1, m, d); s2 = madd32(s2, m, d); s3 = madd32(s3, m, d);
    s4 = madd32(s4, m, d); s5 = madd32(s5, m, d); s6 = madd32(s6, m, d); s7 = madd32(s7, m, d);
    s8 = madd32(s8, m, d); s9 = madd32(s9, m, d); s10 = madd32(s10, m, d); s11 = madd32(s11, m, d);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3)), f32x4.add(f32x4.add(s4, s5), f32x4.add(s6, s7))), f32x4.add(f32x4.add(s8, s9), f32x4.add(s10, s11)));
  return <f64>(f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3));
}

// ---------------------------------------------------------------------------------------------
// The SGD-with-momentum update (src/nn/optim.ts), one pass over a parameter: for each element,
// v = momentum·v + g + decay·w and w = w − lr·v, in float64 arithmetic whatever the storage (float32
// elements are widened exactly and the results rounded once when stored), with the operations and
// order of the JS kernel, so the bits are the JS kernel's. w and v are updated in place.

/** The update of n float64 elements at w, g, v (byte addresses). */
export function sgd64(w: usize, g: usize, v: usize, n: i32, lr: f64, momentum: f64, decay: f64): void {
  const M = f64x2.splat(momentum), D = f64x2.splat(decay), L = f64x2.splat(lr);
  const pairs = n >> 1;
  for (let i = 0; i < pairs; i++) {
    const o = <usize>i << 4;
    const wi = v128.load(w + o);
    const vi = f64x2.add(f64x2.add(f64x2.mul(M, v128.load(v + o)), v128.load(g + o)), f64x2.mul(D, wi));
    v128.store(v + o, vi);
    v128.store(w + o, f64x2.sub(wi, f64x2.mul(L, vi)));
  }
  for (let i = pairs << 1; i < n; i++) {
    const o = <usize>i << 3;
    const wi = load<f64>(w + o);
    const vi = momentum * load<f64>(v + o) + load<f64>(g + o) + decay * wi;
    store<f64>(v + o, vi);
    store<f64>(w + o, wi - lr * vi);
  }
}

/** The same on float32 elements: each four widened to two f64x2, updated, rounded back. */
export function sgd32(w: usize, g: usize, v: usize, n: i32, lr: f64, momentum: f64, decay: f64): void {
  const M = f64x2.splat(momentum), D = f64x2.splat(decay), L = f64x2.splat(lr);
  const quads = n >> 2;
  for (let i = 0; i < quads; i++) {
    const o = <usize>i << 4;
    const w4 = v128.load(w + o), g4 = v128.load(g + o), v4 = v128.load(v + o);
    const wl = f64x2.promote_low_f32x4(w4), wh = f64x2.promote_low_f32x4(v128.shuffle<f32>(w4, w4, 2, 3, 0, 1));
    const gl = f64x2.promote_low_f32x4(g4), gh = f64x2.promote_low_f32x4(v128.shuffle<f32>(g4, g4, 2, 3, 0, 1));
    const vl0 = f64x2.promote_low_f32x4(v4), vh0 = f64x2.promote_low_f32x4(v128.shuffle<f32>(v4, v4, 2, 3, 0, 1));
    const vl = f64x2.add(f64x2.add(f64x2.mul(M, vl0), gl), f64x2.mul(D, wl));
    const vh = f64x2.add(f64x2.add(f64x2.mul(M, vh0), gh), f64x2.mul(D, wh));
    v128.store(v + o, v128.shuffle<f32>(f32x4.demote_f64x2_zero(vl), f32x4.demote_f64x2_zero(vh), 0, 1, 4, 5));
    const nl = f64x2.sub(wl, f64x2.mul(L, vl)), nh = f64x2.sub(wh, f64x2.mul(L, vh));
    v128.store(w + o, v128.shuffle<f32>(f32x4.demote_f64x2_zero(nl), f32x4.demote_f64x2_zero(nh), 0, 1, 4, 5));
  }
  for (let i = quads << 2; i < n; i++) {
    const o = <usize>i << 2;
    const wi = <f64>load<f32>(w + o);
    const vi = momentum * <f64>load<f32>(v + o) + <f64>load<f32>(g + o) + decay * wi;
    store<f32>(v + o, <f32>vi);
    store<f32>(w + o, <f32>(wi - lr * vi));
  }
}

// ---------------------------------------------------------------------------------------------
// The max-norm projection (src/nn/optim.ts projectColumns) on a row-major [rows, cols] matrix: the
// squared norm of each column summed over the rows in order in float64 (float32 elements widened
// exactly), then each element multiplied by its column's scale (1 where the column is inside the
// ball) and rounded once when stored: the JS loop's operations in its order, so its bits.

/** s[j] += w[i, j]² for every row i in order, float64 w; s holds cols float64 sums. */
export function colsq64(w: usize, s: usize, rows: i32, cols: i32): void {
  const pairs = cols >> 1;
  for (let i = 0; i < rows; i++) {
    const r = w + (<usize>i * <usize>cols << 3);
    for (let j = 0; j < pairs; j++) {
      const o = <usize>j << 4;
      const x = v128.load(r + o);
      v128.store(s + o, f64x2.add(v128.load(s + o), f64x2.mul(x, x)));
    }
    for (let j = pairs << 1; j < cols; j++) {
      const x = load<f64>(r + (<usize>j << 3));
      store<f64>(s + (<usize>j << 3), load<f64>(s + (<usize>j << 3)) + x * x);
    }
  }
}

/** The same on float32 w (each element widened, its square exact in float64). */
export function colsq32(w: usize, s: usize, rows: i32, cols: i32): void {
  const quads = cols >> 2;
  for (let i = 0; i < rows; i++) {
    const r = w + (<usize>i * <usize>cols << 2);
    for (let j = 0; j < quads; j++) {
      const x4 = v128.load(r + (<usize>j << 4));
      const lo = f64x2.promote_low_f32x4(x4), hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(x4, x4, 2, 3, 0, 1));
      const o = s + (<usize>j << 5);
      v128.store(o, f64x2.add(v128.load(o), f64x2.mul(lo, lo)));
      v128.store(o + 16, f64x2.add(v128.load(o + 16), f64x2.mul(hi, hi)));
    }
    for (let j = quads << 2; j < cols; j++) {
      const x = <f64>load<f32>(r + (<usize>j << 2));
      store<f64>(s + (<usize>j << 3), load<f64>(s + (<usize>j << 3)) + x * x);
    }
  }
}

/** w[i, j] = w[i, j]·s[j] for float64 w (s: cols float64 scales). */
export function scalecols64(w: usize, s: usize, rows: i32, cols: i32): void {
  const pairs = cols >> 1;
  for (let i = 0; i < rows; i++) {
    const r = w + (<usize>i * <usize>cols << 3);
    for (let j = 0; j < pairs; j++) {
      const o = <usize>j << 4;
      v128.store(r + o, f64x2.mul(v128.load(r + o), v128.load(s + o)));
    }
    for (let j = pairs << 1; j < cols; j++) {
      const o = <usize>j << 3;
      store<f64>(r + o, load<f64>(r + o) * load<f64>(s + o));
    }
  }
}

/** The same on float32 w: each element widened, multiplied in float64, rounded back. */
export function scalecols32(w: usize, s: usize, rows: i32, cols: i32): void {
  const quads = cols >> 2;
  for (let i = 0; i < rows; i++) {
    const r = w + (<usize>i * <usize>cols << 2);
    for (let j = 0; j < quads; j++) {
      const p = r + (<usize>j << 4), o = s + (<usize>j << 5);
      const x4 = v128.load(p);
      const lo = f64x2.mul(f64x2.promote_low_f32x4(x4), v128.load(o));
      const hi = f64x2.mul(f64x2.promote_low_f32x4(v128.shuffle<f32>(x4, x4, 2, 3, 0, 1)), v128.load(o + 16));
      v128.store(p, v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5));
    }
    for (let j = quads << 2; j < cols; j++) {
      const p = r + (<usize>j << 2);
      store<f32>(p, <f32>(<f64>load<f32>(p) * load<f64>(s + (<usize>j << 3))));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Dropout's product with its multiplier (src/engine/dropout.ts): out = m = 0 ? +0 : x·m, element
// by element with no branch (the product, then an AND with the lanes where m ≠ 0), so a dropped
// element is +0 even where x is infinite or NaN; one rounded multiply, as the JS kernel.

/** n float64 elements at x, m, out (byte addresses). */
export function masked64(x: usize, m: usize, out: usize, n: i32): void {
  const pairs = n >> 1;
  const zero = f64x2.splat(0);
  for (let i = 0; i < pairs; i++) {
    const o = <usize>i << 4;
    const mi = v128.load(m + o);
    v128.store(out + o, v128.and(f64x2.mul(v128.load(x + o), mi), f64x2.ne(mi, zero)));
  }
  for (let i = pairs << 1; i < n; i++) {
    const o = <usize>i << 3;
    const mi = load<f64>(m + o);
    store<f64>(out + o, mi == 0 ? 0 : load<f64>(x + o) * mi);
  }
}

/** n float32 elements (the product of two float32 rounded once, as JS's float64 product stored to float32). */
export function masked32(x: usize, m: usize, out: usize, n: i32): void {
  const quads = n >> 2;
  const zero = f32x4.splat(0);
  for (let i = 0; i < quads; i++) {
    const o = <usize>i << 4;
    const mi = v128.load(m + o);
    v128.store(out + o, v128.and(f32x4.mul(v128.load(x + o), mi), f32x4.ne(mi, zero)));
  }
  for (let i = quads << 2; i < n; i++) {
    const o = <usize>i << 2;
    const mi = load<f32>(m + o);
    store<f32>(out + o, mi == 0 ? 0 : load<f32>(x + o) * mi);
  }
}

// ---------------------------------------------------------------------------------------------
// Bernoulli draws (src/engine/random.ts bernoulliValues): seedrandom's Alea recurrence, two steps a
// value, run exactly in 64-bit integers. Alea's state words are multiples of 2^-32 in [0, 1) and its
// carry an integer below 2091640, so t = 2091639·s + c·2^-32 is (2091639·S + c)/2^32 with S = s·2^32,
// an integer below 2^53: the float64 recurrence is exact, and the carry (trunc t) and the new word
// (t − trunc t) are that integer's high and low 32 bits. The value is hi + trunc(lo·2^21)·2^-53,
// as in JS, then compared with keep. The integer form has a two-instruction dependency chain per
// step where the float64 one waits on a multiply, an add and a rounding. Signed i64 (every value is
// below 2^53, so nonnegative): converting a signed integer to float64 is one instruction.

/** n draws at out in T (f64 or f32; a float32 `one` is rounded once, as a float64 one stored into a Float32Array): one where the value is below keep, else 0. */
@inline function bernoulli<T>(c: f64, s0: f64, s1: f64, s2: f64, keep: f64, one: f64, out: usize, n: i32): void {
  const kept = <T>one;
  let C = <i64>c, S0 = <i64>(s0 * 4294967296.0), S1 = <i64>(s1 * 4294967296.0), S2 = <i64>(s2 * 4294967296.0);
  for (let i = 0; i < n; i++) {
    let x = 2091639 * S0 + C;
    C = x >> 32;
    const hi = x & 0xffffffff;
    x = 2091639 * S1 + C;
    C = x >> 32;
    const lo = x & 0xffffffff;
    S0 = S2;
    S1 = hi;
    S2 = lo;
    const u = <f64>hi * 2.3283064365386963e-10 + <f64>(lo >> 11) * 1.1102230246251565e-16;
    store<T>(out + (<usize>i << alignof<T>()), u < keep ? kept : <T>0);
  }
}

export function bernoulli64(c: f64, s0: f64, s1: f64, s2: f64, keep: f64, one: f64, out: usize, n: i32): void {
  bernoulli<f64>(c, s0, s1, s2, keep, one, out, n);
}

export function bernoulli32(c: f64, s0: f64, s1: f64, s2: f64, keep: f64, one: f64, out: usize, n: i32): void {
  bernoulli<f32>(c, s0, s1, s2, keep, one, out, n);
}
