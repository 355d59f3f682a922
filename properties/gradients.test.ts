// Claims G-FD (reverse-mode gradients agree with central finite differences in float64) and G-ADJ
// (forward and reverse mode are adjoint: ⟨v, J u⟩ = ⟨Jᵀ v, u⟩), checked with the project's own
// checker (src/verify/gradcheck.ts) on fast-check-generated shapes and values, for every
// differentiable op, dropout and its relatives with fixed keys, random MLPs with dropout, and
// higher-order derivatives. The checker itself is shown to fail on wrong derivatives.
//
// Kinks (relu/abs at 0, ties in maximum/minimum/max) are avoided by generating values away from
// them (see arbitraries.ts), never by loosening tolerances: every gradient check below uses the
// checker's defaults (eps 1e-6, atol 1e-5, rtol 1e-3).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GradCheckError,
  type GradCheckReport,
  type MLPParams,
  type Tensor,
  type Tree,
  abs,
  add,
  assertGrad,
  broadcastTo,
  checkGrad,
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
  vjp,
} from '../src/index.ts';
import * as A from './arbitraries.ts';
import { observe, recorder, runs } from './record.ts';

const { holds } = recorder(import.meta.url);

/** assertGrad, recording its largest |analytic − numeric| for the report. */
const assertGradObserved: typeof assertGrad = (f, inputs, options) => {
  const report = assertGrad(f, inputs, options);
  observe(report.maxAbsError);
  return report;
};

