// Exact mask enumeration (src/verify/enumerate.ts): the Gray-code walk, mask probabilities, ensemble
// means, variances and geometric means, and the incremental linear path against the direct one; then
// the edge cases (every refusal word for word, the compensated sums, underflow, the walk's drift).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { add, float64Data, key, matmul, mul, normal, reshape, softmax, tensor } from '../../src/index.ts';
import {
  CompensatedSum,
  CompensatedVector,
  MAX_UNITS,
  RECOMPUTE_BITS,
  ensembleMean,
  ensembleMeanVector,
  ensembleStats,
  forEachLinearMask,
  forEachLinearMaskDirect,
  forEachMask,
  renormalizedGeometricMean,
  sigmoidOf,
  softmaxOf,
} from '../../src/verify/enumerate.ts';

const U = 2 ** -53; // unit roundoff of float64
/**
 * Relative error bounds fail below the normal range: a product P(r)·f(r) that underflows loses up
 * to Number.MIN_VALUE absolutely. Sums over 2^n masks (and n-term reference sums) get this slack.
 */
const underflow = (n: number) => (2 ** n + n) * Number.MIN_VALUE;

/** Kahan's compensated sum, written independently of the module's CompensatedSum. */
function kahan(values: Iterable<number>): number {
  let s = 0,
    c = 0;
  for (const v of values) {
    const y = v - c;
    const t = s + y;
    c = t - s - y;
    s = t;
  }
  return s;
}

/** The probability of a mask computed factor by factor, the definition. */
function productProbability(mask: ArrayLike<number>, keeps: readonly number[]): number {
  let p = 1;
  for (let i = 0; i < keeps.length; i++) p *= mask[i] ? keeps[i] : 1 - keeps[i];
  return p;
}

/** A mask as an integer, bit i = unit i. */
const codeOf = (mask: Uint8Array) => mask.reduce((c, r, i) => c | (r << i), 0);
const popcount = (x: number) => x.toString(2).replaceAll('0', '').length;

/** Every visit of forEachMask, copied. */
function visits(n: number, keep: number | readonly number[]) {
  const out: { code: number; probability: number; flipped: number }[] = [];
  forEachMask(n, keep, (mask, probability, flipped) => out.push({ code: codeOf(mask), probability, flipped }));
  return out;
}

const value = fc.double({ min: -3, max: 3, noNaN: true });
const probability = fc.double({ min: 0, max: 1, noNaN: true });
/** Keep probabilities: 1/2, the edges, and anything in [0, 1] (E-LIN must hold for keep ≠ 1/2 too). */
const keepValue = fc.oneof(
  fc.constant(0.5),
  fc.constantFrom(0, 1, 0.2, 0.8),
  probability.filter((k) => k !== 0.5),
);

// ---------------------------------------------------------------------------------------------

