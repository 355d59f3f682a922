// Tensor creation, conversion and validation (src/engine/tensor.ts), and the edge cases of creation and
// printing at the end (refusals word for word, toString character for character).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  Tensor,
  full,
  isTensor,
  ones,
  onesLike,
  scalar,
  tensor,
  zeros,
  zerosLike,
  type Nested,
} from '../../src/index.ts';

/** Nested arrays of the given shape holding `flat` in row-major order. */
function nest(flat: readonly number[], shape: readonly number[]): Nested {
  if (shape.length === 0) return flat[0];
  const step = flat.length / shape[0];
  return Array.from({ length: shape[0] }, (_, i) => nest(flat.slice(i * step, (i + 1) * step), shape.slice(1)));
}
const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

describe('tensor(): creation', () => {
  it('makes a rank-0 tensor from a number', () => {
    const t = tensor(3.5);
    expect(t).toBeInstanceOf(Tensor);
    expect(t.shape).toEqual([]);
    expect(t.ndim).toBe(0);
    expect(t.size).toBe(1);
    expect(t.data).toEqual(Float64Array.of(3.5));
    expect(t.item()).toBe(3.5);
    expect(t.toArray()).toBe(3.5);
  });

  it('scalar() makes a rank-0 tensor and rejects non-numbers', () => {
    const s = scalar(-2);
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(-2);
    expect(() => scalar('2' as unknown as number)).toThrow(TypeError);
    expect(() => scalar('2' as unknown as number)).toThrow(/scalar/);
  });

  it('infers shapes from nested arrays and stores them row-major in float64', () => {
    const v = tensor([1, 2, 3]);
    expect(v.shape).toEqual([3]);
    expect(v.data).toBeInstanceOf(Float64Array);
    expect(Array.from(v.data)).toEqual([1, 2, 3]);

    const m = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(m.shape).toEqual([2, 3]);
    expect(m.ndim).toBe(2);
    expect(m.size).toBe(6);
    expect(Array.from(m.data)).toEqual([1, 2, 3, 4, 5, 6]);

    const c = tensor([
      [[1], [2]],
      [[3], [4]],
      [[5], [6]],
    ]);
    expect(c.shape).toEqual([3, 2, 1]);
    expect(Array.from(c.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('handles empty arrays', () => {
    const e = tensor([]);
    expect(e.shape).toEqual([0]);
    expect(e.size).toBe(0);
    expect(e.toArray()).toEqual([]);
    const e2 = tensor([[], []]);
    expect(e2.shape).toEqual([2, 0]);
    expect(e2.size).toBe(0);
    expect(e2.toArray()).toEqual([[], []]);
  });

  it('takes a flat array plus a shape', () => {
    const t = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(tensor([1, 2, 3, 4, 5, 6], [3, 2]).toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(tensor([7], []).shape).toEqual([]);
    expect(tensor([7], []).item()).toBe(7);
    expect(tensor([], [0, 5]).shape).toEqual([0, 5]);
    expect(tensor([], [0, 5]).size).toBe(0);
  });

  it('takes typed arrays, with and without a shape', () => {
    const f32 = tensor(Float32Array.of(0.1, 2, -3));
    expect(f32.shape).toEqual([3]);
    expect(Array.from(f32.data)).toEqual([Math.fround(0.1), 2, -3]);

    const i32 = tensor(Int32Array.of(1, -2, 3, -4), [2, 2]);
    expect(i32.toArray()).toEqual([
      [1, -2],
      [3, -4],
    ]);

    const u8 = tensor(Uint8Array.of(255, 0, 7));
    expect(Array.from(u8.data)).toEqual([255, 0, 7]);

    const f64 = tensor(Float64Array.of(1.25, 2.5), [2, 1]);
    expect(f64.shape).toEqual([2, 1]);
    expect(f64.toArray()).toEqual([[1.25], [2.5]]);
  });

  it('keeps special values (NaN, ±Infinity, -0) exactly', () => {
    const t = tensor([NaN, Infinity, -Infinity, -0, 5e-324, Number.MAX_VALUE]);
    expect(Number.isNaN(t.data[0])).toBe(true);
    expect(t.data[1]).toBe(Infinity);
    expect(t.data[2]).toBe(-Infinity);
    expect(Object.is(t.data[3], -0)).toBe(true);
    expect(t.data[4]).toBe(5e-324);
    expect(t.data[5]).toBe(Number.MAX_VALUE);
  });

  it('isTensor recognises tensors only', () => {
    expect(isTensor(tensor(1))).toBe(true);
    expect(isTensor([1])).toBe(false);
    expect(isTensor({ data: new Float64Array(1), shape: [] })).toBe(false);
    expect(isTensor(null)).toBe(false);
  });
});

describe('zeros / ones / full / zerosLike / onesLike', () => {
  it('fill tensors of the given shape', () => {
    expect(zeros([2, 3]).toArray()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(ones([3]).toArray()).toEqual([1, 1, 1]);
    expect(full([2, 1, 2], -1.5).toArray()).toEqual([[[-1.5, -1.5]], [[-1.5, -1.5]]]);
    expect(zeros([]).shape).toEqual([]);
    expect(zeros([]).item()).toBe(0);
    expect(full([], 4).item()).toBe(4);
    expect(ones([0, 3]).shape).toEqual([0, 3]);
    expect(ones([0, 3]).size).toBe(0);
    expect(Number.isNaN(full([1], NaN).item())).toBe(true);
  });

  it('zerosLike / onesLike copy the shape', () => {
    const x = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(zerosLike(x).shape).toEqual([3, 2]);
    expect(Array.from(zerosLike(x).data)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(onesLike(x).data)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(Array.from(x.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('copy the shape argument', () => {
    const shape = [2, 2];
    const z = zeros(shape);
    const f = full(shape, 3);
    shape[0] = 5;
    expect(z.shape).toEqual([2, 2]);
    expect(f.shape).toEqual([2, 2]);
  });

  it('reject bad shapes and fill values', () => {
    expect(() => zeros([-1])).toThrow(RangeError);
    expect(() => ones([1.5])).toThrow(RangeError);
    expect(() => full([2, NaN], 0)).toThrow(RangeError);
    expect(() => zeros([Infinity])).toThrow(RangeError);
    expect(() => zeros(['2'] as unknown as number[])).toThrow(RangeError);
    expect(() => zeros(3 as unknown as number[])).toThrow(TypeError);
    expect(() => full([2], '1' as unknown as number)).toThrow(TypeError);
    expect(() => full([2], '1' as unknown as number)).toThrow(/fill value/);
    // (the message of zeros/ones says "full:", since they delegate to full; only the shape is checked here)
    expect(() => zeros([-1])).toThrow(/\[-1\]/);
    expect(() => full([-1], 0)).toThrow(/full/);
  });

  it('refuse shapes with more than 2^28 elements (2 GiB) before allocating', () => {
    expect(() => zeros([2 ** 20, 2 ** 20])).toThrow(
      /zeros: shape \[1048576, 1048576\] has 1099511627776 elements, more than the 2\^28 \(268435456\) a tensor may hold/,
    );
    expect(zeros([2 ** 14, 2 ** 14, 0]).size).toBe(0);
    expect(() => zeros([2 ** 20, 0, 2 ** 20])).toThrow(
      /zeros: shape \[1048576, 0, 1048576\] has dimensions whose product, 1099511627776, more than the 2\^28/,
    );
  });
});

describe('toArray / item / toString', () => {
  it('toArray round-trips nested arrays', () => {
    const cases: Nested[] = [
      7,
      [1],
      [1, 2, 3],
      [[1], [2]],
      [
        [1.5, -2],
        [3, 4],
      ],
      [[[1, 2, 3]], [[4, 5, 6]]],
    ];
    for (const c of cases) {
      expect(tensor(c).toArray()).toEqual(c);
      expect(tensor(tensor(c).toArray()).data).toEqual(tensor(c).data);
    }
  });

  it('toArray round-trips random shapes and values (property)', () => {
    const shapeArb = fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 4 });
    const caseArb = shapeArb.chain((shape) =>
      fc.tuple(fc.constant(shape), fc.array(fc.double(), { minLength: prod(shape), maxLength: prod(shape) })),
    );
    fc.assert(
      fc.property(caseArb, ([shape, flat]) => {
        const nested = nest(flat, shape);
        const a = tensor(nested);
        expect(a.shape).toEqual(shape);
        expect(a.toArray()).toEqual(nested);
        const b = tensor(flat, shape);
        expect(b.toArray()).toEqual(nested);
        expect(b.data).toEqual(a.data);
      }),
      { numRuns: 200 },
    );
  });

  it('toArray keeps zero-length dimensions that a flat array + shape describes', () => {
    expect(tensor([], [2, 0, 3]).toArray()).toEqual([[], []]);
    expect(tensor([], [0, 3]).toArray()).toEqual([]);
  });

  it('item() returns the single element and refuses other sizes', () => {
    expect(tensor([[[42]]]).item()).toBe(42);
    expect(tensor([-1]).item()).toBe(-1);
    expect(() => tensor([1, 2]).item()).toThrow(RangeError);
    expect(() => tensor([1, 2]).item()).toThrow(/\[2\]/);
    expect(() => tensor([]).item()).toThrow(/item/);
  });

  it('toString shows the values and the shape', () => {
    const s = tensor([
      [1, 2],
      [3, 4],
    ]).toString();
    for (const v of ['1', '2', '3', '4']) expect(s).toContain(v);
    expect(s).toContain('shape=[2, 2]');
    expect(s.startsWith('tensor(')).toBe(true);

    expect(tensor(5).toString()).toBe('tensor(5, shape=[])');
    expect(String(tensor([1.5, -0.25]))).toBe('tensor([1.5, -0.25], shape=[2])');
    expect(`${tensor([])}`).toBe('tensor([], shape=[0])');

    const sci = tensor([1e-7, 1e20, NaN, -Infinity]).toString();
    expect(sci).toContain('1e-7');
    expect(sci).toContain('1e+20');
    expect(sci).toContain('NaN');
    expect(sci).toContain('-Infinity');
  });

  it('toString elides the middle of long dimensions', () => {
    const s = tensor(Array.from({ length: 20 }, (_, i) => i)).toString();
    expect(s).toBe('tensor([0, 1, 2, …, 17, 18, 19], shape=[20])');
  });

  // Regression: stripping trailing zeros once printed 100000.25 as "1".
  it('toString prints non-integers in [1e5, 1e6) with their magnitude', () => {
    expect(tensor([100000.25]).toString()).toContain('100000');
    expect(tensor([120000.4]).toString()).toContain('120000');
  });
});

describe('tensor(): errors', () => {
  it('rejects ragged nested arrays', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(RangeError);
    expect(() => tensor([[1, 2], [3]])).toThrow(/ragged/);
    expect(() => tensor([[1], [2, 3]])).toThrow(/ragged/);
    expect(() => tensor([[1, 2], 3] as unknown as Nested)).toThrow(/ragged/);
    expect(() => tensor([[[1], [2]], [[3]]])).toThrow(/ragged/);
    expect(() => tensor([[], [1]])).toThrow(/ragged/);
  });

  it('rejects non-numbers, naming where they are', () => {
    expect(() => tensor(['a'] as unknown as Nested)).toThrow(TypeError);
    expect(() => tensor([1, null] as unknown as Nested)).toThrow(TypeError);
    expect(() => tensor([1, undefined] as unknown as Nested)).toThrow(TypeError);
    expect(() => tensor([true, false] as unknown as Nested)).toThrow(TypeError);
    expect(() => tensor([1, [2]] as unknown as Nested)).toThrow(TypeError);
    expect(() =>
      tensor([
        [1, 2],
        [3, '4'],
      ] as unknown as Nested),
    ).toThrow(/index \[1\]\[1\]/);
    expect(() => tensor('abc' as unknown as Nested)).toThrow(TypeError);
    expect(() => tensor({} as unknown as Nested)).toThrow(TypeError);
    expect(() => tensor(null as unknown as Nested)).toThrow(TypeError);
    expect(() => tensor(undefined as unknown as Nested)).toThrow(TypeError);
    expect(() => tensor([1n] as unknown as Nested)).toThrow(TypeError);
  });

  it('rejects non-numbers and nested arrays when a shape is given', () => {
    expect(() => tensor([1, 'a'] as unknown as number[], [2])).toThrow(TypeError);
    expect(() => tensor([[1, 2]], [2])).toThrow(TypeError);
    expect(() => tensor([[1, 2]], [2])).toThrow(/flat array/);
    expect(() => tensor(3, [])).toThrow(TypeError);
  });

  it('rejects a wrong number of values for the shape', () => {
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(RangeError);
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(/needs 4 values, got 3/);
    expect(() => tensor([1, 2, 3, 4, 5], [2, 2])).toThrow(/needs 4 values, got 5/);
    expect(() => tensor(Float64Array.of(1, 2), [3])).toThrow(/needs 3 values, got 2/);
    expect(() => tensor([1], [0])).toThrow(RangeError);
  });

  it('rejects bad shapes (negative, non-integer, non-number, not an array)', () => {
    expect(() => tensor([1, 2], [-2])).toThrow(RangeError);
    expect(() => tensor([1, 2], [-1, -2])).toThrow(/non-negative integers/);
    expect(() => tensor([1, 2], [2.5])).toThrow(RangeError);
    expect(() => tensor([1, 2], [NaN])).toThrow(RangeError);
    expect(() => tensor([1, 2], ['2'] as unknown as number[])).toThrow(RangeError);
    expect(() => tensor([1, 2], 2 as unknown as number[])).toThrow(TypeError);
    expect(() => tensor([1, 2], [2.5])).toThrow(/tensor\(values, shape\)/);
  });

  // Regression: forEach skipped holes, so tensor([1, , 3]) once gave [1, 3, 0].
  it('rejects holes in sparse nested arrays', () => {
    // eslint-disable-next-line no-sparse-arrays
    expect(() => tensor([1, , 3] as unknown as Nested)).toThrow(TypeError);
  });
  it('rejects holes in sparse flat arrays given with a shape', () => {
    // eslint-disable-next-line no-sparse-arrays
    expect(() => tensor([1, , 3] as unknown as number[], [3])).toThrow(/index 1/);
  });
});

describe('tensor(): the input is copied', () => {
  it('copies nested arrays', () => {
    const src = [
      [1, 2],
      [3, 4],
    ];
    const t = tensor(src);
    src[0][0] = 99;
    src[1] = [7, 7];
    expect(t.toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('copies flat arrays and the shape array', () => {
    const src = [1, 2, 3, 4];
    const shape = [2, 2];
    const t = tensor(src, shape);
    src[0] = 99;
    shape[0] = 4;
    shape[1] = 1;
    expect(t.shape).toEqual([2, 2]);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4]);
  });

  it('copies typed arrays, including Float64Array (no aliasing)', () => {
    const f64 = Float64Array.of(1, 2, 3);
    const a = tensor(f64);
    const b = tensor(f64, [3, 1]);
    f64[0] = 99;
    expect(a.data[0]).toBe(1);
    expect(b.data[0]).toBe(1);
    expect(a.data).not.toBe(f64);
    const i32 = Int32Array.of(5, 6);
    const c = tensor(i32);
    i32[1] = 0;
    expect(Array.from(c.data)).toEqual([5, 6]);
  });

  it('returns arrays from toArray that do not alias the tensor', () => {
    const t = tensor([1, 2, 3]);
    const arr = t.toArray() as number[];
    arr[0] = 42;
    expect(t.data[0]).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------------
// Edge cases of creation and printing: what is refused and how it is worded, typed arrays that hold
// no numbers, and toString's layout and number formats character for character.

describe('tensor(): refusals, word for word', () => {
  it('with a shape, values must be an array or a typed array of numbers', () => {
    const msg = 'tensor(values, shape): with a shape, values must be a flat array or a typed array of numbers, got';
    for (const [v, got] of [
      [5, '5'],
      ['ab', '"ab"'],
      [{ length: 2 }, 'an object (Object)'],
      [new BigInt64Array(2), 'a BigInt64Array of length 2'],
      [new BigUint64Array(2), 'a BigUint64Array of length 2'],
      [new DataView(new ArrayBuffer(16)), 'a DataView of 16 bytes'],
    ] as const) {
      expect(() => tensor(v as never, [2]), got).toThrow(TypeError);
      expect(() => tensor(v as never, [2]), got).toThrow(`${msg} ${got}`);
    }
    expect(() => tensor([1, '2' as never], [2])).toThrow(
      'tensor(values, shape): with a shape, values must be a flat array of numbers, got "2" at index 1',
    );
    expect(() => tensor([1, 2], [3])).toThrow('tensor(values, shape): shape [3] needs 3 values, got 2');
  });

  it('without a shape: a number, nested arrays of numbers, or a typed array of numbers', () => {
    const msg = 'tensor: expected a number, nested arrays of numbers or a typed array of numbers, got';
    for (const [v, got] of [
      ['ab', '"ab"'],
      [null, 'null'],
      [new BigInt64Array(1), 'a BigInt64Array of length 1'],
      [new DataView(new ArrayBuffer(8)), 'a DataView of 8 bytes'],
    ] as const) {
      expect(() => tensor(v as never), got).toThrow(TypeError);
      expect(() => tensor(v as never), got).toThrow(`${msg} ${got}`);
    }
    expect(() =>
      tensor([
        [[1], [2]],
        [[1], [2, 3]],
      ]),
    ).toThrow('tensor: ragged nested array: expected length 1 at index [1][1], got an array of length 2');
    expect(() =>
      tensor([
        [1, 2],
        [3, 'x' as never],
      ]),
    ).toThrow('tensor: expected a number at index [1][1], got "x"');
  });

  it('typed arrays of numbers are copied, whatever their element type', () => {
    const src = Int16Array.of(-3, 7);
    const t = tensor(src, [2, 1]);
    src[0] = 100;
    expect(Array.from(t.data)).toEqual([-3, 7]);
    expect(t.shape).toEqual([2, 1]);
    expect(tensor(Uint8Array.of(1, 2, 3)).shape).toEqual([3]);
  });

  it('empty nested arrays give zero-size shapes', () => {
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([[], []]).shape).toEqual([2, 0]);
  });

  it('zerosLike and onesLike name themselves', () => {
    expect(() => zerosLike(5 as never)).toThrow('zerosLike: expected x to be a Tensor, got 5');
    expect(() => onesLike([1] as never)).toThrow('onesLike: expected x to be a Tensor, got an array of length 1');
  });
});

describe('toString', () => {
  it('lays out rows under each other, indented to the opening bracket', () => {
    expect(
      tensor([
        [1, 2],
        [3, 4],
      ]).toString(),
    ).toBe('tensor([[1, 2],\n        [3, 4]], shape=[2, 2])');
    expect(
      tensor([
        [
          [1, 2],
          [3, 4],
        ],
        [
          [5, 6],
          [7, 8],
        ],
      ]).toString(),
    ).toBe('tensor([[[1, 2],\n         [3, 4]],\n        [[5, 6],\n         [7, 8]]], shape=[2, 2, 2])');
    expect(tensor(3).toString()).toBe('tensor(3, shape=[])');
  });

  it('shows up to 8 entries per axis in full, and elides the middle of longer ones', () => {
    expect(tensor([1, 2, 3, 4, 5, 6, 7, 8]).toString()).toBe('tensor([1, 2, 3, 4, 5, 6, 7, 8], shape=[8])');
    expect(tensor([1, 2, 3, 4, 5, 6, 7, 8, 9]).toString()).toBe('tensor([1, 2, 3, …, 7, 8, 9], shape=[9])');
  });

  it('integers below 1e15 in full; others to six significant digits, in exponent form from 1e15 up', () => {
    expect(tensor([1234567, -999999999999999]).toString()).toBe('tensor([1234567, -999999999999999], shape=[2])');
    expect(tensor([1e15, 0.1234567, 999999999999999.9, -2.5e20]).toString()).toBe(
      'tensor([1e+15, 0.123457, 1e+15, -2.5e+20], shape=[4])',
    );
    expect(tensor([-0, NaN, Infinity]).toString()).toBe('tensor([0, NaN, Infinity], shape=[3])');
  });
});
