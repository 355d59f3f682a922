// Claims D-FWD and D-BWD: the dropout op's definition, checked exactly with the mask fixed by its key.
//
// The reference mask does not come from the engine: it is drawn here from seedrandom's Alea generator
// called directly, on the stream the engine documents for a key (key(seed) with seed < 2^32 is
// "0:seed", a draw's stream "<hi>:<lo>:bernoulli", r_i = [u_i < keep]), so a fault in the engine's
// generator, shared by bernoulli and dropout, cannot agree with it. Gaussian dropout's reference
// multiplier is 1 + σ·z with z drawn the same way (Box–Muller) and σ² = Var(r/keep) by enumerating
// r ∈ {0, 1} in Fractions, not the implementation's formula.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  type Tensor,
  bernoulli,
  dropConnect,
  dropout,
  dropoutWithMask,
  gaussianDropout,
  grad,
  jvp,
  key,
  mul,
  normal,
  sum,
  tensor,
  vjp,
} from '../../src/index.ts';
import { bernoulliInvertedMoments, toFraction } from '../../src/verify/rational.ts';
import { aleaMask, aleaNormal } from './alea.ts';
import { recorder } from '../../src/testing/record.ts';

const ALEA =
  'masks drawn here from seedrandom’s Alea generator called directly on the key’s documented stream (not the engine’s bernoulli, which shares dropout’s generator)';
const { holds } = recorder(import.meta.url, {
  'D-FWD': {
    reference: `the op’s definition r ⊙ x·(1/keep) or r ⊙ x with ${ALEA}; the documented identities at rate 0 and 1.`,
    tolerance: 'none: bit for bit (the multiplier 1/keep is the documented one).',
  },
  'D-BWD': { reference: `the cotangent times the same r (·1/keep), with ${ALEA}.`, tolerance: 'none: bit for bit.' },
});

const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 3 });
// Rates away from 1/2 as well as at it: a keep/rate swap or a 1/rate scale is invisible at 1/2.
const rateArb = fc.oneof(fc.constantFrom(0.1, 0.25, 0.5, 0.8, 0.9), fc.double({ min: 0.01, max: 0.99, noNaN: true }));
const seedArb = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const valuesArb = (n: number) =>
  fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: n, maxLength: n });
const tensorArb = shapeArb.chain((shape) => valuesArb(shape.reduce((a, b) => a * b, 1)).map((v) => tensor(v, shape)));

/** The documented mask r = bernoulli(key(seed), keep, shape), drawn independently of the engine (test/properties/alea.ts). */
const maskOf = (seed: number, rate: number, shape: readonly number[]) =>
  Float64Array.from(
    aleaMask(
      seed,
      1 - rate,
      shape.reduce((a, b) => a * b, 1),
    ),
  );

