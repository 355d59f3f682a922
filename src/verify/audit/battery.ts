// The audit battery: every property a dropout implementation must have, each judged through the
// candidate interface only. Exact properties compare each element with the convention's formula
// (tolerating only the rounding of x·(1/keep) against x/keep); statistical ones are exact binomial
// or two-sample Hoeffding tests whose false-failure probabilities add up to at most `alpha`, with
// sample sizes chosen for the stated power. Cases run smallest first, so the first failure found is
// the smallest failing case.
//
// This module lists the properties in the report's order and runs them. Their shared context and types
// are in context.ts, their shared helpers in check-helpers.ts, each check in properties/<id>.ts.
import type { DropoutCandidate } from './candidate.ts';
import { type AuditOptions, type AuditResult, Battery, type Check, type PropertyResult } from './context.ts';
import { inference } from './properties/inference.ts';
import { rateZero } from './properties/rate-zero.ts';
import { trainingValues } from './properties/training-values.ts';
import { reproducible } from './properties/reproducible.ts';
import { vjpMask } from './properties/vjp-mask.ts';
import { vjpFiniteDifferences } from './properties/vjp-finite-differences.ts';
import { invalidRates } from './properties/invalid-rates.ts';
import { rateOne } from './properties/rate-one.ts';
import { nonFinite } from './properties/non-finite-inputs.ts';
import { dropFrequency } from './properties/drop-frequency.ts';
import { expectation } from './properties/expectation.ts';
import { lags } from './properties/independent-neighbours.ts';
import { valueIndependence } from './properties/independent-of-values.ts';
import { seedIndependence } from './properties/independent-seeds.ts';
import { period } from './properties/no-short-period.ts';
import { inputNotMutated } from './properties/input-not-mutated.ts';
import { outputShape } from './properties/output-shape.ts';

export { type Verdict, type FailingCase, type PropertyResult, type AuditOptions, type AuditResult } from './context.ts';
export {
  DEFAULTS,
  FREQUENCY_RATES,
  EXPECTATION_RATES,
  EXPECTATION_MAX,
  DRAWN_RANGES,
  LAGS,
  drawnRates,
} from './context.ts';

/** Runs the grid's training calls, so they precede the statistical samples in `trainingCalls`. */
async function trainingGrid(b: Battery): Promise<void> {
  for (const c of b.grid((length, rate, i) => ({ length, rate, i }))) {
    await b.forward(b.input(c.length, 'grid', 1), `grid:${c.length}:1`, {
      rate: c.rate,
      training: true,
      seed: b.seed(300 + c.i),
    });
  }
}

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
  {
    id: 'vjp-finite-differences',
    title: 'VJP agrees with finite differences',
    check: vjpFiniteDifferences,
    needsVjp: true,
  },
  { id: 'invalid-rates', title: 'Invalid rates throw', check: invalidRates },
  { id: 'rate-one', title: 'Rate 1 gives zeros, never NaN', check: rateOne },
  { id: 'non-finite-inputs', title: 'NaN and ±Infinity do not corrupt other elements', check: nonFinite },
  { id: 'input-not-mutated', title: 'Inputs are not mutated', check: inputNotMutated },
  { id: 'output-shape', title: "Outputs have x's length", check: outputShape },
];

/** Runs the whole battery. The order of calls is fixed, so a result is reproducible from its seed. */
export async function runBattery(candidate: DropoutCandidate, options: Required<AuditOptions>): Promise<AuditResult> {
  const t0 = performance.now();
  const b = new Battery(candidate, options);
  await trainingGrid(b);
  // an undeclared precision is read from the answers: Float32Arrays mean float32 arithmetic
  if (candidate.precision === undefined && b.caller.float32Answers > 0) b.precision = 'float32';
  const results = new Map<string, PropertyResult>();
  // "training values" after every property that makes training calls (vjp-mask's at length 100,000 too); the incident logs are last in the table.
  const order = [
    ...PROPERTIES.filter((p) => p.id !== 'training-values'),
    ...PROPERTIES.filter((p) => p.id === 'training-values'),
  ];
  for (const p of order) {
    if (p.needsVjp && !candidate.vjp) {
      results.set(p.id, {
        id: p.id,
        title: p.title,
        verdict: 'not applicable',
        evidence: 'the candidate has no vjp',
        test: 'exact',
        falseFailure: 0,
        power: '—',
        elements: 0,
      });
      continue;
    }
    results.set(p.id, { id: p.id, title: p.title, ...(await p.check(b)) });
  }
  const properties = PROPERTIES.map((p) => results.get(p.id) as PropertyResult);
  return {
    candidate: candidate.name,
    convention: candidate.convention,
    precision: b.precision,
    ok: properties.every((p) => p.verdict !== 'fail'),
    properties,
    options,
    falseFailure: properties.reduce((s, p) => s + p.falseFailure, 0),
    calls: b.caller.calls,
    elements: b.caller.elements,
    ms: performance.now() - t0,
  };
}
