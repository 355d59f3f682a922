// Statistical helpers (src/verify/stats.ts): radii against hand-computed values, sample sizes against
// the radii they invert, argument checks, the α budget, and one simulation per bound on the engine's
// keys; then edge cases: sample sizes at t exactly a radius, variance limits at a range other than 1,
// the sample variance against exact arithmetic, exact argument messages, and Bonferroni's split in
// exact integer arithmetic. The exact binomial tails and tests are in binomial.test.ts.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as math from 'mathjs';
import { bernoulli, key, normal, uniform } from '../../src/engine/index.ts';
import {
  AlphaBudget,
  bernsteinRadius,
  bernsteinSampleSize,
  binomialAcceptance,
  binomialCdf,
  binomialLogCdf,
  binomialLogSf,
  binomialSf,
  binomialTest,
  bonferroni,
  dkwRadius,
  dkwSampleSize,
  empiricalBernsteinRadius,
  empiricalBernsteinSampleSize,
  hoeffdingRadius,
  hoeffdingSampleSize,
  ksStatistic,
} from '../../src/verify/stats.ts';
import { type Big, M, big, binary, exactBig } from '../support/exact-double.ts';

describe('hoeffdingRadius and hoeffdingSampleSize', () => {
  it('matches hand-computed values', () => {
    // sqrt(ln(2e9)/2e5) = sqrt(21.41641/200000) = 0.0103480…
    expect(hoeffdingRadius(100_000, 1e-9)).toBeCloseTo(0.01035, 5);
    expect(hoeffdingRadius(100_000, 1e-9)).toBeCloseTo(Math.sqrt(Math.log(2e9) / 2e5), 15);
    expect(hoeffdingRadius(1, 0.5)).toBeCloseTo(Math.sqrt(Math.log(4) / 2), 15); // 0.8326
    expect(hoeffdingRadius(100, 0.05, 4)).toBeCloseTo(4 * 0.13581, 4); // scales with range
  });

  it('sample size: 3,823 samples in [0, 1] for ±0.05 at α = 1e-8 (the pytest-stochastic figure)', () => {
    expect(hoeffdingSampleSize(0.05, 1e-8)).toBe(3823);
    expect(hoeffdingRadius(3823, 1e-8)).toBeLessThanOrEqual(0.05);
    expect(hoeffdingRadius(3822, 1e-8)).toBeGreaterThan(0.05);
    expect(hoeffdingSampleSize(0.05, 1e-8, 2)).toBe(15_292); // range² times as many: ceil(4·3822.76)
    expect(hoeffdingSampleSize(10, 0.5)).toBe(1); // any single sample will do
  });

  it('sample size is the smallest n whose radius is ≤ t (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-4, max: 2, noNaN: true }),
        fc.double({ min: 1e-300, max: 0.999, noNaN: true }),
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        (t, alpha, range) => {
          const n = hoeffdingSampleSize(t, alpha, range);
          expect(hoeffdingRadius(n, alpha, range)).toBeLessThanOrEqual(t);
          if (n > 1) expect(hoeffdingRadius(n - 1, alpha, range)).toBeGreaterThan(t);
        },
      ),
    );
  });

  it('stays finite for the smallest α (where 2/α overflows)', () => {
    expect(hoeffdingRadius(1, Number.MIN_VALUE)).toBeCloseTo(Math.sqrt((Math.LN2 + 1074 * Math.LN2) / 2), 12); // MIN_VALUE = 2^-1074
    expect(bernsteinRadius(1, Number.MIN_VALUE, 0, 1)).toBeCloseTo((2 * 1075 * Math.LN2) / 3, 12);
    expect(empiricalBernsteinRadius({ n: 2, sampleVariance: 0 }, Number.MIN_VALUE, 1)).toBeCloseTo(
      (7 * 1076 * Math.LN2) / 3,
      12,
    );
    expect(dkwRadius(1, 1e-320)).toBeCloseTo(Math.sqrt((Math.LN2 - Math.log(1e-320)) / 2), 12);
    expect(Number.isFinite(bernsteinSampleSize(0.1, Number.MIN_VALUE, 0, 1))).toBe(true);
  });

  it('refuses a t so small that no safe integer n reaches it', () => {
    expect(() => hoeffdingSampleSize(1e-12, 1e-9)).toThrow(/hoeffdingSampleSize: t 1e-12 is too small/);
  });
});

describe('bernsteinRadius and bernsteinSampleSize', () => {
  it('matches hand-computed values', () => {
    const L = Math.log(2 / 1e-6); // 14.5087
    expect(bernsteinRadius(1000, 1e-6, 0.01, 1)).toBeCloseTo(Math.sqrt((2 * 0.01 * L) / 1000) + (2 * L) / 3000, 15);
    expect(bernsteinRadius(1000, 1e-6, 0.01, 1)).toBeCloseTo(0.026707, 6);
    // zero variance leaves only the range term
    expect(bernsteinRadius(300, 0.05, 0, 2)).toBeCloseTo((2 * 2 * Math.log(40)) / 900, 15);
  });

  it('beats Hoeffding when the variance is small, and never by more than the bound allows when it is not', () => {
    expect(bernsteinRadius(10_000, 1e-9, 0.02 * 0.98, 1)).toBeLessThan(hoeffdingRadius(10_000, 1e-9) / 2);
    // at the largest variance (1/4 on [0, 1]) Bernstein's sqrt term equals Hoeffding's radius
    const n = 10_000,
      a = 1e-9;
    expect(bernsteinRadius(n, a, 0.25, 1) - (2 * Math.log(2 / a)) / (3 * n)).toBeCloseTo(hoeffdingRadius(n, a), 15);
  });

  it('sample size is the smallest n whose radius is ≤ t (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-4, max: 1, noNaN: true }),
        fc.double({ min: 1e-300, max: 0.999, noNaN: true }),
        fc.double({ min: 0, max: 0.25, noNaN: true }),
        (t, alpha, variance) => {
          const n = bernsteinSampleSize(t, alpha, variance, 1);
          expect(bernsteinRadius(n, alpha, variance, 1)).toBeLessThanOrEqual(t);
          if (n > 1) expect(bernsteinRadius(n - 1, alpha, variance, 1)).toBeGreaterThan(t);
        },
      ),
    );
    expect(bernsteinSampleSize(0.01, 1e-6, 0.02 * 0.98, 1)).toBe(7498);
  });
});

