// Explicit random keys, JAX-style, on top of seedrandom's Alea generator. A key is an immutable
// 64-bit value; every draw is a pure function of its key, so the same key gives the same numbers
// on any machine. New keys come from `split` and `foldIn`, never from hidden global state.
import seedrandom from 'seedrandom';
import { Tensor } from './tensor.ts';
import { type Shape, checkShape, describe, sizeOf } from './shape.ts';

export class Key {
  /** @internal Use `key(seed)`, `split` or `foldIn`. */
  constructor(
    readonly hi: number,
    readonly lo: number,
  ) {
    Object.freeze(this);
  }
  toString(): string {
    return `Key(${this.hi.toString(16).padStart(8, '0')}${this.lo.toString(16).padStart(8, '0')})`;
  }
}

export const isKey = (v: unknown): v is Key => v instanceof Key;

export function checkKey(k: unknown, op: string, arg = 'key'): Key {
  if (!(k instanceof Key)) throw new TypeError(`${op}: expected ${arg} to be a Key (from key(seed), split or foldIn), got ${describe(k)}`);
  return k;
}

/** A key from a non-negative integer seed (up to 2^53 − 1). */
export function key(seed: number): Key {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`key: expected the seed to be a non-negative safe integer, got ${describe(seed)}`);
  }
  return new Key(Math.floor(seed / 2 ** 32) >>> 0, seed >>> 0);
}

/** A generator seeded by the key and a purpose tag, so different uses of one key never share a stream. */
function stream(k: Key, tag: string) {
  return seedrandom.alea(`${k.hi}:${k.lo}:${tag}`);
}

/** n independent keys derived from k. */
export function split(k: Key, n = 2): Key[] {
  checkKey(k, 'split');
  // a key is an object: 2^24 of them already take hundreds of MiB, so larger counts are refused before allocating
  if (!Number.isSafeInteger(n) || n < 0 || n > 2 ** 24) throw new RangeError(`split: expected n to be an integer in [0, 2^24], got ${describe(n)}`);
  const r = stream(k, 'split');
  return Array.from({ length: n }, () => new Key(r.int32() >>> 0, r.int32() >>> 0));
}

/** A key derived from k and an integer (a step, a layer index, a shard). */
export function foldIn(k: Key, data: number): Key {
  checkKey(k, 'foldIn');
  if (!Number.isSafeInteger(data)) throw new RangeError(`foldIn: expected data to be a safe integer, got ${describe(data)}`);
  const r = stream(k, `fold:${data}`);
  return new Key(r.int32() >>> 0, r.int32() >>> 0);
}

function sized(shape: Shape, op: string) {
  const s = checkShape(shape, op);
  return { s: [...s], n: sizeOf(s) };
}

/** Uniform draws in [low, high), 53 random bits each. */
export function uniform(k: Key, shape: Shape, low = 0, high = 1): Tensor {
  checkKey(k, 'uniform');
  const { s, n } = sized(shape, 'uniform');
  if (!(Number.isFinite(low) && Number.isFinite(high) && low <= high && Number.isFinite(high - low))) {
    throw new RangeError(`uniform: expected finite low ≤ high with a finite width high − low, got low ${describe(low)}, high ${describe(high)}`);
  }
  const r = stream(k, 'uniform');
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = low + (high - low) * r.double();
    while (v >= high && high > low) v = low + (high - low) * r.double(); // rounding can reach high; draw again
    out[i] = v;
  }
  return new Tensor(out, s);
}

/** Normal draws N(mean, std²) by the Box–Muller transform. */
export function normal(k: Key, shape: Shape, mean = 0, std = 1): Tensor {
  checkKey(k, 'normal');
  const { s, n } = sized(shape, 'normal');
  if (!(Number.isFinite(mean) && Number.isFinite(std) && std >= 0)) throw new RangeError(`normal: expected a finite mean and std ≥ 0, got mean ${describe(mean)}, std ${describe(std)}`);
  const r = stream(k, 'normal');
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const u1 = 1 - r.double(); // (0, 1]: log stays finite
    const u2 = r.double();
    const rad = Math.sqrt(-2 * Math.log(u1));
    out[i] = mean + std * rad * Math.cos(2 * Math.PI * u2);
    if (i + 1 < n) out[i + 1] = mean + std * rad * Math.sin(2 * Math.PI * u2);
  }
  return new Tensor(out, s);
}

/** Independent Bernoulli(keep) draws as 0/1: 1 with probability keep. keep 0 gives all 0, keep 1 all 1. */
export function bernoulli(k: Key, keep: number, shape: Shape): Tensor {
  checkKey(k, 'bernoulli');
  if (typeof keep !== 'number' || !(keep >= 0 && keep <= 1)) throw new RangeError(`bernoulli: expected keep, the probability of a 1, in [0, 1], got ${describe(keep)}`);
  const { s, n } = sized(shape, 'bernoulli');
  const r = stream(k, 'bernoulli');
  const out = new Float64Array(n);
  // u ∈ [0, 1), so u < keep is never true at keep 0 and always true at keep 1
  for (let i = 0; i < n; i++) out[i] = r.double() < keep ? 1 : 0;
  return new Tensor(out, s);
}
