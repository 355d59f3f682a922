// What an experiment is: a plan of (setting, seed) runs per profile, a run as a pure function of
// its keys, and a report with a verdict decided by a rule stated before anything runs.
import { type DType, type Key, foldIn, key } from '../../src/index.ts';
import { type TInterval, sampleMean, sampleSd, tInterval } from '../../src/verify/ttest.ts';

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
export interface PoolRuns {
  pool: string;
  settings: readonly string[];
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
  /** The profiles the experiment runs in (default: quick, standard and paper). */
  profiles?: readonly Profile[];
  /** The runs of a profile (not needed where runsOf names a pool in every profile). */
  plan?: (profile: Profile) => Plan<S>;
  /** In the profiles where this returns a pool's settings, the report is computed from those runs (networks shared with other claims) and plan is not used. */
  runsOf?: (profile: Profile) => PoolRuns | undefined;
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
  return {
    own: foldIn(foldIn(e, hash32(`setting:${setting}`)), seed),
    shared: foldIn(foldIn(e, hash32('shared')), seed),
  };
}

export const DEFAULT_PROFILES: readonly Profile[] = ['quick', 'standard', 'paper'];
export const runsIn = (e: Pick<Experiment<any, any>, 'profiles'>, p: Profile) =>
  (e.profiles ?? DEFAULT_PROFILES).includes(p);

export const runId = (r: { experiment: string; setting: string; seed: number }) =>
  `${r.experiment}/${r.setting}/${r.seed}`;

// ---------------------------------------------------------------------------------------------
// Verdicts: parts decided on paired differences across seeds by a two-sided 95% Student-t interval
// (the statistics themselves are the library's: src/verify/ttest.ts).
export {
  type TInterval as Interval,
  normalCdf,
  powerPositive,
  sampleMean as mean,
  sampleSd as sd,
  t975,
  tInterval as interval,
} from '../../src/verify/ttest.ts';

/**
 * SUPPORTED: the claim's prediction held. NOT REPRODUCED: it failed in a setting that differs from
 * the paper's (not evidence against the paper). CONTRADICTED: it failed in the paper's setting, or
 * where the report argues scale cannot explain it. INCONCLUSIVE: the data cannot decide.
 */
export type Verdict = 'SUPPORTED' | 'NOT REPRODUCED' | 'CONTRADICTED' | 'INCONCLUSIVE';
export const VERDICTS: readonly Verdict[] = ['SUPPORTED', 'NOT REPRODUCED', 'CONTRADICTED', 'INCONCLUSIVE'];
/** A part's outcome: held, failed (NOT REPRODUCED until combine knows whether the setting is the paper's), or undecided. */
export type PartVerdict = Exclude<Verdict, 'CONTRADICTED'>;

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
  ci: TInterval;
  verdict: PartVerdict;
}

export function judge(p: Part): JudgedPart {
  // a value that is not finite (a ratio over a zero error, say) decides nothing: the part stays undecided
  if (!p.values.length || !p.values.every(Number.isFinite))
    return { ...p, ci: { n: p.values.length, mean: NaN, sd: NaN, lo: NaN, hi: NaN }, verdict: 'INCONCLUSIVE' };
  const ci = tInterval(p.values);
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
  if (parts.some((p) => p.verdict === 'NOT REPRODUCED' || p.verdict === 'CONTRADICTED'))
    return faithful ? 'CONTRADICTED' : 'NOT REPRODUCED';
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
  const rule = (p: Part) =>
    p.kind === 'positive' ? 'd > 0' : p.kind === 'below' ? `d < ${p.margin}` : `\\|d\\| < ${p.margin}`;
  return [
    '| part | d (per seed) | claim says | seeds | mean d | 95% interval | verdict |',
    '|---|---|---|---|---|---|---|',
    ...parts.map(
      (p) =>
        `| ${p.name} | ${p.statistic} | ${rule(p)} | ${p.ci.n} | ${f(p.ci.mean)} | [${f(p.ci.lo)}, ${f(p.ci.hi)}] | **${p.verdict}** |`,
    ),
  ].join('\n');
}

/** "12.34 ± 0.56" (mean ± sd). */
export function meanSd(v: readonly number[], digits = 2): string {
  const s = sampleSd(v);
  return `${sampleMean(v).toFixed(digits)} ± ${Number.isFinite(s) ? s.toFixed(digits) : '—'}`;
}
