// What every property of the audit battery shares: the result and option types, the defaults, the
// rates, lags and seed pairs the statistical properties test, and the Battery context (the candidate
// behind its guarded caller, the inputs, the forward calls shared between properties, the sample
// sizes). Each property check takes a Battery and returns its result.
import { float64Data, foldIn, key, uniform } from '../../engine/index.ts';
import { type Answer, type CallArgs, Caller, type DropoutCandidate, type Precision } from './candidate.ts';
import { dependenceSize, expectationPlan, frequencyPlan } from './plan.ts';
import { inputValues, scaled, toFloat32 } from './scan.ts';

export type Verdict = 'pass' | 'fail' | 'not applicable' | 'not judged';

/** Where a property failed, smallest case first. */
export interface FailingCase {
  call: string;
  rate: number;
  length: number;
  seed: number;
  training: boolean;
  index?: number;
  expected?: string;
  got?: string;
}

export interface PropertyResult {
  id: string;
  title: string;
  verdict: Verdict;
  /** One line: the failing case (expected vs got) or what was checked. */
  evidence: string;
  failingCase?: FailingCase;
  /** How it is decided: 'exact', 'exact binomial', 'Hoeffding (two-sample)', 'union bound', … */
  test: string;
  /** Upper bound on the probability that a correct implementation fails this property. */
  falseFailure: number;
  /** What a failure of this size is detected with, e.g. "≥ 0.9990 vs drop rate ± 0.01"; "certain" for exact checks. */
  power: string;
  /** Elements the property examined. */
  elements: number;
}

export interface AuditOptions {
  /** Total false-failure probability of the statistical properties (Bonferroni-split). Default 1e-6. */
  alpha?: number;
  /** Seed of the audit's inputs and of the seeds it passes to the candidate. Default 20261127. */
  seed?: number;
  /** Detect a drop-rate error this large (absolute)… Default 0.01. */
  rateError?: number;
  /** …and outputs scaled by 1 ± scaleError… Default 0.005. */
  scaleError?: number;
  /** …and a difference this large between drop probabilities that should be equal (dependence). Default 0.02. */
  dependence?: number;
  /** …each with at least this probability. Default 0.999. */
  power?: number;
  /** Longest wait for one call of the candidate, in ms. Default 30,000. */
  timeoutMs?: number;
}

export interface AuditResult {
  candidate: string;
  convention: string;
  /** The arithmetic the exact properties judged: declared by the candidate, or float32 when it answered with Float32Arrays. */
  precision: Precision;
  ok: boolean;
  properties: PropertyResult[];
  options: Required<AuditOptions>;
  /** Sum of the properties' false-failure bounds (≤ options.alpha). */
  falseFailure: number;
  calls: number;
  elements: number;
  ms: number;
}

export const DEFAULTS: Required<AuditOptions> = {
  alpha: 1e-6,
  seed: 20261127,
  rateError: 0.002,
  scaleError: 0.005,
  dependence: 0.02,
  power: 0.999,
  timeoutMs: 30_000,
};

export const FREQUENCY_RATES = [0.1, 0.3, 0.5, 0.7, 0.9];
export const EXPECTATION_RATES = [0.1, 0.3, 0.5, 0.7];
/**
 * Where rates are drawn beside the anchors, one in each range: a rate that is rounded, quantized or
 * special-cased anywhere in (0, 1) is met at rates no implementation can anticipate, and the ends
 * (below 0.02, above 0.98), where thresholds and 1/keep misbehave first, are always visited.
 */
export const DRAWN_RANGES: readonly (readonly [number, number])[] = [
  [0, 0.02],
  [0.02, 0.5],
  [0.5, 0.98],
  [0.98, 1],
];
/**
 * The expectation test's sample grows as rate/keep: it runs at drawn rates up to the anchors' largest,
 * 0.7 (about 7·10^6 elements at the default 1 ± 0.005); above it, drop-frequency and training-values
 * (every kept value is x/keep) pin the scale instead.
 */
