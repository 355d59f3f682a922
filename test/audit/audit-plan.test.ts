// The audit's options and sample-size plans: options are validated and defaulted; each plan has its
// false-failure probability and power, and is near the smallest sample that does.
import { DRAWN_RANGES, EXPECTATION_MAX, drawnRates, statisticalTests } from '../../src/verify/audit/context.ts';
import { describe, expect, it } from 'vitest';
import { auditDropout, resolveOptions } from '../../src/verify/audit/index.ts';
import fc from 'fast-check';
import {
  type CountPlan,
  dependenceSize,
  expectationAt,
  expectationPlan,
  frequencyAt,
  frequencyPlan,
  smallestPlan,
  twoSample,
} from '../../src/verify/audit/plan.ts';
import { binomialCdf } from '../../src/verify/stats.ts';
import inverted from '../support/candidates/correct/inverted.ts';

describe('options', () => {
  it('must be an object', () => {
    expect(() => resolveOptions(5 as never)).toThrow(/expected options to be an object, got 5/);
    expect(() => resolveOptions(null as never)).toThrow(/^auditDropout: expected options to be an object, got null$/);
  });
  it('a test that no sample size can power is refused', async () => {
    expect(() => frequencyPlan(0.5, 1e-8, 1e-5, 0.999)).toThrow(/no sample size up to 67108864 reaches power 0\.999/);
    await expect(auditDropout(inverted, { rateError: 1e-5 })).rejects.toThrow(/larger effect or a larger alpha/);
  });
  it('defaults', () => {
    expect(resolveOptions()).toEqual({
      alpha: 1e-6,
      seed: 20261127,
      rateError: 0.002,
      scaleError: 0.005,
      dependence: 0.02,
      power: 0.999,
      timeoutMs: 30000,
    });
    expect(resolveOptions({ seed: 3, alpha: undefined }).seed).toBe(3);
  });
  it.each([
    [{ p: 0.5 }, /unknown option "p"; expected one of alpha, seed/],
    [{ alpha: 0 }, /expected option alpha to be a probability in \(0, 1\), got 0/],
    [{ seed: -1 }, /expected option seed to be a non-negative integer, got -1/],
    [{ seed: 1.5 }, /option seed/],
    [{ power: 1 }, /^auditDropout: expected option power to be a probability in \(0, 1\), got 1$/],
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

  it('the dependence sample is a multiple of 1,024, never 0, even for the largest effect at α near 1 (the period test needs windows of 128)', () => {
    expect(dependenceSize(0.99, 1, 1e-9)).toBe(1024);
    fc.assert(
      fc.property(
        fc.double({ min: 1e-12, max: 0.999, noNaN: true }),
        fc.double({ min: 1e-3, max: 1, noNaN: true }),
        fc.double({ min: 1e-9, max: 0.9999, noNaN: true }),
        (alpha, effect, power) => {
          const n = dependenceSize(alpha, effect, power);
          expect(n % 1024 === 0 && n >= 1024).toBe(true);
        },
      ),
    );
  });
});

describe('option bounds', () => {
  // [option, values just inside its range, values just outside]
  const BOUNDS: [string, number[], unknown[]][] = [
    ['alpha', [1e-300, 0.5, 1 - 1e-12], [0, 1, -0.1, NaN, Infinity]],
    ['seed', [0, 1, 2 ** 53 - 1], [-1, 1.5, 2 ** 53, NaN]],
    ['rateError', [1e-9, 0.999], [0, 1, -0.5]],
    ['scaleError', [1e-9, 0.999], [0, 1, 2]],
    ['dependence', [1e-9, 0.5, 1], [0, 1 + 1e-9, -1]],
    ['power', [1e-9, 0.999999], [0, 1, 1.5]],
    ['timeoutMs', [1e-3, 1, 2 ** 31 - 1], [0, -1, 2 ** 31, Infinity, NaN]],
  ];
  it.each(BOUNDS)(
    '%s: accepts its range, refuses past either end, naming the option and the value',
    (name, ok, bad) => {
      for (const v of ok) expect(resolveOptions({ [name]: v })[name as 'alpha'], `${name} ${v}`).toBe(v);
      for (const v of bad)
        expect(() => resolveOptions({ [name]: v }), `${name} ${v}`).toThrow(
          new RegExp(
            `^auditDropout: expected option ${name} to be .*, got ${String(JSON.stringify(v) ?? v).replace(/[.+]/g, '\\$&')}$`,
          ),
        );
    },
  );
  it('an option given as undefined takes its default; the others are kept as given', () => {
    expect(resolveOptions({ alpha: undefined, power: 0.9 })).toEqual({
      alpha: 1e-6,
      seed: 20261127,
      rateError: 0.002,
      scaleError: 0.005,
      dependence: 0.02,
      power: 0.9,
      timeoutMs: 30000,
    });
  });
});

describe('plans at their edges', () => {
  it('the frequency test: alternatives outside [0, 1] are left out, and power is the smaller over both sides', () => {
    const p = frequencyAt(200, 0.05, 1e-3, 0.1); // rate − 0.1 < 0: only rate + 0.1 is an alternative
    expect(p.power).toBeCloseTo(1 - binomialCdf(p.hi, 200, 0.15) + binomialCdf(p.lo - 1, 200, 0.15), 12);
    const both = frequencyAt(2000, 0.5, 1e-3, 0.02);
    // the power against rate ± e is the smaller of the two one-sided rejection probabilities
    const up = 1 - binomialCdf(both.hi, 2000, 0.52) + binomialCdf(both.lo - 1, 2000, 0.52);
    const down = 1 - binomialCdf(both.hi, 2000, 0.48) + binomialCdf(both.lo - 1, 2000, 0.48);
    expect(both.power).toBeCloseTo(Math.min(up, down), 12);
    // false failure is the sum of both tails of the acceptance interval
    const tails = binomialCdf(both.lo - 1, 2000, 0.5) + 1 - binomialCdf(both.hi, 2000, 0.5);
    expect(both.falseFailure).toBeCloseTo(tails, 12);
    expect(frequencyAt(1000, 0, 1e-3, 0.1).power).toBeGreaterThan(0.99); // rate 0: only rate + e
    expect(frequencyAt(1000, 1, 1e-3, 0.1).power).toBeGreaterThan(0.99); // rate 1: only rate − e
  });

  it('the expectation test: power is the smaller over outputs scaled by 1 − e and 1 + e, false failure both tails', () => {
    const p = expectationAt(4000, 0.3, 1e-3, 0.05);
    const rej = (c: number) =>
      binomialCdf(Math.ceil(p.lo / c) - 1, 4000, 0.7) + 1 - binomialCdf(Math.floor(p.hi / c), 4000, 0.7);
    expect(p.power).toBeCloseTo(Math.min(rej(0.95), rej(1.05)), 12);
    // here the 1 − e side is the weaker one (at 4,000 and rate 0.3 it was the 1 + e side)
    const q = expectationAt(1000, 0.5, 1e-3, 0.05);
    const rejQ = (c: number) =>
      binomialCdf(Math.ceil(q.lo / c) - 1, 1000, 0.5) + 1 - binomialCdf(Math.floor(q.hi / c), 1000, 0.5);
    expect(rejQ(0.95)).toBeLessThan(rejQ(1.05) - 0.01);
    expect(q.power).toBeCloseTo(rejQ(0.95), 12);
    expect(p.falseFailure).toBeCloseTo(binomialCdf(p.lo - 1, 4000, 0.7) + 1 - binomialCdf(p.hi, 4000, 0.7), 12);
  });

  it('a plan is the smallest n reaching the power, to 1%, and plans are remembered', () => {
    for (const [rate, e] of [
      [0.3, 0.05],
      [0.9, 0.02],
    ] as const) {
      const p = frequencyPlan(rate, 1e-4, e, 0.99);
      expect(p.power).toBeGreaterThanOrEqual(0.99);
      expect(frequencyAt(Math.floor(p.n / 1.02), rate, 1e-4, e).power).toBeLessThan(0.99);
      expect(frequencyPlan(rate, 1e-4, e, 0.99)).toBe(p);
      const q = expectationPlan(rate === 0.9 ? 0.5 : rate, 1e-4, e, 0.99);
      expect(q.power).toBeGreaterThanOrEqual(0.99);
      expect(expectationAt(Math.floor(q.n / 1.02), rate === 0.9 ? 0.5 : rate, 1e-4, e).power).toBeLessThan(0.99);
    }
    // a small effect that needs more than the first guess of 1,024 elements, and one that needs fewer
    expect(frequencyPlan(0.5, 1e-2, 0.3, 0.5).n).toBeLessThan(1024);
  });

  it('an alternative at exactly 0 or 1 is kept: a test too small to see it has no power against it', () => {
    // rate 0.1 ± 0.1: at n = 10 a count of 0 drops is accepted, so "never drops" (q = 0) goes unseen
    const low = frequencyAt(10, 0.1, 1e-3, 0.1);
    expect(low.lo).toBe(0);
    expect(low.power).toBe(0);
    const high = frequencyAt(10, 0.9, 1e-3, 0.1); // "always drops" (q = 1): 10 of 10 is accepted
    expect(high.hi).toBe(10);
    expect(high.power).toBe(0);
    // an asymmetric case: power is the smaller of the two sides, each computed from its own tail
    const p = frequencyAt(500, 0.1, 1e-4, 0.05);
    const reject = (q: number) => binomialCdf(p.lo - 1, 500, q) + 1 - binomialCdf(p.hi, 500, q);
    expect(reject(0.05)).not.toBeCloseTo(reject(0.15), 3);
    expect(p.power).toBeCloseTo(Math.min(reject(0.05), reject(0.15)), 12);
  });

  it('two-sample: an empty group has no power; power is 0 at the radius exactly', () => {
    expect(twoSample(10, 0, 1e-6, 0.5)).toEqual({ radius: Infinity, power: 0 });
    expect(twoSample(0, 10, 1e-6, 0.5)).toEqual({ radius: Infinity, power: 0 });
    expect(twoSample(0, 0, 1e-6, 0.5)).toEqual({ radius: Infinity, power: 0 });
    const { radius } = twoSample(500, 700, 1e-3, 0.5);
    expect(twoSample(500, 700, 1e-3, radius).power).toBe(0);
    expect(twoSample(500, 700, 1e-3, -0.5).power).toBeCloseTo(twoSample(500, 700, 1e-3, 0.5).power, 15);
  });
});

describe('the search for the smallest plan', () => {
  /** A plan whose power steps from `below` to `at` at n0, recording the sizes tried. */
  const step = (n0: number, at = 0.95, below = 0.5) => {
    const tried: number[] = [];
    const make = (n: number): CountPlan => {
      tried.push(n);
      return { n, lo: 0, hi: n, falseFailure: 0, power: n >= n0 ? at : below };
    };
    return { make, tried };
  };

  it('finds n0 to within 1%, from either side of the first guess of 1,024, trying each size once', () => {
    for (const n0 of [
      1,
      2,
      7,
      100,
      511,
      512,
      513,
      1000,
      1023,
      1024,
      1025,
      1500,
      2048,
      5000,
      99_999,
      100_000,
      2 ** 26,
    ]) {
      const s = step(n0);
      const n = smallestPlan(s.make, 0.9).n;
      expect(n, `n0 ${n0}`).toBeGreaterThanOrEqual(n0);
      expect(n - n0, `n0 ${n0}`).toBeLessThan(Math.max(1, Math.ceil(n0 / 100)));
      expect(new Set(s.tried).size, `n0 ${n0}: ${s.tried}`).toBe(s.tried.length);
      expect(s.tried.length, `n0 ${n0}`).toBeLessThanOrEqual(2 * Math.abs(Math.log2(n0 / 1024)) + 12);
    }
  });

  it('doubles to a size that reaches the power, then bisects down to a gap of 1% of the lower end', () => {
    const s = step(1500);
    expect(smallestPlan(s.make, 0.9).n).toBe(1504);
    // 1,024 falls short, 2,048 reaches it; bisection stops when the gap 1,496…1,504 is within 1% of 1,496
    expect(s.tried).toEqual([1024, 2048, 1536, 1280, 1408, 1472, 1504, 1488, 1496]);
    const t = step(1);
    expect(smallestPlan(t.make, 0.9).n).toBe(1); // halving down from 1,024 to 1
    expect(t.tried).toEqual([1024, 512, 256, 128, 64, 32, 16, 8, 4, 2, 1]);
  });

  it('power exactly at the target reaches it', () => {
    expect(smallestPlan(step(3000, 0.9).make, 0.9).n).toBeLessThan(3030);
    expect(smallestPlan(step(100, 0.9).make, 0.9).n).toBe(100);
  });

  it('the largest size tried is 2^26: a test needing more is refused, one needing exactly that is planned', () => {
    const s = step(2 ** 26 + 1);
    expect(() => smallestPlan(s.make, 0.9)).toThrow(
      /^audit plan: no sample size up to 67108864 reaches power 0\.9; ask for a larger effect or a larger alpha$/,
    );
    expect(Math.max(...s.tried)).toBe(2 ** 26);
    expect(smallestPlan(step(2 ** 26).make, 0.9).n).toBe(2 ** 26);
  });

  it('whatever the power curve (not monotone in n), the plan returned reaches the power', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 20 }), fc.nat(), (n0, salt) => {
        // above n0, every size whose hash is odd falls short: a ragged curve
        const make = (n: number): CountPlan => ({
          n,
          lo: 0,
          hi: n,
          falseFailure: 0,
          power: n >= n0 && (n === 2 ** 21 || (Math.imul(n ^ salt, 0x9e3779b1) >>> 16) % 2 === 0) ? 0.99 : 0.1,
        });
        const p = smallestPlan(make, 0.99);
        expect(p.power).toBe(0.99);
        expect(p.n).toBeGreaterThanOrEqual(n0);
      }),
    );
  });
});

