// Claims E-LIN, E-INV, E-RIDGE and E-GAUSS: exact identities, checked in exact rational arithmetic
// (mathjs Fractions, every expectation by enumerating all masks), and through the engine:
//  - E-LIN and E-INV with the engine's own dropout (dropoutWithMask, dropout with a key, mlp with
//    given masks), both conventions, mask by mask, against the exact value of the same inputs in
//    Fractions, within a rounding bound derived for each path (γ_k = k·u/(1 − k·u), u = 2^−53);
//  - E-GAUSS's exact part: the moments of r/keep by enumerating r in Fractions, against the variance
//    that gaussianDropout actually draws, measured by regressing its multipliers on an independent
//    standard normal stream (seedrandom's Alea called directly, Box–Muller written here).
// The Fraction-only checks are the identities' algebra (E-INV there reduces to keep·(1/keep) = 1 and
// associativity); the engine checks are what can catch a wrong op.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fraction } from 'mathjs';
import {
  type Convention,
  type MLPParams,
  type Tensor,
  add,
  applyMultiplier,
  dropout,
  dropoutWithMask,
  gaussianDropout,
  key,
  matmul,
  mlp,
  mul,
  normal,
  ones,
  tensor,
} from '../../src/index.ts';
import { aleaMask, aleaNormal } from './alea.ts';
import { observe, recorder, runs, unobserved } from '../../src/testing/record.ts';
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
  toFraction,
  weightScaled,
} from '../../src/verify/rational.ts';

const EXACT =
  'exact rational arithmetic (mathjs Fractions), every mask enumerated with its exact probability: the identity’s algebra, which shares no code with the engine.';
const { holds, check } = recorder(import.meta.url, {
  'E-LIN': { reference: EXACT, tolerance: 'none: equality of Fractions.' },
  'E-INV': { reference: EXACT, tolerance: 'none: equality of Fractions.' },
  'E-RIDGE': {
    reference: `${EXACT} The closed form and the linear system are built from their definitions.`,
    tolerance: 'none: equality of Fractions.',
  },
  'E-GAUSS': {
    reference: 'the moments of r/keep by enumerating r ∈ {0, 1} in Fractions.',
    tolerance: 'none: equality of Fractions.',
  },
});

/** The rounding-bound basis of the engine-against-Fractions checks. */
const ENGINE_BASIS = {
  reference:
    'the exact value, in Fractions, of the same layer(s) on the same float inputs with the same mask (W(r⊙y)+b, keep the exact value of the engine’s 1 − rate), computed without the engine; the engine’s dropout/dropoutWithMask/mlp must match it for both conventions, mask by mask.',
  tolerance:
    'rounding bound of each path: γ_{n+5}·(Σ|r y W| + |b|) per layer (n products and sums, the multiplier 1/keep, keep·W), the first layer’s bound carried through the second by |W|, plus (2n + 4)·2^−1074 for underflow; compared exactly in Fractions.',
};

/** γ_k = k·u/(1 − k·u), u = 2^−53: the relative rounding of k operations. */
const gammaK = (k: number) => (k * 2 ** -53) / (1 - k * 2 ** -53);
const ETA = Number.MIN_VALUE;
/** |a − b| ≤ bound, decided exactly in Fractions (a, b exact; bound a float, converted exactly). */
const withinExactly = (a: Fraction, b: Fraction, bound: number) => a.sub(b).abs().compare(toFraction(bound)) <= 0;
/** A Fraction as a number, also when numerator and denominator overflow a double. */
function approx(f: Fraction): number {
  const n = (f as unknown as { n: bigint }).n,
    d = (f as unknown as { d: bigint }).d,
    s = Number((f as unknown as { s: bigint }).s);
  const shift = BigInt(Math.max(0, d.toString(2).length - 900, n.toString(2).length - 900));
  return (s * Number(n >> shift)) / Number(d >> shift || 1n);
}

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

/** Exact vectors as readable strings ('1/3'), so failures show both sides. */
const show = (v: readonly Fraction[]): string[] => v.map((f) => f.toFraction());

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

