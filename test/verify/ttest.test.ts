// The Student-t statistics the experiments decide with (src/verify/ttest.ts), against published
// tables and R's power.t.test.
import { describe, expect, it } from 'vitest';
import { normalCdf, powerPositive, sampleMean, sampleSd, t975, tInterval } from '../../src/index.ts';

describe('t statistics', () => {
  it('quantiles match the t table, and the large-df expansion approaches 1.96', () => {
    expect(t975(1)).toBe(12.706);
    expect(t975(4)).toBe(2.776);
    expect(t975(30)).toBe(2.042);
    expect(t975(1000)).toBeCloseTo(1.9624, 3);
    expect(t975(0)).toBe(Infinity);
  });

  it('the interval is mean ± t·sd/√n, unbounded for one value', () => {
    const ci = tInterval([1, 2, 3]);
    expect(ci.mean).toBe(2);
    expect(ci.sd).toBe(1);
    expect(ci.lo).toBeCloseTo(2 - 4.303 / Math.sqrt(3), 12);
    expect(ci.hi).toBeCloseTo(2 + 4.303 / Math.sqrt(3), 12);
    expect(tInterval([1]).hi).toBe(Infinity);
    expect(sampleSd([5])).toBeNaN();
    expect(sampleMean([2, 4])).toBe(3);
  });

  it('Φ matches the normal table to 1e-7', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 7);
    expect(normalCdf(-1)).toBeCloseTo(0.15865525, 7);
    expect(normalCdf(3)).toBeCloseTo(0.9986501, 7);
  });

  it('power of "the interval lies above 0": α/2 with no effect, R\'s power.t.test with one', () => {
    expect(powerPositive(0, 1, 10)).toBeCloseTo(0.025, 3);
    expect(powerPositive(1, 1, 10)).toBeCloseTo(0.8031, 3); // power.t.test(n = 10, delta = 1, type = "one.sample")
    expect(powerPositive(0.22, 0.05, 3)).toBeCloseTo(0.942, 2);
    expect(powerPositive(1, 1, 1)).toBeNaN();
    expect(powerPositive(1, 0, 5)).toBeNaN();
  });

  it('bad arguments give an error that names the function and the argument', () => {
    expect(() => tInterval([])).toThrow(
      'tInterval: expected a non-empty array of finite numbers, got an array of length 0',
    );
    expect(() => sampleMean([1, NaN])).toThrow('sampleMean: expected a non-empty array of finite numbers');
    expect(() => t975(2.5)).toThrow('t975: expected df to be an integer, got 2.5');
    expect(() => normalCdf('1' as never)).toThrow('normalCdf: expected x to be a number');
    expect(() => powerPositive(1, Infinity, 3)).toThrow('powerPositive: expected sigma to be finite, got Infinity');
  });
});
