// The Tensor: float64 storage, contiguous row-major, a shape. Tensors are immutable: no op writes
// into an existing tensor's data, so storage may be shared (reshape, stopGradient) safely.
import { type Shape, checkShape, describe, fmt, sizeOf } from './shape.ts';
import type { Annotation } from './trace.ts';

export type Nested = number | readonly Nested[];

export class Tensor {
  readonly data: Float64Array;
  readonly shape: Shape;
  /** @internal One entry per transformation (vjp tape or jvp) this tensor takes part in. */
  _ad: Annotation[] | undefined = undefined;

  /** @internal Use `tensor`, `zeros`, … to create tensors; this trusts its arguments. */
  constructor(data: Float64Array, shape: Shape) {
    this.data = data;
    this.shape = shape;
  }

  get size(): number {
    return this.data.length;
  }
  get ndim(): number {
    return this.shape.length;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.data.length !== 1) throw new RangeError(`item: expected a tensor with one element, got shape ${fmt(this.shape)}`);
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
    return `tensor(${render(0, 0, '       ')}, shape=${fmt(this.shape)})`;
  }
}

/** Six significant digits; exponent form for very large magnitudes. */
function short(v: number): string {
  const r = Number(v.toPrecision(6));
  return Math.abs(r) >= 1e15 ? r.toExponential() : String(r);
}

export const isTensor = (v: unknown): v is Tensor => v instanceof Tensor;

/** A typed array whose elements are numbers: not a DataView (no elements) nor a BigInt64Array or BigUint64Array (bigints). */
const isNumberArray = (v: unknown): v is ArrayLike<number> =>
  ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array);

/** Creates a tensor from a number, nested arrays, or a flat array/typed array plus a shape. The input is copied. */
export function tensor(values: Nested | ArrayLike<number>, shape?: Shape): Tensor {
  if (shape !== undefined) {
    const s = checkShape(shape, 'tensor(values, shape)');
    if (!(Array.isArray(values) || isNumberArray(values))) {
      throw new TypeError(`tensor(values, shape): with a shape, values must be a flat array or a typed array of numbers, got ${describe(values)}`);
    }
    // an index loop, so holes in sparse arrays are seen (every/forEach skip them); typed arrays pass
    for (let i = 0; i < values.length; i++) {
      if (typeof values[i] !== 'number') throw new TypeError(`tensor(values, shape): with a shape, values must be a flat array of numbers, got ${describe(values[i])} at index ${i}`);
    }
    if (values.length !== sizeOf(s)) {
      throw new RangeError(`tensor(values, shape): shape ${fmt(s)} needs ${sizeOf(s)} values, got ${values.length}`);
    }
    return new Tensor(Float64Array.from(values as ArrayLike<number>), [...s]);
  }
  if (ArrayBuffer.isView(values)) {
    if (!isNumberArray(values)) throw new TypeError(`tensor: expected a number, nested arrays of numbers or a typed array of numbers, got ${describe(values)}`);
    const data = Float64Array.from(values);
    return new Tensor(data, [data.length]);
  }
  const s = inferShape(values as Nested);
  const data = new Float64Array(sizeOf(s));
  let k = 0;
  const fill = (v: Nested, dim: number, path: number[]) => {
    if (dim === s.length) {
      if (typeof v !== 'number') throw new TypeError(`tensor: expected a number at index [${path.join('][')}], got ${describe(v)}`);
      data[k++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== s[dim]) {
      throw new RangeError(`tensor: ragged nested array: expected length ${s[dim]} at index [${path.join('][')}], got ${describe(v)}`);
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
  if (typeof v !== 'number' && !Array.isArray(v)) throw new TypeError(`tensor: expected a number, nested arrays of numbers or a typed array of numbers, got ${describe(v)}`);
  return s;
}

export const scalar = (v: number): Tensor => {
  if (typeof v !== 'number') throw new TypeError(`scalar: expected a number, got ${describe(v)}`);
  return new Tensor(Float64Array.of(v), []);
};
function filled(shape: Shape, value: number, op: string): Tensor {
  const s = checkShape(shape, op);
  if (typeof value !== 'number') throw new TypeError(`${op}: expected a number as the fill value, got ${describe(value)}`);
  return new Tensor(new Float64Array(sizeOf(s)).fill(value), [...s]);
}
export const full = (shape: Shape, value: number): Tensor => filled(shape, value, 'full');
export const zeros = (shape: Shape): Tensor => filled(shape, 0, 'zeros');
export const ones = (shape: Shape): Tensor => filled(shape, 1, 'ones');
export const zerosLike = (x: Tensor): Tensor => new Tensor(new Float64Array(checkTensor(x, 'zerosLike').size), x.shape);
export const onesLike = (x: Tensor): Tensor => new Tensor(new Float64Array(checkTensor(x, 'onesLike').size).fill(1), x.shape);

/** Throws a TypeError unless `v` is a Tensor; `arg` names the argument. */
export function checkTensor(v: unknown, op: string, arg = 'x'): Tensor {
  if (!(v instanceof Tensor)) throw new TypeError(`${op}: expected ${arg} to be a Tensor, got ${describe(v)}`);
  return v;
}
