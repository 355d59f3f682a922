// The elementwise ops and the softmax family against mathjs BigNumbers at 50 digits (decimal
// arithmetic, never Math.*), to the accuracy V8's Math functions document, in units of u = 2^−53
// relative: exp, log, pow < 1 ulp (≤ 2u); sqrt correctly rounded (≤ 1u); tanh < 2 ulp (≤ 4u);
// sigmoid 1/(1 + e^−x): exp's 2u scaled by e^−x/(1 + e^−x) ≤ 1, plus the add and the divide (≤ 4u).
// logSumExp and softmax subtract the maximum first: the subtraction's rounding is amplified by the
// exp, so their bounds grow with the spread of the row (stated per test). Fixed fast-check seed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exp, log, logSumExp, pow, sigmoid, softmax, sqrt, tanh, tensor } from '../../src/index.ts';
import { REF, big, errorInU, expectWithinU } from '../support/bignumber-reference.ts';

const real = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
const positive = fc.double({ min: 1e-300, max: 1e300, noNaN: true });

describe('elementwise ops against BigNumber references', () => {
  it('exp (≤ 2u), log and sqrt (≤ 2u, ≤ 1u), tanh (≤ 4u), sigmoid (≤ 4u), pow (≤ 2u)', () => {
    fc.assert(
      fc.property(fc.array(real(-700, 700), { minLength: 1, maxLength: 8 }), fc.array(positive, { minLength: 1, maxLength: 8 }), (xs, ps) => {
        expectWithinU(exp(tensor(xs)).data, xs.map(REF.exp), 2, 'exp');
        expectWithinU(log(tensor(ps)).data, ps.map(REF.log), 2, 'log');
        expectWithinU(sqrt(tensor(ps)).data, ps.map(REF.sqrt), 1, 'sqrt');
        expectWithinU(tanh(tensor(xs)).data, xs.map(REF.tanh), 4, 'tanh');
        const moderate = xs.map((x) => x / 20); // sigmoid saturates to 0 below −745·…: keep its values normal
        expectWithinU(sigmoid(tensor(moderate)).data, moderate.map(REF.sigmoid), 4, 'sigmoid');
      }),
      { numRuns: 60 },
    );
    fc.assert(
      fc.property(fc.array(real(1e-3, 1e3), { minLength: 1, maxLength: 6 }), real(-4, 4), (bs, e) => {
        expectWithinU(pow(tensor(bs), e).data, bs.map((b) => REF.pow(b, e)), 2, `pow(·, ${e})`);
      }),
      { numRuns: 60 },
    );
  });

  it('logSumExp within 2u·(2 + |max| + n) + 2u·|lse| absolutely, softmax within (2·spread + 8)u relatively', () => {
    // lse = m + log Σ exp(x_i − m): each x_i − m rounds by u·|x_i − m| ≤ u·spread, exp by 2u, the sum
    // by n·u, the log by 2u, the final m + log by u·|lse|; softmax divides exp(x_i − m) by the sum
    fc.assert(
      fc.property(fc.array(real(-50, 50), { minLength: 1, maxLength: 6 }), (xs) => {
        const m = Math.max(...xs);
        const spread = m - Math.min(...xs);
        const lse = logSumExp(tensor(xs)).item();
        const ref = REF.logSumExp(xs);
        const absErr = big(lse).minus(ref).abs().toNumber();
        expect(absErr).toBeLessThanOrEqual(2 ** -52 * (2 + spread + xs.length + Math.abs(lse)));
        expectWithinU(softmax(tensor(xs)).data, REF.softmax(xs), 2 * spread + 8 + 2 * xs.length, 'softmax');
      }),
      { numRuns: 60 },
    );
  });

  it('the reference can fail: exp computed as Math.pow(Math.E, x) passes a Math-against-Math check at 1e-12 but not the BigNumber one', () => {
    // Math.E is e rounded; e^x from it is off by x·(its rounding), several ulps once |x| ≳ 5
    const xs = [7.3, -12.5, 20.25, 33.1];
    const wrong = xs.map((x) => Math.pow(Math.E, x));
    xs.forEach((x, i) => expect(Math.abs(wrong[i] - Math.exp(x))).toBeLessThanOrEqual(1e-12 * Math.exp(x))); // the old kind of check
    expect(() => expectWithinU(wrong, xs.map(REF.exp), 2, 'Math.pow(Math.E, x)')).toThrow(/u > 2 u/);
    expect(Math.max(...xs.map((x, i) => errorInU(wrong[i], REF.exp(x))))).toBeGreaterThan(2);
    // and a length mismatch fails
    expect(() => expectWithinU([1], [], 2)).toThrow();
  });
});
