// The Tensor: float64 or float32 storage, contiguous row-major, a shape. The dtype is the storage's
// class (Float64Array or Float32Array), so it travels with the data and cannot disagree with it.
// Tensors are immutable: no op writes into an existing tensor's data, so storage may be shared
// (reshape, stopGradient) safely.
import { type Shape, checkShape, describeValue, formatShape, sizeOf } from './shape.ts';
import type { Annotation } from './trace.ts';

export type Nested = number | readonly Nested[];

/** 'float64' (the default) or 'float32': every op rounds its result to its output's dtype. */
export type DType = 'float64' | 'float32';
/** A tensor's storage: one element type per dtype. */
export type Storage = Float64Array | Float32Array;

export class Tensor {
  readonly data: Storage;
  readonly shape: Shape;
  /** @internal One entry per transformation (vjp tape or jvp) this tensor takes part in. */
  _ad: Annotation[] | undefined = undefined;

  /** @internal Use `tensor`, `zeros`, … to create tensors; this trusts its arguments. */
  constructor(data: Storage, shape: Shape) {
    this.data = data;
    this.shape = shape;
  }

  /** The element type, read off the storage. */
  get dtype(): DType {
    return this.data instanceof Float32Array ? 'float32' : 'float64';
  }

  get size(): number {
    return this.data.length;
  }
  get ndim(): number {
    return this.shape.length;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.data.length !== 1)
      throw new RangeError(`item: expected a tensor with one element, got shape ${formatShape(this.shape)}`);
    return this.data[0];
  }

  /** Nested arrays of numbers (a plain number for a rank-0 tensor). */
  toArray(): Nested {
    const build = (dim: number, off: number): Nested => {
      if (dim === this.shape.length) return this.data[off];
      const n = this.shape[dim];
      const step = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: n }, (_, i) => build(dim + 1, off + i * step));
    };
    return build(0, 0);
  }

  /** The values as nested brackets (the first and last three along an axis longer than 8, six significant digits) and the shape. */
  toString(): string {
    const num = (v: number) => (Number.isInteger(v) && Math.abs(v) < 1e15 ? String(v) : short(v));
    const render = (dim: number, off: number, indent: string): string => {
      if (dim === this.shape.length) return num(this.data[off]);
      const n = this.shape[dim];
      const step = sizeOf(this.shape.slice(dim + 1));
      const shown = n > 8 ? [0, 1, 2, -1, n - 3, n - 2, n - 1] : Array.from({ length: n }, (_, i) => i);
      const parts = shown.map((i) => (i < 0 ? '…' : render(dim + 1, off + i * step, indent + ' ')));
      const sep = dim === this.shape.length - 1 ? ', ' : `,\n${indent} `;
      return `[${parts.join(sep)}]`;
    };
    return `tensor(${render(0, 0, '       ')}, shape=${formatShape(this.shape)})`;
  }
}

/** Six significant digits; exponent form for very large magnitudes. */
function short(v: number): string {
  const r = Number(v.toPrecision(6));
  return Math.abs(r) >= 1e15 ? r.toExponential() : String(r);
}

/** True when v is a Tensor (a type guard; never throws). */
export const isTensor = (v: unknown): v is Tensor => v instanceof Tensor;

/** A typed array whose elements are numbers: not a DataView (no elements) nor a BigInt64Array or BigUint64Array (bigints). */
const isNumberArray = (v: unknown): v is ArrayLike<number> =>
  ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array);

/** Options of the creation functions. */
export interface CreateOptions {
  /** The element type; default 'float64'. float32 values are rounded to the nearest float32. */
  dtype?: DType;
}

/** Throws unless `d` names a dtype; `op` names the function in the error. */
export function checkDType(d: unknown, op: string, arg = 'dtype'): DType {
  if (d !== 'float64' && d !== 'float32')
    throw new TypeError(`${op}: expected ${arg} to be 'float64' or 'float32', got ${describeValue(d)}`);
  return d;
}

/** The dtype of a creation call's options (default float64), checked. */
export function dtypeOption(options: CreateOptions | undefined, op: string): DType {
  if (options === undefined) return 'float64';
  if (options === null || typeof options !== 'object')
    throw new TypeError(`${op}: expected options { dtype? }, got ${describeValue(options)}`);
  return options.dtype === undefined ? 'float64' : checkDType(options.dtype, op, 'options.dtype');
}

/** Fresh zeroed storage of n elements of a dtype. */
export const alloc = (dtype: DType, n: number): Storage =>
  dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
/** Fresh zeroed storage like `like`'s (same dtype). */
export const allocLike = (like: Storage, n: number): Storage =>
  like instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
/** A copy of `values` as storage of a dtype (rounded to float32 for float32). */
export const storageFrom = (dtype: DType, values: ArrayLike<number>): Storage =>
  dtype === 'float32' ? new Float32Array(values) : new Float64Array(values);

/**
 * Creates a tensor from a number, nested arrays, or a flat array/typed array plus a shape. The input
 * is copied. `options.dtype` picks the element type (default float64; a Float32Array does not imply
 * float32, so a tensor's dtype is always what the call says).
 *
 * @example tensor([[1, 2], [3, 4]], undefined, { dtype: 'float32' })
 */
export function tensor(values: Nested | ArrayLike<number>, shape?: Shape, options?: CreateOptions): Tensor {
  const dtype = dtypeOption(options, 'tensor');
  const t = tensorF64(values, shape);
  return dtype === 'float64' ? t : new Tensor(new Float32Array(t.data), t.shape);
}

