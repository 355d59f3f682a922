// Edge cases of exact mask enumeration (src/verify/enumerate.ts) that the main suite leaves open:
// the exact wording of every refusal (so a check that is skipped cannot hide behind a later, vaguer
// error), the compensated sums' branch for a term larger than the running sum, the variance of a
// constant output when the mean carries rounding, masks of probability 0 in the geometric mean,
// outputs far below the normal range, and the incremental walk's drift between recomputes.
import { describe, expect, it } from 'vitest';
import { softmax, tensor } from '../../src/index.ts';
import {
  CompensatedSum, CompensatedVector, MAX_UNITS, RECOMPUTE_BITS, ensembleMean, ensembleMeanVector, ensembleStats, forEachLinearMask,
  forEachLinearMaskDirect, forEachMask, renormalizedGeometricMean, softmaxOf,
} from '../../src/verify/enumerate.ts';

const noop = () => {};
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The whole message, anchored: nothing may be added or left out. */
const exactly = (s: string) => new RegExp(`^${escape(s)}$`);

describe('refusals, word for word', () => {
  it('n: the range, and the reason only for integers above 24', () => {
    const msg = (n: string) => `forEachMask: expected n (the number of units) to be an integer from 0 to ${MAX_UNITS}, got ${n}`;
    expect(() => forEachMask(-1, 0.5, noop)).toThrow(exactly(msg('-1')));
    expect(() => forEachMask(30.5, 0.5, noop)).toThrow(exactly(msg('30.5')));
    expect(() => forEachMask(25, 0.5, noop)).toThrow(exactly(`${msg('25')} (2^25 masks is too many to enumerate; sample masks instead)`));
  });

  it('per-unit keep values outside [0, 1] or not numbers', () => {
    const msg = (i: number, v: string) => `forEachMask: expected keep[${i}] (the keep probability of unit ${i}) to be in [0, 1], got ${v}`;
    expect(() => forEachMask(2, [0.5, -0.25], noop)).toThrow(exactly(msg(1, '-0.25')));
    expect(() => forEachMask(2, [NaN, 0.5], noop)).toThrow(exactly(msg(0, 'NaN')));
    expect(() => forEachMask(2, [0.5, '1'] as never, noop)).toThrow(exactly(msg(1, '"1"')));
  });

  it('f that is not a function, named f, in every ensemble function', () => {
    expect(() => ensembleMeanVector(1, 0.5, 7 as never)).toThrow(exactly('ensembleMeanVector: expected f to be a function, got 7'));
    expect(() => ensembleStats(1, 0.5, 'f' as never)).toThrow(exactly('ensembleStats: expected f to be a function, got "f"'));
    expect(() => renormalizedGeometricMean(1, 0.5, null as never)).toThrow(exactly('renormalizedGeometricMean: expected f to be a function, got null'));
  });

  it('ensembleStats options that are not an object', () => {
    for (const [bad, shown] of [[null, 'null'], ['variance', '"variance"'], [5, '5']] as const) {
      expect(() => ensembleStats(1, 0.5, () => 0.5, bad as never), shown).toThrow(exactly(`ensembleStats: expected options { variance?, geometric? }, got ${shown}`));
    }
  });

  it('outputs outside [0, 1] when geometric means are asked for', () => {
    expect(() => ensembleStats(1, 0.5, (m) => (m[0] ? 1.5 : 0.5))).toThrow(
      exactly('ensembleStats: geometric means need outputs in [0, 1], but f returned 1.5 for mask [1] (pass { geometric: false } for mean and variance only)'),
    );
    expect(() => ensembleStats(1, 0.5, (m) => (m[0] ? -0.5 : 0.5))).toThrow(/but f returned -0.5 for mask \[1\]/);
    expect(() => ensembleStats(1, 0.5, () => -0)).not.toThrow();
    expect(() => renormalizedGeometricMean(1, 0.5, (m) => (m[0] ? [0.5, -0.5] : [0.5, 0.5]))).toThrow(
      exactly('renormalizedGeometricMean: expected f to return probabilities in [0, 1], got -0.5 for class 1 under mask [1]'),
    );
    expect(() => renormalizedGeometricMean(1, 0.5, () => [NaN])).toThrow(/got NaN for class 0 under mask \[0\]$/);
  });

  it('an output length that changes after a first empty output', () => {
    expect(() => ensembleMeanVector(1, 0.5, (m) => (m[0] ? [1, 2, 3] : []))).toThrow(
      exactly('ensembleMeanVector: expected f to return the same number of values for every mask: 0 for the first mask, 3 for mask [1]'),
    );
    expect(Array.from(ensembleMeanVector(2, 0.5, () => []))).toEqual([]);
  });

  it('vector arguments of the linear walk: a Tensor of the wrong shape, or not an array at all', () => {
    const W = tensor([[1, 2], [3, 4], [5, 6]]);
    expect(() => forEachLinearMask(W, tensor([1, 2, 3]), [1, 2, 3], 0.5, noop)).toThrow(
      exactly('forEachLinearMask: expected b to have shape [2] (one value per column of W), got shape [3]'),
    );
    expect(() => forEachLinearMask(W, null, 5 as never, 0.5, noop)).toThrow(
      exactly('forEachLinearMask: expected y to be a Tensor or an array of 3 numbers (one value per row of W), got 5'),
    );
    expect(() => forEachLinearMask(W, null, 'abc' as never, 0.5, noop)).toThrow(/expected y to be a Tensor or an array of 3 numbers/);
  });

  it('softmaxOf: out must be a Float64Array', () => {
    expect(() => softmaxOf([1, 2], [0, 0] as never)).toThrow(exactly('softmaxOf: expected out to be a Float64Array, got an array of length 2'));
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

describe('numerics', () => {
  it('compensated sums keep a small running sum when a much larger term arrives (the |v| > |sum| branch)', () => {
    const s = new CompensatedSum();
    for (const v of [1, 1e100, -1e100]) s.add(v);
    expect(s.value).toBe(1);
    const w = new CompensatedVector(2);
    for (const v of [1, 1e100, -1e100]) w.add([v, 2 * v]);
    expect(Array.from(w.value())).toEqual([1, 2]);
  });

  it('the variance of a constant output is exactly 0 even when its mean carries rounding', () => {
    // keep 0.1: the probabilities 0.9 and 0.1 are not exact, so E differs from the constant 0.3 by an ulp and every
    // deviation d = 0.3 − E is that ulp; the correction −(Σ P d)² removes Σ P d² exactly
    const s = ensembleStats(1, 0.1, () => 0.3, { geometric: false });
    expect(s.mean).not.toBe(0.3);
    expect(s.variance).toBe(0);
  });

  it('the variance is taken about the mean: an offset of 1e9 leaves Var[1e9 + r] = keep(1 − keep) exact', () => {
    expect(ensembleStats(1, 0.5, (m) => 1e9 + m[0], { geometric: false }).variance).toBe(0.25);
    expect(ensembleStats(2, 0.5, (m) => 1e9 + m[0] + m[1], { geometric: false }).variance).toBe(0.5);
  });

  it('renormalizedGeometricMean skips masks of probability 0, where a class may be 0', () => {
    // unit 0 is always kept, so the masks with it dropped (where class 0 would be 0) have probability 0
    const r = renormalizedGeometricMean(2, [1, 0.5], (m) => (m[0] ? [0.25, 0.75] : [0, 1]));
    expect(r.renormalized[0]).toBeCloseTo(0.25, 15);
    expect(r.renormalized[1]).toBeCloseTo(0.75, 15);
    expect(Array.from(r.meanLog)).toEqual([Math.log(0.25), Math.log(0.75)]);
  });

  it('renormalizedGeometricMean of outputs far below the normal range: renormalized after subtracting the largest log', () => {
    const r = renormalizedGeometricMean(1, 0.5, () => [1e-200, 3e-200]);
    expect(Math.abs(r.sum - 4e-200)).toBeLessThan(1e-212);
    expect(r.renormalized[0]).toBeCloseTo(0.25, 14);
    expect(r.renormalized[1]).toBeCloseTo(0.75, 14);
  });

  it('softmaxOf matches the engine softmax where a logit is infinite', () => {
    for (const z of [[Infinity, 1], [-Infinity, 0], [-Infinity, -Infinity], [1e308, -1e308]]) {
      expect(Array.from(softmaxOf(z)), String(z)).toEqual(Array.from(softmax(tensor(z)).data));
    }
    expect(Array.from(softmaxOf([Infinity, 1]))).toEqual([NaN, 0]);
  });
});

describe('the linear walk', () => {
  it('a null or undefined bias is zero', () => {
    const W = tensor([[1, 2], [3, 4]]);
    for (const b of [null, undefined]) {
      const seen: number[][] = [];
      forEachLinearMask(W, b as null, [1, 10], 0.5, (z) => seen.push(Array.from(z)));
      expect(seen, String(b)).toEqual([[0, 0], [1, 2], [31, 42], [30, 40]]);
    }
  });

  it('between recomputes z is updated in place, so it drifts from the direct z; at every 1024th mask they agree bit for bit', () => {
    // terms 0.1 and 0.2: the walk reaches mask [0, 1] as (0.1 + 0.2) − 0.1, which rounds to 0.20000000000000004
    expect(0.1 + 0.2 - 0.1).not.toBe(0.2);
    const n = RECOMPUTE_BITS + 1;
    const y = Array.from({ length: n }, (_, i) => (i === 0 ? 0.1 : i === 1 ? 0.2 : 0));
    const W = tensor(y.map(() => [1]));
    const walked: number[] = [], direct: number[] = [];
    forEachLinearMask(W, null, y, 0.5, (z) => walked.push(z[0]));
    forEachLinearMaskDirect(W, null, y, 0.5, (z) => direct.push(z[0]));
    expect(walked[3]).toBe(0.1 + 0.2 - 0.1);
    expect(direct[3]).toBe(0.2);
    const period = 2 ** RECOMPUTE_BITS;
    for (let k = 0; k < walked.length; k += period) expect(walked[k], `mask ${k}`).toBe(direct[k]);
    expect(walked.some((v, k) => v !== direct[k])).toBe(true);
  });

  it(`W with ${MAX_UNITS} rows is accepted: all 2^${MAX_UNITS} masks are visited`, () => {
    let count = 0;
    forEachLinearMask(tensor(new Float64Array(0), [MAX_UNITS, 0]), null, new Float64Array(MAX_UNITS), 0.5, () => count++);
    expect(count).toBe(2 ** MAX_UNITS);
  });

  it('ensembleMean of a walk with weights 1 and other weights agrees with the plain weighted sum', () => {
    expect(ensembleMean(1, 0.25, (m) => (m[0] ? 8 : 4))).toBe(5);
  });
});
