// Numerical edge cases: logits of magnitude 1e3 through softmax, logSoftmax and cross-entropy
// (values and gradients), saturated sigmoid and tanh, gradient checks across the kinks of relu, abs
// and max, rates 0 and 1 on every dropout variant, and masks of length 0 and 1.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Tensor,
  abs,
  add,
  checkGrad,
  concat,
  reshape,
  dropConnect,
  dropout,
  dropoutWithMask,
  ensembleMean,
  forEachMask,
  gaussianDropout,
  grad,
  jvp,
  key,
  logSoftmax,
  logSumExp,
  max,
  maximum,
  mul,
  ones,
  relu,
  sigmoid,
  softmax,
  softmaxCrossEntropy,
  stopGradient,
  sum,
  tanh,
  tensor,
  vjp,
  zeros,
} from '../../src/index.ts';

const RUNS = 60;
const logits = (rows: number, cols: number) =>
  fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: rows * cols, maxLength: rows * cols });

/** Softmax of one row by the textbook formula in plain JS, shifted by the row's maximum. */
function softmaxRow(z: number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

describe('logits of magnitude 1e3', () => {
  it('softmax, logSoftmax: finite, rows sum to 1, and logSoftmax(x + c) = logSoftmax(x) for shifts c of ±1e3', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom(-1e3, 1e3),
        (r, c, shift) =>
          fc.assert(
            fc.property(logits(r, c), (v) => {
              const x = tensor(v, [r, c]);
              const p = softmax(x).data,
                lp = logSoftmax(x).data,
                lps = logSoftmax(
                  tensor(
                    v.map((a) => a + shift),
                    [r, c],
                  ),
                ).data;
              for (let i = 0; i < r; i++) {
                const row = v.slice(i * c, (i + 1) * c);
                const want = softmaxRow(row);
                // softmax is exp(logSoftmax): x − logSumExp(x) is exact to half an ulp of the logits' size,
                // so p carries a relative error up to about 2^−52·(max |x| + 1); at 1e3 that is ~2e-13
                const tol = 4 * 2 ** -52 * (Math.max(...row.map(Math.abs)) + 1);
                let s = 0;
                for (let j = 0; j < c; j++) {
                  const k = i * c + j;
                  expect(Number.isFinite(lp[k])).toBe(true);
                  expect(Math.abs(p[k] - want[j])).toBeLessThanOrEqual(tol * want[j] + 1e-300);
                  // the shift moves each logit by up to half an ulp of 2e3 (2.3e-13): the rest must cancel exactly
                  expect(Math.abs(lps[k] - lp[k])).toBeLessThanOrEqual(1e-12);
                  s += p[k];
                }
                expect(Math.abs(s - 1)).toBeLessThanOrEqual(tol + 2 ** -52 * c);
              }
            }),
            { numRuns: 3 },
          ),
      ),
      { numRuns: 20 },
    );
  });

  it('softmaxCrossEntropy: finite loss, gradient (softmax − onehot)/rows in both modes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 2, max: 5 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (r, c, seed) => {
          const v = Array.from({ length: r * c }, (_, i) => ((Math.sin(seed + i * 7919) * 1e4) % 1) * 1e3); // in (−1e3, 1e3)
          const labels = Array.from({ length: r }, (_, i) => (seed + i) % c);
          const x = tensor(v, [r, c]);
          const loss = softmaxCrossEntropy(x, labels).item();
          let want = 0;
          for (let i = 0; i < r; i++) {
            const row = v.slice(i * c, (i + 1) * c);
            const m = Math.max(...row);
            want += -(row[labels[i]] - m - Math.log(row.reduce((s, a) => s + Math.exp(a - m), 0))) / r;
          }
          expect(Number.isFinite(loss)).toBe(true);
          expect(Math.abs(loss - want)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(want)));
          const g = grad((z: Tensor) => softmaxCrossEntropy(z, labels))(x).data;
          const t = tensor(
            Array.from({ length: r * c }, (_, k) => (k === 0 ? 1 : 0)),
            [r, c],
          );
          const jt = jvp((z: Tensor) => softmaxCrossEntropy(z, labels), [x], [t]).tangent as Tensor;
          for (let i = 0; i < r; i++) {
            const p = softmaxRow(v.slice(i * c, (i + 1) * c));
            for (let j = 0; j < c; j++) {
              const want = (p[j] - (j === labels[i] ? 1 : 0)) / r;
              expect(Math.abs(g[i * c + j] - want)).toBeLessThanOrEqual(1e-15);
            }
          }
          expect(Math.abs(jt.item() - g[0])).toBeLessThanOrEqual(1e-15);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('logSumExp and logSoftmax: the gradient is softmax (and 1 − softmax on the diagonal), finite at ±1e3', () => {
    const x = tensor([
      [1000, 999, -1000],
      [-1000, -1000, -999],
    ]);
    const g = grad((z: Tensor) => sum(logSumExp(z, 1)))(x).data;
    const e = Math.exp(-1),
      s = 1 + e;
    const want = [...softmaxRow([1000, 999, -1000]), ...softmaxRow([-1000, -1000, -999])];
    expect(want.slice(0, 3)).toEqual([1 / s, e / s, 0]);
    want.forEach((w, i) => expect(Math.abs(g[i] - w)).toBeLessThanOrEqual(2e-16));
    const { pullback } = vjp((z: Tensor) => logSoftmax(z), x);
    const ct = zeros([2, 3]).data.slice();
    ct[0] = 1; // d logSoftmax(x)[0, 0]/dx = onehot − softmax(row 0)
    const [gl] = pullback(tensor(ct, [2, 3])) as Tensor[];
    expect(Array.from(gl.data).map((v) => Number(v.toPrecision(15)))).toEqual(
      [1 - 1 / s, -e / s, -0, 0, 0, 0].map((v) => Number(v.toPrecision(15))),
    );
  });
});

