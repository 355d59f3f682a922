// Claims G-FD and G-ADJ, the checkers themselves. The tight checks (checkGradTight) must fail on every
// differentiable op whose backward rule is off by 1e-6 relative or whose forward rule is off by 1e-9
// relative, wrong rules that checkGrad's PyTorch-compatible defaults (which users get) pass; and
// checkGrad must fail on a wrong derivative and name the worst element, keep its adjoint fields
// consistent, leave its inputs alone, and refuse bad options before calling f. The ops and their
// generated data are those of gradients.test.ts (gradient-cases.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type GradCheckReport,
  type Tensor,
  type Tree,
  GradCheckError,
  add,
  checkGrad,
  checkGradTight,
  dropout,
  exp,
  key,
  mul,
  neg,
  normal,
  ones,
  square,
  stopGradient,
  sub,
  sum,
  tanh,
  tensor,
} from '../../src/index.ts';
import * as A from '../../src/testing/arbitraries.ts';
import { type Basis, recorder } from '../../src/testing/record.ts';
import {
  type Fn,
  ADJ_BASIS,
  FD_BASIS,
  FEW,
  MUTANT_RUNS,
  RUNS,
  assertGradObserved,
  forwardSkew,
  opCases,
  resolvable,
  skew,
} from './gradient-cases.ts';

const CHECKER_BASIS: Basis = {
  reference:
    'functions with a known wrong derivative (x² + stopGradient(x²): analytic 2x, true 4x) and known correct ones; the checker must fail or pass accordingly.',
  tolerance: 'checkGrad’s user defaults (eps 1e-6, atol 1e-5, rtol 1e-3, PyTorch’s), the subject of these tests.',
};
const { holds } = recorder(import.meta.url, { 'G-FD': FD_BASIS, 'G-ADJ': ADJ_BASIS });

const OPS = opCases(holds);

describe("G-FD, G-ADJ: the tight checks catch rules the users' defaults pass", () => {
  // skew(δ) multiplies the op's Jacobian by 1 + δ in forward and reverse mode alike. With δ = 1e-6 the
  // users' defaults (atol 1e-5 + rtol 1e-3) pass it; the tight check must fail wherever some entry's
  // tolerance is below δ/2 of |J| (then |analytic − numeric| ≥ δ|J| − tolerance > tolerance).
  it.each(OPS)(
    "G-FD mutant: $name with its rule off by 1e-6 relative fails the tight check (checkGrad's defaults pass it)",
    (op) => {
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
    },
  );

  // forwardSkew(1e-9): J u is off by 1e-9 relative, Jᵀv exact. checkGrad's adjoint tolerance (the
  // finite-difference allowance) passes it; the rounding bound must not, wherever 1e-9 of |J u|
  // exceeds twice the bound at some output.
  it.each(OPS)(
    "G-ADJ mutant: $name with its forward rule off by 1e-9 relative fails the tight check (checkGrad's defaults pass it)",
    (op) => {
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
    },
  );
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
    const cases = [
      OPS.find((o) => o.name.startsWith('matmul batched'))!,
      OPS.find((o) => o.name.startsWith('softmax over'))!,
      OPS.find((o) => o.name.startsWith('dropout'))!,
    ];
    for (const op of cases) {
      op.forAll(
        ({ f, inputs }) => {
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
        },
        FEW,
        CHECKER_BASIS,
      );
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
        A.shapeArb().chain((s) =>
          fc.tuple(A.tensorOfShapeArb(s), A.tensorOfShapeArb(s, A.awayFromZeroValueArb), A.tensorOfShapeArb(s)),
        ),
        ([a, b, c]) => {
          const tree = { w: a, rest: [b, { c }] } as unknown as Tree;
          const inputs: Tree[] = [tree, b];
          const snapshot = () =>
            [a, b, c].map((t) => ({ t, data: Array.from(t.data), shape: [...t.shape], ref: t.data }));
          const before = snapshot();
          const fns: Fn[] = [
            (t: { w: Tensor; rest: [Tensor, { c: Tensor }] }, y: Tensor) =>
              sum(mul(add(t.w, t.rest[1].c), tanh(mul(t.rest[0], y)))),
            (t: { w: Tensor; rest: [Tensor, { c: Tensor }] }, y: Tensor) =>
              add(sum(wrongDerivative(t.rest[0])), sum(mul(t.w, y))),
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
      fc.property(
        fc.string().filter((s) => s !== 'full' && s !== 'fast'),
        (mode) => {
          expect(() => checkGrad(f, [x], { mode: mode as 'full' })).toThrow(/mode must be 'full' or 'fast'/);
        },
      ),
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