describe('empiricalBernsteinRadius and empiricalBernsteinSampleSize', () => {
  it('matches Maurer & Pontil Theorem 4 with α split over two sides', () => {
    const L = Math.log(4 / 1e-6);
    const r = empiricalBernsteinRadius({ n: 1000, sampleVariance: 0.01 }, 1e-6, 1);
    expect(r).toBeCloseTo(Math.sqrt((2 * 0.01 * L) / 1000) + (7 * L) / (3 * 999), 15);
    expect(r).toBeCloseTo(0.052943, 6); // 0.017437 + 0.035506
  });

  it('computes the unbiased sample variance from the samples (as mathjs does)', () => {
    const xs = [0.1, 0.9, 0.4, 0.4, 0.75, 0.2, 0.05];
    const v = math.variance(xs) as unknown as number; // unbiased by default
    expect(empiricalBernsteinRadius(xs, 1e-3, 1)).toBeCloseTo(
      empiricalBernsteinRadius({ n: xs.length, sampleVariance: v }, 1e-3, 1),
      15,
    );
    expect(empiricalBernsteinRadius(new Float64Array(xs), 1e-3, 1)).toBe(empiricalBernsteinRadius(xs, 1e-3, 1));
    // constant samples: no variance term; shifting the data changes nothing
    expect(empiricalBernsteinRadius([7, 7, 7, 7], 0.1, 1)).toBeCloseTo((7 * Math.log(40)) / 9, 15);
    expect(
      empiricalBernsteinRadius(
        xs.map((x) => x + 1e6),
        1e-3,
        1,
      ),
    ).toBeCloseTo(empiricalBernsteinRadius(xs, 1e-3, 1), 9);
  });

  it('refuses samples wider than range and a variance no data of that width can have', () => {
    expect(() => empiricalBernsteinRadius([0, 0.5, 1.5], 0.01, 1)).toThrow(
      /samples to lie in an interval of width range 1, but they span \[0, 1.5\]/,
    );
    expect(() => empiricalBernsteinRadius({ n: 4, sampleVariance: 0.34 }, 0.01, 1)).toThrow(
      /samples.sampleVariance ≤ .* got 0.34/,
    );
    expect(empiricalBernsteinRadius({ n: 4, sampleVariance: 1 / 3 }, 0.01, 1)).toBeGreaterThan(0); // [0, 0, 1, 1]: exactly the maximum
    expect(empiricalBernsteinRadius([0, 0, 1, 1], 0.01, 1)).toBe(
      empiricalBernsteinRadius({ n: 4, sampleVariance: 1 / 3 }, 0.01, 1),
    );
  });

  it('sample size is the smallest n ≥ 2 whose radius (at the variance bound) is ≤ t (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-3, max: 1, noNaN: true }),
        fc.double({ min: 1e-300, max: 0.999, noNaN: true }),
        fc.double({ min: 0, max: 0.25, noNaN: true }),
        (t, alpha, vb) => {
          const n = empiricalBernsteinSampleSize(t, alpha, 1, vb);
          expect(n).toBeGreaterThanOrEqual(2);
          expect(empiricalBernsteinRadius({ n, sampleVariance: vb }, alpha, 1)).toBeLessThanOrEqual(t);
          if (n > 2) expect(empiricalBernsteinRadius({ n: n - 1, sampleVariance: vb }, alpha, 1)).toBeGreaterThan(t);
        },
      ),
    );
  });
});

describe('dkwRadius, dkwSampleSize, ksStatistic', () => {
  it('matches hand-computed values', () => {
    expect(dkwRadius(1000, 0.05)).toBeCloseTo(0.042947, 6); // the usual 95% band at n = 1000
    expect(dkwRadius(100, 0.05)).toBeCloseTo(0.13581, 6);
    expect(dkwRadius(1e6, 1e-9)).toBeCloseTo(Math.sqrt(Math.log(2e9) / 2e6), 15);
    expect(dkwSampleSize(0.01, 0.05)).toBe(18_445); // ceil(ln 40 / 2e-4) = ceil(18444.4)
    expect(dkwSampleSize(0.05, 1e-8)).toBe(hoeffdingSampleSize(0.05, 1e-8));
  });

  it('sample size is the smallest n whose radius is ≤ eps (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-4, max: 2, noNaN: true }),
        fc.double({ min: 1e-300, max: 0.999, noNaN: true }),
        (eps, alpha) => {
          const n = dkwSampleSize(eps, alpha);
          expect(dkwRadius(n, alpha)).toBeLessThanOrEqual(eps);
          if (n > 1) expect(dkwRadius(n - 1, alpha)).toBeGreaterThan(eps);
        },
      ),
    );
  });

  it('ksStatistic: hand-computed cases, ties, and the formula against a brute-force sup over a grid', () => {
    expect(ksStatistic([0.5], (x) => x)).toBe(0.5);
    expect(ksStatistic([0.25, 0.75], (x) => x)).toBe(0.25);
    expect(ksStatistic([0.9, 0.1, 0.5], (x) => x)).toBeCloseTo(1 / 3 - 0.1, 15); // F_n(0.1) − F(0.1) and F(0.9−) − F_n(0.9−)
    expect(ksStatistic([0.3, 0.3, 0.3], (x) => x)).toBeCloseTo(0.7, 15); // F_n jumps 0 → 1 at 0.3
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 30 }), (xs) => {
        // sup over x of |F_n(x) − x| is attained at a sample point from the left or the right
        const n = xs.length;
        let d = 0;
        for (const x of xs) {
          const le = xs.filter((y) => y <= x).length / n;
          const lt = xs.filter((y) => y < x).length / n;
          d = Math.max(d, Math.abs(le - x), Math.abs(lt - x));
        }
        expect(ksStatistic(xs, (x) => x)).toBeCloseTo(d, 14);
      }),
    );
  });

  it('ksStatistic refuses a cdf outside [0, 1] or decreasing', () => {
    expect(() => ksStatistic([0.1, 0.2], () => 1.5)).toThrow(
      /ksStatistic: expected cdf\(0.1\) to be a probability in \[0, 1\], got 1.5/,
    );
    expect(() => ksStatistic([0.1, 0.2], () => NaN)).toThrow(/got NaN/);
    expect(() => ksStatistic([0.1, 0.2], (x) => 1 - x)).toThrow(
      /cdf to be non-decreasing, but cdf\(0.2\) = 0.8 < cdf\(0.1\) = 0.9/,
    );
  });
});