describe('forEachMask', () => {
  it('visits exactly 2^n masks in Gray-code order: all distinct, one unit flips per step, `flipped` names it', () => {
    for (let n = 0; n <= 13; n++) {
      const seen = visits(n, 0.3);
      expect(seen).toHaveLength(2 ** n);
      expect(new Set(seen.map((v) => v.code)).size).toBe(2 ** n);
      expect(seen[0]).toMatchObject({ code: 0, flipped: -1 }); // starts from the all-dropped mask
      for (let k = 1; k < seen.length; k++) {
        const diff = seen[k].code ^ seen[k - 1].code;
        expect(popcount(diff), `n = ${n}, step ${k}`).toBe(1);
        expect(diff, `n = ${n}, step ${k}`).toBe(1 << seen[k].flipped);
      }
    }
  });

  it('n = 0 gives one empty mask with probability 1', () => {
    const calls: [number, number, number][] = [];
    forEachMask(0, 0.3, (mask, p, flipped) => calls.push([mask.length, p, flipped]));
    expect(calls).toEqual([[0, 1, -1]]);
    forEachMask(0, [], (mask, p) => expect([mask.length, p]).toEqual([0, 1]));
    expect(ensembleMean(0, 0.7, (mask) => mask.length + 5)).toBe(5);
  });

  it('each probability is Π keep_i^r_i (1 − keep_i)^(1 − r_i) within n ulps, and they sum to 1 within 1e-12', () => {
    // n up to 16 crosses the 12-unit table boundary; keeps include 0 and 1 (probabilities exactly 0).
    const cases: (number | number[])[] = [
      0,
      1,
      0.5,
      0.3,
      0.9,
      1e-3,
      [0.5, 0, 1, 0.25],
      [1, 1, 1],
      [0, 0],
      [0.1, 0.9, 0, 0.5, 1, 0.3, 0.7],
    ];
    const random = fc.sample(fc.array(probability, { minLength: 1, maxLength: 16 }), 20);
    for (const keep of [...cases, ...random]) {
      for (const n of typeof keep === 'number' ? [1, 5, 13, 16] : [keep.length]) {
        const keeps = typeof keep === 'number' ? Array<number>(n).fill(keep) : keep;
        const seen: number[] = [];
        forEachMask(n, keep, (mask, p) => {
          const exact = productProbability(mask, keeps);
          // both are products of the same n factors, each with ≤ n − 1 roundings of relative size ≤ U
          if (Math.abs(p - exact) > 2 * n * U * exact)
            expect.fail(`keep ${String(keep)}, mask [${mask.join(',')}]: ${p} vs ${exact}`);
          seen.push(p);
        });
        expect(seen).toHaveLength(2 ** n);
        expect(Math.abs(kahan(seen) - 1), `keep ${String(keep)}, n ${n}`).toBeLessThanOrEqual(1e-12);
      }
    }
    // keep 0 or 1: exactly one mask has probability 1, every other exactly 0
    expect(visits(4, 1).filter((v) => v.probability !== 0)).toEqual([
      { code: 0b1111, probability: 1, flipped: expect.any(Number) },
    ]);
    expect(
      visits(4, [0, 1, 1, 0])
        .filter((v) => v.probability !== 0)
        .map((v) => [v.code, v.probability]),
    ).toEqual([[0b0110, 1]]);
  });

  it('per-unit keep may be a number[], a Float64Array or a Tensor, with the same result', () => {
    const keeps = [0.2, 0.6, 0.9];
    const ref = visits(3, keeps);
    for (const keep of [Float64Array.from(keeps), tensor(keeps)]) {
      const got: number[] = [];
      forEachMask(3, keep, (_, p) => got.push(p));
      expect(got).toEqual(ref.map((v) => v.probability));
    }
    expect(ref.find((v) => v.code === 0b101)?.probability).toBeCloseTo(0.2 * 0.4 * 0.9, 15);
  });

  it('accepts n = 24 (2^24 masks)', () => {
    let count = 0;
    const total = new CompensatedSum();
    forEachMask(MAX_UNITS, 0.5, (_, p) => {
      count++;
      total.add(p);
    });
    expect(count).toBe(2 ** 24);
    expect(total.value).toBe(1); // 2^24 terms of exactly 2^−24
  });

  it('refuses bad arguments, naming the argument and what came', () => {
    const noop = () => {};
    expect(() => forEachMask(25, 0.5, noop)).toThrow(
      /forEachMask: expected n \(the number of units\) to be an integer from 0 to 24, got 25 \(2\^25 masks is too many/,
    );
    for (const bad of [-1, 1.5, NaN, '3', null])
      expect(() => forEachMask(bad as number, 0.5, noop), String(bad)).toThrow(/expected n .* got/);
    expect(() => forEachMask(3, 1.5, noop)).toThrow(
      /forEachMask: expected keep \(the keep probability, 1 − rate\) to be in \[0, 1\], got 1.5/,
    );
    for (const bad of [-0.1, NaN, Infinity]) expect(() => forEachMask(3, bad, noop), String(bad)).toThrow(RangeError);
    expect(() => forEachMask(3, [0.5, 0.5], noop)).toThrow(
      /forEachMask: expected keep to have one probability per unit \(n = 3\), got 2/,
    );
    expect(() => forEachMask(3, [0.5, 0.5, 0.5, 0.5], noop)).toThrow(
      /expected keep to have one probability per unit \(n = 3\), got 4/,
    );
    expect(() => forEachMask(3, [0.5, 1.5, 0.5], noop)).toThrow(
      /expected keep\[1\] \(the keep probability of unit 1\) to be in \[0, 1\], got 1.5/,
    );
    expect(() => forEachMask(3, '0.5' as unknown as number, noop)).toThrow(
      /expected keep to be a number in \[0, 1\] or an array of n = 3 of them, got "0.5"/,
    );
    expect(() => forEachMask(3, 0.5, null as unknown as () => void)).toThrow(
      /forEachMask: expected visit to be a function, got null/,
    );
  });
});

// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------

/** A random linear layer: n inputs (1 … 12, so some runs pass the 1024-mask recompute points), out outputs. */
const layer = fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 4 })).chain(([n, out]) =>
  fc.record({
    W: fc.array(value, { minLength: n * out, maxLength: n * out }).map((w) => tensor(w, [n, out])),
    b: fc.array(value, { minLength: out, maxLength: out }),
    y: fc.array(value, { minLength: n, maxLength: n }),
    keep: fc.oneof(keepValue, fc.array(probability, { minLength: n, maxLength: n })),
  }),
);

