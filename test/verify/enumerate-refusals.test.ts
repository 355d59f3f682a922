// Exact mask enumeration (src/verify/enumerate.ts), every refusal word for word: so a check that is
// skipped cannot hide behind a later, vaguer error.
import { describe, expect, it } from 'vitest';
import { tensor } from '../../src/index.ts';
import {
  CompensatedVector,
  MAX_UNITS,
  ensembleMeanVector,
  ensembleStats,
  forEachLinearMask,
  forEachMask,
  renormalizedGeometricMean,
  softmaxOf,
} from '../../src/verify/enumerate.ts';

const noop = () => {};
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The whole message, anchored: nothing may be added or left out. */
const exactly = (s: string) => new RegExp(`^${escape(s)}$`);

describe('refusals, word for word', () => {
  it('n: the range, and the reason only for integers above 24', () => {
    const msg = (n: string) =>
      `forEachMask: expected n (the number of units) to be an integer from 0 to ${MAX_UNITS}, got ${n}`;
    expect(() => forEachMask(-1, 0.5, noop)).toThrow(exactly(msg('-1')));
    expect(() => forEachMask(30.5, 0.5, noop)).toThrow(exactly(msg('30.5')));
    expect(() => forEachMask(25, 0.5, noop)).toThrow(
      exactly(`${msg('25')} (2^25 masks is too many to enumerate; sample masks instead)`),
    );
  });

  it('per-unit keep values outside [0, 1] or not numbers', () => {
    const msg = (i: number, v: string) =>
      `forEachMask: expected keep[${i}] (the keep probability of unit ${i}) to be in [0, 1], got ${v}`;
    expect(() => forEachMask(2, [0.5, -0.25], noop)).toThrow(exactly(msg(1, '-0.25')));
    expect(() => forEachMask(2, [NaN, 0.5], noop)).toThrow(exactly(msg(0, 'NaN')));
    expect(() => forEachMask(2, [0.5, '1'] as never, noop)).toThrow(exactly(msg(1, '"1"')));
  });

  it('f that is not a function, named f, in every ensemble function', () => {
    expect(() => ensembleMeanVector(1, 0.5, 7 as never)).toThrow(
      exactly('ensembleMeanVector: expected f to be a function, got 7'),
    );
    expect(() => ensembleStats(1, 0.5, 'f' as never)).toThrow(
      exactly('ensembleStats: expected f to be a function, got "f"'),
    );
    expect(() => renormalizedGeometricMean(1, 0.5, null as never)).toThrow(
      exactly('renormalizedGeometricMean: expected f to be a function, got null'),
    );
  });

  it('ensembleStats options that are not an object', () => {
    for (const [bad, shown] of [
      [null, 'null'],
      ['variance', '"variance"'],
      [5, '5'],
    ] as const) {
      expect(() => ensembleStats(1, 0.5, () => 0.5, bad as never), shown).toThrow(
        exactly(`ensembleStats: expected options { variance?, geometric? }, got ${shown}`),
      );
    }
  });

  it('outputs outside [0, 1] when geometric means are asked for', () => {
    expect(() => ensembleStats(1, 0.5, (m) => (m[0] ? 1.5 : 0.5))).toThrow(
      exactly(
        'ensembleStats: geometric means need outputs in [0, 1], but f returned 1.5 for mask [1] (pass { geometric: false } for mean and variance only)',
      ),
    );
    expect(() => ensembleStats(1, 0.5, (m) => (m[0] ? -0.5 : 0.5))).toThrow(/but f returned -0.5 for mask \[1\]/);
    expect(() => ensembleStats(1, 0.5, () => -0)).not.toThrow();
    expect(() => renormalizedGeometricMean(1, 0.5, (m) => (m[0] ? [0.5, -0.5] : [0.5, 0.5]))).toThrow(
      exactly(
        'renormalizedGeometricMean: expected f to return probabilities in [0, 1], got -0.5 for class 1 under mask [1]',
      ),
    );
    expect(() => renormalizedGeometricMean(1, 0.5, () => [NaN])).toThrow(/got NaN for class 0 under mask \[0\]$/);
  });

  it('an output length that changes after a first empty output', () => {
    expect(() => ensembleMeanVector(1, 0.5, (m) => (m[0] ? [1, 2, 3] : []))).toThrow(
      exactly(
        'ensembleMeanVector: expected f to return the same number of values for every mask: 0 for the first mask, 3 for mask [1]',
      ),
    );
    expect(Array.from(ensembleMeanVector(2, 0.5, () => []))).toEqual([]);
  });

  it('vector arguments of the linear walk: a Tensor of the wrong shape, or not an array at all', () => {
    const W = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(() => forEachLinearMask(W, tensor([1, 2, 3]), [1, 2, 3], 0.5, noop)).toThrow(
      exactly('forEachLinearMask: expected b to have shape [2] (one value per column of W), got shape [3]'),
    );
    expect(() => forEachLinearMask(W, null, 5 as never, 0.5, noop)).toThrow(
      exactly('forEachLinearMask: expected y to be a Tensor or an array of 3 numbers (one value per row of W), got 5'),
    );
    expect(() => forEachLinearMask(W, null, 'abc' as never, 0.5, noop)).toThrow(
      /expected y to be a Tensor or an array of 3 numbers/,
    );
  });

  it('softmaxOf: out must be a Float64Array', () => {
    expect(() => softmaxOf([1, 2], [0, 0] as never)).toThrow(
      exactly('softmaxOf: expected out to be a Float64Array, got an array of length 2'),
    );
  });

  it('CompensatedVector lengths: 0 and 2^28 are accepted, −1 and 2^28 + 1 refused before allocating', () => {
    const msg = (v: string) => `CompensatedVector: expected length to be an integer in [0, 2^28], got ${v}`;
    expect(() => new CompensatedVector(-1)).toThrow(exactly(msg('-1')));
    expect(() => new CompensatedVector(2 ** 28 + 1)).toThrow(exactly(msg(String(2 ** 28 + 1))));
    expect(new CompensatedVector(0).value()).toEqual(new Float64Array(0));
    // 2 GiB each for the sum and the carry, reserved but never touched, so the pages are not committed
    expect(new CompensatedVector(2 ** 28).length).toBe(2 ** 28);
  });
});
