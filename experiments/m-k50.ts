// M-K50 (Fig. 11): Monte-Carlo model averaging over k sampled masks against the weight-scaling rule,
// tested as an equivalence: within a margin relative to the error level, with an undecided outcome.
import { type ClassifierConfig, type ClassifierResult, classifierCost, trainClassifier } from './classifier.ts';
import { type Experiment, type Profile, type Setting, combine, interval, judge, mean, partsTable, sd } from './framework.ts';
import { lineWithBand } from './plot.ts';
import { LARGE, PAPER_DROPOUT, SCALED_DOWN, SEEDS, baseClassifier, describeNet, describeTraining } from './scale.ts';

interface S extends Setting { config: ClassifierConfig }
type R = ClassifierResult & { mc: number[][]; mcWeightScaled: number };

/** The k at which the Monte-Carlo estimate is read (sequence r uses masks 1..k of its own key). */
export const MC_GRID: readonly number[] = [1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100];
/** Independent mask sequences per network. */
export const MC_DRAWS = 10;
const drawsIn = (p: Profile) => (p === 'quick' ? 3 : MC_DRAWS);
/** The equivalence margin: 10% of the network's weight-scaled test error (about 0.12 points at 1.2%, 0.8 at 8%). */
export const MC_MARGIN = 0.1;
const K_CLAIM = 50;
/** The quick profile averages over every QUICK_STRIDE-th test digit (1,250 of them), to stay within CI's minutes. */
const QUICK_STRIDE = 8;
const testDigits = (p: Profile) => (p === 'quick' ? `${Math.ceil(10_000 / QUICK_STRIDE).toLocaleString('en')} test digits (every ${QUICK_STRIDE}th of the 10,000)` : '10,000 official test digits');

const settings = (p: Profile): S[] => {
  const b = baseClassifier(p);
  return [{ name: 'dropout', config: { ...b, ...PAPER_DROPOUT, evalEvery: Math.max(1, Math.round(b.steps / (p === 'quick' ? 4 : 10))), mc: { draws: drawsIn(p), grid: MC_GRID, ...(p === 'quick' ? { stride: QUICK_STRIDE } : {}) } } }];
};
/** Relative gap of one network at grid position j: (mean over sequences of MC error − weight-scaled) / weight-scaled. */
const relGap = (r: R, j: number) => (mean(r.mc.map((d) => d[j])) - r.mcWeightScaled) / r.mcWeightScaled;

