// X-MAXNORM (Table 9): dropout + max-norm beats dropout + L2, which beats max-norm alone and L2 alone.
import type { ClassifierResult } from '../mnist/classifier.ts';
import {
  type Experiment,
  type Profile,
  type Setting,
  PART_RULES,
  combine,
  judge,
  meanSd,
  partsTable,
} from '../framework/experiment.ts';
import { type Arm, POOL_SEEDS, armConfig, netSetting } from '../mnist/networks.ts';
import { barsWithErrors, lineWithBand } from '../report/plot.ts';
import { SCALED_DOWN, describeNet, describeTraining } from '../mnist/scale.ts';
import { band, bySeed, learningCurves } from '../report/summarize.ts';
import { TUNED } from '../mnist/tuned.ts';

const ARMS: { name: Arm; label: string }[] = [
  { name: 'l2', label: 'L2' },
  { name: 'max-norm', label: 'max-norm' },
  { name: 'dropout+l2', label: 'dropout + L2' },
  { name: 'dropout+max-norm', label: 'dropout + max-norm' },
];
const PUBLISHED: Record<string, string> = {
  l2: '1.62',
  'max-norm': '1.35',
  'dropout+l2': '1.25',
  'dropout+max-norm': '1.05',
};

export const xMaxnorm: Experiment<Setting, ClassifierResult> = {
  id: 'X-MAXNORM',
  title: 'Dropout with max-norm beats dropout with L2, which beats either alone',
  claim:
    'Dropout with a max-norm constraint beats dropout with L2 weight decay, which beats max-norm alone and L2 alone (paper §5.1, Table 9).',
  published: `Table 9 (MNIST, 784-1024-1024-2048-10): L2 ${PUBLISHED.l2}%, max-norm ${PUBLISHED['max-norm']}%, dropout + L2 ${PUBLISHED['dropout+l2']}%, dropout + max-norm ${PUBLISHED['dropout+max-norm']}% test error.`,
  runsOf: () => ({ pool: 'MNIST-NETS', settings: ARMS.map((a) => a.name) }),
  setup: (p: Profile) =>
    `${describeNet(armConfig(p, 'l2'))} under four regularizers: L2 weight decay (added to the weight gradients, biases not decayed; λ = ${armConfig(p, 'l2').weightDecay} alone, ${armConfig(p, 'dropout+l2').weightDecay} with dropout); max-norm, each unit's incoming weight vector projected after every update onto the ball of radius c on the paper's weights, i.e. keep·c on the inverted-convention weights used here (radii ${[armConfig(p, 'max-norm').maxNorm!].flat().join(', ')} alone, ${[armConfig(p, 'dropout+max-norm').maxNorm!].flat().join(', ')} with dropout); and each with dropout (keep 0.8 inputs, 0.5 hidden). L2 alone: ${describeTraining(armConfig(p, 'l2'))}. Dropout + L2: ${describeTraining(armConfig(p, 'dropout+l2'))}. Learning rates: ${ARMS.map((a) => `${a.label} ${armConfig(p, a.name).lr}`).join(', ')}. Hyperparameters: ${TUNED[p].source}. The fraction of units whose incoming weights sit on the max-norm bound is recorded at every evaluation.`,
  deviations: (p) =>
    `${p === 'quick' ? SCALED_DOWN : 'Trained on the 50,000-digit pool for the budget in X-OVERFIT.md; 784-512-512-10 where Table 9 uses 784-1024-1024-2048-10.'} The paper's table also includes other regularizers (L2 + L1, L2 + KL sparsity) left out here.`,
  rule: (p) =>
    `Metric: test error (%) on the 10,000 official test digits after the last update; ${POOL_SEEDS[p]} seeds, the four arms of one seed sharing training set, initial weights and batch order. Each part compares two arms by the relative gain r = 1 − err(better)/err(worse) (scale-free). Parts: (1) r = 1 − err(dropout + max-norm)/err(dropout + L2) > 0; (2) r = 1 − err(dropout + L2)/err(max-norm) > 0; (3) r = 1 − err(dropout + L2)/err(L2) > 0.\n\n${PART_RULES}`,
  report: (runs, p) => {
    const e = (name: string) => bySeed(runs, name).map((r) => r.testError);
    const gain = (better: string, worse: string) => e(worse).map((w, i) => 1 - e(better)[i] / w);
    const parts = [
      judge({
        name: '(1) dropout + max-norm beats dropout + L2',
        kind: 'positive',
        statistic: '1 − err(D+MN)/err(D+L2)',
        values: gain('dropout+max-norm', 'dropout+l2'),
      }),
      judge({
        name: '(2) dropout + L2 beats max-norm alone',
        kind: 'positive',
        statistic: '1 − err(D+L2)/err(MN)',
        values: gain('dropout+l2', 'max-norm'),
      }),
      judge({
        name: '(3) dropout + L2 beats L2 alone',
        kind: 'positive',
        statistic: '1 − err(D+L2)/err(L2)',
        values: gain('dropout+l2', 'l2'),
      }),
    ];
    const atBound = (name: string) => bySeed(runs, name).map((r) => r.curve.at(-1)?.atBound ?? NaN);
    const md = [
      '| regularizer | test error % (mean ± sd) | training error % | units on the max-norm bound at the end | published |',
      '|---|---|---|---|---|',
      ...ARMS.map(
        (a) =>
          `| ${a.label} | ${meanSd(e(a.name))} | ${meanSd(bySeed(runs, a.name).map((r) => r.trainError))} | ${
            a.name.endsWith('max-norm')
              ? meanSd(
                  atBound(a.name).map((v) => 100 * v),
                  1,
                ) + '%'
              : '—'
          } | ${PUBLISHED[a.name]} |`,
      ),
      '',
      partsTable(parts, 3),
    ].join('\n');
    const boundRows = ARMS.filter((a) => a.name.endsWith('max-norm')).flatMap((a) => {
      const rs = bySeed(runs, a.name);
      return (rs[0]?.curve ?? []).map((c, i) => ({
        step: c.step,
        series: a.label,
        ...band(rs.map((r) => 100 * (r.curve[i].atBound ?? NaN))),
      }));
    });
    return {
      verdict: combine(parts),
      setting: `${netSetting(
        p,
        ARMS.map((a) => ({ arm: a.name })),
      )} L2 alone ${meanSd(e('l2'))}% test error (paper: 1.62%); hyperparameters: ${TUNED[p].source}`,
      summary: ARMS.map((a) => `${a.label} ${meanSd(e(a.name))}%`).join(', '),
      markdown: md,
      plots: [
        {
          name: 'test-error',
          title: 'Test error per regularizer (mean ± sd)',
          spec: barsWithErrors({
            rows: ARMS.map((a) => ({ regularizer: a.label, ...band(e(a.name)) })),
            category: 'regularizer',
            y: 'mean',
            lo: 'lo',
            hi: 'hi',
            yTitle: 'test error (%)',
            title: 'X-MAXNORM',
          }),
        },
        {
          name: 'learning-curves',
          title: 'Training and test error against epochs per regularizer (mean over seeds)',
          spec: learningCurves(
            ARMS.map((a) => ({
              label: a.label,
              results: bySeed(runs, a.name),
              epochsPerStep: armConfig(p, a.name).batch / armConfig(p, a.name).nTrain,
            })),
            'X-MAXNORM: learning curves',
          ),
        },
        {
          name: 'at-bound',
          title: 'Units whose incoming weights sit on the max-norm bound during training (%, mean ± sd)',
          spec: lineWithBand({
            rows: boundRows,
            x: 'step',
            y: 'mean',
            lo: 'lo',
            hi: 'hi',
            series: 'series',
            xTitle: 'updates',
            yTitle: 'units on the bound (%)',
            title: 'X-MAXNORM: the constraint at work',
          }),
        },
      ],
    };
  },
};