describe('saturated sigmoid and tanh', () => {
  const xs = [-1e3, -800, -745, -40, -20, 0, 20, 40, 800, 1e3, -Infinity, Infinity];

  it('sigmoid: values in [0, 1], derivative y(1 − y) finite, ≥ 0, and within 1e-16 of e^−|x|/(1 + e^−|x|)²', () => {
    const x = tensor(xs);
    const y = sigmoid(x).data;
    const g = grad((z: Tensor) => sum(sigmoid(z)))(x).data;
    const t = jvp(sigmoid, [x], [ones([xs.length])]).tangent as Tensor;
    xs.forEach((v, i) => {
      const want = Number.isFinite(v) ? Math.exp(-Math.abs(v)) / (1 + Math.exp(-Math.abs(v))) ** 2 : 0;
      expect(y[i] >= 0 && y[i] <= 1, `sigmoid(${v})`).toBe(true);
      expect(Number.isFinite(g[i]) && g[i] >= 0, `sigmoid'(${v})`).toBe(true);
      expect(Math.abs(g[i] - want), `sigmoid'(${v})`).toBeLessThanOrEqual(1e-16);
      // on the left tail the derivative is accurate relatively too (no cancellation in 1 − y), down to
      // where e^−|x| leaves the normal range (below about −708 both underflow towards 0)
      if (v <= 0 && v > -700)
        expect(Math.abs(g[i] - want) / want, `sigmoid'(${v}) relative`).toBeLessThanOrEqual(1e-12);
      expect(t.data[i]).toBe(g[i]);
    });
    expect([y[0], y[y.length - 2], y[y.length - 1]]).toEqual([0, 0, 1]);
  });

  it('tanh: values in [−1, 1], derivative 1 − y² finite, in [0, 1], within 1e-15 of 4e^−2|x|/(1 + e^−2|x|)²', () => {
    const x = tensor(xs);
    const y = tanh(x).data;
    const g = grad((z: Tensor) => sum(tanh(z)))(x).data;
    xs.forEach((v, i) => {
      const e = Math.exp(-2 * Math.abs(v));
      const want = Number.isFinite(v) ? (4 * e) / (1 + e) ** 2 : 0;
      expect(Math.abs(y[i]) <= 1, `tanh(${v})`).toBe(true);
      expect(Number.isFinite(g[i]) && g[i] >= 0 && g[i] <= 1, `tanh'(${v})`).toBe(true);
      expect(Math.abs(g[i] - want), `tanh'(${v})`).toBeLessThanOrEqual(1e-15);
    });
  });
});

