// The networks the property tests draw (re-exported by ../arbitraries.ts, the entry dropcheck/arbitraries):
// small MLPs, the exact-ensemble cases (one logistic unit, one softmax layer, weighted outputs, small
// regression and classification problems) and networks with explicit weights. Built from values.ts.
import fc from 'fast-check';
import { type Activation, type Convention, type MLPSpec, type Tensor } from '../../index.ts';
import { awayFromZeroValueArb, conventionArb, labelsArb, rateArb, seedArb, tensorOfShapeArb } from './values.ts';

// ---------------------------------------------------------------------------------------------
// Small MLPs

export const activationArb: fc.Arbitrary<Activation> = fc.constantFrom<Activation>('relu', 'tanh', 'sigmoid', 'linear');

export interface MLPCase {
  /** Passed to mlp(): widths 1–6, 1–3 hidden layers, dropout on the input and/or hidden units. */
  spec: Required<Pick<MLPSpec, 'sizes' | 'activation' | 'inputRate' | 'hiddenRate' | 'convention'>>;
  /** key(seed) initialises the parameters; key(seed + 1) draws the dropout masks. */
  seed: number;
  /** Rows of the input batch, 1–4. */
  batch: number;
}

/** A small MLP with dropout: 1–3 hidden layers of width 1–6, rates from rateArb on the input, the hidden layers, or both. */
export const mlpCaseArb: fc.Arbitrary<MLPCase> = fc
  .record({
    sizes: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 3, maxLength: 5 }),
    activation: activationArb,
    where: fc.constantFrom('input', 'hidden', 'both'),
    inputRate: rateArb,
    hidden: fc.oneof(rateArb, fc.array(rateArb, { minLength: 3, maxLength: 3 })),
    convention: conventionArb,
    seed: fc.nat({ max: 2 ** 31 - 2 }),
    batch: fc.integer({ min: 1, max: 4 }),
  })
  .map(({ sizes, activation, where, inputRate, hidden, convention, seed, batch }) => {
    const nHidden = sizes.length - 2;
    const hiddenRate = typeof hidden === 'number' ? hidden : hidden.slice(0, nHidden);
    return {
      spec: {
        sizes,
        activation,
        inputRate: where === 'hidden' ? 0 : inputRate,
        hiddenRate: where === 'input' ? 0 : hiddenRate,
        convention,
      },
      seed,
      batch,
    };
  });

// ---------------------------------------------------------------------------------------------
// Exact ensembles over all masks (test/properties/ensemble.test.ts, ensemble-gradients.test.ts):
// keep probabilities, one logistic unit, one softmax layer, sets of outputs with mask probabilities, small regression and classification
// problems. Mask counts stay small (2^n ≤ 4096) so every case enumerates every mask.

/**
 * Values for exact ensembles: 0 (one case in ten) or 0.01 ≤ |x| ≤ 3 with magnitudes spread over that
 * range (awayFromZeroValueArb). boundedValueArb's tiny and subnormal values would make most products
 * underflow, so most cases would be degenerate (every mask giving the same output) and test little.
 */
export const ensembleValueArb: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: fc.constant(0), weight: 1 },
  { arbitrary: awayFromZeroValueArb, weight: 9 },
);

/** Keep probabilities strictly inside (0, 1), with 1/2 only one value among many (a keep/rate swap is invisible at 1/2). */
export const keepArb: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0.5, 0.2, 0.8, 0.1, 0.9, 1 / 3),
  fc.double({ min: 0.01, max: 0.99, noNaN: true }),
);

/** One keep probability for all n units, or n per-unit keep probabilities. */
export function keepsArb(n: number): fc.Arbitrary<number | number[]> {
  return fc.oneof(keepArb, fc.array(keepArb, { minLength: n, maxLength: n }));
}

/** keep as n per-unit values. */
export const keepList = (keep: number | readonly number[], n: number): number[] =>
  typeof keep === 'number' ? new Array<number>(n).fill(keep) : [...keep];

/** |z| ≤ LOGIT_BOUND for every mask of a generated logistic unit (see logisticUnitArb). */
export const LOGIT_BOUND = 6;

export interface LogisticUnitCase {
  /** weights w_i, inputs y_i (n of each, 1 ≤ n ≤ 12), bias b: O(r) = σ(Σ_i w_i r_i y_i + b). */
  w: number[];
  y: number[];
  b: number;
  keep: number | number[];
}

