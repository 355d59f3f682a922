import { describe, expect, it } from 'vitest';
import { add, bernoulli, dropout, foldIn, key, mul, sub, tensor, float64Data } from '../../src/index.ts';
import { checkDropoutOp, checkNetworkGradients } from '../../src/verify/selfcheck.ts';

describe('self-check used by npm start', () => {
  it('finds no mismatch in the dropout op (D-FWD, D-BWD) at any rate or convention', () => {
    const cases = checkDropoutOp(5, [0, 0.3, 1], 500);
    expect(cases).toHaveLength(6);
    for (const c of cases)
      expect([c.forwardMismatches, c.backwardMismatches, c.inferenceMismatches]).toEqual([0, 0, 0]);
  });

  // an op with dropout's signature and one fault: the counts are those of its wrong elements
  const kept = (seed: number, rate: number, n: number) => {
    const base = key(seed),
      k = foldIn(base, 100); // the key checkDropoutOp uses for the first rate
    return float64Data(bernoulli(k, 1 - rate, [n])).reduce((s, r) => s + r, 0);
  };
  it.each([
    [
      'kept values scaled by 1.5 in training',
      ((k, x, o) => (o?.training ? mul(dropout(k, x, o), 1.5) : dropout(k, x, o))) as typeof dropout,
      'kept',
      'kept',
      0,
    ],
    [
      'a gradient with 0.5 added (the forward untouched)',
      ((k, x, o) => add(dropout(k, x, o), mul(sub(x, tensor(x.data.slice(), x.shape)), 0.5))) as typeof dropout,
      0,
      'all',
      0,
    ],
    [
      'inference scaled by 0.9',
      ((k, x, o) => (o?.training ? dropout(k, x, o) : mul(dropout(k, x, o), 0.9))) as typeof dropout,
      0,
      0,
      'all',
    ],
  ] as const)('counts the mismatches of another op: %s', (_, op, fwd, bwd, inf) => {
    const n = 300,
      want = (c: number | string) => (c === 'kept' ? kept(5, 0.3, n) : c === 'all' ? n : c);
    const cases = checkDropoutOp(5, [0.3], n, op);
    expect(cases.map((c) => c.convention)).toEqual(['inverted', 'scale-at-inference']);
    for (const c of cases)
      expect([c.forwardMismatches, c.backwardMismatches, c.inferenceMismatches], c.convention).toEqual([
        want(fwd),
        want(bwd),
        want(inf),
      ]);
  });

  it('passes the gradient checks on its dropout networks (G-FD, G-ADJ)', () => {
    const cases = checkNetworkGradients(5);
    // each network named with its widths, activation, rates and convention, and its parameter count
    expect(cases.map((c) => [c.network, c.parameters])).toEqual([
      ['3-4-2 relu, rates 0.2/0.5, inverted', 3 * 4 + 4 + 4 * 2 + 2],
      ['4-5-3-3 tanh, rates 0.1/0.3, inverted', 4 * 5 + 5 + 5 * 3 + 3 + 3 * 3 + 3],
      ['2-6-6-2 sigmoid, rates 0/0.7, scale-at-inference', 2 * 6 + 6 + 6 * 6 + 6 + 6 * 2 + 2],
      ['5-3-4 linear, rates 0.4/0.25, scale-at-inference', 5 * 3 + 3 + 3 * 4 + 4],
    ]);
    for (const c of cases) {
      expect(c.ok).toBe(true);
      expect(c.maxAbsError).toBeLessThan(1e-8);
      expect(c.maxRatio).toBeLessThanOrEqual(1);
      // tight enough that a backward rule off by 1e-6 relative would show: the median bound is far below 1e-6
      expect(c.medianRelativeTolerance).toBeLessThan(1e-7);
      expect(c.adjointError).toBeLessThanOrEqual(c.adjointTolerance);
      // the adjoint is held to rounding, not to a finite-difference allowance
      expect(c.adjointTolerance).toBeLessThan(1e-12);
      // the masks were on: the loss checked is not the loss without dropout
      expect(Number.isFinite(c.loss) && Number.isFinite(c.inferenceLoss)).toBe(true);
      expect(c.loss, c.network).not.toBe(c.inferenceLoss);
    }
  });
});
