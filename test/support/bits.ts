/** The same length and, element by element, the same value by Object.is (so −0 ≠ +0 and NaN = NaN). */
export const same = (x: ArrayLike<number>, y: ArrayLike<number>) =>
  x.length === y.length && Array.prototype.every.call(x, (v: number, i: number) => Object.is(v, y[i]));
