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
//
// The checkers' own tests (the wrong rules every op's tight check must catch, checkGrad failing and
// its report) are in gradients-checkers.test.ts; the op cases both files use are in gradient-cases.ts.
//
// Kept whole, over 600 lines: the closing summary aggregates every tight check in this file (module state).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type MLPParams,
  type Tensor,
  type TightGradReport,
  type Tree,
  add,
  checkGrad,
  checkGradTight,
  concat,
  div,
  dropout,
  exp,
  flatten,
  grad,
  jvp,
  key,
  log,
  logSumExp,
  matmul,
  max,
  mean,
  mlp,
  mse,
  mul,
  normal,
  numericJacobian,
  pow,
  relu,
  reshape,
  sigmoid,
  softmaxCrossEntropy,
  sqrt,
  square,
  stopGradient,
  sum,
  take,
  tanh,
  tensor,
  transpose,
  valueAndGrad,
  vjp,
} from '../../src/index.ts';
import * as A from '../../src/testing/arbitraries.ts';
import { type Basis, observe, recorder, runs } from '../../src/testing/record.ts';
import {
  type Built,
  type Fn,
  ADJ_BASIS,
  FD_BASIS,
  FEW,
  RUNS,
  assertGradObserved,
  forwardSkew,
  opCases,
  resolvable,
  skew,
} from './gradient-cases.ts';

const USER_BASIS: Basis = {
  reference: 'central differences of f with eps 1e-6 (checkGrad): evaluations of f only.',
  tolerance:
    'checkGrad’s user defaults, atol 1e-5 + rtol 1e-3·|numeric| (PyTorch’s); no entry may be excused as a kink.',
};
const { holds, check } = recorder(import.meta.url, { 'G-FD': FD_BASIS, 'G-ADJ': ADJ_BASIS });

// Every tight check's ratios (achieved error over tolerance, tolerance over |J|, adjoint and forward
// error over their bounds), for the distributions in reports/properties.md.
const collected = {
  ratio: [] as number[],
  relTol: [] as number[],
  adjoint: [] as number[],
  forward: [] as number[],
  entries: 0,
  checks: 0,
};

/** Elements over every tensor of the inputs (the Jacobian's columns). */
const inputSize = (inputs: Tree[]) =>
  inputs.reduce((s: number, t) => s + flatten(t).leaves.reduce((a, x) => a + x.size, 0), 0);

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
    for (let j = 0; j < n; j++)
      if (top > 1e-12 && Math.abs(r.numeric[o * n + j]) >= 1e-3 * top)
        collected.relTol.push(r.relativeTolerance[o * n + j]);
  }
  collected.adjoint.push(r.adjoint.tolerance > 0 ? r.adjoint.error / r.adjoint.tolerance : 0);
  collected.forward.push(r.forward.tolerance > 0 ? r.forward.error / r.forward.tolerance : 0);
  observe(r.maxRatio);
  return r;
}

