// What an experiment is: a plan of (setting, seed) runs per profile, a run as a pure function of
// its keys, and a report with a verdict decided by a rule stated before anything runs.
import { type DType, type Key, foldIn, key } from '../../src/index.ts';

/**
 * quick: CI's pipeline check (minutes). standard: `npm start`, at most an hour on two cores.
 * large: the 1024-unit networks of X-OVERFIT and M-K50, hours, run as shards. paper: the paper's
 * stated setups as far as they are known, days, run as shards.
 */
export type Profile = 'quick' | 'standard' | 'large' | 'paper';
export const PROFILES: readonly Profile[] = ['quick', 'standard', 'large', 'paper'];

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
  /** One line stating the scale next to the verdict: data, input size, network, updates, seeds, the baseline's error beside the paper's. */
  setting: string;
  /** One line for the ledger: the number that decided it. */
  summary: string;
  /** Markdown sections (results tables, discussion), without the header, rule and provenance. */
  markdown: string;
  plots: Plot[];
  /** Pictures (image grids), already encoded. */
  images?: { name: string; title: string; png: Buffer }[];
}

/** Runs that several experiments report on: one set of networks, several claims. */
export interface Pool<S extends Setting = Setting, R = unknown> {
  id: string;
  plan: (profile: Profile) => Plan<S>;
  cost: (setting: S, profile: Profile) => number;
  run: (setting: S, seed: number, ctx: RunContext) => R;
}

/** The settings of a pool an experiment reports on. */
export interface PoolRuns { pool: string; settings: readonly string[] }

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
  /** The profiles the experiment runs in (default: quick, standard and paper). */
  profiles?: readonly Profile[];
  /** The runs of a profile (not needed where runsOf names a pool in every profile). */
  plan?: (profile: Profile) => Plan<S>;
  /** In the profiles where this returns a pool's settings, the report is computed from those runs (networks shared with other claims) and plan is not used. */
  runsOf?: (profile: Profile) => PoolRuns | undefined;
  /** True in the profiles whose setting is the paper's (or where the report argues scale cannot explain a failure): only then can a failed claim be CONTRADICTED. */
  faithful?: (profile: Profile) => boolean;
  /** Estimated cost of one run in multiply-adds (for ETAs and load balancing). */
  cost?: (setting: S, profile: Profile) => number;
  run?: (setting: S, seed: number, ctx: RunContext) => R;
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

export const DEFAULT_PROFILES: readonly Profile[] = ['quick', 'standard', 'paper'];
export const runsIn = (e: Pick<Experiment<any, any>, 'profiles'>, p: Profile) => (e.profiles ?? DEFAULT_PROFILES).includes(p);

export const runId = (r: { experiment: string; setting: string; seed: number }) => `${r.experiment}/${r.setting}/${r.seed}`;

// ---------------------------------------------------------------------------------------------
// Statistics: paired differences across seeds, a two-sided 95% Student-t interval.

/**
 * SUPPORTED: the claim's prediction held. NOT REPRODUCED: it failed in a setting that differs from
 * the paper's (not evidence against the paper). CONTRADICTED: it failed in the paper's setting, or
 * where the report argues scale cannot explain it. INCONCLUSIVE: the data cannot decide.
 */
export type Verdict = 'SUPPORTED' | 'NOT REPRODUCED' | 'CONTRADICTED' | 'INCONCLUSIVE';
export const VERDICTS: readonly Verdict[] = ['SUPPORTED', 'NOT REPRODUCED', 'CONTRADICTED', 'INCONCLUSIVE'];
/** A part's outcome: held, failed (NOT REPRODUCED until combine knows whether the setting is the paper's), or undecided. */
export type PartVerdict = Exclude<Verdict, 'CONTRADICTED'>;

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

/** Φ(x), the standard normal distribution function (erfc by Numerical Recipes' Chebyshev fit, relative error < 1.2e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2, t = 1 / (1 + 0.5 * z);
  const erfc = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/**
 * Power of a 'positive' part: the probability that the 95% t interval of n paired values lies above
 * 0 when their true mean is delta and their sd sigma, i.e. P(T > t975(n−1)) for T noncentral t with
 * n−1 degrees of freedom and noncentrality delta·√n/sigma, by quadrature over the chi-square of the
 * sample variance.
 */
