// Exact mask enumeration (src/verify/enumerate.ts), the walks: the Gray-code walk and its mask
// probabilities, and the incremental linear path against the direct one; then the linear walk's edge
// cases (a null bias, the drift between recomputes, the largest W). The ensemble statistics are tested
// in enumerate-ensemble.test.ts, every refusal word for word in enumerate-refusals.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { add, float64Data, key, matmul, mul, normal, reshape, tensor } from '../../src/index.ts';
import {
  CompensatedSum,
  CompensatedVector,
  MAX_UNITS,
  RECOMPUTE_BITS,
  ensembleMean,
  forEachLinearMask,
  forEachLinearMaskDirect,
  forEachMask,
  sigmoidOf,
  softmaxOf,
} from '../../src/verify/enumerate.ts';
import { U, keepValue, probability, underflow, value } from './enumerate-shared.ts';

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
// Edge cases that the tests above leave open: a null or undefined bias, the incremental walk's drift
// between recomputes, and W with the most rows accepted.

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
