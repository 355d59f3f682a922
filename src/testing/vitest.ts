// A vitest matcher for dropout implementations: `import 'dropcheck/vitest'`, then
//   await expect(candidate).toPassDropoutAudit({ alpha: 1e-6 });
// runs the audit battery on the candidate and, when a property fails, fails the test with the
// failing properties and their smallest failing cases.
import { expect } from 'vitest';
import { type AuditOptions, type AuditResult, auditDropout } from '../verify/audit/index.ts';

/** The failing properties as a markdown table: property, evidence (the smallest failing case), how it was decided. */
export function failureTable(result: AuditResult): string {
  const failed = result.properties.filter((p) => p.verdict === 'fail');
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    '| property | evidence (smallest failing case) | decided by |',
    '|---|---|---|',
    ...failed.map((p) => `| ${p.id}: ${cell(p.title)} | ${cell(p.evidence)} | ${cell(p.test)} |`),
  ].join('\n');
}

expect.extend({
  async toPassDropoutAudit(received: unknown, options?: AuditOptions) {
    const result = await auditDropout(received as never, options);
    const failed = result.properties.filter((p) => p.verdict === 'fail').length;
    return {
      pass: result.ok,
      message: () =>
        result.ok
          ? `expected the dropout audit of "${result.candidate}" to fail, but every property holds (seed ${result.options.seed})`
          : `dropout audit of "${result.candidate}": ${failed} propert${failed === 1 ? 'y fails' : 'ies fail'} (seed ${result.options.seed}, α ${result.options.alpha})\n\n${failureTable(result)}`,
    };
  },
});

declare module 'vitest' {
  interface Assertion<T = any> {
    /** Runs the dropout audit on the candidate; fails with the failing properties and their smallest cases. Await it. */
    toPassDropoutAudit(options?: AuditOptions): Promise<void>;
  }
  interface AsymmetricMatchersContaining {
    toPassDropoutAudit(options?: AuditOptions): void;
  }
}
