// What the gradient properties share (gradients.test.ts, gradients-checkers.test.ts): every
// differentiable op as a generated case (its data, and f with its inputs), run under the calling
// file's recorder; the bases G-FD and G-ADJ are recorded with; the run counts; assertGrad with the
// users' defaults; and the wrong rules the tight checks must catch (skew: a rule off by δ in both
// modes; forwardSkew: a forward rule off by δ).
import fc from 'fast-check';
import { expect } from 'vitest';
import {
  type Tensor,
  type TightGradReport,
  type Tree,
  Tensor as TensorClass,
  abs,
  add,
  assertGrad,
  broadcastTo,
  concat,
  div,
  dropConnect,
  dropout,
  exp,
  gaussianDropout,
  key,
  log,
  logSoftmax,
  logSumExp,
  matmul,
  max,
  maximum,
  mean,
  minimum,
  mse,
  mul,
  neg,
  pow,
  relu,
  reshape,
  sigmoid,
  slice,
  softmax,
  softmaxCrossEntropy,
  sqrt,
  square,
  stopGradient,
  sub,
  sum,
  sumTo,
  take,
  tanh,
  transpose,
} from '../../src/index.ts';
// read-only use of the engine's internals: a primitive with one deliberately wrong rule (the G-ADJ mutant)
import { type Primitive, bind } from '../../src/engine/trace.ts';
import * as A from '../../src/testing/arbitraries.ts';
import { type Basis, observe, recorder, runs } from '../../src/testing/record.ts';

export const FD_BASIS: Basis = {
  reference:
    'Richardson-extrapolated 4th-order central differences of f (numericJacobian): evaluations of f only, so no derivative rule of the engine enters the reference.',
  tolerance:
    'per entry: truncation estimate |D4(h) − D4(h/2)|/15 + rounding bound (3.3/h)·(32u·S_o + u·|J|(|x|+2h)), h = 2^−12, u = 2^−53, S_o = max|f_o| + Σ_j |J_oj||x_j|; an entry not smooth at 2h fails (nothing excused).',
};
export const ADJ_BASIS: Basis = {
  reference:
    'forward mode (each primitive’s JVP rule) against reverse mode (its VJP rule), two rule sets written separately: ⟨v, Ju⟩ vs ⟨Jᵀv, u⟩, and J u per output vs the reverse-mode Jacobian.',
  tolerance:
    'rounding bound of the two inner products: 2γ_32·Σ|v||J||u| + γ_m·Σ|v·Ju| + γ_n·Σ|Jᵀv·u| (γ_k = ku/(1 − ku)), not a finite-difference allowance.',
};

/** assertGrad (the users' defaults), recording its largest |analytic − numeric| and asserting that no entry was excused as a kink. */
export const assertGradObserved: typeof assertGrad = (f, inputs, options) => {
  const report = assertGrad(f, inputs, options);
  observe(report.maxAbsError);
  expect(report.kinks, 'no entry may be excused as a kink: the generated inputs avoid kinks').toEqual([]);
  return report;
};

/** Runs per op property: enough to cover ranks 0–3 and broadcasting patterns, small enough for a fast file. */
export const RUNS = runs(25);
/** Runs per property of the (costlier or secondary) checks: MLPs, higher order, the checker's own tests. */
export const FEW = runs(12);
/** Runs per op of the mutant properties (a wrong rule is caught on the first case that resolves it). */
export const MUTANT_RUNS = runs(8);

