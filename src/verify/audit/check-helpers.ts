// What the audit's property checks share: numbers as the evidence shows them, the failing case and
// its one line, the result of an exact property, of a statistical one (its assertions' false-failure
// bounds added up, its power the smallest of theirs) and of an incident log, the two-sample Hoeffding
// assertion of the independence properties, and the grid of lengths and rates.
import { type CallArgs, describeCall } from './candidate.ts';
import { type Battery, type FailingCase, type PropertyResult } from './context.ts';
import { twoSample } from './plan.ts';
import { type Groups, type Match, firstMismatch } from './scan.ts';

export const formatNumber = (v: number) => (Object.is(v, -0) ? '-0' : String(v));
export const count = (n: number) => n.toLocaleString('en-US');

export const exactResult = (elements: number, outcome: string | FailingCase): Omit<PropertyResult, 'id' | 'title'> => ({
  verdict: typeof outcome === 'string' ? 'pass' : 'fail',
  evidence: typeof outcome === 'string' ? outcome : caseText(outcome),
  failingCase: typeof outcome === 'string' ? undefined : outcome,
  test: 'exact',
  falseFailure: 0,
  power: 'certain on the inputs tried',
  elements,
});

export const failedCall = (
  fn: string,
  x: Float64Array,
  a: Omit<CallArgs, 'length'>,
  reason: string,
  extra: Partial<FailingCase> = {},
): FailingCase => ({
  call: describeCall(fn, { ...a, length: x.length }),
  rate: a.rate,
  length: x.length,
  seed: a.seed,
  training: a.training,
  got: reason,
  ...extra,
});

export function caseText(c: FailingCase): string {
  if (c.index === undefined) return `${c.call}: ${c.got}`;
  return `${c.call}: at index ${c.index} expected ${c.expected}, got ${c.got}`;
}

/** The first element of a failing answer, or undefined when every element passes. */
export function firstBad(
  y: Float64Array,
  want: Float64Array,
  match: Match,
  skip?: Uint8Array,
): { index: number; expected: string; got: string } | undefined {
  const i = firstMismatch(y, want, match, skip);
  return i < 0 ? undefined : { index: i, expected: formatNumber(want[i]), got: formatNumber(y[i]) };
}

export interface Assertion {
  ok: boolean;
  falseFailure: number;
  power: number;
  text: string;
  failingCase?: FailingCase;
}

export function statistical(
  test: string,
  effect: string,
  elements: number,
  parts: Assertion[],
  passText: string,
): Omit<PropertyResult, 'id' | 'title'> {
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
export const failedSample = (test: string, effect: string, elements: number, a: Assertion) =>
  statistical(test, effect, elements, [a], '');
/** A failed sample call as a failing assertion. */
export function callFailure(
  fn: string,
  x: Float64Array,
  args: Omit<CallArgs, 'length'>,
  reason: string,
  alpha: number,
): Assertion {
  const c = failedCall(fn, x, args, reason);
  return { ok: false, falseFailure: alpha, power: 1, text: caseText(c), failingCase: c };
}

/** Two-sample Hoeffding test that P(drop | group A) = P(drop | group B). */
export function twoSampleAssertion(
  b: Battery,
  label: string,
  g: Groups,
  names: [string, string],
  base: FailingCase,
): Assertion {
  const { nA, eA, nB, eB } = g;
  const { radius, power } = twoSample(nA, nB, b.alphaEach, b.o.dependence);
  const pA = nA ? eA / nA : NaN,
    pB = nB ? eB / nB : NaN;
  const diff = pA - pB;
  const ok = Math.abs(diff) < radius; // false for NaN: an empty group fails
  const got = `P(drop | ${names[0]}) = ${pA.toFixed(4)} (n ${count(nA)}) vs P(drop | ${names[1]}) = ${pB.toFixed(4)} (n ${count(nB)})`;
  const c: FailingCase = {
    ...base,
    got,
    expected: nA && nB ? `a difference below ${radius.toFixed(4)}` : 'both groups non-empty',
  };
  return {
    ok,
    falseFailure: b.alphaEach,
    power,
    text: `${label}: ${got}, difference ${Number.isNaN(diff) ? 'undefined' : diff.toFixed(4)} (Hoeffding radius ${radius.toFixed(4)} at α ${b.alphaEach.toExponential(1)})`,
    failingCase: ok ? undefined : c,
  };
}

export function incidents(
  list: { call: string; detail: string }[],
  calls: number,
  passText: string,
): Omit<PropertyResult, 'id' | 'title'> {
  const first = list[0];
  return {
    verdict: first ? 'fail' : 'pass',
    evidence: first
      ? `${first.call}: ${first.detail}${list.length > 1 ? ` (and ${list.length - 1} more calls)` : ''}`
      : `${passText} (${count(calls)} calls)`,
    test: 'exact',
    falseFailure: 0,
    power: 'certain on the calls made',
    elements: 0,
  };
}
