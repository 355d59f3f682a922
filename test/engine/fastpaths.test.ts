// The engine's fast paths against the straightforward code they replace: the same bits.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { Tensor, bernoulli, dropout, key, normal, split, float64Data } from '../../src/index.ts';

const same = (x: ArrayLike<number>, y: ArrayLike<number>) =>
  x.length === y.length && Array.from(x).every((v, i) => Object.is(v, y[i]));
const anyKey = fc.tuple(fc.nat(), fc.nat({ max: 40 })).map(([seed, i]) => split(key(seed), i + 1)[i]);

describe('random draws', () => {
  // The draws as the engine first wrote them: seedrandom's Alea, one double() per value.
  const stream = (k: { hi: number; lo: number }, tag: string) => seedrandom.alea(`${k.hi}:${k.lo}:${tag}`);

  it('bernoulli gives the numbers of one seedrandom double() per element', () => {
    fc.assert(
      fc.property(
        anyKey,
        fc.integer({ min: 0, max: 100 }).map((c) => c / 100),
        fc.integer({ min: 0, max: 300 }),
        (k, keep, n) => {
          const r = stream(k, 'bernoulli');
          const ref = Float64Array.from({ length: n }, () => (r.double() < keep ? 1 : 0));
          expect(same(bernoulli(k, keep, [n]).data, ref)).toBe(true);
        },
      ),
    );
  });

  it('normal gives the Box–Muller values of seedrandom double() pairs', () => {
    fc.assert(
      fc.property(anyKey, fc.nat({ max: 301 }), (k, n) => {
        const r = stream(k, 'normal');
        const ref = new Float64Array(n);
        for (let i = 0; i < n; i += 2) {
          const u1 = 1 - r.double(),
            u2 = r.double();
          const rad = Math.sqrt(-2 * Math.log(u1));
          ref[i] = 0.5 + 2 * rad * Math.cos(2 * Math.PI * u2);
          if (i + 1 < n) ref[i + 1] = 0.5 + 2 * rad * Math.sin(2 * Math.PI * u2);
        }
        expect(same(normal(k, [n], 0.5, 2).data, ref)).toBe(true);
      }),
    );
  });

  it('dropout multiplies by bernoulli(key, keep) / keep (inverted) or the 0/1 mask (paper)', () => {
    fc.assert(
      fc.property(
        anyKey,
        fc.integer({ min: 0, max: 95 }).map((c) => c / 100),
        fc.integer({ min: 0, max: 200 }),
        (k, rate, n) => {
          const x = new Tensor(
            Float64Array.from({ length: n }, (_, i) => i - 7.5),
            [n],
          );
          const keep = 1 - rate;
          const mask = bernoulli(k, keep, [n]).data;
          const inverted = float64Data(dropout(k, x, { rate, training: true }));
          const paper = float64Data(dropout(k, x, { rate, training: true, convention: 'scale-at-inference' }));
          expect(
            same(
              inverted,
              float64Data(x).map((v, i) => (mask[i] === 0 ? 0 : v * (1 / keep))),
            ),
          ).toBe(true);
          expect(
            same(
              paper,
              float64Data(x).map((v, i) => (mask[i] === 0 ? 0 : v)),
            ),
          ).toBe(true);
        },
      ),
    );
  });
});

describe('flatten', () => {
  it('names the first bad leaf by its path, though valid trees build no path strings', async () => {
    const { flatten, tensor } = await import('../../src/index.ts');
    const x = tensor([1]);
    expect(() => flatten([x, { b: x, a: [x, 3] }] as never, 'params')).toThrow(
      /expected params\[1\]\.a\[1\] to be a Tensor or an array\/object of Tensors, got 3/,
    );
    expect(() => flatten({ w: [x, NaN] } as never)).toThrow(/expected argument\.w\[1\] to be a Tensor .* got NaN/);
    const { leaves, rebuild } = flatten(x);
    expect(leaves).toEqual([x]);
    expect(rebuild([tensor([2])])).toEqual(tensor([2]));
  });
});
