// The exact binomial tails and tests (src/verify/binomial.ts): the tails against exact BigNumber sums
// (mathjs, 80 digits), their symmetry and monotonicity, the acceptance intervals (each tail ≤ α/2
// exactly, and tight) and binomialTest; then their edge cases: the Stirling-series ranges, the
// compensated tail sums at large n, the fast paths past the mode, q = 0 and q = 1, tails of exactly
// α/2, and the refusals word for word.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as math from 'mathjs';
import {
  binomialAcceptance,
  binomialCdf,
  binomialLogCdf,
  binomialLogSf,
  binomialSf,
  binomialTest,
} from '../../src/verify/binomial.ts';
import { dkwSampleSize } from '../../src/verify/stats.ts';
import { type Big, M, big, binary, exactBig } from '../support/exact-double.ts';

// ---------------------------------------------------------------------------------------------------
// Exact references: mathjs BigNumbers with 80 significant digits (./exact-double.ts).

/** P(X = j) for j = 0..n, exactly (to 80 digits), X ~ Binomial(n, q) with q the double given. */
function exactPmf(n: number, q: number): Big[] {
  const Q = exactBig(q);
  const P = M.subtract(big(1), Q) as Big;
  return Array.from(
    { length: n + 1 },
    (_, j) => M.multiply(M.multiply(M.combinations(big(n), big(j)), M.pow(Q, big(j))), M.pow(P, big(n - j))) as Big,
  );
}

/** Exact tails from the exact pmf: cdf[k] = P(X ≤ k), sf[k] = P(X ≥ k), for k = 0..n. */
function exactTails(pmf: Big[]) {
  const n = pmf.length - 1;
  const cdf: Big[] = [],
    sf: Big[] = new Array(n + 1);
  let acc = big(0);
  for (let k = 0; k <= n; k++) cdf.push((acc = M.add(acc, pmf[k]) as Big));
  acc = big(0);
  for (let k = n; k >= 0; k--) sf[k] = acc = M.add(acc, pmf[k]) as Big;
  return { cdf, sf };
}

const ln = (x: Big) => Number(M.log(x));
/** |ours − exact|/exact, in BigNumber so that exact values below the smallest double still compare. */
const relErr = (ours: number, exact: Big) => Number(M.divide(M.abs(M.subtract(exactBig(ours), exact)), exact));

// ---------------------------------------------------------------------------------------------------