/**
 * One logistic unit with n ≤ 12 dropped inputs. Values are ensembleValueArb (0 or 0.01 ≤ |x| ≤ 3), then
 * w and b are scaled down together so that |b| + Σ|w_i y_i| ≤ LOGIT_BOUND: every pre-activation z(r)
 * has |z| ≤ 6, so 1 − σ(z) ≥ 0.0025 is computed from σ(z) with relative error ≤ ~400·2^−53 (see
 * ensemble-gradients.test.ts).
 */
export const logisticUnitArb: fc.Arbitrary<LogisticUnitCase> = logisticUnitArbOf(1, 12);

/** logisticUnitArb with minUnits ≤ n ≤ maxUnits (e.g. n > 12, past the walk's first probability table). */
export function logisticUnitArbOf(minUnits: number, maxUnits: number): fc.Arbitrary<LogisticUnitCase> {
  return fc
    .integer({ min: minUnits, max: maxUnits })
    .chain((n) =>
      fc.record({
        w: fc.array(ensembleValueArb, { minLength: n, maxLength: n }),
        y: fc.array(ensembleValueArb, { minLength: n, maxLength: n }),
        b: ensembleValueArb,
        keep: keepsArb(n),
      }),
    )
    .map(({ w, y, b, keep }) => {
      const total = w.reduce((s, wi, i) => s + Math.abs(wi * y[i]), Math.abs(b));
      const s = total > LOGIT_BOUND ? LOGIT_BOUND / total : 1;
      return { w: w.map((v) => v * s), y, b: b * s, keep };
    });
}

export interface SoftmaxLayerCase {
  /** [n, classes], the engine's x·W convention: z = (r ⊙ h)·W + b. */
  W: Tensor;
  /** [classes] */
  b: Tensor;
  /** [n], the units that are dropped. */
  h: Tensor;
  keep: number | number[];
}

/** One softmax layer fed by n ≤ 8 dropped units, 2–4 classes, values from ensembleValueArb (so |z| ≤ 75). */
export const softmaxLayerArb: fc.Arbitrary<SoftmaxLayerCase> = fc
  .record({ n: fc.integer({ min: 1, max: 8 }), classes: fc.integer({ min: 2, max: 4 }) })
  .chain(({ n, classes }) =>
    fc.record({
      W: tensorOfShapeArb([n, classes], ensembleValueArb),
      b: tensorOfShapeArb([classes], ensembleValueArb),
      h: tensorOfShapeArb([n], ensembleValueArb),
      keep: keepsArb(n),
    }),
  );

export type OutputSide = 'all ≤ 1/2' | 'all ≥ 1/2' | 'mixed';

export interface WeightedOutputsCase {
  /** units 0–4: 2^n masks. */
  n: number;
  keep: number | number[];
  /** O(r) ∈ (0, 1) for each of the 2^n masks, indexed by the mask as an integer (bit i = unit i). */
  outputs: number[];
  side: OutputSide;
}

/**
 * Outputs O(r) ∈ (0, 1), one per mask of n ≤ 4 units, with the masks' probabilities from keep: all
 * ≤ 1/2, all ≥ 1/2, or either side; sometimes all equal (where every bound is an equality), and
 * 1/2 itself and the extremes (5e-324, 1 − 2^−53) are among the values.
 */
export const weightedOutputsArb: fc.Arbitrary<WeightedOutputsCase> = fc
  .record({ n: fc.integer({ min: 0, max: 4 }), side: fc.constantFrom<OutputSide>('all ≤ 1/2', 'all ≥ 1/2', 'mixed') })
  .chain(({ n, side }) => {
    const range =
      side === 'all ≤ 1/2'
        ? { min: 0, max: 0.5, minExcluded: true }
        : side === 'all ≥ 1/2'
          ? { min: 0.5, max: 1, maxExcluded: true }
          : { min: 0, max: 1, minExcluded: true, maxExcluded: true };
    const value = fc.oneof(fc.double({ ...range, noNaN: true }), fc.constant(0.5));
    const size = 2 ** n;
    const outputs = fc.oneof(
      { arbitrary: fc.array(value, { minLength: size, maxLength: size }), weight: 4 },
      { arbitrary: value.map((v) => new Array<number>(size).fill(v)), weight: 1 },
    );
    return fc.record({ n: fc.constant(n), keep: keepsArb(n), outputs, side: fc.constant(side) });
  });

export interface LinearUnitCase {
  /** one example [1, n], n ≤ 8 */
  x: Tensor;
  /** [n, 1] */
  w: Tensor;
  /** [1] */
  b: Tensor;
  /** target [1, 1] */
  t: Tensor;
  keep: number | number[];
  convention: Convention;
}

