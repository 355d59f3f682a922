// The vitest matcher `expect(candidate).toPassDropoutAudit()`: passes a correct candidate, fails a
// broken one with the failing properties and their smallest cases, and works under .not.
import { describe, expect, it } from 'vitest';
import '../../src/testing/vitest.ts';
import { engineCandidate } from '../../src/verify/audit/index.ts';
import clampsRate from '../support/candidates/broken/clamps-rate.ts';
import { QUICK } from '../support/audit-options.ts';

describe('toPassDropoutAudit', () => {
  it('passes the engine’s dropout in both conventions', async () => {
    await expect(engineCandidate('inverted')).toPassDropoutAudit({ alpha: 1e-3, ...QUICK });
    await expect(engineCandidate('scale-at-inference')).toPassDropoutAudit({
      alpha: 1e-3,
      ...QUICK,
    });
  });

  it('fails a broken candidate with a table of the failing properties and their smallest cases', async () => {
    const failure = await expect(clampsRate)
      .toPassDropoutAudit({ alpha: 1e-3, ...QUICK })
      .then(
        () => null,
        (e: Error) => e,
      );
    expect(failure).toBeInstanceOf(Error);
    expect(failure!.message).toMatch(
      /^dropout audit of ".*": \d+ propert(y fails|ies fail) \(seed 20261127, α 0\.001\)/,
    );
    expect(failure!.message).toContain('| property | evidence (smallest failing case) | decided by |');
    expect(failure!.message).toMatch(/rate/);
    await expect(clampsRate).not.toPassDropoutAudit({ alpha: 1e-3, ...QUICK });
  });

  it('under .not, fails for a correct candidate and says every property holds', async () => {
    const failure = await expect(engineCandidate('inverted'))
      .not.toPassDropoutAudit({ alpha: 1e-3, ...QUICK })
      .then(
        () => null,
        (e: Error) => e,
      );
    expect(failure!.message).toMatch(/to fail, but every property holds/);
  });
});
