// The audit battery: every property a dropout implementation must have, each judged through the
// candidate interface only. Exact properties compare each element with the convention's formula
// (tolerating only the rounding of x·(1/keep) against x/keep); statistical ones are exact binomial
// or two-sample Hoeffding tests whose false-failure probabilities add up to at most `alpha`, with
// sample sizes chosen for the stated power. Cases run smallest first, so the first failure found is
// the smallest failing case.
import { float64Data, foldIn, key, uniform } from '../../engine/index.ts';
import { type Answer, type CallArgs, Caller, type DropoutCandidate, describeCall } from './candidate.ts';
import { dependenceSize, expectationAt, expectationPlan, frequencyAt, frequencyPlan, twoSample } from './plan.ts';
import { type Groups, type Match, along, countZeros, directional, firstMismatch, firstNeitherZeroNorScaled, firstRepeat, groups, inputValues, keptSum, lagPairs, masked, scaled, signAndSize, tally, zeroBits } from './scan.ts';

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
  /** …and outputs scaled by 1 ± scaleError… Default 0.01. */
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
  ok: boolean;
  properties: PropertyResult[];
  options: Required<AuditOptions>;
  /** Sum of the properties' false-failure bounds (≤ options.alpha). */
  falseFailure: number;
  calls: number;
  elements: number;
  ms: number;
}

export const DEFAULTS: Required<AuditOptions> = { alpha: 1e-6, seed: 20261127, rateError: 0.01, scaleError: 0.01, dependence: 0.02, power: 0.999, timeoutMs: 30_000 };

export const FREQUENCY_RATES = [0.1, 0.3, 0.5, 0.7, 0.9];
export const EXPECTATION_RATES = [0.1, 0.3, 0.5, 0.7];
export const LAGS = [1, 2, 3, 4, 5, 6, 7, 8, 16, 32, 64];
/** Seed pairs (s, f(s)) whose masks must be independent: neighbours, a high bit, the top bit. */
const SEED_PAIRS: [string, (s: number) => number][] = [
  ['seed + 1', (s) => (s + 1) % 2 ** 31],
  ['seed + 2^16', (s) => (s + 2 ** 16) % 2 ** 31],
  ['seed xor 2^30', (s) => (s ^ 2 ** 30) >>> 0],
];
const WINDOW = 128; // bits compared by the period test
const STATISTICAL = FREQUENCY_RATES.length + EXPECTATION_RATES.length + LAGS.length + 2 + SEED_PAIRS.length + 1;
const GRID_LENGTHS = [1, 2, 3, 4, 5, 8, 17, 64, 1000];
const GRID_RATES = [0.1, 0.25, 0.5, 0.75, 0.9];
const STREAMS = { stat: 0, grid: 1, unit: 2 };
const fmt = (v: number) => (Object.is(v, -0) ? '-0' : String(v));
const count = (n: number) => n.toLocaleString('en-US');

class Battery {
  readonly caller: Caller;
  readonly inverted: boolean;
  readonly alphaEach: number;
  readonly base;
  readonly #inputs = new Map<string, Float64Array>();
  readonly #answers = new Map<string, Promise<Answer>>();
  /** Training calls whose outputs the training-values property checks: grid first, then statistical samples. */
  readonly trainingCalls: { x: Float64Array; args: Omit<CallArgs, 'length'>; tag: string }[] = [];