/** [x_i, 0] per element: max over axis 1 is relu(x), with the kink as a tie of two elements. */
const concatZero = (x: Tensor) => concat([reshape(x, [x.size, 1]), zeros([x.size, 1])], 1);

describe('gradient checks across kinks', () => {
  const near = [0, 1e-7, -1e-7, 5e-7];

  it.each([
    ['relu', (x: Tensor) => relu(x)],
    ['abs', (x: Tensor) => abs(x)],
    ['maximum(x, 0)', (x: Tensor) => maximum(x, 0)],
    ['max against a fixed 0', (x: Tensor) => max(concatZero(x), 1)],
  ])('%s within eps of its kink: reported as a kink, not failed', (_, f) => {
    const x = tensor([...near, 0.5, -0.5]);
    for (const mode of ['full', 'fast'] as const) {
      const r = checkGrad(f, [x], { mode });
      expect(r.ok, r.message).toBe(true);
      expect(r.kinks.length, r.message).toBeGreaterThan(0);
      // every kink is on an element within eps (1e-6) of 0, never at ±0.5
      for (const k of r.kinks) expect(Math.abs(x.data[k.element])).toBeLessThan(1e-6);
      expect(r.message).toMatch(/straddles? a kink/);
    }
  });

  it('away from kinks nothing is reported; a wrong derivative fails, next to a kink or at one', () => {
    expect(checkGrad(relu, [tensor([0.5, -0.25, 2])]).kinks).toEqual([]);
    const at = tensor([...near, 0.5, -0.5]);
    // x·stopGradient(x): analytic x, true 2x; at ±0.5 the one-sided slopes agree, so it is no kink and fails
    const r = checkGrad((z: Tensor) => sum(mul(z, stopGradient(z))), [at]);
    expect(r.ok).toBe(false);
    expect(r.kinks).toEqual([]);
    expect(Math.abs(at.data[r.worst!.element])).toBe(0.5);
    // relu(x) + 5·stopGradient(x): slopes 5 | 6 at the kink, analytic 0 | 1 lies outside them: fails there
    const k = checkGrad((z: Tensor) => add(relu(z), mul(stopGradient(z), 5)), [tensor([0, 1e-7])]);
    expect(k.ok).toBe(false);
    expect(k.kinks).toEqual([]);
  });
});

