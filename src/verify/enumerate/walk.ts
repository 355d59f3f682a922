// Exact dropout-mask enumeration, the walk (re-exported by ../enumerate.ts, the entry dropcheck/enumerate):
// every mask r ∈ {0,1}^n with its probability, the argument checks, the linear layer's walk, and the
// output nonlinearities for visitors. The statistics over the walk are in ensemble.ts.
//
// The walk is in Gray-code order: consecutive masks differ in exactly one unit, so a visitor that
// keeps state (forEachLinearMask's pre-activations) updates it in O(1) units per mask. Unit i of the
// mask is bit i of the Gray code, and the walk starts at the all-dropped mask.
//
// Probabilities never accumulate rounding along the walk. The units are split into a low chunk
// (units 0 … 11) and a high chunk (the rest, at most 12); two tables hold the probability of every
// pattern of each chunk, and a mask's probability is one product of two table entries. Each entry is
// a product of at most 12 factors keep_i or 1 − keep_i, so every probability is the product of its n
// factors with at most n − 1 roundings (relative error ≤ (n − 1)·2^−53), wherever it falls in the walk.
import { type Tensor, describeValue, isTensor } from '../../engine/index.ts';

/** The largest n accepted: 2^24 ≈ 1.7·10^7 masks. */
export const MAX_UNITS = 24;
/** Units per probability table: tables of 2^12 entries, two of them cover n ≤ 24. */
const CHUNK_BITS = 12;
/** forEachLinearMask recomputes z from scratch every 2^RECOMPUTE_BITS masks (every 1024). */
export const RECOMPUTE_BITS = 10;

/** One keep probability for every unit, or one per unit (an array or Tensor of n values). */
export type Keep = number | ArrayLike<number> | Tensor;

/**
 * Called once per mask. `mask` (one 0/1 byte per unit) is reused and changed in place by the walk:
 * read it during the call, copy it to keep it, never write to it. `flipped` is the unit that differs
 * from the previous mask (−1 for the first mask, which drops every unit).
 */
export type MaskVisitor = (mask: Uint8Array, probability: number, flipped: number) => void;

/**
 * Called once per mask by the linear walks: `z` = (r ⊙ y)·W + b for the current mask r. `z` and
 * `mask` are reused: read them during the call, copy them to keep them, never write to them.
 */
export type LinearVisitor = (z: Float64Array, probability: number, mask: Uint8Array, flipped: number) => void;

// ---------------------------------------------------------------------------------------------
// Argument checks

/** A short description of a value for error messages. */

/** A mask as a string of bits, unit 0 first, e.g. [1,0,1]. */
export const showMask = (mask: Uint8Array) => `[${mask.join(',')}]`;

export function checkUnits(n: unknown, op: string): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_UNITS) {
    const why =
      typeof n === 'number' && Number.isInteger(n) && n > MAX_UNITS
        ? ` (2^${n} masks is too many to enumerate; sample masks instead)`
        : '';
    throw new RangeError(
      `${op}: expected n (the number of units) to be an integer from 0 to ${MAX_UNITS}, got ${describeValue(n)}${why}`,
    );
  }
  return n;
}

/** keep as n per-unit probabilities, each checked to lie in [0, 1]. */
export function checkKeep(keep: unknown, n: number, op: string): Float64Array {
  if (typeof keep === 'number') {
    if (!(keep >= 0 && keep <= 1))
      throw new RangeError(
        `${op}: expected keep (the keep probability, 1 − rate) to be in [0, 1], got ${describeValue(keep)}`,
      );
    return new Float64Array(n).fill(keep);
  }
  const values = isTensor(keep) ? keep.data : keep;
  if (!(Array.isArray(values) || ArrayBuffer.isView(values))) {
    throw new TypeError(
      `${op}: expected keep to be a number in [0, 1] or an array of n = ${n} of them, got ${describeValue(keep)}`,
    );
  }
  const list = values as ArrayLike<unknown>;
  if (list.length !== n)
    throw new RangeError(`${op}: expected keep to have one probability per unit (n = ${n}), got ${list.length}`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = list[i];
    if (typeof k !== 'number' || !(k >= 0 && k <= 1))
      throw new RangeError(
        `${op}: expected keep[${i}] (the keep probability of unit ${i}) to be in [0, 1], got ${describeValue(k)}`,
      );
    out[i] = k;
  }
  return out;
}

export function checkFunction(f: unknown, op: string, arg: string): void {
  if (typeof f !== 'function') throw new TypeError(`${op}: expected ${arg} to be a function, got ${describeValue(f)}`);
}

// ---------------------------------------------------------------------------------------------
// The walk

/**
 * The probability of every pattern of units [from, to): entry m (bit j of m = unit from + j) is
 * Π keep_i^{m_i} (1 − keep_i)^{1 − m_i}, multiplied in unit order.
 */
function chunkTable(keeps: Float64Array, from: number, to: number): Float64Array {
  const table = new Float64Array(1 << (to - from));
  table[0] = 1;
  for (let i = from, size = 1; i < to; i++, size *= 2) {
    const keep = keeps[i],
      drop = 1 - keep;
    for (let m = 0; m < size; m++) {
      table[m + size] = table[m] * keep;
      table[m] *= drop;
    }
  }
  return table;
}

