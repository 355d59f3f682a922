// Unit tests of src/verify/rational.ts, the identities: mask probabilities and small worked examples of
// each claim computation (E-LIN, E-INV, E-RIDGE, E-GAUSS) checked by hand; then the enumerations at
// their largest allowed sizes, where they still equal their closed forms. The conversions and the
// linear algebra are tested in rational.test.ts.
import { describe, expect, it } from 'vitest';
import { fraction } from 'mathjs';
import * as R from '../../src/verify/rational.ts';
import {
  MAX_ENSEMBLE_INPUTS,
  MAX_RIDGE_MASK_BITS,
  SingularSystemError,
  bernoulliInvertedMoments,
  dot,
  exactLinearEnsemble,
  expectedDropoutLoss,
  gaussianMoments,
  invertedInference,
  invertedOutput,
  maskProbability,
  matVec,
  paperInference,
  paperOutput,
  ridgeClosedForm,
  ridgeClosedFormGradient,
  ridgeMinimizer,
  ridgeSystem,
  vecSub,
  weightScaled,
} from '../../src/verify/rational.ts';
import { show, showM } from './rational-shared.ts';

const f = (s: string) => fraction(s);

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
// The enumerations at their largest allowed sizes, where they still equal their closed forms.

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