describe('rates 0 and 1 on every dropout variant', () => {
  const x = tensor([
    [1, -2, Infinity],
    [-Infinity, NaN, 0.5],
  ]);
  const k = key(3);
  const conventions = ['inverted', 'scale-at-inference'] as const;

  it.each([
    ['dropout', dropout],
    ['dropConnect', dropConnect],
  ] as const)(
    '%s: rate 0 is the identity (value, gradient, tangent); rate 1 gives exact zeros and zero derivatives, even at ±Infinity and NaN',
    (_, op) => {
      for (const convention of conventions) {
        for (const training of [true, false]) {
          expect(op(k, x, { rate: 0, training, convention })).toBe(x);
          const y1 = op(k, x, { rate: 1, training, convention });
          if (training) expect(Array.from(y1.data)).toEqual([0, 0, 0, 0, 0, 0]);
          else if (convention === 'inverted') expect(y1).toBe(x);
          else expect(Array.from(y1.data)).toEqual([0, 0, 0, 0, 0, 0]); // keep·x with keep 0: a zero multiplier gives exactly 0, even for ±∞ and NaN
        }
        const finite = tensor([
          [1, -2, 3],
          [4, 5, -6],
        ]);
        expect(
          Array.from(grad((z: Tensor) => sum(op(k, z, { rate: 0, training: true, convention })))(finite).data),
        ).toEqual([1, 1, 1, 1, 1, 1]);
        expect(Array.from(grad((z: Tensor) => sum(op(k, z, { rate: 1, training: true, convention })))(x).data)).toEqual(
          [0, 0, 0, 0, 0, 0],
        );
        const t = jvp((z: Tensor) => op(k, z, { rate: 1, training: true, convention }), [x], [ones([2, 3])])
          .tangent as Tensor;
        expect(Array.from(t.data)).toEqual([0, 0, 0, 0, 0, 0]);
      }
    },
  );

  it('dropoutWithMask: rate 0 with the all-ones mask is the identity, rate 1 needs the all-zeros mask and gives zeros', () => {
    for (const convention of conventions) {
      expect(Array.from(dropoutWithMask(x, ones([2, 3]), { rate: 0, convention }).data)).toEqual(Array.from(x.data));
      expect(Array.from(dropoutWithMask(x, zeros([2, 3]), { rate: 1, convention }).data)).toEqual([0, 0, 0, 0, 0, 0]);
      expect(
        Array.from(grad((z: Tensor) => sum(dropoutWithMask(z, zeros([1, 3]), { rate: 1, convention })))(x).data),
      ).toEqual([0, 0, 0, 0, 0, 0]);
      expect(() => dropoutWithMask(x, ones([2, 3]), { rate: 1, convention })).toThrow(
        /dropoutWithMask: at rate 1 every unit is dropped, but the mask keeps some/,
      );
    }
  });

  it('gaussianDropout: rate 0 is the identity; rate 1 (infinite variance) is refused naming rate', () => {
    for (const training of [true, false]) expect(gaussianDropout(k, x, { rate: 0, training })).toBe(x);
    expect(() => gaussianDropout(k, x, { rate: 1, training: true })).toThrow(
      /gaussianDropout: rate must be in \[0, 1\) for Gaussian dropout/,
    );
    expect(() => gaussianDropout(k, x, { rate: 1, training: false })).toThrow(/rate must be in \[0, 1\)/);
  });

  it('a noiseShape does not change rates 0 and 1', () => {
    const noiseShape = [1, null];
    expect(dropout(k, x, { rate: 0, training: true, noiseShape })).toBe(x);
    expect(Array.from(dropout(k, x, { rate: 1, training: true, noiseShape }).data)).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('masks of length 0 and 1', () => {
  it('dropout of an empty tensor is empty; of one element is 0 or x/keep', () => {
    for (const rate of [0, 0.5, 1]) {
      expect(dropout(key(1), zeros([0]), { rate, training: true }).shape).toEqual([0]);
      expect(dropout(key(1), zeros([2, 0]), { rate, training: true, noiseShape: [1, null] }).shape).toEqual([2, 0]);
      expect(gaussianDropout(key(1), zeros([0]), { rate: rate === 1 ? 0.5 : rate, training: true }).shape).toEqual([0]);
      const y = dropout(key(1), tensor([3]), { rate, training: true }).item();
      expect(rate === 1 ? [0] : rate === 0 ? [3] : [0, 6]).toContain(y);
    }
    expect(
      Array.from(grad((z: Tensor) => sum(dropout(key(2), z, { rate: 0.5, training: true })))(zeros([0])).data),
    ).toEqual([]);
  });

  it('dropoutWithMask with masks of length 0 and 1', () => {
    expect(dropoutWithMask(zeros([0]), zeros([0]), { rate: 0.5 }).shape).toEqual([0]);
    expect(dropoutWithMask(tensor([3]), tensor([1]), { rate: 0.5 }).item()).toBe(6);
    expect(dropoutWithMask(tensor([3]), tensor([0]), { rate: 0.5 }).item()).toBe(0);
    expect(
      Array.from(dropoutWithMask(tensor([1, 2]), tensor([1]), { rate: 0.5, convention: 'scale-at-inference' }).data),
    ).toEqual([1, 2]); // a length-1 mask broadcasts
    expect(() => dropoutWithMask(tensor([3]), tensor([]), { rate: 0.5 })).toThrow(
      /dropoutWithMask: noiseShape\[0\] must be 1, null or 1/,
    );
  });

  it('enumeration over 0 units visits the one empty mask with probability 1; over 1 unit, two masks', () => {
    const seen: [string, number][] = [];
    forEachMask(0, 0.3, (m, p) => seen.push([m.join(''), p]));
    expect(seen).toEqual([['', 1]]);
    seen.length = 0;
    forEachMask(1, 0.3, (m, p) => seen.push([m.join(''), p]));
    expect(seen).toEqual([
      ['0', 0.7],
      ['1', 0.3],
    ]);
    expect(ensembleMean(0, 0.3, () => 5)).toBe(5);
    expect(ensembleMean(1, [0.25], (m) => m[0] * 8)).toBe(2);
  });
});
