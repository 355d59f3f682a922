// The values the property tests draw (re-exported by ../arbitraries.ts, the entry dropcheck/arbitraries):
// the bounds and kink margin, scalars, shapes and broadcast pairs, tensors, dropout rates, conventions
// and keys. The networks built from them are in networks.ts.
import fc from 'fast-check';
import { type Convention, type Shape, type Tensor, tensor } from '../../index.ts';

// ---------------------------------------------------------------------------------------------
// Constants

/** Every generated value lies in [−VALUE_BOUND, VALUE_BOUND]. */
export const VALUE_BOUND = 3;
/**
 * Minimum distance of a value from a kink (0 for relu/abs, another value for max/min). The margins the
 * generators keep (awayFromZeroValueArb ≥ 10·KINK_MARGIN, distinctValuesArb' gaps ≥ 1.2·KINK_MARGIN) exceed
 * the reach of the tight gradient check's stencil, 2h = 2^−11 ≈ 4.9e-4 (src/verify/gradcheck.ts), so
 * no evaluation crosses a kink and the properties can require that no entry is excused or unresolved.
 */
export const KINK_MARGIN = 1e-3;
/** Positive values (log, sqrt, pow bases, denominators) lie in [POSITIVE_MIN, VALUE_BOUND]. */
export const POSITIVE_MIN = 0.2;

// ---------------------------------------------------------------------------------------------
// Tensors that print in full precision in counterexamples (Tensor.toString rounds to 6 digits).

/** Builds a tensor and gives it a full-precision fast-check representation. */
export function makeTensor(data: readonly number[], shape: Shape): Tensor {
  const t = tensor([...data], [...shape]);
  Object.defineProperty(t, fc.toStringMethod, {
    value: () =>
      `tensor([${data.map((v) => (Object.is(v, -0) ? '-0' : String(v))).join(', ')}], [${shape.join(', ')}])`,
    enumerable: false,
  });
  return t;
}

/** The number of elements of a shape (1 for []). */
export const sizeOfShape = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);

// ---------------------------------------------------------------------------------------------
// Scalars

/** Any float64 in [−3, 3] (fast-check also favours the bounds, 0, −0 and tiny magnitudes). */
export const boundedValueArb: fc.Arbitrary<number> = fc.double({ min: -VALUE_BOUND, max: VALUE_BOUND, noNaN: true });

/** Values in [0.2, 3]: for log, sqrt, pow with non-integer exponents. */
export const positiveValueArb: fc.Arbitrary<number> = fc.double({ min: POSITIVE_MIN, max: VALUE_BOUND, noNaN: true });

/** Values with 0.2 ≤ |x| ≤ 3, either sign: for denominators. */
export const nonZeroValueArb: fc.Arbitrary<number> = fc
  .tuple(fc.boolean(), positiveValueArb)
  .map(([negative, m]) => (negative ? -m : m));

/** Values with 10·KINK_MARGIN ≤ |x| ≤ 3, either sign: away from the kink of relu and abs at 0. */
export const awayFromZeroValueArb: fc.Arbitrary<number> = fc
  .tuple(fc.boolean(), fc.double({ min: 10 * KINK_MARGIN, max: VALUE_BOUND, noNaN: true }))
  .map(([negative, m]) => (negative ? -m : m));

/** Exponents for pow: integers, halves, and arbitrary reals in [−3, 3] (the base is positive). */
export const exponentValueArb: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(-2, -1, -0.5, 0, 0.5, 1, 2, 3),
  fc.double({ min: -VALUE_BOUND, max: VALUE_BOUND, noNaN: true }),
);

/**
 * n values with pairwise gaps > KINK_MARGIN, all with |x| > KINK_MARGIN, in [−3, 3]: no ties for
 * maximum/minimum/max-reduction and no zeros for relu/abs. Value i is (k_i + u_i)·0.002 with k_i
 * distinct nonzero integers in [−1499, 1499] and jitter |u_i| ≤ 0.2, so gaps are ≥ 0.0012 and
 * |x| ≥ 0.0016.
 */
export function distinctValuesArb(n: number): fc.Arbitrary<number[]> {
  const grid = fc.uniqueArray(
    fc.integer({ min: -1499, max: 1499 }).filter((k) => k !== 0),
    { minLength: n, maxLength: n },
  );
  const jitter = fc.array(fc.double({ min: -0.2, max: 0.2, noNaN: true }), { minLength: n, maxLength: n });
  return fc.tuple(grid, jitter).map(([ks, us]) => ks.map((k, i) => (k + us[i]) * 0.002));
}