describe('D-FWD: training output is r ⊙ x / keep (inverted) or r ⊙ x (paper), with r = bernoulli(key, keep)', () => {
  it('inverted: kept elements are x·(1/keep), dropped ones exactly 0', () => {
    holds(
      fc.property(tensorArb, rateArb, seedArb, (x, rate, seed) => {
        const keep = 1 - rate;
        const y = dropout(key(seed), x, { rate, training: true });
        const r = maskOf(seed, rate, x.shape);
        expect(y.shape).toEqual(x.shape);
        for (let i = 0; i < x.size; i++) expect(y.data[i]).toBe(r[i] === 1 ? x.data[i] * (1 / keep) : 0);
      }),
    );
  });

  it('scale-at-inference: kept elements are x exactly, dropped ones exactly 0', () => {
    holds(
      fc.property(tensorArb, rateArb, seedArb, (x, rate, seed) => {
        const y = dropout(key(seed), x, { rate, training: true, convention: 'scale-at-inference' });
        const r = maskOf(seed, rate, x.shape);
        for (let i = 0; i < x.size; i++) expect(y.data[i]).toBe(r[i] === 1 ? x.data[i] : 0);
      }),
    );
  });

  it('inference: the identity (inverted) or keep·x (paper), with or without a key', () => {
    holds(
      fc.property(tensorArb, rateArb, fc.option(seedArb), (x, rate, seed) => {
        const k = seed === null ? undefined : key(seed);
        expect(dropout(k, x, { rate, training: false }).data).toEqual(x.data);
        const paper = dropout(k, x, { rate, training: false, convention: 'scale-at-inference' });
        for (let i = 0; i < x.size; i++) expect(paper.data[i]).toBe(x.data[i] * (1 - rate));
      }),
    );
  });

  it('rate 0 is the exact identity in training and inference, both conventions, NaN and ±Infinity included', () => {
    const x = tensor([1.5, -0, Number.NaN, Number.POSITIVE_INFINITY, -3e-300]);
    for (const convention of ['inverted', 'scale-at-inference'] as const) {
      for (const training of [true, false]) {
        const y = dropout(key(1), x, { rate: 0, training, convention });
        expect(Array.from(y.data)).toEqual(Array.from(x.data)); // toEqual distinguishes -0 and matches NaN
        expect(
          grad((x: Tensor) => sum(dropout(key(1), x, { rate: 0, training, convention })))(tensor([1, 2])).data,
        ).toEqual(Float64Array.of(1, 1));
      }
    }
  });

  it('rate 1 gives zeros and zero, finite gradients, never NaN (also for infinite inputs)', () => {
    const x = tensor([1, -2, Number.POSITIVE_INFINITY, 1e308]);
    for (const convention of ['inverted', 'scale-at-inference'] as const) {
      const f = (x: Tensor) => sum(dropout(key(3), x, { rate: 1, training: true, convention }));
      expect(Array.from(f(x).data)).toEqual([0]);
      expect(Array.from(dropout(key(3), x, { rate: 1, training: true, convention }).data)).toEqual([0, 0, 0, 0]);
      expect(Array.from(grad(f)(x).data)).toEqual([0, 0, 0, 0]);
      const y = dropout(key(3), x, { rate: 1, training: false, convention });
      expect(Array.from(y.data)).toEqual(convention === 'inverted' ? Array.from(x.data) : [0, 0, 0, 0]);
    }
  });

  it('the same key gives the same mask on every call; split keys give different masks', () => {
    const x = tensor(new Float64Array(64).fill(1), [8, 8]);
    const a = dropout(key(9), x, { rate: 0.3, training: true });
    const b = dropout(key(9), x, { rate: 0.3, training: true });
    const c = dropout(key(10), x, { rate: 0.3, training: true });
    expect(b.data).toEqual(a.data);
    expect(c.data).not.toEqual(a.data); // P(equal) = P(64 equal bits) ≤ (0.7² + 0.3²)^64 < 1e-15
  });

  it('noiseShape: one mask bit is shared along every axis where noiseShape is 1', () => {
    holds(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 4 }),
        rateArb,
        seedArb,
        (b, c, w, rate, seed) => {
          const x = tensor(new Float64Array(b * c * w).fill(2), [b, c, w]);
          const y = dropout(key(seed), x, { rate, training: true, noiseShape: [1, null, 1] });
          const r = maskOf(seed, rate, [1, c, 1]);
          for (let i = 0; i < b; i++)
            for (let j = 0; j < c; j++)
              for (let k = 0; k < w; k++) {
                expect(y.data[(i * c + j) * w + k]).toBe(r[j] === 1 ? 2 * (1 / (1 - rate)) : 0);
              }
        },
      ),
    );
  });

  // the kept fraction (a statistical check with its α) lives in stochastic.ts, shared with calibration
});

