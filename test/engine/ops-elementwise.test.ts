// The elementwise ops of src/engine/ops.ts: forward values of the binary and unary ops (hand-computed,
// or against mathjs BigNumber references), broadcasting against a naive reference, validation; and
// the elementwise ops and the softmax family against mathjs BigNumbers at 50 digits, in units of
// u = 2^−53.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { REF, big, errorInU, expectWithinU } from '../support/bignumber-reference.ts';
import {
  type Tensor,
  abs,
  add,
  div,
  equal,
  exp,
  greater,
  less,
  log,
  logSumExp,
  maximum,
  minimum,
  mul,
  neg,
  pow,
  relu,
  sigmoid,
  softmax,
  sqrt,
  square,
  sub,
  tanh,
  tensor,
  zeros,
} from '../../src/index.ts';
import { dimsArb, expectClose, iota, naiveBinary, operandShape, prod, valuesArb } from '../support/ops-reference.ts';

/** Two operands that broadcast together, as [shape a, values a, shape b, values b] (shapes from ../support/ops-reference.ts). */
const broadcastPairArb = dimsArb.chain((out) =>
  fc
    .tuple(operandShape(out), operandShape(out))
    .chain(([sa, sb]) => fc.tuple(fc.constant(sa), valuesArb(prod(sa)), fc.constant(sb), valuesArb(prod(sb)))),
);

describe('elementwise binary ops: values', () => {
  const a = tensor([
    [1, -2, 3],
    [4.5, 0, -6],
  ]);
  const b = tensor([
    [2, 2, -4],
    [0.5, -1, 8],
  ]);

  it('add, sub, mul, div', () => {
    expect(add(a, b).toArray()).toEqual([
      [3, 0, -1],
      [5, -1, 2],
    ]);
    expect(sub(a, b).toArray()).toEqual([
      [-1, -4, 7],
      [4, 1, -14],
    ]);
    expect(mul(a, b).toArray()).toEqual([
      [2, -4, -12],
      [2.25, -0, -48],
    ]);
    expect(div(a, b).toArray()).toEqual([
      [0.5, -1, -0.75],
      [9, -0, -0.75],
    ]);
    expectClose(div(tensor([1, 2]), tensor([3, 7])), [1 / 3, 2 / 7]);
    expect(div(tensor([1, -1, 0]), tensor([0, 0, 0])).toArray()).toEqual([Infinity, -Infinity, NaN]);
  });

  it('maximum and minimum, including ties and NaN', () => {
    expect(maximum(a, b).toArray()).toEqual([
      [2, 2, 3],
      [4.5, 0, 8],
    ]);
    expect(minimum(a, b).toArray()).toEqual([
      [1, -2, -4],
      [0.5, -1, -6],
    ]);
    expect(maximum(tensor([3, 3]), tensor([3, 1])).toArray()).toEqual([3, 3]);
    expect(maximum(tensor([NaN]), tensor([1])).toArray()).toEqual([NaN]);
    expect(minimum(tensor([1]), tensor([NaN])).toArray()).toEqual([NaN]);
  });

  it('equal, greater, less give 0/1 masks', () => {
    const x = tensor([1, 2, 3, NaN]);
    const y = tensor([1, 3, 2, NaN]);
    expect(equal(x, y).toArray()).toEqual([1, 0, 0, 0]);
    expect(greater(x, y).toArray()).toEqual([0, 0, 1, 0]);
    expect(less(x, y).toArray()).toEqual([0, 1, 0, 0]);
    expect(equal(tensor([[1], [2]]), tensor([1, 2])).toArray()).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(greater(tensor([0, 5]), tensor(1)).toArray()).toEqual([0, 1]);
  });

  it('scalar numbers as operands, on either side', () => {
    const x = tensor([1, 2, 4]);
    expect(add(x, 1).toArray()).toEqual([2, 3, 5]);
    expect(add(1, x).toArray()).toEqual([2, 3, 5]);
    expect(sub(10, x).toArray()).toEqual([9, 8, 6]);
    expect(sub(x, 10).toArray()).toEqual([-9, -8, -6]);
    expect(mul(x, -0.5).toArray()).toEqual([-0.5, -1, -2]);
    expect(div(1, x).toArray()).toEqual([1, 0.5, 0.25]);
    expect(div(x, 4).toArray()).toEqual([0.25, 0.5, 1]);
    expect(maximum(x, 2).toArray()).toEqual([2, 2, 4]);
    expect(minimum(2, x).toArray()).toEqual([1, 2, 2]);
    const s = add(2, 3);
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(5);
  });
});

