// The arbitraries keep the promises the property suite relies on: bounds, margins from kinks, shapes,
// and one naming rule (whatever gives an fc.Arbitrary is named …Arb; plain helpers are not).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as A from '../../src/testing/arbitraries.ts';

const sample = <T>(arb: fc.Arbitrary<T>, n = 300) => fc.sample(arb, { seed: 7, numRuns: n });

describe('arbitraries', () => {
  it('every exported arbitrary is named …Arb, and every name ending in Arb is an arbitrary or gives one', () => {
    let arbitraries = 0;
    for (const [name, value] of Object.entries(A)) {
      if (value instanceof fc.Arbitrary) arbitraries++;
      if (value instanceof fc.Arbitrary) expect(name, name).toMatch(/Arb$/);
      else if (name.endsWith('Arb')) expect(typeof value, name).toBe('function');
    }
    expect(arbitraries).toBeGreaterThanOrEqual(15);
  });
  it('values stay in their ranges and away from kinks by the stated margins', () => {
    for (const v of sample(A.boundedValueArb)) expect(Math.abs(v)).toBeLessThanOrEqual(A.VALUE_BOUND);
    for (const v of sample(A.positiveValueArb)) expect(v >= A.POSITIVE_MIN && v <= A.VALUE_BOUND).toBe(true);
    for (const v of sample(A.awayFromZeroValueArb)) expect(Math.abs(v)).toBeGreaterThanOrEqual(10 * A.KINK_MARGIN);
    for (const vs of sample(A.distinctValuesArb(6), 100)) {
      const sorted = [...vs].sort((a, b) => a - b);
      for (let i = 1; i < sorted.length; i++)
        expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(1.2 * A.KINK_MARGIN);
    }
    for (const k of sample(A.keepArb)) expect(k > 0 && k < 1).toBe(true);
  });
  it('tensors have the shape asked for, and distinct tensors share no value', () => {
    for (const t of sample(A.tensorOfShapeArb([2, 3]), 50)) expect([...t.shape, t.data.length]).toEqual([2, 3, 6]);
    for (const [a, b] of sample(A.distinctTensorsOfShapesArb([[2], [3]]), 50))
      expect(new Set([...a!.data, ...b!.data]).size).toBe(5);
  });
});
