// Claims G-FD (reverse-mode gradients agree with finite differences in float64) and G-ADJ (forward
// and reverse mode are adjoint: ⟨v, J u⟩ = ⟨Jᵀ v, u⟩), checked on fast-check-generated shapes and
// values, for every differentiable op, dropout and its relatives with fixed keys, random MLPs with
// dropout, and higher-order derivatives.
//
// The suite's own checks are TIGHT (checkGradTight in src/verify/gradcheck.ts): the reference is a
// Richardson-extrapolated fourth-order central difference, which evaluates f only (no derivative rule
// of the engine is involved), and each Jacobian entry is held to a tolerance derived from the step,
// f's scale and float64 rounding; forward mode is held to reverse mode to a rounding bound of the
// two inner products. Entries where f is not smooth at the step's scale fail: nothing is excused.
// checkGrad's PyTorch-compatible defaults (atol 1e-5, rtol 1e-3), which users get, are checked too
// (the MLP properties and "the checker can fail"), and there every property asserts that no entry
// was excused as a kink. The power of the tight checks is shown on wrong rules the defaults pass: a
// backward rule off by 1e-6 relative (G-FD) and a forward rule off by 1e-9 relative (G-ADJ).
//
// Kinks (relu/abs at 0, ties in maximum/minimum/max) are avoided by generating values away from
// them by more than the stencil's reach 2h (see arbitraries.ts; for relu MLPs every hidden
// pre-activation is farther from 0 than 4h times its largest derivative), never by loosening tolerances.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GradCheckError,
  type GradCheckReport,
  type MLPParams,
  type Tensor,
  type TightGradReport,
  type Tree,
  abs,
  add,
  assertGrad,
  broadcastTo,
  checkGrad,
  checkGradTight,
  concat,
  div,
  dropConnect,
  dropout,
  exp,
  flatten,
  gaussianDropout,
  grad,
  jvp,
  key,
  log,
  logSoftmax,
  logSumExp,
  matmul,
  max,
  maximum,
  mean,
  minimum,
  mlp,
  mse,
  mul,
  neg,
  normal,
  numericJacobian,
  ones,
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
  tensor,
  transpose,
  valueAndGrad,
  vjp } from '../src/index.ts';
import { Tensor as TensorClass } from '../src/index.ts';
// read-only use of the engine's internals: a primitive with one deliberately wrong rule (the G-ADJ mutant)
import { type Primitive, bind } from '../src/engine/trace.ts';
import * as A from '../src/testing/arbitraries.ts';
import { type Basis, observe, recorder, runs } from '../src/testing/record.ts';

const FD_BASIS: Basis = {
  reference: 'Richardson-extrapolated 4th-order central differences of f (numericJacobian): evaluations of f only, so no derivative rule of the engine enters the reference.',
  tolerance: 'per entry: truncation estimate |D4(h) − D4(h/2)|/15 + rounding bound (3.3/h)·(32u·S_o + u·|J|(|x|+2h)), h = 2^−12, u = 2^−53, S_o = max|f_o| + Σ_j |J_oj||x_j|; an entry not smooth at 2h fails (nothing excused).',
};
const ADJ_BASIS: Basis = {
  reference: 'forward mode (each primitive’s JVP rule) against reverse mode (its VJP rule), two rule sets written separately: ⟨v, Ju⟩ vs ⟨Jᵀv, u⟩, and J u per output vs the reverse-mode Jacobian.',
  tolerance: 'rounding bound of the two inner products: 2γ_32·Σ|v||J||u| + γ_m·Σ|v·Ju| + γ_n·Σ|Jᵀv·u| (γ_k = ku/(1 − ku)), not a finite-difference allowance.',
};
const CHECKER_BASIS: Basis = {
  reference: 'functions with a known wrong derivative (x² + stopGradient(x²): analytic 2x, true 4x) and known correct ones; the checker must fail or pass accordingly.',
  tolerance: 'checkGrad’s user defaults (eps 1e-6, atol 1e-5, rtol 1e-3, PyTorch’s), the subject of these tests.',
};
const USER_BASIS: Basis = {
  reference: 'central differences of f with eps 1e-6 (checkGrad): evaluations of f only.',
  tolerance: 'checkGrad’s user defaults, atol 1e-5 + rtol 1e-3·|numeric| (PyTorch’s); no entry may be excused as a kink.',
};
const { holds, check } = recorder(import.meta.url, { 'G-FD': FD_BASIS, 'G-ADJ': ADJ_BASIS });

/** assertGrad (the users' defaults), recording its largest |analytic − numeric| and asserting that no entry was excused as a kink. */
const assertGradObserved: typeof assertGrad = (f, inputs, options) => {
  const report = assertGrad(f, inputs, options);
  observe(report.maxAbsError);
  expect(report.kinks, 'no entry may be excused as a kink: the generated inputs avoid kinks').toEqual([]);
  return report;
};

// Every tight check's ratios (achieved error over tolerance, tolerance over |J|, adjoint and forward
// error over their bounds), for the distributions in reports/properties.md.
const collected = { ratio: [] as number[], relTol: [] as number[], adjoint: [] as number[], forward: [] as number[], entries: 0, checks: 0 };

/** Elements over every tensor of the inputs (the Jacobian's columns). */
const inputSize = (inputs: Tree[]) => inputs.reduce((s: number, t) => s + flatten(t).leaves.reduce((a, x) => a + x.size, 0), 0);

/** The tight check (G-FD and G-ADJ to rounding): throws its message unless it passed; records its ratios. */
function assertTight(f: Fn, inputs: Tree[]): TightGradReport {
  const r = checkGradTight(f, inputs);
  if (!r.ok) throw new Error(r.message);
  expect(r.unresolved).toEqual([]);
  collected.checks++;
  collected.entries += r.entries;
  const n = inputSize(inputs);
  for (let e = 0; e < r.entries; e++) collected.ratio.push(r.ratios[e]);
  // tolerance relative to |J| for the entries that matter, |J_oj| ≥ 1e-3 of the largest in its row (a
  // structural zero has no relative error to resolve, and a derivative 1e-300 next to one of size 1
  // is below any finite difference's reach)
  for (let o = 0; n > 0 && o < r.entries / n; o++) {
    let top = 0;
    for (let j = 0; j < n; j++) top = Math.max(top, Math.abs(r.numeric[o * n + j]));
    // (rows whose derivatives are all below 1e-12, from generated values near 0, are left out: no finite difference resolves them relative to f's scale)
    for (let j = 0; j < n; j++) if (top > 1e-12 && Math.abs(r.numeric[o * n + j]) >= 1e-3 * top) collected.relTol.push(r.relativeTolerance[o * n + j]);
  }
  collected.adjoint.push(r.adjoint.tolerance > 0 ? r.adjoint.error / r.adjoint.tolerance : 0);
  collected.forward.push(r.forward.tolerance > 0 ? r.forward.error / r.forward.tolerance : 0);
  observe(r.maxRatio);
  return r;
}

/** Runs per op property: enough to cover ranks 0–3 and broadcasting patterns, small enough for a fast file. */
const RUNS = runs(25);
/** Runs per property of the (costlier or secondary) checks: MLPs, higher order, the checker's own tests. */
const FEW = runs(12);
/** Runs per op of the mutant properties (a wrong rule is caught on the first case that resolves it). */
const MUTANT_RUNS = runs(8);