describe('broadcasting', () => {
  it('[3,1] + [1,4] → [3,4]', () => {
    const c = add(tensor([[0], [10], [20]]), tensor([[1, 2, 3, 4]]));
    expect(c.shape).toEqual([3, 4]);
    expect(c.toArray()).toEqual([
      [1, 2, 3, 4],
      [11, 12, 13, 14],
      [21, 22, 23, 24],
    ]);
  });

  it('[4] + [2,3,4] → [2,3,4]', () => {
    const x = iota([2, 3, 4]);
    const v = tensor([1000, 2000, 3000, 4000]);
    const c = add(v, x);
    expect(c.shape).toEqual([2, 3, 4]);
    for (let f = 0; f < 24; f++) expect(c.data[f]).toBe(f + 1000 * ((f % 4) + 1));
  });

  it('rank-0 tensors broadcast against anything', () => {
    expect(
      mul(
        tensor(3),
        tensor([
          [1, 2],
          [3, 4],
        ]),
      ).toArray(),
    ).toEqual([
      [3, 6],
      [9, 12],
    ]);
    expect(sub(tensor([[1, 2]]), tensor(1)).toArray()).toEqual([[0, 1]]);
  });

  it('middle and zero-length dimensions', () => {
    const c = add(iota([2, 1, 3]), tensor([[0], [100]]));
    expect(c.shape).toEqual([2, 2, 3]);
    expect(c.toArray()).toEqual([
      [
        [0, 1, 2],
        [100, 101, 102],
      ],
      [
        [3, 4, 5],
        [103, 104, 105],
      ],
    ]);
    expect(add(zeros([0, 3]), zeros([1, 3])).shape).toEqual([0, 3]);
    expect(add(zeros([3, 0]), zeros([3, 1])).shape).toEqual([3, 0]);
    expect(add(zeros([2, 1]), zeros([0])).shape).toEqual([2, 0]);
  });

  it('matches a naive reference on random shapes, for every binary op (property)', () => {
    const ops: [string, (a: Tensor, b: Tensor) => Tensor, (x: number, y: number) => number][] = [
      ['add', add, (x, y) => x + y],
      ['sub', sub, (x, y) => x - y],
      ['mul', mul, (x, y) => x * y],
      ['div', div, (x, y) => x / y],
      ['maximum', maximum, Math.max],
      ['minimum', minimum, Math.min],
      ['equal', equal, (x, y) => (x === y ? 1 : 0)],
      ['greater', greater, (x, y) => (x > y ? 1 : 0)],
      ['less', less, (x, y) => (x < y ? 1 : 0)],
    ];
    fc.assert(
      fc.property(broadcastPairArb, fc.integer({ min: 0, max: ops.length - 1 }), ([sa, va, sb, vb], k) => {
        const [, op, f] = ops[k];
        const a = tensor(va, sa);
        const b = tensor(vb, sb);
        const got = op(a, b);
        const ref = naiveBinary(a, b, f);
        expect(got.shape).toEqual(ref.shape);
        expect(got.data).toEqual(ref.data); // same float operation on the same operands: bit-exact
      }),
      { numRuns: 300 },
    );
  });

  it('a shape mismatch names the op and both shapes', () => {
    const ops: [string, (a: Tensor, b: Tensor) => Tensor][] = [
      ['add', add],
      ['sub', sub],
      ['mul', mul],
      ['div', div],
      ['maximum', maximum],
      ['minimum', minimum],
      ['equal', equal],
      ['greater', greater],
      ['less', less],
    ];
    for (const [name, op] of ops) {
      const f = () => op(zeros([2, 3]), zeros([4]));
      expect(f, name).toThrow(RangeError);
      expect(f, name).toThrow(new RegExp(`^${name}:`));
      expect(f, name).toThrow('[2, 3]');
      expect(f, name).toThrow('[4]');
    }
    expect(() => add(zeros([2, 1, 3]), zeros([4, 2]))).toThrow(
      /add: shapes \[2, 1, 3\] and \[4, 2\] cannot be broadcast/,
    );
  });

  it('rejects operands that are neither tensors nor numbers, naming the argument', () => {
    expect(() => add([1, 2] as unknown as Tensor, tensor(1))).toThrow(TypeError);
    expect(() => add([1, 2] as unknown as Tensor, tensor(1))).toThrow(/add: expected a to be a Tensor/);
    expect(() => mul(tensor(1), '2' as unknown as Tensor)).toThrow(/mul: expected b to be a Tensor/);
  });
});

