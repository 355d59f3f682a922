// The MNIST networks that X-OVERFIT, M-K50, X-GAUSS and X-MAXNORM report on: one pool of arms
// (Table 2's plain net, Table 9's regularizers, Table 10's Gaussian noise) trained once per seed
// and shared, so each claim compares networks that differ only in what the claim is about.
import { type ClassifierConfig, type ClassifierResult, classifierCost, trainClassifier } from './classifier.ts';
import { POOL_SIZE } from './data.ts';
import type { Pool, Profile, Setting } from '../framework/experiment.ts';
import { PAPER_DROPOUT, quickClassifier, maxNormRadii } from './scale.ts';
import { type ArmTuning, TUNED } from './tuned.ts';

export type Arm = 'plain' | 'l2' | 'max-norm' | 'dropout+l2' | 'dropout+max-norm' | 'gaussian+max-norm';
export const ARMS: readonly Arm[] = ['plain', 'l2', 'max-norm', 'dropout+l2', 'dropout+max-norm', 'gaussian+max-norm'];
/** The large profile trains only what X-OVERFIT and M-K50 need. */
const armsIn = (p: Profile): readonly Arm[] => (p === 'large' ? ['plain', 'dropout+max-norm'] : ARMS);

/** Monte-Carlo averaging (M-K50) on the dropout + max-norm networks: sequences, grid, test-digit stride. */
export const MC = {
  grid: [1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100] as readonly number[],
  draws: (p: Profile) => (p === 'quick' ? 3 : 10),
  stride: (p: Profile) => (p === 'quick' ? 8 : p === 'standard' ? 5 : 1),
};

/**
 * Network, data and schedule per profile. standard: 784-512-512-10 (a net that reaches about 1.5%
 * without dropout in 20 epochs); large: 784-1024-1024-10 (with dropout and max-norm 1.22% at
 * 115–150 epochs in a pilot); both on the 50,000-digit pool, batch 100, learning rate decaying
 * linearly to a tenth. Without dropout training error reaches 0 early and test error stays flat
 * from there, so those nets get fewer epochs (the learning curves in the reports show it).
 */
export const NETS = {
  standard: {
    side: 28,
    hidden: [512, 512],
    epochs: { plain: 10, dropout: 20 },
    evalEveryEpochs: 1,
    curveTrainDigits: 5_000,
  },
  large: {
    side: 28,
    hidden: [1024, 1024],
    epochs: { plain: 60, dropout: 120 },
    evalEveryEpochs: 2,
    curveTrainDigits: 10_000,
  },
  paper: {
    side: 28,
    hidden: [1024, 1024, 2048],
    epochs: { plain: 200, dropout: 1000 },
    evalEveryEpochs: 10,
    curveTrainDigits: 10_000,
  },
} as const;

const dropoutArm = (a: Arm) => a.startsWith('dropout') || a.startsWith('gaussian');

/** A network of the pool: an arm, optionally on fewer training digits (X-SIZE) or another width (X-UNDERFIT). */
export interface Variant {
  arm: Arm;
  nTrain?: number;
  hidden?: readonly number[];
}

/** Updates at least, on small training sets (where the epochs would give only a few). */
export const MIN_UPDATES: Record<Profile, number> = { quick: 150, standard: 1_000, large: 1_000, paper: 10_000 };

/** The setting name of a variant: the arm, then @<digits> and @<widths> (or @linear) where they differ from the profile's net. */
export const variantName = (v: Variant) =>
  `${v.arm}${v.nTrain === undefined ? '' : `@${v.nTrain}`}${v.hidden === undefined ? '' : `@${v.hidden.length ? v.hidden.join('x') : 'linear'}`}`;

/**
 * The configuration of one network. On n training digits it trains for the arm's epochs (at least
 * MIN_UPDATES updates) and records its errors about 25 times, every epoch on the full pool.
 */