type Fn = (...args: any[]) => Tensor;
interface Built {
  f: Fn;
  inputs: Tree[];
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** An op property: `arb` generates data (printable in counterexamples), `build` turns it into f and its inputs. */
interface OpCase {
  name: string;
  forAll(check: (b: Built) => void, numRuns?: number, basis?: Basis): void;
}
function opCase<T>(name: string, arb: fc.Arbitrary<T>, build: (c: T) => Built): OpCase {
  return {
    name,
    forAll: (check, numRuns = RUNS, basis) => holds(fc.property(arb, (c) => check(build(c))), { numRuns }, { basis }),
  };
}

/** Elementwise |actual − expected| ≤ atol + rtol·|expected| (defaults: the checker's), with a readable failure. */
function expectClose(actual: Tensor, expected: ArrayLike<number>, what: string, atol = 1e-5, rtol = 1e-3) {
  expect(actual.size, `${what}: size`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual.data[i];
    const e = expected[i];
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      throw new Error(`${what}: element ${i}: got ${a}, expected ${e} (|diff| ${Math.abs(a - e)} > ${atol} + ${rtol}·|expected|)`);
    }
  }
}

/**
 * The identity in value, but with derivative 1 + δ: x + δ·(x − stopGradient(x)). Composing it in
 * front of an op scales that op's VJP and JVP rules by 1 + δ, consistently in both modes: a
 * "mutant" derivative rule built from the public API, which G-FD must catch and G-ADJ cannot.
 */
const skew = (delta: number) => (x: Tensor): Tensor => add(x, mul(sub(x, stopGradient(x)), delta));

const shapePairArb = (c: A.ShapeConstraints = {}): fc.Arbitrary<[number[], number[]]> =>
  fc.oneof(A.shapeArb(c).map((s): [number[], number[]] => [s, s]), A.broadcastPairArb(c));

const UNARY: Record<string, (x: Tensor) => Tensor> = { neg, exp, log, sqrt, square, tanh, sigmoid, relu, abs };
const BINARY = { add, sub, mul, div, maximum, minimum };

// ---------------------------------------------------------------------------------------------
// Every differentiable op

const OPS: OpCase[] = [
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
  ).map(([name, values]) => opCase(name, A.tensorArb(values), (x) => ({ f: (t: Tensor) => UNARY[name](t), inputs: [x] }))),
  opCase('pow (positive base, any exponent)', fc.record({ x: A.tensorArb(A.positiveValueArb), exponent: A.exponentValueArb }), ({ x, exponent }) => ({
    f: (t: Tensor) => pow(t, exponent),
    inputs: [x],
  })),

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
    fc.record({ name: fc.constantFrom('add', 'sub', 'mul', 'div' as const), x: A.tensorArb(A.nonZeroValueArb), c: A.nonZeroValueArb, numberFirst: fc.boolean() }),
    ({ name, x, c, numberFirst }) => ({ f: (t: Tensor) => (numberFirst ? BINARY[name](c, t) : BINARY[name](t, c)), inputs: [x] }),
  ),
  opCase(
    'maximum/minimum with a number operand (no ties)',
    A.shapeArb().chain((shape) =>
      fc.record({ name: fc.constantFrom('maximum', 'minimum' as const), shape: fc.constant(shape), vals: A.distinctValuesArb(A.sizeOfShape(shape) + 1), numberFirst: fc.boolean() }),
    ),
    ({ name, shape, vals, numberFirst }) => {
      const c = vals[vals.length - 1];
      return { f: (t: Tensor) => (numberFirst ? BINARY[name](c, t) : BINARY[name](t, c)), inputs: [A.makeTensor(vals.slice(0, -1), shape)] };
    },
  ),

  // matrix products
  opCase('matmul 2-D', A.matmulShapesArb(false).chain(({ a, b }) => fc.tuple(A.tensorOfShapeArb(a), A.tensorOfShapeArb(b))), ([a, b]) => ({
    f: (x: Tensor, y: Tensor) => matmul(x, y),
    inputs: [a, b],
  })),
  opCase('matmul batched with broadcast batch dimensions', A.matmulShapesArb(true).chain(({ a, b }) => fc.tuple(A.tensorOfShapeArb(a), A.tensorOfShapeArb(b))), ([a, b]) => ({
    f: (x: Tensor, y: Tensor) => matmul(x, y),
    inputs: [a, b],
  })),

  // shape ops
  opCase('transpose (random permutation or default)', A.shapeArb().chain((s) => fc.record({ x: A.tensorOfShapeArb(s), perm: A.permutationArb(s.length) })), ({ x, perm }) => ({
    f: (t: Tensor) => transpose(t, perm),
    inputs: [x],
  })),
  opCase('reshape (including -1)', A.reshapePairArb.chain(({ from, to }) => fc.record({ x: A.tensorOfShapeArb(from), to: fc.constant(to) })), ({ x, to }) => ({
    f: (t: Tensor) => reshape(t, to),
    inputs: [x],
  })),
  opCase('broadcastTo', A.broadcastToArb().chain(({ from, to }) => fc.record({ x: A.tensorOfShapeArb(from), to: fc.constant(to) })), ({ x, to }) => ({
    f: (t: Tensor) => broadcastTo(t, to),
    inputs: [x],
  })),
  opCase('sumTo (the inverse of broadcasting)', A.broadcastToArb().chain(({ from, to }) => fc.record({ x: A.tensorOfShapeArb(to), target: fc.constant(from) })), ({ x, target }) => ({
    f: (t: Tensor) => sumTo(t, target),
    inputs: [x],
  })),

  // reductions over random axes, with and without keepdims
  opCase('sum over random axes', A.reductionArb.chain(({ shape, axes, keepdims }) => fc.record({ x: A.tensorOfShapeArb(shape), axes: fc.constant(axes), keepdims: fc.constant(keepdims) })), ({ x, axes, keepdims }) => ({
    f: (t: Tensor) => sum(t, axes, keepdims),
    inputs: [x],
  })),
  opCase('mean over random axes', A.reductionArb.chain(({ shape, axes, keepdims }) => fc.record({ x: A.tensorOfShapeArb(shape), axes: fc.constant(axes), keepdims: fc.constant(keepdims) })), ({ x, axes, keepdims }) => ({
    f: (t: Tensor) => mean(t, axes, keepdims),
    inputs: [x],
  })),
  opCase(
    'max over random axes (no ties)',
    A.reductionArb.chain(({ shape, axes, keepdims }) => fc.record({ x: A.distinctTensorsOfShapesArb([shape]).map(([t]) => t), axes: fc.constant(axes), keepdims: fc.constant(keepdims) })),
    ({ x, axes, keepdims }) => ({ f: (t: Tensor) => max(t, axes, keepdims), inputs: [x] }),
  ),
  opCase('logSumExp over random axes', A.reductionArb.chain(({ shape, axes, keepdims }) => fc.record({ x: A.tensorOfShapeArb(shape), axes: fc.constant(axes), keepdims: fc.constant(keepdims) })), ({ x, axes, keepdims }) => ({
    f: (t: Tensor) => logSumExp(t, axes, keepdims),
    inputs: [x],
  })),

  // softmax family and losses
  ...(['softmax', 'logSoftmax'] as const).map((name) =>
    opCase(`${name} over a random axis`, A.shapeArb({ minRank: 1 }).chain((s) => fc.record({ x: A.tensorOfShapeArb(s), axis: A.axisArb(s.length) })), ({ x, axis }) => ({
      f: (t: Tensor) => (name === 'softmax' ? softmax(t, axis) : logSoftmax(t, axis)),
      inputs: [x],
    })),
  ),
  opCase(
    'softmaxCrossEntropy (logits of rank 1–3)',
    A.shapeArb({ minRank: 1 }).chain((s) => {
      const classes = s[s.length - 1];
      return fc.record({ logits: A.tensorOfShapeArb(s), labels: A.labelsArb(A.sizeOfShape(s) / classes, classes) });
    }),
    ({ logits, labels }) => ({ f: (t: Tensor) => softmaxCrossEntropy(t, labels), inputs: [logits] }),
  ),
  opCase('mse (both arguments)', A.shapeArb().chain((s) => fc.tuple(A.tensorOfShapeArb(s), A.tensorOfShapeArb(s))), ([pred, target]) => ({
    f: (pred: Tensor, targ: Tensor) => mse(pred, targ),
    inputs: [pred, target],
  })),

  // slicing, concatenation, gathering
  opCase(
    'concat of 1–3 tensors along a random axis',
    A.shapeArb({ minRank: 1 }).chain((base) =>
      fc.record({
        axis: A.axisArb(base.length),
        lens: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
      }).chain(({ axis, lens }) => {
        const ax = axis < 0 ? axis + base.length : axis;
        return fc.record({ axis: fc.constant(axis), xs: fc.tuple(...lens.map((n) => A.tensorOfShapeArb(base.map((d, i) => (i === ax ? n : d))))) });
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
          bounds: fc.tuple(fc.integer({ min: 0, max: n }), fc.integer({ min: 0, max: n })).map(([i, j]) => [Math.min(i, j), Math.max(i, j)] as const),
        });
      }),
    ),
    ({ x, axis, bounds: [start, end] }) => ({ f: (t: Tensor) => slice(t, start, end, axis), inputs: [x] }),
  ),
  opCase(
    'take rows (repeats and empty index lists included)',
    A.shapeArb({ minRank: 1 }).chain((s) => fc.record({ x: A.tensorOfShapeArb(s), idx: fc.array(fc.integer({ min: 0, max: s[0] - 1 }), { maxLength: 5 }) })),
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
      fc.record({ x: A.tensorOfShapeArb(s), rate: fc.oneof(A.rateArb, fc.constant(0)), training: fc.boolean(), noiseShape: A.noiseShapeArb(s), seed: A.seedArb, composite: fc.boolean() }),
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
      .record({ batch: fc.integer({ min: 1, max: 3 }), inDim: fc.integer({ min: 1, max: 4 }), outDim: fc.integer({ min: 1, max: 4 }) })
      .chain(({ batch, inDim, outDim }) =>
        fc.record({ W: A.tensorOfShapeArb([inDim, outDim]), x: A.tensorOfShapeArb([batch, inDim]), rate: A.rateWithEdgesArb, convention: A.conventionArb, training: fc.boolean(), seed: A.seedArb }),
      ),
    ({ W, x, rate, convention, training, seed }) => ({
      f: (w: Tensor, t: Tensor) => tanh(matmul(t, dropConnect(key(seed), w, { rate, training, convention }))),
      inputs: [W, x],
    }),
  ),
];