export const mK50: Experiment<S, R> = {
  id: 'M-K50',
  title: 'Monte-Carlo averaging reaches weight scaling at about k = 50',
  claim: 'On MNIST, Monte-Carlo model averaging over k sampled dropout masks reaches the test error of the weight-scaling rule at about k = 50 samples and is within one standard deviation of it beyond (paper §7.5, Fig. 11).',
  published: 'Fig. 11 (784-1024-1024-2048-10 dropout net): Monte-Carlo test error falls from about 1.6% at k = 1 to the weight-scaled 1.05% near k = 50, staying within one standard deviation after.',
  profiles: ['quick', 'standard', 'large', 'paper'],
  // large: the dropout + max-norm networks of X-OVERFIT, whose runs compute these averages too
  runsOf: (p) => (p === 'large' ? 'X-OVERFIT' : undefined),
  setup: (p) => p === 'large'
    ? `The dropout networks of X-OVERFIT's large profile (3 seeds of a 784-1024-1024-10 ReLU net with dropout and max-norm; their setup is in [X-OVERFIT.md](X-OVERFIT.md)). Weight scaling (inverted convention: the identity at inference) against the average of the softmax outputs of k thinned networks, k ∈ {${MC_GRID.join(', ')}}, ${MC_DRAWS} independent sequences of masks per network, on the ${testDigits(p)}.`
    : `${describeNet(settings(p)[0].config)} trained with dropout (keep 0.8 inputs, 0.5 hidden): ${describeTraining(settings(p)[0].config)}. Weight scaling (inverted convention: the identity at inference) against the average of the softmax outputs of k thinned networks, k ∈ {${MC_GRID.join(', ')}}, ${drawsIn(p)} independent sequences of masks per network (sequence r uses masks foldIn(key_r, 1..100); the first k of them give the estimate at k), on the ${testDigits(p)}.`,
  deviations: (p) => `${p === 'large' ? `Two hidden layers of 1,024 units where Fig. 11 uses 784-1024-1024-2048-10; 50,000 training digits, ${LARGE.dropoutEpochs} epochs (see X-OVERFIT.md).` : SCALED_DOWN} The paper's Fig. 11 uses one network; here ${SEEDS[p]}, each with its own weight-scaled error, so the interval covers the variation between networks.`,
  rule: (p) => `Metric: test error (%) on the ${testDigits(p)}. ${SEEDS[p]} networks × ${drawsIn(p)} mask sequences. For network i, g_i(k) = (mean over its sequences of MC error(k) − its weight-scaled error) / its weight-scaled error: the gap relative to the error level, so the margin means the same at 1% and at 8%. Margin m = ${MC_MARGIN} (10% of the weight-scaled error). Part 1 (MC reaches weight scaling by k = ${K_CLAIM}: an equivalence test): the 95% t interval of g_i(${K_CLAIM}) over networks lies inside ±m → holds; it lies entirely beyond ±m → fails. Part 2 (it takes averaging to get there: a single thinned network is worse): d = g_i(1) − m, claim d > 0. The verdict combines the parts (SUPPORTED, NOT REPRODUCED, INCONCLUSIVE; never CONTRADICTED, since no profile here is Fig. 11's network). Reported, not tested: k*_i, the smallest k of the grid from which on g_i stays inside ±m, with its interval over networks (the paper: about 50), and the spread of MC error across a network's sequences at each k (the paper's "one standard deviation").`,
  plan: (p) => ({ settings: settings(p), seeds: SEEDS[p] }),
  cost: (s) => classifierCost(s.config),
  run: (s, _seed, ctx) => {
    const { testError, trainError, curve, mc, mcWeightScaled } = trainClassifier(s.config, ctx);
    return { testError, trainError, curve, mc: mc!, mcWeightScaled: mcWeightScaled! };
  },
  report: (runs, p) => {
    const rs = runs.filter((r) => (r.result as Partial<R>).mc).sort((a, b) => a.seed - b.seed).map((r) => r.result as R);
    const j50 = MC_GRID.indexOf(K_CLAIM);
    const part1 = judge({ name: `MC within ${100 * MC_MARGIN}% of weight scaling at k = ${K_CLAIM}`, kind: 'within', margin: MC_MARGIN, statistic: `g(${K_CLAIM}) = (MC − weight-scaled)/weight-scaled`, values: rs.map((r) => relGap(r, j50)) });
    const part2 = judge({ name: 'one thinned network is worse by more than the margin', kind: 'positive', statistic: `g(1) − ${MC_MARGIN}`, values: rs.map((r) => relGap(r, 0) - MC_MARGIN) });
    const verdict = combine([part1, part2], false);
    const kStar = rs.map((r) => {
      let k: number | null = null;
      for (let j = MC_GRID.length - 1; j >= 0 && Math.abs(relGap(r, j)) < MC_MARGIN; j--) k = MC_GRID[j];
      return k;
    });
    const reached = kStar.filter((k): k is number => k !== null);
    const kci = interval(reached);
    const ws = rs.map((r) => r.mcWeightScaled);
    const spread = MC_GRID.map((_, j) => Math.sqrt(mean(rs.map((r) => sd(r.mc.map((d) => d[j])) ** 2))));
    const f = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : '—');
    const md = [
      `Weight-scaled test error: ${mean(ws).toFixed(2)} ± ${f(sd(ws))}% over ${rs.length} networks (training error ${mean(rs.map((r) => r.trainError)).toFixed(2)}%).`, '',
      '| k | MC test error % (mean over networks and sequences) | sd across a network\'s sequences | mean relative gap g(k) | 95% interval of g(k) | inside ±m |', '|---|---|---|---|---|---|',
      ...MC_GRID.map((k, j) => {
        const ci = interval(rs.map((r) => relGap(r, j)));
        return `| ${k} | ${mean(rs.flatMap((r) => r.mc.map((d) => d[j]))).toFixed(2)} | ${f(spread[j], 3)} | ${ci.mean >= 0 ? '+' : ''}${(100 * ci.mean).toFixed(1)}% | [${f(100 * ci.lo, 1)}, ${f(100 * ci.hi, 1)}]% | ${ci.lo > -MC_MARGIN && ci.hi < MC_MARGIN ? 'yes' : 'no'} |`;
      }),
      '', partsTable([part1, part2], 3), '',
      `k* (per network, the first k from which MC stays within ${100 * MC_MARGIN}% of weight scaling): ${kStar.map((k) => k ?? '> 100').join(', ')}${reached.length >= 2 ? `; mean ${kci.mean.toFixed(1)}, 95% interval [${f(kci.lo, 1)}, ${f(kci.hi, 1)}]` : ''} (the paper: about 50).`,
    ].join('\n');
    const rowsMc = MC_GRID.map((k, j) => { const m = mean(rs.flatMap((r) => r.mc.map((d) => d[j]))); return { k, series: 'Monte-Carlo average (± sd across sequences)', mean: m, lo: m - spread[j], hi: m + spread[j] }; });
    const w = mean(ws);
    const rowsWs = MC_GRID.map((k) => ({ k, series: `weight scaling (± the ${100 * MC_MARGIN}% margin)`, mean: w, lo: w * (1 - MC_MARGIN), hi: w * (1 + MC_MARGIN) }));
    return {
      verdict,
      summary: `g(${K_CLAIM}) = ${(100 * part1.ci.mean).toFixed(1)}% [${f(100 * part1.ci.lo, 1)}, ${f(100 * part1.ci.hi, 1)}] against a ±${100 * MC_MARGIN}% margin; k* ${reached.length ? `${Math.min(...reached)}–${Math.max(...reached)}` : '> 100'}; weight scaling ${w.toFixed(2)}%, MC at k = 1 ${mean(rs.flatMap((r) => r.mc.map((d) => d[0]))).toFixed(2)}%, at k = 100 ${mean(rs.flatMap((r) => r.mc.map((d) => d[MC_GRID.length - 1]))).toFixed(2)}%`,
      markdown: md,
      plots: [{ name: 'mc-vs-k', title: 'Test error of Monte-Carlo averaging over k masks against weight scaling', spec: lineWithBand({ rows: [...rowsMc, ...rowsWs], x: 'k', y: 'mean', lo: 'lo', hi: 'hi', series: 'series', xTitle: 'k (sampled masks)', yTitle: 'test error (%)', title: `M-K50 (${p} profile)`, logX: true }) }],
    };
  },
};
