// The audit's result as people read it (a markdown table) and as programs read it (JSON).
import type { AuditResult, PropertyResult } from './battery.ts';
import { describeValue } from '../../engine/index.ts';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const MARK: Record<PropertyResult['verdict'], string> = {
  pass: 'pass',
  fail: '**FAIL**',
  'not applicable': 'n/a',
  'not judged': 'not judged',
};

const bound = (p: number) => (p === 0 ? '0 (deterministic)' : `≤ ${p.toExponential(1)}`);

function checkResult(r: unknown, op: string): void {
  if (
    r === null ||
    typeof r !== 'object' ||
    !Array.isArray((r as AuditResult).properties) ||
    typeof (r as AuditResult).options !== 'object'
  ) {
    throw new TypeError(`${op}: expected the result of auditDropout, got ${describeValue(r)}`);
  }
}

/**
 * The report: verdict line, the table (property, verdict, evidence, test, false-failure bound,
 * power), settings and how to rerun. `timing: false` leaves out the wall time, so the same seed gives
 * the same text byte for byte.
 */
export function formatMarkdown(
  r: AuditResult,
  rerun?: string,
  { timing = true, heading = '#' }: { timing?: boolean; heading?: string } = {},
): string {
  checkResult(r, 'formatMarkdown');
  const failed = r.properties.filter((p) => p.verdict === 'fail');
  const judged = r.properties.filter((p) => p.verdict === 'pass' || p.verdict === 'fail').length;
  const head = failed.length
    ? `**FAIL**: ${failed.length} of ${judged} properties fail (${failed.map((p) => p.id).join(', ')}).`
    : `**PASS**: all ${judged} properties that apply hold.`;
  const rows = r.properties.map((p) => {
    const na = p.verdict === 'not applicable';
    return `| ${p.id}: ${cell(p.title)} | ${MARK[p.verdict]} | ${cell(p.evidence)} | ${na ? '—' : cell(p.test)} | ${na ? '—' : bound(p.falseFailure)} | ${na ? '—' : cell(p.power)} |`;
  });
  const o = r.options;
  return [
    `${heading} Dropout audit: ${r.candidate} (${r.convention}, ${r.precision ?? 'float64'} arithmetic)`,
    '',
    head,
    '',
    '| property | verdict | evidence | test | false-failure bound | power |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    `A correct implementation fails this audit with probability at most ${r.falseFailure.toExponential(2)} (the sum of the bounds above; α = ${o.alpha} split over the statistical tests). ` +
      `Power: each statistical test detects a drop-rate error of ${o.rateError}, outputs scaled by 1 ± ${o.scaleError}, or a dependence of ${o.dependence} in drop probability with at least the probability shown (target ${o.power}).`,
    '',
    `Seed ${o.seed}; ${r.calls.toLocaleString('en-US')} calls, ${r.elements.toLocaleString('en-US')} elements${timing ? `, ${(r.ms / 1000).toFixed(1)} s` : ''}.${rerun ? ` Rerun: \`${rerun}\`` : ''}`,
    '',
  ].join('\n');
}

/** The audit result as indented JSON (the same data `--json` prints). Throws when r is not an audit result. */
export function formatJson(r: AuditResult): string {
  checkResult(r, 'formatJson');
  return JSON.stringify(r, null, 2) + '\n';
}
