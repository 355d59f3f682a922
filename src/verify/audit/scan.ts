// The audit's passes over elements: plain loops over typed arrays, one function per kind of pass, no
// callback per element. The battery decides what to compare; these say where an answer first differs,
// count, and tally. Kept apart from the battery so each is tested on its own, element by element.

/** x·(1/keep) and x/keep differ by at most ~3 units in the last place: `close` allows 4. */
export const ULP4 = 2 ** -51;
/**
 * The float32 counterpart: a float32 implementation rounds keep, its multiplier and the product
 * (fround(fround(x)·fround(1/fround(keep)))), ~3 float32 roundings of 2^-24 each: `close32` allows
 * 4·2^-23 relative, 4 to 8 float32 ulps, still 2^14 times finer than a bfloat16 multiplier's error.
 */
export const ULP32_4 = 2 ** -21;

/**
 * How an element must match: 'equal' `===` (0 = −0, NaN never); 'same' `===` or both NaN;
 * 'bits' Object.is (−0 ≠ 0, NaN = NaN); 'close' as 'same' or within 4 ulp of a finite want;
 * 'close32' as 'same' or within 4·2^-23 relative (float32 arithmetic).
 */
export type Match = 'equal' | 'same' | 'bits' | 'close' | 'close32';
const MATCHES: readonly string[] = ['equal', 'same', 'bits', 'close', 'close32'];

export function matches(got: number, want: number, match: Match): boolean {
  if (match === 'bits') return Object.is(got, want);
  if (got === want) return true;
  if (match === 'equal') return false;
  if (Number.isNaN(got) && Number.isNaN(want)) return true;
  if (!Number.isFinite(want)) return false;
  if (match === 'close') return Math.abs(got - want) <= ULP4 * Math.abs(want);
  return match === 'close32' && Math.abs(got - want) <= ULP32_4 * Math.abs(want);
}

/** Index of the first element of `got` that does not match `want` (elements with skip[i] = 1 aside), or −1. */
export function firstMismatch(got: Float64Array, want: Float64Array, match: Match, skip?: Uint8Array): number {
  // checked once here, not per element in matches(), where an unknown kind would read as 'same'
  if (!MATCHES.includes(match))
    throw new RangeError(
      `firstMismatch: expected match to be one of ${MATCHES.join(', ')}, got ${JSON.stringify(match)}`,
    );
  for (let i = 0; i < got.length; i++) if (!(skip?.[i] === 1) && !matches(got[i], want[i], match)) return i;
  return -1;
}

/** x·s, element by element. */
export function scaled(x: Float64Array, s: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] * s;
  return out;
}

/** dy·s where the forward output y kept the element (y ≠ 0), 0 where it dropped it. */
export function masked(dy: Float64Array, s: number, y: Float64Array): Float64Array {
  const out = new Float64Array(dy.length);
  for (let i = 0; i < dy.length; i++) out[i] = y[i] === 0 ? 0 : dy[i] * s;
  return out;
}

/** x rounded to float32, element by element (what a float32 implementation computes with). */
export function toFloat32(x: Float64Array): Float64Array {
  return new Float64Array(new Float32Array(x));
}

/** x rounded to the nearest multiple of 2^-bits (so sums of a few such values are exact in float32). */
export function quantized(x: Float64Array, bits: number): Float64Array {
  const out = new Float64Array(x.length),
    q = 2 ** bits;
  for (let i = 0; i < x.length; i++) out[i] = Math.round(x[i] * q) / q;
  return out;
}

/** x + t·u, element by element (a point on the line through x along u). */
export function along(x: Float64Array, u: Float64Array, t: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] + t * u[i];
  return out;
}

/** Index of the first training output that is neither 0 nor x·s (to 4 ulp, or 'close32'), or −1. */
export function firstNeitherZeroNorScaled(
  y: Float64Array,
  x: Float64Array,
  s: number,
  match: 'close' | 'close32' = 'close',
): number {
  for (let i = 0; i < y.length; i++) if (y[i] !== 0 && !matches(y[i], x[i] * s, match)) return i;
  return -1;
}

/**
 * Both sides of ⟨vjp(dy), u⟩ = ⟨dy, (f(x + hu) − f(x − hu))/2h⟩, the sum of the terms' magnitudes, and
 * `rounding`: Σ|dy|·(|f(x + hu)| + |f(x − hu)|)/2h + Σ|vjp(dy)·u|, what one rounding of every output
 * (relative) can move the two sides apart by.
 */
export function directional(
  fPlus: Float64Array,
  fMinus: Float64Array,
  h: number,
  dy: Float64Array,
  g: Float64Array,
  u: Float64Array,
): { lhs: number; rhs: number; scale: number; rounding: number } {
  let lhs = 0,
    rhs = 0,
    scale = 0,
    rounding = 0;
  for (let i = 0; i < dy.length; i++) {
    const fd = (fPlus[i] - fMinus[i]) / (2 * h);
    lhs += dy[i] * fd;
    rhs += g[i] * u[i];
    scale += Math.abs(dy[i] * fd) + Math.abs(g[i] * u[i]);
    rounding += (Math.abs(dy[i]) * (Math.abs(fPlus[i]) + Math.abs(fMinus[i]))) / (2 * h) + Math.abs(g[i] * u[i]);
  }
  return { lhs, rhs, scale, rounding };
}

/** Elements exactly 0 (−0 included). */
export function countZeros(y: Float64Array): number {
  let n = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === 0) n++;
  return n;
}

