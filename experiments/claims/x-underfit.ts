// X-UNDERFIT: the gain from dropout as a function of capacity: positive for the wide net that
// overfits, none for models too small to fit the data (linear, a few hidden units).
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
import { CAPACITIES, POOL_SEEDS, armConfig, netSetting, variantName } from '../mnist/networks.ts';
import { lineWithBand } from '../report/plot.ts';
import { SCALED_DOWN, describeTraining } from '../mnist/scale.ts';
import { band, bySeed, learningCurves } from '../report/summarize.ts';

/** "No gain": a relative gain below 5% of the error level. */
const MARGIN = 0.05;

type Width = readonly number[] | 'main';
const widths = (p: Profile): Width[] => [...CAPACITIES[p], 'main'];
const label = (p: Profile, w: Width) =>
  w === 'main'
    ? `${armConfig(p, 'plain').hidden.join('-')} (the X-OVERFIT net)`
    : w.length
      ? `${w.join('-')} hidden units`
      : 'linear softmax';
const name = (arm: 'plain' | 'dropout+max-norm', w: Width) => (w === 'main' ? arm : variantName({ arm, hidden: w }));
/** Hidden units of a width, for the plot's x axis (linear: 0 → drawn at 1). */
const units = (p: Profile, w: Width) =>
  Math.max(
    1,
    (w === 'main' ? armConfig(p, 'plain').hidden : w).reduce((s, v) => s + v, 0),
  );

export const xUnderfit: Experiment<Setting, ClassifierResult> = {
  id: 'X-UNDERFIT',
  title: 'Dropout does not help a model that underfits',
  claim:
    'When a model underfits (too small for the task), dropout does not help (seed text; paper §7.3 on small networks).',
  published:
    'No number: the seed text states it; the paper (§7.3, Fig. 9a) shows test error rising when too few units are kept.',
  runsOf: (p) => ({
    pool: 'MNIST-NETS',
    settings: widths(p).flatMap((w) => [name('plain', w), name('dropout+max-norm', w)]),
  }),
  setup: (p) =>
    `Models of growing capacity, each without dropout and with dropout (keep 0.8 on the inputs, 0.5 on hidden units) and max-norm: ${widths(
      p,
    )
      .map((w) => label(p, w))
      .join(
        '; ',
      )}, on ${armConfig(p, 'plain').side}×${armConfig(p, 'plain').side} digits. Without dropout: ${describeTraining(armConfig(p, 'plain'))}. With dropout: ${describeTraining(armConfig(p, 'dropout+max-norm'))}. A model underfits when its training error is close to its test error (shown in the table).`,
  deviations: (p) =>
    `${p === 'quick' ? SCALED_DOWN : 'Trained on the 50,000-digit pool for the budget in X-OVERFIT.md.'} The seed text gives no setting; the small models are our choice.`,
  rule: (p) =>
    `Metric: test error (%) on the 10,000 official test digits after the last update. ${POOL_SEEDS[p]} seeds, both versions of a model sharing training set, initial weights and batch order. Per model the relative gain g = 1 − err(with dropout)/err(without) (scale-free). The claim is a crossing, tested at both ends: (1) the widest model gains: g(${label(p, 'main')}) > 0; (2) the linear model does not: g < ${MARGIN} (a gain under ${100 * MARGIN}% of its error counts as none); (3) neither does the smallest hidden layer (${label(p, CAPACITIES[p][1] ?? [])}): g < ${MARGIN}. Each gain in between is reported with its interval.\n\n${PART_RULES}`,
  report: (runs, p) => {
    const gain = (w: Width) =>
      bySeed(runs, name('plain', w)).map(
        (r, i) => 1 - bySeed(runs, name('dropout+max-norm', w))[i].testError / r.testError,
      );
    const small = CAPACITIES[p][1] ?? [];
    const parts = [
      judge({
        name: `(1) ${label(p, 'main')}: dropout helps`,
        kind: 'positive',
        statistic: 'g = 1 − with/without',
        values: gain('main'),
      }),
      judge({
        name: '(2) linear softmax: no gain',
        kind: 'below',
        margin: MARGIN,
        statistic: 'g = 1 − with/without',
        values: gain([]),
      }),
      judge({
        name: `(3) ${label(p, small)}: no gain`,
        kind: 'below',
        margin: MARGIN,
        statistic: 'g = 1 − with/without',
        values: gain(small),
      }),
    ];
    const md = [
      '| model | dropout | test error % (mean ± sd) | training error % | relative gain g |',
      '|---|---|---|---|---|',
      ...widths(p).flatMap((w) =>
        (['plain', 'dropout+max-norm'] as const).map((arm) => {
          const rs = bySeed(runs, name(arm, w));
          return `| ${label(p, w)} | ${arm === 'plain' ? 'no' : 'yes'} | ${meanSd(rs.map((r) => r.testError))} | ${meanSd(rs.map((r) => r.trainError))} | ${arm === 'plain' ? '' : meanSd(gain(w), 3)} |`;
        }),
      ),
      '',
      partsTable(parts, 3),
    ].join('\n');
    return {
      verdict: combine(parts),
      setting: netSetting(
        p,
        widths(p).flatMap((w) =>
          (['plain', 'dropout+max-norm'] as const).map((arm) => (w === 'main' ? { arm } : { arm, hidden: w })),
        ),
        { errors: bySeed(runs, 'plain').map((r) => r.testError), paper: '1.60% (its widest net)' },
      ),
      summary:
        widths(p)
          .map(
            (w) =>
              `${w === 'main' ? armConfig(p, 'plain').hidden.join('-') : w.length ? w.join('-') : 'linear'}: ${((100 * gain(w).reduce((s, v) => s + v, 0)) / gain(w).length).toFixed(0)}%`,
          )
          .join(', ') + ` relative gain (margin ${100 * MARGIN}%)`,
      markdown: md,
      plots: [
        {
          name: 'learning-curves',
          title: 'Training and test error against epochs, the linear model and the widest net (mean over seeds)',
          spec: learningCurves(
            (['plain', 'dropout+max-norm'] as const).flatMap((arm) =>
              ([[], 'main'] as Width[]).map((w) => {
                const c = w === 'main' ? armConfig(p, arm) : armConfig(p, arm, { hidden: w });
                return {
                  label: `${w === 'main' ? 'widest' : 'linear'}, ${arm === 'plain' ? 'no dropout' : 'dropout'}`,
                  results: bySeed(runs, name(arm, w)),
                  epochsPerStep: c.batch / c.nTrain,
                };
              }),
            ),
            'X-UNDERFIT: learning curves',
          ),
        },
        {
          name: 'gain',
          title: 'Relative gain from dropout against the number of hidden units (%, mean ± sd; linear drawn at 1)',
          spec: lineWithBand({
            rows: widths(p).map((w) => ({ units: units(p, w), ...band(gain(w).map((g) => 100 * g)) })),
            x: 'units',
            y: 'mean',
            lo: 'lo',
            hi: 'hi',
            xTitle: 'hidden units',
            yTitle: 'relative gain (%)',
            title: 'X-UNDERFIT',
            logX: true,
          }),
        },
      ],
    };
  },
};