// ---------------------------------------------------------------------------------------------------

describe('bonferroni and AlphaBudget', () => {
  it('bonferroni splits the total, rounding down so that count·α never exceeds it (property)', () => {
    expect(bonferroni(1e-6, 10)).toBeCloseTo(1e-7, 20);
    expect(bonferroni(0.05, 1)).toBe(0.05);
    fc.assert(
      fc.property(
        fc.double({ min: 1e-290, max: 0.999999, noNaN: true }),
        fc.integer({ min: 1, max: 2 ** 40 }),
        (total, count) => {
          const a = bonferroni(total, count);
          expect(a * count).toBeLessThanOrEqual(total);
          expect(a).toBeGreaterThanOrEqual((total / count) * (1 - 2 ** -51));
        },
      ),
    );
  });

  it('AlphaBudget hands out equal shares, remembers labels, sums what it spent and refuses to overspend', () => {
    const b = new AlphaBudget(1e-6, 3);
    expect(String(b)).toBe(`α budget 0.000001 over 3 assertions (${b.perAssertion} each): 0 taken, spent 0`);
    expect(b.perAssertion).toBe(bonferroni(1e-6, 3));
    expect(b.spent).toBe(0);
    expect(b.remaining).toBe(3);
    expect(b.next('keep rate')).toBe(b.perAssertion);
    expect(b.next('mean of mask')).toBe(b.perAssertion);
    expect(b.labels).toEqual(['keep rate', 'mean of mask']);
    expect(b.spent).toBeCloseTo(2e-6 / 3, 20);
    expect(b.remaining).toBe(1);
    b.next('ks of gaussian noise');
    expect(b.spent).toBeLessThanOrEqual(1e-6);
    expect(b.spent).toBeCloseTo(1e-6, 20);
    expect(() => b.next('one too many')).toThrow(RangeError);
    expect(() => b.next('one too many')).toThrow(
      /the budget of 0.000001 is spent: all 3 assertions are taken, so "one too many" cannot have one/,
    );
    expect(b.labels).toHaveLength(3);
    expect(String(b)).toBe(
      `α budget 0.000001 over 3 assertions (${b.perAssertion} each): 3 taken, spent ${b.spent}: keep rate, mean of mask, ks of gaussian noise`,
    );
    const labels = b.labels as string[];
    labels.push('tampered');
    expect(b.labels).toHaveLength(3); // a copy
    expect(() => b.next('' as string)).toThrow(/AlphaBudget.next: expected label to be a non-empty string, got ""/);
    expect(() => new AlphaBudget(1e-6, 0)).toThrow(/AlphaBudget: expected count to be a positive integer, got 0/);
    expect(() => new AlphaBudget(2, 5)).toThrow(/AlphaBudget: expected total to be a probability in \(0, 1\), got 2/);
  });
});

// ---------------------------------------------------------------------------------------------------