// ---------------------------------------------------------------------------------------------
// Through the engine's dropout, mask by mask, against the exact value of the same inputs

/**
 * Real weights and inputs: 0 (one in ten) or ±[1e-3, 10]. (Magnitudes near 2^−1074 would give
 * Fractions with thousand-bit denominators and make the exact side slow, testing nothing more.)
 */
const realArb = fc.oneof(
  { arbitrary: fc.constant(0), weight: 1 },
  {
    arbitrary: fc.tuple(fc.boolean(), fc.double({ min: 1e-3, max: 10, noNaN: true })).map(([neg, v]) => (neg ? -v : v)),
    weight: 9,
  },
);
const realVec = (n: number) => fc.array(realArb, { minLength: n, maxLength: n });
/** Drop rates: 1/2, values away from it, 0 (the identity), and arbitrary ones (keep = 1 − rate rounds then). */
const dropRateArb = fc.oneof(
  fc.constantFrom(0.5, 2 / 3, 0.4, 0.2, 0.9),
  fc.double({ min: 0.01, max: 0.99, noNaN: true }),
);
const CONVENTIONS: Convention[] = ['scale-at-inference', 'inverted'];

const bitsOf = (bits: number, n: number, offset = 0) => Array.from({ length: n }, (_, i) => (bits >> (offset + i)) & 1);

/** z_o = b_o + Σ_i mult_i·y_i·W_io exactly (W row-major [n, out], the engine's x·W), with mult_i exact. */
function exactLayer(
  W: readonly number[],
  b: readonly number[],
  y: readonly (number | Fraction)[],
  mult: readonly Fraction[],
): Fraction[] {
  const out = b.length;
  return b.map((bo, o) =>
    y.reduce(
      (s: Fraction, yi, i) => s.add(mult[i].mul(toFraction(yi)).mul(toFraction(W[i * out + o]))),
      toFraction(bo),
    ),
  );
}
/** γ_{n+5}·(Σ_i |mult_i·y_i·W_io| + |b_o|) + (2n + 4)·η per output: the rounding of one layer through the engine (see ENGINE_BASIS). */
function layerBound(W: readonly number[], b: readonly number[], yAbs: readonly number[]): number[] {
  const n = yAbs.length,
    out = b.length;
  return b.map(
    (bo, o) =>
      gammaK(n + 5) * yAbs.reduce((s, yi, i) => s + yi * Math.abs(W[i * out + o]), Math.abs(bo)) + (2 * n + 4) * ETA,
  );
}
const row = (v: readonly number[]) => tensor([...v], [1, v.length]);

interface LayerCase {
  W: number[];
  b: number[];
  y: number[];
  out: number;
  rate: number;
  seed: number;
}
const layerCaseArb: fc.Arbitrary<LayerCase> = fc
  .record({ n: fc.integer({ min: 1, max: 5 }), out: fc.integer({ min: 1, max: 3 }) })
  .chain(({ n, out }) =>
    fc.record({
      W: realVec(n * out),
      b: realVec(out),
      y: realVec(n),
      out: fc.constant(out),
      rate: fc.oneof(dropRateArb, fc.constant(0)),
      seed: fc.nat({ max: 2 ** 31 - 1 }),
    }),
  );

/** Asserts engine ≈ exact within the bound, exactly; records the ratio. */
function expectWithin(
  engine: ArrayLike<number>,
  exact: readonly Fraction[],
  bound: readonly number[],
  what: string,
): void {
  for (let o = 0; o < exact.length; o++) {
    const diff = toFraction(engine[o]).sub(exact[o]);
    observe(approx(diff.abs()) / bound[o]);
    if (!withinExactly(toFraction(engine[o]), exact[o], bound[o]))
      expect.fail(
        `${what}, output ${o}: engine ${engine[o]}, exact ${exact[o].toFraction()} (≈ ${approx(exact[o])}), |diff| ≈ ${approx(diff.abs())} > bound ${bound[o]}`,
      );
  }
}