describe('elementwise unary ops: values', () => {
  const xs = [-3.7, -1, -0.5, -1e-3, 0, 0.25, 1, 2.5, 10];
  const pos = [1e-8, 0.1, 0.5, 1, 2, Math.E, 10, 1e5];

  it('neg, square, relu, abs (exact)', () => {
    const x = tensor(xs);
    expect(neg(x).toArray()).toEqual(xs.map((v) => -v));
    expect(square(x).toArray()).toEqual(xs.map((v) => v * v));
    expect(relu(x).toArray()).toEqual([0, 0, 0, 0, 0, 0.25, 1, 2.5, 10]);
    expect(abs(x).toArray()).toEqual([3.7, 1, 0.5, 1e-3, 0, 0.25, 1, 2.5, 10]);
    expect(square(tensor([3, -4])).toArray()).toEqual([9, 16]);
  });

  // references from mathjs BigNumbers (decimal arithmetic), not mathjs's number functions, which call
  // Math.* themselves; tolerances in u = 2^−53 as documented with the BigNumber tests below
  it('exp, log, sqrt, tanh agree with BigNumber references (≤ 2u, 2u, 1u, 4u)', () => {
    expectWithinU(exp(tensor(xs)).data, xs.map(REF.exp), 2, 'exp');
    expectWithinU(log(tensor(pos)).data, pos.map(REF.log), 2, 'log');
    expectWithinU(sqrt(tensor(pos)).data, pos.map(REF.sqrt), 1, 'sqrt');
    expectWithinU(tanh(tensor(xs)).data, xs.map(REF.tanh), 4, 'tanh');
  });

  it('sigmoid agrees with the BigNumber 1 / (1 + e^(−x)) (≤ 4u) and saturates without NaN', () => {
    expectWithinU(sigmoid(tensor(xs)).data, xs.map(REF.sigmoid), 4, 'sigmoid');
    expect(sigmoid(tensor([0])).item()).toBe(0.5);
    expect(sigmoid(tensor([-1000, 1000])).toArray()).toEqual([0, 1]);
  });

  it('hand-checked special values', () => {
    expect(exp(tensor([0, -Infinity, Infinity])).toArray()).toEqual([1, 0, Infinity]);
    expect(log(tensor([1, 0, Infinity])).toArray()).toEqual([0, -Infinity, Infinity]);
    expect(log(tensor([-1])).item()).toBeNaN();
    expect(sqrt(tensor([0, 4, 0.25, 1e-300 * 1e-10])).toArray()).toEqual([0, 2, 0.5, Math.sqrt(1e-310)]);
    expect(sqrt(tensor([-1])).item()).toBeNaN();
    expect(tanh(tensor([0, Infinity, -Infinity, 1000])).toArray()).toEqual([0, 1, -1, 1]);
    expectClose(tanh(tensor([0.5])), [(Math.E - 1) / (Math.E + 1)]); // tanh(x) = (e^2x − 1) / (e^2x + 1)
    expectClose(exp(tensor([1])), [Math.E]);
  });

  it('pow with a constant exponent agrees with BigNumber references (≤ 2u)', () => {
    const x = tensor(pos);
    for (const e of [2, 3, 0.5, -1, -2.5, 1 / 3])
      expectWithinU(
        pow(x, e).data,
        pos.map((v) => REF.pow(v, e)),
        2,
        `pow(·, ${e})`,
      );
    expect(pow(tensor([2, -3, 0.5]), 2).toArray()).toEqual([4, 9, 0.25]);
    expect(pow(tensor([2, -3]), 3).toArray()).toEqual([8, -27]);
    expect(pow(tensor([0, 5, -2]), 0).toArray()).toEqual([1, 1, 1]);
    expect(pow(tensor([4, 9]), 0.5).toArray()).toEqual([2, 3]);
    expect(pow(tensor([-8]), 1 / 3).item()).toBeNaN();
  });

  it('pow rejects a non-number or NaN exponent', () => {
    expect(() => pow(tensor([1]), NaN)).toThrow(TypeError);
    expect(() => pow(tensor([1]), NaN)).toThrow(/pow: expected the exponent/);
    expect(() => pow(tensor([1]), '2' as unknown as number)).toThrow(/exponent/);
  });

  it('preserve shape, including rank 0 and empty tensors', () => {
    for (const op of [neg, exp, log, sqrt, square, tanh, sigmoid, relu, abs]) {
      expect(op(tensor([[1], [2]])).shape).toEqual([2, 1]);
      expect(op(tensor(1)).shape).toEqual([]);
      expect(op(zeros([0, 3])).shape).toEqual([0, 3]);
    }
    expect(pow(tensor(2), 2).item()).toBe(4);
  });

  it('reject non-tensors, naming the op', () => {
    expect(() => exp([1] as unknown as Tensor)).toThrow(/exp: expected x to be a Tensor/);
    expect(() => relu(1 as unknown as Tensor)).toThrow(TypeError);
  });
});

