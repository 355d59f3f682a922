// X-OVERFIT (Table 2): on a network that overfits, dropout (keep 0.8 input, 0.5 hidden) with
// max-norm lowers test error against the same network without either.
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
  powerPositive,
  sd,
} from '../framework/experiment.ts';
import { NETS, POOL_SEEDS, armConfig, netSetting } from '../mnist/networks.ts';
import { lineWithBand } from '../report/plot.ts';
import { SCALED_DOWN, describeNet, describeTraining } from '../mnist/scale.ts';
import { bySeed, curveRows, learningCurves } from '../report/summarize.ts';

const perStep = (p: Profile, arm: 'plain' | 'dropout+max-norm') => {
  const c = armConfig(p, arm);
  return c.batch / c.nTrain;
};

/** The paper's smallest relative gain from dropout on MNIST (Table 2: 1.60% → 1.25%, ReLU; 1.06% with max-norm). */
const PAPER_GAIN = 1 - 1.25 / 1.6;
/** The spread of the relative gain across seeds assumed for the power calculation before the runs (0.05: 5% of the baseline error). */
const ASSUMED_SD = 0.05;

const epochsOf = (p: Profile, arm: 'plain' | 'dropout+max-norm') => {
  const c = armConfig(p, arm);
  return (c.steps * c.batch) / c.nTrain;
};

