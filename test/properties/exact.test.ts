// Claims E-LIN, E-INV, E-RIDGE and E-GAUSS: exact identities, checked in exact rational arithmetic
// (mathjs Fractions, every expectation by enumerating all masks). These Fraction-only checks are the
// identities' algebra (E-INV there reduces to keep·(1/keep) = 1 and associativity); the checks through
// the engine, which are what can catch a wrong op, are in exact-engine.test.ts (E-LIN and E-INV) and
// exact-gauss.test.ts (E-GAUSS).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fraction } from 'mathjs';
import { recorder, runs } from '../../src/testing/record.ts';
import {
  type Fraction,
  type Vector,
  bernoulliInvertedMoments,
  exactLinearEnsemble,
  expectedDropoutLoss,
  gaussianMoments,
  invertedInference,
  invertedOutput,
  maskProbability,
  paperInference,
  paperOutput,
  ridgeClosedForm,
  ridgeClosedFormGradient,
  ridgeMinimizer,
  weightScaled,
} from '../../src/verify/rational.ts';
import { EXACT_BASES, show } from './exact-shared.ts';

const { holds } = recorder(import.meta.url, EXACT_BASES);

// ---------------------------------------------------------------------------------------------
// Exact arbitraries

/** A Fraction that prints as fraction(num, den) in counterexamples. */
function labelled(num: number, den: number): Fraction {
  const f = fraction(num, den);
  Object.defineProperty(f, fc.toStringMethod, { value: () => `fraction(${num}, ${den})`, enumerable: false });
  return f;
}

/** num/den with num in −9..9 and den in 1..9. */
const fracArb: fc.Arbitrary<Fraction> = fc
  .record({ num: fc.integer({ min: -9, max: 9 }), den: fc.integer({ min: 1, max: 9 }) })
  .map(({ num, den }) => labelled(num, den));

/** A keep probability num/den in (0, 1), den ≤ 9; 1/2 is one value among many (a keep/rate swap is invisible at 1/2). */
const keepBelowOneArb: fc.Arbitrary<Fraction> = fc.oneof(
  fc.constantFrom([1, 2], [1, 3], [2, 5], [4, 5]).map(([num, den]) => labelled(num, den)),
  fc.integer({ min: 2, max: 9 }).chain((den) => fc.integer({ min: 1, max: den - 1 }).map((num) => labelled(num, den))),
);
/** A keep probability in (0, 1], 1 included. */
const keepArb: fc.Arbitrary<Fraction> = fc.oneof(
  { arbitrary: keepBelowOneArb, weight: 5 },
  { arbitrary: fc.constant(labelled(1, 1)), weight: 1 },
);

const vecArb = (n: number) => fc.array(fracArb, { minLength: n, maxLength: n });
const matArb = (rows: number, cols: number) => fc.array(vecArb(cols), { minLength: rows, maxLength: rows });

/** An affine layer W (out×n), b (out) and its input y (n), n ≤ 6, out ≤ 3. */
const layerArb = fc
  .record({ n: fc.integer({ min: 1, max: 6 }), out: fc.integer({ min: 1, max: 3 }) })
  .chain(({ n, out }) => fc.record({ W: matArb(out, n), b: vecArb(out), y: vecArb(n), keep: keepArb }));

/** A regression X (n×d), y (n), two weight vectors w, v (d), n·d ≤ 10. */
const regressionArb = fc
  .integer({ min: 1, max: 5 })
  .chain((n) => fc.record({ n: fc.constant(n), d: fc.integer({ min: 1, max: Math.min(4, Math.floor(10 / n)) }) }))
  .chain(({ n, d }) => fc.record({ X: matArb(n, d), y: vecArb(n), w: vecArb(d), v: vecArb(d), keep: keepArb }));

/** All 2^n masks, mask i having bit j = (i >> j) & 1. */
const allMasks = (n: number): number[][] =>
  Array.from({ length: 2 ** n }, (_, i) => Array.from({ length: n }, (_, j) => (i >> j) & 1));

// ---------------------------------------------------------------------------------------------
// Exact

describe('E-LIN (exact): the probability-weighted average over all masks of W(r⊙y)+b is W(keep·y)+b', () => {
  it('E-LIN: one affine layer, every input dropped independently with probability 1 − keep', () => {
    holds(
      fc.property(layerArb, ({ W, b, y, keep }) => {
        expect(show(exactLinearEnsemble(W, b, y, keep))).toEqual(show(weightScaled(W, b, y, keep)));
      }),
      { numRuns: runs(200) },
    );
  });

  it('E-LIN: a stack of two linear layers with dropout on the input and on the hidden units (all 2^(n+h) masks)', () => {
    const stackArb = fc
      .record({
        n: fc.integer({ min: 1, max: 4 }),
        h: fc.integer({ min: 1, max: 3 }),
        out: fc.integer({ min: 1, max: 2 }),
      })
      .chain(({ n, h, out }) =>
        fc.record({
          W1: matArb(h, n),
          b1: vecArb(h),
          W2: matArb(out, h),
          b2: vecArb(out),
          y: vecArb(n),
          keep1: keepArb,
          keep2: keepArb,
        }),
      );
    holds(
      fc.property(stackArb, ({ W1, b1, W2, b2, y, keep1, keep2 }) => {
        let ensemble: Vector = b2.map(() => fraction(0));
        for (const r1 of allMasks(y.length)) {
          const hidden = paperOutput(W1, b1, y, r1);
          for (const r2 of allMasks(hidden.length)) {
            const prob = maskProbability(r1, keep1).mul(maskProbability(r2, keep2));
            ensemble = paperOutput(W2, b2, hidden, r2).map((o, i) => ensemble[i].add(prob.mul(o)));
          }
        }
        const scaled = weightScaled(W2, b2, weightScaled(W1, b1, y, keep1), keep2);
        expect(show(ensemble)).toEqual(show(scaled));
      }),
      { numRuns: runs(150) },
    );
  });
});

