// Auditing a dropout implementation: `await auditDropout(candidate)` runs the battery and returns
// every property's verdict with its evidence, false-failure bound and power; `assertDropout` throws
// with the table when any property fails (for a user's own test suite).
import { type AuditOptions, type AuditResult, DEFAULTS, runBattery } from './battery.ts';
import { type DropoutCandidate, checkCandidate } from './candidate.ts';
import { formatMarkdown } from './format.ts';

export {
  type AuditOptions,
  type AuditResult,
  type PropertyResult,
  type FailingCase,
  type Verdict,
  PROPERTIES,
} from './battery.ts';
export { type DropoutCandidate, CandidateError, WHEN_READY, checkCandidate } from './candidate.ts';
export { formatMarkdown, formatJson } from './format.ts';
export { engineCandidate } from './engine-candidate.ts';
export { loadExec } from './exec.ts';

const OPTION_CHECKS: Record<keyof AuditOptions, [(v: number) => boolean, string]> = {
  alpha: [(v) => v > 0 && v < 1, 'a probability in (0, 1)'],
  seed: [(v) => Number.isSafeInteger(v) && v >= 0, 'a non-negative integer'],
  rateError: [(v) => v > 0 && v < 1, 'a number in (0, 1)'],
  scaleError: [(v) => v > 0 && v < 1, 'a number in (0, 1)'],
  dependence: [(v) => v > 0 && v <= 1, 'a number in (0, 1]'],
  power: [(v) => v > 0 && v < 1, 'a probability in (0, 1)'],
  timeoutMs: [(v) => v > 0 && v <= 2 ** 31 - 1, 'a positive number of milliseconds'],
};

/** The options with defaults filled in; throws a RangeError naming any option that is unknown or out of range. */
export function resolveOptions(options: AuditOptions = {}): Required<AuditOptions> {
  if (options === null || typeof options !== 'object')
    throw new TypeError(`auditDropout: expected options to be an object, got ${String(options)}`);
  for (const [k, v] of Object.entries(options)) {
    const check = OPTION_CHECKS[k as keyof AuditOptions];
    if (!check)
      throw new RangeError(
        `auditDropout: unknown option "${k}"; expected one of ${Object.keys(OPTION_CHECKS).join(', ')}`,
      );
    if (v === undefined) continue;
    if (typeof v !== 'number' || !check[0](v))
      throw new RangeError(
        `auditDropout: expected option ${k} to be ${check[1]}, got ${JSON.stringify(v) ?? String(v)}`,
      );
  }
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  return { ...DEFAULTS, ...defined };
}

/**
 * Audits a dropout implementation: runs every property of the battery (exact checks of inference,
 * rate 0 and 1, kept values, the backward mask, input handling; statistical checks of the drop
 * frequency, the expectation, independence and reproducibility) and returns a verdict per property.
 * The statistical properties share the false-failure budget `alpha`; each is sized for `power`
 * against the stated effect (`rateError`, `scaleError`, `dependence`).
 *
 * @param candidate - `{ name, convention, forward, vjp? }` (see {@link DropoutCandidate}); calls may be async.
 * @param options - `alpha` (default 1e-6), `seed` (default 20261127), `power` (0.999), `rateError`
 *   (0.01), `scaleError` (0.01), `dependence` (0.02), `timeoutMs` per call (30,000).
 * @returns an {@link AuditResult}: `ok`, one result per property (verdict, evidence naming the call that
 *   shows a failure), the false-failure bound spent, the calls and elements used, the time taken.
 *   The same candidate, options and seed give the same result.
 * @throws CandidateError when `candidate` does not offer the interface; RangeError or TypeError for an
 *   unknown or out-of-range option. A failing property never throws (see {@link assertDropout}).
 * @example
 * const result = await auditDropout(myDropout, { seed: 1 });
 * if (!result.ok) console.log(formatMarkdown(result));
 */
export async function auditDropout(candidate: DropoutCandidate, options: AuditOptions = {}): Promise<AuditResult> {
  const c = checkCandidate(candidate);
  return runBattery(c, resolveOptions(options));
}

/** As auditDropout, but throws an Error whose message is the markdown table when any property fails. */
export async function assertDropout(candidate: DropoutCandidate, options: AuditOptions = {}): Promise<AuditResult> {
  const result = await auditDropout(candidate, options);
  if (!result.ok) throw new Error(`dropout audit of "${result.candidate}" failed:\n\n${formatMarkdown(result)}`);
  return result;
}
