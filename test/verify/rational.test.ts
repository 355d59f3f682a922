// Unit tests of src/verify/rational.ts: conversions, the exact linear algebra, the errors, and small
// worked examples of each claim computation (E-LIN, E-INV, E-RIDGE, E-GAUSS) checked by hand; then the
// module at its edges (every refusal names the function and the argument, the largest enumerations).
import { describe, expect, it } from 'vitest';
import { fraction } from 'mathjs';
import * as R from '../../src/verify/rational.ts';
import {
  type Fraction,
  MAX_ENSEMBLE_INPUTS,
  MAX_RIDGE_MASK_BITS,
  SingularSystemError,
  bernoulliInvertedMoments,
  dot,
  exactLinearEnsemble,
  expectedDropoutLoss,
  gaussianMoments,
  gram,
  hadamard,
  invertedInference,
  invertedOutput,
  maskProbability,
  matMul,
  matScale,
  matVec,
  paperInference,
  paperOutput,
  ridgeClosedForm,
  ridgeClosedFormGradient,
  ridgeMinimizer,
  ridgeSystem,
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
  weightScaled,
} from '../../src/verify/rational.ts';

const f = (s: string) => fraction(s);
const show = (v: readonly Fraction[]) => v.map((x) => x.toFraction());
const showM = (M: readonly Fraction[][]) => M.map(show);

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

describe('maskProbability', () => {
  it('is keep^|r|·(1 − keep)^(n − |r|), and the 2^n probabilities sum to 1', () => {
    expect(maskProbability([1, 0, 1], '1/3').toFraction()).toBe('2/27');
    let total = fraction(0);
    for (let i = 0; i < 16; i++)
      total = total.add(
        maskProbability(
          [0, 1, 2, 3].map((j) => (i >> j) & 1),
          '2/5',
        ),
      );
    expect(total.toFraction()).toBe('1');
  });

  it('at keep 1 the all-ones mask is certain', () => {
    expect(maskProbability([1, 1], 1).toFraction()).toBe('1');
    expect(maskProbability([1, 0], 1).toFraction()).toBe('0');
  });

  it('checks the mask and keep', () => {
    expect(() => maskProbability([2], '1/2')).toThrow(/maskProbability: expected mask\[0\] to be 0 or 1, got 2/);
    expect(() => maskProbability(7 as never, '1/2')).toThrow(/maskProbability: expected mask to be an array/);
    expect(() => maskProbability([1], 0)).toThrow(/maskProbability: expected keep/);
  });
});

describe('E-LIN and E-INV computations', () => {
  const W = [[1, 2]];
  const b = [3];
  const y = [4, 5];

  it('E-LIN: exactLinearEnsemble by hand: masks 00, 10, 01, 11 at keep 1/3 give 23/3', () => {
    // P = 4/9, 2/9, 2/9, 1/9; outputs 3, 7, 13, 17 → (12 + 14 + 26 + 17)/9 = 69/9 = 23/3
    expect(show(exactLinearEnsemble(W, b, y, '1/3'))).toEqual(['23/3']);
    expect(show(weightScaled(W, b, y, '1/3'))).toEqual(['23/3']);
    // scaling by the drop probability instead (E-SLIP) is a different number at keep ≠ 1/2
    expect(show(weightScaled(W, b, y, '2/3'))).not.toEqual(['23/3']);
  });

  it('E-LIN: keep 1 is the plain affine map', () => {
    expect(show(exactLinearEnsemble(W, b, y, 1))).toEqual(['17']);
  });

  it('E-LIN: refuses more than MAX_ENSEMBLE_INPUTS inputs and mismatched shapes', () => {
    const n = MAX_ENSEMBLE_INPUTS + 1;
    expect(() => exactLinearEnsemble([new Array(n).fill(1)], [0], new Array(n).fill(1), '1/2')).toThrow(
      /exactLinearEnsemble: expected y to have at most 12 entries \(2\^n masks are enumerated\), got 13/,
    );
    expect(() => exactLinearEnsemble(W, [1, 2], y, '1/2')).toThrow(
      /exactLinearEnsemble: expected b to have length 1, got length 2/,
    );
    expect(() => weightScaled(W, b, [1], '1/2')).toThrow(/weightScaled: expected y to have length 2, got length 1/);
    expect(() => weightScaled(W, b, y, 2)).toThrow(/weightScaled: expected keep .* in \(0, 1\], got 2/);
  });

  it('E-INV: outputs by hand for one mask and at inference', () => {
    expect(show(paperOutput(W, b, y, [0, 1]))).toEqual(['13']);
    expect(show(invertedOutput(W, b, y, '2/5', [0, 1]))).toEqual(['13']);
    expect(show(invertedInference(W, b, y, '2/5'))).toEqual(['43/5']);
    expect(show(paperInference(W, b, y, '2/5'))).toEqual(['43/5']);
  });

  it('E-INV: errors name the function and the argument', () => {
    expect(() => paperOutput(W, b, y, [1])).toThrow(/paperOutput: expected mask to have length 2, got length 1/);
    expect(() => invertedOutput(W, b, y, '1/2', [1, 3])).toThrow(
      /invertedOutput: expected mask\[1\] to be 0 or 1, got 3/,
    );
    expect(() => invertedOutput(W, b, y, 0, [1, 1])).toThrow(/invertedOutput: expected keep/);
    expect(() => invertedInference(W, [], y, '1/2')).toThrow(
      /invertedInference: expected b to have length 1, got length 0/,
    );
  });
});

