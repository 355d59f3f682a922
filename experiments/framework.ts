// What an experiment is: a plan of (setting, seed) runs per profile, a run as a pure function of
// its keys, and a report with a verdict decided by a rule stated before anything runs.
import { type DType, type Key, foldIn, key } from '../src/index.ts';

export type Profile = 'quick' | 'standard' | 'full';
export const PROFILES: readonly Profile[] = ['quick', 'standard', 'full'];

export interface Setting {
  /** Unique within the experiment; part of the run's key. */
  name: string;
}

export interface Plan<S extends Setting> {
  settings: S[];
  seeds: number;
}

export interface RunContext {
  profile: Profile;
  /** Key of this (experiment, setting, seed): for randomness that belongs to this setting alone. */
  own: Key;
  /** Key of this (experiment, seed), the same for every setting: shared training sets, inits and batch orders pair the settings. */
  shared: Key;
  /** The dtype networks train in: float32 (the default, as in every framework) or float64 (--float64). */
  dtype: DType;
}

/** The dtype experiments train in unless --float64 says otherwise. */
export const DEFAULT_DTYPE: DType = 'float32';

export interface RunRecord<R = unknown> {
  experiment: string;
  setting: string;
  seed: number;
  result: R;
  /** Wall time of the run (not part of the result: it differs between machines). */
  seconds: number;
}

export interface Plot {
  /** File name stem: reports/<id>-<name>.svg. */
  name: string;
  title: string;
  /** A vega-lite specification. */
  spec: Record<string, unknown>;
}

export interface ReportBody {
  verdict: Verdict;
  /** One line for the ledger: the number that decided it. */
  summary: string;
  /** Markdown sections (results tables, discussion), without the header, rule and provenance. */
  markdown: string;
  plots: Plot[];
  /** Pictures (image grids), already encoded. */
  images?: { name: string; title: string; png: Buffer }[];
}

export interface Experiment<S extends Setting = Setting, R = unknown> {
  id: string;
  title: string;
  /** The claim, with its source. */
  claim: string;
  /** The published numbers the claim rests on. */
  published: string;
  /** The decision rule, stated before the runs: metric, seeds, statistic, what each verdict means. */
  rule: (profile: Profile) => string;
  /** Setup: data sizes, architecture, optimizer, and how it is scaled down from the paper. */
  setup: (profile: Profile) => string;
  /** How this setup differs from the paper's. */
  deviations: (profile: Profile) => string;
  plan: (profile: Profile) => Plan<S>;
  /** Estimated cost of one run in multiply-adds (for ETAs and load balancing). */
  cost: (setting: S, profile: Profile) => number;
  run: (setting: S, seed: number, ctx: RunContext) => R;
  report: (runs: RunRecord<R>[], profile: Profile) => ReportBody;
}

/** FNV-1a, 32 bits: a string as foldIn data. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The keys of a run: derived from (root, experiment, setting, seed) only, never from the order runs execute in. */
export function runKeys(root: number, experiment: string, setting: string, seed: number): { own: Key; shared: Key } {
  const e = foldIn(key(root), hash32(experiment));
  return { own: foldIn(foldIn(e, hash32(`setting:${setting}`)), seed), shared: foldIn(foldIn(e, hash32('shared')), seed) };
}

export const runId = (r: { experiment: string; setting: string; seed: number }) => `${r.experiment}/${r.setting}/${r.seed}`;

// ---------------------------------------------------------------------------------------------
// Statistics: paired differences across seeds, a two-sided 95% Student-t interval.

export type Verdict = 'SUPPORTED' | 'NOT SUPPORTED' | 'INCONCLUSIVE';

const T975 = [NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];
/** The 97.5% quantile of Student's t with df degrees of freedom (table to 30, then a 1/df expansion). */
export const t975 = (df: number) => (df < 1 ? Infinity : df <= 30 ? T975[df] : 1.96 + 2.4 / df);

export interface Interval {
  n: number;
  mean: number;
  sd: number;
  lo: number;
  hi: number;
}

export const mean = (v: readonly number[]) => v.reduce((s, x) => s + x, 0) / v.length;
export function sd(v: readonly number[]): number {
  if (v.length < 2) return NaN;
  const m = mean(v);
  return Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1));
}

