// X-OVERFIT: on a network that overfits, dropout (keep 0.8 input, 0.5 hidden) lowers test error.
import { type ClassifierConfig, type ClassifierResult, classifierCost, trainClassifier } from './classifier.ts';
import { type Experiment, type Profile, type Setting, PART_RULES, combine, judge, meanSd, partsTable, powerPositive, sd } from './framework.ts';
import { lineWithBand } from './plot.ts';
import { LARGE, PAPER_DROPOUT, SCALED_DOWN, SEEDS, baseClassifier, describeNet, describeTraining, largeClassifier } from './scale.ts';
import { MC_DRAWS, MC_GRID } from './m-k50.ts';
import { bySeed, curveRows } from './summarize.ts';

interface S extends Setting { config: ClassifierConfig }

const config = (p: Profile, dropout: boolean): ClassifierConfig => {
  // large: the dropout networks also serve M-K50 (its Monte-Carlo averages are computed in the same run)
  if (p === 'large') return largeClassifier(dropout, dropout ? { draws: MC_DRAWS, grid: MC_GRID } : undefined);
  const b = baseClassifier(p);
  return { ...b, ...(dropout ? PAPER_DROPOUT : {}), evalEvery: Math.max(1, Math.round(b.steps / (p === 'quick' ? 4 : 10))) };
};
const dropoutName = (p: Profile) => (p === 'large' ? 'dropout+max-norm' : 'dropout');

/** The paper's smallest relative gain from dropout on MNIST (Table 2: 1.60% → 1.25%, ReLU). */
const PAPER_GAIN = 1 - 1.25 / 1.6;
/** The spread of the relative gain across seeds assumed for the power calculation before the runs (0.05: 5% of the baseline error). */
const ASSUMED_SD = 0.05;

