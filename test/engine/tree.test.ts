// Trees of tensors (src/engine/tree.ts): flatten takes the keys of an object in sorted order, refuses
// anything but tensors, arrays and plain objects and says where it sits, and rebuild takes one tensor
// per leaf.
import { describe, expect, it } from 'vitest';
import { type Tensor, flatten, tensor } from '../../src/index.ts';

const t = tensor([1, 2]);
const u = tensor([3, -1]);
const bad = (what: string, got: string) => `expected ${what} to be a Tensor or an array/object of Tensors, got ${got}`;

describe('flatten', () => {
  it('takes the keys of an object in sorted order, whatever order they were written in', () => {
    const { leaves, rebuild } = flatten({ b: u, a: t, c: [t, { z: u, y: t }] });
    expect(leaves).toEqual([t, u, t, t, u]);
    expect(leaves[0]).toBe(t);
    expect(leaves[1]).toBe(u);
    const back = rebuild([u, t, u, u, t]) as { a: Tensor; b: Tensor; c: [Tensor, { y: Tensor; z: Tensor }] };
    expect([back.a, back.b, back.c[0], back.c[1].y, back.c[1].z]).toEqual([u, t, u, u, t]);
  });

  it('refuses anything but tensors, arrays and plain objects, and says where it sits', () => {
    expect(() => flatten([t, null as never])).toThrow(bad('argument[1]', 'null'));
    expect(() => flatten(new Map() as never)).toThrow(bad('argument', 'an object (Map)'));
    expect(() => flatten({ x: new (class Params {})() } as never)).toThrow(bad('argument.x', 'an object (Params)'));
    expect(() => flatten({ a: [t], b: undefined as never })).toThrow(bad('argument.b', 'undefined'));
    expect(() => flatten({ b: 'x' as never, a: 'y' as never })).toThrow(bad('argument.a', '"y"')); // the first in sorted order
    expect(() => flatten({ b: 'y' as never, a: 'y' as never })).toThrow(bad('argument.a', '"y"')); // the same value twice: named where it was found
    expect(() => flatten({ a: t, b: [t, { c: 7 as never }] }, 'params')).toThrow(bad('params.b[1].c', '7'));
  });

  it('rebuild takes exactly one tensor per leaf', () => {
    expect(() => flatten(t).rebuild([])).toThrow(
      'rebuild: expected an array of 1 tensor (the tree is one tensor), got an array of length 0',
    );
    expect(() => flatten(t).rebuild([t, u])).toThrow(
      'rebuild: expected an array of 1 tensor (the tree is one tensor), got an array of length 2',
    );
    expect(flatten(t).rebuild([u])).toBe(u);
    expect(() => flatten([t, t]).rebuild([t])).toThrow(
      'rebuild: expected an array of 2 tensors (one per leaf of argument), got an array of length 1',
    );
    expect(() => flatten([t, t], 'state').rebuild('x' as never)).toThrow(
      'rebuild: expected an array of 2 tensors (one per leaf of state), got "x"',
    );
  });
});
