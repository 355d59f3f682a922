// Edge cases of the radii and sample sizes in src/verify/stats.ts: argument checks that name the
// argument and the value (exact messages), the variance limits (Popoviciu for a known variance,
// n·range²/(4(n − 1)) for a sample variance) at a range other than 1, the sample sizes when t is
// exactly a radius, and the sample variance against exact BigNumber arithmetic where the two-pass
// compensation matters.
import { describe, expect, it } from 'vitest';
import {
  bernsteinRadius, bernsteinSampleSize, binomialCdf, empiricalBernsteinRadius, empiricalBernsteinSampleSize, hoeffdingRadius,
  hoeffdingSampleSize,
} from '../../src/verify/stats.ts';
import { type Big, M, big, exactBig } from '../support/exact-double.ts';

/** The unbiased sample variance Σ(x − x̄)²/(n − 1) of the doubles given, exactly (to 80 digits). */
function exactSampleVariance(xs: number[]): number {
  const b = xs.map(exactBig);
  const mean = M.divide(b.reduce((a, x) => M.add(a, x) as Big, big(0)), big(xs.length)) as Big;
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
    for (const [alpha, range] of [[0.05, 1], [1e-9, 3], [0.5, 0.25]]) {
      for (const n of ns) {
        const t = hoeffdingRadius(n, alpha, range);
        if (n > 1) expect(hoeffdingRadius(n - 1, alpha, range)).toBeGreaterThan(t);
        expect(hoeffdingSampleSize(t, alpha, range)).toBe(n);
      }
    }
  });

  it('bernsteinSampleSize(bernsteinRadius(n)) = n', () => {
    for (const [alpha, variance, range] of [[0.05, 0.01, 1], [1e-6, 0, 2], [0.3, 1, 2]]) {
      for (const n of ns) {
        const t = bernsteinRadius(n, alpha, variance, range);
        if (n > 1) expect(bernsteinRadius(n - 1, alpha, variance, range)).toBeGreaterThan(t);
        expect(bernsteinSampleSize(t, alpha, variance, range)).toBe(n);
      }
    }
  });

  it('empiricalBernsteinSampleSize(empiricalBernsteinRadius(n)) = n, for n ≥ 2', () => {
    for (const [alpha, vb, range] of [[0.05, 0.01, 1], [1e-6, 0, 2], [0.3, 1, 2]]) {
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
    for (const [x, n] of [[0.1, 3], [0.1, 10], [1 / 3, 7]]) {
      const xs = Array<number>(n).fill(x);
      for (const range of [1, 1e-30]) {
        expect(empiricalBernsteinRadius(xs, 0.01, range)).toBe(empiricalBernsteinRadius({ n, sampleVariance: 0 }, 0.01, range));
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
    ['hoeffdingSampleSize alpha 0', () => hoeffdingSampleSize(0.1, 0), RangeError, /^hoeffdingSampleSize: expected alpha to be a probability in \(0, 1\), got 0$/],
    ['hoeffdingSampleSize alpha 1.5', () => hoeffdingSampleSize(0.1, 1.5), RangeError, /^hoeffdingSampleSize: expected alpha to be a probability in \(0, 1\), got 1\.5$/],
    ['hoeffdingSampleSize range 0', () => hoeffdingSampleSize(0.1, 0.05, 0), RangeError, /^hoeffdingSampleSize: expected range to be a finite number > 0, got 0$/],
    ['bernsteinRadius n 0', () => bernsteinRadius(0, 0.05, 0.1, 1), RangeError, /^bernsteinRadius: expected n to be a positive integer, got 0$/],
    ['bernsteinSampleSize t -1', () => bernsteinSampleSize(-1, 0.05, 0.1, 1), RangeError, /^bernsteinSampleSize: expected t to be a finite number > 0, got -1$/],
    ['bernsteinSampleSize range NaN', () => bernsteinSampleSize(0.1, 0.05, 0.1, NaN), RangeError, /^bernsteinSampleSize: expected range to be a finite number > 0, got NaN$/],
    ['bernsteinSampleSize variance -1', () => bernsteinSampleSize(0.1, 0.05, -1, 1), RangeError, /^bernsteinSampleSize: expected variance to be a finite number ≥ 0, got -1$/],
    ['empiricalBernsteinRadius alpha 0', () => empiricalBernsteinRadius({ n: 5, sampleVariance: 0 }, 0, 1), RangeError, /^empiricalBernsteinRadius: expected alpha to be a probability in \(0, 1\), got 0$/],
    ['empiricalBernsteinRadius alpha 2', () => empiricalBernsteinRadius([0, 1], 2, 1), RangeError, /^empiricalBernsteinRadius: expected alpha to be a probability in \(0, 1\), got 2$/],
    ['empiricalBernsteinRadius range -2', () => empiricalBernsteinRadius([0, 1], 0.05, -2), RangeError, /^empiricalBernsteinRadius: expected range to be a finite number > 0, got -2$/],
    ['empiricalBernsteinRadius samples null', () => empiricalBernsteinRadius(null as unknown as number[], 0.05, 1), TypeError, /^empiricalBernsteinRadius: expected samples to be an array of numbers, got null$/],
    ['empiricalBernsteinRadius sampleVariance "0.1"', () => empiricalBernsteinRadius({ n: 5, sampleVariance: '0.1' as unknown as number }, 0.05, 1), TypeError, /^empiricalBernsteinRadius: expected samples\.sampleVariance to be a finite number ≥ 0, got "0\.1"$/],
    ['empiricalBernsteinRadius sampleVariance -0.1', () => empiricalBernsteinRadius({ n: 5, sampleVariance: -0.1 }, 0.05, 1), RangeError, /^empiricalBernsteinRadius: expected samples\.sampleVariance to be a finite number ≥ 0, got -0\.1$/],
    ['empiricalBernsteinRadius sampleVariance -Infinity', () => empiricalBernsteinRadius({ n: 5, sampleVariance: -Infinity }, 0.05, 1), RangeError, /^empiricalBernsteinRadius: expected samples\.sampleVariance to be a finite number ≥ 0, got -Infinity$/],
    ['empiricalBernsteinRadius sampleVariance Infinity', () => empiricalBernsteinRadius({ n: 5, sampleVariance: Infinity }, 0.05, 1), RangeError, /^empiricalBernsteinRadius: expected samples\.sampleVariance to be a finite number ≥ 0, got Infinity$/],
    ['empiricalBernsteinSampleSize t 0', () => empiricalBernsteinSampleSize(0, 0.05, 1, 0.1), RangeError, /^empiricalBernsteinSampleSize: expected t to be a finite number > 0, got 0$/],
    ['empiricalBernsteinSampleSize alpha 0', () => empiricalBernsteinSampleSize(0.1, 0, 1, 0.1), RangeError, /^empiricalBernsteinSampleSize: expected alpha to be a probability in \(0, 1\), got 0$/],
    ['empiricalBernsteinSampleSize alpha 1.5', () => empiricalBernsteinSampleSize(0.1, 1.5, 1, 0.1), RangeError, /^empiricalBernsteinSampleSize: expected alpha to be a probability in \(0, 1\), got 1\.5$/],
    ['empiricalBernsteinSampleSize range Infinity', () => empiricalBernsteinSampleSize(0.1, 0.05, Infinity, 0.1), RangeError, /^empiricalBernsteinSampleSize: expected range to be a finite number > 0, got Infinity$/],
    ['binomialCdf q -0.1', () => binomialCdf(1, 10, -0.1), RangeError, /^binomialCdf: expected q to be a probability in \[0, 1\], got -0\.1$/],
    ['binomialCdf q -Infinity', () => binomialCdf(1, 10, -Infinity), RangeError, /^binomialCdf: expected q to be a probability in \[0, 1\], got -Infinity$/],
  ];
  it.each(cases)('%s', (_, call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });
});