/** A linear unit O = (r ⊙ x)·w + b (÷ keep per unit when inverted) with a target t: a regression problem with n ≤ 8 dropped inputs. */
export const linearUnitArb: fc.Arbitrary<LinearUnitCase> = fc.integer({ min: 1, max: 8 }).chain((n) =>
  fc.record({
    x: tensorOfShapeArb([1, n], ensembleValueArb),
    w: tensorOfShapeArb([n, 1], ensembleValueArb),
    b: tensorOfShapeArb([1], ensembleValueArb),
    t: tensorOfShapeArb([1, 1], ensembleValueArb),
    keep: keepsArb(n),
    convention: conventionArb,
  }),
);

export interface SoftmaxProblemCase {
  /** one example [1, n], n ≤ 8 */
  x: Tensor;
  /** [n, classes] */
  W: Tensor;
  /** [classes] */
  b: Tensor;
  label: number;
  keep: number | number[];
  convention: Convention;
}

/** A one-layer softmax classifier on one example with n ≤ 8 dropped inputs, 2–4 classes. */
export const softmaxProblemArb: fc.Arbitrary<SoftmaxProblemCase> = fc
  .record({ n: fc.integer({ min: 1, max: 8 }), classes: fc.integer({ min: 2, max: 4 }) })
  .chain(({ n, classes }) =>
    fc.record({
      x: tensorOfShapeArb([1, n], ensembleValueArb),
      W: tensorOfShapeArb([n, classes], ensembleValueArb),
      b: tensorOfShapeArb([classes], ensembleValueArb),
      label: fc.integer({ min: 0, max: classes - 1 }),
      keep: keepsArb(n),
      convention: conventionArb,
    }),
  );

export interface SmallMLPCase {
  /** [inputs, hidden, classes]: inputs + hidden ≤ 7 dropped units, so ≤ 128 masks. */
  sizes: [number, number, number];
  activation: Activation;
  inputRate: number;
  hiddenRate: number;
  convention: Convention;
  /** key(seed) initialises the parameters. */
  seed: number;
  /** [batch, inputs], batch 1–2; every row shares the mask (mask shape [1, units]). */
  x: Tensor;
  labels: number[];
}

/** A one-hidden-layer MLP with dropout on its inputs and hidden units, small enough to enumerate every mask pair. */
export const smallMLPArb: fc.Arbitrary<SmallMLPCase> = fc
  .record({
    n: fc.integer({ min: 1, max: 4 }),
    h: fc.integer({ min: 1, max: 3 }),
    classes: fc.integer({ min: 2, max: 3 }),
    batch: fc.integer({ min: 1, max: 2 }),
  })
  .chain(({ n, h, classes, batch }) =>
    fc.record({
      sizes: fc.constant<[number, number, number]>([n, h, classes]),
      activation: activationArb,
      inputRate: rateArb,
      hiddenRate: rateArb,
      convention: conventionArb,
      seed: seedArb,
      x: tensorOfShapeArb([batch, n], ensembleValueArb),
      labels: labelsArb(batch, classes),
    }),
  );

// ---------------------------------------------------------------------------------------------
// Networks with explicit weights, for M-DEEP (convergence.test.ts): an MLP's sizes, activation,
// rates, every weight, bias and the input, small enough to enumerate every mask (input and hidden
// units together ≤ maxMaskBits). Values are multiples of 1/1000, so counterexamples print readably;
// under fc.noBias they are uniform on that grid (fc.double would crowd near 0).

export interface DeepNetCase {
  /** [inputs, hidden…, outputs]. */
  sizes: number[];
  activation: Activation;
  /** Drop probabilities of the input units and of each hidden layer's units. */
  inputRate: number;
  hiddenRate: number[];
  /** Per layer: W row-major [in, out] (the engine's x·W convention) and b [out]. */
  layers: { W: number[]; b: number[] }[];
  /** One input example. */
  x: number[];
}

export interface DeepNetConstraints {
  activations: readonly Activation[];
  minHidden: number;
  maxHidden: number;
  maxInputs: number;
  maxWidth: number;
  outputs: number;
  /** Input units plus hidden units: 2^maxMaskBits masks at most. */
  maxMaskBits: number;
  /** Weights, biases and inputs: from `value` if given, else uniform on the grid of 1/1000 in [−valueBound, valueBound]. */
  valueBound: number;
  value?: fc.Arbitrary<number>;
  /** Drop probabilities (each in (0, 1)). */
  rate: fc.Arbitrary<number>;
}