export const xOverfit: Experiment<Setting, ClassifierResult> = {
  id: 'X-OVERFIT',
  title: 'Dropout lowers test error on a network that overfits',
  claim:
    'On a network that overfits, dropout (keep 0.8 on the inputs, 0.5 on hidden units) lowers test error against the identical network without it (paper §6.1.1, Table 2).',
  published:
    'Table 2 (MNIST, 60,000 training digits): standard neural net 1.60% test error; dropout NN 1.35% (logistic units), 1.25% (ReLU); dropout + max-norm 1.06%.',
  profiles: ['quick', 'standard', 'large', 'paper'],
  runsOf: () => ({ pool: 'MNIST-NETS', settings: ['plain', 'dropout+max-norm'] }),
  setup: (p) =>
    `${describeNet(armConfig(p, 'plain'))}, without dropout (Table 2's standard net) and with dropout (keep 0.8 on the inputs, 0.5 on the hidden units, inverted convention) and max-norm (Table 2's best row), otherwise identical. Without dropout: ${describeTraining(armConfig(p, 'plain'))}. With dropout: ${describeTraining(armConfig(p, 'dropout+max-norm'))}. Train and test error are recorded every ${+((armConfig(p, 'plain').evalEvery! * armConfig(p, 'plain').batch) / armConfig(p, 'plain').nTrain).toFixed(2)} epochs${armConfig(p, 'plain').curveTrainDigits ? ` (training error on a stratified ${armConfig(p, 'plain').curveTrainDigits!.toLocaleString('en')} of the training digits, on all of them at the end)` : ''}.`,
  deviations: (p) =>
    p === 'quick'
      ? `${SCALED_DOWN} One hidden layer of ${armConfig(p, 'plain').hidden.join('-')} units.`
      : `Trained on the 50,000-digit training pool (the 10,000 validation digits are held out), where the paper trains on all 60,000 after choosing its hyperparameters on the validation set; ${NETS[p].hidden.length} hidden layers of ${NETS[p].hidden.join('-')} ReLU units (Table 2's rows use 2–3 layers of 1,024–8,192 units); ${epochsOf(p, 'dropout+max-norm')} epochs with dropout and ${epochsOf(p, 'plain')} without, where the paper trains for up to about 10⁶ updates; momentum fixed at 0.9 where the paper raises it to 0.95; float32. The dropout network also has max-norm (as Table 2's best row), so the difference measured is dropout with max-norm against neither; X-MAXNORM separates the two (standard profile).`,
  rule: (p) =>
    `Metric: test error (%) on the 10,000 official test digits after the last update. ${POOL_SEEDS[p]} seeds; for each seed both networks share the training set, initial weights and batch order. The network "overfits" if its training error ends below half its test error (shown, not tested). Part 1: r = 1 − (test error with dropout and max-norm) / (test error without), the relative gain (scale-free: it compares error levels as ratios, so it means the same at 8% and at 1.6%); claim r > 0. The paper's relative gain is at least ${(100 * PAPER_GAIN).toFixed(0)}% (1.60% → 1.25%, ReLU; 34% with max-norm). Power: with ${POOL_SEEDS[p]} seeds, if the gain is the paper's ${(100 * PAPER_GAIN).toFixed(0)}% and its sd across seeds ${100 * ASSUMED_SD}% (assumed before the runs), the interval lies above 0 with probability ${powerPositive(PAPER_GAIN, ASSUMED_SD, POOL_SEEDS[p]).toFixed(3)}; the report restates the power at the observed sd.\n\n${PART_RULES}`,
  report: (runs, p) => {
    const none = bySeed(runs, 'plain'),
      drop = bySeed(runs, 'dropout+max-norm');
    const part = judge({
      name: 'dropout lowers test error',
      kind: 'positive',
      statistic: 'relative gain 1 − with/without dropout',
      values: none.map((r, i) => 1 - drop[i].testError / r.testError),
    });
    const verdict = combine([part], false);
    const observed = sd(part.values);
    const rows = [
      ['without dropout', none],
      ['with dropout and max-norm', drop],
    ] as const;
    const md = [
      '| network | test error % (mean ± sd) | training error % | test − training |',
      '|---|---|---|---|',
      ...rows.map(
        ([n, rs]) =>
          `| ${n} | ${meanSd(rs.map((r) => r.testError))} | ${meanSd(rs.map((r) => r.trainError))} | ${meanSd(rs.map((r) => r.testError - r.trainError))} |`,
      ),
      '',
      partsTable([part], 3),
      '',
      `Power at the observed sd of the relative gain (${Number.isFinite(observed) ? observed.toFixed(3) : '—'}): ${Number.isFinite(observed) ? powerPositive(PAPER_GAIN, observed, part.values.length).toFixed(3) : '—'} for a gain of the paper's ${(100 * PAPER_GAIN).toFixed(0)}%.`,
    ].join('\n');
    const curve = [...curveRows(none, 'without dropout'), ...curveRows(drop, 'with dropout and max-norm')];
    return {
      verdict,
      setting: netSetting(p, [{ arm: 'plain' }, { arm: 'dropout+max-norm' }], {
        errors: none.map((r) => r.testError),
        paper: '1.60%',
      }),
      summary: `test error ${meanSd(none.map((r) => r.testError))}% → ${meanSd(drop.map((r) => r.testError))}% with dropout and max-norm; relative gain ${(100 * part.ci.mean).toFixed(0)}%, 95% interval [${(100 * part.ci.lo).toFixed(0)}, ${(100 * part.ci.hi).toFixed(0)}]%`,
      markdown: md,
      plots: [
        {
          name: 'test-error',
          title: 'Test error during training (mean ± sd over seeds)',
          spec: lineWithBand({
            rows: curve.filter((r) => r.set === 'test'),
            x: 'step',
            y: 'mean',
            lo: 'lo',
            hi: 'hi',
            series: 'network',
            xTitle: 'updates',
            yTitle: 'test error (%)',
            title: 'X-OVERFIT: test error',
            logY: true,
          }),
        },
        {
          name: 'learning-curves',
          title:
            'Training and test error against epochs (mean over seeds; both networks converged when their test error flattens)',
          spec: learningCurves(
            [
              { label: 'without dropout', results: none, epochsPerStep: perStep(p, 'plain') },
              { label: 'with dropout and max-norm', results: drop, epochsPerStep: perStep(p, 'dropout+max-norm') },
            ],
            'X-OVERFIT: learning curves',
          ),
        },
      ],
    };
  },
};
