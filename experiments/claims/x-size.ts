// X-SIZE (Fig. 10): the gain from dropout against training-set size: none on the smallest sets,
// rising, then falling. Tested on the shape, with gains relative to the error level.
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
import { MIN_UPDATES, NETS, POOL_SEEDS, SIZES, armConfig, netSetting, variantName } from '../mnist/networks.ts';
import { POOL_SIZE } from '../mnist/data.ts';
import { lineWithBand } from '../report/plot.ts';
import { SCALED_DOWN, describeNet } from '../mnist/scale.ts';
import { band, bySeed } from '../report/summarize.ts';

/** "No gain": a relative gain within ±10% of the error level. */
const MARGIN = 0.1;
const sizes = (p: Profile) => [...SIZES[p], ...(p === 'quick' ? [] : [POOL_SIZE])];
const name = (arm: 'plain' | 'dropout+max-norm', n: number) =>
  n === POOL_SIZE ? arm : variantName({ arm, nTrain: n });
/** The middle of the size range, where Fig. 10's gain is largest. */
const middle = (p: Profile) => sizes(p).filter((n) => n >= 1_000 && n <= 10_000);

export const xSize: Experiment<Setting, ClassifierResult> = {
  id: 'X-SIZE',
  title: 'The gain from dropout against training-set size',
  claim:
    'With very small training sets (100, 500 digits) dropout gives no gain; the gain grows with the amount of data, then shrinks (paper §7.4, Fig. 10).',
  published:
    'Fig. 10 (784-1024-1024-2048-10, sizes 100 to 50,000): no improvement at 100 and 500 (dropout slightly worse at 100), a clear gain from 1,000 to 10,000, a smaller one at 50,000.',
  runsOf: (p) => ({
    pool: 'MNIST-NETS',
    settings: sizes(p).flatMap((n) => [name('plain', n), name('dropout+max-norm', n)]),
  }),
  setup: (p) =>
    `${describeNet(armConfig(p, 'plain'))} without dropout and with dropout (keep 0.8 inputs, 0.5 hidden) and max-norm, on stratified training sets of ${sizes(
      p,
    )
      .map((n) => n.toLocaleString('en'))
      .join(
        ', ',
      )} digits (each seed draws its own sets; the two networks of one seed and size share it${p === 'quick' ? '' : '; the 50,000-digit networks are the ones X-OVERFIT reports on'}). Length depends on the size: ${p === 'quick' ? `${armConfig(p, 'plain').steps} updates for every size` : `${NETS[p as 'standard'].epochs.plain} epochs without dropout and ${NETS[p as 'standard'].epochs.dropout} with, at least ${MIN_UPDATES[p].toLocaleString('en')} updates (so ${MIN_UPDATES[p] / 10} epochs at 1,000 digits, ${MIN_UPDATES[p]} at 100)`}; batch 100, learning rate decaying linearly to a tenth; the learning curves show where each size converged.`,
  deviations: (p) =>
    p === 'quick'
      ? SCALED_DOWN
      : `784-512-512-10 where Fig. 10 uses 784-1024-1024-2048-10; the largest set is the 50,000-digit pool (the paper's 50,000 point); budgets far below the paper's.`,
  rule: (p) =>
    `Metric: test error (%) on the 10,000 official test digits after the last update; per seed and size the relative gain g(n) = 1 − err(with dropout)/err(without), scale-free, so a gain means the same at 25% error (100 digits) and at 1.5%. ${POOL_SEEDS[p]} seeds. Parts: (1) no gain at 100 digits: |g(100)| < ${MARGIN}; (2) no gain at 500: |g(500)| < ${MARGIN};${
      p === 'quick'
        ? ''
        : ` (3) rising: d = ḡ_mid − g(500) > 0, where ḡ_mid is the mean gain over the middle sizes ${middle(p)
            .map((n) => n.toLocaleString('en'))
            .join(
              ', ',
            )} (fixed before the runs, where Fig. 10 peaks); (4) then falling: d = ḡ_mid − g(50,000) > 0 (the peak is not at the largest size).`
    }\n\n${PART_RULES}`,
  report: (runs, p) => {
    const err = (n: number, arm: 'plain' | 'dropout+max-norm') => bySeed(runs, name(arm, n));
    const gain = (n: number) =>
      err(n, 'plain').map((r, i) => 1 - err(n, 'dropout+max-norm')[i].testError / r.testError);
    const mid = (i: number) => middle(p).reduce((s, n) => s + gain(n)[i], 0) / middle(p).length;
    const seeds = gain(sizes(p)[0]).length;
    const parts = [
      judge({
        name: '(1) no gain at 100 digits',
        kind: 'within',
        margin: MARGIN,
        statistic: 'g(100)',
        values: gain(100),
      }),
      judge({
        name: '(2) no gain at 500 digits',
        kind: 'within',
        margin: MARGIN,
        statistic: 'g(500)',
        values: gain(500),
      }),
      ...(p === 'quick'
        ? []
        : [
            judge({
              name: '(3) the gain rises from 500 to the middle sizes',
              kind: 'positive' as const,
              statistic: 'ḡ_mid − g(500)',
              values: Array.from({ length: seeds }, (_, i) => mid(i) - gain(500)[i]),
            }),
            judge({
              name: '(4) then falls at 50,000',
              kind: 'positive' as const,
              statistic: 'ḡ_mid − g(50,000)',
              values: Array.from({ length: seeds }, (_, i) => mid(i) - gain(POOL_SIZE)[i]),
            }),
          ]),
    ];
    const md = [
      '| training digits | updates without / with dropout | test error %, no dropout | with dropout | relative gain g | training error %, no dropout | with dropout |',
      '|---|---|---|---|---|---|---|',
      ...sizes(p).map(
        (n) =>
          `| ${n.toLocaleString('en')} | ${armConfig(p, 'plain', n === POOL_SIZE ? {} : { nTrain: n }).steps.toLocaleString('en')} / ${armConfig(p, 'dropout+max-norm', n === POOL_SIZE ? {} : { nTrain: n }).steps.toLocaleString('en')} | ${meanSd(err(n, 'plain').map((r) => r.testError))} | ${meanSd(err(n, 'dropout+max-norm').map((r) => r.testError))} | ${meanSd(gain(n), 3)} | ${meanSd(err(n, 'plain').map((r) => r.trainError))} | ${meanSd(err(n, 'dropout+max-norm').map((r) => r.trainError))} |`,
      ),
      '',
      partsTable(parts, 3),
    ].join('\n');
    const rows = sizes(p).flatMap((n) =>
      (['plain', 'dropout+max-norm'] as const).map((arm) => ({
        n,
        series: arm === 'plain' ? 'without dropout' : 'with dropout and max-norm',
        ...band(err(n, arm).map((r) => r.testError)),
      })),
    );
    const gains = sizes(p).map((n) => ({ n, ...band(gain(n).map((g) => 100 * g)) }));
    const curves = sizes(p).flatMap((n) =>
      (['plain', 'dropout+max-norm'] as const).flatMap((arm) => {
        const rs = err(n, arm);
        return (rs[0]?.curve ?? []).map((c, i) => ({
          progress: c.step / (rs[0].curve.at(-1)!.step || 1),
          series: `${n.toLocaleString('en')}, ${arm === 'plain' ? 'no dropout' : 'dropout'}`,
          mean: rs.reduce((s, r) => s + r.curve[i].test, 0) / rs.length,
        }));
      }),
    );
    return {
      verdict: combine(parts),
      setting: netSetting(
        p,
        sizes(p).flatMap((n) =>
          (['plain', 'dropout+max-norm'] as const).map((arm) => (n === POOL_SIZE ? { arm } : { arm, nTrain: n })),
        ),
        { errors: err(sizes(p).at(-1)!, 'plain').map((r) => r.testError), paper: '1.60% at 60,000 digits' },
      ),
      summary: `relative gain ${sizes(p)
        .map(
          (n) =>
            `${n.toLocaleString('en')}: ${((100 * gain(n).reduce((s, v) => s + v, 0)) / gain(n).length).toFixed(0)}%`,
        )
        .join(', ')}`,
      markdown: md,
      plots: [
        {
          name: 'test-error',
          title: 'Test error against training-set size (mean ± sd)',
          spec: lineWithBand({
            rows,
            x: 'n',
            y: 'mean',
            lo: 'lo',
            hi: 'hi',
            series: 'series',
            xTitle: 'training digits',
            yTitle: 'test error (%)',
            title: 'X-SIZE: test error',
            logX: true,
            logY: true,
          }),
        },
        {
          name: 'gain',
          title: 'Relative gain from dropout, 1 − with/without (%, mean ± sd)',
          spec: lineWithBand({
            rows: gains,
            x: 'n',
            y: 'mean',
            lo: 'lo',
            hi: 'hi',
            xTitle: 'training digits',
            yTitle: 'relative gain (%)',
            title: 'X-SIZE: gain from dropout',
            logX: true,
          }),
        },
        {
          name: 'curves',
          title: 'Test error during training, per size (mean over seeds; x: fraction of the run)',
          spec: lineWithBand({
            rows: curves,
            x: 'progress',
            y: 'mean',
            series: 'series',
            xTitle: 'fraction of training',
            yTitle: 'test error (%)',
            title: 'X-SIZE: learning curves',
            logY: true,
          }),
        },
      ],
    };
  },
};