/** The two probability tables of a walk: P(mask) = lo[gray & lowMask] · hi[gray >>> low]. */
function probabilityTables(n: number, keeps: Float64Array) {
  const low = Math.min(n, CHUNK_BITS);
  return { lo: chunkTable(keeps, 0, low), hi: chunkTable(keeps, low, n), low, lowMask: (1 << low) - 1 };
}

/** The unit flipped at step k ≥ 1 of the reflected Gray code: the lowest set bit of k. */
const flippedAt = (k: number) => 31 - Math.clz32(k & -k);

/** The Gray-code walk over checked arguments. */
export function walk(n: number, keeps: Float64Array, visit: MaskVisitor): void {
  const { lo, hi, low, lowMask } = probabilityTables(n, keeps);
  const mask = new Uint8Array(n);
  const total = 2 ** n;
  let gray = 0;
  visit(mask, lo[0] * hi[0], -1);
  for (let k = 1; k < total; k++) {
    const unit = flippedAt(k);
    gray ^= 1 << unit;
    mask[unit] ^= 1;
    visit(mask, lo[gray & lowMask] * hi[gray >>> low], unit);
  }
}

/**
 * Visits all 2^n dropout masks r ∈ {0,1}^n (0 ≤ n ≤ 24) in Gray-code order, starting from the
 * all-dropped mask, so consecutive masks differ in exactly one unit. `keep` is the probability that
 * a unit is kept (r_i = 1): one number for every unit or n per-unit values, each in [0, 1].
 * visit(mask, probability, flipped) gets probability = Π keep_i^{r_i} (1 − keep_i)^{1 − r_i} and the
 * unit that changed (−1 first). Masks of probability 0 (keep 0 or 1 somewhere) are visited too.
 * The mask array is reused: the visitor must copy it to keep it and must not modify it.
 */
export function forEachMask(n: number, keep: Keep, visit: MaskVisitor): void {
  const op = 'forEachMask';
  checkUnits(n, op);
  const keeps = checkKeep(keep, n, op);
  checkFunction(visit, op, 'visit');
  walk(n, keeps, visit);
}

// ---------------------------------------------------------------------------------------------
// A linear layer under input dropout

interface Linear {
  /** terms[i·out + o] = y_i·W[i, o]: the contribution of input i to output o when kept. */
  terms: Float64Array;
  b: Float64Array;
  n: number;
  out: number;
  keeps: Float64Array;
}

/** A vector argument: a Tensor with `length` elements and rank ≤ 1, or an array/typed array of `length` numbers. */
function vectorArg(v: unknown, length: number, op: string, arg: string, what: string): Float64Array {
  if (isTensor(v)) {
    if (v.ndim > 1 || v.size !== length)
      throw new RangeError(
        `${op}: expected ${arg} to have shape [${length}] (${what}), got shape [${v.shape.join(', ')}]`,
      );
    return v.data instanceof Float64Array ? v.data : Float64Array.from(v.data); // float32 values are exact in float64
  }
  if (!(Array.isArray(v) || ArrayBuffer.isView(v)))
    throw new TypeError(
      `${op}: expected ${arg} to be a Tensor or an array of ${length} numbers (${what}), got ${describeValue(v)}`,
    );
  const list = v as ArrayLike<unknown>;
  if (list.length !== length)
    throw new RangeError(`${op}: expected ${arg} to have ${length} values (${what}), got ${list.length}`);
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const x = list[i];
    if (typeof x !== 'number')
      throw new TypeError(`${op}: expected ${arg}[${i}] to be a number, got ${describeValue(x)}`);
    out[i] = x;
  }
  return out;
}

function checkLinear(W: unknown, b: unknown, y: unknown, keep: unknown, visit: unknown, op: string): Linear {
  if (!isTensor(W) || W.ndim !== 2)
    throw new TypeError(
      `${op}: expected W to be a Tensor of shape [n, out] (z = (r ⊙ y)·W + b, the engine's x·W convention), got ${describeValue(W)}`,
    );
  const [n, out] = W.shape;
  if (n > MAX_UNITS)
    throw new RangeError(
      `${op}: W has ${n} rows (inputs, the units dropped); at most ${MAX_UNITS} can be enumerated (2^${n} masks), got shape [${n}, ${out}]`,
    );
  const yv = vectorArg(y, n, op, 'y', 'one value per row of W');
  const bv =
    b === undefined || b === null ? new Float64Array(out) : vectorArg(b, out, op, 'b', 'one value per column of W');
  const keeps = checkKeep(keep, n, op);
  checkFunction(visit, op, 'visit');
  const terms = new Float64Array(n * out);
  for (let i = 0; i < n; i++) for (let o = 0; o < out; o++) terms[i * out + o] = yv[i] * W.data[i * out + o];
  return { terms, b: bv, n, out, keeps };
}

