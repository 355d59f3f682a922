// Exact fused multiply-add in plain JS: a·b + c with one rounding, as IEEE 754 fusedMultiplyAdd
// (round to nearest, ties to even). JS has no Math.fma, and the JS reference kernels must give the
// bits the WebAssembly FMA kernel gives where relaxed_madd fuses (kernels.ts gemmJS), so the
// arithmetic is built from exact transformations of doubles:
//
// - TwoSum: s = x + y rounded and e = the exact error, x + y = s + e, for any finite x, y whose sum
//   does not overflow (subnormals included).
// - Round to odd: an inexact s whose last significand bit is even is moved one ulp toward e. The
//   result keeps a sticky bit, so rounding it once more to p bits equals rounding x + y once to p
//   bits whenever p ≤ 53 − 2 (Boldo & Melquiond, "Emulation of FMA and correctly rounded sums:
//   proved algorithms using rounding to odd", IEEE TC 2008).
//
// NaN payloads are not specified (V8 may canonicalise them); everything else is bit-exact, −0 included.

// The double's bits as two 32-bit words: LO holds the last significand bit (word 0 on little-endian machines).
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LO = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1 ? 0 : 1,
  HI = 1 - LO;

/**
 * x + y rounded to odd: the rounded sum when it is exact, else the neighbour of the exact sum whose
 * last significand bit is 1. For finite x, y whose sum does not overflow.
 */
export function addOdd(x: number, y: number): number {
  const s = x + y;
  const z = s - x;
  const e = x - (s - z) + (y - z); // TwoSum: x + y = s + e exactly
  if (!(e > 0 || e < 0)) return s; // exact (or not finite: nothing to keep)
  f64[0] = s;
  if (u32[LO] & 1) return s; // already odd
  // s is even and inexact (so nonzero): its odd neighbour on the side of the exact sum
  if (e > 0 === s > 0)
    u32[LO] += 1; // away from zero; an even word has room for the 1
  else if (u32[LO] !== 0)
    u32[LO] -= 1; // toward zero
  else ((u32[LO] = 0xffffffff), (u32[HI] -= 1)); // toward zero across a word: borrow
  return f64[0];
}

/**
 * fma for float32 values: Math.fround of the exact a·b + c. Exact for every input that is a float32
 * value (doubles holding them; any other input is the caller's mistake): the product of two floats
 * has at most 48 significant bits and an exponent within a double's normal range, so a·b is exact
 * in double (48 ≤ 53); p + c rounded to odd in 53 bits, then once to 24 (subnormal and overflowing
 * results included, since those round at fewer bits) is the single rounding, because 53 ≥ 24 + 2. With
 * an infinite or NaN input, a·b + c in double gives the same ±∞ or NaN as IEEE fma.
 */
export function fma32(a: number, b: number, c: number): number {
  return Math.fround(addOdd(a * b, c));
}

/** From here up the fast path of fma64 loses nothing to underflow (a power of two: the comparison is exact). */
const PRODUCT_MIN = 2 ** -900;

/**
 * fma for doubles: a·b + c rounded once. Exact for all inputs.
 *
 * Fast path: Dekker's TwoProduct gives a·b = ph + pl exactly (Veltkamp's split into 26-bit halves),
 * TwoSum gives c + ph = uh + ul exactly, and a·b + c = uh + ul + pl is rounded once as
 * uh + RO(ul + pl) (Boldo & Melquiond). That is proved for finite a, b, c when nothing overflows
 * (no intermediate is ±∞: the split overflows from |x| ≈ 2^996, the sums near 2^1024) and nothing
 * underflows, which |a·b| ≥ 2^-900 ensures: then ph, pl, ul are 0 or normal, and so is the result,
 * since a·b and c (which must be near −a·b for a tiny result) are multiples of 2^-1006, and so is
 * their sum. The checks come after the arithmetic, where they are cheap: an overflow anywhere
 * leaves the result ±∞ or NaN (nothing turns ∞ back into a finite value), so a finite result and
 * |ph| ≥ 2^-900 mean the domain held. A zero there is an exact cancellation of nonzero terms: +0, as IEEE.
 *
 * Everything else (zeros, infinities, NaN, overflow, products under 2^-900 and so subnormal results)
 * goes to fmaSlow, which is exact too but far slower: it works on BigInt significands.
 */
export function fma64(a: number, b: number, c: number): number {
  const ph = a * b;
  // Veltkamp split: x = xh + xl with 26-bit halves, so every partial product is exact
  let t = 134217729 * a; // 2^27 + 1
  const ah = t - (t - a),
    al = a - ah;
  t = 134217729 * b;
  const bh = t - (t - b),
    bl = b - bh;
  const pl = ah * bh - ph + ah * bl + al * bh + al * bl; // a·b = ph + pl exactly (Dekker)
  const uh = c + ph;
  const z = uh - c;
  const ul = c - (uh - z) + (ph - z); // c + ph = uh + ul exactly (TwoSum)
  const r = uh + addOdd(ul, pl);
  if (r - r === 0 && Math.abs(ph) >= PRODUCT_MIN) return r;
  return fmaSlow(a, b, c);
}

/** fma64 outside its fast path: the special cases by IEEE's rules, else the exact sum as a BigInt, rounded once. */
export function fmaSlow(a: number, b: number, c: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a * b + c; // the product is exactly ±∞ or NaN
  if (!Number.isFinite(c)) return c; // a finite product plus ±∞ (a·b in double could overflow the other way: ∞ − ∞)
  if (a === 0 || b === 0) return a * b + c; // an exact (signed) zero product: the sum rounds once
  if (c === 0) return a * b; // one rounding of the product; one that underflows keeps its sign
  const x = significand(a),
    y = significand(b),
    z = significand(c);
  const e = Math.min(x.e + y.e, z.e);
  const n = ((x.m * y.m) << BigInt(x.e + y.e - e)) + (z.m << BigInt(z.e - e));
  return n === 0n ? 0 : roundDouble(n, e); // exact cancellation of nonzero terms is +0
}

/** A finite nonzero double as m·2^e exactly: m a signed BigInt integer. */
function significand(x: number): { m: bigint; e: number } {
  f64[0] = x;
  const hi = u32[HI],
    exp = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(u32[LO]);
  const m = exp === 0 ? frac : frac | (1n << 52n); // subnormals have no hidden bit
  return { m: hi >>> 31 ? -m : m, e: (exp === 0 ? 1 : exp) - 1075 };
}

/** The double nearest n·2^e (ties to even), n a nonzero BigInt: 53 significant bits, or fewer where the result is subnormal. */
function roundDouble(n: bigint, e: number): number {
  const neg = n < 0n,
    mag = neg ? -n : n;
  const bits = mag.toString(2).length;
  // drop bits beyond 53, and beyond 2^-1074 (the last bit of a subnormal)
  const shift = Math.max(bits - 53, -1074 - e);
  let q = mag;
  if (shift > 0) {
    q = mag >> BigInt(shift);
    const rest = mag - (q << BigInt(shift)),
      half = 1n << BigInt(shift - 1);
    if (rest > half || (rest === half && q & 1n)) q += 1n;
  }
  // q < 2^54 is exact as a double, and q·2^(e + shift) is a power-of-two scaling that rounds only by overflowing to ∞
  const exp = e + Math.max(shift, 0);
  const v = Number(q) * 2 ** exp;
  return neg ? -v : v;
}