describe('binomial tails', () => {
  const qs = [1e-100, 1e-5, 0.01, 0.1, 0.3, 0.5, 0.7, 0.99, 0.999999, 1 - 2 ** -20];
  const ns = [1, 2, 5, 10, 17, 31, 60];

  it('agree with exact BigNumber sums for n ≤ 60 to 1e-12 relative, down to tails of 1e-300 (and in log space below)', () => {
    let worst = 0,
      worstLog = 0,
      compared = 0;
    for (const n of ns) {
      for (const q of qs) {
        const { cdf, sf } = exactTails(exactPmf(n, q));
        for (let k = 0; k <= n; k++) {
          for (const [ours, oursLog, exact] of [
            [binomialCdf(k, n, q), binomialLogCdf(k, n, q), cdf[k]],
            [binomialSf(k, n, q), binomialLogSf(k, n, q), sf[k]],
          ] as const) {
            if (Number(exact) > 1e-300) {
              worst = Math.max(worst, relErr(ours, exact));
              compared++;
            }
            // ln P to 1e-12 absolute is P to 1e-12 relative; past ln P = −700 the log itself has ulps of 1e-13 and more
            const lnExact = ln(exact);
            worstLog = Math.max(worstLog, Math.abs(oursLog - lnExact) / Math.max(1, Math.abs(lnExact) / 700));
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(1000);
    expect(worst).toBeLessThan(1e-12);
    expect(worstLog).toBeLessThan(1e-12);
  });

  it('agree with exact BigNumber sums at n = 5000 and n = 20000, in the tails and the bulk', () => {
    for (const [n, q, ks] of [
      [5000, 0.3, [0, 1, 100, 1000, 1400, 1499, 1500, 1501, 1600, 2000, 4000, 5000]],
      [20000, 0.01, [0, 50, 150, 199, 200, 201, 260, 400, 1000]],
    ] as const) {
      // the pmf by its ratio recurrence, all in BigNumber
      const Q = exactBig(q),
        P = M.subtract(big(1), Q) as Big,
        odds = M.divide(Q, P) as Big;
      const pmf: Big[] = [M.pow(P, big(n)) as Big];
      for (let j = 0; j < n; j++)
        pmf.push(M.multiply(pmf[j], M.multiply(odds, M.divide(big(n - j), big(j + 1)))) as Big);
      const { cdf, sf } = exactTails(pmf);
      for (const k of ks) {
        expect(Math.abs(binomialLogCdf(k, n, q) - ln(cdf[k])), `ln P(X ≤ ${k}), n ${n}`).toBeLessThan(1e-12);
        expect(Math.abs(binomialLogSf(k, n, q) - ln(sf[k])), `ln P(X ≥ ${k}), n ${n}`).toBeLessThan(1e-12);
        if (Number(cdf[k]) > 1e-300)
          expect(relErr(binomialCdf(k, n, q), cdf[k]), `P(X ≤ ${k}), n ${n}`).toBeLessThan(1e-12);
        if (Number(sf[k]) > 1e-300)
          expect(relErr(binomialSf(k, n, q), sf[k]), `P(X ≥ ${k}), n ${n}`).toBeLessThan(1e-12);
      }
    }
  });

  it('extreme cases: q = 0, q = 1, k < 0, k > n, n = 0', () => {
    for (const [k, n] of [
      [0, 5],
      [3, 5],
      [5, 5],
      [0, 0],
    ]) {
      expect(binomialCdf(k, n, 0)).toBe(1); // X = 0
      expect(binomialSf(k, n, 0)).toBe(k === 0 ? 1 : 0);
      expect(binomialCdf(k, n, 1)).toBe(k >= n ? 1 : 0); // X = n
      expect(binomialSf(k, n, 1)).toBe(1);
    }
    expect(binomialLogSf(1, 5, 0)).toBe(-Infinity);
    expect(binomialLogCdf(4, 5, 1)).toBe(-Infinity);
    for (const q of [0, 0.3, 1]) {
      expect(binomialCdf(-1, 10, q)).toBe(0);
      expect(binomialCdf(-1e15, 10, q)).toBe(0);
      expect(binomialSf(11, 10, q)).toBe(0);
      expect(binomialSf(-3, 10, q)).toBe(1);
      expect(binomialCdf(10, 10, q)).toBe(1);
      expect(binomialCdf(12, 10, q)).toBe(1);
      expect(binomialLogCdf(-1, 10, q)).toBe(-Infinity);
      expect(binomialLogSf(0, 10, q)).toBe(0);
    }
    expect(binomialSf(10, 10, 0.5)).toBe(2 ** -10);
    expect(binomialCdf(0, 10, 0.5)).toBe(2 ** -10);
    // far below the smallest double: P(X ≥ 1000) = q^1000 at n = 1000
    expect(binomialSf(1000, 1000, 0.01)).toBe(0);
    expect(binomialLogSf(1000, 1000, 0.01)).toBeCloseTo(1000 * Math.log(0.01), 10);
    expect(binomialLogCdf(0, 1e6, 0.5)).toBeCloseTo(-1e6 * Math.LN2, 6);
  });

  it('symmetry: P_q(X ≤ k) = P_{1−q}(X ≥ n − k) (property; q dyadic so that 1 − q is exact)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3000 }),
        fc.integer({ min: 0, max: 2 ** 20 }),
        fc.double({ min: -0.01, max: 1.01, noNaN: true }),
        (n, m, u) => {
          const q = m / 2 ** 20;
          const k = Math.round(u * n);
          const a = binomialLogCdf(k, n, q),
            b = binomialLogSf(n - k, n, 1 - q);
          if (a === -Infinity || b === -Infinity) expect(a).toBe(b);
          else expect(Math.abs(a - b)).toBeLessThan(1e-12 * Math.max(1, Math.abs(a)));
          expect(Math.abs(binomialCdf(k, n, q) - binomialSf(n - k, n, 1 - q))).toBeLessThanOrEqual(
            1e-12 * binomialCdf(k, n, q) + 1e-300,
          );
        },
      ),
    );
  });

  it('monotone in k, complementary, and its differences are probabilities (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, q) => {
        let prevCdf = 0,
          prevSf = 1;
        for (let k = -1; k <= n + 1; k++) {
          const c = binomialCdf(k, n, q),
            s = binomialSf(k, n, q);
          expect(c).toBeGreaterThanOrEqual(prevCdf);
          expect(s).toBeLessThanOrEqual(prevSf);
          expect(c >= 0 && c <= 1 && s >= 0 && s <= 1).toBe(true);
          expect(Math.abs(c + binomialSf(k + 1, n, q) - 1)).toBeLessThan(1e-14); // P(X ≤ k) + P(X > k) = 1
          prevCdf = c;
          prevSf = s;
        }
        expect(prevCdf).toBe(1);
        expect(prevSf).toBe(0);
      }),
    );
  });

  it('n = 1e6 is fast and agrees with the normal approximation in the bulk', () => {
    const n = 1e6,
      q = 0.3,
      mu = n * q,
      sd = Math.sqrt(n * q * (1 - q));
    const Phi = (z: number) => 0.5 * (1 + (math.erf(z / Math.SQRT2) as number));
    const t0 = performance.now();
    for (let z = -4; z <= 4; z += 0.25) {
      const k = Math.round(mu + z * sd);
      const zc = (k + 0.5 - mu) / sd; // with continuity correction
      expect(Math.abs(binomialCdf(k, n, q) - Phi(zc)), `z ${z}`).toBeLessThan(2e-3);
      expect(Math.abs(binomialSf(k + 1, n, q) - (1 - Phi(zc))), `z ${z}`).toBeLessThan(2e-3);
    }
    expect(performance.now() - t0).toBeLessThan(2000); // about 10 ms; generous for slow machines
    // n = 1e7: an acceptance interval costs a few dozen tail sums of ~1e4 terms
    const t1 = performance.now();
    const { lo, hi } = binomialAcceptance(1e7, 0.5, 1e-9);
    expect(performance.now() - t1).toBeLessThan(5000);
    expect(lo + hi).toBe(1e7); // symmetric at q = 1/2
    expect((hi - 5e6) / Math.sqrt(2.5e6)).toBeCloseTo(6.11, 1); // Φ(−6.11) ≈ 5e-10
  });
});