/** Per output o, |b_o| + Σ_i |y_i·W[i, o]|: the magnitude of the terms z_o sums, the scale rounding is relative to. */
function scales(
  W: { data: ArrayLike<number>; shape: readonly number[] },
  b: readonly number[],
  y: readonly number[],
): number[] {
  const out = W.shape[1];
  return b.map((bo, o) => Math.abs(bo) + y.reduce((s, yi, i) => s + Math.abs(yi * W.data[i * out + o]), 0));
}

describe('forEachLinearMask', () => {
  it('the incremental Gray-code path agrees with the direct path, to 1e-12 of the terms; bit for bit every 1024 masks', () => {
    // Why 1e-12 is enough: both paths sum the same products y_i·W[i, o] (identical bits). The direct
    // path rounds ≤ n times, the incremental path ≤ 1024 + n times since its last exact recompute,
    // each rounding ≤ U·(|b_o| + Σ|y_i·W[i, o]|) = U·S_o, since every partial sum is bounded by S_o
    // (plus smaller error terms). (1024 + 2·12)·U ≈ 1.2e-13 < 1e-12.
    fc.assert(
      fc.property(layer, ({ W, b, y, keep }) => {
        const out = W.shape[1];
        const direct: { z: Float64Array; p: number; mask: number; flipped: number }[] = [];
        forEachLinearMaskDirect(W, b, y, keep, (z, p, mask, flipped) =>
          direct.push({ z: z.slice(), p, mask: codeOf(mask), flipped }),
        );
        const S = scales(W, b, y);
        let k = 0;
        forEachLinearMask(W, b, y, keep, (z, p, mask, flipped) => {
          const d = direct[k];
          expect([p, codeOf(mask), flipped]).toEqual([d.p, d.mask, d.flipped]);
          for (let o = 0; o < out; o++) {
            if (Math.abs(z[o] - d.z[o]) > 1e-12 * S[o])
              expect.fail(`mask ${k}, output ${o}: incremental ${z[o]}, direct ${d.z[o]}`);
          }
          if (k % 2 ** RECOMPUTE_BITS === 0) expect(z).toEqual(d.z); // recomputed: identical bits
          k++;
        });
        expect(k).toBe(direct.length);
        expect(k).toBe(2 ** W.shape[0]);
      }),
    );
  });

  it('z is (r ⊙ y)·W + b for the mask passed with it; Tensor, array and null-bias arguments agree', () => {
    const W = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const rows: number[][] = [];
    forEachLinearMask(W, tensor([10, 20]), tensor([1, 0.5, -1]), 0.5, (z, p, mask) => {
      expect(p).toBe(0.125);
      rows.push([codeOf(mask), ...z]);
    });
    expect(rows).toEqual([
      [0b000, 10, 20],
      [0b001, 11, 22],
      [0b011, 12.5, 24],
      [0b010, 11.5, 22],
      [0b110, 6.5, 16],
      [0b111, 7.5, 18],
      [0b101, 6, 16],
      [0b100, 5, 14],
    ]);
    const again: number[][] = [];
    forEachLinearMask(W, null, [1, 0.5, -1], 0.5, (z, _, mask) => again.push([codeOf(mask), z[0] + 10, z[1] + 20]));
    expect(again).toEqual(rows);
    // past the 12-unit probability table: the same masks and probabilities as forEachMask
    const n = 14,
      keeps = Array.from({ length: n }, (_, i) => (i + 1) / (n + 2));
    const walk: number[] = [];
    forEachMask(n, keeps, (mask, p, flipped) => walk.push(codeOf(mask), p, flipped));
    const linear: number[] = [];
    forEachLinearMask(
      tensor(new Float64Array(n * 2), [n, 2]),
      null,
      new Float64Array(n),
      keeps,
      (_, p, mask, flipped) => linear.push(codeOf(mask), p, flipped),
    );
    expect(linear).toEqual(walk);
  });

  it('E-LIN in float: the mean of (r ⊙ y)·W + b over all masks is (keep ⊙ y)·W + b, to 1e-12 of the terms', () => {
    // The expected value comes from the engine (matmul). The enumerated mean is a compensated sum of
    // 2^n values, each within ~(1024 + n)·U·S_o of the exact z (see above), so its error is ~1.2e-13·S_o
    // (plus underflow when the inputs are subnormal: fast-check generates them).
    fc.assert(
      fc.property(layer, ({ W, b, y, keep }) => {
        const [n, out] = W.shape;
        const acc = new CompensatedVector(out);
        forEachLinearMask(W, b, y, keep, (z, p) => acc.add(z, p));
        const keeps = typeof keep === 'number' ? Array<number>(n).fill(keep) : keep;
        const expected = add(matmul(reshape(mul(tensor(y), tensor(keeps)), [1, n]), W), tensor(b)).data;
        const mean = acc.value();
        const S = scales(W, b, y);
        for (let o = 0; o < out; o++) {
          if (Math.abs(mean[o] - expected[o]) > 1e-12 * S[o] + underflow(n))
            expect.fail(`keep ${String(keep)}, output ${o}: enumerated ${mean[o]}, keep-scaled ${expected[o]}`);
        }
      }),
    );
  });

  it('refuses bad arguments, naming the argument', () => {
    const W = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const noop = () => {};
    expect(() => forEachLinearMask(tensor([1, 2, 3]), null, [1], 0.5, noop)).toThrow(
      /forEachLinearMask: expected W to be a Tensor of shape \[n, out\] .* got a Tensor of shape \[3\]/,
    );
    expect(() => forEachLinearMask([[1]] as never, null, [1], 0.5, noop)).toThrow(/expected W to be a Tensor/);
    expect(() => forEachLinearMask(W, null, [1, 2], 0.5, noop)).toThrow(
      /forEachLinearMask: expected y to have 3 values \(one value per row of W\), got 2/,
    );
    expect(() => forEachLinearMask(W, null, tensor([[1, 2, 3]]), 0.5, noop)).toThrow(
      /expected y to have shape \[3\] .* got shape \[1, 3\]/,
    );
    expect(() => forEachLinearMask(W, [1, 2, 3], [1, 2, 3], 0.5, noop)).toThrow(
      /expected b to have 2 values \(one value per column of W\), got 3/,
    );
    expect(() => forEachLinearMask(W, null, [1, '2', 3] as never, 0.5, noop)).toThrow(
      /expected y\[1\] to be a number, got "2"/,
    );
    expect(() => forEachLinearMaskDirect(W, null, [1, 2, 3], [0.5, 0.5], noop)).toThrow(
      /forEachLinearMaskDirect: expected keep to have one probability per unit \(n = 3\), got 2/,
    );
    expect(() => forEachLinearMask(W, null, [1, 2, 3], 1.5, noop)).toThrow(/expected keep .* got 1.5/);
    expect(() =>
      forEachLinearMask(tensor(new Float64Array(25), [25, 1]), null, new Float64Array(25), 0.5, noop),
    ).toThrow(/W has 25 rows \(inputs, the units dropped\); at most 24 can be enumerated/);
    expect(() => forEachLinearMask(W, null, [1, 2, 3], 0.5, undefined as never)).toThrow(
      /expected visit to be a function, got undefined/,
    );
  });

  it('softmaxOf and sigmoidOf', () => {
    const p = softmaxOf([1, 2, 3]);
    const e = [Math.exp(-2), Math.exp(-1), 1];
    const t = e[0] + e[1] + e[2];
    expect(Array.from(p)).toEqual(e.map((v) => v / t));
    expect(Array.from(softmaxOf([1000, 1000]))).toEqual([0.5, 0.5]); // no overflow
    const z = Float64Array.of(0, Math.log(3));
    expect(softmaxOf(z, z)).toBe(z); // in place
    expect(z[1]).toBeCloseTo(0.75, 15);
    expect(() => softmaxOf([1, 2], new Float64Array(3))).toThrow(
      /softmaxOf: expected out to have 2 elements like z, got 3/,
    );
    expect(sigmoidOf(0)).toBe(0.5);
    expect(sigmoidOf(1)).toBeCloseTo(0.7310585786300049, 15);
    expect(sigmoidOf(-2)).toBeCloseTo(0.11920292202211755, 15);
    expect(sigmoidOf(-800)).toBe(0);
    expect(sigmoidOf(800)).toBe(1);
  });

  // the masks-per-second figure at n = 20 is npm run bench's; this checks both walks at a size that stays
  // cheap under mutation testing's instrumentation
  it('Gray-code and direct walks agree with the exact mean, n = 14 inputs into a 10-way layer', () => {
    const n = 14,
      out = 10,
      keep = 0.8;
    const W = normal(key(7), [n, out]),
      b = normal(key(8), [out]),
      y = normal(key(9), [n]);
    const run = (walk: typeof forEachLinearMask) => {
      const acc = new CompensatedVector(out);
      walk(W, b, y, keep, (z, p) => acc.add(z, p));
      return acc.value();
    };
    const expected = float64Data(add(matmul(reshape(mul(y, keep), [1, n]), W), b));
    const S = scales(W, Array.from(b.data), Array.from(y.data));
    for (const mean of [run(forEachLinearMask), run(forEachLinearMaskDirect)]) {
      for (let o = 0; o < out; o++) expect(Math.abs(mean[o] - expected[o])).toBeLessThanOrEqual(1e-12 * S[o]);
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// Edge cases that the tests above leave open: the exact wording of every refusal (so a check that is
// skipped cannot hide behind a later, vaguer error), the compensated sums' branch for a term larger than
// the running sum, the variance of a constant output when the mean carries rounding, masks of
// probability 0 in the geometric mean, outputs far below the normal range, and the incremental walk's
// drift between recomputes.

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

describe('the linear walk', () => {
  it('a null or undefined bias is zero', () => {
    const W = tensor([
      [1, 2],
      [3, 4],
    ]);
    for (const b of [null, undefined]) {
      const seen: number[][] = [];
      forEachLinearMask(W, b as null, [1, 10], 0.5, (z) => seen.push(Array.from(z)));
      expect(seen, String(b)).toEqual([
        [0, 0],
        [1, 2],
        [31, 42],
        [30, 40],
      ]);
    }
  });

  it('between recomputes z is updated in place, so it drifts from the direct z; at every 1024th mask they agree bit for bit', () => {
    // terms 0.1 and 0.2: the walk reaches mask [0, 1] as (0.1 + 0.2) − 0.1, which rounds to 0.20000000000000004
    expect(0.1 + 0.2 - 0.1).not.toBe(0.2);
    const n = RECOMPUTE_BITS + 1;
    const y = Array.from({ length: n }, (_, i) => (i === 0 ? 0.1 : i === 1 ? 0.2 : 0));
    const W = tensor(y.map(() => [1]));
    const walked: number[] = [],
      direct: number[] = [];
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
    forEachLinearMask(
      tensor(new Float64Array(0), [MAX_UNITS, 0]),
      null,
      new Float64Array(MAX_UNITS),
      0.5,
      () => count++,
    );
    expect(count).toBe(2 ** MAX_UNITS);
  });

  it('ensembleMean of a walk with weights 1 and other weights agrees with the plain weighted sum', () => {
    expect(ensembleMean(1, 0.25, (m) => (m[0] ? 8 : 4))).toBe(5);
  });
});