describe('E-RIDGE computations', () => {
  it('one entry by hand: E(1 − R)² at keep 1/2 is 1/2 = (1 − 1/2)² + (1/4)·1', () => {
    expect(expectedDropoutLoss([[1]], [1], [1], '1/2').toFraction()).toBe('1/2');
    expect(ridgeClosedForm([[1]], [1], [1], '1/2').toFraction()).toBe('1/2');
  });

  it('expected loss and closed form agree on a 3×2 example at keep 2/5, and at keep 1 both are ‖y − Xw‖²', () => {
    const X = [
      [1, '-1/2'],
      [2, 0],
      ['1/3', 3],
    ];
    const y = [1, -2, '1/2'];
    const w = ['3/4', -1];
    expect(expectedDropoutLoss(X, y, w, '2/5').toFraction()).toBe(ridgeClosedForm(X, y, w, '2/5').toFraction());
    const r = vecSub(y, matVec(X, w));
    expect(expectedDropoutLoss(X, y, w, 1).toFraction()).toBe(dot(r, r).toFraction());
  });

  it("the closed form's gradient by hand, and 0 at the minimizer", () => {
    // L(w) = (1 − w/2)² + (1/4)w², L'(w) = −(1 − w/2) + w/2 = w − 1
    expect(show(ridgeClosedFormGradient([[1]], [1], [3], '1/2'))).toEqual(['2']);
    expect(show(ridgeMinimizer([[1]], [1], '1/2'))).toEqual(['1']);
    const X = [
      [1, 2],
      [0, 1],
      [3, '1/2'],
    ];
    const y = [1, 0, -1];
    const w = ridgeMinimizer(X, y, '1/3');
    expect(show(ridgeClosedFormGradient(X, y, w, '1/3'))).toEqual(['0', '0']);
  });

  it('ridgeSystem: keep·XᵀX off the diagonal, (XᵀX)_jj on it; right side Xᵀy', () => {
    const { A, rhs } = ridgeSystem(
      [
        [1, 0],
        [0, 1],
        [1, 1],
      ],
      [1, 2, 3],
      '1/4',
    );
    expect(showM(A)).toEqual([
      ['2', '1/4'],
      ['1/4', '2'],
    ]);
    expect(show(rhs)).toEqual(['4', '5']);
  });

  it('at keep 1 the minimizer is least squares; it is singular then for dependent columns, and for a zero column at any keep', () => {
    expect(
      show(
        ridgeMinimizer(
          [
            [1, 0],
            [0, 1],
            [1, 1],
          ],
          [1, 2, 3],
          1,
        ),
      ),
    ).toEqual(['1', '2']);
    expect(() =>
      ridgeMinimizer(
        [
          [1, 1],
          [2, 2],
        ],
        [1, 1],
        1,
      ),
    ).toThrow(SingularSystemError);
    expect(
      show(
        ridgeMinimizer(
          [
            [1, 1],
            [2, 2],
          ],
          [1, 1],
          '1/2',
        ),
      ),
    ).toEqual(['2/5', '2/5']); // the penalty makes it invertible
    expect(() =>
      ridgeMinimizer(
        [
          [1, 0],
          [2, 0],
        ],
        [1, 1],
        '1/2',
      ),
    ).toThrow(/no nonzero pivot in column 1/);
  });

  it('refuses more than MAX_RIDGE_MASK_BITS entries and mismatched shapes', () => {
    const X = Array.from({ length: 5 }, () => [1, 1, 1]); // 15 entries
    expect(MAX_RIDGE_MASK_BITS).toBe(14);
    expect(() => expectedDropoutLoss(X, [1, 1, 1, 1, 1], [1, 1, 1], '1/2')).toThrow(
      /expectedDropoutLoss: expected X to have at most 14 entries \(2\^\(n·d\) masks are enumerated\), got 5×3 = 15/,
    );
    expect(() => expectedDropoutLoss([[1, 2]], [1], [1], '1/2')).toThrow(
      /expectedDropoutLoss: expected w to have length 2, got length 1/,
    );
    expect(() => ridgeClosedForm([[1, 2]], [1, 2], [1, 1], '1/2')).toThrow(
      /ridgeClosedForm: expected y to have length 1, got length 2/,
    );
    expect(() => ridgeClosedFormGradient([[1, 2]], [1], [1], '1/2')).toThrow(
      /ridgeClosedFormGradient: expected w to have length 2/,
    );
    expect(() => ridgeMinimizer([[1]], [1], '5/4')).toThrow(/ridgeMinimizer: expected keep .* got 5\/4/);
  });
});