describe('binomialAcceptance and binomialTest', () => {
  it('each tail is ≤ α/2 exactly, and the interval is tight: moving lo up or hi down breaks the bound', () => {
    for (const n of [0, 1, 5, 20, 60]) {
      for (const q of [1e-5, 0.05, 0.3, 0.5, 0.9, 0.999]) {
        const { cdf, sf } = exactTails(exactPmf(n, q));
        for (const alpha of [0.9, 0.5, 0.05, 1e-3, 1e-9]) {
          const half = M.divide(exactBig(alpha), big(2)) as Big;
          const { lo, hi, pBelow, pAbove } = binomialAcceptance(n, q, alpha);
          const at = `n ${n}, q ${q}, α ${alpha}: [${lo}, ${hi}]`;
          expect(0 <= lo && lo <= hi && hi <= n, at).toBe(true);
          const below = lo > 0 ? cdf[lo - 1] : big(0),
            above = hi < n ? sf[hi + 1] : big(0);
          expect(M.smallerEq(below, half), at).toBe(true);
          expect(M.smallerEq(above, half), at).toBe(true);
          if (lo < n) expect(M.larger(cdf[lo], half), at).toBe(true); // P(X < lo + 1) > α/2
          if (hi > 0) expect(M.larger(sf[hi], half), at).toBe(true); // P(X > hi − 1) > α/2
          expect(Math.abs(pBelow - Number(below))).toBeLessThanOrEqual(1e-12 * pBelow);
          expect(Math.abs(pAbove - Number(above))).toBeLessThanOrEqual(1e-12 * pAbove);
        }
      }
    }
  });

  it('degenerate q: every trial fails (q = 0) or succeeds (q = 1)', () => {
    expect(binomialAcceptance(50, 0, 1e-9)).toEqual({ lo: 0, hi: 0, pBelow: 0, pAbove: 0 });
    expect(binomialAcceptance(50, 1, 1e-9)).toEqual({ lo: 50, hi: 50, pBelow: 0, pAbove: 0 });
    expect(binomialAcceptance(0, 0.5, 1e-9)).toEqual({ lo: 0, hi: 0, pBelow: 0, pAbove: 0 });
  });

  it('tails ≤ α/2 and tightness for large n, by the functions themselves (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200_000 }),
        fc.double({ min: 1e-6, max: 1 - 1e-6, noNaN: true }),
        fc.double({ min: -25, max: -0.1, noNaN: true }),
        (n, q, log10a) => {
          const alpha = 10 ** log10a;
          const { lo, hi, pBelow, pAbove } = binomialAcceptance(n, q, alpha);
          expect(pBelow).toBe(binomialCdf(lo - 1, n, q));
          expect(pAbove).toBe(binomialSf(hi + 1, n, q));
          expect(pBelow).toBeLessThanOrEqual(alpha / 2);
          expect(pAbove).toBeLessThanOrEqual(alpha / 2);
          if (lo < n) expect(binomialCdf(lo, n, q)).toBeGreaterThan(alpha / 2);
          if (hi > 0) expect(binomialSf(hi, n, q)).toBeGreaterThan(alpha / 2);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('binomialTest accepts exactly the interval and reports both tails', () => {
    const { lo, hi } = binomialAcceptance(1000, 0.3, 1e-6);
    expect([lo, hi]).toEqual([231, 372]);
    for (const [k, ok] of [
      [lo - 1, false],
      [lo, true],
      [300, true],
      [hi, true],
      [hi + 1, false],
    ] as const) {
      const r = binomialTest(k, 1000, 0.3, 1e-6);
      expect(r.ok, `k ${k}`).toBe(ok);
      expect([r.lo, r.hi]).toEqual([lo, hi]);
      expect(r.pLow).toBe(binomialCdf(k, 1000, 0.3));
      expect(r.pHigh).toBe(binomialSf(k, 1000, 0.3));
    }
    expect(binomialTest(230, 1000, 0.3, 1e-6).message).toMatch(
      /^230 successes in 1000 trials is not in \[231, 372\], the counts accepted for q = 0.3 at α = 0.000001 \(P\(X ≤ 230\) = /,
    );
    expect(binomialTest(0, 0, 0.5, 0.01).ok).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------
// Edge cases: the ranges of the Stirling-series correction in the saddle-point pmf, the compensated
// and resynchronised tail sums at large n, the fast paths that return 1 − (the other tail) past the
// mode, the q = 0 / q = 1 logs, and the k argument check. References are exact: BigInt sums of the
// pmf (every double q is a dyadic rational), or the symmetry of Binomial(n, 1/2).

/** A finite double x ≥ 0 as m / 2^e with m, e integers (e ≥ 0): every double is such a dyadic rational. */
function dyadic(x: number): [bigint, number] {
  let { m, e } = binary(x);
  while (e < 0 && m !== 0n && (m & 1n) === 0n) [m, e] = [m >> 1n, e + 1]; // lowest terms: 1/2 is 1/2^1, not 2^52/2^53
  return e >= 0 ? [m << BigInt(e), 0] : [m, -e];
}

/**
 * |x − P(X ≤ k)| (upper = false) or |x − P(X ≥ k)| (upper = true) ≤ 2^-bits, decided exactly in
 * BigInt: with q = a/2^E, P(X = j) = C(n, j)·a^j·(2^E − a)^(n−j) / 2^(E·n).
 */
function withinExact(x: number, k: number, n: number, q: number, upper: boolean, bits: number): boolean {
  const [a, E] = dyadic(q),
    b = (1n << BigInt(E)) - a;
  let c = 1n,
    s = 0n;
  for (let j = 0; j <= n; j++) {
    if (upper ? j >= k : j <= k) s += c * a ** BigInt(j) * b ** BigInt(n - j);
    c = (c * BigInt(n - j)) / BigInt(j + 1);
  }
  const [m, ex] = dyadic(x),
    D = E * n; // compare m/2^ex with s/2^D, scaled by 2^(D + ex)
  const diff = m * (1n << BigInt(D)) - s * (1n << BigInt(ex));
  return (diff < 0n ? -diff : diff) << BigInt(bits) <= 1n << BigInt(D + ex);
}

/**
 * P(X ≤ k) and P(X ≥ k) at q = 1/2 correctly rounded: integer sums of binomial coefficients, rounded
 * once by Number(), then divided exactly by 2^n.
 */
function halfTails(k: number, n: number): { cdf: number; sf: number } {
  let c = 1n,
    below = 0n,
    above = 0n;
  for (let j = 0; j <= n; j++) {
    if (j <= k) below += c;
    if (j >= k) above += c;
    c = (c * BigInt(n - j)) / BigInt(j + 1);
  }
  return { cdf: Number(below) / 2 ** n, sf: Number(above) / 2 ** n };
}

describe('binomial tails: edge cases', () => {
  it('at q = 1/2 and k = n/2 the tails are exact to a few ulps for n/2 in every range of the Stirling correction', () => {
    // ln P(X = k) is a few ulps of its own size (≈ 2 here); the tail sums add a few ulps more. k and
    // n − k = n/2 take stirlerr's table (≤ 15) and its 5-, 4- and 3-term series (16–35, 36–80, 81–500).
    for (const n of [20, 30, 32, 34, 40, 64, 72, 100, 160, 162, 200, 400]) {
      const k = n / 2;
      const { cdf, sf } = halfTails(k, n); // both ≈ 1/2: within an ulp of ln 2 in the log
      expect(Math.abs(binomialLogCdf(k, n, 0.5) - Math.log(cdf)), `ln P(X ≤ ${k}), n ${n}`).toBeLessThan(2e-15);
      expect(Math.abs(binomialLogSf(k, n, 0.5) - Math.log(sf)), `ln P(X ≥ ${k}), n ${n}`).toBeLessThan(2e-15);
      expect(Math.abs(binomialCdf(k, n, 0.5) / cdf - 1), `P(X ≤ ${k}), n ${n}`).toBeLessThan(2e-15);
      expect(Math.abs(binomialSf(k, n, 0.5) / sf - 1), `P(X ≥ ${k}), n ${n}`).toBeLessThan(2e-15);
    }
  });

  it('at q = 1/2 and odd n, P(X ≤ (n − 1)/2) = P(X ≥ (n + 1)/2) = 1/2 to a few ulps up to n = 1e10 + 1', () => {
    // Thousands to millions of terms: the compensated sum, the 2^-60 stopping rule and the resync with
    // the saddle point every 64 terms keep the sum of ~1e5 terms at n = 1e10 to ~1 ulp.
    for (const n of [1e6 + 1, 1e8 + 1, 1e10 + 1]) {
      const k = (n - 1) / 2;
      expect(Math.abs(binomialCdf(k, n, 0.5) - 0.5), `P(X ≤ ${k}), n ${n}`).toBeLessThan(1e-15);
      expect(Math.abs(binomialSf(k + 1, n, 0.5) - 0.5), `P(X ≥ ${k + 1}), n ${n}`).toBeLessThan(1e-15);
      expect(Math.abs(binomialLogCdf(k, n, 0.5) + Math.LN2), `ln P(X ≤ ${k}), n ${n}`).toBeLessThan(2e-15);
    }
  });

  it('past the mode, the tail holding the mode is 1 − the other tail: P(X ≤ k) + P(X > k) is exactly 1', () => {
    for (const q of [0.123, 0.3, 0.5]) {
      for (const n of [17, 20, 29, 31, 39, 41, 44, 58]) {
        for (let k = 0; k < n; k++) {
          if (k > n * q || k + 1 < n * q) {
            expect(binomialCdf(k, n, q) + binomialSf(k + 1, n, q), `k ${k}, n ${n}, q ${q}`).toBe(1);
          }
        }
      }
    }
  });

  it('tails near 1 are 1 − (a tail of ~1e-9) rounded once: within half an ulp (2^-54 below 1) of the exact value', () => {
    for (const [k, n, q] of [
      [32, 44, 0.3],
      [46, 74, 0.3],
    ]) {
      expect(withinExact(binomialCdf(k, n, q), k, n, q, false, 54), `P(X ≤ ${k}), n ${n}, q ${q}`).toBe(true);
    }
    for (const [k, n, q] of [
      [17, 42, 0.8],
      [16, 46, 0.75],
    ]) {
      expect(withinExact(binomialSf(k, n, q), k, n, q, true, 54), `P(X ≥ ${k}), n ${n}, q ${q}`).toBe(true);
    }
  });

  it('far tails at n in the thousands: relative error ≤ 2e-15·max(10, |ln P|) against exact sums, down to 1e-300', () => {
    // ln P is a sum of terms hundreds in size, so its absolute error, the relative error of P, grows
    // with |ln P|. The deviance term x·ln(x/m) + m − x is the largest of them: computed directly, the
    // rounding of x/m alone costs x·2^-53, which broke this bound (1.4e-12 at n = 9000, P ≈ 3e-133).
    for (const [n, q] of [
      [9000, 0.5],
      [3000, 0.375],
      [1000, 0.75],
    ]) {
      const [a, E] = dyadic(q),
        b = (1n << BigInt(E)) - a,
        D = BigInt(E * n);
      const bPow: bigint[] = [1n]; // b^i, built up once: a power per term would cost n big exponentiations
      for (let i = 1; i <= n; i++) bPow.push(bPow[i - 1] * b);
      const terms: bigint[] = []; // P(X = j)·2^D = C(n, j)·a^j·b^(n−j)
      for (let j = 0, c = 1n, aj = 1n; j <= n; c = (c * BigInt(n - j)) / BigInt(j + 1), aj *= a, j++)
        terms.push(c * aj * bPow[n - j]);
      const rel = (x: number, exact: bigint) => {
        const [m, ex] = dyadic(x); // x = m/2^ex against exact/2^D
        const d = (m << D) - (exact << BigInt(ex));
        return Number(((d < 0n ? -d : d) << 64n) / (exact << BigInt(ex))) / 2 ** 64;
      };
      let below = 0n,
        above = terms.reduce((s, t) => s + t, 0n);
      for (let k = 0; k <= n; k++) {
        below += terms[k]; // P(X ≤ k)
        for (const [x, exact, what] of [
          [binomialCdf(k, n, q), below, 'P(X ≤ k)'],
          [binomialSf(k, n, q), above, 'P(X ≥ k)'],
        ] as const) {
          if (x < 1e-300) continue;
          expect(rel(x, exact), `${what}, k ${k}, n ${n}, q ${q}: ${x}`).toBeLessThanOrEqual(
            2e-15 * Math.max(10, -Math.log(x)),
          );
        }
        above -= terms[k]; // P(X ≥ k + 1)
      }
    }
  });

  it('ln P is +0 (ln 1) where the tail is certain: q = 0 for P(X ≤ k), q = 1 for P(X ≥ k)', () => {
    for (const [k, n] of [
      [0, 5],
      [1, 5],
      [3, 5],
      [4, 5],
      [1, 2],
    ]) {
      expect(Object.is(binomialLogCdf(k, n, 0), 0), `ln P(X ≤ ${k}), n ${n}, q 0`).toBe(true);
      expect(Object.is(binomialLogSf(k + 1, n, 1), 0), `ln P(X ≥ ${k + 1}), n ${n}, q 1`).toBe(true);
    }
  });

  it('a k that is not a number is a TypeError naming k and the value', () => {
    expect(() => binomialCdf('3' as never, 10, 0.5)).toThrow(TypeError);
    expect(() => binomialCdf('3' as never, 10, 0.5)).toThrow(/^binomialCdf: expected k to be an integer, got "3"$/);
    expect(() => binomialLogSf(null as never, 10, 0.5)).toThrow(
      /^binomialLogSf: expected k to be an integer, got null$/,
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// Acceptance intervals whose tails equal α/2 exactly, and binomialTest's and dkwSampleSize's refusals
// word for word.

describe('exact binomial acceptance', () => {
  it('a tail exactly α/2 is accepted: n = 2, q = 1/2, α = 1/2 accepts only 1 (P(X = 0) = P(X = 2) = 1/4 each)', () => {
    expect(binomialAcceptance(2, 0.5, 0.5)).toEqual({ lo: 1, hi: 1, pBelow: 0.25, pAbove: 0.25 });
    const r = binomialTest(1, 2, 0.5, 0.5);
    expect([r.ok, r.lo, r.hi]).toEqual([true, 1, 1]);
    expect(binomialTest(0, 2, 0.5, 0.5).ok).toBe(false);
  });

  it('binomialTest says whether the count is in the interval, in words', () => {
    expect(binomialTest(1, 2, 0.5, 0.5).message).toBe(
      '1 successes in 2 trials is in [1, 1], the counts accepted for q = 0.5 at α = 0.5 (P(X ≤ 1) = 7.500e-1, P(X ≥ 1) = 7.500e-1)',
    );
    expect(binomialTest(2, 2, 0.5, 0.5).message).toMatch(/^2 successes in 2 trials is not in \[1, 1\]/);
  });

  it('refusals name the argument and the value', () => {
    expect(() => binomialAcceptance(10, 1.5, 0.01)).toThrow(
      /^binomialAcceptance: expected q to be a probability in \[0, 1\], got 1.5$/,
    );
    expect(() => binomialTest('3' as never, 10, 0.5, 0.01)).toThrow(
      /^binomialTest: expected k to be an integer count in \[0, n\], got "3"$/,
    );
    expect(() => binomialTest(3, 10, 2, 0.01)).toThrow(
      /^binomialTest: expected q to be a probability in \[0, 1\], got 2$/,
    );
    expect(() => binomialTest(3, 10, 0.5, 0)).toThrow(
      /^binomialTest: expected alpha to be a probability in \(0, 1\), got 0$/,
    );
    expect(() => dkwSampleSize(0.1, 0)).toThrow(
      /^dkwSampleSize: expected alpha to be a probability in \(0, 1\), got 0$/,
    );
    expect(() => dkwSampleSize(0.1, 1)).toThrow(
      /^dkwSampleSize: expected alpha to be a probability in \(0, 1\), got 1$/,
    );
  });
});
