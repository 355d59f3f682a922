// M-K50 (Fig. 11): Monte-Carlo model averaging over k sampled masks against the weight-scaling rule,
// tested as an equivalence: within a margin relative to the error level, with an undecided outcome.
import type { ClassifierResult } from '../mnist/classifier.ts';
import {
  type Experiment,
  type Profile,
  type Setting,
  combine,
  interval,
  judge,
  mean,
  partsTable,
  sd,
} from '../framework/experiment.ts';
import { MC, POOL_SEEDS, armConfig, netSetting } from '../mnist/networks.ts';
import { lineWithBand } from '../report/plot.ts';
import { SCALED_DOWN, describeNet, describeTraining } from '../mnist/scale.ts';

type R = ClassifierResult & { mc: number[][]; mcWeightScaled: number };

const K_CLAIM = 50;
/** The equivalence margin: 10% of the network's weight-scaled test error (about 0.12 points at 1.2%, 0.8 at 8%). */
const MARGIN = 0.1;
const testDigits = (p: Profile) =>
  MC.stride(p) > 1
    ? `${Math.ceil(10_000 / MC.stride(p)).toLocaleString('en')} test digits (every ${MC.stride(p)}th of the 10,000, to fit the profile's time)`
    : '10,000 official test digits';

/** Relative gap of one network at grid position j: (mean over sequences of MC error − weight-scaled) / weight-scaled. */
const relGap = (r: R, j: number) => (mean(r.mc.map((d) => d[j])) - r.mcWeightScaled) / r.mcWeightScaled;

