// Exact mask enumeration (src/verify/enumerate.ts), the ensemble statistics: means, variances and
// geometric means over every mask, and the compensated sums; then their numerics (the compensated sums'
// branch for a term larger than the running sum, the variance of a constant output when the mean
// carries rounding, masks of probability 0 in the geometric mean, outputs far below the normal range).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { add, float64Data, key, matmul, mul, normal, reshape, softmax, tensor } from '../../src/index.ts';
import {
  CompensatedSum,
  CompensatedVector,
  ensembleMean,
  ensembleMeanVector,
  ensembleStats,
  renormalizedGeometricMean,
  sigmoidOf,
  softmaxOf,
} from '../../src/verify/enumerate.ts';
import { keepValue, probability, underflow, value } from './enumerate-shared.ts';

describe('ensembleMean, ensembleMeanVector, ensembleStats', () => {
  const weightedSum = (y: readonly number[]) => (mask: Uint8Array) => y.reduce((s, v, i) => s + mask[i] * v, 0);

  it('hand-computable cases, exactly: E[Σ r_i y_i] = keep·Σ y_i, Var = keep(1 − keep)·Σ y_i²', () => {
    // dyadic keeps and integer y: every probability, product and sum is exact in float64
    const y = [1, 2, 4];
    expect(ensembleMean(3, 0.5, weightedSum(y))).toBe(3.5);
    expect(ensembleStats(3, 0.5, weightedSum(y), { geometric: false })).toMatchObject({
      mean: 3.5,
      variance: 0.25 * 21,
    });
    expect(ensembleStats(3, 0.25, weightedSum(y), { geometric: false })).toMatchObject({
      mean: 1.75,
      variance: 0.1875 * 21,
    });
    // per-unit keeps: E = Σ keep_i y_i, Var = Σ keep_i(1 − keep_i) y_i²
    expect(ensembleStats(3, [0.5, 0.25, 1], weightedSum(y), { geometric: false })).toMatchObject({
      mean: 0.5 + 0.5 + 4,
      variance: 0.25 + 0.1875 * 4,
    });
    expect(ensembleMeanVector(3, 0.25, (m) => [m[0], m[1] * m[2], 1])).toEqual(Float64Array.of(0.25, 0.0625, 1));
  });

  it('E[Σ r_i y_i] and Var[Σ r_i y_i] on random inputs and keeps, to relative 1e-12', () => {
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 1, maxLength: 10 }),
        fc.oneof(keepValue, fc.constant(null)),
        fc.array(probability, { minLength: 10, maxLength: 10 }),
        (y, scalarKeep, perUnit) => {
          const n = y.length;
          const keeps = scalarKeep === null ? perUnit.slice(0, n) : Array<number>(n).fill(scalarKeep);
          const keep = scalarKeep ?? keeps;
          const s = ensembleStats(n, keep, weightedSum(y), { geometric: false });
          const mean = y.reduce((a, v, i) => a + keeps[i] * v, 0);
          const variance = y.reduce((a, v, i) => a + keeps[i] * (1 - keeps[i]) * v * v, 0);
          // The sums have at most n terms; relative to the magnitudes involved, rounding is ~n·U ≪ 1e-12.
          const scale = y.reduce((a, v) => a + Math.abs(v), 0);
          expect(Math.abs(s.mean - mean)).toBeLessThanOrEqual(1e-12 * scale + underflow(n));
          expect(Math.abs(ensembleMean(n, keep, weightedSum(y)) - mean)).toBeLessThanOrEqual(
            1e-12 * scale + underflow(n),
          );
          expect(Math.abs(s.variance - variance)).toBeLessThanOrEqual(1e-12 * scale * scale + underflow(n));
          expect(Number.isNaN(s.G) && Number.isNaN(s.nwgm)).toBe(true); // not requested
        },
      ),
    );
  });

  it('the vector form: elementwise means, f may reuse one output array', () => {
    const y = [0.3, -1.2, 2.5, 0.7];
    const out = new Float64Array(3);
    const mean = ensembleMeanVector(4, 0.3, (m) => {
      out[0] = weightedSum(y)(m);
      out[1] = m[2];
      out[2] = -2;
      return out;
    });
    expect(mean[0]).toBeCloseTo(0.3 * 2.3, 14);
    expect(mean[1]).toBeCloseTo(0.3, 15);
    expect(mean[2]).toBeCloseTo(-2, 15);
  });

  it('masks of probability 0 are not evaluated, so a NaN there does not poison the mean', () => {
    const f = (m: Uint8Array) => (m[0] === 1 ? m[1] * 4 : NaN);
    expect(ensembleMean(2, [1, 0.5], f)).toBe(2);
    expect(ensembleMeanVector(2, [1, 0.5], (m) => [f(m)])).toEqual(Float64Array.of(2));
    expect(ensembleStats(2, [1, 0.5], (m) => f(m) / 8)).toMatchObject({ mean: 0.25, variance: 0.0625 });
    expect(ensembleMean(2, [0.5, 0.5], f)).toBeNaN(); // where the mask has weight, NaN counts
  });

  it('E-BOUNDS worked example: O = (0.622459, 0.731059), equal weights → E 0.676759, G 0.674577, G′ 0.318648, NWGM 0.679179', () => {
    const s = ensembleStats(1, 0.5, (r) => (r[0] ? 0.731059 : 0.622459));
    expect(s.mean).toBeCloseTo(0.676759, 6);
    expect(s.G).toBeCloseTo(0.674577, 6);
    expect(s.Gc).toBeCloseTo(0.318648, 6);
    expect(s.nwgm).toBeCloseTo(0.679179, 6);
    expect(s.variance).toBeCloseTo(((0.731059 - 0.622459) / 2) ** 2, 15);
    // the bounds: G ≤ NWGM, G ≤ E, and every O ≥ 1/2 so NWGM ≥ E
    expect(s.G).toBeLessThanOrEqual(s.nwgm);
    expect(s.G).toBeLessThanOrEqual(s.mean);
    expect(s.nwgm).toBeGreaterThanOrEqual(s.mean);
    // the outputs are σ(1/2) and σ(1): NWGM = σ(3/4), the sigmoid of the mean input (E-SIGMOID)
    expect(s.nwgm).toBeCloseTo(sigmoidOf(0.75), 6);
  });

  it('E-SIGMOID on random logistic units: NWGM = σ(keep-scaled input) to relative 1e-11', () => {
    // |z| ≤ 7 keeps 1 − σ(z) ≥ 9e-4, so fl(1 − O) loses at most ~U/9e-4 ≈ 1.2e-13 relatively per
    // output; the log-space sums add ~n·U. 1e-11 is far above both.
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 1, maxLength: 6 }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        keepValue,
        (wy, b, keep) => {
          const s = ensembleStats(wy.length, keep, (m) => sigmoidOf(b + wy.reduce((a, v, i) => a + m[i] * v, 0)));
          const expected = 1 / (1 + Math.exp(-(b + keep * wy.reduce((a, v) => a + v, 0))));
          expect(Math.abs(s.nwgm - expected)).toBeLessThanOrEqual(1e-11 * expected);
          expect(s.G).toBeLessThanOrEqual(s.mean * (1 + 1e-12));
        },
      ),
    );
  });

  it('the 0 and 1 limits: an output exactly 0 gives G = 0, NWGM = 0; exactly 1 gives G′ = 0, NWGM = 1', () => {
    const zero = ensembleStats(2, 0.5, (m) => (m[0] + m[1] === 0 ? 0 : 0.5));
    expect(zero).toMatchObject({ G: 0, logG: -Infinity, nwgm: 0 });
    expect(zero.Gc).toBeCloseTo(0.5 ** 0.75, 15); // 1 − 0 = 1 under one mask, 0.5 under three
    const one = ensembleStats(2, 0.5, (m) => (m[0] + m[1] === 0 ? 1 : 0.5));
    expect(one).toMatchObject({ Gc: 0, logGc: -Infinity, nwgm: 1 });
    expect(one.G).toBeCloseTo(0.5 ** 0.75, 15);
    expect(ensembleStats(2, 0.5, (m) => m[0]).nwgm).toBeNaN(); // both: G = G′ = 0, undefined
    // a zero under a mask of probability 0 does not count
    expect(ensembleStats(2, [1, 0.5], (m) => (m[0] === 0 ? 0 : 0.25)).G).toBe(0.25);
    // tiny outputs: G and NWGM come out right at 1e-300 (log space, and NWGM as 1/(1 + G′/G))
    const tiny = ensembleStats(16, 0.5, () => 1e-300);
    expect(tiny.G / 1e-300).toBeCloseTo(1, 10);
    expect(tiny.nwgm / 1e-300).toBeCloseTo(1, 10);
  });

  it('renormalizedGeometricMean: per-class geometric means, their sum < 1, renormalized', () => {
    const a = [0.7, 0.2, 0.1],
      b = [0.1, 0.3, 0.6];
    const g = renormalizedGeometricMean(1, 0.5, (r) => (r[0] ? b : a));
    const geo = a.map((v, c) => Math.sqrt(v * b[c]));
    const total = geo.reduce((s, v) => s + v, 0);
    for (let c = 0; c < 3; c++) {
      expect(g.unnormalized[c]).toBeCloseTo(geo[c], 15);
      expect(g.renormalized[c]).toBeCloseTo(geo[c] / total, 15);
      expect(g.meanLog[c]).toBeCloseTo((Math.log(a[c]) + Math.log(b[c])) / 2, 14);
    }
    expect(g.sum).toBeCloseTo(total, 15);
    expect(g.sum).toBeLessThan(1);
    // a class exactly 0 under a mask that counts gets 0
    const z = renormalizedGeometricMean(1, 0.5, (r) => (r[0] ? [0, 1] : [0.5, 0.5]));
    expect(Array.from(z.renormalized)).toEqual([0, 1]);
    expect(z.meanLog[0]).toBe(-Infinity);
  });

  it('E-SOFTMAX on a random softmax layer: the renormalized geometric mean is softmax(keep·h·W + b)', () => {
    const n = 8,
      classes = 4;
    const W = normal(key(3), [n, classes]),
      b = normal(key(4), [classes]),
      h = normal(key(5), [n]);
    for (const keep of [0.5, 0.2, 0.85]) {
      const probs = new Float64Array(classes);
      const g = renormalizedGeometricMean(n, keep, (m) => {
        const z = Array.from(
          b.data,
          (bo, o) => bo + float64Data(h).reduce((s, hi, i) => s + m[i] * hi * W.data[i * classes + o], 0),
        );
        return softmaxOf(z, probs);
      });
      const expected = softmaxOf(add(matmul(reshape(mul(h, keep), [1, n]), W), b).data);
      for (let c = 0; c < classes; c++) expect(Math.abs(g.renormalized[c] - expected[c])).toBeLessThanOrEqual(1e-12);
      expect(g.sum).toBeLessThan(1);
    }
  });

  it('CompensatedSum and CompensatedVector keep what a plain sum rounds away', () => {
    const s = new CompensatedSum(),
      v = new CompensatedVector(2);
    let plain = 1;
    s.add(1);
    v.add([1, -1]);
    for (let i = 0; i < 10; i++) {
      s.add(1e-16);
      v.add([1, 1], 1e-16); // the weight multiplies
      plain += 1e-16;
    }
    expect(plain).toBe(1); // each 1e-16 is below half an ulp of 1
    expect(s.value).toBeCloseTo(1 + 1e-15, 16);
    expect(s.value).toBeGreaterThan(1);
    expect(v.value()[0]).toBe(s.value); // the same sum
    expect(v.value()[0]).toBeGreaterThan(1);
    expect(v.value()[1]).toBeCloseTo(-1 + 1e-15, 16);
    s.add(-Infinity);
    expect(s.value).toBe(-Infinity); // infinities propagate, not NaN
  });

  it('refuses bad arguments and bad outputs of f', () => {
    expect(() => ensembleMean(25, 0.5, () => 0)).toThrow(/ensembleMean: expected n .* got 25/);
    expect(() => ensembleMean(2, 1.5, () => 0)).toThrow(/ensembleMean: expected keep .* got 1.5/);
    expect(() => ensembleMean(2, [0.5], () => 0)).toThrow(
      /ensembleMean: expected keep to have one probability per unit \(n = 2\), got 1/,
    );
    expect(() => ensembleMean(2, 0.5, 3 as unknown as () => number)).toThrow(/expected f to be a function, got 3/);
    expect(() => ensembleMean(2, 0.5, () => [1] as unknown as number)).toThrow(
      /ensembleMean: expected f to return a number, got an array of length 1 for mask \[0,0\]/,
    );
    expect(() => ensembleMeanVector(2, 0.5, (m) => (m[1] ? [1, 2, 3] : [1, 2]))).toThrow(
      /ensembleMeanVector: expected f to return the same number of values for every mask: 2 for the first mask, 3 for mask \[1,1\]/,
    );
    expect(() => ensembleMeanVector(2, 0.5, () => 1 as unknown as number[])).toThrow(
      /expected f to return a Float64Array or an array of numbers, got 1 for mask \[0,0\]/,
    );
    expect(() => renormalizedGeometricMean(2, 0.5, (m) => (m[0] ? [0.5, 0.5] : [1]))).toThrow(
      /renormalizedGeometricMean: expected f to return the same number of values/,
    );
    expect(() => renormalizedGeometricMean(2, 0.5, () => [1.5, -0.5])).toThrow(
      /expected f to return probabilities in \[0, 1\], got 1.5 for class 0 under mask \[0,0\]/,
    );
    expect(() => ensembleMeanVector(2, [0, 1], () => [1])).not.toThrow();
    expect(() => ensembleStats(2, 0.5, (m) => 2 * m[0])).toThrow(
      /ensembleStats: geometric means need outputs in \[0, 1\], but f returned 2 for mask \[1,0\] \(pass \{ geometric: false \}/,
    );
    expect(ensembleStats(2, 0.5, (m) => 2 * m[0], { geometric: false }).mean).toBe(1);
    expect(() => ensembleStats(2, 0.5, () => 0.5, { keep: 1 } as object)).toThrow(
      /ensembleStats: unknown option "keep"; expected variance, geometric/,
    );
    expect(ensembleStats(2, 0.5, () => 0.5, { variance: false }).variance).toBeNaN();
    expect(() => new CompensatedVector(2).add([1])).toThrow(/CompensatedVector.add: expected 2 values, got 1/);
  });
});

// ---------------------------------------------------------------------------------------------------
// Edge cases that the tests above leave open: the compensated sums' branch for a term larger than the
// running sum, the variance of a constant output when the mean carries rounding, masks of probability 0
// in the geometric mean, and outputs far below the normal range.

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
    for (const z of [
      [Infinity, 1],
      [-Infinity, 0],
      [-Infinity, -Infinity],
      [1e308, -1e308],
    ]) {
      expect(Array.from(softmaxOf(z)), String(z)).toEqual(Array.from(softmax(tensor(z)).data));
    }
    expect(Array.from(softmaxOf([Infinity, 1]))).toEqual([NaN, 0]);
  });
});
