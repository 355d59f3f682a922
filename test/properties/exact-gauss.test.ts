// Claim E-GAUSS's exact part through the engine: the moments of r/keep by enumerating r in Fractions,
// against the variance that gaussianDropout actually draws, measured by regressing its multipliers on
// an independent standard normal stream (seedrandom's Alea called directly, Box–Muller written here).
// The Fraction-only check is in exact.test.ts.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { type Tensor, applyMultiplier, gaussianDropout, key, normal, ones } from '../../src/index.ts';
import { aleaNormal } from './alea.ts';
import { observe, recorder, runs } from '../../src/testing/record.ts';
import { bernoulliInvertedMoments, gaussianMoments, toFraction } from '../../src/verify/rational.ts';
import { EXACT_BASES, approx } from './exact-shared.ts';

const { holds, check } = recorder(import.meta.url, { 'E-GAUSS': EXACT_BASES['E-GAUSS'] });

// ---------------------------------------------------------------------------------------------
// E-GAUSS: the variance gaussianDropout draws, measured

/**
 * The multipliers m_i of `op` (on x = 1) regressed on an independent standard normal stream z_i of
 * the same key: m_i = a + σ̂·z_i. Returns σ̂, the largest residual |m_i − 1 − σ̂·z_i| against its
 * rounding bound, and σ̂'s own rounding bound. The Gaussian N(1, σ²) has mean 1 and variance σ² by
 * definition, so this measures what the op draws, not what its code says.
 */
function measureGaussian(
  op: (k: ReturnType<typeof key>, x: Tensor, o: { rate: number; training: boolean }) => Tensor,
  rate: number,
  seed: number,
  N = 256,
) {
  const m = op(key(seed), ones([N]), { rate, training: true }).data;
  const z = aleaNormal(seed, N);
  // Σ z² and Σ z(m − 1) compensated (Neumaier): each within 2u of its value, so σ̂ = ratio within 5u of the exact ratio of the float terms
  const neumaier = (terms: number[]) => {
    let sum = 0,
      c = 0;
    for (const t of terms) {
      const next = sum + t;
      c += Math.abs(sum) >= Math.abs(t) ? sum - next + t : t - next + sum;
      sum = next;
    }
    return sum + c;
  };
  const szz = neumaier(z.map((v) => v * v));
  const szm = neumaier(z.map((v, i) => v * (m[i] - 1)));
  const sigma = szm / szz;
  const u = 2 ** -53;
  // m_i = fl(1 + fl(fl(σ·rad)·cos)): off from 1 + σ·z_i by u·|m_i| + 4u·|σ z_i| (z_i itself made as the engine makes it),
  // and the residual m_i − 1 − σ̂·z_i computed here adds 2u·|σ̂ z_i| (the product and the difference): e_i = u·|m_i| + 6u·|σ z_i|;
  // the regression carries those into σ̂: |σ̂ − σ| ≤ Σ e_i|z_i|/Σ z² + 8u|σ̂| (the products z_i·z_i, z_i·(m_i − 1) and the sums)
  const e = Array.from(m, (mi, i) => u * Math.abs(mi) + 6 * u * Math.abs(sigma * z[i]));
  const sigmaBound = e.reduce((s, ei, i) => s + ei * Math.abs(z[i]), 0) / szz + 8 * u * Math.abs(sigma);
  // the intercept: every residual within its rounding plus σ̂'s error times |z_i|, with a margin of 2 (the
  // itemized roundings can all align: fresh deep-run seeds reach 0.99 of the bound without it)
  let worst = 0;
  for (let i = 0; i < N; i++)
    worst = Math.max(worst, Math.abs(m[i] - 1 - sigma * z[i]) / (2 * (e[i] + sigmaBound * Math.abs(z[i])) + 1e-300));
  return { sigma, residualRatio: worst, sigmaBound };
}