export const EXPECTATION_MAX = 0.7;

/**
 * The drawn rates of an audit seed: one uniform in each of DRAWN_RANGES, from the audit's key, to 4
 * significant digits (so reports and reruns state them exactly), never an end of its range.
 */
export function drawnRates(seed: number): number[] {
  const u = float64Data(uniform(foldIn(key(seed), 2_000_000), [DRAWN_RANGES.length]));
  return DRAWN_RANGES.map(([lo, hi], i) => {
    const r = Number((lo + (hi - lo) * u[i]).toPrecision(4));
    return r <= lo || r >= hi ? Number(((lo + hi) / 2).toPrecision(4)) : r;
  });
}
export const LAGS = [1, 2, 3, 4, 5, 6, 7, 8, 16, 32, 64];
/** Seed pairs (s, f(s)) whose masks must be independent: neighbours, a high bit, the top bit. */
export const SEED_PAIRS: [string, (s: number) => number][] = [
  ['seed + 1', (s) => (s + 1) % 2 ** 31],
  ['seed + 2^16', (s) => (s + 2 ** 16) % 2 ** 31],
  ['seed xor 2^30', (s) => (s ^ (2 ** 30)) >>> 0],
];
export const WINDOW = 128; // bits compared by the period test
export const GRID_LENGTHS = [1, 2, 3, 4, 5, 8, 17, 64, 1000];
export const GRID_RATES = [0.1, 0.25, 0.5, 0.75, 0.9];
const STREAMS = { stat: 0, grid: 1, unit: 2 };

/**
 * How many statistical tests an audit with this seed makes (α is split evenly over them): a frequency
 * test per anchor and drawn rate, an expectation test per anchor and drawn rate up to EXPECTATION_MAX,
 * a test per lag, two value groups, a test per seed pair, and the period test.
 */
export function statisticalTests(seed: number): number {
  const drawn = drawnRates(seed);
  const expectations = EXPECTATION_RATES.length + drawn.filter((r) => r <= EXPECTATION_MAX).length;
  return FREQUENCY_RATES.length + drawn.length + expectations + LAGS.length + 2 + SEED_PAIRS.length + 1;
}

export class Battery {
  readonly caller: Caller;
  readonly inverted: boolean;
  readonly alphaEach: number;
  readonly base;
  /** Rates drawn from the audit seed (drawnRates), and the rates each kind of property runs at: anchors, then drawn. */
  readonly drawn: number[];
  readonly frequencyRates: number[];
  readonly expectationRates: number[];
  readonly #inputs = new Map<string, Float64Array>();
  readonly #answers = new Map<string, Promise<Answer>>();
  /** Training calls whose outputs the training-values property checks: grid first, then statistical samples. */
  readonly trainingCalls: { x: Float64Array; args: Omit<CallArgs, 'length'>; tag: string }[] = [];
  /** Declared, else decided by runBattery from the first answers; the exact properties compare in it. */
  precision: Precision;

  constructor(
    readonly candidate: DropoutCandidate,
    readonly o: Required<AuditOptions>,
  ) {
    this.caller = new Caller(candidate, o.timeoutMs);
    this.inverted = candidate.convention === 'inverted';
    this.base = key(o.seed);
    this.drawn = drawnRates(o.seed);
    this.frequencyRates = [...FREQUENCY_RATES, ...this.drawn];
    this.expectationRates = [...EXPECTATION_RATES, ...this.drawn.filter((r) => r <= EXPECTATION_MAX)];
    // α split evenly over every statistical test the battery makes
    this.alphaEach = o.alpha / statisticalTests(o.seed);
    this.precision = candidate.precision ?? 'float64';
  }

  /** The values the candidate computes with: x itself, or x rounded to float32. */
  seen(x: Float64Array): Float64Array {
    return this.precision === 'float32' ? toFloat32(x) : x;
  }

  /** How a computed (not copied) output must match: to 4 float64 ulps, or to 4·2^-23 in float32. */
  get close(): 'close' | 'close32' {
    return this.precision === 'float32' ? 'close32' : 'close';
  }

