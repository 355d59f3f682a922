// Statistical helpers (src/verify/stats.ts), the α budget: bonferroni and AlphaBudget, and Bonferroni's
// split checked in exact integer arithmetic. The radii and sample sizes are tested in stats.test.ts.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AlphaBudget, bonferroni } from '../../src/verify/stats.ts';
import { binary } from '../support/exact-double.ts';

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