describe('rates drawn from the audit seed', () => {
  it('one in each range, strictly inside it, to 4 significant digits; a function of the seed', () => {
    // 269, 634 and 1994 draw an end of a range at 4 digits (1, 0.98, 0.02), which gives way to its middle
    for (const seed of [0, 1, 2, 269, 634, 1994, 20261127, 2 ** 31 - 1]) {
      const r = drawnRates(seed);
      expect(r).toHaveLength(DRAWN_RANGES.length);
      r.forEach((rate, i) => {
        expect(rate).toBeGreaterThan(DRAWN_RANGES[i][0]);
        expect(rate).toBeLessThan(DRAWN_RANGES[i][1]);
        expect(Number(rate.toPrecision(4))).toBe(rate);
      });
      expect(drawnRates(seed)).toEqual(r);
    }
    // one below 0.02 and one above 0.98 at every seed; different seeds, different rates
    expect(DRAWN_RANGES[0]).toEqual([0, 0.02]);
    expect(DRAWN_RANGES[3]).toEqual([0.98, 1]);
    expect(drawnRates(20261127)).toEqual([0.01543, 0.3431, 0.5702, 0.9861]);
    const seen = new Set(Array.from({ length: 50 }, (_, s) => drawnRates(s).join()));
    expect(seen.size).toBe(50);
    expect(drawnRates(269)[3]).toBe(0.99);
    expect(drawnRates(634)[3]).toBe(0.99);
    expect(drawnRates(1994)[0]).toBe(0.01);
  });

  it('α is split over every statistical test: 9 frequency, the expectations up to 0.7, 11 lags, 2 value groups, 3 seed pairs, 1 period', () => {
    for (const seed of [1, 2, 20261127]) {
      const expectations = 4 + drawnRates(seed).filter((r) => r <= EXPECTATION_MAX).length;
      expect(statisticalTests(seed)).toBe(9 + expectations + 11 + 2 + 3 + 1);
    }
    expect(EXPECTATION_MAX).toBe(0.7);
    // seed 1 draws 0.8148 (above 0.7): one expectation fewer than at the default seed
    expect(statisticalTests(1)).toBe(statisticalTests(20261127) - 1);
    // seed 6780 draws 0.7 itself, which is tested (and its α spent) a second time beside the anchor
    expect(drawnRates(6780)).toEqual([0.0008178, 0.2728, 0.7, 0.9936]);
    expect(statisticalTests(6780)).toBe(9 + 4 + 3 + 11 + 2 + 3 + 1);
  });

  it('the expectation property runs at every drawn rate up to 0.7, 0.7 included', async () => {
    const SMALL = { alpha: 1e-3, rateError: 0.1, scaleError: 0.1, dependence: 0.2, power: 0.9 };
    const e = (await auditDropout(inverted, { ...SMALL, seed: 6780 })).properties.find((p) => p.id === 'expectation')!;
    expect(e.evidence).toContain('at rates 0.1, 0.3, 0.5, 0.7, 0.0008178, 0.2728, 0.7 (the drawn rates up to 0.7;');
    expect(e.falseFailure).toBeCloseTo((7 * 1e-3) / 33, 15);
  });
});