describe('D-FWD: a given mask', () => {
  it('dropoutWithMask with the key’s mask is dropout with that key, bit for bit, value and gradient', () => {
    holds(
      fc.property(
        tensorArb,
        rateArb,
        seedArb,
        fc.constantFrom('inverted' as const, 'scale-at-inference' as const),
        (x, rate, seed, convention) => {
          const mask = bernoulli(key(seed), 1 - rate, x.shape);
          const a = (x: Tensor) => dropout(key(seed), x, { rate, training: true, convention });
          const b = (x: Tensor) => dropoutWithMask(x, mask, { rate, convention });
          expect(b(x).data).toEqual(a(x).data);
          expect(grad((x: Tensor) => sum(mul(b(x), x)))(x).data).toEqual(
            grad((x: Tensor) => sum(mul(a(x), x)))(x).data,
          );
        },
      ),
    );
  });

  it('refuses masks that are not 0/1, of the wrong rank or shape, or keeping units at rate 1', () => {
    const x = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(() =>
      dropoutWithMask(
        x,
        tensor([
          [1, 0.5],
          [0, 1],
        ]),
        { rate: 0.5 },
      ),
    ).toThrow(/mask values must be 0 or 1, got 0.5 at index 1/);
    expect(() => dropoutWithMask(x, tensor([1, 0]), { rate: 0.5 })).toThrow(
      /mask must have the rank of x \(shape \[2, 2\]\), got shape \[2\]/,
    );
    expect(() => dropoutWithMask(x, tensor([[1, 0, 1]]), { rate: 0.5 })).toThrow(
      /noiseShape\[1\] must be 1, null or 2/,
    );
    expect(() => dropoutWithMask(x, tensor([[1, 0]]), { rate: 1 })).toThrow(/rate 1 every unit is dropped/);
    expect(dropoutWithMask(x, tensor([[0, 1]]), { rate: 0.2 }).toArray()).toEqual([
      [0, 2 * (1 / 0.8)],
      [0, 4 * (1 / 0.8)],
    ]);
  });
});

describe('D-BWD: ∂E/∂x = ∂E/∂y ⊙ r (/keep when inverted), with the forward pass’s r', () => {
  it('the VJP multiplies the cotangent by the forward mask exactly, both conventions', () => {
    holds(
      fc.property(
        tensorArb,
        rateArb,
        seedArb,
        fc.constantFrom('inverted' as const, 'scale-at-inference' as const),
        (x, rate, seed, convention) => {
          const f = (x: Tensor) => dropout(key(seed), x, { rate, training: true, convention });
          const { value, pullback } = vjp(f, x);
          const g = normal(key(seed + 1), x.shape);
          const [dx] = pullback(g);
          const r = maskOf(seed, rate, x.shape);
          const m = (i: number) => (r[i] === 1 ? (convention === 'inverted' ? 1 / (1 - rate) : 1) : 0);
          for (let i = 0; i < x.size; i++) {
            expect(dx.data[i]).toBe(r[i] === 1 ? g.data[i] * m(i) : 0);
            // the forward pass used the same r: y is nonzero only where r is 1
            if (x.data[i] !== 0) expect(value.data[i] !== 0).toBe(r[i] === 1);
          }
        },
      ),
    );
  });

  it('the JVP multiplies the tangent by the same mask', () => {
    holds(
      fc.property(tensorArb, rateArb, seedArb, (x, rate, seed) => {
        const t = normal(key(seed + 7), x.shape);
        const { tangent } = jvp((x: Tensor) => dropout(key(seed), x, { rate, training: true }), [x], [t]);
        const r = maskOf(seed, rate, x.shape);
        for (let i = 0; i < x.size; i++) expect(tangent.data[i]).toBe(r[i] === 1 ? t.data[i] * (1 / (1 - rate)) : 0);
      }),
    );
  });

  it('with a noiseShape, the gradient of a shared mask bit is shared too', () => {
    const x = normal(key(4), [3, 5]);
    const f = (x: Tensor) => sum(mul(dropout(key(8), x, { rate: 0.4, training: true, noiseShape: [1, null] }), x));
    const r = maskOf(8, 0.4, [1, 5]);
    const g = grad(f)(x);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 5; j++) {
        // y = m·x², dy/dx = 2·m·x
        expect(g.data[i * 5 + j]).toBeCloseTo(r[j] === 1 ? (2 * x.data[i * 5 + j]) / 0.6 : 0, 12);
      }
  });

  it('at inference the gradient is 1 (inverted) or keep (paper)', () => {
    const x = tensor([0.5, -1, 2]);
    expect(Array.from(grad((x: Tensor) => sum(dropout(undefined, x, { rate: 0.3, training: false })))(x).data)).toEqual(
      [1, 1, 1],
    );
    const paper = grad((x: Tensor) =>
      sum(dropout(undefined, x, { rate: 0.3, training: false, convention: 'scale-at-inference' })),
    )(x);
    expect(Array.from(paper.data)).toEqual([0.7, 0.7, 0.7]);
  });
});