/** mean ± t(0.975, n−1)·sd/√n. With one value the interval is unbounded. */
export function interval(v: readonly number[]): Interval {
  const m = mean(v), s = sd(v), n = v.length;
  const half = n < 2 ? Infinity : t975(n - 1) * (s / Math.sqrt(n));
  return { n, mean: m, sd: s, lo: m - half, hi: m + half };
}

/**
 * One testable part of a claim, on per-seed values d (paired differences, oriented so that the
 * claim predicts what `kind` says):
 * - 'positive': the claim says d > 0. SUPPORTED if the interval's lower end > 0, NOT SUPPORTED if its upper end < 0.
 * - 'below': the claim says d < margin (e.g. "no gain beyond margin"). SUPPORTED if upper < margin, NOT SUPPORTED if lower > margin.
 * - 'within': the claim says |d| < margin. SUPPORTED if [lower, upper] ⊂ (−margin, margin), NOT SUPPORTED if the interval lies beyond ±margin.
 * Otherwise INCONCLUSIVE.
 */
export interface Part {
  name: string;
  kind: 'positive' | 'below' | 'within';
  margin?: number;
  /** What d is, e.g. "test error without dropout − with dropout (percentage points)". */
  statistic: string;
  values: number[];
}

export interface JudgedPart extends Part {
  ci: Interval;
  verdict: Verdict;
}

export function judge(p: Part): JudgedPart {
  const ci = interval(p.values);
  const m = p.margin ?? 0;
  let verdict: Verdict = 'INCONCLUSIVE';
  if (p.kind === 'positive') verdict = ci.lo > 0 ? 'SUPPORTED' : ci.hi < 0 ? 'NOT SUPPORTED' : 'INCONCLUSIVE';
  else if (p.kind === 'below') verdict = ci.hi < m ? 'SUPPORTED' : ci.lo > m ? 'NOT SUPPORTED' : 'INCONCLUSIVE';
  else verdict = ci.lo > -m && ci.hi < m ? 'SUPPORTED' : ci.lo > m || ci.hi < -m ? 'NOT SUPPORTED' : 'INCONCLUSIVE';
  return { ...p, ci, verdict };
}

/** All parts SUPPORTED → SUPPORTED; any NOT SUPPORTED → NOT SUPPORTED; otherwise INCONCLUSIVE. */
export function combine(parts: readonly { verdict: Verdict }[]): Verdict {
  if (parts.length && parts.every((p) => p.verdict === 'SUPPORTED')) return 'SUPPORTED';
  return parts.some((p) => p.verdict === 'NOT SUPPORTED') ? 'NOT SUPPORTED' : 'INCONCLUSIVE';
}

export const PART_RULES = `Each part is decided on per-seed paired differences d (the settings of one seed share
their training set, initial weights, batch order and, where the settings allow, noise draws), by the
two-sided 95% Student-t interval of their mean: a part claiming d > 0 is SUPPORTED when the interval
lies above 0 and NOT SUPPORTED when it lies below 0; a part claiming d < margin (or |d| < margin) is
SUPPORTED when the interval lies below the margin (inside ±margin) and NOT SUPPORTED when it lies beyond
it; anything else is INCONCLUSIVE. The claim is SUPPORTED when every part is, NOT SUPPORTED when any part
is, INCONCLUSIVE otherwise. Quick-profile verdicts use fewer seeds and shorter training and are marked
(quick): they show the pipeline works, not what the standard profile concludes.`;

/** Markdown table of judged parts. */
export function partsTable(parts: readonly JudgedPart[], digits = 2): string {
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(digits) : v > 0 ? '+∞' : '−∞');
  const rule = (p: Part) => (p.kind === 'positive' ? 'd > 0' : p.kind === 'below' ? `d < ${p.margin}` : `\\|d\\| < ${p.margin}`);
  return ['| part | d (per seed) | claim says | seeds | mean d | 95% interval | verdict |', '|---|---|---|---|---|---|---|',
    ...parts.map((p) => `| ${p.name} | ${p.statistic} | ${rule(p)} | ${p.ci.n} | ${f(p.ci.mean)} | [${f(p.ci.lo)}, ${f(p.ci.hi)}] | **${p.verdict}** |`)].join('\n');
}

/** "12.34 ± 0.56" (mean ± sd). */
export function meanSd(v: readonly number[], digits = 2): string {
  const s = sd(v);
  return `${mean(v).toFixed(digits)} ± ${Number.isFinite(s) ? s.toFixed(digits) : '—'}`;
}
