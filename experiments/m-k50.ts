// M-K50 (Fig. 11): Monte-Carlo model averaging over k sampled masks against the weight-scaling rule.
import { CLASSES, TEST_SIZE, labelsOf, rows } from './data.ts';
import { type ClassifierConfig, classifierCost, macs, sizesOf, trainClassifier } from './classifier.ts';
import { type Experiment, type Profile, type Setting, interval, mean, sd } from './framework.ts';
import { Tensor, errorRate, foldIn, monteCarloAverages } from '../src/index.ts';
import { lineWithBand } from './plot.ts';
import { PAPER_DROPOUT, SCALED_DOWN, SEEDS, baseClassifier, describeNet, describeTraining } from './scale.ts';
import { bySeed } from './summarize.ts';

interface S extends Setting { config: ClassifierConfig; draws: number }
interface R { testDigits: number; weightScaled: number; trainError: number; grid: number[]; /** [draw][k index] test error %. */ mc: number[][] }

const GRID = [1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100];
const settings = (p: Profile): S[] => [{ name: 'dropout', config: { ...baseClassifier(p), ...PAPER_DROPOUT }, draws: p === 'full' ? 5 : 2 }];
const testCount = TEST_SIZE;
/** The quick profile averages over every QUICK_STRIDE-th test digit. */
const QUICK_STRIDE = 8;