describe('bad arguments throw, naming the argument and the value', () => {
  const cases: [string, () => unknown, ErrorConstructor, RegExp][] = [
    [
      'hoeffdingRadius n 0',
      () => hoeffdingRadius(0, 0.05),
      RangeError,
      /hoeffdingRadius: expected n to be a positive integer, got 0/,
    ],
    [
      'hoeffdingRadius n 2.5',
      () => hoeffdingRadius(2.5, 0.05),
      RangeError,
      /expected n to be a positive integer, got 2.5/,
    ],
    [
      'hoeffdingRadius n "10"',
      () => hoeffdingRadius('10' as unknown as number, 0.05),
      TypeError,
      /expected n to be a positive integer, got "10"/,
    ],
    [
      'hoeffdingRadius alpha 0',
      () => hoeffdingRadius(10, 0),
      RangeError,
      /expected alpha to be a probability in \(0, 1\), got 0/,
    ],
    ['hoeffdingRadius alpha 1', () => hoeffdingRadius(10, 1), RangeError, /alpha .* got 1$/],
    ['hoeffdingRadius alpha NaN', () => hoeffdingRadius(10, NaN), RangeError, /alpha .* got NaN/],
    [
      'hoeffdingRadius range -1',
      () => hoeffdingRadius(10, 0.05, -1),
      RangeError,
      /expected range to be a finite number > 0, got -1/,
    ],
    ['hoeffdingRadius range Infinity', () => hoeffdingRadius(10, 0.05, Infinity), RangeError, /range .* got Infinity/],
    [
      'hoeffdingSampleSize t 0',
      () => hoeffdingSampleSize(0, 0.05),
      RangeError,
      /hoeffdingSampleSize: expected t to be a finite number > 0, got 0/,
    ],
    [
      'bernsteinRadius variance -0.1',
      () => bernsteinRadius(10, 0.05, -0.1, 1),
      RangeError,
      /bernsteinRadius: expected variance to be a finite number ≥ 0, got -0.1/,
    ],
    [
      'bernsteinRadius variance 0.3 > 1/4',
      () => bernsteinRadius(10, 0.05, 0.3, 1),
      RangeError,
      /expected variance ≤ range²\/4 = 0.25 .* got 0.3/,
    ],
    [
      'bernsteinRadius range missing',
      () => (bernsteinRadius as (...a: unknown[]) => number)(10, 0.05, 0.1),
      TypeError,
      /expected range to be a finite number > 0, got undefined/,
    ],
    [
      'bernsteinSampleSize alpha 5',
      () => bernsteinSampleSize(0.1, 5, 0.1, 1),
      RangeError,
      /bernsteinSampleSize: expected alpha .* got 5/,
    ],
    [
      'empiricalBernsteinRadius 1 sample',
      () => empiricalBernsteinRadius([0.5], 0.05, 1),
      RangeError,
      /empiricalBernsteinRadius: expected at least 2 samples, got 1/,
    ],
    [
      'empiricalBernsteinRadius NaN sample',
      () => empiricalBernsteinRadius([0.5, NaN], 0.05, 1),
      TypeError,
      /expected samples\[1\] to be a finite number, got NaN/,
    ],
    [
      'empiricalBernsteinRadius samples 5',
      () => empiricalBernsteinRadius(5 as unknown as number[], 0.05, 1),
      TypeError,
      /expected samples to be an array of numbers, got 5/,
    ],
    [
      'empiricalBernsteinRadius n 1.5',
      () => empiricalBernsteinRadius({ n: 1.5, sampleVariance: 0 }, 0.05, 1),
      RangeError,
      /expected samples.n to be an integer ≥ 2, got 1.5/,
    ],
    [
      'empiricalBernsteinRadius variance NaN',
      () => empiricalBernsteinRadius({ n: 5, sampleVariance: NaN }, 0.05, 1),
      RangeError,
      /samples.sampleVariance to be a finite number ≥ 0, got NaN/,
    ],
    [
      'empiricalBernsteinSampleSize varianceBound 1',
      () => empiricalBernsteinSampleSize(0.1, 0.05, 1, 1),
      RangeError,
      /expected varianceBound ≤ range²\/4 = 0.25 .* got 1/,
    ],
    [
      'binomialCdf k 1.5',
      () => binomialCdf(1.5, 10, 0.5),
      RangeError,
      /binomialCdf: expected k to be an integer, got 1.5/,
    ],
    ['binomialCdf k NaN', () => binomialCdf(NaN, 10, 0.5), RangeError, /expected k to be an integer, got NaN/],
    [
      'binomialSf n -1',
      () => binomialSf(1, -1, 0.5),
      RangeError,
      /binomialSf: expected n to be a non-negative integer \(the number of trials\), got -1/,
    ],
    [
      'binomialSf q 1.1',
      () => binomialSf(1, 10, 1.1),
      RangeError,
      /expected q to be a probability in \[0, 1\], got 1.1/,
    ],
    ['binomialLogCdf q NaN', () => binomialLogCdf(1, 10, NaN), RangeError, /binomialLogCdf: expected q .* got NaN/],
    [
      'binomialLogSf q "0.5"',
      () => binomialLogSf(1, 10, '0.5' as unknown as number),
      TypeError,
      /binomialLogSf: expected q to be a probability in \[0, 1\], got "0.5"/,
    ],
    [
      'binomialAcceptance alpha 0',
      () => binomialAcceptance(10, 0.5, 0),
      RangeError,
      /binomialAcceptance: expected alpha .* got 0/,
    ],
    [
      'binomialAcceptance n 1e300',
      () => binomialAcceptance(1e300, 0.5, 0.01),
      RangeError,
      /expected n to be a non-negative integer .* got 1e\+300/,
    ],
    [
      'binomialTest k 11 > n',
      () => binomialTest(11, 10, 0.5, 0.01),
      RangeError,
      /binomialTest: expected k to be an integer count in \[0, n\] = \[0, 10\], got 11/,
    ],
    ['binomialTest k -1', () => binomialTest(-1, 10, 0.5, 0.01), RangeError, /got -1/],
    [
      'binomialTest n 2^40 + 1',
      () => binomialTest(0, 2 ** 40 + 1, 0.5, 0.01),
      RangeError,
      /^binomialTest: expected n \(the number of trials\) to be at most 2\^40, got 1099511627777: the exact tail sums cost about sqrt\(n\) steps$/,
    ],
    ['dkwRadius n -5', () => dkwRadius(-5, 0.05), RangeError, /dkwRadius: expected n to be a positive integer, got -5/],
    [
      'dkwSampleSize eps NaN',
      () => dkwSampleSize(NaN, 0.05),
      RangeError,
      /dkwSampleSize: expected eps to be a finite number > 0, got NaN/,
    ],
    [
      'ksStatistic empty',
      () => ksStatistic([], (x) => x),
      RangeError,
      /ksStatistic: expected at least 1 samples, got 0/,
    ],
    [
      'ksStatistic cdf missing',
      () => ksStatistic([1], null as unknown as (x: number) => number),
      TypeError,
      /ksStatistic: expected cdf to be a function, got null/,
    ],
    [
      'bonferroni count 0',
      () => bonferroni(0.01, 0),
      RangeError,
      /bonferroni: expected count to be a positive integer, got 0/,
    ],
    [
      'bonferroni totalAlpha -1',
      () => bonferroni(-1, 5),
      RangeError,
      /bonferroni: expected totalAlpha to be a probability in \(0, 1\), got -1/,
    ],
  ];
  it('accepts n = 2^40 trials, the most it takes', () => {
    expect([binomialCdf(2 ** 40, 2 ** 40, 0.5), binomialSf(0, 2 ** 40, 0.5)]).toEqual([1, 1]);
  });
  it('describes any kind of bad value', () => {
    const f = hoeffdingRadius as (n: unknown, alpha: number) => number;
    expect(() => f(5n, 0.05)).toThrow(/expected n to be a positive integer, got 5n/);
    expect(() => f([1, 2], 0.05)).toThrow(/got an array of length 2/);
    expect(() => f(() => 1, 0.05)).toThrow(/got a function/);
    expect(() => f(new Map(), 0.05)).toThrow(/got an object \(Map\)/);
    expect(() => f(Object.create(null), 0.05)).toThrow(/got an object \(Object\)/);
    expect(() => f(null, 0.05)).toThrow(/got null/);
    expect(() => f(undefined, 0.05)).toThrow(/got undefined/);
    expect(() => f(true, 0.05)).toThrow(/got boolean true/);
    expect(() => f(-0, 0.05)).toThrow(/got -0/);
    expect(() => f('x'.repeat(50), 0.05)).toThrow(/got "x{40}…"/);
  });

  it.each(cases)('%s', (_, call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });

  it('never returns NaN: any number for any argument either throws or gives a number (property)', () => {
    const anyNum = fc.oneof(
      fc.double(),
      fc.integer({ min: -5, max: 100 }),
      fc.constantFrom(0, 1, 0.5, -0, NaN, Infinity, -Infinity),
    );
    const fns: ((...a: number[]) => unknown)[] = [
      hoeffdingRadius,
      hoeffdingSampleSize,
      bernsteinRadius,
      bernsteinSampleSize,
      empiricalBernsteinSampleSize,
      binomialCdf,
      binomialSf,
      binomialLogCdf,
      binomialLogSf,
      dkwRadius,
      dkwSampleSize,
      bonferroni,
    ];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: fns.length - 1 }), anyNum, anyNum, anyNum, anyNum, (i, a, b, c, d) => {
        let out: unknown;
        try {
          out = fns[i](a, b, c, d);
        } catch (e) {
          expect(e instanceof RangeError || e instanceof TypeError).toBe(true);
          return;
        }
        expect(Number.isNaN(out)).toBe(false);
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// Simulations: each bound at α = 0.05 on 200 fixed keys. If the bound holds, each key exceeds it with
// probability ≤ 0.05 independently, so the number of exceedances is stochastically below
// Binomial(200, 0.05), and P(count > MAX_EXCEED) ≤ 1e-9 (MAX_EXCEED from the exact binomial tail). The
// keys are fixed, so each check is deterministic; a correct implementation would have failed one with
// probability ≤ 1e-9 when the keys were chosen, 6e-9 for the six checks of this file together.

const KEYS = 200;
const SIM_ALPHA = 0.05;
const simBudget = new AlphaBudget(6e-9, 6);
/** The seeds s (of key(s), s < KEYS) on which the bound is exceeded, and a message naming them. */
function exceeding(exceeds: (seed: number) => boolean) {
  const seeds = Array.from({ length: KEYS }, (_, s) => s).filter(exceeds);
  return {
    count: seeds.length,
    message: `${seeds.length} of ${KEYS} keys exceed the bound: key(s) for s in [${seeds.join(', ')}]`,
  };
}
const meanOf = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0) / xs.length;

describe('simulations on the engine keys: each bound holds at its stated α', () => {
  // the largest count a correct bound produces except with probability ≤ α_test (one-sided)
  const maxExceed = (label: string) => binomialAcceptance(KEYS, SIM_ALPHA, 2 * simBudget.next(label)).hi;

  it('Hoeffding: Bernoulli(1/2) means of 1000 draws', () => {
    const limit = maxExceed('hoeffding simulation');
    expect(limit).toBe(33); // P(Bin(200, 0.05) > 33) = 4.6e-10 ≤ 1e-9, while P(… > 32) > 1e-9
    const r = hoeffdingRadius(1000, SIM_ALPHA);
    const e = exceeding((s) => Math.abs(meanOf(bernoulli(key(s), 0.5, [1000]).data) - 0.5) >= r);
    expect(e.count, e.message).toBeLessThanOrEqual(limit);
  });

  it('Bernstein: Bernoulli(0.02) means of 1000 draws with the known variance 0.02·0.98', () => {
    const limit = maxExceed('bernstein simulation');
    const r = bernsteinRadius(1000, SIM_ALPHA, 0.02 * 0.98, 1);
    expect(r).toBeLessThan(hoeffdingRadius(1000, SIM_ALPHA) / 2);
    const e = exceeding((s) => Math.abs(meanOf(bernoulli(key(s), 0.02, [1000]).data) - 0.02) >= r);
    expect(e.count, e.message).toBeLessThanOrEqual(limit);
  });

  it('empirical Bernstein: Bernoulli(0.02) means of 1000 draws with the sample variance', () => {
    const limit = maxExceed('empirical bernstein simulation');
    const e = exceeding((s) => {
      const xs = bernoulli(key(s), 0.02, [1000]).data;
      return Math.abs(meanOf(xs) - 0.02) >= empiricalBernsteinRadius(xs, SIM_ALPHA, 1);
    });
    expect(e.count, e.message).toBeLessThanOrEqual(limit);
  });

  it('exact binomial test: counts of Bernoulli(0.3) in 1000 draws', () => {
    const limit = maxExceed('binomial simulation');
    const e = exceeding(
      (s) =>
        !binomialTest(
          Array.from(bernoulli(key(s), 0.3, [1000]).data).reduce((a, b) => a + b, 0),
          1000,
          0.3,
          SIM_ALPHA,
        ).ok,
    );
    expect(e.count, e.message).toBeLessThanOrEqual(limit);
  });

  it('DKW: Kolmogorov–Smirnov distance of 500 uniform and 500 normal draws', () => {
    const eps = dkwRadius(500, SIM_ALPHA);
    const Phi = (z: number) => 0.5 * (1 + (math.erf(z / Math.SQRT2) as number));
    const u = exceeding((s) => ksStatistic(uniform(key(s), [500]).data, (x) => x) >= eps);
    expect(u.count, u.message).toBeLessThanOrEqual(maxExceed('dkw uniform simulation'));
    const g = exceeding((s) => ksStatistic(normal(key(s), [500]).data, Phi) >= eps);
    expect(g.count, g.message).toBeLessThanOrEqual(maxExceed('dkw normal simulation'));
    expect(simBudget.remaining).toBe(0);
    expect(simBudget.spent).toBeLessThanOrEqual(6e-9);
  });
});

// ---------------------------------------------------------------------------------------------------
// Edge cases of the radii and sample sizes: argument checks that name the argument and the value
// (exact messages), the variance limits (Popoviciu for a known variance, n·range²/(4(n − 1)) for a
// sample variance) at a range other than 1, the sample sizes when t is exactly a radius, and the sample
// variance against exact BigNumber arithmetic where the two-pass compensation matters.

/** The unbiased sample variance Σ(x − x̄)²/(n − 1) of the doubles given, exactly (to 80 digits). */
function exactSampleVariance(xs: number[]): number {
  const b = xs.map(exactBig);
  const mean = M.divide(
    b.reduce((a, x) => M.add(a, x) as Big, big(0)),
    big(xs.length),
  ) as Big;
  const ss = b.reduce((a, x) => M.add(a, M.pow(M.subtract(x, mean), big(2))) as Big, big(0));
  return Number(M.divide(ss, big(xs.length - 1)));
}

const relErr = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('sample sizes when t is exactly a radius', () => {
  // The sample size is the smallest n whose radius is ≤ t; at t = radius(n) that is n itself
  // whenever radius(n − 1) > radius(n) (checked), including n = 1 (n = 2 for empirical Bernstein)
  // and powers of two.
  const ns = [1, 2, 3, 4, 5, 7, 8, 16, 17, 100, 128, 1000, 1024];
  it('hoeffdingSampleSize(hoeffdingRadius(n)) = n', () => {
    for (const [alpha, range] of [
      [0.05, 1],
      [1e-9, 3],
      [0.5, 0.25],
    ]) {
      for (const n of ns) {
        const t = hoeffdingRadius(n, alpha, range);
        if (n > 1) expect(hoeffdingRadius(n - 1, alpha, range)).toBeGreaterThan(t);
        expect(hoeffdingSampleSize(t, alpha, range)).toBe(n);
      }
    }
  });

  it('bernsteinSampleSize(bernsteinRadius(n)) = n', () => {
    for (const [alpha, variance, range] of [
      [0.05, 0.01, 1],
      [1e-6, 0, 2],
      [0.3, 1, 2],
    ]) {
      for (const n of ns) {
        const t = bernsteinRadius(n, alpha, variance, range);
        if (n > 1) expect(bernsteinRadius(n - 1, alpha, variance, range)).toBeGreaterThan(t);
        expect(bernsteinSampleSize(t, alpha, variance, range)).toBe(n);
      }
    }
  });

  it('empiricalBernsteinSampleSize(empiricalBernsteinRadius(n)) = n, for n ≥ 2', () => {
    for (const [alpha, vb, range] of [
      [0.05, 0.01, 1],
      [1e-6, 0, 2],
      [0.3, 1, 2],
    ]) {
      for (const n of ns.filter((m) => m >= 2)) {
        const t = empiricalBernsteinRadius({ n, sampleVariance: vb }, alpha, range);
        if (n > 2) expect(empiricalBernsteinRadius({ n: n - 1, sampleVariance: vb }, alpha, range)).toBeGreaterThan(t);
        expect(empiricalBernsteinSampleSize(t, alpha, range, vb)).toBe(n);
      }
    }
  });
});

describe('variance limits at a range other than 1', () => {
  it('a known variance may reach range²/4 and no more (Popoviciu)', () => {
    // range 2: the largest variance is 1 (half the mass at each end)
    const L = Math.log(2 / 0.05);
    expect(bernsteinRadius(10, 0.05, 1, 2)).toBeCloseTo(Math.sqrt((2 * 1 * L) / 10) + (2 * 2 * L) / 30, 15);
    const n = bernsteinSampleSize(0.5, 0.05, 1, 2);
    expect(bernsteinRadius(n, 0.05, 1, 2)).toBeLessThanOrEqual(0.5);
    expect(bernsteinRadius(n - 1, 0.05, 1, 2)).toBeGreaterThan(0.5);
    expect(() => bernsteinRadius(10, 0.05, 0.3, 0.5)).toThrow(
      /^bernsteinRadius: expected variance ≤ range²\/4 = 0\.0625 \(no distribution on an interval of width range 0\.5 has more\), got 0\.3$/,
    );
    expect(() => empiricalBernsteinSampleSize(0.1, 0.05, 4, 4.5)).toThrow(
      /^empiricalBernsteinSampleSize: expected varianceBound ≤ range²\/4 = 4 \(no distribution on an interval of width range 4 has more\), got 4\.5$/,
    );
  });

  it('a sample variance may reach n·range²/(4(n − 1)) and no more', () => {
    // [0, 0, 2, 2] in an interval of width 2: Σ(x − x̄)² = 4 = n·range²/4, so V = 4/3, the maximum
    const r = empiricalBernsteinRadius({ n: 4, sampleVariance: 4 / 3 }, 0.01, 2);
    expect(empiricalBernsteinRadius([0, 0, 2, 2], 0.01, 2)).toBe(r);
    const L = Math.log(4 / 0.01);
    expect(r).toBeCloseTo(Math.sqrt((2 * (4 / 3) * L) / 4) + (7 * 2 * L) / 9, 14);
    expect(() => empiricalBernsteinRadius({ n: 4, sampleVariance: 1.34 }, 0.01, 2)).toThrow(
      /^empiricalBernsteinRadius: expected samples\.sampleVariance ≤ n·range²\/\(4\(n − 1\)\) = 1\.3333333333333333, the most n = 4 samples in an interval of width range 2 can have, got 1\.34$/,
    );
  });

  it('the empirical Bernstein radius scales its range term with range (Maurer & Pontil, Theorem 4)', () => {
    const L = Math.log(4 / 1e-6);
    for (const range of [0.5, 2, 10]) {
      expect(empiricalBernsteinRadius({ n: 1000, sampleVariance: 0.01 }, 1e-6, range)).toBeCloseTo(
        Math.sqrt((2 * 0.01 * L) / 1000) + (7 * range * L) / (3 * 999),
        14,
      );
    }
    // zero variance: the radius is the range term alone, proportional to range
    expect(empiricalBernsteinRadius({ n: 10, sampleVariance: 0 }, 0.1, 3)).toBeCloseTo((7 * 3 * Math.log(40)) / 27, 14);
  });
});

describe('the sample variance of the samples given', () => {
  it('is exactly 0 for constant samples whose mean does not round to the value', () => {
    // 0.1 + 0.1 + 0.1 = 0.30000000000000004, so the computed mean is off; V must still be 0, so the
    // radius is the range term alone (a tiny range makes any spurious variance term visible)
    for (const [x, n] of [
      [0.1, 3],
      [0.1, 10],
      [1 / 3, 7],
    ]) {
      const xs = Array<number>(n).fill(x);
      for (const range of [1, 1e-30]) {
        expect(empiricalBernsteinRadius(xs, 0.01, range)).toBe(
          empiricalBernsteinRadius({ n, sampleVariance: 0 }, 0.01, range),
        );
      }
    }
  });

  it('matches the exact unbiased sample variance where the spread is a few ulps', () => {
    const u = 2 ** -52;
    const cases: [number[], number][] = [
      [[...Array<number>(9).fill(1), 1 + u], u], // V = u²/10 exactly
      [[...Array<number>(9).fill(0.1), 0.1 + 2 ** -56], 2 ** -56],
      [[1e8 + 0.1, 1e8 + 0.2, 1e8 + 0.3, 1e8 + 0.7], 1],
      [[3, 3 + 2 * u * 2, 3 + 4 * u * 2, 3, 3 + 2 * u * 2], 8 * u],
    ];
    expect(exactSampleVariance(cases[0][0])).toBe(u ** 2 / 10);
    for (const [xs, range] of cases) {
      const v = exactSampleVariance(xs);
      expect(v).toBeGreaterThan(0);
      const ours = empiricalBernsteinRadius(xs, 0.01, range);
      const exact = empiricalBernsteinRadius({ n: xs.length, sampleVariance: v }, 0.01, range);
      expect(relErr(ours, exact)).toBeLessThan(1e-12);
    }
  });
});

describe('argument errors name the function, the argument and the value', () => {
  const cases: [string, () => unknown, ErrorConstructor, RegExp][] = [
    [
      'hoeffdingSampleSize alpha 0',
      () => hoeffdingSampleSize(0.1, 0),
      RangeError,
      /^hoeffdingSampleSize: expected alpha to be a probability in \(0, 1\), got 0$/,
    ],
    [
      'hoeffdingSampleSize alpha 1.5',
      () => hoeffdingSampleSize(0.1, 1.5),
      RangeError,
      /^hoeffdingSampleSize: expected alpha to be a probability in \(0, 1\), got 1\.5$/,
    ],
    [
      'hoeffdingSampleSize range 0',
      () => hoeffdingSampleSize(0.1, 0.05, 0),
      RangeError,
      /^hoeffdingSampleSize: expected range to be a finite number > 0, got 0$/,
    ],
    [
      'bernsteinRadius n 0',
      () => bernsteinRadius(0, 0.05, 0.1, 1),
      RangeError,
      /^bernsteinRadius: expected n to be a positive integer, got 0$/,
    ],
    [
      'bernsteinSampleSize t -1',
      () => bernsteinSampleSize(-1, 0.05, 0.1, 1),
      RangeError,
      /^bernsteinSampleSize: expected t to be a finite number > 0, got -1$/,
    ],
    [
      'bernsteinSampleSize range NaN',
      () => bernsteinSampleSize(0.1, 0.05, 0.1, NaN),
      RangeError,
      /^bernsteinSampleSize: expected range to be a finite number > 0, got NaN$/,
    ],
    [
      'bernsteinSampleSize variance -1',
      () => bernsteinSampleSize(0.1, 0.05, -1, 1),
      RangeError,
      /^bernsteinSampleSize: expected variance to be a finite number ≥ 0, got -1$/,
    ],
    [
      'empiricalBernsteinRadius alpha 0',
      () => empiricalBernsteinRadius({ n: 5, sampleVariance: 0 }, 0, 1),
      RangeError,
      /^empiricalBernsteinRadius: expected alpha to be a probability in \(0, 1\), got 0$/,
    ],
    [
      'empiricalBernsteinRadius alpha 2',
      () => empiricalBernsteinRadius([0, 1], 2, 1),
      RangeError,
      /^empiricalBernsteinRadius: expected alpha to be a probability in \(0, 1\), got 2$/,
    ],
    [
      'empiricalBernsteinRadius range -2',
      () => empiricalBernsteinRadius([0, 1], 0.05, -2),
      RangeError,
      /^empiricalBernsteinRadius: expected range to be a finite number > 0, got -2$/,
    ],
    [
      'empiricalBernsteinRadius samples null',
      () => empiricalBernsteinRadius(null as unknown as number[], 0.05, 1),
      TypeError,
      /^empiricalBernsteinRadius: expected samples to be an array of numbers, got null$/,
    ],
    [
      'empiricalBernsteinRadius sampleVariance "0.1"',
      () => empiricalBernsteinRadius({ n: 5, sampleVariance: '0.1' as unknown as number }, 0.05, 1),
      TypeError,
      /^empiricalBernsteinRadius: expected samples\.sampleVariance to be a finite number ≥ 0, got "0\.1"$/,
    ],
    [
      'empiricalBernsteinRadius sampleVariance -0.1',
      () => empiricalBernsteinRadius({ n: 5, sampleVariance: -0.1 }, 0.05, 1),
      RangeError,
      /^empiricalBernsteinRadius: expected samples\.sampleVariance to be a finite number ≥ 0, got -0\.1$/,
    ],
    [
      'empiricalBernsteinRadius sampleVariance -Infinity',
      () => empiricalBernsteinRadius({ n: 5, sampleVariance: -Infinity }, 0.05, 1),
      RangeError,
      /^empiricalBernsteinRadius: expected samples\.sampleVariance to be a finite number ≥ 0, got -Infinity$/,
    ],
    [
      'empiricalBernsteinRadius sampleVariance Infinity',
      () => empiricalBernsteinRadius({ n: 5, sampleVariance: Infinity }, 0.05, 1),
      RangeError,
      /^empiricalBernsteinRadius: expected samples\.sampleVariance to be a finite number ≥ 0, got Infinity$/,
    ],
    [
      'empiricalBernsteinSampleSize t 0',
      () => empiricalBernsteinSampleSize(0, 0.05, 1, 0.1),
      RangeError,
      /^empiricalBernsteinSampleSize: expected t to be a finite number > 0, got 0$/,
    ],
    [
      'empiricalBernsteinSampleSize alpha 0',
      () => empiricalBernsteinSampleSize(0.1, 0, 1, 0.1),
      RangeError,
      /^empiricalBernsteinSampleSize: expected alpha to be a probability in \(0, 1\), got 0$/,
    ],
    [
      'empiricalBernsteinSampleSize alpha 1.5',
      () => empiricalBernsteinSampleSize(0.1, 1.5, 1, 0.1),
      RangeError,
      /^empiricalBernsteinSampleSize: expected alpha to be a probability in \(0, 1\), got 1\.5$/,
    ],
    [
      'empiricalBernsteinSampleSize range Infinity',
      () => empiricalBernsteinSampleSize(0.1, 0.05, Infinity, 0.1),
      RangeError,
      /^empiricalBernsteinSampleSize: expected range to be a finite number > 0, got Infinity$/,
    ],
    [
      'binomialCdf q -0.1',
      () => binomialCdf(1, 10, -0.1),
      RangeError,
      /^binomialCdf: expected q to be a probability in \[0, 1\], got -0\.1$/,
    ],
    [
      'binomialCdf q -Infinity',
      () => binomialCdf(1, 10, -Infinity),
      RangeError,
      /^binomialCdf: expected q to be a probability in \[0, 1\], got -Infinity$/,
    ],
  ];
  it.each(cases)('%s', (_, call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });
});

// ---------------------------------------------------------------------------------------------------
// Bonferroni's split checked in exact integer arithmetic, both ways: count·α never exceeds the total,
// and the next double up would.

/** The sign of count·a − total, computed exactly. */
function compareProduct(count: number, a: number, total: number): number {
  const A = binary(a),
    T = binary(total);
  const e = Math.min(A.e, T.e);
  const lhs = BigInt(count) * A.m * (1n << BigInt(A.e - e));
  const rhs = T.m * (1n << BigInt(T.e - e));
  return lhs === rhs ? 0 : lhs > rhs ? 1 : -1;
}

function nextUp(x: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) + 1n);
  return view.getFloat64(0);
}