export const xOverfit: Experiment<S, ClassifierResult> = {
  id: 'X-OVERFIT',
  title: 'Dropout lowers test error on a network that overfits',
  claim: 'On a network that overfits, dropout (keep 0.8 on the inputs, 0.5 on hidden units) lowers test error against the identical network without it (paper §6.1.1, Table 2).',
  published: 'Table 2 (MNIST, 60,000 training digits): standard neural net 1.60% test error; dropout NN 1.35% (logistic units), 1.25% (ReLU); dropout + max-norm 1.06%.',
  profiles: ['quick', 'standard', 'large', 'paper'],
  setup: (p) => `${describeNet(config(p, false))}, without dropout and ${p === 'large' ? 'with dropout and max-norm' : 'with dropout'} (keep 0.8 on the inputs, 0.5 on the hidden units, inverted convention), otherwise identical. Without dropout: ${describeTraining(config(p, false))}. With dropout: ${describeTraining(config(p, true))}. Train and test error are recorded every ${+(config(p, false).evalEvery! * config(p, false).batch / config(p, false).nTrain).toFixed(2)} epochs${config(p, false).curveTrainDigits ? ` (training error on a stratified ${config(p, false).curveTrainDigits!.toLocaleString('en')} of the training digits, on all of them at the end)` : ''}.`,
  deviations: (p) => p === 'large'
    ? `Trained on the 50,000-digit training pool (the 10,000 validation digits are held out), where the paper trains on all 60,000 after choosing its hyperparameters on the validation set; 2 hidden layers of 1,024 ReLU units (Table 2's rows use 2–3 layers of 1,024–8,192 units); ${LARGE.dropoutEpochs} epochs (${(LARGE.dropoutEpochs * 500).toLocaleString('en')} updates) with dropout and ${LARGE.baselineEpochs} without, where the paper trains for up to about 10⁶ updates; momentum fixed at 0.9 where the paper raises it to 0.95; learning rate, momentum and schedule taken from a pilot run, not tuned here on the validation set; float32.`
    : `${SCALED_DOWN} The paper's Table 2 networks have 2–3 hidden layers of 1,024–8,192 units; this one has a single hidden layer of ${baseClassifier(p).hidden.join('-')} units and no max-norm.`,
  rule: (p) => `Metric: test error (%) on the 10,000 official test digits after the last update. ${SEEDS[p]} seeds; for each seed both networks share the training set, initial weights and batch order. The network "overfits" if its training error ends below half its test error (shown, not tested). Part 1: r = 1 − (test error with ${p === 'large' ? 'dropout and max-norm' : 'dropout'}) / (test error without), the relative gain (scale-free: it compares error levels as ratios, so it means the same at 8% and at 1.6%); claim r > 0. The paper's relative gain is at least ${(100 * PAPER_GAIN).toFixed(0)}% (1.60% → 1.25%, ReLU; 34% with max-norm). Power: with ${SEEDS[p]} seeds, if the gain is the paper's ${(100 * PAPER_GAIN).toFixed(0)}% and its sd across seeds ${100 * ASSUMED_SD}% (assumed before the runs), the interval lies above 0 with probability ${powerPositive(PAPER_GAIN, ASSUMED_SD, SEEDS[p]).toFixed(3)}; the report restates the power at the observed sd.\n\n${PART_RULES}`,
  plan: (p) => ({ settings: [{ name: 'no-dropout', config: config(p, false) }, { name: dropoutName(p), config: config(p, true) }], seeds: SEEDS[p] }),
  cost: (s) => classifierCost(s.config),
  run: (s, _seed, ctx) => {
    const { testError, trainError, curve, mc, mcWeightScaled } = trainClassifier(s.config, ctx);
    return { testError, trainError, curve, ...(mc ? { mc, mcWeightScaled } : {}) };
  },
  report: (runs, p) => {
    const none = bySeed(runs, 'no-dropout'), drop = bySeed(runs, dropoutName(p));
    const part = judge({ name: 'dropout lowers test error', kind: 'positive', statistic: 'relative gain 1 − with/without dropout', values: none.map((r, i) => 1 - drop[i].testError / r.testError) });
    const verdict = combine([part], false);
    const observed = sd(part.values);
    const rows = [['without dropout', none], ['with dropout', drop]] as const;
    const md = [
      '| network | test error % (mean ± sd) | training error % | test − training |', '|---|---|---|---|',
      ...rows.map(([n, rs]) => `| ${n} | ${meanSd(rs.map((r) => r.testError))} | ${meanSd(rs.map((r) => r.trainError))} | ${meanSd(rs.map((r) => r.testError - r.trainError))} |`),
      '', partsTable([part], 3),
      '', `Power at the observed sd of the relative gain (${Number.isFinite(observed) ? observed.toFixed(3) : '—'}): ${Number.isFinite(observed) ? powerPositive(PAPER_GAIN, observed, part.values.length).toFixed(3) : '—'} for a gain of the paper's ${(100 * PAPER_GAIN).toFixed(0)}%.`,
    ].join('\n');
    const curve = [...curveRows(none, 'without dropout'), ...curveRows(drop, 'with dropout')];
    return {
      verdict,
      summary: `test error ${meanSd(none.map((r) => r.testError))}% → ${meanSd(drop.map((r) => r.testError))}% with dropout; relative gain ${(100 * part.ci.mean).toFixed(0)}%, 95% interval [${(100 * part.ci.lo).toFixed(0)}, ${(100 * part.ci.hi).toFixed(0)}]%`,
      markdown: md,
      plots: [
        { name: 'test-error', title: 'Test error during training (mean ± sd over seeds)', spec: lineWithBand({ rows: curve.filter((r) => r.set === 'test'), x: 'step', y: 'mean', lo: 'lo', hi: 'hi', series: 'network', xTitle: 'updates', yTitle: 'test error (%)', title: 'X-OVERFIT: test error', logY: true }) },
        { name: 'train-vs-test', title: 'Training and test error during training (mean over seeds)', spec: lineWithBand({ rows: curve.map((r) => ({ ...r, series: `${r.network}, ${r.set}` })), x: 'step', y: 'mean', series: 'series', xTitle: 'updates', yTitle: 'error (%)', title: 'X-OVERFIT: training vs test error' }) },
      ],
    };
  },
};
