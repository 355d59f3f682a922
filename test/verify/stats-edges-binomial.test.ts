// Edge cases of the exact binomial tails (src/verify/stats.ts): the ranges of the Stirling-series
// correction in the saddle-point pmf, the compensated and resynchronised tail sums at large n, the
// fast paths that return 1 − (the other tail) past the mode, the q = 0 / q = 1 logs, and the k
// argument check. References are exact: BigInt sums of the pmf (every double q is a dyadic rational),
// or the symmetry of Binomial(n, 1/2).
import { describe, expect, it } from 'vitest';
import { binomialCdf, binomialLogCdf, binomialLogSf, binomialSf } from '../../src/verify/stats.ts';
import { binary } from '../support/exact-double.ts';

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
  const [a, E] = dyadic(q), b = (1n << BigInt(E)) - a;
  let c = 1n, s = 0n;
  for (let j = 0; j <= n; j++) {
    if (upper ? j >= k : j <= k) s += c * a ** BigInt(j) * b ** BigInt(n - j);
    c = (c * BigInt(n - j)) / BigInt(j + 1);
  }
  const [m, ex] = dyadic(x), D = E * n; // compare m/2^ex with s/2^D, scaled by 2^(D + ex)
  const diff = m * (1n << BigInt(D)) - s * (1n << BigInt(ex));
  return (diff < 0n ? -diff : diff) << BigInt(bits) <= 1n << BigInt(D + ex);
}

/**
 * P(X ≤ k) and P(X ≥ k) at q = 1/2 correctly rounded: integer sums of binomial coefficients, rounded
 * once by Number(), then divided exactly by 2^n.
 */
function halfTails(k: number, n: number): { cdf: number; sf: number } {
  let c = 1n, below = 0n, above = 0n;
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
    for (const [k, n, q] of [[32, 44, 0.3], [46, 74, 0.3]]) {
      expect(withinExact(binomialCdf(k, n, q), k, n, q, false, 54), `P(X ≤ ${k}), n ${n}, q ${q}`).toBe(true);
    }
    for (const [k, n, q] of [[17, 42, 0.8], [16, 46, 0.75]]) {
      expect(withinExact(binomialSf(k, n, q), k, n, q, true, 54), `P(X ≥ ${k}), n ${n}, q ${q}`).toBe(true);
    }
  });

  it('far tails at n in the thousands: relative error ≤ 2e-15·max(10, |ln P|) against exact sums, down to 1e-300', () => {
    // ln P is a sum of terms hundreds in size, so its absolute error, the relative error of P, grows
    // with |ln P|. The deviance term x·ln(x/m) + m − x is the largest of them: computed directly, the
    // rounding of x/m alone costs x·2^-53, which broke this bound (1.4e-12 at n = 9000, P ≈ 3e-133).
    for (const [n, q] of [[9000, 0.5], [3000, 0.375], [1000, 0.75]]) {
      const [a, E] = dyadic(q), b = (1n << BigInt(E)) - a, D = BigInt(E * n);
      const bPow: bigint[] = [1n]; // b^i, built up once: a power per term would cost n big exponentiations
      for (let i = 1; i <= n; i++) bPow.push(bPow[i - 1] * b);
      const terms: bigint[] = []; // P(X = j)·2^D = C(n, j)·a^j·b^(n−j)
      for (let j = 0, c = 1n, aj = 1n; j <= n; c = (c * BigInt(n - j)) / BigInt(j + 1), aj *= a, j++) terms.push(c * aj * bPow[n - j]);
      const rel = (x: number, exact: bigint) => {
        const [m, ex] = dyadic(x); // x = m/2^ex against exact/2^D
        const d = (m << D) - (exact << BigInt(ex));
        return Number(((d < 0n ? -d : d) << 64n) / (exact << BigInt(ex))) / 2 ** 64;
      };
      let below = 0n, above = terms.reduce((s, t) => s + t, 0n);
      for (let k = 0; k <= n; k++) {
        below += terms[k]; // P(X ≤ k)
        for (const [x, exact, what] of [[binomialCdf(k, n, q), below, 'P(X ≤ k)'], [binomialSf(k, n, q), above, 'P(X ≥ k)']] as const) {
          if (x < 1e-300) continue;
          expect(rel(x, exact), `${what}, k ${k}, n ${n}, q ${q}: ${x}`).toBeLessThanOrEqual(2e-15 * Math.max(10, -Math.log(x)));
        }
        above -= terms[k]; // P(X ≥ k + 1)
      }
    }
  });

  it('ln P is +0 (ln 1) where the tail is certain: q = 0 for P(X ≤ k), q = 1 for P(X ≥ k)', () => {
    for (const [k, n] of [[0, 5], [1, 5], [3, 5], [4, 5], [1, 2]]) {
      expect(Object.is(binomialLogCdf(k, n, 0), 0), `ln P(X ≤ ${k}), n ${n}, q 0`).toBe(true);
      expect(Object.is(binomialLogSf(k + 1, n, 1), 0), `ln P(X ≥ ${k + 1}), n ${n}, q 1`).toBe(true);
    }
  });

  it('a k that is not a number is a TypeError naming k and the value', () => {
    expect(() => binomialCdf('3' as never, 10, 0.5)).toThrow(TypeError);
    expect(() => binomialCdf('3' as never, 10, 0.5)).toThrow(/^binomialCdf: expected k to be an integer, got "3"$/);
    expect(() => binomialLogSf(null as never, 10, 0.5)).toThrow(/^binomialLogSf: expected k to be an integer, got null$/);
  });
});