/** A value in [−bound, bound] on the grid of 1/1000. */
export const gridValueArb = (bound: number): fc.Arbitrary<number> =>
  fc.integer({ min: -Math.round(bound * 1000), max: Math.round(bound * 1000) }).map((v) => v / 1000);

/** An MLP with explicit parameters and one input, every mask enumerable (see DeepNetCase). */
export function deepNetArb(c: DeepNetConstraints): fc.Arbitrary<DeepNetCase> {
  const value = c.value ?? gridValueArb(c.valueBound);
  const vec = (n: number) => fc.array(value, { minLength: n, maxLength: n });
  return fc
    .record({
      inputs: fc.integer({ min: 1, max: c.maxInputs }),
      hidden: fc.array(fc.integer({ min: 1, max: c.maxWidth }), { minLength: c.minHidden, maxLength: c.maxHidden }),
    })
    .filter(({ inputs, hidden }) => inputs + hidden.reduce((s, h) => s + h, 0) <= c.maxMaskBits)
    .chain(({ inputs, hidden }) => {
      const sizes = [inputs, ...hidden, c.outputs];
      return fc.record({
        sizes: fc.constant(sizes),
        activation: fc.constantFrom(...c.activations),
        inputRate: c.rate,
        hiddenRate: fc.array(c.rate, { minLength: hidden.length, maxLength: hidden.length }),
        layers: fc.tuple(...sizes.slice(1).map((out, l) => fc.record({ W: vec(sizes[l] * out), b: vec(out) }))),
        x: vec(inputs),
      });
    });
}

/**
 * M-DEEP refutation: 1–2 nonlinear hidden layers (tanh, sigmoid, relu) of width 1–3, one output, rates
 * from rateArb, weights, biases and inputs from a few round values in [−3, 3]. Round values shrink
 * to 1 (not towards 0, where the nonlinearity fades and the shrunk gap would sit at the threshold),
 * so a counterexample is small and reads at a glance.
 */
export const nonlinearNetArb: fc.Arbitrary<DeepNetCase> = deepNetArb({
  activations: ['tanh', 'sigmoid', 'relu'],
  minHidden: 1,
  maxHidden: 2,
  maxInputs: 3,
  maxWidth: 3,
  outputs: 1,
  maxMaskBits: 12,
  valueBound: 3,
  value: fc.constantFrom(1, -1, 2, -2, 0.5, -0.5, 3, -3, 0),
  rate: rateArb,
});

/**
 * M-DEEP measurements: 1–3 hidden layers of 1–4 sigmoid units, 1–4 inputs, one output unit (made
 * logistic by the test), input and hidden rates uniform on [0.1, 0.5] (grid 0.001), weights, biases
 * and inputs uniform on [−2, 2]; input and hidden units ≤ 14 (≤ 16,384 masks). Without bias, so the
 * sample is a plain random sample of such networks (the depth is uniform on 1–3).
 */
export const sigmoidNetArb: fc.Arbitrary<DeepNetCase> = fc.noBias(
  deepNetArb({
    activations: ['sigmoid'],
    minHidden: 1,
    maxHidden: 3,
    maxInputs: 4,
    maxWidth: 4,
    outputs: 1,
    maxMaskBits: 14,
    valueBound: 2,
    rate: fc.integer({ min: 100, max: 500 }).map((v) => v / 1000),
  }),
);

/**
 * M-DEEP's anchored refutation: ONE smooth nonlinear hidden layer (tanh or sigmoid) of width 1–3,
 * 1–3 inputs, one linear output, rates from rateArb on the inputs and the hidden units, weights,
 * biases and inputs from a few round values in [−3, 3] (shrinking to 1). With one hidden layer the
 * gap E − weight-scaled is Σ_j W2_j·(E g(z_j) − g(E z_j)) exactly, which the second-order term
 * ½g″(z̄_j)·Var z_j predicts within a third-order remainder (convergence.test.ts).
 */
export const oneHiddenNetArb: fc.Arbitrary<DeepNetCase> = deepNetArb({
  activations: ['tanh', 'sigmoid'],
  minHidden: 1,
  maxHidden: 1,
  maxInputs: 3,
  maxWidth: 3,
  outputs: 1,
  maxMaskBits: 6,
  valueBound: 3,
  value: fc.constantFrom(1, -1, 2, -2, 0.5, -0.5, 3, -3, 0),
  rate: rateArb,
});