export const mK50: Experiment<S, R> = {
  id: 'M-K50',
  title: 'Monte-Carlo averaging reaches weight scaling at about k = 50',
  claim: 'On MNIST, Monte-Carlo model averaging over k sampled dropout masks reaches the test error of the weight-scaling rule at about k = 50 samples and is within one standard deviation of it beyond (paper §7.5, Fig. 11).',
  published: 'Fig. 11 (784-1024-1024-2048-10 dropout net): Monte-Carlo test error falls from about 1.6% at k = 1 to the weight-scaled 1.05% near k = 50, staying within one standard deviation after.',
  setup: (p) => { const s = settings(p)[0]; return `${describeNet(s.config)} trained with dropout (keep 0.8 inputs, 0.5 hidden): ${describeTraining(s.config)}. Weight scaling (inverted convention: the identity at inference) against the average of the softmax outputs of k thinned networks, k ∈ {${GRID.join(', ')}}, ${s.draws} independent sequences of masks per network (draw r uses masks foldIn(key_r, 1..100); the first k of them give the estimate at k).`; },
  deviations: () => `${SCALED_DOWN} The paper's Fig. 11 uses one large network; here several smaller ones (one per seed), each with its own weight-scaled error.`,
  rule: (p) => `Metric: test error (%) on the ${p === 'quick' ? `${Math.ceil(testCount / QUICK_STRIDE).toLocaleString('en')} (every ${QUICK_STRIDE}th in file order)` : testCount.toLocaleString('en')} test digits. ${SEEDS[p]} seeds (networks) × ${settings(p)[0].draws} mask sequences. Statistic: gap(k) = mean over networks and sequences of [MC error(k) − weight-scaled error], and sd(k) = the standard deviation of MC error(k) across sequences (root-mean-square over networks). k* = the smallest k of the grid from which on gap(k') ≤ sd(k') for every k' ≥ k ("reaches weight scaling and stays within one sd"). SUPPORTED if 20 ≤ k* ≤ 100 (about 50, within a factor 2.5); NOT SUPPORTED if k* < 20 (reaches it much sooner) or gap(100) > sd(100) (not reached by k = 100). Nothing is left INCONCLUSIVE by this rule; quick-profile verdicts are marked (quick). The paired difference at k = 100 (MC − weight scaling, per network) is reported with its 95% interval.`,
  plan: (p) => ({ settings: settings(p), seeds: SEEDS[p] }),
  cost: (s, p) => classifierCost(s.config) + s.draws * GRID[GRID.length - 1] * (p === 'quick' ? Math.ceil(testCount / QUICK_STRIDE) : testCount) * macs(sizesOf(s.config, s.config.side * s.config.side)),
  run: (s, _seed, ctx) => {
    const { trainError, net, params, data } = trainClassifier(s.config, ctx);
    // the quick profile averages over every 8th test digit in file order: a systematic sample, about
    // stratified, with as many of the file's first 5,000 digits (the cleaner ones) as of its last 5,000
    const test = ctx.profile === 'quick' ? data.splits.test.filter((_, i) => i % QUICK_STRIDE === 0) : data.splits.test;
    const x = new Tensor(rows(data.digits, test, { dtype: ctx.dtype }), [test.length, data.width]);
    const y = labelsOf(data.digits, test);
    const weightScaled = 100 * errorRate(net.apply(params, x, { training: false }).data, CLASSES, y);
    const mc = Array.from({ length: s.draws }, (_, r) => monteCarloAverages(net, params, x, foldIn(ctx.own, r), GRID).map((probs) => 100 * errorRate(probs, CLASSES, y)));
    return { weightScaled, trainError, grid: GRID, mc, testDigits: test.length };
  },
  report: (runs) => {
    const rs = bySeed(runs, 'dropout');
    const ws = rs.map((r) => r.weightScaled);
    const gap = GRID.map((_, j) => mean(rs.flatMap((r) => r.mc.map((d) => d[j] - r.weightScaled))));
    const spread = GRID.map((_, j) => Math.sqrt(mean(rs.map((r) => (Number.isFinite(sd(r.mc.map((d) => d[j]))) ? sd(r.mc.map((d) => d[j])) ** 2 : 0)))));
    let kStar: number | null = null;
    for (let j = GRID.length - 1; j >= 0 && gap[j] <= spread[j]; j--) kStar = GRID[j];
    const verdict = kStar !== null && kStar >= 20 && kStar <= 100 ? 'SUPPORTED' : 'NOT SUPPORTED';
    const last = rs.map((r) => mean(r.mc.map((d) => d[GRID.length - 1])) - r.weightScaled);
    const { lo, hi } = interval(last);
    const md = [
      `Weight-scaled test error: ${mean(ws).toFixed(2)} ± ${(Number.isFinite(sd(ws)) ? sd(ws) : 0).toFixed(2)}% over ${rs.length} networks (training error ${mean(rs.map((r) => r.trainError)).toFixed(2)}%).`, '',
      '| k | MC test error % (mean over networks and sequences) | sd across sequences | gap to weight scaling | gap ≤ sd |', '|---|---|---|---|---|',
      ...GRID.map((k, j) => `| ${k} | ${mean(rs.flatMap((r) => r.mc.map((d) => d[j]))).toFixed(2)} | ${spread[j].toFixed(2)} | ${gap[j] >= 0 ? '+' : ''}${gap[j].toFixed(2)} | ${gap[j] <= spread[j] ? 'yes' : 'no'} |`),
      '', `k* = ${kStar ?? 'not reached by k = 100'} (the paper: about 50). At k = 100, MC − weight scaling per network: mean ${mean(last).toFixed(2)} points, 95% interval [${lo.toFixed(2)}, ${hi.toFixed(2)}].`,
    ].join('\n');
    const rowsMc = GRID.map((k, j) => { const v = rs.flatMap((r) => r.mc.map((d) => d[j])); const m = mean(v); return { k, series: 'Monte-Carlo average (mean ± sd across sequences)', mean: m, lo: m - spread[j], hi: m + spread[j] }; });
    const rowsWs = GRID.map((k) => ({ k, series: 'weight scaling', mean: mean(ws), lo: mean(ws), hi: mean(ws) }));
    return {
      verdict,
      summary: `k* = ${kStar ?? '> 100'}; weight scaling ${mean(ws).toFixed(2)}%, MC at k = 1 ${mean(rs.flatMap((r) => r.mc.map((d) => d[0]))).toFixed(2)}%, at k = 100 ${mean(rs.flatMap((r) => r.mc.map((d) => d[GRID.length - 1]))).toFixed(2)}%`,
      markdown: md,
      plots: [{ name: 'mc-vs-k', title: 'Test error of Monte-Carlo averaging over k masks against weight scaling', spec: lineWithBand({ rows: [...rowsMc, ...rowsWs], x: 'k', y: 'mean', lo: 'lo', hi: 'hi', series: 'series', xTitle: 'k (sampled masks)', yTitle: 'test error (%)', title: 'M-K50', logX: true }) }],
    };
  },
};
