// Edge cases of the explicit random draws (src/engine/random.ts) that test/random.test.ts and
// test/fastpaths.test.ts leave open: uniform on an interval one ulp wide, where low + (high − low)·u
// rounds up to high for about half the draws and must be drawn again, and the op name in a shape error.
import { describe, expect, it } from 'vitest';
import { key, normal, uniform } from '../../src/index.ts';

describe('uniform draws stay in [low, high)', () => {
  it('on [1, 1 + 2^-52] every value is low: the draws that round up to high are drawn again', () => {
    const low = 1, high = 1 + 2 ** -52;
    const u = uniform(key(3), [2000], low, high).data;
    expect(u.every((v) => v === low)).toBe(true);
  });

  it('on [−1 − 2^-52, −1] the same, from below', () => {
    const low = -1 - 2 ** -52, high = -1;
    const u = uniform(key(4), [2000], low, high).data;
    expect(u.every((v) => v >= low && v < high)).toBe(true);
  });
});

describe('refusals name the op', () => {
  it('normal with a bad shape', () => {
    expect(() => normal(key(0), [-1])).toThrow(/^normal: /);
    expect(() => normal(key(0), [2.5])).toThrow(/^normal: /);
  });
});