function tensorF64(values: Nested | ArrayLike<number>, shape?: Shape): Tensor {
  if (shape !== undefined) {
    const s = checkShape(shape, 'tensor(values, shape)');
    if (!(Array.isArray(values) || isNumberArray(values))) {
      throw new TypeError(
        `tensor(values, shape): with a shape, values must be a flat array or a typed array of numbers, got ${describeValue(values)}`,
      );
    }
    // an index loop, so holes in sparse arrays are seen (every/forEach skip them); typed arrays hold numbers
    if (Array.isArray(values))
      for (let i = 0; i < values.length; i++) {
        if (typeof values[i] !== 'number')
          throw new TypeError(
            `tensor(values, shape): with a shape, values must be a flat array of numbers, got ${describeValue(values[i])} at index ${i}`,
          );
      }
    if (values.length !== sizeOf(s)) {
      throw new RangeError(
        `tensor(values, shape): shape ${formatShape(s)} needs ${sizeOf(s)} values, got ${values.length}`,
      );
    }
    return new Tensor(new Float64Array(values as ArrayLike<number>), [...s]);
  }
  if (ArrayBuffer.isView(values)) {
    if (!isNumberArray(values))
      throw new TypeError(
        `tensor: expected a number, nested arrays of numbers or a typed array of numbers, got ${describeValue(values)}`,
      );
    const data = new Float64Array(values);
    return new Tensor(data, [data.length]);
  }
  const s = inferShape(values as Nested);
  const data = new Float64Array(sizeOf(s));
  let k = 0;
  const fill = (v: Nested, dim: number, path: number[]) => {
    if (dim === s.length) {
      if (typeof v !== 'number')
        throw new TypeError(`tensor: expected a number at index [${path.join('][')}], got ${describeValue(v)}`);
      data[k++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== s[dim]) {
      throw new RangeError(
        `tensor: ragged nested array: expected length ${s[dim]} at index [${path.join('][')}], got ${describeValue(v)}`,
      );
    }
    for (let i = 0; i < v.length; i++) fill(v[i], dim + 1, [...path, i]); // a hole reads as undefined and is refused
  };
  fill(values as Nested, 0, []);
  return new Tensor(data, s);
}

function inferShape(v: Nested): number[] {
  const s: number[] = [];
  let cur: Nested = v;
  while (Array.isArray(cur)) {
    s.push(cur.length);
    cur = cur[0]; // undefined past an empty array, which ends the walk
  }
  if (typeof v !== 'number' && !Array.isArray(v))
    throw new TypeError(
      `tensor: expected a number, nested arrays of numbers or a typed array of numbers, got ${describeValue(v)}`,
    );
  return s;
}

/**
 * A rank-0 tensor holding v, float64 unless `{ dtype: 'float32' }` (then v rounded to float32).
 * Throws a TypeError when v is not a number. Example: `scalar(2).item()` is 2.
 */
export const scalar = (v: number, options?: CreateOptions): Tensor => {
  if (typeof v !== 'number') throw new TypeError(`scalar: expected a number, got ${describeValue(v)}`);
  return new Tensor(alloc(dtypeOption(options, 'scalar'), 1).fill(v), []);
};
function filled(shape: Shape, value: number, op: string, options: CreateOptions | undefined): Tensor {
  const s = checkShape(shape, op);
  if (typeof value !== 'number')
    throw new TypeError(`${op}: expected a number as the fill value, got ${describeValue(value)}`);
  return new Tensor(alloc(dtypeOption(options, op), sizeOf(s)).fill(value), [...s]);
}
/** A tensor of the given shape filled with value (float64, or float32 with `{ dtype }`). Throws for a shape that is not a list of non-negative integers, or a value that is not a number. */
export const full = (shape: Shape, value: number, options?: CreateOptions): Tensor =>
  filled(shape, value, 'full', options);
/** Zeros of the given shape and dtype (float64 by default); errors as `full`. */
export const zeros = (shape: Shape, options?: CreateOptions): Tensor => filled(shape, 0, 'zeros', options);
/** Ones of the given shape and dtype (float64 by default); errors as `full`. */
export const ones = (shape: Shape, options?: CreateOptions): Tensor => filled(shape, 1, 'ones', options);
/** Zeros with x's shape and dtype. */
export const zerosLike = (x: Tensor): Tensor =>
  new Tensor(allocLike(checkTensor(x, 'zerosLike').data, x.size), x.shape);
/** Ones with x's shape and dtype. */
export const onesLike = (x: Tensor): Tensor =>
  new Tensor(allocLike(checkTensor(x, 'onesLike').data, x.size).fill(1), x.shape);

/**
 * x's storage as a Float64Array, for code that computes in float64 only (the verification tools):
 * throws a TypeError naming `op` if x is float32, instead of reading float32 values as if they were
 * float64 results.
 */
export function float64Data(x: Tensor, op = 'float64Data'): Float64Array {
  checkTensor(x, op);
  if (!(x.data instanceof Float64Array))
    throw new TypeError(
      `${op}: expected a float64 tensor, got a float32 one of shape ${formatShape(x.shape)}; convert it with astype(x, 'float64')`,
    );
  return x.data;
}

/** Throws a TypeError unless `v` is a Tensor; `arg` names the argument. */
export function checkTensor(v: unknown, op: string, arg = 'x'): Tensor {
  if (!(v instanceof Tensor)) throw new TypeError(`${op}: expected ${arg} to be a Tensor, got ${describeValue(v)}`);
  return v;
}
