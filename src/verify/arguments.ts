// Argument checks shared by the statistics modules (stats.ts, binomial.ts): each throws a TypeError or
// RangeError naming the function, the argument and the value, so no helper returns NaN for a bad one.

import { describeValue } from '../engine/index.ts';

export function num(op: string, arg: string, v: unknown, expected: string): number {
  if (typeof v !== 'number') throw new TypeError(`${op}: expected ${arg} to be ${expected}, got ${describeValue(v)}`);
  return v;
}

/** An integer ≥ min (a safe integer). */
export function int(
  op: string,
  arg: string,
  v: unknown,
  min: number,
  what = min === 1 ? 'a positive integer' : `an integer ≥ ${min}`,
): number {
  const x = num(op, arg, v, what);
  if (!Number.isSafeInteger(x) || x < min)
    throw new RangeError(`${op}: expected ${arg} to be ${what}, got ${describeValue(v)}`);
  return x;
}

/** A probability strictly between 0 and 1 (a false-failure probability). */
export function alphaArg(op: string, v: unknown, arg = 'alpha'): number {
  const what = 'a probability in (0, 1)';
  const x = num(op, arg, v, what);
  if (!(x > 0 && x < 1)) throw new RangeError(`${op}: expected ${arg} to be ${what}, got ${describeValue(v)}`);
  return x;
}

export function positive(op: string, arg: string, v: unknown): number {
  const what = 'a finite number > 0';
  const x = num(op, arg, v, what);
  if (!(x > 0 && Number.isFinite(x)))
    throw new RangeError(`${op}: expected ${arg} to be ${what}, got ${describeValue(v)}`);
  return x;
}

/** A variance in [0, range²/4]: no distribution on an interval of width `range` has more (Popoviciu). */
export function varianceArg(op: string, arg: string, v: unknown, range: number): number {
  const what = 'a finite number ≥ 0';
  const x = num(op, arg, v, what);
  if (!(x >= 0 && Number.isFinite(x)))
    throw new RangeError(`${op}: expected ${arg} to be ${what}, got ${describeValue(v)}`);
  const max = (range * range) / 4;
  if (x > max)
    throw new RangeError(
      `${op}: expected ${arg} ≤ range²/4 = ${max} (no distribution on an interval of width range ${range} has more), got ${describeValue(v)}`,
    );
  return x;
}

export function probability(op: string, arg: string, v: unknown): number {
  const what = 'a probability in [0, 1]';
  const x = num(op, arg, v, what);
  if (!(x >= 0 && x <= 1)) throw new RangeError(`${op}: expected ${arg} to be ${what}, got ${describeValue(v)}`);
  return x;
}

export function samplesArg(op: string, v: unknown, minLength: number): ArrayLike<number> {
  const ok = v !== null && typeof v === 'object' && typeof (v as ArrayLike<number>).length === 'number';
  if (!ok) throw new TypeError(`${op}: expected samples to be an array of numbers, got ${describeValue(v)}`);
  const s = v as ArrayLike<number>;
  if (s.length < minLength) throw new RangeError(`${op}: expected at least ${minLength} samples, got ${s.length}`);
  for (let i = 0; i < s.length; i++) {
    const x = s[i];
    if (typeof x !== 'number' || !Number.isFinite(x))
      throw new TypeError(`${op}: expected samples[${i}] to be a finite number, got ${describeValue(x)}`);
  }
  return s;
}