/**
 * One affine layer through the engine's ops, both conventions, every mask: E-INV (the inverted layer
 * with keep·W gives the paper's output with W, both equal to the exact W(r⊙y)+b), E-LIN (the
 * probability-weighted sum of the engine's outputs, in Fractions, is the exact weight-scaled output
 * within Σ P·bound), inference (dropout's inference mode, both conventions), and the key's own mask.
 */
function checkLayerThroughEngine(
  c: LayerCase,
  ops: { dropoutWithMask: typeof dropoutWithMask; dropout: typeof dropout } = { dropoutWithMask, dropout },
): void {
  const { W, b, y, out, rate, seed } = c;
  const n = y.length;
  const keep = 1 - rate; // the engine's keep
  const keepF = toFraction(keep);
  const Wt = tensor(W, [n, out]),
    bt = tensor(b),
    keptW = mul(Wt, keep);
  const one = toFraction(1),
    zero = toFraction(0);
  const engineOut = (convention: Convention, r: number[]) =>
    add(matmul(ops.dropoutWithMask(row(y), row(r), { rate, convention }), convention === 'inverted' ? keptW : Wt), bt)
      .data;
  const average = new Map<Convention, Fraction[]>(CONVENTIONS.map((cv) => [cv, b.map(() => zero)]));
  const averageBound = b.map(() => 0);
  for (let bits = 0; bits < 2 ** n; bits++) {
    const r = bitsOf(bits, n);
    const prob = r.reduce((p: Fraction, ri) => p.mul(ri ? keepF : one.sub(keepF)), one);
    const exact = exactLayer(
      W,
      b,
      y,
      r.map((ri) => (ri ? one : zero)),
    );
    const bound = layerBound(
      W,
      b,
      y.map((yi, i) => r[i] * Math.abs(yi)),
    );
    for (const convention of CONVENTIONS) {
      const z = engineOut(convention, r);
      expectWithin(z, exact, bound, `E-INV, ${convention}, mask [${r}]`);
      average.set(
        convention,
        average.get(convention)!.map((a, o) => a.add(prob.mul(toFraction(z[o])))),
      );
    }
    bound.forEach((e, o) => (averageBound[o] += approx(prob) * e * (1 + 1e-12)));
  }
  // E-LIN: Σ_r P(r)·z(r) (the engine's outputs, summed exactly) = W(keep·y) + b exactly, within Σ P·bound
  const weightScaled = exactLayer(
    W,
    b,
    y,
    y.map(() => keepF),
  );
  for (const convention of CONVENTIONS) {
    const avg = average.get(convention)!;
    for (let o = 0; o < out; o++) {
      observe(approx(avg[o].sub(weightScaled[o]).abs()) / averageBound[o]);
      if (!withinExactly(avg[o], weightScaled[o], averageBound[o]))
        expect.fail(
          `E-LIN, ${convention}, output ${o}: Σ P·z = ${approx(avg[o])} vs W(keep·y)+b = ${approx(weightScaled[o])}`,
        );
    }
  }
  // inference: the paper's layer scales its input by keep; the inverted one (weights keep·W) passes y unchanged
  const infBound = layerBound(
    W,
    b,
    y.map((yi) => keep * Math.abs(yi) * (1 + 2 ** -52)),
  );
  expectWithin(
    add(matmul(ops.dropout(undefined, row(y), { rate, training: false, convention: 'scale-at-inference' }), Wt), bt)
      .data,
    weightScaled,
    infBound,
    'E-INV at inference, paper',
  );
  expectWithin(
    add(matmul(ops.dropout(undefined, row(y), { rate, training: false }), keptW), bt).data,
    weightScaled,
    infBound,
    'E-INV at inference, inverted',
  );
  // the key's mask (from Alea, independently): dropout with the key is dropoutWithMask with that mask, in both conventions
  const r = aleaMask(seed, keep, n);
  for (const convention of CONVENTIONS) {
    const viaKey = add(
      matmul(
        ops.dropout(key(seed), row(y), { rate, training: true, convention }),
        convention === 'inverted' ? keptW : Wt,
      ),
      bt,
    ).data;
    expectWithin(
      viaKey,
      exactLayer(
        W,
        b,
        y,
        r.map((ri) => (ri ? one : zero)),
      ),
      layerBound(
        W,
        b,
        y.map((yi, i) => r[i] * Math.abs(yi)),
      ),
      `E-INV with key(${seed}), ${convention}`,
    );
  }
}

