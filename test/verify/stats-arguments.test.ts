// Statistical helpers (src/verify/stats.ts), their argument checks: every bad argument throws, naming
// the function, the argument and the value (the later cases word for word). The radii and
// sample sizes are tested in stats.test.ts, the α budget in stats-alpha.test.ts.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
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