  /** A candidate seed in [0, 2^31), a pure function of the audit seed and a label. */
  seed(label: number): number {
    return Math.floor(uniform(foldIn(this.base, 1_000_000 + label), [1]).data[0] * 2 ** 31);
  }

  /**
   * Inputs of length n: 'stat' has |x| in [0.5, 1.5) with random signs (nonzero, so a zero output
   * means dropped), 'grid' magnitudes spread over 1e-3…1e3, 'unit' values in (−1, 1). Each kind is
   * one long stream and shorter inputs are its prefixes, so a battery draws each value once.
   */
  input(n: number, kind: 'stat' | 'grid' | 'unit', tag = 0): Float64Array {
    const id = `${kind}:${tag}`;
    let x = this.#inputs.get(id);
    if (!x || x.length < n) {
      x = inputValues(float64Data(uniform(foldIn(this.base, tag * 3 + STREAMS[kind]), [n])), kind);
      this.#inputs.set(id, x);
    }
    return x.subarray(0, n);
  }

  /** A forward call, made once per (input, arguments) and shared by the properties that need it. */
  forward(x: Float64Array, tag: string, a: Omit<CallArgs, 'length'>): Promise<Answer> {
    const id = `${tag}|${a.rate}|${a.training}|${a.seed}`;
    let p = this.#answers.get(id);
    if (!p) {
      p = this.caller.forward(x, a);
      this.#answers.set(id, p);
      if (a.training) this.trainingCalls.push({ x, args: a, tag });
    }
    return p;
  }

  /** How evidence names the drawn rates. */
  get drawnText(): string {
    return `drawn ${this.drawn.join(', ')}`;
  }

  /**
   * The exact properties' cases: every grid length at every anchor rate, then at every drawn rate
   * (anchors first, so their case numbers, hence their seeds, do not depend on the drawn rates).
   */
  grid<T>(each: (length: number, rate: number, i: number) => T): T[] {
    const out: T[] = [];
    let i = 0;
    for (const rates of [GRID_RATES, this.drawn])
      for (const length of GRID_LENGTHS) for (const rate of rates) out.push(each(length, rate, i++));
    return out;
  }

  /** Multiplier of a kept element in training. */
  kept(rate: number): number {
    return this.inverted ? 1 / (1 - rate) : 1;
  }

  /** The inference outputs a correct implementation gives for x. */
  inference(x: Float64Array, rate: number): Float64Array {
    return this.inverted ? x : scaled(x, 1 - rate);
  }

  /** The big training sample at `rate` (shared by frequency, expectation and dependence properties). */
  sample(
    rate: number,
    seed = this.seed(0),
  ): { x: Float64Array; answer: Promise<Answer>; args: Omit<CallArgs, 'length'>; n: number } {
    const n = this.sampleSize(rate);
    const x = this.input(n, 'stat');
    const args = { rate, training: true, seed };
    return { x, answer: this.forward(x, `stat:${n}`, args), args, n };
  }

  readonly #sizes = new Map<number, number>();
  sampleSize(rate: number): number {
    let n = this.#sizes.get(rate);
    if (n === undefined) {
      n = 0;
      if (this.frequencyRates.includes(rate)) n = Math.max(n, this.frequency(rate).n);
      if (this.expectationRates.includes(rate)) n = Math.max(n, this.expectation(rate).n);
      if (rate === 0.5) n = Math.max(n, dependenceSize(this.alphaEach, this.o.dependence, this.o.power));
      this.#sizes.set(rate, n);
    }
    return n;
  }

  frequency(rate: number) {
    return frequencyPlan(rate, this.alphaEach, this.o.rateError, this.o.power);
  }

  expectation(rate: number) {
    return expectationPlan(rate, this.alphaEach, this.o.scaleError, this.o.power);
  }
}

export type Check = (b: Battery) => Promise<Omit<PropertyResult, 'id' | 'title'>>;
