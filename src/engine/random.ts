// Explicit random keys, JAX-style, on top of seedrandom's Alea generator. A key is an immutable
// 64-bit value; every draw is a pure function of its key, so the same key gives the same numbers
// on any machine. New keys come from `split` and `foldIn`, never from hidden global state.
import seedrandom from 'seedrandom';
import { type CreateOptions, type DType, type Storage, Tensor, dtypeOption } from './tensor.ts';
import { wasmBernoulli } from './wasm/runtime.ts';
import { type Shape, checkShape, describeValue, sizeOf } from './shape.ts';

export class Key {
  /** @internal Use `key(seed)`, `split` or `foldIn`. */
  constructor(
    readonly hi: number,
    readonly lo: number,
  ) {
    Object.freeze(this);
  }
  /** The key as 16 hex digits (its two 32-bit words), e.g. `Key(000000000000002a)`. */
  toString(): string {
    return `Key(${this.hi.toString(16).padStart(8, '0')}${this.lo.toString(16).padStart(8, '0')})`;
  }
}

/** True when v is a random Key from `key`, `split` or `foldIn` (a type guard; never throws). */
export const isKey = (v: unknown): v is Key => v instanceof Key;

export function checkKey(k: unknown, op: string, arg = 'key'): Key {
  if (!(k instanceof Key))
    throw new TypeError(
      `${op}: expected ${arg} to be a Key (from key(seed), split or foldIn), got ${describeValue(k)}`,
    );
  return k;
}

/**
 * A random key from an integer seed (JAX's `random.key`). Every random draw in dropcheck takes a key;
 * the same key gives the same draws on every machine.
 *
 * @param seed - a non-negative safe integer (0 … 2^53 − 1).
 * @returns a Key, to pass to draws or to derive more keys with {@link split} and {@link foldIn}.
 * @throws RangeError when seed is not a non-negative safe integer.
 * @example
 * const k = key(0);
 * const [k1, k2] = split(k);
 */
export function key(seed: number): Key {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`key: expected the seed to be a non-negative safe integer, got ${describeValue(seed)}`);
  }
  return new Key(Math.floor(seed / 2 ** 32) >>> 0, seed >>> 0);
}

/** A generator seeded by the key and a purpose tag, so different uses of one key never share a stream. */
function stream(k: Key, tag: string) {
  return seedrandom.alea(`${k.hi}:${k.lo}:${tag}`);
}

/**
 * `n` new keys derived from `k`, independent of each other and of `k`'s own draws. Use it to hand
 * separate randomness to separate consumers (layers, steps, workers); never reuse a key for two draws.
 *
 * @param k - the key to split.
 * @param n - how many keys (0 … 2^16); default 2. For more, or for keys indexed by a number, use {@link foldIn}.
 * @returns an array of `n` keys; the same `k` and `n` give the same keys.
 * @throws TypeError when `k` is not a Key; RangeError when `n` is not an integer in [0, 2^16].
 * @example
 * const [initKey, dropKey] = split(key(42));
 */
export function split(k: Key, n = 2): Key[] {
  checkKey(k, 'split');
  // a key is an object (2^24 of them take a GiB): past 2^16, refused before allocating; foldIn(k, i) gives any number
  if (!Number.isSafeInteger(n) || n < 0 || n > 2 ** 16)
    throw new RangeError(
      `split: expected n to be an integer in [0, 2^16] (use foldIn(key, i) for more keys), got ${describeValue(n)}`,
    );
  const r = stream(k, 'split');
  return Array.from({ length: n }, () => new Key(r.int32() >>> 0, r.int32() >>> 0));
}

/**
 * A key derived from `k` and an integer: a step, a layer index, a shard. Different integers give
 * independent keys, so a loop can index its randomness without splitting ahead of time.
 *
 * @param k - the key to derive from.
 * @param data - any safe integer.
 * @returns a key; the same `k` and `data` give the same key.
 * @throws TypeError when `k` is not a Key; RangeError when `data` is not a safe integer.
 * @example
 * for (let step = 0; step < steps; step++) train(foldIn(runKey, step));
 */
export function foldIn(k: Key, data: number): Key {
  checkKey(k, 'foldIn');
  if (!Number.isSafeInteger(data))
    throw new RangeError(`foldIn: expected data to be a safe integer, got ${describeValue(data)}`);
  const r = stream(k, `fold:${data}`);
  return new Key(r.int32() >>> 0, r.int32() >>> 0);
}

/**
 * The first out.length values of stream(k, tag).double(), written into out: the same recurrence as
 * seedrandom's Alea, run on local variables (no call per value), so the same numbers bit for bit.
 */
function fillDoubles(k: Key, tag: string, out: Float64Array): void {
  const st = aleaState(k, tag);
  aleaDoubles(st.c, st.s0, st.s1, st.s2, out);
}

/** The state of stream(k, tag) before its first value. */
const aleaState = (k: Key, tag: string) =>
  (
    seedrandom.alea(`${k.hi}:${k.lo}:${tag}`, { state: true }) as unknown as {
      state(): { c: number; s0: number; s1: number; s2: number };
    }
  ).state();