/** z = b + Σ_{i kept} terms[i, :], summed in unit order: the reference value of z for a mask. */
function linearAt(L: Linear, mask: Uint8Array, z: Float64Array): void {
  z.set(L.b);
  for (let i = 0; i < L.n; i++) {
    if (mask[i] === 0) continue;
    const row = i * L.out;
    for (let o = 0; o < L.out; o++) z[o] += L.terms[row + o];
  }
}

/**
 * Walks the 2^n masks of the n inputs of a linear layer z = (r ⊙ y)·W + b (paper convention: kept
 * inputs pass unchanged; for inverted dropout pass y/keep) in Gray-code order, calling
 * visit(z, probability, mask, flipped) for each. W is a Tensor of shape [n, out] (the engine's x·W
 * convention, so in the paper's notation z = Wᵀ(r ⊙ y) + b), y a Tensor of shape [n] or n numbers,
 * b a Tensor of shape [out], out numbers, or null for 0. keep as in forEachMask.
 *
 * z is updated in O(out) per mask, z ± y_i·W[i, :] for the flipped input i, instead of recomputed in
 * O(n·out). To bound the rounding drift of the updates, z is recomputed from scratch every 1024
 * masks (2^RECOMPUTE_BITS), where it equals forEachLinearMaskDirect's z bit for bit; in between it
 * differs by at most ~(1024 + n)·2^−53·(|b| + Σ_i |y_i·W[i, :]|) per element. z and mask are reused.
 */
export function forEachLinearMask(
  W: Tensor,
  b: Tensor | ArrayLike<number> | null,
  y: Tensor | ArrayLike<number>,
  keep: Keep,
  visit: LinearVisitor,
): void {
  const L = checkLinear(W, b, y, keep, visit, 'forEachLinearMask');
  const { terms, out } = L;
  // the walk of `walk`, written out so the update runs in the loop rather than in a second callback
  const { lo, hi, low, lowMask } = probabilityTables(L.n, L.keeps);
  const mask = new Uint8Array(L.n);
  const z = new Float64Array(out);
  const total = 2 ** L.n,
    period = (1 << RECOMPUTE_BITS) - 1;
  let gray = 0;
  linearAt(L, mask, z); // z = b
  visit(z, lo[0] * hi[0], mask, -1);
  for (let k = 1; k < total; k++) {
    const unit = flippedAt(k);
    gray ^= 1 << unit;
    mask[unit] ^= 1;
    if ((k & period) === 0)
      linearAt(L, mask, z); // k = 1024, 2048, …
    else {
      const row = unit * out;
      if (mask[unit] === 1) for (let o = 0; o < out; o++) z[o] += terms[row + o];
      else for (let o = 0; o < out; o++) z[o] -= terms[row + o];
    }
    visit(z, lo[gray & lowMask] * hi[gray >>> low], mask, unit);
  }
}

/** forEachLinearMask's reference path: the same walk and arguments, z recomputed from scratch (O(n·out)) for every mask. */
export function forEachLinearMaskDirect(
  W: Tensor,
  b: Tensor | ArrayLike<number> | null,
  y: Tensor | ArrayLike<number>,
  keep: Keep,
  visit: LinearVisitor,
): void {
  const L = checkLinear(W, b, y, keep, visit, 'forEachLinearMaskDirect');
  const z = new Float64Array(L.out);
  walk(L.n, L.keeps, (mask, probability, flipped) => {
    linearAt(L, mask, z);
    visit(z, probability, mask, flipped);
  });
}

// ---------------------------------------------------------------------------------------------
// Output nonlinearities on plain numbers, for visitors (no Tensor per mask)

/** The logistic function, the engine's formula 1/(1 + e^−z). */
export function sigmoidOf(z: number): number {
  if (typeof z !== 'number') throw new TypeError(`sigmoidOf: expected z to be a number, got ${describeValue(z)}`);
  return 1 / (1 + Math.exp(-z));
}

/**
 * softmax(z) = exp(z − max z)/Σ exp(z − max z), written into `out` (a new array if not given; pass
 * one to avoid an allocation per mask). `out` may be z itself.
 */
export function softmaxOf(z: ArrayLike<number>, out?: Float64Array): Float64Array {
  if (!(
    Array.isArray(z) ||
    (ArrayBuffer.isView(z) &&
      !(z instanceof DataView) &&
      !(z instanceof BigInt64Array) &&
      !(z instanceof BigUint64Array))
  )) {
    throw new TypeError(`softmaxOf: expected z to be an array of numbers, got ${describeValue(z)}`);
  }
  if (out === undefined) out = new Float64Array(z.length);
  else if (!(out instanceof Float64Array))
    throw new TypeError(`softmaxOf: expected out to be a Float64Array, got ${describeValue(out)}`);
  if (out.length !== z.length)
    throw new RangeError(`softmaxOf: expected out to have ${z.length} elements like z, got ${out.length}`);
  let top = -Infinity;
  for (let i = 0; i < z.length; i++) top = Math.max(top, z[i]);
  if (!Number.isFinite(top)) top = 0;
  let total = 0;
  for (let i = 0; i < z.length; i++) total += out[i] = Math.exp(z[i] - top);
  for (let i = 0; i < z.length; i++) out[i] /= total;
  return out;
}
