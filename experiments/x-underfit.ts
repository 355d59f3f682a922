// X-UNDERFIT: when a model underfits, dropout does not help.
import { type ClassifierConfig, type ClassifierResult, classifierCost, trainClassifier } from './classifier.ts';
import { type Experiment, type Profile, type Setting, PART_RULES, combine, judge, meanSd, partsTable } from './framework.ts';
import { barsWithErrors } from './plot.ts';
import { PAPER_DROPOUT, SCALED_DOWN, SEEDS, baseClassifier, describeTraining } from './scale.ts';
import { band, bySeed } from './summarize.ts';

interface S extends Setting { model: string; config: ClassifierConfig }

/** "No gain" margin: a gain under 0.25 points (5 of the 2,000 test digits) counts as none. */
const MARGIN = 0.25;

const MODELS = [
  { model: 'linear', label: 'linear softmax (no hidden layer)', hidden: [] as number[] },
  { model: 'tiny', label: '8 hidden ReLU units', hidden: [8] },
];

function settings(p: Profile): S[] {
  const b = baseClassifier(p);
  // the whole 7,000-digit pool: with this much data a small model cannot overfit
  return MODELS.flatMap((m) => [false, true].map((drop) => ({
    name: `${m.model}-${drop ? 'dropout' : 'none'}`, model: m.model,
    config: { ...b, hidden: m.hidden, nTrain: 7000, inputRate: drop ? PAPER_DROPOUT.inputRate : 0, hiddenRate: drop ? PAPER_DROPOUT.hiddenRate : 0 },
  })));
}

export const xUnderfit: Experiment<S, ClassifierResult> = {
  id: 'X-UNDERFIT',
  title: 'Dropout does not help a model that underfits',
  claim: 'When a model underfits (too small for the task), dropout does not help (seed text; paper §7.3 on small networks).',
  published: 'No number: the seed text states it; the paper (§7.3, Fig. 9a) shows test error rising when too few units are kept.',
  setup: (p) => {
    const c = settings(p)[0].config;
    return `Two models too small for the task, each without dropout and with dropout (keep 0.8 on the inputs, and 0.5 on the hidden units of the 8-unit model): ${MODELS.map((m) => m.label).join('; ')}, on ${c.side}×${c.side} digits. ${describeTraining(c)}. A model "underfits" when its training error is not far below its test error and both are well above the base network's (shown in the table).`;
  },
  deviations: () => `${SCALED_DOWN} The seed text gives no setting; the two small models are our choice.`,
  rule: (p) => `Metric: test error (%) after the last update. ${SEEDS[p]} seeds, paired as below. For each model: d = test error without dropout − with dropout (the gain from dropout); the claim says d < ${MARGIN} (no gain larger than ${MARGIN} points, i.e. 5 test digits). "Does not help" is decided by that margin: an interval entirely below it means any gain is negligible.\n\n${PART_RULES}`,
  plan: (p) => ({ settings: settings(p), seeds: SEEDS[p] }),
  cost: (s) => classifierCost(s.config),
  run: (s, _seed, ctx) => {
    const { testError, trainError, curve } = trainClassifier(s.config, ctx);
    return { testError, trainError, curve };
  },
  report: (runs) => {
    const parts = MODELS.map((m) => {
      const none = bySeed(runs, `${m.model}-none`), drop = bySeed(runs, `${m.model}-dropout`);
      return { m, none, drop, part: judge({ name: `${m.label}: no gain from dropout`, kind: 'below', margin: MARGIN, statistic: 'test error without − with dropout (points)', values: none.map((r, i) => r.testError - drop[i].testError) }) };
    });
    const verdict = combine(parts.map((p) => p.part));
    const md = [
      '| model | dropout | test error % (mean ± sd) | training error % |', '|---|---|---|---|',
      ...parts.flatMap(({ m, none, drop }) => [[none, 'no'], [drop, 'yes']].map(([rs, d]) => `| ${m.label} | ${d} | ${meanSd((rs as ClassifierResult[]).map((r) => r.testError))} | ${meanSd((rs as ClassifierResult[]).map((r) => r.trainError))} |`)),
      '', partsTable(parts.map((p) => p.part)),
    ].join('\n');
    const rows = parts.flatMap(({ m, none, drop }) => [[none, 'without'], [drop, 'with']].map(([rs, d]) => ({ model: `${m.model}, ${d} dropout`, ...band((rs as ClassifierResult[]).map((r) => r.testError)) })));
    return {
      verdict,
      summary: parts.map((p) => `${p.m.model}: gain ${p.part.ci.mean.toFixed(2)} points [${p.part.ci.lo.toFixed(2)}, ${p.part.ci.hi.toFixed(2)}]`).join('; ') + ` (margin ${MARGIN})`,
      markdown: md,
      plots: [{ name: 'test-error', title: 'Test error of the small models with and without dropout (mean ± sd)', spec: barsWithErrors({ rows, category: 'model', y: 'mean', lo: 'lo', hi: 'hi', yTitle: 'test error (%)', title: 'X-UNDERFIT' }) }],
    };
  },
};