describe("E-INV (exact): inverted dropout with weights keep·W is the paper's model with weights W", () => {
  it('E-INV: in training, (keep·W)(r⊙y/keep)+b = W(r⊙y)+b for every one of the 2^n masks', () => {
    holds(
      fc.property(layerArb, ({ W, b, y, keep }) => {
        for (const r of allMasks(y.length))
          expect(show(invertedOutput(W, b, y, keep, r))).toEqual(show(paperOutput(W, b, y, r)));
      }),
      { numRuns: runs(200) },
    );
  });

  it('E-INV: at inference, (keep·W)y+b = W(keep·y)+b', () => {
    holds(
      fc.property(layerArb, ({ W, b, y, keep }) => {
        expect(show(invertedInference(W, b, y, keep))).toEqual(show(paperInference(W, b, y, keep)));
      }),
      { numRuns: runs(200) },
    );
  });
});

describe('E-RIDGE (exact): input dropout on linear regression is ridge regression with Γ = diag(XᵀX)^½', () => {
  it('E-RIDGE: E_R‖y − (R∗X)w‖² over all 2^(n·d) masks = ‖y − keep·Xw‖² + keep(1−keep)‖Γw‖²', () => {
    holds(
      fc.property(regressionArb, ({ X, y, w, keep }) => {
        expect(expectedDropoutLoss(X, y, w, keep).toFraction()).toBe(ridgeClosedForm(X, y, w, keep).toFraction());
      }),
      { numRuns: runs(150) },
    );
  });

  it("E-RIDGE: the closed form's gradient is exact: L(w+v) − L(w−v) = 2⟨∇L(w), v⟩ (L is quadratic in w)", () => {
    holds(
      fc.property(regressionArb, ({ X, y, w, v, keep }) => {
        const L = (u: readonly Fraction[]) => ridgeClosedForm(X, y, u, keep);
        const diff = L(w.map((x, j) => x.add(v[j]))).sub(L(w.map((x, j) => x.sub(v[j]))));
        const g = ridgeClosedFormGradient(X, y, w, keep);
        const directional = g.reduce((s, gj, j) => s.add(gj.mul(v[j])), fraction(0)).mul(2);
        expect(diff.toFraction()).toBe(directional.toFraction());
      }),
      { numRuns: runs(200) },
    );
  });

  it("E-RIDGE: the minimizer solves (keep·XᵀX + (1−keep)Γ²)w = Xᵀy, the closed form's gradient is 0 there, and no other w does better", () => {
    // keep < 1 and no zero column of X: then keep·XᵀX + (1−keep)Γ² is positive definite, so invertible.
    const caseArb = regressionArb
      .filter(({ X }) => X[0].every((_, j) => X.some((row) => !row[j].equals(0))))
      .chain((c) => keepBelowOneArb.map((keep) => ({ ...c, keep })));
    holds(
      fc.property(caseArb, ({ X, y, w, keep }) => {
        const best = ridgeMinimizer(X, y, keep);
        const d = best.length;
        const col = (j: number) => X.map((row) => row[j]);
        const inner = (a: Fraction[], b: Fraction[]) => a.reduce((s, x, i) => s.add(x.mul(b[i])), fraction(0));
        // the stated system, built here from its definition
        const lhs = Array.from({ length: d }, (_, i) => {
          const gramTerms = Array.from({ length: d }, (_, j) => keep.mul(inner(col(i), col(j))).mul(best[j]));
          const gamma2 = fraction(1)
            .sub(keep)
            .mul(inner(col(i), col(i)))
            .mul(best[i]);
          return gramTerms.reduce((s, x) => s.add(x), gamma2);
        });
        const rhs = Array.from({ length: d }, (_, j) => inner(col(j), y));
        expect(show(lhs)).toEqual(show(rhs));
        expect(show(ridgeClosedFormGradient(X, y, best, keep))).toEqual(show(best.map(() => fraction(0))));
        expect(ridgeClosedForm(X, y, best, keep).compare(ridgeClosedForm(X, y, w, keep))).toBeLessThanOrEqual(0);
      }),
      { numRuns: runs(200) },
    );
  });
});

describe('E-GAUSS (exact): N(1, (1−keep)/keep) noise has the mean and variance of inverted Bernoulli noise r/keep', () => {
  it('E-GAUSS: Var(r/keep) and E(r/keep) by enumerating r equal the (1−keep)/keep and 1 the claim gives the Gaussian (the formula; the engine is measured below)', () => {
    holds(
      fc.property(keepArb, (keep) => {
        const bernoulli = bernoulliInvertedMoments(keep);
        const gaussian = gaussianMoments(keep);
        expect(bernoulli.mean.toFraction()).toBe(gaussian.mean.toFraction());
        expect(bernoulli.variance.toFraction()).toBe(gaussian.variance.toFraction());
      }),
      { numRuns: runs(200) },
    );
  });
});
