import { describe, expect, it } from 'vitest';
import { checkDropoutOp, checkNetworkGradients } from '../src/verify/selfcheck.ts';

describe('self-check used by npm start', () => {
  it('finds no mismatch in the dropout op (D-FWD, D-BWD) at any rate or convention', () => {
    const cases = checkDropoutOp(5, [0, 0.3, 1], 500);
    expect(cases).toHaveLength(6);
    for (const c of cases) expect([c.forwardMismatches, c.backwardMismatches, c.inferenceMismatches]).toEqual([0, 0, 0]);
  });

  it('passes the gradient checks on its dropout networks (G-FD, G-ADJ)', () => {
    const cases = checkNetworkGradients(5);
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) {
      expect(c.ok).toBe(true);
      expect(c.maxAbsError).toBeLessThan(1e-5);
      expect(c.adjointError).toBeLessThanOrEqual(c.adjointTolerance);
    }
  });
});
