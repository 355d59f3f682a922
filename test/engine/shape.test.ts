// Edge cases of shapes and argument descriptions (src/engine/shape.ts): every error message word for
// word, the value descriptions inside them, strides of broadcast reads, and axis normalisation.
import { describe, expect, it } from 'vitest';
import { broadcastShapes, describeValue, sum, tensor } from '../../src/index.ts';
import { broadcastStrides, normAxes, sameShape, stridesOf } from '../../src/engine/shape.ts';

describe('describeValue: what an error message says it got', () => {
  it('names each kind of value', () => {
    const cases: [unknown, string][] = [
      [null, 'null'],
      [undefined, 'undefined'],
      [-0, '-0'],
      [0, '0'],
      [1.5, '1.5'],
      [NaN, 'NaN'],
      ['a'.repeat(40), JSON.stringify('a'.repeat(40))],
      ['b'.repeat(41), JSON.stringify('b'.repeat(40) + '…')],
      [12n, '12n'],
      [[1, 2, 3], 'an array of length 3'],
      [new Int32Array(4), 'a Int32Array of length 4'],
      [new DataView(new ArrayBuffer(16)), 'a DataView of 16 bytes'],
      [tensor([[1, 2, 3]]), 'a Tensor of shape [1, 3]'],
      [() => 1, 'a function'],
      [{}, 'an object (Object)'],
      [new Map(), 'an object (Map)'],
      [Object.create(null), 'an object (Object)'],
      [true, 'boolean true'],
      [Symbol('s'), 'symbol Symbol(s)'],
    ];
    for (const [v, text] of cases) expect(describeValue(v), String(text)).toBe(text);
  });

  it('a Tensor is recognised by its class name and an array shape, so a look-alike from another copy of the engine reads the same', () => {
    class Tensor {
      shape = [2, 2];
    }
    expect(describeValue(new Tensor())).toBe('a Tensor of shape [2, 2]');
    class Other {
      shape = [2, 2];
    }
    expect(describeValue(new Other())).toBe('an object (Other)');
    const noShape = new (class Tensor {
      shape = 'x';
    })();
    expect(describeValue(noShape)).toBe('an object (Tensor)');
    // only objects: a function that claims a Tensor constructor and a shape is still a function
    const impostor = Object.assign(() => 0, { constructor: { name: 'Tensor' }, shape: [1] });
    expect(describeValue(impostor)).toBe('a function');
  });
});

describe('shape checks: the messages', () => {
  it('broadcastShapes names its argument, and lists a bad shape element by element', () => {
    expect(() => broadcastShapes([2, -1], [2])).toThrow(
      /^broadcastShapes \(a\): expected a shape of non-negative integers, got \[2, -1\]$/,
    );
    expect(() => broadcastShapes([2], [1.5, '3' as never])).toThrow(
      /^broadcastShapes \(b\): expected a shape of non-negative integers, got \[1\.5, "3"\]$/,
    );
    expect(() => broadcastShapes('2' as never, [2])).toThrow(
      /^broadcastShapes \(a\): expected a shape \(an array of non-negative integers\), got "2"$/,
    );
    expect(() => broadcastShapes([2, 3], [4, 3])).toThrow(
      /^broadcastShapes: shapes \[2, 3\] and \[4, 3\] cannot be broadcast together \(dimension 0 of the result: 2 vs 4\)$/,
    );
  });

  it('broadcastShapes of valid shapes', () => {
    expect(broadcastShapes([2, 1, 3], [4, 1])).toEqual([2, 4, 3]);
    expect(broadcastShapes([], [2, 3])).toEqual([2, 3]);
    expect(broadcastShapes([5], [])).toEqual([5]);
    expect(broadcastShapes([0, 1], [1, 7])).toEqual([0, 7]);
  });

  it('sameShape compares lengths and every dimension', () => {
    expect(sameShape([2, 3], [2, 3])).toBe(true);
    expect(sameShape([], [])).toBe(true);
    expect(sameShape([2, 3], [2, 4])).toBe(false);
    expect(sameShape([2, 3], [2])).toBe(false);
    expect(sameShape([2], [2, 3])).toBe(false);
  });
});

describe('strides', () => {
  it('row-major strides of a contiguous array', () => {
    expect(stridesOf([2, 3, 4])).toEqual([12, 4, 1]);
    expect(stridesOf([])).toEqual([]);
    expect(stridesOf([5, 0, 2])).toEqual([0, 2, 1]);
  });

  it('broadcast reads: stride 0 only along dimensions that are stretched; a size-1 dimension that stays 1 keeps its stride', () => {
    expect(broadcastStrides([3, 1], [2, 3, 4])).toEqual([0, 1, 0]);
    expect(broadcastStrides([1, 3], [1, 3])).toEqual([3, 1]);
    expect(broadcastStrides([], [2, 2])).toEqual([0, 0]);
    expect(broadcastStrides([2, 3], [2, 3])).toEqual([3, 1]);
  });
});

describe('axes', () => {
  it('normalises negative axes and returns them sorted, whatever order they came in', () => {
    expect(normAxes([2, 0, 1], 3, 'op')).toEqual([0, 1, 2]);
    expect(normAxes([-1, 0], 3, 'op')).toEqual([0, 2]);
    expect(normAxes([3, 1, 2, 0], 4, 'op')).toEqual([0, 1, 2, 3]);
    expect(normAxes(undefined, 3, 'op')).toEqual([0, 1, 2]);
    expect(normAxes(-2, 3, 'op')).toEqual([1]);
  });

  it('a repeated axis, counting negative ones, is named with the list it came in', () => {
    expect(() => normAxes([0, 2, -1], 3, 'sum')).toThrow(/^sum: axis -1 is repeated in \[0, 2, -1\]$/);
    expect(() => sum(tensor([[1, 2]]), [1, -1])).toThrow(/^sum: axis -1 is repeated in \[1, -1\]$/);
    expect(() => normAxes('0' as never, 3, 'sum')).toThrow(
      /^sum: expected axes to be an integer or an array of integers, got "0"$/,
    );
  });
});
