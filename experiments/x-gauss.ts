// X-GAUSS: Gaussian multiplicative noise with σ² = (1−keep)/keep does as well as Bernoulli dropout.
import { type ClassifierConfig, type ClassifierResult, classifierCost, finalErrors } from './classifier.ts';
import { type Experiment, type Profile, type Setting, PART_RULES, combine, judge, meanSd, partsTable } from './framework.ts';
import { barsWithErrors } from './plot.ts';
import { PAPER_DROPOUT, SCALED_DOWN, SEEDS, baseClassifier, describeNet, describeTraining } from './scale.ts';
import { band, bySeed } from './summarize.ts';

interface S extends Setting { config: ClassifierConfig }

const MARGIN = 0.25;
const settings = (p: Profile): S[] => (['bernoulli', 'gaussian'] as const).map((noise) => ({ name: noise, config: { ...baseClassifier(p), ...PAPER_DROPOUT, noise } }));

export const xGauss: Experiment<S, ClassifierResult> = {
  id: 'X-GAUSS',
  title: 'Gaussian multiplicative noise does as well as Bernoulli dropout',
  claim: 'Multiplying by Gaussian noise r ~ N(1, σ²) with σ² = (1−keep)/keep works as well as Bernoulli dropout, or better (paper §10, Table 10).',
  published: 'Table 10 (MNIST): Bernoulli dropout 1.08 ± 0.04% test error, Gaussian dropout 0.95 ± 0.04%.',
  setup: (p) => `${describeNet(settings(p)[0].config)}: Bernoulli dropout (keep 0.8 inputs, 0.5 hidden, inverted) against Gaussian noise with the same mean and variance (σ² = 0.25 on the inputs, 1 on the hidden units; the identity at inference), same network, same budget: ${describeTraining(settings(p)[0].config)}.`,
  deviations: () => `${SCALED_DOWN} The paper's Table 10 uses larger networks and tuned settings for each noise; here both share every setting.`,
  rule: (p) => `Metric: test error (%) after the last update; ${SEEDS[p]} seeds, both noises of one seed sharing training set, initial weights and batch order. Part: d = test error with Gaussian − with Bernoulli noise; the claim ("as well or better") says d < ${MARGIN} points (5 test digits).\n\n${PART_RULES}`,
  plan: (p) => ({ settings: settings(p), seeds: SEEDS[p] }),
  cost: (s) => classifierCost(s.config),
  run: (s, _seed, ctx) => finalErrors(s.config, ctx),
  report: (runs) => {
    const b = bySeed(runs, 'bernoulli'), g = bySeed(runs, 'gaussian');
    const part = judge({ name: 'Gaussian as good as Bernoulli or better', kind: 'below', margin: MARGIN, statistic: 'err(Gaussian) − err(Bernoulli)', values: g.map((r, i) => r.testError - b[i].testError) });
    const md = ['| noise | test error % (mean ± sd) | training error % |', '|---|---|---|',
      `| Bernoulli (keep 0.8 / 0.5) | ${meanSd(b.map((r) => r.testError))} | ${meanSd(b.map((r) => r.trainError))} |`,
      `| Gaussian (σ² 0.25 / 1) | ${meanSd(g.map((r) => r.testError))} | ${meanSd(g.map((r) => r.trainError))} |`, '', partsTable([part])].join('\n');
    return {
      verdict: combine([part]),
      summary: `Bernoulli ${meanSd(b.map((r) => r.testError))}%, Gaussian ${meanSd(g.map((r) => r.testError))}%; Gaussian − Bernoulli ${part.ci.mean.toFixed(2)} [${part.ci.lo.toFixed(2)}, ${part.ci.hi.toFixed(2)}] points (margin ${MARGIN})`,
      markdown: md,
      plots: [{ name: 'test-error', title: 'Test error with Bernoulli and Gaussian noise (mean ± sd)', spec: barsWithErrors({ rows: [{ noise: 'Bernoulli', ...band(b.map((r) => r.testError)) }, { noise: 'Gaussian', ...band(g.map((r) => r.testError)) }], category: 'noise', y: 'mean', lo: 'lo', hi: 'hi', yTitle: 'test error (%)', title: 'X-GAUSS' }) }],
    };
  },
};