describe('D-FWD, D-BWD: Gaussian dropout and DropConnect', () => {
  it('Gaussian dropout multiplies by 1 + σ·z in training (z from Alea, σ² = Var(r/keep) by enumeration), the same multiplier in its VJP, identity at inference', () => {
    holds(
      fc.property(tensorArb, fc.double({ min: 0.01, max: 0.95, noNaN: true }), seedArb, (x, rate, seed) => {
        const sigma = Math.sqrt(
          Number(bernoulliInvertedMoments(toFraction(1).sub(toFraction(rate))).variance.valueOf()),
        );
        const z = aleaNormal(seed, x.size);
        const y = gaussianDropout(key(seed), x, { rate, training: true });
        const [dx] = vjp((x: Tensor) => gaussianDropout(key(seed), x, { rate, training: true }), x).pullback(
          tensor(new Float64Array(x.size).fill(1), x.shape),
        );
        const u = 2 ** -53;
        for (let i = 0; i < x.size; i++) {
          // the multiplier m = 1 + σz within the rounding of both sides: σ (3u each), σ·rad·cos (2u), the sums (u·|m| each)
          const m = dx.data[i];
          expect(Math.abs(m - (1 + sigma * z[i]))).toBeLessThanOrEqual(
            2 * u * Math.abs(m) + 10 * u * Math.abs(sigma * z[i]),
          );
          // D-BWD: the forward pass used exactly that multiplier
          expect(y.data[i]).toBe(m === 0 ? 0 : x.data[i] * m);
        }
        expect(gaussianDropout(key(seed), x, { rate, training: false }).data).toEqual(x.data);
      }),
      {},
      {
        basis: {
          reference:
            'the multiplier 1 + σ·z with z from Alea and Box–Muller written here and σ² = Var(r/keep) by enumerating r in Fractions (not the implementation’s σ formula); the VJP’s multiplier equals the forward one bit for bit.',
          tolerance:
            '2u·|m| + 10u·|σz| per multiplier (the roundings of σ, σ·rad·cos and 1 + σz on both sides), u = 2^−53; the forward product bit for bit.',
        },
      },
    );
  });

  it('Gaussian dropout refuses a fake key even at inference', () => {
    expect(() => gaussianDropout({ hi: 0, lo: 0 } as never, tensor([1]), { rate: 0.5, training: false })).toThrow(
      /expected key to be a Key/,
    );
  });

  it('Gaussian dropout refuses rate 1 (infinite variance)', () => {
    expect(() => gaussianDropout(key(0), tensor([1]), { rate: 1, training: true })).toThrow(/\[0, 1\).*got 1/);
  });

  it('DropConnect masks a weight matrix exactly like dropout does', () => {
    const W = normal(key(5), [4, 3]);
    expect(dropConnect(key(6), W, { rate: 0.25, training: true }).data).toEqual(
      dropout(key(6), W, { rate: 0.25, training: true }).data,
    );
    expect(dropConnect(undefined, W, { rate: 0.25, training: false, convention: 'scale-at-inference' }).data).toEqual(
      mul(W, 0.75).data,
    );
  });
});

