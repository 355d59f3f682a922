// Edge cases of src/verify/stats.ts's exact tests and suite accounting that test/stats.test.ts leaves
// open: acceptance intervals whose tails equal α/2 exactly, binomialTest's and dkwSampleSize's refusals
// word for word, and Bonferroni's split checked in exact integer arithmetic, both ways: count·α never
// exceeds the total, and the next double up would.
import { describe, expect, it } from 'vitest';
import { AlphaBudget, binomialAcceptance, binomialTest, bonferroni, dkwSampleSize } from '../../src/verify/stats.ts';
import { binary } from '../support/exact-double.ts';

/** The sign of count·a − total, computed exactly. */
function compareProduct(count: number, a: number, total: number): number {
  const A = binary(a), T = binary(total);
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

describe('exact binomial acceptance', () => {
  it('a tail exactly α/2 is accepted: n = 2, q = 1/2, α = 1/2 accepts only 1 (P(X = 0) = P(X = 2) = 1/4 each)', () => {
    expect(binomialAcceptance(2, 0.5, 0.5)).toEqual({ lo: 1, hi: 1, pBelow: 0.25, pAbove: 0.25 });
    const r = binomialTest(1, 2, 0.5, 0.5);
    expect([r.ok, r.lo, r.hi]).toEqual([true, 1, 1]);
    expect(binomialTest(0, 2, 0.5, 0.5).ok).toBe(false);
  });

  it('binomialTest says whether the count is in the interval, in words', () => {
    expect(binomialTest(1, 2, 0.5, 0.5).message).toBe('1 successes in 2 trials is in [1, 1], the counts accepted for q = 0.5 at α = 0.5 (P(X ≤ 1) = 7.500e-1, P(X ≥ 1) = 7.500e-1)');
    expect(binomialTest(2, 2, 0.5, 0.5).message).toMatch(/^2 successes in 2 trials is not in \[1, 1\]/);
  });

  it('refusals name the argument and the value', () => {
    expect(() => binomialAcceptance(10, 1.5, 0.01)).toThrow(/^binomialAcceptance: expected q to be a probability in \[0, 1\], got 1.5$/);
    expect(() => binomialTest('3' as never, 10, 0.5, 0.01)).toThrow(/^binomialTest: expected k to be an integer count in \[0, n\], got "3"$/);
    expect(() => binomialTest(3, 10, 2, 0.01)).toThrow(/^binomialTest: expected q to be a probability in \[0, 1\], got 2$/);
    expect(() => binomialTest(3, 10, 0.5, 0)).toThrow(/^binomialTest: expected alpha to be a probability in \(0, 1\), got 0$/);
    expect(() => dkwSampleSize(0.1, 0)).toThrow(/^dkwSampleSize: expected alpha to be a probability in \(0, 1\), got 0$/);
    expect(() => dkwSampleSize(0.1, 1)).toThrow(/^dkwSampleSize: expected alpha to be a probability in \(0, 1\), got 1$/);
  });
});

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
    expect(() => b.next(['x'] as never)).toThrow(/^AlphaBudget.next: expected label to be a non-empty string, got an array of length 1$/);
    expect(b.remaining).toBe(2);
  });
});