/**
 * keep·Σ train_i/inference_i, summed with compensation (it equals the kept count for a correct
 * implementation), or the first index whose term is not finite.
 */
export function keptSum(train: Float64Array, inference: Float64Array, keep: number): { sum: number; broken: number } {
  let sum = 0,
    comp = 0;
  for (let i = 0; i < train.length; i++) {
    const term = (train[i] / inference[i]) * keep;
    if (!Number.isFinite(term)) return { sum: NaN, broken: i };
    const t = sum + term;
    comp += Math.abs(sum) >= Math.abs(term) ? sum - t + term : term - t + sum;
    sum = t;
  }
  return { sum: sum + comp, broken: -1 };
}

/** 1 where y is exactly 0 (dropped, as the audit's inputs are nonzero), else 0. */
export function zeroBits(y: Float64Array): Uint8Array {
  const d = new Uint8Array(y.length);
  for (let i = 0; i < y.length; i++) d[i] = y[i] === 0 ? 1 : 0;
  return d;
}

/** 1 where x > 0, and 1 where |x| ≥ 1. */
export function signAndSize(x: Float64Array): { positive: Uint8Array; large: Uint8Array } {
  const positive = new Uint8Array(x.length),
    large = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    positive[i] = x[i] > 0 ? 1 : 0;
    large[i] = Math.abs(x[i]) >= 1 ? 1 : 0;
  }
  return { positive, large };
}

/** Counts for a two-sample test: group sizes and events in each group. */
export interface Groups {
  nA: number;
  eA: number;
  nB: number;
  eB: number;
}

export const groups = (): Groups => ({ nA: 0, eA: 0, nB: 0, eB: 0 });

/** Adds the pairs (group[i], event[i + shift]) for i in [from, to): to A where group[i] is 1, else to B. */
export function tally(
  g: Groups,
  group: Uint8Array,
  event: Uint8Array,
  from: number,
  to: number,
  shift: number,
): Groups {
  for (let i = from; i < to; i++) {
    if (group[i]) {
      g.nA++;
      g.eA += event[i + shift];
    } else {
      g.nB++;
      g.eB += event[i + shift];
    }
  }
  return g;
}

/** Disjoint pairs (d[i], d[i + lag]): i runs over the first half of each whole block of 2·lag elements. */
export function lagPairs(d: Uint8Array, lag: number): Groups {
  const g = groups();
  for (let start = 0; start + 2 * lag <= d.length; start += 2 * lag) tally(g, d, d, start, start + lag, lag);
  return g;
}

/**
 * The first window of `width` bits (width ≥ 64) that repeats an earlier one: { at, earlier }, or
 * undefined. Windows are found by a 32-bit hash of their first 64 bits in an open-addressing table
 * and confirmed bit by bit.
 */
export function firstRepeat(d: Uint8Array, width: number): { at: number; earlier: number } | undefined {
  const n = d.length - width + 1;
  if (n < 2) return undefined;
  const size = 2 ** Math.ceil(Math.log2(2 * n + 2)),
    mask = size - 1;
  const keys = new Uint32Array(size),
    pos = new Int32Array(size).fill(-1);
  let w0 = 0,
    w1 = 0; // bits i..i+31 and i+32..i+63 of the window starting at i
  for (let i = 0; i < 32; i++) w0 = ((w0 << 1) | d[i]) >>> 0;
  for (let i = 32; i < 64; i++) w1 = ((w1 << 1) | d[i]) >>> 0;
  for (let i = 0; i < n; i++) {
    const h = (w0 ^ Math.imul(w1, 0x9e3779b1)) >>> 0;
    let slot = Math.imul(h, 0x85ebca6b) & mask;
    for (; pos[slot] >= 0; slot = (slot + 1) & mask) {
      if (keys[slot] === h && equalWindows(d, pos[slot], i, width)) return { at: i, earlier: pos[slot] };
    }
    keys[slot] = h;
    pos[slot] = i;
    w0 = ((w0 << 1) | d[i + 32]) >>> 0;
    w1 = ((w1 << 1) | d[i + 64]) >>> 0;
  }
  return undefined;
}

function equalWindows(d: Uint8Array, i: number, j: number, width: number): boolean {
  for (let k = 0; k < width; k++) if (d[i + k] !== d[j + k]) return false;
  return true;
}

/**
 * Audit inputs from uniforms u in [0, 1): the sign from the first bit (u < 1/2), the value v = 2u mod 1
 * from the rest; 'stat' ±(0.5 + v) (nonzero, so a zero output means dropped), 'grid' ±10^(6v − 3)
 * (magnitudes 1e-3…1e3), 'unit' 2u − 1.
 */
export function inputValues(u: Float64Array, kind: 'stat' | 'grid' | 'unit'): Float64Array {
  if (!['stat', 'grid', 'unit'].includes(kind))
    throw new RangeError(`inputValues: expected kind to be 'stat', 'grid' or 'unit', got ${JSON.stringify(kind)}`);
  const x = new Float64Array(u.length);
  for (let i = 0; i < u.length; i++) {
    const sign = u[i] < 0.5 ? -1 : 1,
      v = (2 * u[i]) % 1;
    x[i] = kind === 'stat' ? sign * (0.5 + v) : kind === 'grid' ? sign * 10 ** (6 * v - 3) : u[i] * 2 - 1;
  }
  return x;
}