describe('dropout refuses bad input with a clear error and never mutates its input', () => {
  const x = tensor([1, 2, 3]);
  const bad: [unknown, RegExp][] = [
    [{ rate: -0.1, training: true }, /rate.*\[0, 1\].*-0\.1/],
    [{ rate: 1.5, training: true }, /rate.*\[0, 1\].*1\.5/],
    [{ rate: Number.NaN, training: true }, /rate.*NaN/],
    [{ rate: '0.5', training: true }, /rate.*"0\.5"/],
    [{ training: true }, /rate.*undefined/],
    [{ rate: 0.5 }, /training must be true or false, got undefined/],
    [{ rate: 0.5, training: true, p: 0.5 }, /unknown option "p".*DROP probability/],
    [{ rate: 0.5, training: true, keep: 0.5 }, /unknown option "keep"/],
    [{ rate: 0.5, training: true, convention: 'paper' }, /convention.*"paper"/],
    [{ rate: 0.5, training: true, noiseShape: [3, 1] }, /noiseShape must have one entry per axis of x \(shape \[3\]\)/],
    [{ rate: 0.5, training: true, noiseShape: [2] }, /noiseShape\[0\] must be 1, null or 3.*got 2/],
    [null, /expected options/],
  ];
  it.each(bad)('options %j', (opts, msg) => {
    expect(() => dropout(key(0), x, opts as never)).toThrow(msg);
  });

  it('a missing or fake key in training', () => {
    expect(() => dropout(undefined, x, { rate: 0.5, training: true })).toThrow(
      /key \(required in training\).*undefined/,
    );
    expect(() => dropout({ hi: 0, lo: 1 } as never, x, { rate: 0.5, training: true })).toThrow(
      /expected key .* to be a Key/,
    );
    expect(() => dropout(key(0), [1, 2] as never, { rate: 0.5, training: true })).toThrow(/expected x to be a Tensor/);
  });

  it('does not modify x', () => {
    const y = tensor([1, -2, 3, 4]);
    const before = Array.from(y.data);
    dropout(key(1), y, { rate: 0.5, training: true });
    grad((t: Tensor) => sum(dropout(key(1), t, { rate: 0.5, training: true })))(y);
    expect(Array.from(y.data)).toEqual(before);
  });
});

// The masks depend only on the key and the number of elements, never on machine or call order.
it('D-FWD: a pinned mask (reproducible on any machine)', () => {
  const y = dropout(key(42), tensor(new Float64Array(12).fill(1)), {
    rate: 0.3,
    training: true,
    convention: 'scale-at-inference',
  });
  // recorded once; a change to the key derivation or the generator on any machine turns this red
  expect(Array.from(y.data)).toEqual([1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0]);
});

describe('D-FWD, D-BWD: the independent reference catches a generator fault that dropout and bernoulli would share', () => {
  it('D-FWD: a dropout and a bernoulli that both draw from the next key agree with each other (the old reference passes) but not with Alea', () => {
    // the shared fault: every mask comes from key(seed + 1) instead of key(seed)
    const faultyBernoulli = (seed: number, keep: number, shape: number[]) => bernoulli(key(seed + 1), keep, shape).data;
    const faultyDropout = (seed: number, x: Tensor, rate: number) =>
      dropout(key(seed + 1), x, { rate, training: true, convention: 'scale-at-inference' });
    let caught = 0;
    holds(
      fc.property(
        fc.integer({ min: 8, max: 64 }),
        fc.double({ min: 0.2, max: 0.8, noNaN: true }),
        seedArb,
        (n, rate, seed) => {
          const x = tensor(new Float64Array(n).fill(1));
          const y = faultyDropout(seed, x, rate).data;
          const old = faultyBernoulli(seed, 1 - rate, [n]);
          expect(Array.from(y)).toEqual(Array.from(old)); // the reference from the engine's bernoulli agrees
          const ref = maskOf(seed, rate, [n]);
          if (Array.from(y).some((v, i) => v !== ref[i])) caught++;
        },
      ),
      {},
      {
        basis: {
          reference: `${ALEA}, against a dropout and a bernoulli sharing a fault.`,
          tolerance: 'none: bit for bit.',
        },
      },
    );
    // the two masks coincide only if n ≥ 8 independent bits all agree (each with probability ≤ 0.68 at rates 0.2–0.8, so ≤ 0.05): the fault must show in nearly every case
    expect(caught).toBeGreaterThan(80);
  });
});