export const mK50: Experiment<Setting, R> = {
  id: 'M-K50',
  title: 'Monte-Carlo averaging reaches weight scaling at about k = 50',
  claim:
    'On MNIST, Monte-Carlo model averaging over k sampled dropout masks reaches the test error of the weight-scaling rule at about k = 50 samples and is within one standard deviation of it beyond (paper §7.5, Fig. 11).',
  published:
    'Fig. 11 (784-1024-1024-2048-10 dropout net): Monte-Carlo test error falls from about 1.6% at k = 1 to the weight-scaled 1.05% near k = 50, staying within one standard deviation after.',
  profiles: ['quick', 'standard', 'large', 'paper'],
  // the dropout + max-norm networks X-OVERFIT also reports on; their runs compute these averages
  runsOf: () => ({ pool: 'MNIST-NETS', settings: ['dropout+max-norm'] }),
  setup: (p) =>
    `The dropout + max-norm networks that X-OVERFIT also reports on (${POOL_SEEDS[p]} seeds; [X-OVERFIT.md](X-OVERFIT.md) has their setup and learning curves): ${describeNet(armConfig(p, 'dropout+max-norm'))}, ${describeTraining(armConfig(p, 'dropout+max-norm'))}. Weight scaling (inverted convention: the identity at inference) against the average of the softmax outputs of k thinned networks, k ∈ {${MC.grid.join(', ')}}, ${MC.draws(p)} independent sequences of masks per network (the first k masks of a sequence give its estimate at k), on the ${testDigits(p)}.`,
  deviations: (p) =>
    `${p === 'quick' ? SCALED_DOWN : `${armConfig(p, 'dropout+max-norm').hidden.join('-')} hidden units where Fig. 11 uses 784-1024-1024-2048-10; 50,000 training digits (see X-OVERFIT.md).`} The paper's Fig. 11 uses one network; here ${POOL_SEEDS[p]}, each with its own weight-scaled error, so the interval covers the variation between networks.`,
  rule: (p) =>
    `Metric: test error (%) on the ${testDigits(p)}. ${POOL_SEEDS[p]} networks × ${MC.draws(p)} mask sequences. For network i, g_i(k) = (mean over its sequences of MC error(k) − its weight-scaled error) / its weight-scaled error: the gap relative to the error level, so the margin means the same at 1% and at 8%. Margin m = ${MARGIN} (10% of the weight-scaled error). Part 1 (MC reaches weight scaling by k = ${K_CLAIM}: an equivalence test): the 95% t interval of g_i(${K_CLAIM}) over networks lies inside ±m → holds; it lies entirely beyond ±m → fails. Part 2 (it takes averaging to get there: a single thinned network is worse): d = g_i(1) − m, claim d > 0. The verdict combines the parts (SUPPORTED, NOT REPRODUCED, INCONCLUSIVE; never CONTRADICTED, since no profile here is Fig. 11's network). Reported, not tested: k*_i, the smallest k of the grid from which on g_i stays inside ±m, with its interval over networks (the paper: about 50), and the spread of MC error across a network's sequences at each k (the paper's "one standard deviation").`,
  report: (runs, p) => {
    const rs = runs
      .filter((r) => (r.result as Partial<R>).mc)
      .sort((a, b) => a.seed - b.seed)
      .map((r) => r.result as R);
    const j50 = MC.grid.indexOf(K_CLAIM);
    const part1 = judge({
      name: `MC within ${100 * MARGIN}% of weight scaling at k = ${K_CLAIM}`,
      kind: 'within',
      margin: MARGIN,
      statistic: `g(${K_CLAIM}) = (MC − weight-scaled)/weight-scaled`,
      values: rs.map((r) => relGap(r, j50)),
    });
    const part2 = judge({
      name: 'one thinned network is worse by more than the margin',
      kind: 'positive',
      statistic: `g(1) − ${MARGIN}`,
      values: rs.map((r) => relGap(r, 0) - MARGIN),
    });
    const verdict = combine([part1, part2], false);
    const kStar = rs.map((r) => {
      let k: number | null = null;
      for (let j = MC.grid.length - 1; j >= 0 && Math.abs(relGap(r, j)) < MARGIN; j--) k = MC.grid[j];
      return k;
    });
    const reached = kStar.filter((k): k is number => k !== null);
    const kci = reached.length ? interval(reached) : undefined;
    const ws = rs.map((r) => r.mcWeightScaled);
    const spread = MC.grid.map((_, j) => Math.sqrt(mean(rs.map((r) => sd(r.mc.map((d) => d[j])) ** 2))));
    const f = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : '—');
    const md = [
      `Weight-scaled test error: ${mean(ws).toFixed(2)} ± ${f(sd(ws))}% over ${rs.length} networks (training error ${mean(rs.map((r) => r.trainError)).toFixed(2)}%).`,
      '',
      "| k | MC test error % (mean over networks and sequences) | sd across a network's sequences | mean relative gap g(k) | 95% interval of g(k) | inside ±m |",
      '|---|---|---|---|---|---|',
      ...MC.grid.map((k, j) => {
        const ci = interval(rs.map((r) => relGap(r, j)));
        return `| ${k} | ${mean(rs.flatMap((r) => r.mc.map((d) => d[j]))).toFixed(2)} | ${f(spread[j], 3)} | ${ci.mean >= 0 ? '+' : ''}${(100 * ci.mean).toFixed(1)}% | [${f(100 * ci.lo, 1)}, ${f(100 * ci.hi, 1)}]% | ${ci.lo > -MARGIN && ci.hi < MARGIN ? 'yes' : 'no'} |`;
      }),
      '',
      partsTable([part1, part2], 3),
      '',
      `k* (per network, the first k from which MC stays within ${100 * MARGIN}% of weight scaling): ${kStar.map((k) => k ?? '> 100').join(', ')}${kci && reached.length >= 2 ? `; mean ${kci.mean.toFixed(1)}, 95% interval [${f(kci.lo, 1)}, ${f(kci.hi, 1)}]` : ''} (the paper: about 50).`,
    ].join('\n');
    const rowsMc = MC.grid.map((k, j) => {
      const m = mean(rs.flatMap((r) => r.mc.map((d) => d[j])));
      return {
        k,
        series: 'Monte-Carlo average (± sd across sequences)',
        mean: m,
        lo: m - spread[j],
        hi: m + spread[j],
      };
    });
    const w = mean(ws);
    const rowsWs = MC.grid.map((k) => ({
      k,
      series: `weight scaling (± the ${100 * MARGIN}% margin)`,
      mean: w,
      lo: w * (1 - MARGIN),
      hi: w * (1 + MARGIN),
    }));
    return {
      verdict,
      setting: `${netSetting(p, [{ arm: 'dropout+max-norm' }])} Monte-Carlo averages on ${testDigits(p)}, ${MC.draws(p)} mask sequences per network; weight-scaled test error ${w.toFixed(2)}% (paper: about 1.05%)`,
      summary: `g(${K_CLAIM}) = ${(100 * part1.ci.mean).toFixed(1)}% [${f(100 * part1.ci.lo, 1)}, ${f(100 * part1.ci.hi, 1)}] against a ±${100 * MARGIN}% margin; k* ${reached.length ? `${Math.min(...reached)}–${Math.max(...reached)}` : '> 100'}; weight scaling ${w.toFixed(2)}%, MC at k = 1 ${mean(rs.flatMap((r) => r.mc.map((d) => d[0]))).toFixed(2)}%, at k = 100 ${mean(rs.flatMap((r) => r.mc.map((d) => d[MC.grid.length - 1]))).toFixed(2)}%`,
      markdown: md,
      plots: [
        {
          name: 'mc-vs-k',
          title: 'Test error of Monte-Carlo averaging over k masks against weight scaling',
          spec: lineWithBand({
            rows: [...rowsMc, ...rowsWs],
            x: 'k',
            y: 'mean',
            lo: 'lo',
            hi: 'hi',
            series: 'series',
            xTitle: 'k (sampled masks)',
            yTitle: 'test error (%)',
            title: `M-K50 (${p} profile)`,
            logX: true,
          }),
        },
      ],
    };
  },
};