// ---------------------------------------------------------------------------------------------------
// The elementwise ops and the softmax family against mathjs BigNumbers at 50 digits (decimal
// arithmetic, never Math.*), to the accuracy V8's Math functions document, in units of u = 2^−53
// relative: exp, log, pow < 1 ulp (≤ 2u); sqrt correctly rounded (≤ 1u); tanh < 2 ulp (≤ 4u);
// sigmoid 1/(1 + e^−x): exp's 2u scaled by e^−x/(1 + e^−x) ≤ 1, plus the add and the divide (≤ 4u).
// logSumExp and softmax subtract the maximum first: the subtraction's rounding is amplified by the
// exp, so their bounds grow with the spread of the row (stated per test). Fixed fast-check seed.

const real = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
const positive = fc.double({ min: 1e-300, max: 1e300, noNaN: true });

describe('elementwise ops against BigNumber references', () => {
  it('exp (≤ 2u), log and sqrt (≤ 2u, ≤ 1u), tanh (≤ 4u), sigmoid (≤ 4u), pow (≤ 2u)', () => {
    fc.assert(
      fc.property(
        fc.array(real(-700, 700), { minLength: 1, maxLength: 8 }),
        fc.array(positive, { minLength: 1, maxLength: 8 }),
        (xs, ps) => {
          expectWithinU(exp(tensor(xs)).data, xs.map(REF.exp), 2, 'exp');
          expectWithinU(log(tensor(ps)).data, ps.map(REF.log), 2, 'log');
          expectWithinU(sqrt(tensor(ps)).data, ps.map(REF.sqrt), 1, 'sqrt');
          expectWithinU(tanh(tensor(xs)).data, xs.map(REF.tanh), 4, 'tanh');
          const moderate = xs.map((x) => x / 20); // sigmoid saturates to 0 below −745·…: keep its values normal
          expectWithinU(sigmoid(tensor(moderate)).data, moderate.map(REF.sigmoid), 4, 'sigmoid');
        },
      ),
      { numRuns: 60 },
    );
    fc.assert(
      fc.property(fc.array(real(1e-3, 1e3), { minLength: 1, maxLength: 6 }), real(-4, 4), (bs, e) => {
        expectWithinU(
          pow(tensor(bs), e).data,
          bs.map((b) => REF.pow(b, e)),
          2,
          `pow(·, ${e})`,
        );
      }),
      { numRuns: 60 },
    );
  });

  it('logSumExp within 2u·(2 + |max| + n) + 2u·|lse| absolutely, softmax within (2·spread + 8)u relatively', () => {
    // lse = m + log Σ exp(x_i − m): each x_i − m rounds by u·|x_i − m| ≤ u·spread, exp by 2u, the sum
    // by n·u, the log by 2u, the final m + log by u·|lse|; softmax divides exp(x_i − m) by the sum
    fc.assert(
      fc.property(fc.array(real(-50, 50), { minLength: 1, maxLength: 6 }), (xs) => {
        const m = Math.max(...xs);
        const spread = m - Math.min(...xs);
        const lse = logSumExp(tensor(xs)).item();
        const ref = REF.logSumExp(xs);
        const absErr = big(lse).minus(ref).abs().toNumber();
        expect(absErr).toBeLessThanOrEqual(2 ** -52 * (2 + spread + xs.length + Math.abs(lse)));
        expectWithinU(softmax(tensor(xs)).data, REF.softmax(xs), 2 * spread + 8 + 2 * xs.length, 'softmax');
      }),
      { numRuns: 60 },
    );
  });

  it('the reference can fail: exp computed as Math.pow(Math.E, x) passes a Math-against-Math check at 1e-12 but not the BigNumber one', () => {
    // Math.E is e rounded; e^x from it is off by x·(its rounding), several ulps once |x| ≳ 5
    const xs = [7.3, -12.5, 20.25, 33.1];
    const wrong = xs.map((x) => Math.pow(Math.E, x));
    xs.forEach((x, i) => expect(Math.abs(wrong[i] - Math.exp(x))).toBeLessThanOrEqual(1e-12 * Math.exp(x))); // the old kind of check
    expect(() => expectWithinU(wrong, xs.map(REF.exp), 2, 'Math.pow(Math.E, x)')).toThrow(/u > 2 u/);
    expect(Math.max(...xs.map((x, i) => errorInU(wrong[i], REF.exp(x))))).toBeGreaterThan(2);
    // and a length mismatch fails
    expect(() => expectWithinU([1], [], 2)).toThrow();
  });
});