/** Input i contributes a term y_i·W_io that dwarfs the rounding bound at some output. */
const significant = (c: LayerCase, i: number) =>
  c.b.some(
    (_, o) =>
      Math.abs(c.y[i] * c.W[i * c.out + o]) >
      1e-6 * (1 + c.b.reduce((s, v) => s + Math.abs(v), 0) + c.W.reduce((s, w) => s + 10 * Math.abs(w), 0)),
  );

describe("E-LIN and E-INV through the engine's dropout (dropoutWithMask, dropout with a key, mlp), both conventions, mask by mask, against exact Fractions", () => {
  it("E-INV, E-LIN: one affine layer: for every mask the inverted layer with keep·W and the paper's with W give W(r⊙y)+b; Σ_r P(r)·z(r) = W(keep·y)+b; inference both ways; the key's own mask", () => {
    holds(
      fc.property(layerCaseArb, (c) => checkLayerThroughEngine(c)),
      { numRuns: runs(60) },
      { basis: ENGINE_BASIS },
    );
  });

  it('E-INV, E-LIN: a two-layer linear mlp (mlp.apply with given masks), dropout on the input and the hidden units, both conventions, every mask pair, and mlp.apply at inference', () => {
    const netArb = fc
      .record({
        n: fc.integer({ min: 1, max: 3 }),
        h: fc.integer({ min: 1, max: 3 }),
        out: fc.integer({ min: 1, max: 2 }),
      })
      .chain(({ n, h, out }) =>
        fc.record({
          sizes: fc.constant([n, h, out]),
          W1: realVec(n * h),
          b1: realVec(h),
          W2: realVec(h * out),
          b2: realVec(out),
          y: realVec(n),
          inputRate: dropRateArb,
          hiddenRate: dropRateArb,
        }),
      );
    holds(
      fc.property(netArb, ({ sizes, W1, b1, W2, b2, y, inputRate, hiddenRate }) => {
        const [n, h, out] = sizes;
        const [k1, k2] = [1 - inputRate, 1 - hiddenRate];
        const [k1F, k2F] = [toFraction(k1), toFraction(k2)];
        const one = toFraction(1),
          zero = toFraction(0);
        const spec = { sizes, activation: 'linear' as const, inputRate, hiddenRate };
        const paper = mlp({ ...spec, convention: 'scale-at-inference' });
        const inverted = mlp({ ...spec, convention: 'inverted' });
        const params: MLPParams = [
          { W: tensor(W1, [n, h]), b: tensor(b1) },
          { W: tensor(W2, [h, out]), b: tensor(b2) },
        ];
        const keptParams: MLPParams = [
          { W: mul(params[0].W, k1), b: params[0].b },
          { W: mul(params[1].W, k2), b: params[1].b },
        ];
        /** The exact output for multipliers m1 (inputs) and m2 (hidden units), and its rounding bound. */
        const exact = (m1: Fraction[], m2: Fraction[], abs1: number[], abs2: (hAbs: number[]) => number[]) => {
          const hidden = exactLayer(W1, b1, y, m1);
          const e1 = layerBound(W1, b1, abs1);
          const hAbs = hidden.map((v, j) => Math.abs(approx(v)) * (1 + 1e-12) + e1[j]);
          const z = exactLayer(W2, b2, hidden, m2);
          const carried = b2.map(
            (_, o) =>
              hAbs.reduce((s, _h, j) => s + approx(m2[j].abs()) * Math.abs(W2[j * out + o]) * e1[j], 0) *
              (1 + gammaK(h + 9)),
          );
          const e2 = layerBound(W2, b2, abs2(hAbs)).map((e, o) => e + carried[o]);
          return { z, bound: e2 };
        };
        const average = new Map<Convention, Fraction[]>(CONVENTIONS.map((cv) => [cv, b2.map(() => zero)]));
        const averageBound = b2.map(() => 0);
        for (let bits = 0; bits < 2 ** (n + h); bits++) {
          const [r1, r2] = [bitsOf(bits, n), bitsOf(bits, h, n)];
          const prob = [...r1.map((r) => (r ? k1F : one.sub(k1F))), ...r2.map((r) => (r ? k2F : one.sub(k2F)))].reduce(
            (p: Fraction, q) => p.mul(q),
            one,
          );
          const { z, bound } = exact(
            r1.map((r) => (r ? one : zero)),
            r2.map((r) => (r ? one : zero)),
            y.map((v, i) => r1[i] * Math.abs(v)),
            (hAbs) => hAbs.map((v, j) => r2[j] * v),
          );
          const masks = [row(r1), row(r2)];
          for (const [convention, net, ps] of [
            ['scale-at-inference', paper, params],
            ['inverted', inverted, keptParams],
          ] as const) {
            const o = net.apply(ps, row(y), { training: true, masks }).data;
            expectWithin(o, z, bound, `E-INV, mlp, ${convention}, masks [${r1}] [${r2}]`);
            average.set(
              convention,
              average.get(convention)!.map((a, i) => a.add(prob.mul(toFraction(o[i])))),
            );
          }
          bound.forEach((e, o) => (averageBound[o] += approx(prob) * e * (1 + 1e-12)));
        }
        const ws = exact(
          y.map(() => k1F),
          Array.from({ length: h }, () => k2F),
          y.map((v) => k1 * Math.abs(v) * (1 + 2 ** -52)),
          (hAbs) => hAbs.map((v) => k2 * v * (1 + 2 ** -52)),
        );
        for (const convention of CONVENTIONS) {
          const avg = average.get(convention)!;
          for (let o = 0; o < out; o++) {
            observe(approx(avg[o].sub(ws.z[o]).abs()) / averageBound[o]);
            if (!withinExactly(avg[o], ws.z[o], averageBound[o]))
              expect.fail(
                `E-LIN, mlp, ${convention}, output ${o}: Σ P·z = ${approx(avg[o])} vs weight-scaled ${approx(ws.z[o])}`,
              );
          }
        }
        expectWithin(
          paper.apply(params, row(y), { training: false }).data,
          ws.z,
          ws.bound,
          'E-INV, mlp at inference, paper',
        );
        expectWithin(
          inverted.apply(keptParams, row(y), { training: false }).data,
          ws.z,
          ws.bound,
          'E-INV, mlp at inference, inverted',
        );
      }),
      { numRuns: runs(25) },
      { basis: ENGINE_BASIS },
    );
  });

  it('E-INV, E-LIN: wrong dropout ops that the Fraction-only checks cannot see (they never call the op) fail here', () => {
    // each wrong op is one plausible bug; the exact identities above hold whatever the engine does
    const wrong: Record<string, { dropoutWithMask: typeof dropoutWithMask; dropout: typeof dropout }> = {
      'inverted training scales by 1/rate': {
        dropoutWithMask: (x, m, o) =>
          o.convention === 'scale-at-inference'
            ? dropoutWithMask(x, m, o)
            : applyMultiplier(dropoutWithMask(x, m, { ...o, convention: 'scale-at-inference' }), tensor(1 / o.rate)),
        dropout,
      },
      'paper inference scales by the drop rate': {
        dropoutWithMask,
        dropout: (k, x, o) =>
          !o.training && o.convention === 'scale-at-inference' ? mul(x, o.rate) : dropout(k, x, o),
      },
      'inverted inference also scales by keep': {
        dropoutWithMask,
        dropout: (k, x, o) =>
          !o.training && o.convention !== 'scale-at-inference' ? mul(x, 1 - o.rate) : dropout(k, x, o),
      },
      'the key draws the mask of the next seed': {
        dropoutWithMask,
        dropout: (k, x, o) => dropout(o.training && k ? key((k as unknown as { lo: number }).lo + 1) : k, x, o),
      },
    };
    holds(
      fc.property(
        layerCaseArb.filter((c) => c.rate !== 0 && c.rate !== 0.5 && c.y.some((_, i) => significant(c, i))),
        fc.constantFrom(...Object.keys(wrong)),
        (c, bug) => {
          // the exact identity (Fractions only) holds regardless of the engine
          expect(show(invertedInference([[1]], [0], [1], '1/2'))).toEqual(show(paperInference([[1]], [0], [1], '1/2')));
          // the key's bug shows only where the masks of seed and seed + 1 differ on a term that counts
          const keep = 1 - c.rate,
            n = c.y.length;
          const [r0, r1] = [aleaMask(c.seed, keep, n), aleaMask(c.seed + 1, keep, n)];
          if (bug === 'the key draws the mask of the next seed')
            fc.pre(r0.some((r, i) => r !== r1[i] && significant(c, i)));
          let failed = false;
          try {
            unobserved(() => checkLayerThroughEngine(c, wrong[bug]));
          } catch {
            failed = true;
          }
          return failed;
        },
      ),
      { numRuns: runs(20) },
      {
        basis: {
          ...ENGINE_BASIS,
          reference: `${ENGINE_BASIS.reference} Here against four deliberately wrong ops, each of which must fail.`,
        },
      },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// E-GAUSS: the variance gaussianDropout draws, measured

/**
 * The multipliers m_i of `op` (on x = 1) regressed on an independent standard normal stream z_i of
 * the same key: m_i = a + σ̂·z_i. Returns σ̂, the largest residual |m_i − 1 − σ̂·z_i| against its
 * rounding bound, and σ̂'s own rounding bound. The Gaussian N(1, σ²) has mean 1 and variance σ² by
 * definition, so this measures what the op draws, not what its code says.
 */
function measureGaussian(
  op: (k: ReturnType<typeof key>, x: Tensor, o: { rate: number; training: boolean }) => Tensor,
  rate: number,
  seed: number,
  N = 256,
) {
  const m = op(key(seed), ones([N]), { rate, training: true }).data;
  const z = aleaNormal(seed, N);
  // Σ z² and Σ z(m − 1) compensated (Neumaier): each within 2u of its value, so σ̂ = ratio within 5u of the exact ratio of the float terms
  const neumaier = (terms: number[]) => {
    let sum = 0,
      c = 0;
    for (const t of terms) {
      const next = sum + t;
      c += Math.abs(sum) >= Math.abs(t) ? sum - next + t : t - next + sum;
      sum = next;
    }
    return sum + c;
  };
  const szz = neumaier(z.map((v) => v * v));
  const szm = neumaier(z.map((v, i) => v * (m[i] - 1)));
  const sigma = szm / szz;
  const u = 2 ** -53;
  // m_i = fl(1 + fl(fl(σ·rad)·cos)): off from 1 + σ·z_i by u·|m_i| + 4u·|σ z_i| (z_i itself made as the engine makes it),
  // and the residual m_i − 1 − σ̂·z_i computed here adds 2u·|σ̂ z_i| (the product and the difference): e_i = u·|m_i| + 6u·|σ z_i|;
  // the regression carries those into σ̂: |σ̂ − σ| ≤ Σ e_i|z_i|/Σ z² + 8u|σ̂| (the products z_i·z_i, z_i·(m_i − 1) and the sums)
  const e = Array.from(m, (mi, i) => u * Math.abs(mi) + 6 * u * Math.abs(sigma * z[i]));
  const sigmaBound = e.reduce((s, ei, i) => s + ei * Math.abs(z[i]), 0) / szz + 8 * u * Math.abs(sigma);
  // the intercept: every residual within its rounding plus σ̂'s error times |z_i|, with a margin of 2 (the
  // itemized roundings can all align: fresh deep-run seeds reach 0.99 of the bound without it)
  let worst = 0;
  for (let i = 0; i < N; i++)
    worst = Math.max(worst, Math.abs(m[i] - 1 - sigma * z[i]) / (2 * (e[i] + sigmaBound * Math.abs(z[i])) + 1e-300));
  return { sigma, residualRatio: worst, sigmaBound };
}

describe('E-GAUSS (exact part, measured): gaussianDropout draws N(1, σ²) with σ² = Var(r/keep) = (1−keep)/keep', () => {
  const check1 = (op: Parameters<typeof measureGaussian>[0], rate: number, seed: number) => {
    const keep = toFraction(1).sub(toFraction(rate)); // keep = 1 − rate exactly
    const v = approx(bernoulliInvertedMoments(keep).variance); // Var(r/keep) by enumerating r, exactly, then rounded
    const { sigma, residualRatio, sigmaBound } = measureGaussian(op, rate, seed);
    const varErr = Math.abs(sigma * sigma - v);
    const varBound = 2 * Math.abs(sigma) * sigmaBound + sigmaBound ** 2 + 8 * 2 ** -53 * v; // + rounding of rate/(1 − rate), its sqrt and the square
    return {
      ok: residualRatio <= 1 && varErr <= varBound,
      ratio: Math.max(residualRatio, varErr / varBound),
      sigma,
      v,
    };
  };

  it('E-GAUSS: the multipliers are exactly 1 + σ̂·z (mean 1) on an independent normal stream, and σ̂² = Var(r/keep) from the enumeration, to rounding', () => {
    holds(
      fc.property(
        fc.oneof(fc.constantFrom(0.1, 0.2, 1 / 3, 0.5, 0.8), fc.double({ min: 0.01, max: 0.95, noNaN: true })),
        fc.nat({ max: 2 ** 31 - 1 }),
        (rate, seed) => {
          const r = check1(gaussianDropout, rate, seed);
          observe(r.ratio);
          if (!r.ok)
            throw new Error(
              `rate ${rate}: measured σ̂² = ${r.sigma ** 2}, Var(r/keep) = ${r.v} (ratio to the bound ${r.ratio})`,
            );
        },
      ),
      { numRuns: runs(100) },
      {
        basis: {
          reference:
            'Var(r/keep) by enumerating r ∈ {0, 1} in Fractions, against σ̂², the slope of gaussianDropout’s multipliers regressed on standard normal draws made here from seedrandom’s Alea (Box–Muller); the residuals show the intercept (the mean) is 1.',
          tolerance:
            'rounding: each multiplier within u|m| + 4u|σz| of 1 + σz (+ 2u|σz| for computing the residual), carried into σ̂ by the regression, a margin of 2 on the residuals; 8u of the variance (rate/(1 − rate), its square root, the square).',
        },
      },
    );
  });

  it('E-GAUSS: a gaussianDropout whose σ is off by 1e-6 relative, or whose σ² is rate instead of rate/keep, fails the measured check; the Fraction-only check (it restates the formula) passes either', () => {
    const bugs: Record<string, Parameters<typeof measureGaussian>[0]> = {
      'σ off by 1e-6': (k, x, o) =>
        applyMultiplier(x, normal(k, x.shape, 1, Math.sqrt(o.rate / (1 - o.rate)) * (1 + 1e-6))),
      'σ² = rate': (k, x, o) => applyMultiplier(x, normal(k, x.shape, 1, Math.sqrt(o.rate))),
      'mean 1 + 1e-9': (k, x, o) => applyMultiplier(x, normal(k, x.shape, 1 + 1e-9, Math.sqrt(o.rate / (1 - o.rate)))),
    };
    let cases = 0;
    for (const [name, op] of Object.entries(bugs)) {
      for (const rate of [0.1, 0.5, 0.8]) {
        const keep = toFraction(1).sub(toFraction(rate));
        expect(bernoulliInvertedMoments(keep).variance.equals(gaussianMoments(keep).variance), 'the old check').toBe(
          true,
        );
        expect(check1(op, rate, 7).ok, `${name} at rate ${rate}`).toBe(false);
        cases++;
      }
    }
    check({
      cases,
      ok: true,
      basis: {
        reference: 'three wrong Gaussian ops against the measured check above.',
        tolerance: 'as above; each wrong op must exceed it.',
      },
    });
  });
});