export type Fn = (...args: any[]) => Tensor;
export interface Built {
  f: Fn;
  inputs: Tree[];
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** An op property: `arb` generates data (printable in counterexamples), `build` turns it into f and its inputs. */
export interface OpCase {
  name: string;
  forAll(check: (b: Built) => void, numRuns?: number, basis?: Basis): void;
}
/** An op's property before it has a recorder: fast-check's property over its data, checking what `build` makes of it. */
interface OpProperty {
  name: string;
  property(check: (b: Built) => void): fc.IRawProperty<[unknown]>;
}
function opCase<T>(name: string, arb: fc.Arbitrary<T>, build: (c: T) => Built): OpProperty {
  return { name, property: (check) => fc.property(arb, (c) => check(build(c))) };
}

/**
 * The identity in value, but with derivative 1 + δ: x + δ·(x − stopGradient(x)). Composing it in
 * front of an op scales that op's VJP and JVP rules by 1 + δ, consistently in both modes: a
 * "mutant" derivative rule built from the public API, which G-FD must catch and G-ADJ cannot.
 */
export const skew =
  (delta: number) =>
  (x: Tensor): Tensor =>
    add(x, mul(sub(x, stopGradient(x)), delta));

const shapePairArb = (c: A.ShapeConstraints = {}): fc.Arbitrary<[number[], number[]]> =>
  fc.oneof(
    A.shapeArb(c).map((s): [number[], number[]] => [s, s]),
    A.broadcastPairArb(c),
  );

const UNARY: Record<string, (x: Tensor) => Tensor> = { neg, exp, log, sqrt, square, tanh, sigmoid, relu, abs };
const BINARY = { add, sub, mul, div, maximum, minimum };

// ---------------------------------------------------------------------------------------------
// Every differentiable op

const OPS: OpProperty[] = [
  // elementwise unary
  ...(
    [
      ['neg', A.boundedValueArb],
      ['exp', A.boundedValueArb],
      ['log', A.positiveValueArb],
      ['sqrt', A.positiveValueArb],
      ['square', A.boundedValueArb],
      ['tanh', A.boundedValueArb],
      ['sigmoid', A.boundedValueArb],
      ['relu', A.awayFromZeroValueArb],
      ['abs', A.awayFromZeroValueArb],
    ] as const
  ).map(([name, values]) =>
    opCase(name, A.tensorArb(values), (x) => ({ f: (t: Tensor) => UNARY[name](t), inputs: [x] })),
  ),
  opCase(
    'pow (positive base, any exponent)',
    fc.record({ x: A.tensorArb(A.positiveValueArb), exponent: A.exponentValueArb }),
    ({ x, exponent }) => ({
      f: (t: Tensor) => pow(t, exponent),
      inputs: [x],
    }),
  ),

  // elementwise binary, same shapes and broadcasting pairs
  ...(['add', 'sub', 'mul'] as const).map((name) =>
    opCase(
      `${name} (broadcasting)`,
      shapePairArb().chain(([sa, sb]) => fc.tuple(A.tensorOfShapeArb(sa), A.tensorOfShapeArb(sb))),
      ([a, b]) => ({ f: (x: Tensor, y: Tensor) => BINARY[name](x, y), inputs: [a, b] }),
    ),
  ),
  opCase(
    'div (broadcasting, denominators 0.2 ≤ |b| ≤ 3)',
    shapePairArb().chain(([sa, sb]) => fc.tuple(A.tensorOfShapeArb(sa), A.tensorOfShapeArb(sb, A.nonZeroValueArb))),
    ([a, b]) => ({ f: (x: Tensor, y: Tensor) => div(x, y), inputs: [a, b] }),
  ),
  ...(['maximum', 'minimum'] as const).map((name) =>
    opCase(
      `${name} (broadcasting, no ties)`,
      shapePairArb().chain(([sa, sb]) => A.distinctTensorsOfShapesArb([sa, sb])),
      ([a, b]) => ({ f: (x: Tensor, y: Tensor) => BINARY[name](x, y), inputs: [a, b] }),
    ),
  ),
  opCase(
    'add/sub/mul/div with a number operand',
    fc.record({
      name: fc.constantFrom('add', 'sub', 'mul', 'div' as const),
      x: A.tensorArb(A.nonZeroValueArb),
      c: A.nonZeroValueArb,
      numberFirst: fc.boolean(),
    }),
    ({ name, x, c, numberFirst }) => ({
      f: (t: Tensor) => (numberFirst ? BINARY[name](c, t) : BINARY[name](t, c)),
      inputs: [x],
    }),
  ),
  opCase(
    'maximum/minimum with a number operand (no ties)',
    A.shapeArb().chain((shape) =>
      fc.record({
        name: fc.constantFrom('maximum', 'minimum' as const),
        shape: fc.constant(shape),
        vals: A.distinctValuesArb(A.sizeOfShape(shape) + 1),
        numberFirst: fc.boolean(),
      }),
    ),
    ({ name, shape, vals, numberFirst }) => {
      const c = vals[vals.length - 1];
      return {
        f: (t: Tensor) => (numberFirst ? BINARY[name](c, t) : BINARY[name](t, c)),
        inputs: [A.makeTensor(vals.slice(0, -1), shape)],
      };
    },
  ),

  // matrix products
  opCase(
    'matmul 2-D',
    A.matmulShapesArb(false).chain(({ a, b }) => fc.tuple(A.tensorOfShapeArb(a), A.tensorOfShapeArb(b))),
    ([a, b]) => ({
      f: (x: Tensor, y: Tensor) => matmul(x, y),
      inputs: [a, b],
    }),
  ),
  opCase(
    'matmul batched with broadcast batch dimensions',
    A.matmulShapesArb(true).chain(({ a, b }) => fc.tuple(A.tensorOfShapeArb(a), A.tensorOfShapeArb(b))),
    ([a, b]) => ({
      f: (x: Tensor, y: Tensor) => matmul(x, y),
      inputs: [a, b],
    }),
  ),

  // shape ops
  opCase(
    'transpose (random permutation or default)',
    A.shapeArb().chain((s) => fc.record({ x: A.tensorOfShapeArb(s), perm: A.permutationArb(s.length) })),
    ({ x, perm }) => ({
      f: (t: Tensor) => transpose(t, perm),
      inputs: [x],
    }),
  ),
  opCase(
    'reshape (including -1)',
    A.reshapePairArb.chain(({ from, to }) => fc.record({ x: A.tensorOfShapeArb(from), to: fc.constant(to) })),
    ({ x, to }) => ({
      f: (t: Tensor) => reshape(t, to),
      inputs: [x],
    }),
  ),
  opCase(
    'broadcastTo',
    A.broadcastToArb().chain(({ from, to }) => fc.record({ x: A.tensorOfShapeArb(from), to: fc.constant(to) })),
    ({ x, to }) => ({
      f: (t: Tensor) => broadcastTo(t, to),
      inputs: [x],
    }),
  ),
  opCase(
    'sumTo (the inverse of broadcasting)',
    A.broadcastToArb().chain(({ from, to }) => fc.record({ x: A.tensorOfShapeArb(to), target: fc.constant(from) })),
    ({ x, target }) => ({
      f: (t: Tensor) => sumTo(t, target),
      inputs: [x],
    }),
  ),

  // reductions over random axes, with and without keepdims
  opCase(
    'sum over random axes',
    A.reductionArb.chain(({ shape, axes, keepdims }) =>
      fc.record({ x: A.tensorOfShapeArb(shape), axes: fc.constant(axes), keepdims: fc.constant(keepdims) }),
    ),
    ({ x, axes, keepdims }) => ({
      f: (t: Tensor) => sum(t, axes, keepdims),
      inputs: [x],
    }),
  ),
  opCase(
    'mean over random axes',
    A.reductionArb.chain(({ shape, axes, keepdims }) =>
      fc.record({ x: A.tensorOfShapeArb(shape), axes: fc.constant(axes), keepdims: fc.constant(keepdims) }),
    ),
    ({ x, axes, keepdims }) => ({
      f: (t: Tensor) => mean(t, axes, keepdims),
      inputs: [x],
    }),
  ),
  opCase(
    'max over random axes (no ties)',
    A.reductionArb.chain(({ shape, axes, keepdims }) =>
      fc.record({
        x: A.distinctTensorsOfShapesArb([shape]).map(([t]) => t),
        axes: fc.constant(axes),
        keepdims: fc.constant(keepdims),
      }),
    ),
    ({ x, axes, keepdims }) => ({ f: (t: Tensor) => max(t, axes, keepdims), inputs: [x] }),
  ),
  opCase(
    'logSumExp over random axes',
    A.reductionArb.chain(({ shape, axes, keepdims }) =>
      fc.record({ x: A.tensorOfShapeArb(shape), axes: fc.constant(axes), keepdims: fc.constant(keepdims) }),
    ),
    ({ x, axes, keepdims }) => ({
      f: (t: Tensor) => logSumExp(t, axes, keepdims),
      inputs: [x],
    }),
  ),

  // softmax family and losses
  ...(['softmax', 'logSoftmax'] as const).map((name) =>
    opCase(
      `${name} over a random axis`,
      A.shapeArb({ minRank: 1 }).chain((s) => fc.record({ x: A.tensorOfShapeArb(s), axis: A.axisArb(s.length) })),
      ({ x, axis }) => ({
        f: (t: Tensor) => (name === 'softmax' ? softmax(t, axis) : logSoftmax(t, axis)),
        inputs: [x],
      }),
    ),
  ),
  opCase(
    'softmaxCrossEntropy (logits of rank 1–3)',
    A.shapeArb({ minRank: 1 }).chain((s) => {
      const classes = s[s.length - 1];
      return fc.record({ logits: A.tensorOfShapeArb(s), labels: A.labelsArb(A.sizeOfShape(s) / classes, classes) });
    }),
    ({ logits, labels }) => ({ f: (t: Tensor) => softmaxCrossEntropy(t, labels), inputs: [logits] }),
  ),
  opCase(
    'mse (both arguments)',
    A.shapeArb().chain((s) => fc.tuple(A.tensorOfShapeArb(s), A.tensorOfShapeArb(s))),
    ([pred, target]) => ({
      f: (pred: Tensor, targ: Tensor) => mse(pred, targ),
      inputs: [pred, target],
    }),
  ),

  // slicing, concatenation, gathering
  opCase(
    'concat of 1–3 tensors along a random axis',
    A.shapeArb({ minRank: 1 }).chain((base) =>
      fc
        .record({
          axis: A.axisArb(base.length),
          lens: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
        })
        .chain(({ axis, lens }) => {
          const ax = axis < 0 ? axis + base.length : axis;
          return fc.record({
            axis: fc.constant(axis),
            xs: fc.tuple(...lens.map((n) => A.tensorOfShapeArb(base.map((d, i) => (i === ax ? n : d))))),
          });
        }),
    ),
    ({ axis, xs }) => ({ f: (...ts: Tensor[]) => concat(ts, axis), inputs: xs }),
  ),
  opCase(
    'slice along a random axis (empty slices included)',
    A.shapeArb({ minRank: 1 }).chain((s) =>
      A.axisArb(s.length).chain((axis) => {
        const n = s[axis < 0 ? axis + s.length : axis];
        return fc.record({
          x: A.tensorOfShapeArb(s),
          axis: fc.constant(axis),
          bounds: fc
            .tuple(fc.integer({ min: 0, max: n }), fc.integer({ min: 0, max: n }))
            .map(([i, j]) => [Math.min(i, j), Math.max(i, j)] as const),
        });
      }),
    ),
    ({ x, axis, bounds: [start, end] }) => ({ f: (t: Tensor) => slice(t, start, end, axis), inputs: [x] }),
  ),
  opCase(
    'take rows (repeats and empty index lists included)',
    A.shapeArb({ minRank: 1 }).chain((s) =>
      fc.record({ x: A.tensorOfShapeArb(s), idx: fc.array(fc.integer({ min: 0, max: s[0] - 1 }), { maxLength: 5 }) }),
    ),
    ({ x, idx }) => ({ f: (t: Tensor) => take(t, idx), inputs: [x] }),
  ),
  opCase(
    'stopGradient (of a closed-over constant, in a product with x)',
    A.shapeArb().chain((s) => fc.tuple(A.tensorOfShapeArb(s), A.tensorOfShapeArb(s))),
    ([x, c]) => ({ f: (t: Tensor) => add(mul(tanh(t), stopGradient(exp(c))), stopGradient(square(c))), inputs: [x] }),
  ),

  // dropout and relatives, masks fixed by the key
  opCase(
    'dropout (fixed key, rates ≠ 1/2 included, both conventions, train and inference)',
    A.shapeArb().chain((s) =>
      fc.record({
        x: A.tensorOfShapeArb(s),
        rate: A.rateWithEdgesArb,
        convention: A.conventionArb,
        training: fc.boolean(),
        noiseShape: A.noiseShapeArb(s),
        seed: A.seedArb,
        composite: fc.boolean(),
      }),
    ),
    ({ x, rate, convention, training, noiseShape, seed, composite }) => ({
      f: (t: Tensor) => {
        const y = dropout(key(seed), t, { rate, training, convention, noiseShape });
        return composite ? mul(tanh(y), t) : y;
      },
      inputs: [x],
    }),
  ),
  opCase(
    'gaussianDropout (fixed key)',
    A.shapeArb().chain((s) =>
      fc.record({
        x: A.tensorOfShapeArb(s),
        rate: fc.oneof(A.rateArb, fc.constant(0)),
        training: fc.boolean(),
        noiseShape: A.noiseShapeArb(s),
        seed: A.seedArb,
        composite: fc.boolean(),
      }),
    ),
    ({ x, rate, training, noiseShape, seed, composite }) => ({
      f: (t: Tensor) => {
        const y = gaussianDropout(key(seed), t, { rate, training, noiseShape });
        return composite ? mul(tanh(y), t) : y;
      },
      inputs: [x],
    }),
  ),
  opCase(
    'dropConnect on the weights of a tanh layer (fixed key)',
    fc
      .record({
        batch: fc.integer({ min: 1, max: 3 }),
        inDim: fc.integer({ min: 1, max: 4 }),
        outDim: fc.integer({ min: 1, max: 4 }),
      })
      .chain(({ batch, inDim, outDim }) =>
        fc.record({
          W: A.tensorOfShapeArb([inDim, outDim]),
          x: A.tensorOfShapeArb([batch, inDim]),
          rate: A.rateWithEdgesArb,
          convention: A.conventionArb,
          training: fc.boolean(),
          seed: A.seedArb,
        }),
      ),
    ({ W, x, rate, convention, training, seed }) => ({
      f: (w: Tensor, t: Tensor) => tanh(matmul(t, dropConnect(key(seed), w, { rate, training, convention }))),
      inputs: [W, x],
    }),
  ),
];

/** Every differentiable op as an op property that runs under the calling file's recorder (`holds`, from recorder(import.meta.url)). */
export function opCases(holds: ReturnType<typeof recorder>['holds']): OpCase[] {
  return OPS.map(({ name, property }) => ({
    name,
    forAll: (check, numRuns = RUNS, basis) => holds(property(check), { numRuns }, { basis }),
  }));
}

/**
 * The identity in value, with derivative 1 + δ in FORWARD mode only (its VJP is exact): a primitive
 * whose JVP rule is wrong by δ relative. Composed in front of an op, that op's forward-mode rule is
 * off by δ while its reverse-mode rule is right: G-ADJ must see it; G-FD (reverse mode) cannot.
 */
export function forwardSkew(delta: number): (x: Tensor) => Tensor {
  const prim: Primitive<null> = {
    name: `forward-skew(${delta})`,
    fwd: ([x]) => new TensorClass(x.data, x.shape),
    vjp: (g) => [() => g],
    jvp: ([t]) => mul(t, 1 + delta),
  };
  return (x: Tensor) => bind(prim, [x], null);
}

/** The entries (or outputs) where an error of δ relative exceeds twice the tolerance: there a rule off by δ must fail. */
export const resolvable = (r: TightGradReport, delta: number) => {
  let n = 0;
  for (let e = 0; e < r.entries; e++) if (delta > 2 * r.relativeTolerance[e]) n++;
  return n;
};