/** Runs per op property: enough to cover ranks 0–3 and broadcasting patterns, small enough for a fast file. */
const RUNS = runs(25);
/** Runs per property of the (costlier or secondary) checks: mutants, MLPs, higher order. */
const FEW = runs(12);

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
  forAll(check: (b: Built) => void, numRuns?: number): void;
}
function opCase<T>(name: string, arb: fc.Arbitrary<T>, build: (c: T) => Built): OpCase {
  return {
    name,
    forAll: (check, numRuns = RUNS) => holds(fc.property(arb, (c) => check(build(c))), { numRuns }),
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

/** (g(x + εv) − g(x − εv)) / 2ε in plain JS: the central difference of a tensor function along v. */
function centralDifference(g: (x: Tensor) => Tensor, x: Tensor, v: Tensor, eps = 1e-6): Float64Array {
  const at = (s: number) => g(tensor(x.data.map((xi, i) => xi + s * eps * v.data[i]), x.shape)).data;
  const plus = at(1);
  const minus = at(-1);
  return plus.map((hi, i) => (hi - minus[i]) / (2 * eps));
}

/** The largest |∂f_o/∂x_j| over the whole Jacobian, by one reverse pass per output element. */
function jacobianMaxAbs(f: Fn, inputs: Tree[]): number {
  const { value, pullback } = vjp(f as (...a: Tree[]) => Tensor, ...inputs);
  let m = 0;
  for (let o = 0; o < value.size; o++) {
    const e = new Float64Array(value.size);
    e[o] = 1;
    for (const c of flatten(pullback(tensor(e, value.shape)) as Tree).leaves) for (const v of c.data) m = Math.max(m, Math.abs(v));
  }
  return m;
}

/**
 * The identity in value, but with derivative 1 + δ: x + δ·(x − stopGradient(x)). Composing it in
 * front of an op scales that op's VJP and JVP rules by 1 + δ, consistently in both modes: a
 * "mutant" derivative rule built from the public API, which G-FD must catch and G-ADJ cannot.
 */
const SKEW = 0.01;
const skew = (x: Tensor): Tensor => add(x, mul(sub(x, stopGradient(x)), SKEW));

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
      ['neg', A.boundedValue],
      ['exp', A.boundedValue],
      ['log', A.positiveValue],
      ['sqrt', A.positiveValue],
      ['square', A.boundedValue],
      ['tanh', A.boundedValue],
      ['sigmoid', A.boundedValue],
      ['relu', A.awayFromZeroValue],
      ['abs', A.awayFromZeroValue],
    ] as const
  ).map(([name, values]) => opCase(name, A.tensorArb(values), (x) => ({ f: (t: Tensor) => UNARY[name](t), inputs: [x] }))),
  opCase('pow (positive base, any exponent)', fc.record({ x: A.tensorArb(A.positiveValue), exponent: A.exponentValue }), ({ x, exponent }) => ({
    f: (t: Tensor) => pow(t, exponent),
    inputs: [x],
  })),

  // elementwise binary, same shapes and broadcasting pairs
  ...(['add', 'sub', 'mul'] as const).map((name) =>
    opCase(
      `${name} (broadcasting)`,
      shapePairArb().chain(([sa, sb]) => fc.tuple(A.tensorOf(sa), A.tensorOf(sb))),
      ([a, b]) => ({ f: (x: Tensor, y: Tensor) => BINARY[name](x, y), inputs: [a, b] }),
    ),
  ),
  opCase(
    'div (broadcasting, denominators 0.2 ≤ |b| ≤ 3)',
    shapePairArb().chain(([sa, sb]) => fc.tuple(A.tensorOf(sa), A.tensorOf(sb, A.nonZeroValue))),
    ([a, b]) => ({ f: (x: Tensor, y: Tensor) => div(x, y), inputs: [a, b] }),
  ),
  ...(['maximum', 'minimum'] as const).map((name) =>
    opCase(
      `${name} (broadcasting, no ties)`,
      shapePairArb().chain(([sa, sb]) => A.distinctTensors([sa, sb])),
      ([a, b]) => ({ f: (x: Tensor, y: Tensor) => BINARY[name](x, y), inputs: [a, b] }),
    ),
  ),
  opCase(
    'add/sub/mul/div with a number operand',
    fc.record({ name: fc.constantFrom('add', 'sub', 'mul', 'div' as const), x: A.tensorArb(A.nonZeroValue), c: A.nonZeroValue, numberFirst: fc.boolean() }),
    ({ name, x, c, numberFirst }) => ({ f: (t: Tensor) => (numberFirst ? BINARY[name](c, t) : BINARY[name](t, c)), inputs: [x] }),
  ),
  opCase(
    'maximum/minimum with a number operand (no ties)',
    A.shapeArb().chain((shape) =>
      fc.record({ name: fc.constantFrom('maximum', 'minimum' as const), shape: fc.constant(shape), vals: A.distinctValues(A.sizeOfShape(shape) + 1), numberFirst: fc.boolean() }),
    ),
    ({ name, shape, vals, numberFirst }) => {
      const c = vals[vals.length - 1];
      return { f: (t: Tensor) => (numberFirst ? BINARY[name](c, t) : BINARY[name](t, c)), inputs: [A.makeTensor(vals.slice(0, -1), shape)] };
    },
  ),

  // matrix products
  opCase('matmul 2-D', A.matmulShapesArb(false).chain(({ a, b }) => fc.tuple(A.tensorOf(a), A.tensorOf(b))), ([a, b]) => ({
    f: (x: Tensor, y: Tensor) => matmul(x, y),
    inputs: [a, b],
  })),
  opCase('matmul batched with broadcast batch dimensions', A.matmulShapesArb(true).chain(({ a, b }) => fc.tuple(A.tensorOf(a), A.tensorOf(b))), ([a, b]) => ({
    f: (x: Tensor, y: Tensor) => matmul(x, y),
    inputs: [a, b],
  })),

  // shape ops
  opCase('transpose (random permutation or default)', A.shapeArb().chain((s) => fc.record({ x: A.tensorOf(s), perm: A.permutationArb(s.length) })), ({ x, perm }) => ({
    f: (t: Tensor) => transpose(t, perm),
    inputs: [x],
  })),
  opCase('reshape (including -1)', A.reshapePairArb.chain(({ from, to }) => fc.record({ x: A.tensorOf(from), to: fc.constant(to) })), ({ x, to }) => ({
    f: (t: Tensor) => reshape(t, to),
    inputs: [x],
  })),
  opCase('broadcastTo', A.broadcastToArb().chain(({ from, to }) => fc.record({ x: A.tensorOf(from), to: fc.constant(to) })), ({ x, to }) => ({
    f: (t: Tensor) => broadcastTo(t, to),
    inputs: [x],
  })),
  opCase('sumTo (the inverse of broadcasting)', A.broadcastToArb().chain(({ from, to }) => fc.record({ x: A.tensorOf(to), target: fc.constant(from) })), ({ x, target }) => ({
    f: (t: Tensor) => sumTo(t, target),
    inputs: [x],
  })),

  // reductions over random axes, with and without keepdims
  opCase('sum over random axes', A.reductionArb.chain(({ shape, axes, keepdims }) => fc.record({ x: A.tensorOf(shape), axes: fc.constant(axes), keepdims: fc.constant(keepdims) })), ({ x, axes, keepdims }) => ({
    f: (t: Tensor) => sum(t, axes, keepdims),
    inputs: [x],
  })),
  opCase('mean over random axes', A.reductionArb.chain(({ shape, axes, keepdims }) => fc.record({ x: A.tensorOf(shape), axes: fc.constant(axes), keepdims: fc.constant(keepdims) })), ({ x, axes, keepdims }) => ({
    f: (t: Tensor) => mean(t, axes, keepdims),
    inputs: [x],
  })),
  opCase(
    'max over random axes (no ties)',
    A.reductionArb.chain(({ shape, axes, keepdims }) => fc.record({ x: A.distinctTensors([shape]).map(([t]) => t), axes: fc.constant(axes), keepdims: fc.constant(keepdims) })),
    ({ x, axes, keepdims }) => ({ f: (t: Tensor) => max(t, axes, keepdims), inputs: [x] }),
  ),
  opCase('logSumExp over random axes', A.reductionArb.chain(({ shape, axes, keepdims }) => fc.record({ x: A.tensorOf(shape), axes: fc.constant(axes), keepdims: fc.constant(keepdims) })), ({ x, axes, keepdims }) => ({
    f: (t: Tensor) => logSumExp(t, axes, keepdims),
    inputs: [x],
  })),

  // softmax family and losses
  ...(['softmax', 'logSoftmax'] as const).map((name) =>
    opCase(`${name} over a random axis`, A.shapeArb({ minRank: 1 }).chain((s) => fc.record({ x: A.tensorOf(s), axis: A.axisArb(s.length) })), ({ x, axis }) => ({
      f: (t: Tensor) => (name === 'softmax' ? softmax(t, axis) : logSoftmax(t, axis)),
      inputs: [x],
    })),
  ),
  opCase(
    'softmaxCrossEntropy (logits of rank 1–3)',
    A.shapeArb({ minRank: 1 }).chain((s) => {
      const classes = s[s.length - 1];
      return fc.record({ logits: A.tensorOf(s), labels: A.labelsArb(A.sizeOfShape(s) / classes, classes) });
    }),
    ({ logits, labels }) => ({ f: (t: Tensor) => softmaxCrossEntropy(t, labels), inputs: [logits] }),
  ),
  opCase('mse (both arguments)', A.shapeArb().chain((s) => fc.tuple(A.tensorOf(s), A.tensorOf(s))), ([pred, target]) => ({
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
        return fc.record({ axis: fc.constant(axis), xs: fc.tuple(...lens.map((n) => A.tensorOf(base.map((d, i) => (i === ax ? n : d))))) });
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
          x: A.tensorOf(s),
          axis: fc.constant(axis),
          bounds: fc.tuple(fc.integer({ min: 0, max: n }), fc.integer({ min: 0, max: n })).map(([i, j]) => [Math.min(i, j), Math.max(i, j)] as const),
        });
      }),
    ),
    ({ x, axis, bounds: [start, end] }) => ({ f: (t: Tensor) => slice(t, start, end, axis), inputs: [x] }),
  ),
  opCase(
    'take rows (repeats and empty index lists included)',
    A.shapeArb({ minRank: 1 }).chain((s) => fc.record({ x: A.tensorOf(s), idx: fc.array(fc.integer({ min: 0, max: s[0] - 1 }), { maxLength: 5 }) })),
    ({ x, idx }) => ({ f: (t: Tensor) => take(t, idx), inputs: [x] }),
  ),
  opCase(
    'stopGradient (of a closed-over constant, in a product with x)',
    A.shapeArb().chain((s) => fc.tuple(A.tensorOf(s), A.tensorOf(s))),
    ([x, c]) => ({ f: (t: Tensor) => add(mul(tanh(t), stopGradient(exp(c))), stopGradient(square(c))), inputs: [x] }),
  ),

  // dropout and relatives, masks fixed by the key
  opCase(
    'dropout (fixed key, rates ≠ 1/2 included, both conventions, train and inference)',
    A.shapeArb().chain((s) =>
      fc.record({
        x: A.tensorOf(s),
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
      fc.record({ x: A.tensorOf(s), rate: fc.oneof(A.rateArb, fc.constant(0)), training: fc.boolean(), noiseShape: A.noiseShapeArb(s), seed: A.seedArb, composite: fc.boolean() }),
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
        fc.record({ W: A.tensorOf([inDim, outDim]), x: A.tensorOf([batch, inDim]), rate: A.rateWithEdgesArb, convention: A.conventionArb, training: fc.boolean(), seed: A.seedArb }),
      ),
    ({ W, x, rate, convention, training, seed }) => ({
      f: (w: Tensor, t: Tensor) => tanh(matmul(t, dropConnect(key(seed), w, { rate, training, convention }))),
      inputs: [W, x],
    }),
  ),
];

describe('G-FD, G-ADJ: every differentiable op agrees with finite differences (full Jacobian) and is adjoint', () => {
  it.each(OPS)('G-FD, G-ADJ: $name', (op) => {
    op.forAll(({ f, inputs }) => {
      const report = assertGradObserved(f, inputs, { mode: 'full' });
      expect(report.mode).toBe('full');
      expect(report.adjoint.ok).toBe(true);
    });
  });
});

describe('G-FD: each op property can fail — a derivative rule scaled by 1.01 is caught', () => {
  // skew() multiplies the op's Jacobian by 1 + SKEW in forward and reverse mode alike. Whenever the
  // Jacobian has an entry above 2e-3, a 1% error exceeds atol + rtol·|numeric| there, so the check
  // must fail; the adjoint identity still holds (the mutant is consistent), so only G-FD sees it.
  it.each(OPS)('G-FD mutant: $name with its rule scaled by 1.01 fails', (op) => {
    let detected = 0;
    op.forAll(({ f, inputs }) => {
      const mutant = (...xs: Tensor[]) => f(...xs.map(skew));
      const report = checkGrad(mutant, inputs, { mode: 'full' });
      expect(report.adjoint.ok).toBe(true);
      if (jacobianMaxAbs(f, inputs) > 2e-3) {
        expect(report.ok, report.message).toBe(false);
        detected++;
      }
    }, FEW);
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
    x: A.tensorOf([c.batch, inDim]),
    labels: A.labelsArb(c.batch, outDim),
    target: A.tensorOf([c.batch, outDim]),
    loss: fc.constantFrom('softmaxCrossEntropy' as const, 'mse' as const),
    wrtInput: fc.boolean(),
  });
});

/** The loss of a random MLP with dropout, masks fixed by key(seed + 1); skips (fc.pre) relu networks with a pre-activation within 1e-3 of the kink. */
function mlpProblem({ c, x, labels, target, loss, wrtInput }: MLPProblem): Built {
  const net = mlp(c.spec);
  const params = net.init(key(c.seed));
  const k = key(c.seed + 1);
  if (c.spec.activation === 'relu') {
    const pre = hiddenPreActivations(c, params, x, k);
    fc.pre(pre.every((z) => z.data.every((v) => Math.abs(v) > A.KINK_MARGIN)));
  }
  const lossOf = (out: Tensor) => (loss === 'mse' ? mse(out, target) : softmaxCrossEntropy(out, labels));
  const f = (ps: MLPParams, t: Tensor) => lossOf(net.apply(ps, t, { training: true, key: k }));
  return wrtInput ? { f, inputs: [params as unknown as Tree, x] } : { f: (ps: MLPParams) => f(ps, x), inputs: [params as unknown as Tree] };
}

describe('G-FD, G-ADJ: random MLPs with dropout (fixed keys), loss softmaxCrossEntropy or mse', () => {
  for (const mode of ['full', 'fast'] as const) {
    it(`G-FD, G-ADJ: assertGrad (${mode}) over the parameter tree (and the input)`, () => {
      holds(
        fc.property(mlpProblemArb, (problem) => {
          const { f, inputs } = mlpProblem(problem);
          const report = assertGradObserved(f, inputs, { mode });
          expect(report.mode).toBe(mode);
          expect(report.adjoint.ok).toBe(true);
        }),
        { numRuns: 20 },
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
const vec = (values: fc.Arbitrary<number> = A.boundedValue) => A.tensorArb(values, { minRank: 1, maxRank: 2 });
const SCALAR_FNS: ScalarFn[] = [
  { name: 'sum(tanh(x)·exp(x))', arb: vec(), f: (x) => sum(mul(tanh(x), exp(x))) },
  { name: 'logSumExp(x)', arb: vec(), f: (x) => logSumExp(x) },
  { name: 'sum(sigmoid(x)·x²) / (1 + mean(x²))', arb: vec(), f: (x) => div(sum(mul(sigmoid(x), square(x))), add(1, mean(square(x)))) },
  { name: 'sum(log(x)·sqrt(x) + x^2.5), x > 0', arb: vec(A.positiveValue), f: (x) => sum(add(mul(log(x), sqrt(x)), pow(x, 2.5))) },
  { name: 'softmaxCrossEntropy(x)', arb: vec(), f: (x) => softmaxCrossEntropy(reshape(x, [-1, x.shape[x.ndim - 1]]), new Array(x.size / x.shape[x.ndim - 1]).fill(0)) },
  {
    name: 'sum(relu(x)·x) + max(x)·sum(x) (away from kinks and ties)',
    arb: A.distinctTensorArb({ minRank: 1, maxRank: 2 }),
    f: (x) => add(sum(mul(relu(x), x)), mul(max(x), sum(x))),
  },
  {
    name: 'sum(tanh(X·Xᵀ)²) (matmul rules differentiated again)',
    arb: A.tensorArb(A.boundedValue, { minRank: 2, maxRank: 2, maxDim: 3 }),
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

const withDirection = (arb: fc.Arbitrary<Tensor>) => arb.chain((x) => fc.tuple(fc.constant(x), A.tensorOf(x.shape)));

describe('G-FD, G-ADJ: higher-order derivatives (Hessians and Hessian-vector products)', () => {
  it.each(SCALAR_FNS)('G-FD, G-ADJ: grad of grad (Hessian) of $name passes assertGrad full', ({ arb, f }) => {
    // the Jacobian of x ↦ ∇f(x) is the Hessian: reverse-over-reverse against finite differences of
    // the gradient, and forward-over-reverse against reverse-over-reverse in the adjoint check
    holds(
      fc.property(arb, (x) => {
        assertGradObserved((t: Tensor) => grad(f)(t), [x], { mode: 'full' });
      }),
      { numRuns: FEW },
    );
  });

  it.each(SCALAR_FNS)('G-FD: Hessian-vector products of $name: jvp of grad, grad of grad, grad of jvp agree with finite differences', ({ arb, f }) => {
    holds(
      fc.property(withDirection(arb), ([x, v]) => {
        const g = (t: Tensor): Tensor => grad(f)(t);
        const fd = centralDifference(g, x, v);
        const forwardOverReverse = jvp(g, [x], [v]).tangent;
        const reverseOverReverse: Tensor = grad((t: Tensor) => sum(mul(g(t), v)))(x);
        const reverseOverForward: Tensor = grad((t: Tensor) => jvp(f, [t], [v]).tangent)(x);
        for (const [name, hv] of [['jvp of grad', forwardOverReverse], ['grad of grad', reverseOverReverse], ['grad of jvp', reverseOverForward]] as const) {
          expect(hv.shape).toEqual(x.shape);
          expectClose(hv, fd, `${name} vs finite differences of the gradient`);
          // the three AD routes compute the same products in different orders: agreement to rounding
          expectClose(hv, forwardOverReverse.data, `${name} vs jvp of grad`, 1e-12, 1e-9);
        }
      }),
      { numRuns: FEW },
    );
  });

  it('G-FD, G-ADJ: third order — the Hessian-vector product itself passes assertGrad full', () => {
    holds(
      fc.property(fc.constantFrom(...SCALAR_FNS).chain(({ arb, f }) => withDirection(arb).map(([x, v]) => ({ f, x, v }))), ({ f, x, v }) => {
        assertGradObserved((t: Tensor) => jvp((s: Tensor) => grad(f)(s), [t], [v]).tangent, [x], { mode: 'full' });
      }),
      { numRuns: FEW },
    );
  });

  it('G-FD: grad³ of x⁴ + eˣ + log x + x·√x is 24x + eˣ + 2/x³ − (3/8)x^(−3/2)', () => {
    const f = (x: Tensor) => add(add(pow(x, 4), exp(x)), add(log(x), mul(x, sqrt(x))));
    const d1 = (x: Tensor): Tensor => grad(f)(x);
    const d2 = (x: Tensor): Tensor => grad((t: Tensor) => d1(t))(x);
    const d3 = (x: Tensor): Tensor => grad((t: Tensor) => d2(t))(x);
    holds(
      fc.property(A.positiveValue, (v) => {
        const x = A.makeTensor([v], []);
        expectClose(d3(x), [24 * v + Math.exp(v) + 2 / v ** 3 - 0.375 * v ** -1.5], 'third derivative', 1e-9, 1e-9);
        assertGradObserved(d2, [x], { mode: 'full' });
      }),
      { numRuns: RUNS },
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
        assertGradObserved(f, [x], { mode: 'full' });
      }),
      { numRuns: RUNS },
    );
  });

  it('G-FD: a tensor used k times through concat/take gets the sum of its uses, exactly', () => {
    holds(
      fc.property(
        A.shapeArb({ minRank: 1 }).chain((s) => fc.record({ x: A.tensorOf(s), idx: fc.array(fc.integer({ min: 0, max: s[0] - 1 }), { maxLength: 6 }) })),
        ({ x, idx }) => {
          const g: Tensor = grad((t: Tensor) => add(sum(concat([t, mul(t, 2), t], 0)), sum(take(t, idx))))(x);
          const inner = x.size / x.shape[0];
          const counts = Array.from({ length: x.shape[0] }, (_, r) => idx.filter((i) => i === r).length);
          expect(Array.from(g.data)).toEqual(Array.from(g.data, (_, j) => 4 + counts[Math.floor(j / inner)]));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('G-FD: broadcast inputs of f(a, b) = sum(a·b + exp(a)) get gradients summed back to their own shapes', () => {
    const f = (a: Tensor, b: Tensor) => sum(add(mul(a, b), exp(a)));
    holds(
      fc.property(
        A.broadcastPairArb().chain(([sa, sb]) => fc.tuple(A.tensorOf(sa), A.tensorOf(sb))),
        ([a, b]) => {
          const { ga, gb } = broadcastReference(a, b);
          const [da, db] = valueAndGrad(f, { argnums: [0, 1] })(a, b).grad as Tensor[];
          expect(da.shape).toEqual(a.shape);
          expect(db.shape).toEqual(b.shape);
          // the same sums in a different order: rounding-level tolerance
          expectClose(da, ga, 'gradient of a', 1e-12, 1e-12);
          expectClose(db, gb, 'gradient of b', 1e-12, 1e-12);
          assertGradObserved(f, [a, b], { mode: 'full' });
        },
      ),
      { numRuns: RUNS },
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
  const xs = A.tensorArb(A.awayFromZeroValue);

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
      }, FEW);
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
        A.shapeArb().chain((s) => fc.tuple(A.tensorOf(s), A.tensorOf(s, A.awayFromZeroValue), A.tensorOf(s))),
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
    );
    holds(
      fc.property(fc.string().filter((s) => s !== 'full' && s !== 'fast'), (mode) => {
        expect(() => checkGrad(f, [x], { mode: mode as 'full' })).toThrow(/mode must be 'full' or 'fast'/);
      }),
      { numRuns: RUNS },
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