describe('E-GAUSS (exact part, measured): gaussianDropout draws N(1, σ²) with σ² = Var(r/keep) = (1−keep)/keep', () => {
  const check1 = (op: Parameters<typeof measureGaussian>[0], rate: number, seed: number) => {
    const keep = toFraction(1).sub(toFraction(rate)); // keep = 1 − rate exactly
    const v = approx(bernoulliInvertedMoments(keep).variance); // Var(r/keep) by enumerating r, exactly, then rounded
    const { sigma, residualRatio, sigmaBound } = measureGaussian(op, rate, seed);
    const varErr = Math.abs(sigma * sigma - v);
    const varBound = 2 * Math.abs(sigma) * sigmaBound + sigmaBound ** 2 + 8 * 2 ** -53 * v; // + rounding of rate/(1 − rate), its sqrt and the square
    return {
      ok: residualRatio <= 1 && varErr <= varBound,
      ratio: Math.max(residualRatio, varErr / varBound),
      sigma,
      v,
    };
  };

  it('E-GAUSS: the multipliers are exactly 1 + σ̂·z (mean 1) on an independent normal stream, and σ̂² = Var(r/keep) from the enumeration, to rounding', () => {
    holds(
      fc.property(
        fc.oneof(fc.constantFrom(0.1, 0.2, 1 / 3, 0.5, 0.8), fc.double({ min: 0.01, max: 0.95, noNaN: true })),
        fc.nat({ max: 2 ** 31 - 1 }),
        (rate, seed) => {
          const r = check1(gaussianDropout, rate, seed);
          observe(r.ratio);
          if (!r.ok)
            throw new Error(
              `rate ${rate}: measured σ̂² = ${r.sigma ** 2}, Var(r/keep) = ${r.v} (ratio to the bound ${r.ratio})`,
            );
        },
      ),
      { numRuns: runs(100) },
      {
        basis: {
          reference:
            'Var(r/keep) by enumerating r ∈ {0, 1} in Fractions, against σ̂², the slope of gaussianDropout’s multipliers regressed on standard normal draws made here from seedrandom’s Alea (Box–Muller); the residuals show the intercept (the mean) is 1.',
          tolerance:
            'rounding: each multiplier within u|m| + 4u|σz| of 1 + σz (+ 2u|σz| for computing the residual), carried into σ̂ by the regression, a margin of 2 on the residuals; 8u of the variance (rate/(1 − rate), its square root, the square).',
        },
      },
    );
  });

  it('E-GAUSS: a gaussianDropout whose σ is off by 1e-6 relative, or whose σ² is rate instead of rate/keep, fails the measured check; the Fraction-only check (it restates the formula) passes either', () => {
    const bugs: Record<string, Parameters<typeof measureGaussian>[0]> = {
      'σ off by 1e-6': (k, x, o) =>
        applyMultiplier(x, normal(k, x.shape, 1, Math.sqrt(o.rate / (1 - o.rate)) * (1 + 1e-6))),
      'σ² = rate': (k, x, o) => applyMultiplier(x, normal(k, x.shape, 1, Math.sqrt(o.rate))),
      'mean 1 + 1e-9': (k, x, o) => applyMultiplier(x, normal(k, x.shape, 1 + 1e-9, Math.sqrt(o.rate / (1 - o.rate)))),
    };
    let cases = 0;
    for (const [name, op] of Object.entries(bugs)) {
      for (const rate of [0.1, 0.5, 0.8]) {
        const keep = toFraction(1).sub(toFraction(rate));
        expect(bernoulliInvertedMoments(keep).variance.equals(gaussianMoments(keep).variance), 'the old check').toBe(
          true,
        );
        expect(check1(op, rate, 7).ok, `${name} at rate ${rate}`).toBe(false);
        cases++;
      }
    }
    check({
      cases,
      ok: true,
      basis: {
        reference: 'three wrong Gaussian ops against the measured check above.',
        tolerance: 'as above; each wrong op must exceed it.',
      },
    });
  });
});