describe('Bonferroni in exact arithmetic', () => {
  it('count·α ≤ total exactly, and the next double above α breaks it (the split is the largest that fits)', () => {
    let ties = 0;
    for (const total of [1e-6, 1e-3, 0.01, 0.05, 0.1, 0.3, 1 / 3, 0.7, 0.9]) {
      for (let count = 1; count <= 60; count++) {
        const a = bonferroni(total, count);
        expect(compareProduct(count, a, total), `${total}/${count}`).toBeLessThanOrEqual(0);
        expect(compareProduct(count, nextUp(a), total), `${total}/${count} is not the largest`).toBe(1);
        if (count * a === total) ties++; // rounded products equal to the total: where the error term decides
      }
    }
    expect(ties).toBeGreaterThan(50);
  });

  it('the same for counts of 2^27 and more, whose low half in the exact product is not zero', () => {
    for (const total of [1e-6, 0.01, 0.05, 0.1, 1 / 3, 0.7]) {
      for (const count of [2 ** 27 + 1, 3 * 2 ** 27 + 5, 1e9 + 7, 123456789012, 2 ** 40 + 3, 2 ** 52 - 1]) {
        const a = bonferroni(total, count);
        expect(compareProduct(count, a, total), `${total}/${count}`).toBeLessThanOrEqual(0);
        expect(compareProduct(count, nextUp(a), total), `${total}/${count} is not the largest`).toBe(1);
      }
    }
  });

  it('AlphaBudget.next refuses a label that is not a string, even one with a length', () => {
    const b = new AlphaBudget(1e-6, 2);
    expect(() => b.next(5 as never)).toThrow(/^AlphaBudget.next: expected label to be a non-empty string, got 5$/);
    expect(() => b.next(['x'] as never)).toThrow(
      /^AlphaBudget.next: expected label to be a non-empty string, got an array of length 1$/,
    );
    expect(b.remaining).toBe(2);
  });
});
