// Shapes, broadcasting and argument checks shared by every op.

export type Shape = readonly number[];

export const sizeOf = (shape: Shape): number => {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
};

export const sameShape = (a: Shape, b: Shape): boolean => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};

export const formatShape = (shape: Shape): string => `[${shape.join(', ')}]`;

/** Row-major strides of a contiguous array. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/**
 * The most elements a tensor may hold: 2^28 float64 values are 2 GiB. Larger sizes are refused
 * before anything is allocated (a mistyped size must not exhaust the machine's memory).
 */
export const MAX_ELEMENTS = 2 ** 28;

/** Refuses a shape whose element count, or whose product of non-zero dimensions, exceeds MAX_ELEMENTS. */
export function checkSize(shape: Shape, what: string): void {
  // zero dimensions are left out, so loops over the other axes stay bounded too (e.g. [2^40, 0])
  let n = 1;
  for (const d of shape) if (d !== 0) n *= d;
  if (n > MAX_ELEMENTS) {
    const size = sizeOf(shape);
    throw new RangeError(
      `${what}: shape ${formatShape(shape)} ${size === 0 ? `has dimensions whose product, ${n},` : `has ${size} elements,`} more than the 2^28 (${MAX_ELEMENTS}) a tensor may hold`,
    );
  }
}

/** Refuses anything that is not a list of non-negative safe integers, or that is too large (see MAX_ELEMENTS). */
export function checkShape(shape: unknown, what: string): Shape {
  if (!Array.isArray(shape))
    throw new TypeError(`${what}: expected a shape (an array of non-negative integers), got ${describeValue(shape)}`);
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]; // an index loop, so a hole in a sparse array is seen
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new RangeError(
        `${what}: expected a shape of non-negative integers, got [${Array.from(shape, describeValue).join(', ')}]`,
      );
    }
  }
  checkSize(shape, what);
  return shape as number[];
}

/** broadcastShapes for shapes a caller gives: both are checked first. */
export function broadcastShapesChecked(a: Shape, b: Shape, op = 'broadcastShapes'): Shape {
  checkShape(a, `${op} (a)`);
  checkShape(b, `${op} (b)`);
  return broadcastShapes(a, b, op);
}

/** NumPy broadcasting of two shapes; `op` names the operation in the error. */
export function broadcastShapes(a: Shape, b: Shape, op: string): Shape {
  if (sameShape(a, b)) return a;
  if (a.length === 0) return b; // a scalar broadcasts to anything
  if (b.length === 0) return a;
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(
        `${op}: shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast together (dimension ${i} of the result: ${da} vs ${db})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  checkSize(out, op); // before any op allocates the broadcast result
  return out;
}

/** Strides for reading an array of shape `from` as if it had the (broadcast) shape `to`: 0 along broadcast dims. */
export function broadcastStrides(from: Shape, to: Shape): number[] {
  const s = stridesOf(from);
  const out = new Array<number>(to.length).fill(0);
  const off = to.length - from.length;
  for (let i = 0; i < from.length; i++) out[off + i] = from[i] === 1 && to[off + i] !== 1 ? 0 : s[i];
  return out;
}

/** Normalises axes (negative counts from the end) and rejects repeats and out-of-range values. */
export function normAxes(axes: number | readonly number[] | undefined, ndim: number, op: string): number[] {
  if (axes === undefined) {
    const all = new Array<number>(ndim);
    for (let i = 0; i < ndim; i++) all[i] = i;
    return all;
  }
  if (typeof axes === 'number') return [normAxis(axes, ndim, op)];
  if (!Array.isArray(axes))
    throw new TypeError(`${op}: expected axes to be an integer or an array of integers, got ${describeValue(axes)}`);
  const list = [...axes];
  const seen = new Set<number>();
  return list
    .map((a) => {
      const r = normAxis(a, ndim, op);
      if (seen.has(r)) throw new RangeError(`${op}: axis ${a} is repeated in [${list.join(', ')}]`);
      seen.add(r);
      return r;
    })
    .sort((x, y) => x - y);
}

export function normAxis(axis: number, ndim: number, op: string): number {
  if (!Number.isInteger(axis) || axis < -ndim || axis >= ndim) {
    throw new RangeError(
      `${op}: axis must be an integer in [${-ndim}, ${ndim - 1}] for a tensor of rank ${ndim}, got ${describeValue(axis)}`,
    );
  }
  return axis < 0 ? axis + ndim : axis;
}

/** A short description of a value for error messages ("got …"). */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'bigint') return `${v}n`;
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (v instanceof DataView) return `a DataView of ${v.byteLength} bytes`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of length ${(v as unknown as ArrayLike<number>).length}`;
  if (typeof v === 'object' && v.constructor?.name === 'Tensor' && Array.isArray((v as { shape?: unknown }).shape))
    return `a Tensor of shape [${(v as { shape: number[] }).shape.join(', ')}]`;
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'object') return `an object (${(v as object).constructor?.name ?? 'Object'})`;
  return `${typeof v} ${String(v)}`;
}

/** The indices as an Int32Array, each checked to be an integer in [0, n): the errors name the op, the argument and the position. */
export function checkIndices(indices: ArrayLike<number>, n: number, op: string, arg: string): Int32Array {
  if (indices === null || typeof indices !== 'object' || typeof indices.length !== 'number') {
    throw new TypeError(`${op}: expected ${arg} to be an array of integers, got ${describeValue(indices)}`);
  }
  const idx = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i];
    if (!Number.isInteger(v) || v < 0 || v >= n)
      throw new RangeError(`${op}: ${arg}[${i}] must be an integer in [0, ${n - 1}], got ${describeValue(v)}`);
    idx[i] = v;
  }
  return idx;
}
