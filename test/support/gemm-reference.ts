// References the gemm kernels are checked against: the naive triple loop (each element 0 + Σ_p a·b in
// increasing p, each step rounded as the kernels round it), and exact multiply-adds that share no
// code with src/engine/fma.ts: a·b + c summed exactly as a BigInt times a power of two, then rounded
// once, float64 by the engine's own decimal parser (correctly rounded) and float32 by roundBinary.
import { fma32, fma64 } from '../../src/engine/fma.ts';
import { gemm, gemmJS } from '../../src/engine/kernels.ts';
import { fusedArithmetic } from '../../src/engine/wasm/runtime.ts';
import { binary } from './exact-double.ts';

type Floats = Float64Array | Float32Array;
/** One step of a sum: c + a·b, rounded as the kernel in question rounds it. */
export type Step = (c: number, a: number, b: number) => number;

/** The step the kernels take now (or with `fused` as given), for the dtype of `like`. */
export function stepOf(like: Floats, fused = fusedArithmetic()): Step {
  if (like instanceof Float32Array)
    return fused ? (c, a, b) => fma32(a, b, c) : (c, a, b) => Math.fround(c + Math.fround(a * b));
  return fused ? (c, a, b) => fma64(a, b, c) : (c, a, b) => c + a * b;
}

/** The naive triple loop: C (A's dtype) with each element 0 + Σ_p a·b in increasing p, each step by `step`. */
export function naiveGemm<T extends Floats>(
  ta: boolean,
  tb: boolean,
  m: number,
  n: number,
  k: number,
  A: T,
  B: T,
  step: Step = stepOf(A),
): T {
  const C = (A instanceof Float32Array ? new Float32Array(m * n) : new Float64Array(m * n)) as T;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s = step(s, ta ? A[p * m + i] : A[i * k + p], tb ? B[j * k + p] : B[p * n + j]);
      C[i * n + j] = s;
    }
  return C;
}

/** a·b + c exactly, as n·2^e (n a BigInt), for finite a, b, c. */
export function exactSum(a: number, b: number, c: number): { n: bigint; e: number } {
  const x = binary(a),
    y = binary(b),
    z = binary(c);
  const e = Math.min(x.e + y.e, z.e);
  return { n: ((x.m * y.m) << BigInt(x.e + y.e - e)) + (z.m << BigInt(z.e - e)), e };
}

/**
 * The special cases of IEEE fusedMultiplyAdd (round to nearest): NaN, infinities, and the sign of an
 * exact zero; undefined when a, b, c are finite and a·b + c is not exactly zero.
 */
function special(a: number, b: number, c: number): number | undefined {
  if (Number.isNaN(a) || Number.isNaN(b) || Number.isNaN(c)) return NaN;
  const negative = (x: number) => x < 0 || Object.is(x, -0);
  const productSign = negative(a) !== negative(b) ? -1 : 1;
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    if (a === 0 || b === 0) return NaN; // ∞·0
    return !Number.isFinite(c) && Math.sign(c) !== productSign ? NaN : productSign * Infinity; // ∞ − ∞ is NaN
  }
  if (!Number.isFinite(c)) return c;
  if (exactSum(a, b, c).n !== 0n) return undefined;
  // an exact zero: −0 only when both terms are −0 (a zero product has the sign of a·b)
  return (a === 0 || b === 0) && productSign < 0 && Object.is(c, -0) ? -0 : 0;
}

/** fma for doubles, exactly: the exact sum written in decimal and read back by Number(), which rounds it once to nearest (ties to even). */
export function exactFma64(a: number, b: number, c: number): number {
  const s = special(a, b, c);
  if (s !== undefined) return s;
  const { n, e } = exactSum(a, b, c);
  return Number(e >= 0 ? (n << BigInt(e)).toString() : `${n * 5n ** BigInt(-e)}e${e}`); // n·2^e = n·5^-e·10^e
}

/** fma for float32 values, exactly: the exact sum rounded once to 24 bits by roundBinary. */
export function exactFma32(a: number, b: number, c: number): number {
  const s = special(a, b, c);
  if (s !== undefined) return Math.fround(s);
  const { n, e } = exactSum(a, b, c);
  return roundBinary(n, e, 24, -149, 128);
}

/**
 * n·2^e (n ≠ 0) rounded to nearest, ties to even, in a binary format with `precision` significant
 * bits, smallest quantum 2^quantumMin (subnormals) and overflow at 2^expMax: float64 is (53, −1074,
 * 1024), float32 (24, −149, 128). A value that rounds to 2^expMax or beyond is ±∞.
 */
export function roundBinary(n: bigint, e: number, precision: number, quantumMin: number, expMax: number): number {
  const sign = n < 0n ? -1 : 1;
  let mag = n < 0n ? -n : n;
  const drop = Math.max(mag.toString(2).length - precision, quantumMin - e);
  if (drop > 0) {
    const q = mag >> BigInt(drop),
      rest = mag & ((1n << BigInt(drop)) - 1n),
      half = 1n << BigInt(drop - 1);
    mag = rest > half || (rest === half && (q & 1n) === 1n) ? q + 1n : q;
    e += drop;
  }
  if (mag === 0n) return sign * 0;
  if (mag.toString(2).length + e > expMax) return sign * Infinity;
  // exact: mag has at most `precision` ≤ 53 bits and 2^e is a double (e ≥ −1074)
  return sign * Number(mag) * 2 ** e;
}

/** Values with a few exact zeros, −0, infinities, NaN, near-overflow and subnormal values mixed in, from a seed, in the array type T. */
export function gemmValues<T extends Floats>(
  T: { from(a: ArrayLike<number>): T },
  len: number,
  seed: number,
  special: boolean,
): T {
  const out = T.from(Array.from({ length: len }, (_, i) => Math.sin(seed + i * 1.37) * 3));
  const f32 = out instanceof Float32Array;
  if (special)
    for (let i = seed & 7; i < len; i += 97)
      out[i] = [0, -0, Infinity, -Infinity, NaN, f32 ? 3e38 : 1e308, f32 ? -1e-40 : -1e-310][i % 7];
  return out;
}

/** The product C = 0.5 + op(A)·op(B) at offset 3 (gemm accumulates: a nonzero start checks that too) by the JS reference and by gemm. */
export function gemmBoth<T extends Floats>(
  ta: boolean,
  tb: boolean,
  m: number,
  n: number,
  k: number,
  A: T,
  aOff: number,
  B: T,
  bOff: number,
): { ref: T; fast: T } {
  const ref = (A instanceof Float32Array ? new Float32Array(m * n + 3) : new Float64Array(m * n + 3)).fill(0.5) as T;
  const fast = ref.slice() as T;
  gemmJS(ta, tb, m, n, k, A, aOff, B, bOff, ref, 3);
  gemm(ta, tb, m, n, k, A, aOff, B, bOff, fast, 3);
  return { ref, fast };
}