describe('E-GAUSS computations', () => {
  it('r/keep at keep 1/4 has mean 1 and variance 3; so does N(1, 3)', () => {
    expect(bernoulliInvertedMoments('1/4')).toEqual({ mean: f('1'), variance: f('3') });
    expect(gaussianMoments('1/4')).toEqual({ mean: f('1'), variance: f('3') });
  });

  it('keep 1: no noise, variance 0', () => {
    expect(bernoulliInvertedMoments(1).variance.toFraction()).toBe('0');
    expect(gaussianMoments(1).variance.toFraction()).toBe('0');
  });

  it('checks keep', () => {
    expect(() => bernoulliInvertedMoments(0)).toThrow(/bernoulliInvertedMoments: expected keep/);
    expect(() => gaussianMoments(-1)).toThrow(/gaussianMoments: expected keep/);
  });
});

// ---------------------------------------------------------------------------------------------------
// The module at its edges: every function names itself and the argument (down to the entry) that it
// could not read, and the enumerations run at their largest allowed sizes, where they still equal their
// closed forms.

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

describe('the enumerations at their largest sizes', () => {
  it(`E-LIN with n = MAX_ENSEMBLE_INPUTS (${R.MAX_ENSEMBLE_INPUTS}) inputs equals the weight-scaled network`, () => {
    const y = Array.from({ length: R.MAX_ENSEMBLE_INPUTS }, (_, i) => i + 1);
    const W = [y.map((_, i) => (i % 3) - 1), y.map(() => '1/3')];
    expect(R.vecEquals(R.exactLinearEnsemble(W, [1, 0], y, '3/4'), R.weightScaled(W, [1, 0], y, '3/4'))).toBe(true);
  });

  it(`E-RIDGE with n·d = MAX_RIDGE_MASK_BITS (${R.MAX_RIDGE_MASK_BITS}) mask bits equals the closed form`, () => {
    const X = Array.from({ length: R.MAX_RIDGE_MASK_BITS / 2 }, (_, i) => [i + 1, 2 - i]);
    const y = X.map((_, i) => i % 3);
    expect(R.expectedDropoutLoss(X, y, [1, '-1/2'], '1/2').equals(R.ridgeClosedForm(X, y, [1, '-1/2'], '1/2'))).toBe(
      true,
    );
  });
});