describe('G-FD, G-ADJ: every differentiable op agrees with finite differences (full Jacobian, tight) and is adjoint to rounding', () => {
  it.each(OPS)('G-FD, G-ADJ: $name', (op) => {
    op.forAll(({ f, inputs }) => {
      assertTight(f, inputs);
    });
  });
});

/**
 * The identity in value, with derivative 1 + δ in FORWARD mode only (its VJP is exact): a primitive
 * whose JVP rule is wrong by δ relative. Composed in front of an op, that op's forward-mode rule is
 * off by δ while its reverse-mode rule is right: G-ADJ must see it; G-FD (reverse mode) cannot.
 */
function forwardSkew(delta: number): (x: Tensor) => Tensor {
  const prim: Primitive<null> = {
    name: `forward-skew(${delta})`,
    fwd: ([x]) => new TensorClass(x.data, x.shape),
    vjp: (g) => [() => g],
    jvp: ([t]) => mul(t, 1 + delta),
  };
  return (x: Tensor) => bind(prim, [x], null);
}

/** The entries (or outputs) where an error of δ relative exceeds twice the tolerance: there a rule off by δ must fail. */
const resolvable = (r: TightGradReport, delta: number) => {
  let n = 0;
  for (let e = 0; e < r.entries; e++) if (delta > 2 * r.relativeTolerance[e]) n++;
  return n;
};