// The recurrence on plain float64 locals, two steps per value (53 bits) with the state rotated once,
// and Math.trunc for |0 (t ≥ 0 and below 2^31, so they agree): V8 keeps this loop free of
// int/double conversions, twice as fast as the step-by-step form, with the same bits.
function aleaDoubles(c0: number, a0: number, a1: number, a2: number, out: Float64Array): void {
  let c = +c0,
    s0 = +a0,
    s1 = +a1,
    s2 = +a2;
  for (let i = 0, n = out.length; i < n; i++) {
    let t = 2091639 * s0 + c * 2.3283064365386963e-10; // 2^-32
    c = Math.trunc(t);
    const hi = t - c;
    t = 2091639 * s1 + c * 2.3283064365386963e-10;
    c = Math.trunc(t);
    const lo = t - c;
    s0 = s2;
    s1 = hi;
    s2 = lo;
    out[i] = hi + Math.trunc(lo * 0x200000) * 1.1102230246251565e-16; // 2^-53
  }
}

/**
 * @internal Bernoulli(keep) draws of bernoulli(k, keep, [n]) as `one` (kept) or 0, in the given
 * dtype (float32: `one` rounded once): dropout's multiplier without a second pass. Long streams run
 * in WebAssembly (the same numbers, computed in exact integer arithmetic), short ones here.
 */
export function bernoulliValues(k: Key, keep: number, n: number, one: number, dtype: DType): Storage {
  const out = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  const st = aleaState(k, 'bernoulli');
  if (wasmBernoulli(st, keep, one, out)) return out;
  const u = dtype === 'float32' ? new Float64Array(n) : (out as Float64Array);
  aleaDoubles(st.c, st.s0, st.s1, st.s2, u);
  // u ∈ [0, 1), so u < keep is never true at keep 0 and always true at keep 1
  for (let i = 0; i < n; i++) out[i] = u[i] < keep ? one : 0;
  return out;
}

function sized(shape: Shape, op: string) {
  const s = checkShape(shape, op);
  return { s: [...s], n: sizeOf(s) };
}

/** The draws as a tensor of the requested dtype (float32: each draw rounded to the nearest float32). */
function drawn(values: Float64Array, shape: number[], options: CreateOptions | undefined, op: string): Tensor {
  return new Tensor(dtypeOption(options, op) === 'float32' ? new Float32Array(values) : values, shape);
}

/**
 * Uniform draws in [low, high), 53 random bits each. With `{ dtype: 'float32' }` each draw is rounded
 * to float32, and one that rounds up to `high` is drawn again, so the interval stays half-open.
 */
export function uniform(k: Key, shape: Shape, low = 0, high = 1, options?: CreateOptions): Tensor {
  checkKey(k, 'uniform');
  const { s, n } = sized(shape, 'uniform');
  if (!(Number.isFinite(low) && Number.isFinite(high) && low <= high && Number.isFinite(high - low))) {
    throw new RangeError(
      `uniform: expected finite low ≤ high with a finite width high − low, got low ${describeValue(low)}, high ${describeValue(high)}`,
    );
  }
  const f32 = dtypeOption(options, 'uniform') === 'float32';
  const round = f32 ? Math.fround : (v: number) => v;
  const top = round(high),
    bottom = round(low);
  const r = stream(k, 'uniform');
  const out = f32 ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = round(low + (high - low) * r.double());
    while (v >= top && top > bottom) v = round(low + (high - low) * r.double()); // rounding can reach high; draw again
    out[i] = v;
  }
  return new Tensor(out, s);
}

/** Normal draws N(mean, std²) by the Box–Muller transform; `{ dtype: 'float32' }` rounds each draw. */
export function normal(k: Key, shape: Shape, mean = 0, std = 1, options?: CreateOptions): Tensor {
  checkKey(k, 'normal');
  const { s, n } = sized(shape, 'normal');
  if (!(Number.isFinite(mean) && Number.isFinite(std) && std >= 0))
    throw new RangeError(
      `normal: expected a finite mean and std ≥ 0, got mean ${describeValue(mean)}, std ${describeValue(std)}`,
    );
  const u = new Float64Array(n + (n & 1));
  fillDoubles(k, 'normal', u);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const u1 = 1 - u[i]; // (0, 1]: log stays finite
    const u2 = u[i + 1];
    const rad = Math.sqrt(-2 * Math.log(u1));
    out[i] = mean + std * rad * Math.cos(2 * Math.PI * u2);
    if (i + 1 < n) out[i + 1] = mean + std * rad * Math.sin(2 * Math.PI * u2);
  }
  return drawn(out, s, options, 'normal');
}

/** Independent Bernoulli(keep) draws as 0/1: 1 with probability keep. keep 0 gives all 0, keep 1 all 1. */
export function bernoulli(k: Key, keep: number, shape: Shape, options?: CreateOptions): Tensor {
  checkKey(k, 'bernoulli');
  if (typeof keep !== 'number' || !(keep >= 0 && keep <= 1))
    throw new RangeError(`bernoulli: expected keep, the probability of a 1, in [0, 1], got ${describeValue(keep)}`);
  const { s, n } = sized(shape, 'bernoulli');
  return new Tensor(bernoulliValues(k, keep, n, 1, dtypeOption(options, 'bernoulli')), s);
}