// ---------------------------------------------------------------------------------------------
// Shapes

export interface ShapeConstraints {
  minRank?: number;
  maxRank?: number;
  minDim?: number;
  maxDim?: number;
}

/** A shape of rank minRank..maxRank (default 0–3) with dimensions minDim..maxDim (default 1–4). */
export function shapeArb({ minRank = 0, maxRank = 3, minDim = 1, maxDim = 4 }: ShapeConstraints = {}): fc.Arbitrary<
  number[]
> {
  return fc.array(fc.integer({ min: minDim, max: maxDim }), { minLength: minRank, maxLength: maxRank });
}

/** A shape that broadcasts to `out`: some leading dimensions dropped, some others set to 1. */
export function broadcastableTo(out: Shape): fc.Arbitrary<number[]> {
  return fc
    .tuple(
      fc.integer({ min: 0, max: out.length }),
      fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
    )
    .map(([drop, ones]) => out.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));
}

/** NumPy broadcasting of two shapes (test-side reference; throws when incompatible). */
export function broadcastShape(a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new RangeError(`shapes [${a}] and [${b}] do not broadcast`);
    return da === 1 ? db : da;
  });
}

/** Two broadcast-compatible shapes (each of rank ≤ maxRank), e.g. [3, 1, 4] and [2, 1]. */
export function broadcastPairArb(constraints: ShapeConstraints = {}): fc.Arbitrary<[number[], number[]]> {
  return shapeArb(constraints).chain((out) => fc.tuple(broadcastableTo(out), broadcastableTo(out)));
}

/** A source shape and a target it broadcasts to (for broadcastTo and, reversed, sumTo). */
export function broadcastToArb(constraints: ShapeConstraints = {}): fc.Arbitrary<{ from: number[]; to: number[] }> {
  return shapeArb(constraints).chain((to) => broadcastableTo(to).map((from) => ({ from, to })));
}

/** Axes for a reduction over a tensor of the given rank: undefined (all), one axis, or a list; negative indices included. */
export function axesArb(rank: number): fc.Arbitrary<number | number[] | undefined> {
  const all = Array.from({ length: rank }, (_, i) => i);
  const signed = (a: number, negative: boolean) => (negative ? a - rank : a);
  const one =
    rank === 0 ? [] : [fc.tuple(fc.integer({ min: 0, max: rank - 1 }), fc.boolean()).map(([a, n]) => signed(a, n))];
  const list = fc
    .shuffledSubarray(all)
    .chain((axes) =>
      fc
        .array(fc.boolean(), { minLength: axes.length, maxLength: axes.length })
        .map((ns) => axes.map((a, i) => signed(a, ns[i]))),
    );
  return fc.oneof(fc.constant(undefined), list, ...one);
}

/** Rank-0..3 shape, reduction axes and keepdims. */
export const reductionArb: fc.Arbitrary<{ shape: number[]; axes: number | number[] | undefined; keepdims: boolean }> =
  shapeArb().chain((shape) =>
    fc.record({ shape: fc.constant(shape), axes: axesArb(shape.length), keepdims: fc.boolean() }),
  );

/** One axis of a tensor of rank ≥ 1, possibly negative. */
export function axisArb(rank: number): fc.Arbitrary<number> {
  return fc
    .tuple(fc.integer({ min: 0, max: rank - 1 }), fc.boolean())
    .map(([a, negative]) => (negative ? a - rank : a));
}

/** A permutation of 0..rank−1, or undefined (transpose's default: reverse the axes). */
export function permutationArb(rank: number): fc.Arbitrary<number[] | undefined> {
  const all = Array.from({ length: rank }, (_, i) => i);
  return fc.option(fc.shuffledSubarray(all, { minLength: rank, maxLength: rank }), { nil: undefined });
}

/**
 * Two shapes with the same number of elements (≤ 64), both groupings of one list of factors; the
 * target may use −1 for one dimension.
 */
