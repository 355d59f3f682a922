// The dropout op's edges, each pinned exactly: the whole text of every error (which argument, what
// was expected, what came), the fast paths that hand x back untouched, the broadcast check of a
// multiplier, and the key checks at inference. Cheap, fixed inputs; no property runs.
import { describe, expect, it } from 'vitest';
import {
  type Tensor,
  applyMultiplier,
  dropConnect,
  dropout,
  dropoutWithMask,
  gaussianDropout,
  grad,
  key,
  resolveNoiseShape,
  sum,
  tensor,
} from '../../src/index.ts';

const x = tensor([
  [1, -2, 3],
  [4, 5, -6],
]); // shape [2, 3]
const fakeKey = { hi: 0, lo: 1 } as never;

/** The message of the error f throws (and that it is of the given class). */
function thrown(f: () => unknown, cls: ErrorConstructor): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(cls);
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('applyMultiplier: m must broadcast to x (right-aligned, each axis 1 or x’s dimension)', () => {
  it('accepts a trailing-axis m, a scalar, and 1s', () => {
    expect(applyMultiplier(x, tensor([1, 0, 2])).toArray()).toEqual([
      [1, 0, 6],
      [4, 0, -12],
    ]);
    expect(applyMultiplier(x, tensor([[2], [0]])).toArray()).toEqual([
      [2, -4, 6],
      [0, 0, 0],
    ]);
    expect(applyMultiplier(x, tensor(3)).toArray()).toEqual([
      [3, -6, 9],
      [12, 15, -18],
    ]);
    expect(applyMultiplier(x, tensor([[0, 1, -1]])).toArray()).toEqual([
      [0, -2, -3],
      [0, 5, 6],
    ]);
  });

  it('takes a float64 m in a float32 x’s dtype: each multiplier rounded to float32 before the product', () => {
    const x32 = tensor([1, 3, 7, -5], undefined, { dtype: 'float32' });
    const m = tensor([1 / 0.7, 1 / 0.3, 1 / 0.9, 1 / 0.7]); // not float32 values
    const y = applyMultiplier(x32, m);
    const rounded = Float32Array.from(x32.data, (v, i) => v * Math.fround(m.data[i]));
    const unrounded = Float32Array.from(x32.data, (v, i) => v * m.data[i]);
    expect(rounded).not.toEqual(unrounded); // the inputs tell the two apart
    expect(y.dtype).toBe('float32');
    expect(y.data).toEqual(rounded);
  });

  it('refuses an m of higher rank or with a dimension that is neither 1 nor x’s, naming both shapes', () => {
    expect(
      thrown(
        () =>
          applyMultiplier(
            x,
            tensor([
              [
                [1, 1, 1],
                [1, 1, 1],
              ],
            ]),
          ),
        RangeError,
      ),
    ).toBe("applyMultiplier: m (shape [1, 2, 3]) must broadcast to x's shape [2, 3]");
    expect(thrown(() => applyMultiplier(x, tensor([1, 1])), RangeError)).toBe(
      "applyMultiplier: m (shape [2]) must broadcast to x's shape [2, 3]",
    );
    expect(thrown(() => applyMultiplier(x, tensor([[1], [1], [1]])), RangeError)).toBe(
      "applyMultiplier: m (shape [3, 1]) must broadcast to x's shape [2, 3]",
    );
  });

  it('refuses an x or m that is not a tensor, naming the argument', () => {
    expect(thrown(() => applyMultiplier(x, [1, 2, 3] as never), TypeError)).toBe(
      'applyMultiplier: expected m to be a Tensor, got an array of length 3',
    );
    expect(thrown(() => applyMultiplier(null as never, x), TypeError)).toBe(
      'applyMultiplier: expected x to be a Tensor, got null',
    );
  });
});

