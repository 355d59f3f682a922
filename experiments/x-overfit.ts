// X-OVERFIT: on a network that overfits, dropout (keep 0.8 input, 0.5 hidden) lowers test error.
import { type ClassifierConfig, type ClassifierResult, classifierCost, trainClassifier } from './classifier.ts';
import { type Experiment, type Profile, type Setting, PART_RULES, combine, judge, meanSd, partsTable } from './framework.ts';
import { lineWithBand } from './plot.ts';
import { PAPER_DROPOUT, SCALED_DOWN, SEEDS, baseClassifier, describeNet, describeTraining } from './scale.ts';
import { bySeed, curveRows } from './summarize.ts';

interface S extends Setting { config: ClassifierConfig }

const config = (p: Profile, dropout: boolean): ClassifierConfig => {
  const b = baseClassifier(p);
  return { ...b, ...(dropout ? PAPER_DROPOUT : {}), evalEvery: Math.max(1, Math.round(b.steps / (p === 'quick' ? 4 : 10))) };
};

export const xOverfit: Experiment<S, ClassifierResult> = {
  id: 'X-OVERFIT',
  title: 'Dropout lowers test error on a network that overfits',
  claim: 'On a network that overfits, dropout (keep 0.8 on the inputs, 0.5 on hidden units) lowers test error against the identical network without it (paper §6.1.1, Table 2).',
  published: 'Table 2 (MNIST, 60,000 training digits): standard neural net 1.60% test error; dropout NN 1.35% (logistic units), 1.25% (ReLU); dropout + max-norm 1.06%.',
  setup: (p) => `${describeNet(config(p, false))}, without dropout and with dropout (keep 0.8 on the inputs, 0.5 on the hidden units, inverted convention), otherwise identical: ${describeTraining(config(p, false))}. Train and test error are recorded regularly during training.`,
  deviations: () => `${SCALED_DOWN} The paper's Table 2 networks have 2–3 hidden layers of 1,024–8,192 units; this one has a single hidden layer of 256 units and no max-norm.`,
  rule: (p) => `Metric: test error (%) after the last update. ${SEEDS[p]} seeds; for each seed both networks share the training set, initial weights and batch order. The network "overfits" if its training error ends below half its test error (shown, not tested). Part 1: d = test error without dropout − with dropout, claim d > 0.\n\n${PART_RULES}`,
  plan: (p) => ({ settings: [{ name: 'no-dropout', config: config(p, false) }, { name: 'dropout', config: config(p, true) }], seeds: SEEDS[p] }),
  cost: (s) => classifierCost(s.config),
  run: (s, _seed, ctx) => {
    const { testError, trainError, curve } = trainClassifier(s.config, ctx);
    return { testError, trainError, curve };
  },
  report: (runs) => {
    const none = bySeed(runs, 'no-dropout'), drop = bySeed(runs, 'dropout');
    const part = judge({ name: 'dropout lowers test error', kind: 'positive', statistic: 'test error without − with dropout (points of %)', values: none.map((r, i) => r.testError - drop[i].testError) });
    const verdict = combine([part]);
    const rows = [['without dropout', none], ['with dropout', drop]] as const;
    const md = [
      '| network | test error % (mean ± sd) | training error % | test − training |', '|---|---|---|---|',
      ...rows.map(([n, rs]) => `| ${n} | ${meanSd(rs.map((r) => r.testError))} | ${meanSd(rs.map((r) => r.trainError))} | ${meanSd(rs.map((r) => r.testError - r.trainError))} |`),
      '', partsTable([part]),
    ].join('\n');
    const curve = [...curveRows(none, 'without dropout'), ...curveRows(drop, 'with dropout')];
    return {
      verdict,
      summary: `test error ${meanSd(none.map((r) => r.testError))}% → ${meanSd(drop.map((r) => r.testError))}% with dropout; gain ${part.ci.mean.toFixed(2)} points, 95% interval [${part.ci.lo.toFixed(2)}, ${part.ci.hi.toFixed(2)}]`,
      markdown: md,
      plots: [
        { name: 'test-error', title: 'Test error during training (mean ± sd over seeds)', spec: lineWithBand({ rows: curve.filter((r) => r.set === 'test'), x: 'step', y: 'mean', lo: 'lo', hi: 'hi', series: 'network', xTitle: 'updates', yTitle: 'test error (%)', title: 'X-OVERFIT: test error', logY: true }) },
        { name: 'train-vs-test', title: 'Training and test error during training (mean over seeds)', spec: lineWithBand({ rows: curve.map((r) => ({ ...r, series: `${r.network}, ${r.set}` })), x: 'step', y: 'mean', series: 'series', xTitle: 'updates', yTitle: 'error (%)', title: 'X-OVERFIT: training vs test error' }) },
      ],
    };
  },
};