export const reshapePairArb: fc.Arbitrary<{ from: number[]; to: number[] }> = fc
  .array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 3 })
  .chain((factors) => {
    const group = (rank: number) =>
      fc.array(fc.nat(), { minLength: factors.length, maxLength: factors.length }).map((assign) => {
        const r = rank === 0 && factors.some((f) => f !== 1) ? 1 : rank;
        const dims = new Array<number>(r).fill(1);
        factors.forEach((f, i) => (dims[assign[i] % r] *= f));
        return dims;
      });
    const rank = fc.integer({ min: 0, max: 3 });
    return fc
      .tuple(rank.chain(group), rank.chain(group), fc.option(fc.nat(), { nil: undefined }))
      .map(([from, to, free]) => ({
        from,
        to: free === undefined || to.length === 0 ? to : to.map((d, i) => (i === free % to.length ? -1 : d)),
      }));
  });

/** Shapes [..batchA, m, k] and [..batchB, k, n] for matmul; batched: broadcast-compatible batch shapes of rank ≤ 2. */
export function matmulShapesArb(batched: boolean): fc.Arbitrary<{ a: number[]; b: number[] }> {
  const dim = fc.integer({ min: 1, max: 4 });
  const batch: fc.Arbitrary<[number[], number[]]> = batched
    ? broadcastPairArb({ maxRank: 2, maxDim: 3 })
    : fc.constant([[], []]);
  return fc.tuple(batch, dim, dim, dim).map(([[ba, bb], m, k, n]) => ({ a: [...ba, m, k], b: [...bb, k, n] }));
}

// ---------------------------------------------------------------------------------------------
// Tensors

/** A tensor of the given shape with values from `values` (default: bounded in [−3, 3]). */
export function tensorOfShapeArb(shape: Shape, values: fc.Arbitrary<number> = boundedValueArb): fc.Arbitrary<Tensor> {
  const n = sizeOfShape(shape);
  return fc.array(values, { minLength: n, maxLength: n }).map((data) => makeTensor(data, shape));
}

/** A tensor of a random small shape (default rank 0–3, dims 1–4). */
export function tensorArb(
  values: fc.Arbitrary<number> = boundedValueArb,
  constraints: ShapeConstraints = {},
): fc.Arbitrary<Tensor> {
  return shapeArb(constraints).chain((s) => tensorOfShapeArb(s, values));
}

/** Tensors of the given shapes whose elements, taken all together, are pairwise distinct and away from 0 (see distinctValuesArb). */
export function distinctTensorsOfShapesArb(shapes: readonly Shape[]): fc.Arbitrary<Tensor[]> {
  const sizes = shapes.map(sizeOfShape);
  return distinctValuesArb(sizes.reduce((a, b) => a + b, 0)).map((vals) => {
    let k = 0;
    return shapes.map((s, i) => makeTensor(vals.slice(k, (k += sizes[i])), s));
  });
}

/** A tensor of a random small shape with pairwise-distinct elements away from 0. */
export function distinctTensorArb(constraints: ShapeConstraints = {}): fc.Arbitrary<Tensor> {
  return shapeArb(constraints).chain((s) => distinctTensorsOfShapesArb([s]).map(([t]) => t));
}

/** Class labels, one per row, in [0, classes). */
export function labelsArb(rows: number, classes: number): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: 0, max: classes - 1 }), { minLength: rows, maxLength: rows });
}

// ---------------------------------------------------------------------------------------------
// Dropout: rates, conventions, keys

/** Drop probabilities strictly inside (0, 1), with 1/2 only one value among many. */
export const rateArb: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0.1, 0.25, 0.5, 0.8),
  fc.double({ min: 0.05, max: 0.95, noNaN: true }),
);

/** rateArb plus the edge cases 0 (identity) and 1 (everything dropped). */
export const rateWithEdgesArb: fc.Arbitrary<number> = fc.oneof(rateArb, fc.constantFrom(0, 1));

export const conventionArb: fc.Arbitrary<Convention> = fc.constantFrom<Convention>('inverted', 'scale-at-inference');

/** A seed for key(seed). */
export const seedArb: fc.Arbitrary<number> = fc.nat({ max: 2 ** 31 - 1 });

/** A dropout noiseShape for a tensor shape: per axis null (own mask bit) or 1 (shared along that axis); or undefined. */
export function noiseShapeArb(shape: Shape): fc.Arbitrary<(number | null)[] | undefined> {
  return fc.option(
    fc.array(fc.constantFrom<number | null>(null, 1), { minLength: shape.length, maxLength: shape.length }),
    { nil: undefined },
  );
}
