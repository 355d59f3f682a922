// Helpers and naive reference implementations for the op tests (test/engine/ops-*.test.ts, and
// test/nn/losses.test.ts): index arithmetic, NumPy broadcasting written independently of
// src/engine/shape.ts, a closeness check with exact non-finite values, and arbitraries of shapes that
// broadcast together.
import { expect } from 'vitest';
import fc from 'fast-check';
import { Tensor, tensor, type Nested } from '../../src/index.ts';

export const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
export const arange = (n: number, start = 0) => Array.from({ length: n }, (_, i) => start + i);
export const iota = (shape: number[], start = 0) => tensor(arange(prod(shape), start), shape);

/** Elementwise |actual − expected| ≤ rtol·|expected| + atol; NaN and ±Infinity must match exactly. */
export function expectClose(actual: Tensor, expected: Nested | Tensor, rtol = 1e-12, atol = 0) {
  const e = expected instanceof Tensor ? expected : tensor(expected);
  expect(actual.shape).toEqual(e.shape);
  for (let i = 0; i < e.size; i++) {
    const a = actual.data[i];
    const b = e.data[i];
    if (!Number.isFinite(b)) expect(a, `element ${i}`).toBe(b);
    else
      expect(Math.abs(a - b), `element ${i}: got ${a}, expected ${b}`).toBeLessThanOrEqual(rtol * Math.abs(b) + atol);
  }
}

/** Row-major multi-index of flat index `f` in `shape`. */
export function unravel(f: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = f % shape[d];
    f = Math.floor(f / shape[d]);
  }
  return idx;
}
export const ravel = (idx: readonly number[], shape: readonly number[]) =>
  idx.reduce((acc, i, d) => acc * shape[d] + i, 0);

/** NumPy broadcasting, written independently of src/engine/shape.ts. */
export function naiveBroadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const pa = [...Array(n - a.length).fill(1), ...a];
  const pb = [...Array(n - b.length).fill(1), ...b];
  return pa.map((d, i) => {
    if (d === pb[i]) return d;
    if (d === 1) return pb[i];
    if (pb[i] === 1) return d;
    throw new Error('incompatible');
  });
}
/** Flat index into `shape` of the element broadcast to output multi-index `out`. */
export function bIndex(shape: readonly number[], out: readonly number[]): number {
  const off = out.length - shape.length;
  return ravel(
    shape.map((d, i) => (d === 1 ? 0 : out[off + i])),
    shape,
  );
}
export function naiveBinary(a: Tensor, b: Tensor, f: (x: number, y: number) => number): Tensor {
  const shape = naiveBroadcastShape(a.shape, b.shape);
  const out = arange(prod(shape)).map((o) => {
    const idx = unravel(o, shape);
    return f(a.data[bIndex(a.shape, idx)], b.data[bIndex(b.shape, idx)]);
  });
  return tensor(out, shape);
}

export const asMatrix = (x: Tensor, batch = 0): number[][] => {
  const [m, n] = x.shape.slice(-2);
  return arange(m).map((i) => Array.from(x.data.subarray(batch * m * n + i * n, batch * m * n + (i + 1) * n)));
};

// Arbitraries: an output shape and two shapes that broadcast to it (dims dropped on the left or set to 1).
export const dimsArb = fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 4 });
export const operandShape = (out: number[]) =>
  fc
    .tuple(
      fc.integer({ min: 0, max: out.length }),
      fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
    )
    .map(([drop, ones]) => out.slice(drop).map((d, i) => (ones[drop + i] ? 1 : d)));
export const valuesArb = (n: number, gen: fc.Arbitrary<number> = fc.double()) =>
  fc.array(gen, { minLength: n, maxLength: n });