/** Elementwise |actual − expected| ≤ atol + rtol·|expected| (defaults: the checker's), with a readable failure. */
function expectClose(actual: Tensor, expected: ArrayLike<number>, what: string, atol = 1e-5, rtol = 1e-3) {
  expect(actual.size, `${what}: size`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual.data[i];
    const e = expected[i];
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      throw new Error(
        `${what}: element ${i}: got ${a}, expected ${e} (|diff| ${Math.abs(a - e)} > ${atol} + ${rtol}·|expected|)`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Every differentiable op

const OPS = opCases(holds);

describe('G-FD, G-ADJ: every differentiable op agrees with finite differences (full Jacobian, tight) and is adjoint to rounding', () => {
  it.each(OPS)('G-FD, G-ADJ: $name', (op) => {
    op.forAll(({ f, inputs }) => {
      assertTight(f, inputs);
    });
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
      {
        basis: {
          reference: 'the definition: stopGradient has derivative 0, so grad of x·stopGradient(x) is x.',
          tolerance: 'exact.',
        },
      },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Random MLPs with dropout

/** Pre-activations of every hidden layer: the same network truncated after that layer (mlp masks layer i with foldIn(key, i)). */
function hiddenPreActivations(c: A.MLPCase, params: MLPParams, x: Tensor, k: ReturnType<typeof key>): Tensor[] {
  const { sizes, hiddenRate } = c.spec;
  return Array.from({ length: sizes.length - 2 }, (_, j) => {
    const net = mlp({
      ...c.spec,
      sizes: sizes.slice(0, j + 2),
      hiddenRate: typeof hiddenRate === 'number' ? hiddenRate : hiddenRate.slice(0, j),
    });
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
  const pre = (ps: Tree, t: Tensor) =>
    concat(hiddenPreActivations(c, ps as unknown as MLPParams, t, k).map((z) => reshape(z, [-1])));
  const { value, pullback } = vjp(pre, params as unknown as Tree, x);
  for (let o = 0; o < value.size; o++) {
    const e = new Float64Array(value.size);
    e[o] = 1;
    let slope = 0;
    for (const leaf of flatten(pullback(tensor(e, value.shape)) as Tree).leaves)
      for (const g of leaf.data) slope = Math.max(slope, Math.abs(g));
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
  return wrtInput
    ? { f, inputs: [params as unknown as Tree, x] }
    : { f: (ps: MLPParams) => f(ps, x), inputs: [params as unknown as Tree] };
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

  it("G-FD, G-ADJ: a backward rule off by 1e-6 relative (all parameters) fails the tight check on every generated network with a nonzero gradient; checkGrad's defaults pass it", () => {
    let resolved = 0,
      total = 0;
    holds(
      fc.property(mlpProblemArb, (problem) => {
        const { f, inputs } = mlpProblem(problem);
        const mutant = (...args: Tree[]) =>
          f(...args.map((a) => flatten(a).rebuild(flatten(a).leaves.map(skew(1e-6)))));
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

  it("G-ADJ: a forward rule off by 1e-9 relative fails the tight check on every generated network where it moves ⟨v, Ju⟩ by more than twice the bound; checkGrad's defaults pass it", () => {
    let detected = 0,
      total = 0;
    holds(
      fc.property(mlpProblemArb, (problem) => {
        const { f, inputs } = mlpProblem(problem);
        const mutant = (...args: Tree[]) =>
          f(...args.map((a) => flatten(a).rebuild(flatten(a).leaves.map(forwardSkew(1e-9)))));
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
        const longer = {
          ...c,
          spec: {
            ...c.spec,
            sizes: [...c.spec.sizes, 1],
            hiddenRate: typeof c.spec.hiddenRate === 'number' ? c.spec.hiddenRate : [...c.spec.hiddenRate, 0],
          },
        };
        const pre = hiddenPreActivations(
          longer,
          [...params, { W: normal(k, [c.spec.sizes[c.spec.sizes.length - 1], 1]), b: tensor([0]) }],
          x,
          k,
        );
        expect(Array.from(pre[pre.length - 1].data)).toEqual(
          Array.from(net.apply(params, x, { training: true, key: k }).data),
        );
      }),
      { numRuns: FEW },
      {
        basis: {
          reference: 'the full network’s output, as the last pre-activation of a network with one more linear layer.',
          tolerance: 'exact (the same operations).',
        },
      },
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
  {
    name: 'sum(sigmoid(x)·x²) / (1 + mean(x²))',
    arb: vec(),
    f: (x) => div(sum(mul(sigmoid(x), square(x))), add(1, mean(square(x)))),
  },
  {
    name: 'sum(log(x)·sqrt(x) + x^2.5), x > 0',
    arb: vec(A.positiveValueArb),
    f: (x) => sum(add(mul(log(x), sqrt(x)), pow(x, 2.5))),
  },
  {
    name: 'softmaxCrossEntropy(x)',
    arb: vec(),
    f: (x) =>
      softmaxCrossEntropy(reshape(x, [-1, x.shape[x.ndim - 1]]), new Array(x.size / x.shape[x.ndim - 1]).fill(0)),
  },
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

const withDirection = (arb: fc.Arbitrary<Tensor>) =>
  arb.chain((x) => fc.tuple(fc.constant(x), A.tensorOfShapeArb(x.shape)));

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

  it.each(SCALAR_FNS)(
    'G-FD: Hessian-vector products of $name: jvp of grad, grad of grad, grad of jvp agree with finite differences of the gradient (tight) and with each other to rounding',
    ({ arb, f }) => {
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
          const ref = new Float64Array(n),
            refTol = new Float64Array(n),
            adTol = new Float64Array(n);
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
          for (const [name, hv] of [
            ['jvp of grad', forwardOverReverse],
            ['grad of grad', reverseOverReverse],
            ['grad of jvp', reverseOverForward],
          ] as const) {
            expect(hv.shape).toEqual(x.shape);
            for (let o = 0; o < n; o++) {
              const err = Math.abs(hv.data[o] - ref[o]);
              observe(err / (refTol[o] + adTol[o]));
              if (!(err <= refTol[o] + adTol[o]))
                throw new Error(
                  `${name} vs finite differences of the gradient: element ${o}: ${hv.data[o]} vs ${ref[o]}, |diff| ${err} > ${refTol[o] + adTol[o]}`,
                );
              // the three AD routes compute the same products in different orders: agreement to rounding
              const gap = Math.abs(hv.data[o] - forwardOverReverse.data[o]);
              if (!(gap <= 2 * adTol[o]))
                throw new Error(
                  `${name} vs jvp of grad: element ${o}: ${hv.data[o]} vs ${forwardOverReverse.data[o]}, |diff| ${gap} > ${2 * adTol[o]}`,
                );
            }
          }
        }),
        { numRuns: FEW },
      );
    },
  );

  it('G-FD, G-ADJ: third order — the Hessian-vector product (x, v) ↦ H(x)·v itself passes the tight check', () => {
    // v is an input, not a closed-over constant: the rounding model sizes f's numbers by its inputs
    holds(
      fc.property(
        fc.constantFrom(...SCALAR_FNS).chain(({ arb, f }) => withDirection(arb).map(([x, v]) => ({ f, x, v }))),
        ({ f, x, v }) => {
          assertTight((t: Tensor, w: Tensor) => jvp((s: Tensor) => grad(f)(s), [t], [w]).tangent, [x, v]);
        },
      ),
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
      {
        basis: {
          reference:
            'the closed form 24x + eˣ + 2/x³ − (3/8)x^(−3/2), derived by hand; and numericJacobian of the second derivative.',
          tolerance:
            'γ_32·Σ|terms| (rounding of four terms, each within a few ulps); the tight check’s per-entry tolerance.',
        },
      },
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
        expectClose(
          jvp(f, [x], [A.makeTensor(new Array(x.size).fill(1), x.shape)]).tangent,
          [expected.reduce((s, v) => s + v, 0)],
          'forward-mode derivative along 1',
          1e-10,
          1e-12,
        );
        assertTight(f, [x]);
      }),
      { numRuns: RUNS },
      {
        basis: {
          reference: 'the closed form 2x + eˣ(1 + x) in plain JS (Math.exp), and numericJacobian.',
          tolerance:
            '1e-12 relative for the closed form (the same operations up to order); the tight check’s per-entry tolerance.',
        },
      },
    );
  });

  it('G-FD: a tensor used k times through concat/take gets the sum of its uses, exactly', () => {
    holds(
      fc.property(
        A.shapeArb({ minRank: 1 }).chain((s) =>
          fc.record({
            x: A.tensorOfShapeArb(s),
            idx: fc.array(fc.integer({ min: 0, max: s[0] - 1 }), { maxLength: 6 }),
          }),
        ),
        ({ x, idx }) => {
          const g: Tensor = grad((t: Tensor) => add(sum(concat([t, mul(t, 2), t], 0)), sum(take(t, idx))))(x);
          const inner = x.size / x.shape[0];
          const counts = Array.from({ length: x.shape[0] }, (_, r) => idx.filter((i) => i === r).length);
          expect(Array.from(g.data)).toEqual(Array.from(g.data, (_, j) => 4 + counts[Math.floor(j / inner)]));
        },
      ),
      { numRuns: RUNS },
      {
        basis: {
          reference: 'the count of each row’s uses (4 + its repeats in idx), by hand.',
          tolerance: 'exact (small integers).',
        },
      },
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
      {
        basis: {
          reference:
            'the gradients summed over the broadcast output’s indices in plain JS (broadcastReference), and numericJacobian.',
          tolerance: '1e-12 relative (the same sums in another order); the tight check’s per-entry tolerance.',
        },
      },
    );
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

describe("The tight checks' achieved error against their tolerances (every check above)", () => {
  it('G-FD: |analytic − numeric| / tolerance over every Jacobian entry the tight checks compared (≤ 1 passes)', () => {
    const { ratio } = collected;
    const max = ratio.reduce((m, r) => Math.max(m, r), 0);
    check({
      cases: ratio.length,
      maxError: max,
      ok: ratio.length > 0 && max <= 1,
      details: {
        distribution: {
          name: 'error-over-tolerance',
          values: quantileSample(ratio.filter((r) => r > 0)),
          xlabel: '|analytic − numeric| / tolerance per Jacobian entry that is not exact (log scale)',
        },
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
        distribution: {
          name: 'tolerance-over-jacobian',
          values: quantileSample(relTol),
          xlabel: 'tolerance / |numeric| per Jacobian entry (log scale)',
        },
        quantiles: {
          q10: quantileOf(relTol, 0.1),
          median: quantileOf(relTol, 0.5),
          q90,
          q99: quantileOf(relTol, 0.99),
        },
        resolvesOneInAMillion: relTol.filter((r) => r < 5e-7).length,
        criterion:
          '90% quantile < 5e-7 (then a rule off by 1e-6 relative exceeds twice the tolerance on 90% of the entries)',
      },
      basis: {
        reference: 'the tolerances of the tight checks above.',
        tolerance: 'criterion: 90% of the entries resolve a relative error of 1e-6 (tolerance < 5e-7·|J|).',
      },
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
        distribution: {
          name: 'adjoint-error-over-bound',
          values: quantileSample(adjoint.filter((r) => r > 0)),
          xlabel: '|⟨v, Ju⟩ − ⟨Jᵀv, u⟩| / rounding bound per check where they differ (log scale)',
        },
        adjointQuantiles: {
          median: quantileOf(adjoint, 0.5),
          q90: quantileOf(adjoint, 0.9),
          max: adjoint.reduce((m, r) => Math.max(m, r), 0),
        },
        forwardQuantiles: {
          median: quantileOf(forward, 0.5),
          q90: quantileOf(forward, 0.9),
          max: forward.reduce((m, r) => Math.max(m, r), 0),
        },
        exactlyEqual: adjoint.filter((r) => r === 0).length,
      },
    });
  });
});