describe('dropout options: each refusal says what was expected and what came', () => {
  it('options that are not an object', () => {
    expect(thrown(() => dropout(key(0), x, 0.5 as never), TypeError)).toBe(
      'dropout: expected options { rate, training }, got 0.5',
    );
    expect(thrown(() => dropout(key(0), x, null as never), TypeError)).toBe(
      'dropout: expected options { rate, training }, got null',
    );
  });

  it('an unknown option, with the rate hint for p, keep and keepProb only', () => {
    const expected = '; expected rate, training, convention, noiseShape';
    const hint = ' (give rate, the DROP probability; keep = 1 − rate)';
    for (const k of ['p', 'keep', 'keepProb']) {
      expect(thrown(() => dropout(key(0), x, { rate: 0.5, training: true, [k]: 0.5 } as never), TypeError)).toBe(
        `dropout: unknown option "${k}"${hint}${expected}`,
      );
    }
    expect(thrown(() => dropConnect(key(0), x, { rate: 0.5, training: true, seed: 1 } as never), TypeError)).toBe(
      `dropConnect: unknown option "seed"${expected}`,
    );
  });

  it('Gaussian dropout takes no convention, and says which options it does take', () => {
    expect(
      thrown(
        () => gaussianDropout(key(0), x, { rate: 0.5, training: true, convention: 'inverted' } as never),
        TypeError,
      ),
    ).toBe('gaussianDropout: unknown option "convention"; expected rate, training, noiseShape');
    expect(thrown(() => gaussianDropout(key(0), x, { rate: 0.5, training: true, keep: 0.5 } as never), TypeError)).toBe(
      'gaussianDropout: unknown option "keep" (give rate, the DROP probability; keep = 1 − rate); expected rate, training, noiseShape',
    );
  });

  it('rate, training and convention', () => {
    expect(thrown(() => dropout(key(0), x, { rate: 2, training: true }), RangeError)).toBe(
      'dropout: rate (the drop probability) must be a number in [0, 1], got 2',
    );
    expect(thrown(() => gaussianDropout(key(0), x, { rate: 1, training: false }), RangeError)).toBe(
      'gaussianDropout: rate must be in [0, 1) for Gaussian dropout (its variance rate/(1 − rate) is infinite at 1), got 1',
    );
    expect(thrown(() => dropout(key(0), x, { rate: 0.5, training: 1 as never }), TypeError)).toBe(
      'dropout: training must be true or false, got 1',
    );
    expect(
      thrown(() => dropout(key(0), x, { rate: 0.5, training: true, convention: 'paper' as never }), RangeError),
    ).toBe("dropout: convention must be 'inverted' or 'scale-at-inference', got \"paper\"");
  });

  it('rates 0 and 1 are inside the range, for both ops (1 only for Bernoulli dropout)', () => {
    expect(dropout(key(0), x, { rate: 1, training: true }).toArray()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(gaussianDropout(key(0), x, { rate: 0, training: true })).toBe(x);
  });
});

describe('resolveNoiseShape', () => {
  it('is x’s shape without a noiseShape, and x’s dimension where noiseShape is null', () => {
    expect(resolveNoiseShape([2, 3], undefined)).toEqual([2, 3]);
    expect(resolveNoiseShape([2, 3], [null, 1])).toEqual([2, 1]);
    expect(resolveNoiseShape([2, 3], [1, 3])).toEqual([1, 3]);
  });

  it('refuses a noiseShape that is not an array of one entry per axis, or an entry that is not 1, null or x’s dimension, under the default op name', () => {
    expect(thrown(() => resolveNoiseShape([2, 3], 'ab' as never), RangeError)).toBe(
      'dropout: noiseShape must have one entry per axis of x (shape [2, 3]), got "ab"',
    );
    expect(thrown(() => resolveNoiseShape([2, 3], [1]), RangeError)).toBe(
      'dropout: noiseShape must have one entry per axis of x (shape [2, 3]), got an array of length 1',
    );
    expect(thrown(() => resolveNoiseShape([2, 3], [1, 2]), RangeError)).toBe(
      "dropout: noiseShape[1] must be 1, null or 3 (x's dimension), got 2",
    );
    expect(thrown(() => resolveNoiseShape([2, -1], [1, 1]), RangeError)).toMatch(/^dropout: the shape of x: /);
    expect(thrown(() => gaussianDropout(key(0), x, { rate: 0.5, training: true, noiseShape: [1] }), RangeError)).toBe(
      'gaussianDropout: noiseShape must have one entry per axis of x (shape [2, 3]), got an array of length 1',
    );
  });
});

describe('fast paths hand x back itself: no copy, no graph node', () => {
  it('rate 0 in training and at inference, both conventions; inverted dropout at inference', () => {
    for (const convention of ['inverted', 'scale-at-inference'] as const) {
      expect(dropout(key(1), x, { rate: 0, training: true, convention })).toBe(x);
      expect(dropout(undefined, x, { rate: 0, training: false, convention })).toBe(x);
    }
    expect(dropout(undefined, x, { rate: 0.5, training: false })).toBe(x);
    expect(dropConnect(null, x, { rate: 0.5, training: false })).toBe(x);
  });

  it('Gaussian dropout at rate 0 and at inference', () => {
    expect(gaussianDropout(key(1), x, { rate: 0, training: true })).toBe(x);
    expect(gaussianDropout(undefined, x, { rate: 0.5, training: false })).toBe(x);
  });

  it('the paper convention at inference is a new tensor keep·x', () => {
    const y = dropout(undefined, x, { rate: 0.25, training: false, convention: 'scale-at-inference' });
    expect(y).not.toBe(x);
    expect(y.toArray()).toEqual([
      [0.75, -1.5, 2.25],
      [3, 3.75, -4.5],
    ]);
  });
});

describe('keys: required in training, optional at inference, and checked whenever given', () => {
  it('dropout and Gaussian dropout refuse a missing key in training, naming it', () => {
    expect(thrown(() => dropout(null, x, { rate: 0.5, training: true }), TypeError)).toBe(
      'dropout: expected key (required in training) to be a Key (from key(seed), split or foldIn), got null',
    );
    expect(thrown(() => gaussianDropout(undefined, x, { rate: 0.5, training: true }), TypeError)).toBe(
      'gaussianDropout: expected key (required in training) to be a Key (from key(seed), split or foldIn), got undefined',
    );
  });

  it('at inference a null or absent key is fine, a fake one is refused', () => {
    const opts = { rate: 0.5, training: false, convention: 'scale-at-inference' } as const;
    expect(dropout(null, x, opts).toArray()).toEqual([
      [0.5, -1, 1.5],
      [2, 2.5, -3],
    ]);
    expect(gaussianDropout(null, x, { rate: 0.5, training: false })).toBe(x);
    expect(thrown(() => dropout(fakeKey, x, opts), TypeError)).toBe(
      'dropout: expected key to be a Key (from key(seed), split or foldIn), got an object (Object)',
    );
    expect(thrown(() => dropConnect(fakeKey, x, { rate: 0.5, training: false }), TypeError)).toMatch(
      /^dropConnect: expected key to be a Key/,
    );
    expect(thrown(() => gaussianDropout(fakeKey, x, { rate: 0.5, training: false }), TypeError)).toBe(
      'gaussianDropout: expected key to be a Key (from key(seed), split or foldIn), got an object (Object)',
    );
  });

  it('the x argument is checked first, under the op’s name', () => {
    expect(thrown(() => gaussianDropout(key(0), [1] as never, { rate: 0.5, training: true }), TypeError)).toBe(
      'gaussianDropout: expected x to be a Tensor, got an array of length 1',
    );
    expect(thrown(() => dropConnect(key(0), 1 as never, { rate: 0.5, training: true }), TypeError)).toBe(
      'dropConnect: expected x to be a Tensor, got 1',
    );
  });
});

describe('dropoutWithMask', () => {
  it('scale-at-inference keeps x exactly where the mask is 1; inverted scales by 1/keep', () => {
    const mask = tensor([
      [1, 0, 1],
      [0, 1, 1],
    ]);
    expect(dropoutWithMask(x, mask, { rate: 0.75, convention: 'scale-at-inference' }).toArray()).toEqual([
      [1, 0, 3],
      [0, 5, -6],
    ]);
    expect(dropoutWithMask(x, mask, { rate: 0.75 }).toArray()).toEqual([
      [4, 0, 12],
      [0, 20, -24],
    ]);
  });

  it('rate 1 with a mask of zeros drops everything, with a zero gradient (no 0·∞)', () => {
    const zeros = tensor([[0, 0, 0]]);
    expect(dropoutWithMask(x, zeros, { rate: 1 }).toArray()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(Array.from(grad((t: Tensor) => sum(dropoutWithMask(t, zeros, { rate: 1 })))(x).data)).toEqual([
      0, 0, 0, 0, 0, 0,
    ]);
  });

  it('names the op, the mask, its rank, and the first bad value with its index', () => {
    expect(thrown(() => dropoutWithMask([1, 2] as never, x, { rate: 0.5 }), TypeError)).toBe(
      'dropoutWithMask: expected x to be a Tensor, got an array of length 2',
    );
    expect(thrown(() => dropoutWithMask(x, x, { rate: -1 }), RangeError)).toBe(
      'dropoutWithMask: rate (the drop probability) must be a number in [0, 1], got -1',
    );
    expect(thrown(() => dropoutWithMask(x, [1, 0] as never, { rate: 0.5 }), TypeError)).toBe(
      'dropoutWithMask: expected mask to be a Tensor, got an array of length 2',
    );
    expect(thrown(() => dropoutWithMask(x, tensor([1, 0, 1]), { rate: 0.5 }), RangeError)).toBe(
      'dropoutWithMask: mask must have the rank of x (shape [2, 3]), got shape [3]',
    );
    expect(
      thrown(
        () =>
          dropoutWithMask(
            x,
            tensor([
              [1, 0, 1],
              [1, 2, -1],
            ]),
            { rate: 0.5 },
          ),
        RangeError,
      ),
    ).toBe('dropoutWithMask: mask values must be 0 or 1, got 2 at index 4');
    expect(thrown(() => dropoutWithMask(x, tensor([[1, 1]]), { rate: 0.5 }), RangeError)).toBe(
      "dropoutWithMask: noiseShape[1] must be 1, null or 3 (x's dimension), got 2",
    );
    expect(thrown(() => dropoutWithMask(x, tensor([[0, 0, 1]]), { rate: 1 }), RangeError)).toBe(
      'dropoutWithMask: at rate 1 every unit is dropped, but the mask keeps some',
    );
  });
});