export function armConfig(
  p: Profile,
  arm: Arm,
  variant: Omit<Variant, 'arm'> = {},
  values?: ArmTuning,
): ClassifierConfig {
  // the arm's tuned values (or the grid point being tried), else the profile's
  const own = values ?? TUNED[p].arms?.[arm];
  const t = { lr: own?.lr ?? TUNED[p].lr, c: own?.c ?? TUNED[p].c, l2: own?.l2 ?? TUNED[p].l2 };
  let base: ClassifierConfig;
  if (p === 'quick') {
    const b = quickClassifier();
    base = {
      ...b,
      lr: t.lr,
      ...(variant.nTrain ? { nTrain: variant.nTrain } : {}),
      evalEvery: Math.max(1, Math.round(b.steps / 4)),
    };
  } else {
    const n = NETS[p],
      nTrain = variant.nTrain ?? POOL_SIZE,
      batch = 100,
      perEpoch = Math.ceil(nTrain / batch);
    const steps = Math.max(MIN_UPDATES[p], (dropoutArm(arm) ? n.epochs.dropout : n.epochs.plain) * perEpoch);
    base = {
      side: n.side,
      hidden: [...n.hidden],
      inputRate: 0,
      hiddenRate: 0,
      nTrain,
      batch,
      lr: t.lr,
      momentum: 0.9,
      steps,
      evalEvery: nTrain === POOL_SIZE ? n.evalEveryEpochs * perEpoch : Math.max(perEpoch, Math.round(steps / 25)),
      curveTrainDigits: Math.min(nTrain, n.curveTrainDigits),
    };
  }
  if (variant.hidden) base.hidden = [...variant.hidden];
  const drop = dropoutArm(arm)
    ? { ...PAPER_DROPOUT, ...(arm.startsWith('gaussian') ? { noise: 'gaussian' as const } : {}) }
    : {};
  const keepIn = dropoutArm(arm) ? 1 - PAPER_DROPOUT.inputRate : 1,
    keepHidden = dropoutArm(arm) ? 1 - PAPER_DROPOUT.hiddenRate : 1;
  const reg = arm.endsWith('max-norm')
    ? { maxNorm: maxNormRadii(t.c, keepIn, keepHidden, base.hidden.length) }
    : arm.endsWith('l2')
      ? { weightDecay: t.l2 }
      : {};
  const main = variant.nTrain === undefined && variant.hidden === undefined;
  const mc =
    main && arm === 'dropout+max-norm'
      ? { mc: { draws: MC.draws(p), grid: MC.grid, ...(MC.stride(p) > 1 ? { stride: MC.stride(p) } : {}) } }
      : {};
  return { ...base, ...drop, ...reg, ...mc };
}

/** X-SIZE's training-set sizes below the full pool (whose networks are the pool's main arms). */
export const SIZES: Record<Profile, readonly number[]> = {
  quick: [100, 500],
  standard: [100, 500, 1_000, 5_000, 10_000],
  large: [],
  paper: [100, 500, 1_000, 5_000, 10_000],
};
/** X-UNDERFIT's smaller networks (the widest is the pool's main net). */
export const CAPACITIES: Record<Profile, readonly (readonly number[])[]> = {
  quick: [[], [8]],
  standard: [[], [16], [128]],
  large: [],
  paper: [[], [16], [128], [512]],
};

/** Every network of the pool in a profile. */
export function variants(p: Profile): Variant[] {
  return [
    ...armsIn(p).map((arm) => ({ arm })),
    ...SIZES[p].flatMap((nTrain) => (['plain', 'dropout+max-norm'] as const).map((arm) => ({ arm, nTrain }))),
    ...CAPACITIES[p].flatMap((hidden) => (['plain', 'dropout+max-norm'] as const).map((arm) => ({ arm, hidden }))),
  ];
}

/**
 * Seeds (networks per arm). Three in every profile that fits them: with the spread between seeds
 * seen at these error levels (a few percent of the error) three seeds detect the paper's effects
 * with power above 0.9; each report states its power at the observed spread.
 */
export const POOL_SEEDS: Record<Profile, number> = { quick: 3, standard: 3, large: 3, paper: 5 };

interface S extends Setting {
  variant: Variant;
  config: ClassifierConfig;
}

export const mnistNets: Pool<S, ClassifierResult> = {
  id: 'MNIST-NETS',
  plan: (p) => ({
    settings: variants(p).map((v) => ({ name: variantName(v), variant: v, config: armConfig(p, v.arm, v) })),
    seeds: POOL_SEEDS[p],
  }),
  cost: (s) => classifierCost(s.config),
  run: (s, _seed, ctx) => {
    const { testError, trainError, curve, mc, mcWeightScaled } = trainClassifier(s.config, ctx);
    return { testError, trainError, curve, ...(mc ? { mc, mcWeightScaled } : {}) };
  },
};

/**
 * The setting line of a report on pool networks: data, input size, networks, updates, seeds, and
 * (when given) the no-dropout baseline's test error beside the paper's.
 */
export function netSetting(
  p: Profile,
  vs: readonly Variant[],
  baseline?: { errors: readonly number[]; paper: string },
): string {
  const cs = vs.map((v) => armConfig(p, v.arm, v));
  const range = (xs: number[], f = (x: number) => x.toLocaleString('en')) => {
    const lo = Math.min(...xs),
      hi = Math.max(...xs);
    return lo === hi ? f(lo) : `${f(lo)}–${f(hi)}`;
  };
  const nets = [...new Set(cs.map((c) => [c.side * c.side, ...c.hidden, 10].join('-')))];
  const mean = baseline ? baseline.errors.reduce((a, b) => a + b, 0) / baseline.errors.length : NaN;
  return `MNIST, ${range(cs.map((c) => c.nTrain))} training digits, the 10,000 official test digits; ${cs[0].side}×${cs[0].side} inputs; ${nets.join(', ')} ReLU; ${range(cs.map((c) => c.steps))} updates (${range(
    cs.map((c) => (c.steps * c.batch) / c.nTrain),
    (x) => String(+x.toFixed(1)),
  )} epochs); ${POOL_SEEDS[p]} seeds; float32${baseline ? `; baseline without dropout ${mean.toFixed(2)}% test error (paper: ${baseline.paper})` : ''}.`;
}
