// The audit's options and sample-size plans: options are validated and defaulted; each plan has its
// false-failure probability and power, and is near the smallest sample that does.
import { describe, expect, it } from 'vitest';
import { auditDropout, resolveOptions } from '../src/verify/audit/index.ts';
import { dependenceSize, expectationPlan, frequencyAt, frequencyPlan, twoSample } from '../src/verify/audit/plan.ts';
import inverted from './candidates/correct/inverted.ts';

describe('options', () => {
  it('must be an object', () => {
    expect(() => resolveOptions(5 as never)).toThrow(/expected options to be an object, got 5/);
  });
  it('a test that no sample size can power is refused', async () => {
    expect(() => frequencyPlan(0.5, 1e-8, 1e-5, 0.999)).toThrow(/no sample size up to 67108864 reaches power 0\.999/);
    await expect(auditDropout(inverted, { rateError: 1e-5 })).rejects.toThrow(/larger effect or a larger alpha/);
  });
  it('defaults', () => {
    expect(resolveOptions()).toEqual({ alpha: 1e-6, seed: 20261127, rateError: 0.01, scaleError: 0.01, dependence: 0.02, power: 0.999, timeoutMs: 30000 });
    expect(resolveOptions({ seed: 3, alpha: undefined }).seed).toBe(3);
  });
  it.each([
    [{ p: 0.5 }, /unknown option "p"; expected one of alpha, seed/],
    [{ alpha: 0 }, /expected option alpha to be a probability in \(0, 1\), got 0/],
    [{ seed: -1 }, /expected option seed to be a non-negative integer, got -1/],
    [{ seed: 1.5 }, /option seed/],
    [{ power: 1 }, /option power/],
    [{ timeoutMs: '5' }, /expected option timeoutMs to be a positive number of milliseconds, got "5"/],
    [{ rateError: 0 }, /option rateError to be a number in \(0, 1\)/],
    [{ scaleError: 1 }, /option scaleError to be a number in \(0, 1\)/],
    [{ dependence: 1.5 }, /option dependence to be a number in \(0, 1\]/],
  ])('refuses %o', (o, message) => {
    expect(() => resolveOptions(o as never)).toThrow(message);
  });
});

describe('sample-size plans', () => {
  it('the frequency test has false-failure ≤ α and power ≥ 0.999 against ± 0.01, and is near the smallest such n', () => {
    for (const rate of [0.1, 0.5, 0.9]) {
      const p = frequencyPlan(rate, 4e-8, 0.01, 0.999);
      expect(p.falseFailure).toBeLessThanOrEqual(4e-8);
      expect(p.power).toBeGreaterThanOrEqual(0.999);
      expect(frequencyAt(Math.floor(p.n * 0.97), rate, 4e-8, 0.01).power).toBeLessThan(0.999);
    }
  });

  it('the expectation test: power ≥ 0.999 against outputs scaled by 1 ± 1%', () => {
    const p = expectationPlan(0.5, 4e-8, 0.01, 0.999);
    expect(p.power).toBeGreaterThanOrEqual(0.999);
    expect(p.n).toBeGreaterThan(500_000);
    expect(p.n).toBeLessThan(1_500_000);
  });

  it('two-sample Hoeffding: radius sqrt(ln(2/α)(1/nA + 1/nB)/2); power 0 inside the radius', () => {
    const { radius } = twoSample(1000, 3000, 1e-6, 0.5);
    expect(radius).toBeCloseTo(Math.sqrt((Math.log(2e6) * (1 / 1000 + 1 / 3000)) / 2), 12);
    expect(twoSample(1000, 1000, 1e-6, 0.01).power).toBe(0);
    expect(twoSample(0, 10, 1e-6, 0.5)).toEqual({ radius: Infinity, power: 0 });
  });

  it('the dependence sample reaches the power with groups 2% below their expected size', () => {
    const n = dependenceSize(4e-8, 0.02, 0.999);
    const g = Math.floor((n / 4) * 0.98);
    expect(twoSample(g, g, 4e-8, 0.02).power).toBeGreaterThanOrEqual(0.999);
    expect(twoSample(Math.floor(n / 8), Math.floor(n / 8), 4e-8, 0.02).power).toBeLessThan(0.999);
  });
});
