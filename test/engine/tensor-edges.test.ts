// Edge cases of tensor creation and printing (src/engine/tensor.ts): what is refused and how it is
// worded, typed arrays that hold no numbers, and toString's layout and number formats character for
// character.
import { describe, expect, it } from 'vitest';
import { onesLike, tensor, zerosLike } from '../../src/index.ts';

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
    expect(() => tensor([1, '2' as never], [2])).toThrow('tensor(values, shape): with a shape, values must be a flat array of numbers, got "2" at index 1');
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
    expect(() => tensor([[[1], [2]], [[1], [2, 3]]])).toThrow('tensor: ragged nested array: expected length 1 at index [1][1], got an array of length 2');
    expect(() => tensor([[1, 2], [3, 'x' as never]])).toThrow('tensor: expected a number at index [1][1], got "x"');
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
    expect(tensor([[1, 2], [3, 4]]).toString()).toBe('tensor([[1, 2],\n        [3, 4]], shape=[2, 2])');
    expect(tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]).toString()).toBe(
      'tensor([[[1, 2],\n         [3, 4]],\n        [[5, 6],\n         [7, 8]]], shape=[2, 2, 2])',
    );
    expect(tensor(3).toString()).toBe('tensor(3, shape=[])');
  });

  it('shows up to 8 entries per axis in full, and elides the middle of longer ones', () => {
    expect(tensor([1, 2, 3, 4, 5, 6, 7, 8]).toString()).toBe('tensor([1, 2, 3, 4, 5, 6, 7, 8], shape=[8])');
    expect(tensor([1, 2, 3, 4, 5, 6, 7, 8, 9]).toString()).toBe('tensor([1, 2, 3, …, 7, 8, 9], shape=[9])');
  });

  it('integers below 1e15 in full; others to six significant digits, in exponent form from 1e15 up', () => {
    expect(tensor([1234567, -999999999999999]).toString()).toBe('tensor([1234567, -999999999999999], shape=[2])');
    expect(tensor([1e15, 0.1234567, 999999999999999.9, -2.5e20]).toString()).toBe('tensor([1e+15, 0.123457, 1e+15, -2.5e+20], shape=[4])');
    expect(tensor([-0, NaN, Infinity]).toString()).toBe('tensor([0, NaN, Infinity], shape=[3])');
  });
});