describe('G-FD, G-ADJ: the tight checks catch rules the users\' defaults pass', () => {
  // skew(δ) multiplies the op's Jacobian by 1 + δ in forward and reverse mode alike. With δ = 1e-6 the
  // users' defaults (atol 1e-5 + rtol 1e-3) pass it; the tight check must fail wherever some entry's
  // tolerance is below δ/2 of |J| (then |analytic − numeric| ≥ δ|J| − tolerance > tolerance).
  it.each(OPS)('G-FD mutant: $name with its rule off by 1e-6 relative fails the tight check (checkGrad\'s defaults pass it)', (op) => {
    let detected = 0;
    op.forAll(({ f, inputs }) => {
      const mutant = (...xs: Tensor[]) => f(...xs.map(skew(1e-6)));
      const correct = checkGradTight(f, inputs);
      const tight = checkGradTight(mutant, inputs);
      if (resolvable(correct, 1e-6) > 0) {
        expect(tight.ok, tight.message).toBe(false);
        expect(tight.maxRatio).toBeGreaterThan(1);
        expect(checkGrad(mutant, inputs).ok).toBe(true); // the users' defaults pass it
        detected++;
      }
    }, MUTANT_RUNS);
    expect(detected).toBeGreaterThan(0);
  });

  // forwardSkew(1e-9): J u is off by 1e-9 relative, Jᵀv exact. checkGrad's adjoint tolerance (the
  // finite-difference allowance) passes it; the rounding bound must not, wherever 1e-9 of |J u|
  // exceeds twice the bound at some output.
  it.each(OPS)('G-ADJ mutant: $name with its forward rule off by 1e-9 relative fails the tight check (checkGrad\'s defaults pass it)', (op) => {
    let detected = 0;
    op.forAll(({ f, inputs }) => {
      const mutant = (...xs: Tensor[]) => f(...xs.map(forwardSkew(1e-9)));
      const tight = checkGradTight(mutant, inputs);
      const correct = checkGradTight(f, inputs);
      const { lhs, tolerance } = correct.adjoint;
      if (1e-9 * Math.abs(lhs) > 2 * tolerance) {
        expect(tight.adjoint.ok, tight.message).toBe(false);
        expect(tight.ok).toBe(false);
        const old = checkGrad(mutant, inputs);
        expect(old.adjoint.ok && old.ok, old.message).toBe(true); // the users' defaults pass it
        detected++;
      }
      expect(tight.maxRatio).toBeLessThanOrEqual(1); // reverse mode is right: G-FD holds
    }, MUTANT_RUNS);
    expect(detected).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------
// stopGradient in detail: the derivative is exactly zero, in both modes

describe('G-FD, G-ADJ: stopGradient has derivative exactly zero', () => {
  it('G-FD: grad of x·stopGradient(x) is x (not 2x); jvp of stopGradient(f(x)) is zero', () => {
    holds(
      fc.property(A.tensorArb(), (x) => {
        expect(Array.from(grad((t: Tensor) => sum(mul(t, stopGradient(t))))(x).data)).toEqual(Array.from(x.data));
        const { value, tangent } = jvp((t: Tensor) => stopGradient(exp(t)), [x], [x]);
        expect(Array.from(tangent.data).every((v) => v === 0)).toBe(true);
        expect(Array.from(value.data)).toEqual(Array.from(exp(x).data));
      }),
      { numRuns: RUNS },
      { basis: { reference: 'the definition: stopGradient has derivative 0, so grad of x·stopGradient(x) is x.', tolerance: 'exact.' } },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Random MLPs with dropout

/** Pre-activations of every hidden layer: the same network truncated after that layer (mlp masks layer i with foldIn(key, i)). */
function hiddenPreActivations(c: A.MLPCase, params: MLPParams, x: Tensor, k: ReturnType<typeof key>): Tensor[] {
  const { sizes, hiddenRate } = c.spec;
  return Array.from({ length: sizes.length - 2 }, (_, j) => {
    const net = mlp({ ...c.spec, sizes: sizes.slice(0, j + 2), hiddenRate: typeof hiddenRate === 'number' ? hiddenRate : hiddenRate.slice(0, j) });
    return net.apply(params.slice(0, j + 1), x, { training: true, key: k });
  });
}

interface MLPProblem {
  c: A.MLPCase;
  x: Tensor;
  labels: number[];
  target: Tensor;
  loss: 'softmaxCrossEntropy' | 'mse';
  wrtInput: boolean;
}

const mlpProblemArb: fc.Arbitrary<MLPProblem> = A.mlpCaseArb.chain((c) => {
  const sizes = c.spec.sizes;
  const [inDim, outDim] = [sizes[0], sizes[sizes.length - 1]];
  return fc.record({
    c: fc.constant(c),
    x: A.tensorOfShapeArb([c.batch, inDim]),
    labels: A.labelsArb(c.batch, outDim),
    target: A.tensorOfShapeArb([c.batch, outDim]),
    loss: fc.constantFrom('softmaxCrossEntropy' as const, 'mse' as const),
    wrtInput: fc.boolean(),
  });
});

/** The stencil's step h of checkGradTight's default: an evaluation moves one element by at most 2h. */
const STEP = 2 ** -12;

/**
 * Whether every hidden pre-activation z of a relu network stays on its side of the kink while the
 * checks move one parameter (or input element) θ: |z| > max(KINK_MARGIN, 4h·max_θ |∂z/∂θ|). A relu
 * network's pre-activations are linear in any single parameter as long as no upstream unit crosses
 * 0, so (by induction over the layers) no evaluation of the stencil (reach 2h) or of checkGrad
 * (reach 1e-6) crosses a kink: the factor 2 is a margin.
 */
function awayFromKinks(c: A.MLPCase, params: MLPParams, x: Tensor, k: ReturnType<typeof key>): boolean {
  const pre = (ps: Tree, t: Tensor) => concat(hiddenPreActivations(c, ps as unknown as MLPParams, t, k).map((z) => reshape(z, [-1])));
  const { value, pullback } = vjp(pre, params as unknown as Tree, x);
  for (let o = 0; o < value.size; o++) {
    const e = new Float64Array(value.size);
    e[o] = 1;
    let slope = 0;
    for (const leaf of flatten(pullback(tensor(e, value.shape)) as Tree).leaves) for (const g of leaf.data) slope = Math.max(slope, Math.abs(g));
    if (!(Math.abs(value.data[o]) > Math.max(A.KINK_MARGIN, 4 * STEP * slope))) return false;
  }
  return true;
}

/** The loss of a random MLP with dropout, masks fixed by key(seed + 1); skips (fc.pre) relu networks with a pre-activation too near the kink (awayFromKinks). */
function mlpProblem({ c, x, labels, target, loss, wrtInput }: MLPProblem): Built {
  const net = mlp(c.spec);
  const params = net.init(key(c.seed));
  const k = key(c.seed + 1);
  if (c.spec.activation === 'relu') fc.pre(awayFromKinks(c, params, x, k));
  const lossOf = (out: Tensor) => (loss === 'mse' ? mse(out, target) : softmaxCrossEntropy(out, labels));
  const f = (ps: MLPParams, t: Tensor) => lossOf(net.apply(ps, t, { training: true, key: k }));
  return wrtInput ? { f, inputs: [params as unknown as Tree, x] } : { f: (ps: MLPParams) => f(ps, x), inputs: [params as unknown as Tree] };
}

describe('G-FD, G-ADJ: random MLPs with dropout (fixed keys), loss softmaxCrossEntropy or mse', () => {
  it('G-FD, G-ADJ: the tight check over the parameter tree (and the input)', () => {
    holds(
      fc.property(mlpProblemArb, (problem) => {
        const { f, inputs } = mlpProblem(problem);
        assertTight(f, inputs);
      }),
      { numRuns: runs(20) },
    );
  });

  it('G-FD, G-ADJ: a backward rule off by 1e-6 relative (all parameters) fails the tight check on every generated network with a nonzero gradient; checkGrad\'s defaults pass it', () => {
    let resolved = 0, total = 0;
    holds(
      fc.property(mlpProblemArb, (problem) => {
        const { f, inputs } = mlpProblem(problem);
        const mutant = (...args: Tree[]) => f(...args.map((a) => flatten(a).rebuild(flatten(a).leaves.map(skew(1e-6)))));
        const correct = checkGradTight(f, inputs);
        total++;
        // a network whose gradient is 0 (one class, every relu dead) has nothing to catch
        if (resolvable(correct, 1e-6) === 0) return;
        resolved++;
        const r = checkGradTight(mutant, inputs);
        expect(r.ok, 'the tight check must fail').toBe(false);
        expect(r.maxRatio).toBeGreaterThan(1);
        expect(checkGrad(mutant, inputs).ok).toBe(true);
      }),
      { numRuns: FEW },
    );
    expect(resolved).toBeGreaterThan(total / 2);
  });

  it('G-ADJ: a forward rule off by 1e-9 relative fails the tight check on every generated network where it moves ⟨v, Ju⟩ by more than twice the bound; checkGrad\'s defaults pass it', () => {
    let detected = 0, total = 0;
    holds(
      fc.property(mlpProblemArb, (problem) => {
        const { f, inputs } = mlpProblem(problem);
        const mutant = (...args: Tree[]) => f(...args.map((a) => flatten(a).rebuild(flatten(a).leaves.map(forwardSkew(1e-9)))));
        const correct = checkGradTight(f, inputs);
        total++;
        if (!(1e-9 * Math.abs(correct.adjoint.lhs) > 2 * correct.adjoint.tolerance)) return; // e.g. a constant loss (one class)
        detected++;
        const r = checkGradTight(mutant, inputs);
        expect(r.ok).toBe(false);
        expect(r.adjoint.ok && r.forward.ok, r.message).toBe(false);
        expect(r.maxRatio).toBeLessThanOrEqual(1); // reverse mode is right
        const old = checkGrad(mutant, inputs);
        expect(old.ok && old.adjoint.ok, old.message).toBe(true);
      }),
      { numRuns: FEW },
    );
    expect(detected).toBeGreaterThan(total / 2);
  });

  for (const mode of ['full', 'fast'] as const) {
    it(`G-FD, G-ADJ: assertGrad (${mode}), the users' defaults, passes with no entry excused as a kink`, () => {
      holds(
        fc.property(mlpProblemArb, (problem) => {
          const { f, inputs } = mlpProblem(problem);
          const report = assertGradObserved(f, inputs, { mode });
          expect(report.mode).toBe(mode);
          expect(report.adjoint.ok).toBe(true);
        }),
        { numRuns: runs(20) },
        { basis: USER_BASIS },
      );
    });
  }

  it('the truncated-network pre-activations used for the relu margin match the full network', () => {
    // guards hiddenPreActivations: the last "pre-activation" of a network with one more linear layer is its output
    holds(
      fc.property(A.mlpCaseArb, (c) => {
        const net = mlp(c.spec);
        const params = net.init(key(c.seed));
        const x = normal(key(c.seed), [c.batch, c.spec.sizes[0]]);
        const k = key(c.seed + 1);
        const longer = { ...c, spec: { ...c.spec, sizes: [...c.spec.sizes, 1], hiddenRate: typeof c.spec.hiddenRate === 'number' ? c.spec.hiddenRate : [...c.spec.hiddenRate, 0] } };
        const pre = hiddenPreActivations(longer, [...params, { W: normal(k, [c.spec.sizes[c.spec.sizes.length - 1], 1]), b: tensor([0]) }], x, k);
        expect(Array.from(pre[pre.length - 1].data)).toEqual(Array.from(net.apply(params, x, { training: true, key: k }).data));
      }),
      { numRuns: FEW },
      { basis: { reference: 'the full network’s output, as the last pre-activation of a network with one more linear layer.', tolerance: 'exact (the same operations).' } },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Higher order: grad of grad, jvp of grad, grad of jvp

interface ScalarFn {
  name: string;
  arb: fc.Arbitrary<Tensor>;
  f: (x: Tensor) => Tensor;
}
const vec = (values: fc.Arbitrary<number> = A.boundedValueArb) => A.tensorArb(values, { minRank: 1, maxRank: 2 });
const SCALAR_FNS: ScalarFn[] = [
  { name: 'sum(tanh(x)·exp(x))', arb: vec(), f: (x) => sum(mul(tanh(x), exp(x))) },
  { name: 'logSumExp(x)', arb: vec(), f: (x) => logSumExp(x) },
  { name: 'sum(sigmoid(x)·x²) / (1 + mean(x²))', arb: vec(), f: (x) => div(sum(mul(sigmoid(x), square(x))), add(1, mean(square(x)))) },
  { name: 'sum(log(x)·sqrt(x) + x^2.5), x > 0', arb: vec(A.positiveValueArb), f: (x) => sum(add(mul(log(x), sqrt(x)), pow(x, 2.5))) },
  { name: 'softmaxCrossEntropy(x)', arb: vec(), f: (x) => softmaxCrossEntropy(reshape(x, [-1, x.shape[x.ndim - 1]]), new Array(x.size / x.shape[x.ndim - 1]).fill(0)) },
  {
    name: 'sum(relu(x)·x) + max(x)·sum(x) (away from kinks and ties)',
    arb: A.distinctTensorArb({ minRank: 1, maxRank: 2 }),
    f: (x) => add(sum(mul(relu(x), x)), mul(max(x), sum(x))),
  },
  {
    name: 'sum(tanh(X·Xᵀ)²) (matmul rules differentiated again)',
    arb: A.tensorArb(A.boundedValueArb, { minRank: 2, maxRank: 2, maxDim: 3 }),
    f: (x) => sum(square(tanh(matmul(x, transpose(x))))),
  },
  {
    name: 'sum(tanh(dropout(x)·W)²) with a fixed key, rate 0.3',
    arb: vec(),
    f: (x) => {
      const h = dropout(key(7), reshape(x, [1, -1]), { rate: 0.3, training: true });
      return sum(square(tanh(matmul(h, normal(key(8), [x.size, 3])))));
    },
  },
];

const withDirection = (arb: fc.Arbitrary<Tensor>) => arb.chain((x) => fc.tuple(fc.constant(x), A.tensorOfShapeArb(x.shape)));

/** γ_k = k·u/(1 − k·u), u = 2^−53: the rounding of a chain of k operations, relative to the size of its terms. */
const gamma = (k: number) => (k * 2 ** -53) / (1 - k * 2 ** -53);

describe('G-FD, G-ADJ: higher-order derivatives (Hessians and Hessian-vector products)', () => {
  it.each(SCALAR_FNS)('G-FD, G-ADJ: grad of grad (Hessian) of $name passes the tight check', ({ arb, f }) => {
    // the Jacobian of x ↦ ∇f(x) is the Hessian: reverse-over-reverse against finite differences of
    // the gradient, and forward-over-reverse against reverse-over-reverse in the adjoint check
    holds(
      fc.property(arb, (x) => {
        assertTight((t: Tensor) => grad(f)(t), [x]);
      }),
      { numRuns: FEW },
    );
  });

  it.each(SCALAR_FNS)('G-FD: Hessian-vector products of $name: jvp of grad, grad of grad, grad of jvp agree with finite differences of the gradient (tight) and with each other to rounding', ({ arb, f }) => {
    // reference: H·v with H the numeric Jacobian of the gradient (numericJacobian: evaluations of
    // grad f only), within Σ_j tol_oj·|v_j| + γ_n·Σ_j |H_oj v_j|; each AD route adds its own
    // rounding, 2γ_32·(Σ_j |H_oj||v_j| + ‖v‖∞) (the model of checkGradTight's adjoint check)
    holds(
      fc.property(withDirection(arb), ([x, v]) => {
        const g = (t: Tensor): Tensor => grad(f)(t);
        const H = numericJacobian(g, [x]);
        expect(H.unresolved).toEqual([]);
        const n = x.size;
        const vMax = Math.max(0, ...Array.from(v.data, Math.abs));
        const ref = new Float64Array(n), refTol = new Float64Array(n), adTol = new Float64Array(n);
        for (let o = 0; o < n; o++) {
          let absHv = 0;
          for (let j = 0; j < n; j++) {
            ref[o] += H.values[o * n + j] * v.data[j];
            refTol[o] += H.tolerance[o * n + j] * Math.abs(v.data[j]);
            absHv += Math.abs(H.values[o * n + j] * v.data[j]);
          }
          refTol[o] += gamma(n) * absHv;
          adTol[o] = 2 * gamma(32) * (absHv + vMax) + 64 * Number.MIN_VALUE;
        }
        const forwardOverReverse = jvp(g, [x], [v]).tangent;
        const reverseOverReverse: Tensor = grad((t: Tensor) => sum(mul(g(t), v)))(x);
        const reverseOverForward: Tensor = grad((t: Tensor) => jvp(f, [t], [v]).tangent)(x);
        for (const [name, hv] of [['jvp of grad', forwardOverReverse], ['grad of grad', reverseOverReverse], ['grad of jvp', reverseOverForward]] as const) {
          expect(hv.shape).toEqual(x.shape);
          for (let o = 0; o < n; o++) {
            const err = Math.abs(hv.data[o] - ref[o]);
            observe(err / (refTol[o] + adTol[o]));
            if (!(err <= refTol[o] + adTol[o])) throw new Error(`${name} vs finite differences of the gradient: element ${o}: ${hv.data[o]} vs ${ref[o]}, |diff| ${err} > ${refTol[o] + adTol[o]}`);
            // the three AD routes compute the same products in different orders: agreement to rounding
            const gap = Math.abs(hv.data[o] - forwardOverReverse.data[o]);
            if (!(gap <= 2 * adTol[o])) throw new Error(`${name} vs jvp of grad: element ${o}: ${hv.data[o]} vs ${forwardOverReverse.data[o]}, |diff| ${gap} > ${2 * adTol[o]}`);
          }
        }
      }),
      { numRuns: FEW },
    );
  });

  it('G-FD, G-ADJ: third order — the Hessian-vector product (x, v) ↦ H(x)·v itself passes the tight check', () => {
    // v is an input, not a closed-over constant: the rounding model sizes f's numbers by its inputs
    holds(
      fc.property(fc.constantFrom(...SCALAR_FNS).chain(({ arb, f }) => withDirection(arb).map(([x, v]) => ({ f, x, v }))), ({ f, x, v }) => {
        assertTight((t: Tensor, w: Tensor) => jvp((s: Tensor) => grad(f)(s), [t], [w]).tangent, [x, v]);
      }),
      { numRuns: FEW },
    );
  });

  it('G-FD: grad³ of x⁴ + eˣ + log x + x·√x is 24x + eˣ + 2/x³ − (3/8)x^(−3/2) (closed form, to rounding)', () => {
    const f = (x: Tensor) => add(add(pow(x, 4), exp(x)), add(log(x), mul(x, sqrt(x))));
    const d1 = (x: Tensor): Tensor => grad(f)(x);
    const d2 = (x: Tensor): Tensor => grad((t: Tensor) => d1(t))(x);
    const d3 = (x: Tensor): Tensor => grad((t: Tensor) => d2(t))(x);
    holds(
      fc.property(A.positiveValueArb, (v) => {
        const x = A.makeTensor([v], []);
        const terms = [24 * v, Math.exp(v), 2 / v ** 3, -0.375 * v ** -1.5];
        // both sides sum the same four terms, each within a few ulps (Math and the engine's rules): γ_32 of Σ|terms|
        const tol = gamma(32) * terms.reduce((s, t) => s + Math.abs(t), 0);
        const err = Math.abs(d3(x).item() - terms.reduce((s, t) => s + t, 0));
        observe(err / tol);
        expect(err).toBeLessThanOrEqual(tol);
        assertTight(d2, [x]);
      }),
      { numRuns: RUNS },
      { basis: { reference: 'the closed form 24x + eˣ + 2/x³ − (3/8)x^(−3/2), derived by hand; and numericJacobian of the second derivative.', tolerance: 'γ_32·Σ|terms| (rounding of four terms, each within a few ulps); the tight check’s per-entry tolerance.' } },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Gradient accumulation: several uses of one tensor, broadcast inputs

/** Reference for f(a, b) = sum(a·b + exp(a)) with broadcasting, in plain JS over the output's indices. */
function broadcastReference(a: Tensor, b: Tensor): { ga: Float64Array; gb: Float64Array } {
  const out = A.broadcastShape(a.shape, b.shape);
  const flatIndex = (idx: number[], shape: readonly number[]) => {
    const off = idx.length - shape.length;
    return shape.reduce((acc, d, i) => acc * d + (d === 1 ? 0 : idx[off + i]), 0);
  };
  const ga = new Float64Array(a.size);
  const gb = new Float64Array(b.size);
  for (let o = 0; o < A.sizeOfShape(out); o++) {
    const idx: number[] = [];
    let r = o;
    for (let i = out.length - 1; i >= 0; i--) {
      idx[i] = r % out[i];
      r = Math.floor(r / out[i]);
    }
    const ia = flatIndex(idx, a.shape);
    const ib = flatIndex(idx, b.shape);
    ga[ia] += b.data[ib] + Math.exp(a.data[ia]);
    gb[ib] += a.data[ia];
  }
  return { ga, gb };
}

describe('G-FD: gradients accumulate over every use of a tensor and sum back over broadcasting', () => {
  it('G-FD: diamond graph f(x) = sum(x·x + exp(x)·x) has gradient 2x + eˣ(1 + x)', () => {
    const f = (x: Tensor) => sum(add(mul(x, x), mul(exp(x), x)));
    holds(
      fc.property(A.tensorArb(), (x) => {
        // closed form vs reverse mode: the same float operations up to order, so rounding-level tolerance
        const expected = Array.from(x.data, (v) => 2 * v + Math.exp(v) * (1 + v));
        expectClose(grad(f)(x), expected, 'reverse-mode gradient', 1e-12, 1e-12);
        expectClose(jvp(f, [x], [A.makeTensor(new Array(x.size).fill(1), x.shape)]).tangent, [expected.reduce((s, v) => s + v, 0)], 'forward-mode derivative along 1', 1e-10, 1e-12);
        assertTight(f, [x]);
      }),
      { numRuns: RUNS },
      { basis: { reference: 'the closed form 2x + eˣ(1 + x) in plain JS (Math.exp), and numericJacobian.', tolerance: '1e-12 relative for the closed form (the same operations up to order); the tight check’s per-entry tolerance.' } },
    );
  });

  it('G-FD: a tensor used k times through concat/take gets the sum of its uses, exactly', () => {
    holds(
      fc.property(
        A.shapeArb({ minRank: 1 }).chain((s) => fc.record({ x: A.tensorOfShapeArb(s), idx: fc.array(fc.integer({ min: 0, max: s[0] - 1 }), { maxLength: 6 }) })),
        ({ x, idx }) => {
          const g: Tensor = grad((t: Tensor) => add(sum(concat([t, mul(t, 2), t], 0)), sum(take(t, idx))))(x);
          const inner = x.size / x.shape[0];
          const counts = Array.from({ length: x.shape[0] }, (_, r) => idx.filter((i) => i === r).length);
          expect(Array.from(g.data)).toEqual(Array.from(g.data, (_, j) => 4 + counts[Math.floor(j / inner)]));
        },
      ),
      { numRuns: RUNS },
      { basis: { reference: 'the count of each row’s uses (4 + its repeats in idx), by hand.', tolerance: 'exact (small integers).' } },
    );
  });

  it('G-FD: broadcast inputs of f(a, b) = sum(a·b + exp(a)) get gradients summed back to their own shapes', () => {
    const f = (a: Tensor, b: Tensor) => sum(add(mul(a, b), exp(a)));
    holds(
      fc.property(
        A.broadcastPairArb().chain(([sa, sb]) => fc.tuple(A.tensorOfShapeArb(sa), A.tensorOfShapeArb(sb))),
        ([a, b]) => {
          const { ga, gb } = broadcastReference(a, b);
          const [da, db] = valueAndGrad(f, { argnums: [0, 1] })(a, b).grad as Tensor[];
          expect(da.shape).toEqual(a.shape);
          expect(db.shape).toEqual(b.shape);
          // the same sums in a different order: rounding-level tolerance
          expectClose(da, ga, 'gradient of a', 1e-12, 1e-12);
          expectClose(db, gb, 'gradient of b', 1e-12, 1e-12);
          assertTight(f, [a, b]);
        },
      ),
      { numRuns: RUNS },
      { basis: { reference: 'the gradients summed over the broadcast output’s indices in plain JS (broadcastReference), and numericJacobian.', tolerance: '1e-12 relative (the same sums in another order); the tight check’s per-entry tolerance.' } },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The checker itself

/** f(x) = x² + stopGradient(x²): value 2x², true derivative 4x, but the analytic gradient is 2x. */
const wrongDerivative = (x: Tensor) => add(mul(x, x), stopGradient(mul(x, x)));

/** Indices of the elements of largest magnitude (the wrong derivative's error 2|x| is largest there). */
const argmaxAbs = (x: Tensor) => {
  const m = Math.max(...Array.from(x.data, Math.abs));
  return Array.from(x.data.keys()).filter((i) => Math.abs(x.data[i]) >= m * (1 - 1e-12));
};

function expectWorstIsNamed(report: GradCheckReport, x: Tensor) {
  const w = report.worst;
  expect(w).not.toBeNull();
  if (w === null) return;
  expect(w.input).toBe(0);
  expect(argmaxAbs(x)).toContain(w.element);
  expect(w.output).toBe(w.element); // elementwise: the worst entry is on the Jacobian's diagonal
  const xj = x.data[w.element];
  expect(w.analytic).toBeCloseTo(2 * xj, 12);
  expect(Math.abs(w.numeric - 4 * xj)).toBeLessThanOrEqual(1e-5 + 1e-3 * Math.abs(4 * xj));
  expect(report.message).toContain(`element ${w.element}`);
  expect(report.message).toContain(`analytic ${w.analytic}`);
  expect(report.message).toContain(`numeric ${w.numeric}`);
}

describe('G-FD, G-ADJ: the checker can fail, and its report is consistent', () => {
  const xs = A.tensorArb(A.awayFromZeroValueArb);

  it('G-FD: a wrong derivative (x² + stopGradient(x²)) fails in full mode and the report names the worst element', () => {
    holds(
      fc.property(xs, (x) => {
        const report = checkGrad(wrongDerivative, [x], { mode: 'full' });
        expect(report.ok).toBe(false);
        expect(report.mode).toBe('full');
        // forward and reverse mode agree with each other (both drop the stopped path): only G-FD fails
        expect(report.adjoint.ok).toBe(true);
        expect(report.maxAbsError).toBeGreaterThan(1.9 * Math.max(...Array.from(x.data, Math.abs)));
        expectWorstIsNamed(report, x);
      }),
      { numRuns: RUNS },
      { basis: CHECKER_BASIS },
    );
  });

  it('G-FD: the wrong derivative fails in fast mode too, and the full rerun names the worst element', () => {
    // fast mode compares one projection vᵀJu: the analytic 2Σx·u·v against the numeric 4Σx·u·v. It
    // could only pass if |Σ x_i u_i| fell below ~1e-5·Σ|u_i|, a probability of order 1e-5 per case.
    holds(
      fc.property(xs, (x) => {
        const report = checkGrad(wrongDerivative, [x], { mode: 'fast' });
        expect(report.ok).toBe(false);
        expect(report.mode).toBe('fast');
        expect(report.fullRerun?.ok).toBe(false);
        expect(report.message).toContain('full rerun');
        expectWorstIsNamed(report, x);
      }),
      { numRuns: RUNS },
      { basis: CHECKER_BASIS },
    );
  });

  it('G-FD: assertGrad throws a GradCheckError carrying the failing report, in both modes', () => {
    holds(
      fc.property(xs, fc.constantFrom('full' as const, 'fast' as const), (x, mode) => {
        let caught: unknown;
        try {
          assertGradObserved(wrongDerivative, [x], { mode });
        } catch (e) {
          caught = e;
        }
        expect(caught).toBeInstanceOf(GradCheckError);
        const err = caught as GradCheckError;
        expect(err.name).toBe('GradCheckError');
        expect(err.report.ok).toBe(false);
        expect(err.message).toBe(err.report.message);
        expectWorstIsNamed(err.report, x);
      }),
      { numRuns: RUNS },
      { basis: CHECKER_BASIS },
    );
  });

  it('G-ADJ: on passing cases the adjoint fields are present and consistent (full and fast)', () => {
    const cases = [OPS.find((o) => o.name.startsWith('matmul batched'))!, OPS.find((o) => o.name.startsWith('softmax over'))!, OPS.find((o) => o.name.startsWith('dropout'))!];
    for (const op of cases) {
      op.forAll(({ f, inputs }) => {
        for (const mode of ['full', 'fast'] as const) {
          const r = checkGrad(f, inputs, { mode });
          expect(r.ok, r.message).toBe(true);
          const { lhs, rhs, error, tolerance, ok } = r.adjoint;
          for (const v of [lhs, rhs, error, tolerance]) expect(Number.isFinite(v)).toBe(true);
          expect(error).toBe(Math.abs(lhs - rhs));
          expect(tolerance).toBeGreaterThan(0);
          expect(ok).toBe(error <= tolerance);
          expect(ok).toBe(true);
          if (mode === 'fast') {
            // fast mode compares both sides of the adjoint identity with the finite-difference projection
            expect([lhs, rhs]).toContain(r.worst?.analytic);
            expect(r.maxAbsError).toBe(Math.max(Math.abs(rhs - r.worst!.numeric), Math.abs(lhs - r.worst!.numeric)));
          }
        }
      }, FEW, CHECKER_BASIS);
    }
  });

  it('G-ADJ: a function that draws a fresh dropout key on every call breaks the adjoint identity and is reported', () => {
    // forward and reverse passes see different masks: ⟨v, m₁⊙u⟩ ≠ ⟨m₂⊙v, u⟩
    let calls = 0;
    const unfixed = (x: Tensor) => dropout(key(1000 + calls++), x, { rate: 0.5, training: true });
    const x = normal(key(1), [4, 4]);
    for (const mode of ['full', 'fast'] as const) {
      const r = checkGrad(unfixed, [x], { mode });
      expect(r.ok).toBe(false);
      expect(r.adjoint.ok).toBe(false);
      expect(r.adjoint.error).toBeGreaterThan(r.adjoint.tolerance);
      expect(r.message).toContain('forward and reverse mode disagree');
    }
  });

  // Regression: an adjoint tolerance scaled by the final inner products alone failed correct code
  // whose intermediates cancel (honest rounding ≈ 9e-16 against a tolerance ≈ 6e-17).
  it('G-ADJ: the linear map 3x − (3 − 1e-7)x passes the adjoint check', () => {
    const r = checkGrad((x: Tensor) => sub(mul(x, 3), mul(x, 3 - 1e-7)), [ones([4])]);
    expect(r.maxAbsError).toBeLessThan(1e-5); // G-FD holds
    expect(r.adjoint.ok, r.message).toBe(true); // honest rounding |lhs − rhs| ≈ 9e-16
  });

  it('checkGrad does not mutate its inputs (tensors and trees, passing and failing functions, both modes)', () => {
    holds(
      fc.property(
        A.shapeArb().chain((s) => fc.tuple(A.tensorOfShapeArb(s), A.tensorOfShapeArb(s, A.awayFromZeroValueArb), A.tensorOfShapeArb(s))),
        ([a, b, c]) => {
          const tree = { w: a, rest: [b, { c }] } as unknown as Tree;
          const inputs: Tree[] = [tree, b];
          const snapshot = () => [a, b, c].map((t) => ({ t, data: Array.from(t.data), shape: [...t.shape], ref: t.data }));
          const before = snapshot();
          const fns: Fn[] = [
            (t: { w: Tensor; rest: [Tensor, { c: Tensor }] }, y: Tensor) => sum(mul(add(t.w, t.rest[1].c), tanh(mul(t.rest[0], y)))),
            (t: { w: Tensor; rest: [Tensor, { c: Tensor }] }, y: Tensor) => add(sum(wrongDerivative(t.rest[0])), sum(mul(t.w, y))),
          ];
          for (const f of fns) for (const mode of ['full', 'fast'] as const) checkGrad(f, inputs, { mode });
          expect(inputs[0]).toBe(tree);
          expect(inputs[1]).toBe(b);
          const t = tree as unknown as { w: Tensor; rest: [Tensor, { c: Tensor }] };
          expect(t.w).toBe(a);
          expect(t.rest[0]).toBe(b);
          expect(t.rest[1].c).toBe(c);
          snapshot().forEach((s, i) => {
            expect(s.ref).toBe(before[i].ref);
            expect(s.shape).toEqual(before[i].shape);
            expect(s.data.every((v, j) => Object.is(v, before[i].data[j]))).toBe(true);
          });
        },
      ),
      { numRuns: FEW },
      { basis: CHECKER_BASIS },
    );
  });

  it('bad options throw before f is called: eps ≤ 0 or not finite, unknown mode, negative tolerances', () => {
    const x = tensor([1, 2]);
    let calls = 0;
    const f = (t: Tensor) => (calls++, sum(square(t)));
    holds(
      fc.property(fc.oneof(fc.double({ max: 0 }), fc.constantFrom(Infinity, NaN)), (eps) => {
        expect(() => checkGrad(f, [x], { eps })).toThrow(RangeError);
        expect(() => assertGradObserved(f, [x], { eps, mode: 'fast' })).toThrow(RangeError);
      }),
      { numRuns: RUNS },
      { basis: CHECKER_BASIS },
    );
    holds(
      fc.property(fc.string().filter((s) => s !== 'full' && s !== 'fast'), (mode) => {
        expect(() => checkGrad(f, [x], { mode: mode as 'full' })).toThrow(/mode must be 'full' or 'fast'/);
      }),
      { numRuns: RUNS },
      { basis: CHECKER_BASIS },
    );
    expect(() => checkGrad(f, [x], { atol: -1e-5 })).toThrow(RangeError);
    expect(() => checkGrad(f, [x], { rtol: -1e-3 })).toThrow(RangeError);
    expect(() => checkGrad(f, [x], { atol: NaN })).toThrow(RangeError);
    expect(calls).toBe(0);
    expect(() => checkGrad(42 as unknown as Fn, [x])).toThrow(TypeError);
    expect(() => checkGrad(f, x as unknown as Tree[])).toThrow(TypeError);
  });

  it('on a correct function assertGrad returns the passing report', () => {
    const r = assertGradObserved((t: Tensor) => sum(mul(neg(t), exp(t))), [tensor([0.5, -1, 2])]);
    expect(r.ok).toBe(true);
    expect(r.maxAbsError).toBeLessThan(1e-5);
    expect(r.message).toMatch(/^gradient check passed \(full\)/);
  });
});

// ---------------------------------------------------------------------------------------------
// What the tight checks above achieved: error against tolerance, and how tight the tolerance is

/** Every value's rank preserved in at most k values (sorted), so the report's histogram and quantiles stay those of all. */
function quantileSample(values: readonly number[], k = 2000): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length <= k) return sorted;
  return Array.from({ length: k }, (_, i) => sorted[Math.round((i * (sorted.length - 1)) / (k - 1))]);
}
const quantileOf = (values: readonly number[], f: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))];
};

describe('The tight checks\' achieved error against their tolerances (every check above)', () => {
  it('G-FD: |analytic − numeric| / tolerance over every Jacobian entry the tight checks compared (≤ 1 passes)', () => {
    const { ratio } = collected;
    const max = ratio.reduce((m, r) => Math.max(m, r), 0);
    check({
      cases: ratio.length,
      maxError: max,
      ok: ratio.length > 0 && max <= 1,
      details: {
        distribution: { name: 'error-over-tolerance', values: quantileSample(ratio.filter((r) => r > 0)), xlabel: '|analytic − numeric| / tolerance per Jacobian entry that is not exact (log scale)' },
        checks: collected.checks,
        exactlyEqual: ratio.filter((r) => r === 0).length,
        quantiles: { median: quantileOf(ratio, 0.5), q90: quantileOf(ratio, 0.9), q99: quantileOf(ratio, 0.99), max },
      },
    });
  });

  it('G-FD: tolerance / |numeric| per Jacobian entry of at least 1e-3 of its row’s largest: the relative error of a rule the tight check resolves (a rule off by 1e-6 fails wherever this is < 5e-7)', () => {
    const { relTol } = collected;
    const q90 = quantileOf(relTol, 0.9);
    check({
      cases: relTol.length,
      maxError: null,
      // the check is tight where it matters: for 90% of the entries a rule off by 1e-6 relative fails
      ok: relTol.length > 0 && q90 < 5e-7,
      details: {
        distribution: { name: 'tolerance-over-jacobian', values: quantileSample(relTol), xlabel: 'tolerance / |numeric| per Jacobian entry (log scale)' },
        quantiles: { q10: quantileOf(relTol, 0.1), median: quantileOf(relTol, 0.5), q90, q99: quantileOf(relTol, 0.99) },
        resolvesOneInAMillion: relTol.filter((r) => r < 5e-7).length,
        criterion: '90% quantile < 5e-7 (then a rule off by 1e-6 relative exceeds twice the tolerance on 90% of the entries)',
      },
      basis: { reference: 'the tolerances of the tight checks above.', tolerance: 'criterion: 90% of the entries resolve a relative error of 1e-6 (tolerance < 5e-7·|J|).' },
    });
  });

  it('G-ADJ: |⟨v, Ju⟩ − ⟨Jᵀv, u⟩| / rounding bound, and forward mode per output / its bound, every tight check (≤ 1 passes)', () => {
    const { adjoint, forward } = collected;
    const max = [...adjoint, ...forward].reduce((m, r) => Math.max(m, r), 0);
    check({
      cases: adjoint.length,
      maxError: max,
      ok: adjoint.length > 0 && max <= 1,
      details: {
        distribution: { name: 'adjoint-error-over-bound', values: quantileSample(adjoint.filter((r) => r > 0)), xlabel: '|⟨v, Ju⟩ − ⟨Jᵀv, u⟩| / rounding bound per check where they differ (log scale)' },
        adjointQuantiles: { median: quantileOf(adjoint, 0.5), q90: quantileOf(adjoint, 0.9), max: adjoint.reduce((m, r) => Math.max(m, r), 0) },
        forwardQuantiles: { median: quantileOf(forward, 0.5), q90: quantileOf(forward, 0.9), max: forward.reduce((m, r) => Math.max(m, r), 0) },
        exactlyEqual: adjoint.filter((r) => r === 0).length,
      },
    });
  });
});
