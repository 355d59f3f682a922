// The three profiles' sizes, in one place: what is scaled down from the paper, and by how much.
import type { ClassifierConfig } from './classifier.ts';
import type { Profile } from '../framework/experiment.ts';
import { POOL_SIZE, TEST_SIZE } from './data.ts';

export const SEEDS: Record<Profile, number> = { quick: 3, standard: 5, large: 3, paper: 10 };

/** Updates for the experiments with many settings (X-KEEP, X-SIZE, X-SPARSE), fewer than the base network's. */
/** Updates of the quick profile's autoencoders (X-SPARSE). */
export const QUICK_SHORT_STEPS = 100;

/**
 * The quick profile's classifier: 14×14 digits (2×2 averaged), one hidden layer of 256 ReLU units,
 * 2,000 training digits, 150 updates. The other profiles' networks are in networks.ts (and X-KEEP's
 * in its script).
 */
export const quickClassifier = (): ClassifierConfig => ({
  side: 14,
  hidden: [256],
  inputRate: 0,
  hiddenRate: 0,
  nTrain: 2000,
  steps: 150,
  batch: 50,
  lr: 0.05,
  momentum: 0.9,
});

/** The paper's dropout rates for MNIST: keep 0.8 on the inputs, 0.5 on hidden units. */
export const PAPER_DROPOUT = { inputRate: 0.2, hiddenRate: 0.5 } as const;

export const describeNet = (c: ClassifierConfig) =>
  `${[c.side * c.side, ...c.hidden, 10].join('-')} ReLU MLP (${c.side}×${c.side} digits${c.side === 14 ? ', 2×2 averages of the 28×28 originals' : ''})`;

export const describeTraining = (c: ClassifierConfig) =>
  `SGD, momentum ${c.momentum}, batch ${c.batch}, ${c.steps.toLocaleString('en')} updates (${+((c.steps * c.batch) / c.nTrain).toFixed(1)} epochs of ${c.nTrain.toLocaleString('en')} training digits), learning rate ${c.lr} decaying linearly to ${+(c.lr / 10).toFixed(4)}, He-normal initial weights, softmax cross-entropy${describeMaxNorm(c)}; test set: the ${TEST_SIZE.toLocaleString('en')} official MNIST test digits`;

/** The max-norm constraint in both conventions, or nothing. */
export const describeMaxNorm = (c: ClassifierConfig) =>
  c.maxNorm === undefined
    ? ''
    : typeof c.maxNorm === 'number'
      ? `, max-norm ${c.maxNorm} on every layer's incoming weight vectors (inverted-convention weights)`
      : `, max-norm on each unit's incoming weight vector: radii ${c.maxNorm.map((r) => +r.toFixed(4)).join(', ')} for the ${c.maxNorm.length} layers on inverted-convention weights, i.e. c = ${+(c.maxNorm[0] / (1 - c.inputRate)).toFixed(3)} in the paper's convention on its unscaled weights (radius keep·c, keep of the layer's inputs)`;

/** The quick profile's deviations, in one sentence every report's quick version carries. */
export const SCALED_DOWN = `Quick profile, a pipeline check: 14×14 digits (2×2 averages of the 28×28 originals), a 2,000-digit stratified draw from the ${POOL_SIZE.toLocaleString('en')}-digit training pool, one small hidden layer and about a hundred updates, where the paper trains large networks on all 60,000 digits for about 10⁶ updates; test error on the ${TEST_SIZE.toLocaleString('en')} official test digits (the validation digits unused). Published magnitudes are not expected and the verdict says nothing about the paper.`;

/** The paper's max-norm radius c = 2, stated on its (unscaled) weights. */
export const PAPER_C = 2;

/**
 * Max-norm radii on inverted-convention weights for the paper's c: a layer whose inputs are kept
 * with probability keep sees them scaled by 1/keep, so ‖W_paper‖ ≤ c is ‖W‖ ≤ keep·c here.
 */
export const maxNormRadii = (c: number, inputKeep: number, hiddenKeep: number, hiddenLayers: number) => [
  inputKeep * c,
  ...Array.from({ length: hiddenLayers }, () => hiddenKeep * c),
];
