// Unit tests of src/verify/rational.ts, the algebra: conversions, the exact linear algebra and its
// errors; then the module at its edges (every refusal names the function and the argument). The claim
// computations are tested in rational-identities.test.ts.
import { describe, expect, it } from 'vitest';
import { fraction } from 'mathjs';
import * as R from '../../src/verify/rational.ts';
import {
  SingularSystemError,
  dot,
  gram,
  hadamard,
  matMul,
  matScale,
  matVec,
  solve,
  toFraction,
  toKeep,
  toMask,
  toMatrix,
  toVector,
  transpose,
  vecAdd,
  vecEquals,
  vecScale,
  vecSub,
} from '../../src/verify/rational.ts';
import { show, showM } from './rational-shared.ts';

describe('toFraction', () => {
  it('passes Fractions through unchanged', () => {
    const x = fraction(1, 3);
    expect(toFraction(x)).toBe(x);
  });

  it('converts a number to the exact value of the double, not to a nearby simple fraction', () => {
    expect(toFraction(0.375).toFraction()).toBe('3/8');
    expect(toFraction(-2.5).toFraction()).toBe('-5/2');
    expect(toFraction(7).toFraction()).toBe('7');
    expect(toFraction(-0).toFraction()).toBe('0');
    expect(toFraction(1e20).toFraction()).toBe('100000000000000000000');
    expect(toFraction(0.1).toFraction()).toBe('3602879701896397/36028797018963968');
    expect(toFraction(2 ** -60).toFraction()).toBe(`1/${2n ** 60n}`); // mathjs's fraction(2^-60) is 0
    expect(toFraction(Number.MIN_VALUE).toFraction()).toBe(`1/${2n ** 1074n}`);
    expect(toFraction(1 / 3).equals(fraction(1, 3))).toBe(false);
    const x = 0.1234567890123;
    const exact = toFraction(x);
    expect(Number(exact.n) / Number(exact.d)).toBe(x);
  });

  it('converts bigints and fraction strings', () => {
    expect(toFraction(5n).toFraction()).toBe('5');
    expect(toFraction('1/3').toFraction()).toBe('1/3');
    expect(toFraction('0.(3)').toFraction()).toBe('1/3');
    expect(toFraction('-0.25').toFraction()).toBe('-1/4');
  });

  it('refuses non-finite numbers, bad strings and other types, naming the caller and the argument', () => {
    expect(() => toFraction(Number.NaN, 'myFn', 'alpha')).toThrow(
      /myFn: expected alpha to be a finite number, got NaN/,
    );
    expect(() => toFraction(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => toFraction('one third', 'f', 'x')).toThrow(
      /f: expected x to be a fraction string such as '1\/3' or '0.25', got 'one third'/,
    );
    expect(() => toFraction(null as never)).toThrow(/expected x to be a Fraction, number, bigint or string, got null/);
    expect(() => toFraction({} as never)).toThrow(TypeError);
    expect(() => toFraction(true as never)).toThrow(/got boolean/);
  });
});

describe('toVector, toMatrix, toKeep, toMask', () => {
  it('toVector converts every entry and checks the length', () => {
    expect(show(toVector([1, '1/2', 3n]))).toEqual(['1', '1/2', '3']);
    expect(() => toVector('12' as never, 'g', 'y')).toThrow(/g: expected y to be an array of rationals, got string/);
    expect(() => toVector(null as never)).toThrow(/got null/);
    expect(() => toVector([1, 2], 'g', 'y', 3)).toThrow(/g: expected y to have length 3, got length 2/);
    expect(() => toVector([1, Number.NaN], 'g', 'y')).toThrow(/expected y\[1\] to be a finite number/);
  });

  it('toMatrix converts rows and checks that they are rectangular and of the expected size', () => {
    expect(
      showM(
        toMatrix([
          [1, 2],
          ['1/3', 0],
        ]),
      ),
    ).toEqual([
      ['1', '2'],
      ['1/3', '0'],
    ]);
    expect(() => toMatrix([1, 2] as never, 'g', 'W')).toThrow(/g: expected W to be an array of rows/);
    expect(() => toMatrix(5 as never, 'g', 'W')).toThrow(/got 5/);
    expect(() => toMatrix([], 'g', 'W')).toThrow(/expected W to have at least one row and one column, got 0 rows/);
    expect(() => toMatrix([[]], 'g', 'W')).toThrow(/at least one row and one column/);
    expect(() => toMatrix([[1, 2], [3]], 'g', 'W')).toThrow(
      /expected every row of W to have 2 entries \(as row 0\), got 1 in row 1/,
    );
    expect(() => toMatrix([[1, 2]], 'g', 'W', 2)).toThrow(/expected W to have 2 rows, got 1/);
    expect(() => toMatrix([[1, 2]], 'g', 'W', 1, 3)).toThrow(/expected W to have 3 columns, got 2/);
    expect(() => toMatrix([[1], [Number.NaN]], 'g', 'W')).toThrow(/expected W\[1\]\[0\] to be a finite number/);
  });

  it('toKeep accepts (0, 1] and refuses 0, negatives, values above 1 and NaN', () => {
    expect(toKeep('1/3').toFraction()).toBe('1/3');
    expect(toKeep(1).toFraction()).toBe('1');
    expect(toKeep(Number.MIN_VALUE).compare(0)).toBe(1);
    expect(() => toKeep(0, 'h')).toThrow(/h: expected keep \(the keep probability, 1 − rate\) in \(0, 1\], got 0/);
    expect(() => toKeep('-1/2')).toThrow(/got -1\/2/);
    expect(() => toKeep('3/2')).toThrow(/got 3\/2/);
    expect(() => toKeep(Number.NaN, 'h')).toThrow(/h: expected keep to be a finite number/);
  });

  it('toMask accepts 0s and 1s of the right length', () => {
    expect(toMask([1, 0, 1], 3)).toEqual([1, 0, 1]);
    expect(() => toMask('101' as never, 3, 'k', 'mask')).toThrow(
      /k: expected mask to be an array of 0s and 1s, got string/,
    );
    expect(() => toMask(null as never, 3)).toThrow(/got null/);
    expect(() => toMask([1, 0], 3, 'k')).toThrow(/k: expected mask to have length 3, got length 2/);
    expect(() => toMask([1, 0.5], 2, 'k')).toThrow(/k: expected mask\[1\] to be 0 or 1, got 0.5/);
    expect(() => toMask([true, 0] as never, 2, 'k')).toThrow(/expected mask\[0\] to be 0 or 1, got true/);
    expect(() => toMask([1n] as never, 1, 'k')).toThrow(/expected mask\[0\] to be 0 or 1, got 1n/);
    expect(() => toMask([fraction(1, 2)] as never, 1, 'k')).toThrow(/expected mask\[0\] to be 0 or 1, got 1\/2/);
  });
});

describe('vector and matrix helpers', () => {
  const A = [
    [1, 2],
    [3, '1/2'],
  ];

  it('dot, matVec, vecAdd, vecSub, vecScale, hadamard', () => {
    expect(dot([1, '1/2'], [4, 6]).toFraction()).toBe('7');
    expect(show(matVec(A, [2, 4]))).toEqual(['10', '8']);
    expect(show(vecAdd([1, '1/3'], ['1/2', '1/3']))).toEqual(['3/2', '2/3']);
    expect(show(vecSub([1, '1/3'], ['1/2', '1/3']))).toEqual(['1/2', '0']);
    expect(show(vecScale('2/3', [3, '-3/4']))).toEqual(['2', '-1/2']);
    expect(show(hadamard([1, 0, 1], [5, 6, '7/2']))).toEqual(['5', '0', '7/2']);
  });

  it('matScale, transpose, matMul, gram', () => {
    expect(showM(matScale('1/2', A))).toEqual([
      ['1/2', '1'],
      ['3/2', '1/4'],
    ]);
    expect(
      showM(
        transpose([
          [1, 2, 3],
          [4, 5, 6],
        ]),
      ),
    ).toEqual([
      ['1', '4'],
      ['2', '5'],
      ['3', '6'],
    ]);
    expect(showM(matMul([[1, 2, 3]], [[1], [0], ['1/3']]))).toEqual([['2']]);
    expect(
      showM(
        matMul(A, [
          [1, 0],
          [0, 1],
        ]),
      ),
    ).toEqual(showM(toMatrix(A)));
    expect(
      showM(
        gram([
          [1, 0],
          [0, 1],
          [1, 1],
        ]),
      ),
    ).toEqual([
      ['2', '1'],
      ['1', '2'],
    ]);
  });

  it('shape mismatches name the argument', () => {
    expect(() => dot([1, 2], [1])).toThrow(/dot: expected b to have length 2, got length 1/);
    expect(() => matVec(A, [1, 2, 3])).toThrow(/matVec: expected x to have length 2, got length 3/);
    expect(() => vecAdd([1], [1, 2])).toThrow(/vecAdd: expected b to have length 1/);
    expect(() => vecSub([1], [1, 2])).toThrow(/vecSub: expected b to have length 1/);
    expect(() => hadamard([1], [1, 2])).toThrow(/hadamard: expected b to have length 1/);
    expect(() => matMul([[1, 2]], [[1, 2]])).toThrow(/matMul: expected B to have 2 rows, got 1/);
    expect(() => vecScale(Number.NaN, [1])).toThrow(/vecScale: expected s to be a finite number/);
  });

  it('vecEquals compares exactly, length included', () => {
    expect(vecEquals([0.5, '1/3'], ['1/2', fraction(2, 6)])).toBe(true);
    expect(vecEquals([0.1], ['1/10'])).toBe(false); // the double 0.1 is not 1/10
    expect(vecEquals([1], [1, 0])).toBe(false);
    expect(vecEquals([1, 2], [1, 3])).toBe(false);
  });
});

describe('solve', () => {
  it('solves a system exactly', () => {
    const A = [
      [2, 1, 0],
      [1, 3, 1],
      [0, 1, 4],
    ];
    const b = [1, '1/2', -2];
    const x = solve(A, b);
    expect(show(matVec(A, x))).toEqual(show(toVector(b)));
    expect(show(x)).toEqual(['7/18', '2/9', '-5/9']);
  });

  it('swaps rows when a pivot is zero', () => {
    expect(
      show(
        solve(
          [
            [0, 1],
            [1, 0],
          ],
          [3, 4],
        ),
      ),
    ).toEqual(['4', '3']);
    expect(
      show(
        solve(
          [
            [0, 0, 1],
            [0, 2, 0],
            ['1/3', 0, 0],
          ],
          [1, 1, 1],
        ),
      ),
    ).toEqual(['3', '1/2', '1']);
  });

  it('solves 1×1 systems', () => {
    expect(show(solve([['2/3']], [2]))).toEqual(['3']);
  });

  it('throws SingularSystemError naming the column without a pivot', () => {
    expect(() =>
      solve(
        [
          [1, 2],
          [2, 4],
        ],
        [1, 2],
      ),
    ).toThrow(SingularSystemError);
    expect(() =>
      solve(
        [
          [1, 2],
          [2, 4],
        ],
        [1, 2],
      ),
    ).toThrow(/solve: expected an invertible 2×2 matrix, got a singular one \(no nonzero pivot in column 1/);
    expect(() =>
      solve(
        [
          [0, 1],
          [0, 1],
        ],
        [1, 1],
      ),
    ).toThrow(/no nonzero pivot in column 0/);
    expect(() => solve([[0]], [1])).toThrow(/invertible 1×1 matrix/);
    try {
      solve([[0]], [1]);
    } catch (e) {
      expect((e as Error).name).toBe('SingularSystemError');
    }
  });

  it('refuses non-square matrices and right-hand sides of the wrong length', () => {
    expect(() => solve([[1, 2]], [1])).toThrow(/solve: expected A to be square, got 1×2/);
    expect(() =>
      solve(
        [
          [1, 0],
          [0, 1],
        ],
        [1],
      ),
    ).toThrow(/solve: expected b to have length 2, got length 1/);
  });

  it('leaves its arguments unchanged', () => {
    const A = [
      [0, 1],
      [1, 0],
    ].map((r) => r.map((v) => fraction(v)));
    const before = showM(A);
    solve(A, [1, 2]);
    expect(showM(A)).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------------------------
// The module at its edges: every function names itself and the argument (down to the entry) that it
// could not read. (The enumerations at their largest allowed sizes are in rational-identities.test.ts.)

const unreadable = (fn: string, arg: string) =>
  `${fn}: expected ${arg} to be a fraction string such as '1/3' or '0.25', got 'x'`;

describe('refusals name the function and the argument', () => {
  it('conversions', () => {
    expect(() => R.toFraction({} as never)).toThrow(
      'toFraction: expected x to be a Fraction, number, bigint or string, got object',
    );
    expect(() => R.toVector('x' as never)).toThrow('toVector: expected v to be an array of rationals, got string');
    expect(() => R.toMatrix([1, 2] as never)).toThrow(
      'toMatrix: expected M to be an array of rows (arrays of rationals), got an array of length 2',
    );
    expect(() => R.toMatrix(null as never)).toThrow(
      'toMatrix: expected M to be an array of rows (arrays of rationals), got null',
    );
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
    expect(() => R.paperOutput([[1]], [0], [1], [2] as never)).toThrow(
      'paperOutput: expected mask[0] to be 0 or 1, got 2',
    );
    expect(() => R.paperOutput([['x']], [0], [1], [1])).toThrow(unreadable('paperOutput', 'W[0][0]'));
    expect(() => R.invertedOutput([['x']], [0], [1], '1/2', [1])).toThrow(unreadable('invertedOutput', 'W[0][0]'));
    expect(() => R.ridgeClosedFormGradient([['x']], [1], [1], '1/2')).toThrow(
      unreadable('ridgeClosedFormGradient', 'X[0][0]'),
    );
    expect(() => R.invertedOutput([[1]], [0], [1], '1/2', [2] as never)).toThrow(
      'invertedOutput: expected mask[0] to be 0 or 1, got 2',
    );
    expect(() => R.invertedInference([[1]], [0], [1], 0)).toThrow(
      'invertedInference: expected keep (the keep probability, 1 − rate) in (0, 1], got 0',
    );
    expect(() => R.expectedDropoutLoss([['x']], [1], [1], '1/2')).toThrow(unreadable('expectedDropoutLoss', 'X[0][0]'));
    expect(() => R.ridgeClosedForm([[1]], [1], ['x'], '1/2')).toThrow(unreadable('ridgeClosedForm', 'w[0]'));
    expect(() => R.ridgeClosedFormGradient([[1]], [1], ['x'], '1/2')).toThrow(
      unreadable('ridgeClosedFormGradient', 'w[0]'),
    );
    expect(() => R.ridgeSystem([[1]], [1], 0)).toThrow(
      'ridgeSystem: expected keep (the keep probability, 1 − rate) in (0, 1], got 0',
    );
  });
});
