// Statistical helpers (src/verify/stats.ts): radii against hand-computed values, sample sizes against
// the radii they invert, and one simulation per bound on the engine's keys; then edge cases: sample
// sizes at t exactly a radius, variance limits at a range other than 1, the sample variance against
// exact arithmetic. The argument checks are in stats-arguments.test.ts, the α budget and Bonferroni's
// split in stats-alpha.test.ts, the exact binomial tails and tests in binomial.test.ts.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as math from 'mathjs';
import { bernoulli, key, normal, uniform } from '../../src/engine/index.ts';
import {
  AlphaBudget,
  bernsteinRadius,
  bernsteinSampleSize,
  binomialAcceptance,
  binomialTest,
  dkwRadius,
  dkwSampleSize,
  empiricalBernsteinRadius,
  empiricalBernsteinSampleSize,
  hoeffdingRadius,
  hoeffdingSampleSize,
  ksStatistic,
} from '../../src/verify/stats.ts';
import { type Big, M, big, exactBig } from '../support/exact-double.ts';

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
// Edge cases of the radii and sample sizes: the variance limits (Popoviciu for a known variance,
// n·range²/(4(n − 1)) for a sample variance) at a range other than 1, the sample sizes when t is
// exactly a radius, and the sample variance against exact BigNumber arithmetic where the two-pass
// compensation matters. (Their argument checks, with exact messages, are in stats-arguments.test.ts.)

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
