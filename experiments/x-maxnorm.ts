// X-MAXNORM (Table 9): dropout + max-norm beats dropout + L2, which beats max-norm alone and L2 alone.
import { type ClassifierConfig, type ClassifierResult, classifierCost, finalErrors } from './classifier.ts';
import { type Experiment, type Profile, type Setting, PART_RULES, combine, judge, meanSd, partsTable } from './framework.ts';
import { barsWithErrors } from './plot.ts';
import { PAPER_DROPOUT, SCALED_DOWN, SEEDS, baseClassifier, describeNet, describeTraining } from './scale.ts';
import { band, bySeed } from './summarize.ts';

interface S extends Setting { label: string; config: ClassifierConfig }

const L2 = 5e-4;
const C = 3;
const ARMS = [
  { name: 'l2', label: 'L2', dropout: false, reg: { weightDecay: L2 } },
  { name: 'maxnorm', label: 'max-norm', dropout: false, reg: { maxNorm: C } },
  { name: 'dropout-l2', label: 'dropout + L2', dropout: true, reg: { weightDecay: L2 } },
  { name: 'dropout-maxnorm', label: 'dropout + max-norm', dropout: true, reg: { maxNorm: C } },
];
const PUBLISHED: Record<string, string> = { l2: '1.62', maxnorm: '1.35', 'dropout-l2': '1.25', 'dropout-maxnorm': '1.05' };

const settings = (p: Profile): S[] => ARMS.map((a) => ({ name: a.name, label: a.label, config: { ...baseClassifier(p), ...(a.dropout ? PAPER_DROPOUT : {}), ...a.reg } }));

export const xMaxnorm: Experiment<S, ClassifierResult> = {
  id: 'X-MAXNORM',
  title: 'Dropout with max-norm beats dropout with L2, which beats either alone',
  claim: 'Dropout with a max-norm constraint beats dropout with L2 weight decay, which beats max-norm alone and L2 alone (paper §5.1, Table 9).',
  published: `Table 9 (MNIST, 784-1024-1024-2048-10): L2 ${PUBLISHED.l2}%, max-norm ${PUBLISHED.maxnorm}%, dropout + L2 ${PUBLISHED['dropout-l2']}%, dropout + max-norm ${PUBLISHED['dropout-maxnorm']}% test error.`,
  setup: (p) => `${describeNet(settings(p)[0].config)} under four regularizers: L2 weight decay λ = ${L2} (added to the weight gradients, biases not decayed), max-norm c = ${C} (each hidden and output unit's incoming weight vector projected onto the ball of radius c after every update), and each with dropout (keep 0.8 inputs, 0.5 hidden). ${describeTraining(settings(p)[0].config)}. λ and c were fixed in advance, not tuned.`,
  deviations: () => `${SCALED_DOWN} The paper tunes λ and c on validation data; here they are fixed (λ = ${L2}, c = ${C}), so a regularizer's strength may favour one arm. The paper's table also includes other regularizers (KL sparsity, max-norm with larger learning rates) left out here.`,
  rule: (p) => `Metric: test error (%) after the last update; ${SEEDS[p]} seeds, the four arms of one seed sharing training set, initial weights, batch order and masks. Parts: (1) d = err(dropout + L2) − err(dropout + max-norm) > 0; (2) d = err(max-norm) − err(dropout + L2) > 0; (3) d = err(L2) − err(dropout + L2) > 0.\n\n${PART_RULES}`,
  plan: (p) => ({ settings: settings(p), seeds: SEEDS[p] }),
  cost: (s) => classifierCost(s.config),
  run: (s, _seed, ctx) => finalErrors(s.config, ctx),
  report: (runs) => {
    const e = (name: string) => bySeed(runs, name).map((r) => r.testError);
    const sub = (a: number[], b: number[]) => a.map((v, i) => v - b[i]);
    const parts = [
      judge({ name: '(1) dropout + max-norm beats dropout + L2', kind: 'positive', statistic: 'err(D+L2) − err(D+MN)', values: sub(e('dropout-l2'), e('dropout-maxnorm')) }),
      judge({ name: '(2) dropout + L2 beats max-norm alone', kind: 'positive', statistic: 'err(MN) − err(D+L2)', values: sub(e('maxnorm'), e('dropout-l2')) }),
      judge({ name: '(3) dropout + L2 beats L2 alone', kind: 'positive', statistic: 'err(L2) − err(D+L2)', values: sub(e('l2'), e('dropout-l2')) }),
    ];
    const md = ['| regularizer | test error % (mean ± sd) | training error % | published |', '|---|---|---|---|',
      ...ARMS.map((a) => `| ${a.label} | ${meanSd(e(a.name))} | ${meanSd(bySeed(runs, a.name).map((r) => r.trainError))} | ${PUBLISHED[a.name]} |`), '', partsTable(parts)].join('\n');
    return {
      verdict: combine(parts),
      summary: ARMS.map((a) => `${a.label} ${meanSd(e(a.name))}%`).join(', '),
      markdown: md,
      plots: [{ name: 'test-error', title: 'Test error per regularizer (mean ± sd)', spec: barsWithErrors({ rows: ARMS.map((a) => ({ regularizer: a.label, ...band(e(a.name)) })), category: 'regularizer', y: 'mean', lo: 'lo', hi: 'hi', yTitle: 'test error (%)', title: 'X-MAXNORM' }) }],
    };
  },
};
