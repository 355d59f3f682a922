// X-KEEP (Fig. 9): test and training error against keep, with n units fixed and with keep·n fixed.
import { type ClassifierConfig, type ClassifierResult, classifierCost, finalErrors } from './classifier.ts';
import { type Experiment, type Profile, type Setting, PART_RULES, combine, judge, meanSd, partsTable } from './framework.ts';
import { lineWithBand } from './plot.ts';
import { SCALED_DOWN, SEEDS, baseClassifier, shortSteps, describeTraining } from './scale.ts';
import { band, bySeed } from './summarize.ts';

interface S extends Setting { panel: 'n' | 'keep-n'; keep: number; config: ClassifierConfig }

const N_FIXED = 128;
const KEEP_N = 32;
const INPUT_RATE = 0.2;
const FLAT_MARGIN = 0.5;

const keeps = (p: Profile) => (p === 'quick' ? [0.1, 0.4, 0.6, 0.8, 0.9] : [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
const units = (panel: S['panel'], keep: number) => (panel === 'n' ? N_FIXED : Math.round(KEEP_N / keep));

function settings(p: Profile): S[] {
  const b = baseClassifier(p);
  const steps = shortSteps(p);
  const make = (panel: S['panel'], keep: number): S => ({
    name: `${panel === 'n' ? 'n' : 'keepn'}-keep${keep}`, panel, keep,
    config: { ...b, steps, hidden: b.hidden.map(() => (p === 'paper' ? (panel === 'n' ? 512 : Math.round(128 / keep)) : units(panel, keep))), inputRate: INPUT_RATE, hiddenRate: +(1 - keep).toFixed(10) },
  });
  return [...keeps(p).map((k) => make('n', k)), make('n', 1), ...keeps(p).map((k) => make('keep-n', k))];
}

/** Least-squares slope of y on x. */
function slope(x: number[], y: number[]) {
  const mx = x.reduce((s, v) => s + v, 0) / x.length, my = y.reduce((s, v) => s + v, 0) / y.length;
  return x.reduce((s, v, i) => s + (v - mx) * (y[i] - my), 0) / x.reduce((s, v) => s + (v - mx) ** 2, 0);
}

export const xKeep: Experiment<S, ClassifierResult> = {
  id: 'X-KEEP',
  title: 'Test error against keep, with n fixed and with keep·n fixed',
  claim: 'With n hidden units fixed, test error is flat for keep in 0.4–0.8 and rises at small keep (underfitting) and as keep → 1; with keep·n fixed, small keep does better than with n fixed, and keep ≈ 0.6 is best (paper §7.3, Fig. 9).',
  published: 'Fig. 9 (784-2048-2048-2048-10 for n fixed; keep·n = 256 for keep·n fixed): at keep 0.1 test error about 2.7% with n fixed and 1.7% with keep·n fixed; flat near 1.1–1.3% for keep 0.4–0.8.',
  setup: (p) => {
    const c = settings(p)[0].config;
    return `One hidden layer of ReLU units on ${c.side}×${c.side} digits, input keep fixed at 0.8, hidden keep ∈ {${keeps(p).join(', ')}}. Panel (a): n = ${N_FIXED} hidden units for every keep, plus keep 1 (no hidden dropout). Panel (b): keep·n = ${KEEP_N}, so n = round(${KEEP_N}/keep) (${keeps(p).map((k) => units('keep-n', k)).join(', ')} units). ${describeTraining(c)}.`;
  },
  deviations: () => `${SCALED_DOWN} The paper uses three hidden layers of 2,048 units (a) and keep·n = 256 (b); here one hidden layer, n = ${N_FIXED} and keep·n = ${KEEP_N} (the paper's ratio n/(keep·n) is 8, ours 4). The input keep (0.8) is our choice.`,
  rule: (p) => `Metric: test error (%) after the last update; ${SEEDS[p]} seeds, every setting of one seed sharing the training set and batch order. Parts, each on per-seed differences:\n(a1) rises at small keep: d = err_a(0.1) − err_a(0.6) > 0;\n(a2) rises as keep → 1: d = err_a(1) − err_a(0.6) > 0;\n(a3) flat on 0.4–0.8: d = (least-squares slope of err_a over keep ∈ [0.4, 0.8]) × 0.4, the change across the band, |d| < ${FLAT_MARGIN} points;\n(b1) with keep·n fixed small keep does better: d = err_a(0.1) − err_b(0.1) > 0;\n(b2, b3) keep ≈ 0.6 is best in (b): d = err_b(0.1) − err_b(0.6) > 0 and d = err_b(0.9) − err_b(0.6) > 0.\n\n${PART_RULES}`,
  plan: (p) => ({ settings: settings(p), seeds: SEEDS[p] }),
  cost: (s) => classifierCost(s.config),
  run: (s, _seed, ctx) => finalErrors(s.config, ctx),
  report: (runs, p) => {
    const err = (panel: string, k: number) => bySeed(runs, `${panel}-keep${k}`).map((r) => r.testError);
    const sub = (a: number[], b: number[]) => a.map((v, i) => v - b[i]);
    const band04 = keeps(p).filter((k) => k >= 0.4 && k <= 0.8);
    const seeds = err('n', 0.6).length;
    const flat = Array.from({ length: seeds }, (_, i) => slope(band04, band04.map((k) => err('n', k)[i])) * 0.4);
    const parts = [
      judge({ name: '(a1) rises at small keep', kind: 'positive', statistic: 'err_a(0.1) − err_a(0.6)', values: sub(err('n', 0.1), err('n', 0.6)) }),
      judge({ name: '(a2) rises as keep → 1', kind: 'positive', statistic: 'err_a(1) − err_a(0.6)', values: sub(err('n', 1), err('n', 0.6)) }),
      judge({ name: '(a3) flat for keep 0.4–0.8', kind: 'within', margin: FLAT_MARGIN, statistic: 'slope × 0.4 over keep 0.4–0.8', values: flat }),
      judge({ name: '(b1) keep·n fixed does better at small keep', kind: 'positive', statistic: 'err_a(0.1) − err_b(0.1)', values: sub(err('n', 0.1), err('keepn', 0.1)) }),
      judge({ name: '(b2) keep 0.6 beats 0.1 with keep·n fixed', kind: 'positive', statistic: 'err_b(0.1) − err_b(0.6)', values: sub(err('keepn', 0.1), err('keepn', 0.6)) }),
      judge({ name: '(b3) keep 0.6 beats 0.9 with keep·n fixed', kind: 'positive', statistic: 'err_b(0.9) − err_b(0.6)', values: sub(err('keepn', 0.9), err('keepn', 0.6)) }),
    ];
    const verdict = combine(parts);
    const table = (panel: 'n' | 'keepn', ks: number[]) => ks.map((k) => {
      const rs = bySeed(runs, `${panel}-keep${k}`);
      return `| ${panel === 'n' ? '(a) n fixed' : '(b) keep·n fixed'} | ${k} | ${units(panel === 'n' ? 'n' : 'keep-n', k)} | ${meanSd(rs.map((r) => r.testError))} | ${meanSd(rs.map((r) => r.trainError))} |`;
    });
    const best = keeps(p).reduce((a, k) => (err('keepn', k).reduce((s, v) => s + v, 0) < err('keepn', a).reduce((s, v) => s + v, 0) ? k : a));
    const md = ['| panel | keep | hidden units | test error % | training error % |', '|---|---|---|---|---|', ...table('n', [...keeps(p), 1]), ...table('keepn', keeps(p)), '',
      `Lowest mean test error with keep·n fixed: keep ${best}.`, '', partsTable(parts)].join('\n');
    const rows = (['n', 'keepn'] as const).flatMap((panel) => (panel === 'n' ? [...keeps(p), 1] : keeps(p)).flatMap((k) => {
      const rs = bySeed(runs, `${panel}-keep${k}`);
      const label = panel === 'n' ? `(a) n = ${N_FIXED}` : `(b) keep·n = ${KEEP_N}`;
      return [{ keep: k, series: `${label}, test`, ...band(rs.map((r) => r.testError)) }, { keep: k, series: `${label}, training`, ...band(rs.map((r) => r.trainError)) }];
    }));
    return {
      verdict,
      summary: parts.map((q) => `${q.name.split(' ')[0]} ${q.ci.mean.toFixed(2)} [${q.ci.lo.toFixed(2)}, ${q.ci.hi.toFixed(2)}] ${q.verdict}`).join('; '),
      markdown: md,
      plots: [
        { name: 'n-fixed', title: `Panel (a): n = ${N_FIXED} hidden units fixed (mean ± sd over seeds)`, spec: lineWithBand({ rows: rows.filter((r) => r.series.startsWith('(a)')), x: 'keep', y: 'mean', lo: 'lo', hi: 'hi', series: 'series', xTitle: 'keep (hidden units)', yTitle: 'error (%)', title: 'X-KEEP (a): n fixed' }) },
        { name: 'keep-n-fixed', title: `Panel (b): keep·n = ${KEEP_N} fixed (mean ± sd over seeds)`, spec: lineWithBand({ rows: rows.filter((r) => r.series.startsWith('(b)')), x: 'keep', y: 'mean', lo: 'lo', hi: 'hi', series: 'series', xTitle: 'keep (hidden units)', yTitle: 'error (%)', title: 'X-KEEP (b): keep·n fixed' }) },
      ],
    };
  },
};