export function powerPositive(delta: number, sigma: number, n: number): number {
  if (!(n >= 2) || !(sigma > 0)) return NaN;
  const df = n - 1, c = t975(df), ncp = (delta * Math.sqrt(n)) / sigma;
  // chi-square(df) density, by log-gamma (Stirling series after shifting the argument above 10)
  const lgamma = (x: number): number => (x < 10 ? lgamma(x + 1) - Math.log(x) : (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x ** 3));
  const logNorm = -(df / 2) * Math.log(2) - lgamma(df / 2);
  const hi = df + 12 * Math.sqrt(2 * df) + 40, steps = 20000, h = hi / steps;
  let total = 0;
  for (let i = 1; i <= steps; i++) {
    const v = (i - 0.5) * h; // midpoint rule: the density is unbounded at 0 for df = 1
    total += Math.exp(logNorm + (df / 2 - 1) * Math.log(v) - v / 2) * (1 - normalCdf(c * Math.sqrt(v / df) - ncp)) * h;
  }
  return total;
}

/**
 * One testable part of a claim, on per-seed values d (paired differences, oriented so that the
 * claim predicts what `kind` says):
 * - 'positive': the claim says d > 0. SUPPORTED if the interval's lower end > 0, NOT REPRODUCED if its upper end < 0.
 * - 'below': the claim says d < margin (e.g. "no gain beyond margin"). SUPPORTED if upper < margin, NOT REPRODUCED if lower > margin.
 * - 'within': the claim says |d| < margin. SUPPORTED if [lower, upper] ⊂ (−margin, margin), NOT REPRODUCED if the interval lies beyond ±margin.
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
  verdict: PartVerdict;
}

export function judge(p: Part): JudgedPart {
  const ci = interval(p.values);
  const m = p.margin ?? 0;
  let verdict: PartVerdict = 'INCONCLUSIVE';
  if (p.kind === 'positive') verdict = ci.lo > 0 ? 'SUPPORTED' : ci.hi < 0 ? 'NOT REPRODUCED' : 'INCONCLUSIVE';
  else if (p.kind === 'below') verdict = ci.hi < m ? 'SUPPORTED' : ci.lo > m ? 'NOT REPRODUCED' : 'INCONCLUSIVE';
  else verdict = ci.lo > -m && ci.hi < m ? 'SUPPORTED' : ci.lo > m || ci.hi < -m ? 'NOT REPRODUCED' : 'INCONCLUSIVE';
  return { ...p, ci, verdict };
}

/** All parts SUPPORTED → SUPPORTED; any failed → CONTRADICTED in a faithful setting, else NOT REPRODUCED; otherwise INCONCLUSIVE. */
export function combine(parts: readonly { verdict: Verdict }[], faithful = false): Verdict {
  if (parts.length && parts.every((p) => p.verdict === 'SUPPORTED')) return 'SUPPORTED';
  if (parts.some((p) => p.verdict === 'NOT REPRODUCED' || p.verdict === 'CONTRADICTED')) return faithful ? 'CONTRADICTED' : 'NOT REPRODUCED';
  return 'INCONCLUSIVE';
}

export const PART_RULES = `Each part is decided on per-seed paired differences d (the settings of one seed share
their training set, initial weights, batch order and, where the settings allow, noise draws), by the
two-sided 95% Student-t interval of their mean: a part claiming d > 0 holds when the interval lies
above 0 and fails when it lies below 0; a part claiming d < margin (or |d| < margin) holds when the
interval lies below the margin (inside ±margin) and fails when it lies beyond it; anything else is
undecided. The claim is SUPPORTED when every part holds; when any part fails it is NOT REPRODUCED (the
setting differs from the paper's, so this is not evidence against the paper) or, only in the paper's own
setting, CONTRADICTED; otherwise INCONCLUSIVE. Quick-profile verdicts use fewer seeds and shorter
training and are marked (quick): they show the pipeline works, not what the standard profile concludes.`;

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
