// The exact-rational module at its edges: every function names itself and the argument (down to the
// entry) that it could not read, and the enumerations run at their largest allowed sizes, where they
// still equal their closed forms.
import { describe, expect, it } from 'vitest';
import * as R from '../../src/verify/rational.ts';

const unreadable = (fn: string, arg: string) => `${fn}: expected ${arg} to be a fraction string such as '1/3' or '0.25', got 'x'`;

describe('refusals name the function and the argument', () => {
  it('conversions', () => {
    expect(() => R.toFraction({} as never)).toThrow('toFraction: expected x to be a Fraction, number, bigint or string, got object');
    expect(() => R.toVector('x' as never)).toThrow('toVector: expected v to be an array of rationals, got string');
    expect(() => R.toMatrix([1, 2] as never)).toThrow('toMatrix: expected M to be an array of rows (arrays of rationals), got an array of length 2');
    expect(() => R.toMatrix(null as never)).toThrow('toMatrix: expected M to be an array of rows (arrays of rationals), got null');
    expect(() => R.toKeep(NaN)).toThrow('toKeep: expected keep to be a finite number, got NaN');
    expect(() => R.toMask('x' as never, 1)).toThrow('toMask: expected mask to be an array of 0s and 1s, got string');
    expect(R.toMatrix([[1, 2]], 'f', 'M', 1, 2).map((r) => r.map((x) => x.toFraction()))).toEqual([['1', '2']]);
  });

  it('arithmetic, down to the entry', () => {
    const x = 'x';
    const cases: [() => unknown, string, string][] = [
      [() => R.dot([x], [1]), 'dot', 'a[0]'],
      [() => R.matVec([[x]], [1]), 'matVec', 'A[0][0]'],
      [() => R.vecAdd([x], [1]), 'vecAdd', 'a[0]'],
      [() => R.vecSub([x], [1]), 'vecSub', 'a[0]'],
      [() => R.vecScale(1, [x]), 'vecScale', 'a[0]'],
      [() => R.hadamard([x], [1]), 'hadamard', 'a[0]'],
      [() => R.matScale(x, [[1]]), 'matScale', 's'],
      [() => R.matScale(1, [[x]]), 'matScale', 'A[0][0]'],
      [() => R.transpose([[x]]), 'transpose', 'A[0][0]'],
      [() => R.matMul([[x]], [[1]]), 'matMul', 'A[0][0]'],
      [() => R.gram([[x]]), 'gram', 'X[0][0]'],
      [() => R.vecEquals([x], [1]), 'vecEquals', 'a[0]'],
      [() => R.vecEquals([1], [x]), 'vecEquals', 'b[0]'],
      [() => R.solve([[x]], [1]), 'solve', 'A[0][0]'],
    ];
    for (const [f, fn, arg] of cases) expect(f).toThrow(unreadable(fn, arg));
  });

  it('the claims’ two sides', () => {
    expect(() => R.exactLinearEnsemble([['x']], [0], [1], '1/2')).toThrow(unreadable('exactLinearEnsemble', 'W[0][0]'));
    expect(() => R.paperOutput([[1]], [0], [1], [2] as never)).toThrow('paperOutput: expected mask[0] to be 0 or 1, got 2');
    expect(() => R.paperOutput([['x']], [0], [1], [1])).toThrow(unreadable('paperOutput', 'W[0][0]'));
    expect(() => R.invertedOutput([['x']], [0], [1], '1/2', [1])).toThrow(unreadable('invertedOutput', 'W[0][0]'));
    expect(() => R.ridgeClosedFormGradient([['x']], [1], [1], '1/2')).toThrow(unreadable('ridgeClosedFormGradient', 'X[0][0]'));
    expect(() => R.invertedOutput([[1]], [0], [1], '1/2', [2] as never)).toThrow('invertedOutput: expected mask[0] to be 0 or 1, got 2');
    expect(() => R.invertedInference([[1]], [0], [1], 0)).toThrow('invertedInference: expected keep (the keep probability, 1 − rate) in (0, 1], got 0');
    expect(() => R.expectedDropoutLoss([['x']], [1], [1], '1/2')).toThrow(unreadable('expectedDropoutLoss', 'X[0][0]'));
    expect(() => R.ridgeClosedForm([[1]], [1], ['x'], '1/2')).toThrow(unreadable('ridgeClosedForm', 'w[0]'));
    expect(() => R.ridgeClosedFormGradient([[1]], [1], ['x'], '1/2')).toThrow(unreadable('ridgeClosedFormGradient', 'w[0]'));
    expect(() => R.ridgeSystem([[1]], [1], 0)).toThrow('ridgeSystem: expected keep (the keep probability, 1 − rate) in (0, 1], got 0');
  });
});

describe('the enumerations at their largest sizes', () => {
  it(`E-LIN with n = MAX_ENSEMBLE_INPUTS (${R.MAX_ENSEMBLE_INPUTS}) inputs equals the weight-scaled network`, () => {
    const y = Array.from({ length: R.MAX_ENSEMBLE_INPUTS }, (_, i) => i + 1);
    const W = [y.map((_, i) => (i % 3) - 1), y.map(() => '1/3')];
    expect(R.vecEquals(R.exactLinearEnsemble(W, [1, 0], y, '3/4'), R.weightScaled(W, [1, 0], y, '3/4'))).toBe(true);
  });

  it(`E-RIDGE with n·d = MAX_RIDGE_MASK_BITS (${R.MAX_RIDGE_MASK_BITS}) mask bits equals the closed form`, () => {
    const X = Array.from({ length: R.MAX_RIDGE_MASK_BITS / 2 }, (_, i) => [i + 1, 2 - i]);
    const y = X.map((_, i) => i % 3);
    expect(R.expectedDropoutLoss(X, y, [1, '-1/2'], '1/2').equals(R.ridgeClosedForm(X, y, [1, '-1/2'], '1/2'))).toBe(true);
  });
});
