// Small helpers for turning run records into per-seed arrays and plot rows.
import { type RunRecord, mean, sd } from '../framework/experiment.ts';
import { lineWithBand } from './plot.ts';

/** The results of one setting, ordered by seed. */
export function bySeed<R>(runs: readonly RunRecord<R>[], setting: string): R[] {
  return runs
    .filter((r) => r.setting === setting)
    .sort((a, b) => a.seed - b.seed)
    .map((r) => r.result);
}

/** Mean ± sd rows of training curves (train and test error at each recorded step). */
export function curveRows(
  results: readonly { curve: { step: number; train: number; test: number }[] }[],
  network: string,
) {
  const out: { network: string; set: string; step: number; mean: number; lo: number; hi: number }[] = [];
  const steps = results[0]?.curve.map((c) => c.step) ?? [];
  for (const set of ['train', 'test'] as const) {
    steps.forEach((step, i) => {
      const v = results.map((r) => r.curve[i][set]);
      const m = mean(v),
        s = Number.isFinite(sd(v)) ? sd(v) : 0;
      out.push({ network, set, step, mean: m, lo: Math.max(m - s, 1e-3), hi: m + s });
    });
  }
  return out;
}

/** mean and ±sd band of values. */
export function band(v: readonly number[]) {
  const m = mean(v),
    s = Number.isFinite(sd(v)) ? sd(v) : 0;
  return { mean: m, lo: m - s, hi: m + s };
}

/**
 * A learning-curve plot: test (solid series) and training error against epochs for each network
 * group, mean over seeds. `epochsPerStep` converts recorded updates to epochs for each group.
 */
export function learningCurves(
  groups: readonly {
    label: string;
    results: readonly { curve: { step: number; train: number; test: number }[] }[];
    epochsPerStep: number;
  }[],
  title: string,
) {
  // a training error of 0 is drawn at 0.005% (a log scale has no 0)
  const rows = groups.flatMap((g) =>
    curveRows(g.results, g.label).map((r) => ({
      ...r,
      mean: Math.max(r.mean, 0.005),
      epoch: +(r.step * g.epochsPerStep).toFixed(4),
      series: `${g.label}, ${r.set === 'test' ? 'test' : 'training'}`,
    })),
  );
  return lineWithBand({
    rows,
    x: 'epoch',
    y: 'mean',
    series: 'series',
    xTitle: 'epochs',
    yTitle: 'error (%), log scale',
    title,
    logY: true,
  });
}