  constructor(
    readonly candidate: DropoutCandidate,
    readonly o: Required<AuditOptions>,
  ) {
    this.caller = new Caller(candidate, o.timeoutMs);
    this.inverted = candidate.convention === 'inverted';
    this.alphaEach = o.alpha / STATISTICAL;
    this.base = key(o.seed);
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

  /** Multiplier of a kept element in training. */
  kept(rate: number): number {
    return this.inverted ? 1 / (1 - rate) : 1;
  }

  /** The inference outputs a correct implementation gives for x. */
  inference(x: Float64Array, rate: number): Float64Array {
    return this.inverted ? x : scaled(x, 1 - rate);
  }

  /** The big training sample at `rate` (shared by frequency, expectation and dependence properties). */
  sample(rate: number, seed = this.seed(0)): { x: Float64Array; answer: Promise<Answer>; args: Omit<CallArgs, 'length'>; n: number } {
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
      if (FREQUENCY_RATES.includes(rate)) n = Math.max(n, this.frequency(rate).n);
      if (EXPECTATION_RATES.includes(rate)) n = Math.max(n, this.expectation(rate).n);
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

type Check = (b: Battery) => Promise<Omit<PropertyResult, 'id' | 'title'>>;

const exactResult = (elements: number, outcome: string | FailingCase): Omit<PropertyResult, 'id' | 'title'> => ({
  verdict: typeof outcome === 'string' ? 'pass' : 'fail',
  evidence: typeof outcome === 'string' ? outcome : caseText(outcome),
  failingCase: typeof outcome === 'string' ? undefined : outcome,
  test: 'exact',
  falseFailure: 0,
  power: 'certain on the inputs tried',
  elements,
});

const failedCall = (fn: string, x: Float64Array, a: Omit<CallArgs, 'length'>, reason: string, extra: Partial<FailingCase> = {}): FailingCase => ({
  call: describeCall(fn, { ...a, length: x.length }),
  rate: a.rate,
  length: x.length,
  seed: a.seed,
  training: a.training,
  got: reason,
  ...extra,
});

function caseText(c: FailingCase): string {
  if (c.index === undefined) return `${c.call}: ${c.got}`;
  return `${c.call}: at index ${c.index} expected ${c.expected}, got ${c.got}`;
}

/** The first element of a failing answer, or undefined when every element passes. */
function firstBad(y: Float64Array, want: Float64Array, match: Match, skip?: Uint8Array): { index: number; expected: string; got: string } | undefined {
  const i = firstMismatch(y, want, match, skip);
  return i < 0 ? undefined : { index: i, expected: fmt(want[i]), got: fmt(y[i]) };
}

function grid<T>(each: (length: number, rate: number, i: number) => T): T[] {
  const out: T[] = [];
  let i = 0;
  for (const length of GRID_LENGTHS) for (const rate of GRID_RATES) out.push(each(length, rate, i++));
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Exact properties

const inference: Check = async (b) => {
  let elements = 0;
  for (const length of [1, 3, 17, 1000, 100_000]) {
    for (const [j, rate] of [0, 0.1, 0.3, 0.5, 0.7, 0.9].entries()) {
      const x = b.input(length, 'grid', 7);
      const args = { rate, training: false, seed: b.seed(100 + j) };
      const r = await b.forward(x, `grid:${length}:7`, args);
      if (!r.ok) return exactResult(elements, failedCall('forward', x, args, r.reason));
      elements += length;
      const bad = firstBad(r.y, b.inference(x, rate), b.inverted ? 'same' : 'close');
      if (bad) return exactResult(elements, failedCall('forward', x, args, bad.got, bad));
    }
  }
  const rule = b.inverted ? 'x exactly' : 'keep·x (to 4 ulp)';
  return exactResult(elements, `inference output = ${rule} at rates 0…0.9, lengths 1…100,000 (${count(elements)} elements)`);
};

const rateZero: Check = async (b) => {
  let elements = 0;
  for (const [j, length] of [1, 2, 17, 1000, 2 ** 20].entries()) {
    const x = b.input(length, 'stat', 5);
    const args = { rate: 0, training: true, seed: b.seed(200 + j) };
    const r = await b.forward(x, `stat:${length}:5`, args);
    if (!r.ok) return exactResult(elements, failedCall('forward', x, args, r.reason));
    elements += length;
    const bad = firstBad(r.y, x, 'same');
    if (bad) return exactResult(elements, failedCall('forward', x, args, bad.got, bad));
  }
  return exactResult(elements, `training output at rate 0 = x exactly (${count(elements)} elements; a mask drawn as u > rate would drop the u = 0 endpoint)`);
};

/** Runs the grid's training calls, so they precede the statistical samples in `trainingCalls`. */
async function trainingGrid(b: Battery): Promise<void> {
  for (const c of grid((length, rate, i) => ({ length, rate, i }))) {
    await b.forward(b.input(c.length, 'grid', 1), `grid:${c.length}:1`, { rate: c.rate, training: true, seed: b.seed(300 + c.i) });
  }
}

const trainingValues: Check = async (b) => {
  let elements = 0;
  for (const { x, args, tag } of b.trainingCalls) {
    const r = await b.forward(x, tag, args);
    if (!r.ok) continue; // reported by the property that made the call (or "output shape")
    elements += x.length;
    const s = b.kept(args.rate);
    const i = firstNeitherZeroNorScaled(r.y, x, s);
    if (i >= 0) {
      const want = b.inverted ? `0 or x/keep = ${fmt(x[i] * s)}` : `0 or x = ${fmt(x[i])}`;
      return exactResult(elements, failedCall('forward', x, args, fmt(r.y[i]), { index: i, expected: want }));
    }
  }
  const rule = b.inverted ? '0 or x/keep' : '0 or x';
  return exactResult(elements, `every training output is ${rule} (to 4 ulp), ${count(b.trainingCalls.length)} calls, ${count(elements)} elements`);
};

const reproducible: Check = async (b) => {
  let elements = 0;
  for (const [j, length] of [1, 17, 1000, 100_000].entries()) {
    const x = b.input(length, 'stat', 9);
    const args = { rate: 0.3, training: true, seed: b.seed(400 + j) };
    const first = await b.caller.forward(x, args);
    await b.caller.forward(x, { ...args, seed: b.seed(450 + j) }); // another seed in between: no hidden state may carry over
    const again = await b.caller.forward(x, args);
    if (!first.ok) return exactResult(elements, failedCall('forward', x, args, first.reason));
    if (!again.ok) return exactResult(elements, failedCall('forward', x, args, `the repeated call ${again.reason}`));
    elements += length;
    const bad = firstBad(again.y, first.y, 'bits');
    if (bad) return exactResult(elements, failedCall('forward', x, args, `${bad.got} on the repeated call`, { index: bad.index, expected: `${bad.expected} (the first call's value)` }));
    if (b.candidate.vjp) {
      const dy = b.input(length, 'unit', 9);
      const g1 = await b.caller.vjp(x, args, dy);
      const g2 = await b.caller.vjp(x, args, dy);
      if (g1.ok && g2.ok) {
        const badG = firstBad(g2.y, g1.y, 'bits');
        if (badG) return exactResult(elements, failedCall('vjp', x, args, `${badG.got} on the repeated call`, { index: badG.index, expected: `${badG.expected} (the first call's value)` }));
      }
    }
  }
  return exactResult(elements, `same seed, same output bit for bit, with a call of another seed in between (${count(elements)} elements${b.candidate.vjp ? ', forward and vjp' : ''})`);
};

const vjpMask: Check = async (b) => {
  let elements = 0;
  const cases = [...grid((length, rate, i) => ({ length, rate, i })), { length: 100_000, rate: 0.3, i: 99 }];
  for (const c of cases) {
    for (const training of [true, false]) {
      const x = b.input(c.length, 'grid', 1);
      const dy = b.input(c.length, 'unit', 2);
      const args = { rate: c.rate, training, seed: b.seed(300 + c.i) };
      const fwd = await b.forward(x, `grid:${c.length}:1`, args);
      const g = await b.caller.vjp(x, args, dy);
      if (!g.ok) return exactResult(elements, failedCall('vjp', x, args, g.reason));
      if (!fwd.ok) return exactResult(elements, failedCall('forward', x, args, fwd.reason));
      elements += c.length;
      const s = training ? b.kept(c.rate) : b.inverted ? 1 : 1 - c.rate;
      const bad = firstBad(g.y, training ? masked(dy, s, fwd.y) : scaled(dy, s), 'close');
      if (bad) {
        const why = training ? (fwd.y[bad.index] === 0 ? ' (the forward call dropped this element)' : ' (the forward call kept this element)') : '';
        return exactResult(elements, failedCall('vjp', x, args, bad.got, { ...bad, expected: bad.expected + why }));
      }
    }
  }
  const rule = b.inverted ? 'dy ⊙ mask/keep' : 'dy ⊙ mask';
  return exactResult(elements, `vjp = ${rule} with the forward call's mask, and ${b.inverted ? 'dy' : 'keep·dy'} at inference (${count(elements)} elements)`);
};

const vjpFiniteDifferences: Check = async (b) => {
  const h = 1e-3, rtol = 1e-6;
  let elements = 0, worst = 0;
  for (const length of [1, 5, 64, 1000]) {
    for (const [j, rate] of [0.2, 0.5, 0.8].entries()) {
      for (const training of [true, false]) {
        const x = b.input(length, 'stat', 11), u = b.input(length, 'unit', 12), dy = b.input(length, 'unit', 13);
        const args = { rate, training, seed: b.seed(500 + j) };
        const xp = along(x, u, h), xm = along(x, u, -h);
        const [fp, fm, g] = [await b.caller.forward(xp, args), await b.caller.forward(xm, args), await b.caller.vjp(x, args, dy)];
        for (const [r, fn, xx] of [[fp, 'forward', xp], [fm, 'forward', xm], [g, 'vjp', x]] as const) {
          if (!r.ok) return { ...exactResult(elements, failedCall(fn, xx, args, r.reason)), test: `central differences, h ${h}, rtol ${rtol}` };
        }
        if (!fp.ok || !fm.ok || !g.ok) throw new Error('unreachable');
        elements += length;
        const { lhs, rhs, scale } = directional(fp.y, fm.y, h, dy, g.y, u);
        const err = Math.abs(lhs - rhs), tol = rtol * scale + 1e-12;
        worst = Math.max(worst, err / tol);
        if (!(err <= tol)) {
          const c = failedCall('vjp', x, args, `⟨vjp(dy), u⟩ = ${rhs}`, { expected: `⟨dy, (f(x + hu) − f(x − hu))/2h⟩ = ${lhs} (±${tol.toExponential(2)})` });
          return { ...exactResult(elements, c), evidence: `${c.call}: ${c.got}, finite differences give ${c.expected}`, test: `central differences, h ${h}, rtol ${rtol}` };
        }
      }
    }
  }
  return { ...exactResult(elements, `⟨vjp(dy), u⟩ = ⟨dy, central difference along u⟩ within ${rtol} relative (largest error/tolerance ${worst.toExponential(2)}), ${count(elements)} elements`), test: `central differences, h ${h}, rtol ${rtol}` };
};

const invalidRates: Check = async (b) => {
  let tried = 0;
  const x = b.input(8, 'stat', 14);
  for (const rate of [-0.1, -1e-9, 1.5, 1 + 1e-9, 2, NaN, Infinity, -Infinity]) {
    for (const training of [true, false]) {
      const args = { rate, training, seed: b.seed(600) };
      const r = await b.caller.forward(x, args);
      tried++;
      if (r.ok) return exactResult(tried * 8, failedCall('forward', x, args, `[${[...r.y.slice(0, 4)].map(fmt).join(', ')}, …] instead of throwing`, { expected: 'an error' }));
      if (!r.threw) return exactResult(tried * 8, failedCall('forward', x, args, `${r.reason}, instead of throwing`, { expected: 'an error' }));
    }
  }
  return exactResult(tried * 8, `forward throws for rates −0.1, −1e-9, 1.5, 1 + 1e-9, 2, NaN, ±Infinity, in training and at inference (${tried} calls)`);
};

const rateOne: Check = async (b) => {
  let elements = 0, threw = 0, answered = 0;
  for (const [j, length] of [1, 8, 1000].entries()) {
    for (const training of [true, false]) {
      const x = b.input(length, 'stat', 15);
      const args = { rate: 1, training, seed: b.seed(700 + j) };
      const r = await b.caller.forward(x, args);
      if (!r.ok) {
        if (r.threw) {
          threw++;
          continue;
        }
        return exactResult(elements, failedCall('forward', x, args, r.reason));
      }
      answered++;
      elements += length;
      const bad = firstBad(r.y, training ? new Float64Array(length) : b.inference(x, 1), 'equal');
      if (bad) return exactResult(elements, failedCall('forward', x, args, bad.got, bad));
    }
  }
  if (answered === 0) return { ...exactResult(0, 'forward throws at rate 1 (allowed)'), verdict: 'not applicable' };
  const what = threw ? `${answered} calls answered correctly, ${threw} threw (allowed)` : `${answered} calls`;
  return exactResult(elements, `rate 1: training output all zeros, inference ${b.inverted ? 'x' : '0'}, never NaN (${what})`);
};

const nonFinite: Check = async (b) => {
  let elements = 0, refused = 0, planted = 0;
  for (const length of [16, 64, 10_000]) {
    const clean = b.input(length, 'stat', 16);
    const dirty = clean.slice();
    const special = [NaN, Infinity, -Infinity];
    const at: number[] = [];
    for (let i = 3, j = 0; i < length; i += length > 100 ? 97 : 5, j++) {
      dirty[i] = special[j % 3];
      at.push(i);
    }
    const isSpecial = new Uint8Array(length);
    for (const i of at) isSpecial[i] = 1;
    for (const [j, [rate, training]] of ([[0.3, true], [0.5, true], [0.3, false]] as const).entries()) {
      const args = { rate, training, seed: b.seed(800 + j) };
      const ref = await b.caller.forward(clean, args);
      const ref2 = await b.caller.forward(clean, args);
      if (!ref.ok) return exactResult(elements, failedCall('forward', clean, args, ref.reason));
      if (!ref2.ok || firstMismatch(ref2.y, ref.y, 'bits') >= 0) return { ...exactResult(elements, 'cannot be judged: the same call gives different outputs (see "reproducible")'), verdict: 'not judged', power: '—' };
      const r = await b.caller.forward(dirty, args);
      if (!r.ok) {
        if (r.threw) {
          refused++;
          continue;
        }
        return exactResult(elements, failedCall('forward', dirty, args, r.reason));
      }
      elements += length, planted += at.length;
      const bad = firstBad(r.y, ref.y, 'same', isSpecial);
      if (bad) return exactResult(elements, failedCall('forward', dirty, args, bad.got, { index: bad.index, expected: `${bad.expected}, as without the NaN/±Infinity at indices ${at.slice(0, 4).join(', ')}${at.length > 4 ? ', …' : ''}` }));
    }
  }
  const also = refused ? `; ${refused} calls refused non-finite input with an error (allowed)` : '';
  return exactResult(elements, `NaN and ±Infinity in x leave every other element's output unchanged (${count(elements)} elements, ${count(planted)} of them NaN or ±Infinity${also})`);
};

// ---------------------------------------------------------------------------------------------------
// Statistical properties

interface Assertion {
  ok: boolean;
  falseFailure: number;
  power: number;
  text: string;
  failingCase?: FailingCase;
}

function statistical(test: string, effect: string, elements: number, parts: Assertion[], passText: string): Omit<PropertyResult, 'id' | 'title'> {
  const bad = parts.find((p) => !p.ok);
  const falseFailure = parts.reduce((s, p) => s + p.falseFailure, 0);
  const power = Math.min(...parts.map((p) => p.power));
  return {
    verdict: bad ? 'fail' : 'pass',
    evidence: bad ? bad.text : passText,
    failingCase: bad?.failingCase,
    test,
    falseFailure,
    power: `${power >= 1 - 1e-12 ? '> 0.9999' : `≥ ${floor4(power)}`} vs ${effect}`,
    elements,
  };
}

const floor4 = (p: number) => (Math.floor(p * 1e4) / 1e4).toFixed(4);
/** A property decided by one failing assertion (a failed sample call, a repeated pattern): no pass text. */
const failedSample = (test: string, effect: string, elements: number, a: Assertion) => statistical(test, effect, elements, [a], '');
/** A failed sample call as a failing assertion. */
function callFailure(fn: string, x: Float64Array, args: Omit<CallArgs, 'length'>, reason: string, alpha: number): Assertion {
  const c = failedCall(fn, x, args, reason);
  return { ok: false, falseFailure: alpha, power: 1, text: caseText(c), failingCase: c };
}

const dropFrequency: Check = async (b) => {
  const parts: Assertion[] = [];
  let elements = 0;
  for (const rate of FREQUENCY_RATES) {
    const s = b.sample(rate);
    const plan = frequencyAt(s.n, rate, b.alphaEach, b.o.rateError);
    const r = await s.answer;
    if (!r.ok) {
      parts.push(callFailure('forward', s.x, s.args, r.reason, b.alphaEach));
      continue;
    }
    elements += s.n;
    const dropped = countZeros(r.y);
    const ok = plan.lo <= dropped && dropped <= plan.hi;
    const c = failedCall('forward', s.x, s.args, `${count(dropped)} dropped (${(dropped / s.n).toFixed(4)})`, { expected: `a count in [${count(plan.lo)}, ${count(plan.hi)}]` });
    parts.push({ ok, falseFailure: b.alphaEach, power: plan.power, text: `${c.call}: ${c.got}, expected ${c.expected} (exact binomial, α ${b.alphaEach.toExponential(1)})`, failingCase: ok ? undefined : c });
  }
  return statistical('exact binomial, two-sided', `drop rate ± ${b.o.rateError}`, elements, parts, `drop counts within their exact intervals at rates ${FREQUENCY_RATES.join(', ')} (${count(elements)} elements)`);
};

const expectation: Check = async (b) => {
  const parts: Assertion[] = [];
  let elements = 0;
  for (const [j, rate] of EXPECTATION_RATES.entries()) {
    const s = b.sample(rate);
    const plan = expectationAt(s.n, rate, b.alphaEach, b.o.scaleError);
    const infArgs = { ...s.args, training: false, seed: b.seed(900 + j) };
    const [train, inf] = [await s.answer, await b.forward(s.x, `stat:${s.n}`, infArgs)];
    if (!train.ok) {
      parts.push(callFailure('forward', s.x, s.args, train.reason, b.alphaEach));
      continue;
    }
    if (!inf.ok) {
      parts.push(callFailure('forward', s.x, infArgs, inf.reason, b.alphaEach));
      continue;
    }
    elements += s.n;
    const keep = 1 - rate;
    // T = keep·Σ y_i/inf_i (compensated sum); equals the kept count for a correct implementation.
    const { sum: T, broken } = keptSum(train.y, inf.y, keep);
    if (broken >= 0) {
      const c = failedCall('forward', s.x, infArgs, `inference output ${fmt(inf.y[broken])} for x = ${fmt(s.x[broken])}`, { index: broken, expected: 'a finite nonzero inference output to compare the training mean with' });
      parts.push({ ok: false, falseFailure: b.alphaEach, power: 1, text: caseText(c), failingCase: c });
      continue;
    }
    const tol = 1e-12 * s.n + 1e-9;
    const ok = T >= plan.lo - tol && T <= plan.hi + tol;
    const ratio = T / (s.n * keep);
    const c = failedCall('forward', s.x, s.args, `training mean / inference output = ${ratio.toFixed(5)} (keep·Σ y/inference = ${T.toFixed(2)})`, { expected: `within [${(plan.lo / (s.n * keep)).toFixed(5)}, ${(plan.hi / (s.n * keep)).toFixed(5)}]` });
    parts.push({ ok, falseFailure: b.alphaEach, power: plan.power, text: `${c.call}: ${c.got}, expected ${c.expected} (exact binomial on the kept count, α ${b.alphaEach.toExponential(1)})`, failingCase: ok ? undefined : c });
  }
  return statistical('exact binomial on keep·Σ y/inference', `outputs scaled by 1 ± ${b.o.scaleError}`, elements, parts, `mean training output / inference output within its exact interval at rates ${EXPECTATION_RATES.join(', ')} (${count(elements)} elements)`);
};

/** Two-sample Hoeffding test that P(drop | group A) = P(drop | group B). */
function twoSampleAssertion(b: Battery, label: string, g: Groups, names: [string, string], base: FailingCase): Assertion {
  const { nA, eA, nB, eB } = g;
  const { radius, power } = twoSample(nA, nB, b.alphaEach, b.o.dependence);
  const pA = nA ? eA / nA : NaN, pB = nB ? eB / nB : NaN;
  const diff = pA - pB;
  const ok = Math.abs(diff) < radius; // false for NaN: an empty group fails
  const got = `P(drop | ${names[0]}) = ${pA.toFixed(4)} (n ${count(nA)}) vs P(drop | ${names[1]}) = ${pB.toFixed(4)} (n ${count(nB)})`;
  const c: FailingCase = { ...base, got, expected: nA && nB ? `a difference below ${radius.toFixed(4)}` : 'both groups non-empty' };
  return { ok, falseFailure: b.alphaEach, power, text: `${label}: ${got}, difference ${Number.isNaN(diff) ? 'undefined' : diff.toFixed(4)} (Hoeffding radius ${radius.toFixed(4)} at α ${b.alphaEach.toExponential(1)})`, failingCase: ok ? undefined : c };
}

const lags: Check = async (b) => {
  const s = b.sample(0.5), effect = `a difference of ${b.o.dependence} in drop probability`;
  const r = await s.answer;
  if (!r.ok) return failedSample('Hoeffding (two-sample)', effect, 0, callFailure('forward', s.x, s.args, r.reason, b.alphaEach * LAGS.length));
  const d = zeroBits(r.y);
  const base = failedCall('forward', s.x, s.args, '');
  const parts = LAGS.map((L) => twoSampleAssertion(b, `lag ${L}`, lagPairs(d, L), [`element i − ${L} dropped`, `element i − ${L} kept`], base));
  return statistical('Hoeffding (two-sample)', effect, s.n, parts, `no dependence between elements at lags ${LAGS.join(', ')} (rate 0.5, ${count(s.n)} elements, disjoint pairs)`);
};

const valueIndependence: Check = async (b) => {
  const s = b.sample(0.5), effect = `a difference of ${b.o.dependence} in drop probability`;
  const r = await s.answer;
  if (!r.ok) return failedSample('Hoeffding (two-sample)', effect, 0, callFailure('forward', s.x, s.args, r.reason, b.alphaEach * 2));
  const d = zeroBits(r.y);
  const base = failedCall('forward', s.x, s.args, '');
  const { positive, large } = signAndSize(s.x);
  const sign = tally(groups(), positive, d, 0, d.length, 0), magnitude = tally(groups(), large, d, 0, d.length, 0);
  const parts = [twoSampleAssertion(b, 'sign', sign, ['x > 0', 'x < 0'], base), twoSampleAssertion(b, 'magnitude', magnitude, ['|x| ≥ 1', '|x| < 1'], base)];
  return statistical('Hoeffding (two-sample)', effect, s.n, parts, `drops independent of x's sign and magnitude (rate 0.5, ${count(s.n)} elements)`);
};

const seedIndependence: Check = async (b) => {
  const s = b.sample(0.5), effect = `a difference of ${b.o.dependence} in drop probability`;
  const r = await s.answer;
  const parts: Assertion[] = [];
  for (const [label, other] of SEED_PAIRS) {
    const t = b.sample(0.5, other(s.args.seed));
    const q = await t.answer;
    if (!r.ok || !q.ok) {
      parts.push(callFailure('forward', s.x, r.ok ? t.args : s.args, r.ok ? (q as { reason: string }).reason : r.reason, b.alphaEach));
      continue;
    }
    const d = zeroBits(r.y), e = zeroBits(q.y);
    const base = failedCall('forward', t.x, t.args, '');
    const g = tally(groups(), d, e, 0, d.length, 0);
    parts.push(twoSampleAssertion(b, `seeds ${s.args.seed} and ${t.args.seed} (${label})`, g, [`dropped under seed ${s.args.seed}`, `kept under seed ${s.args.seed}`], base));
  }
  return statistical('Hoeffding (two-sample)', effect, s.n * (1 + SEED_PAIRS.length), parts, `masks of seed s independent of seeds s + 1, s + 2^16, s xor 2^30 (rate 0.5, ${count(s.n)} elements each)`);
};

const period: Check = async (b) => {
  const s = b.sample(0.5);
  const r = await s.answer;
  if (!r.ok) return failedSample('union bound', 'a period < length − 128', 0, callFailure('forward', s.x, s.args, r.reason, b.alphaEach));
  const d = zeroBits(r.y);
  const n = d.length - WINDOW + 1; // windows in the sample: ≥ 897, as dependence samples are multiples of 1,024
  // P(two given 128-bit windows of fair independent bits are equal) = 2^-128, even when they overlap.
  const bound = Math.min(b.alphaEach, ((n * (n - 1)) / 2) * 2 ** -WINDOW);
  const repeat = firstRepeat(d, WINDOW);
  if (repeat) {
    const { at: i, earlier: j } = repeat;
    const c = failedCall('forward', s.x, s.args, `the drop pattern of elements ${i}…${i + WINDOW - 1} repeats that of ${j}…${j + WINDOW - 1} (period ${i - j}?)`, { index: i, expected: 'no repeated 128-element pattern' });
    return failedSample('union bound', 'a period < length − 128', s.n, { ok: false, falseFailure: bound, power: 1, text: caseText(c), failingCase: c });
  }
  return statistical('union bound', `any period < ${count(n)}`, s.n, [{ ok: true, falseFailure: bound, power: 1, text: '' }], `no 128-element drop pattern occurs twice in ${count(s.n)} elements at rate 0.5 (P ≤ ${bound.toExponential(1)} for a correct implementation)`);
};


// ---------------------------------------------------------------------------------------------------
// The battery, in the order of the report

interface Property {
  id: string;
  title: string;
  check: Check;
  needsVjp?: boolean;
}

export const PROPERTIES: readonly Property[] = [
  { id: 'inference', title: 'Inference output per the declared convention', check: inference },
  { id: 'rate-zero', title: 'Rate 0 is the exact identity', check: rateZero },
  { id: 'drop-frequency', title: 'Drop frequency matches rate', check: dropFrequency },
  { id: 'expectation', title: 'Training mean matches the inference output', check: expectation },
  { id: 'independent-neighbours', title: 'No correlation between neighbouring elements', check: lags },
  { id: 'independent-of-values', title: "Drops independent of x's sign and magnitude", check: valueIndependence },
  { id: 'independent-seeds', title: 'Different seeds give independent masks', check: seedIndependence },
  { id: 'no-short-period', title: 'No repeating mask pattern along the array', check: period },
  { id: 'training-values', title: 'Training outputs are 0 or the kept value', check: trainingValues },
  { id: 'reproducible', title: 'Same seed reproduces the output', check: reproducible },
  { id: 'vjp-mask', title: "VJP uses the forward call's mask", check: vjpMask, needsVjp: true },
  { id: 'vjp-finite-differences', title: 'VJP agrees with finite differences', check: vjpFiniteDifferences, needsVjp: true },
  { id: 'invalid-rates', title: 'Invalid rates throw', check: invalidRates },
  { id: 'rate-one', title: 'Rate 1 gives zeros, never NaN', check: rateOne },
  { id: 'non-finite-inputs', title: 'NaN and ±Infinity do not corrupt other elements', check: nonFinite },
  { id: 'input-not-mutated', title: 'Inputs are not mutated', check: async (b) => incidents(b.caller.mutations, b.caller.calls, 'no call changed x or dy') },
  { id: 'output-shape', title: "Outputs have x's length", check: async (b) => incidents(b.caller.malformed, b.caller.calls, "every answer was an array of numbers of x's length") },
];

function incidents(list: { call: string; detail: string }[], calls: number, passText: string): Omit<PropertyResult, 'id' | 'title'> {
  const first = list[0];
  return {
    verdict: first ? 'fail' : 'pass',
    evidence: first ? `${first.call}: ${first.detail}${list.length > 1 ? ` (and ${list.length - 1} more calls)` : ''}` : `${passText} (${count(calls)} calls)`,
    test: 'exact',
    falseFailure: 0,
    power: 'certain on the calls made',
    elements: 0,
  };
}

/** Runs the whole battery. The order of calls is fixed, so a result is reproducible from its seed. */
export async function runBattery(candidate: DropoutCandidate, options: Required<AuditOptions>): Promise<AuditResult> {
  const t0 = performance.now();
  const b = new Battery(candidate, options);
  await trainingGrid(b);
  const results = new Map<string, PropertyResult>();
  // "training values" after every property that makes training calls (vjp-mask's at length 100,000 too); the incident logs are last in the table.
  const order = [...PROPERTIES.filter((p) => p.id !== 'training-values'), ...PROPERTIES.filter((p) => p.id === 'training-values')];
  for (const p of order) {
    if (p.needsVjp && !candidate.vjp) {
      results.set(p.id, { id: p.id, title: p.title, verdict: 'not applicable', evidence: 'the candidate has no vjp', test: 'exact', falseFailure: 0, power: '—', elements: 0 });
      continue;
    }
    results.set(p.id, { id: p.id, title: p.title, ...(await p.check(b)) });
  }
  const properties = PROPERTIES.map((p) => results.get(p.id) as PropertyResult);
  return {
    candidate: candidate.name,
    convention: candidate.convention,
    ok: properties.every((p) => p.verdict !== 'fail'),
    properties,
    options,
    falseFailure: properties.reduce((s, p) => s + p.falseFailure, 0),
    calls: b.caller.calls,
    elements: b.caller.elements,
    ms: performance.now() - t0,
  };
}
