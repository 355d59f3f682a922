// The MNIST networks that X-OVERFIT, M-K50, X-GAUSS and X-MAXNORM report on: one pool of arms
// (Table 2's plain net, Table 9's regularizers, Table 10's Gaussian noise) trained once per seed
// and shared, so each claim compares networks that differ only in what the claim is about.
import { type ClassifierConfig, type ClassifierResult, classifierCost, trainClassifier } from './classifier.ts';
import { POOL_SIZE } from './data.ts';
import type { Pool, Profile, Setting } from './framework.ts';
import { PAPER_DROPOUT, baseClassifier, maxNormRadii } from './scale.ts';
import { TUNED } from './tuned.ts';

export type Arm = 'plain' | 'l2' | 'max-norm' | 'dropout+l2' | 'dropout+max-norm' | 'gaussian+max-norm';
export const ARMS: readonly Arm[] = ['plain', 'l2', 'max-norm', 'dropout+l2', 'dropout+max-norm', 'gaussian+max-norm'];
/** The large profile trains only what X-OVERFIT and M-K50 need. */
const armsIn = (p: Profile): readonly Arm[] => (p === 'large' ? ['plain', 'dropout+max-norm'] : ARMS);

/** Monte-Carlo averaging (M-K50) on the dropout + max-norm networks: sequences, grid, test-digit stride. */
export const MC = { grid: [1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100] as readonly number[], draws: (p: Profile) => (p === 'quick' ? 3 : 10), stride: (p: Profile) => (p === 'quick' ? 8 : p === 'standard' ? 5 : 1) };

/**
 * Network, data and schedule per profile. standard: 784-512-512-10 (a net that reaches about 1.5%
 * without dropout in 20 epochs); large: 784-1024-1024-10 (with dropout and max-norm 1.22% at
 * 115–150 epochs in a pilot); both on the 50,000-digit pool, batch 100, learning rate decaying
 * linearly to a tenth. Without dropout training error reaches 0 early and test error stays flat
 * from there, so those nets get fewer epochs (the learning curves in the reports show it).
 */
export const NETS = {
  standard: { side: 28, hidden: [512, 512], epochs: { plain: 10, dropout: 25 }, evalEveryEpochs: 1, curveTrainDigits: 5_000 },
  large: { side: 28, hidden: [1024, 1024], epochs: { plain: 60, dropout: 120 }, evalEveryEpochs: 2, curveTrainDigits: 10_000 },
  paper: { side: 28, hidden: [1024, 1024, 2048], epochs: { plain: 200, dropout: 1000 }, evalEveryEpochs: 10, curveTrainDigits: 10_000 },
} as const;

const dropoutArm = (a: Arm) => a.startsWith('dropout') || a.startsWith('gaussian');

/** The configuration of one arm in one profile. */
export function armConfig(p: Profile, arm: Arm): ClassifierConfig {
  const t = TUNED[p];
  let base: ClassifierConfig;
  if (p === 'quick') {
    const b = baseClassifier(p);
    base = { ...b, evalEvery: Math.max(1, Math.round(b.steps / 4)) };
  } else {
    const n = NETS[p], perEpoch = POOL_SIZE / 100;
    base = {
      side: n.side, hidden: [...n.hidden], inputRate: 0, hiddenRate: 0, nTrain: POOL_SIZE, batch: 100, lr: t.lr, momentum: 0.9,
      steps: (dropoutArm(arm) ? n.epochs.dropout : n.epochs.plain) * perEpoch, evalEvery: n.evalEveryEpochs * perEpoch, curveTrainDigits: n.curveTrainDigits,
    };
  }
  const drop = dropoutArm(arm) ? { ...PAPER_DROPOUT, ...(arm.startsWith('gaussian') ? { noise: 'gaussian' as const } : {}) } : {};
  const keepIn = dropoutArm(arm) ? 1 - PAPER_DROPOUT.inputRate : 1, keepHidden = dropoutArm(arm) ? 1 - PAPER_DROPOUT.hiddenRate : 1;
  const reg = arm.endsWith('max-norm') ? { maxNorm: maxNormRadii(t.c, keepIn, keepHidden, base.hidden.length) } : arm.endsWith('l2') ? { weightDecay: t.l2 } : {};
  const mc = arm === 'dropout+max-norm' ? { mc: { draws: MC.draws(p), grid: MC.grid, ...(MC.stride(p) > 1 ? { stride: MC.stride(p) } : {}) } } : {};
  return { ...base, ...drop, ...reg, ...mc };
}

/**
 * Seeds (networks per arm). Three in every profile that fits them: with the spread between seeds
 * seen at these error levels (a few percent of the error) three seeds detect the paper's effects
 * with power above 0.9; each report states its power at the observed spread.
 */
export const POOL_SEEDS: Record<Profile, number> = { quick: 3, standard: 3, large: 3, paper: 5 };

interface S extends Setting { arm: Arm; config: ClassifierConfig }

export const mnistNets: Pool<S, ClassifierResult> = {
  id: 'MNIST-NETS',
  plan: (p) => ({ settings: armsIn(p).map((arm) => ({ name: arm, arm, config: armConfig(p, arm) })), seeds: POOL_SEEDS[p] }),
  cost: (s) => classifierCost(s.config),
  run: (s, _seed, ctx) => {
    const { testError, trainError, curve, mc, mcWeightScaled } = trainClassifier(s.config, ctx);
    return { testError, trainError, curve, ...(mc ? { mc, mcWeightScaled } : {}) };
  },
};
