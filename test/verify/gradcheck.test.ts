// The gradient checker's report, pinned on tiny functions whose every number is known: the adjoint
// fields and tolerances recomputed from the same random directions, ties, kinks at the edge of their
// tolerance, a forward mode (or reverse mode) that alone is wrong, and the exact wording of each part
// of the message. Fixed inputs and key(0); each case is a handful of evaluations.
import { describe, expect, it } from 'vitest';
import {
  type Tensor,
  abs,
  add,
  key,
  mul,
  normal,
  relu,
  split,
  square,
  stopGradient,
  sub,
  sum,
  tensor,
} from '../../src/index.ts';
import { checkGrad } from '../../src/verify/gradcheck.ts';

/** Value exactly 0, derivative k: turns a correct derivative into a wrong one without moving f's values. */
const slope = (x: Tensor, k: number) => mul(sub(x, stopGradient(x)), k);

/** The directions checkGrad draws from key(0): u for each input leaf, v for the output. */
function directions(leafShapes: number[][], outShape: number[]) {
  const ks = split(key(0), leafShapes.length + 1);
  return { us: leafShapes.map((s, i) => normal(ks[i], s).data), v: normal(ks[leafShapes.length], outShape).data };
}
const l1 = (a: ArrayLike<number>) => Array.from(a).reduce((s, x) => s + Math.abs(x), 0);
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, x, i) => s + x * b[i], 0);
/** |a − b| within 1e-12 of |b|: what tells a formula from its mutant (they differ by far more). */
const near = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-12 * Math.abs(b));

/**
 * f times `scale` on its second call only. checkGrad calls f for the output, then once under jvp
 * (forward mode, call 2) and once under vjp (reverse mode, call 3), then for the finite differences:
 * scaling call 2 (or 3) makes that mode alone wrong.
 */
function wrongOnCall(call: number, scale: number, f: (x: Tensor) => Tensor) {
  let calls = 0;
  return (x: Tensor) => (++calls === call ? mul(f(x), scale) : f(x));
}

describe('checkGrad options and inputs', () => {
  it('refuses eps 0 and negative tolerances with the values it got; accepts atol 0 and rtol 0', () => {
    const f = (x: Tensor) => sum(square(x));
    expect(() => checkGrad(f, [tensor([1])], { eps: 0 })).toThrow(
      new RangeError('checkGrad: eps must be a finite number > 0, got 0'),
    );
    expect(() => checkGrad(f, [tensor([1])], { atol: -1 })).toThrow(
      new RangeError('checkGrad: atol and rtol must be ≥ 0, got -1 and 0.001'),
    );
    expect(checkGrad(f, [tensor([1])], { atol: 0, rtol: 0.01 }).ok).toBe(true);
    expect(checkGrad(f, [tensor([1])], { atol: 1e-5, rtol: 0 }).ok).toBe(true);
  });

  it('refuses a function that is not one and inputs that are not an array, saying what came', () => {
    expect(() => checkGrad(5 as never, [tensor([1])])).toThrow(
      new TypeError('checkGrad: expected a function, got number'),
    );
    expect(() => checkGrad((a: Tensor) => a, tensor([1]) as never)).toThrow(
      new TypeError('checkGrad: expected inputs to be an array of arguments (tensors or trees of tensors)'),
    );
  });

  it('names the input that is not a tensor tree', () => {
    expect(() => checkGrad((a: Tensor) => a, [tensor([1]), 'w' as never])).toThrow(/checkGrad inputs\[1\]/);
  });

  it('exact arithmetic with zero tolerances passes both modes: an error of 0 is within a tolerance of 0', () => {
    // 2x at 0 with a power-of-two step: every difference, product and projection is exact
    for (const mode of ['full', 'fast'] as const) {
      const r = checkGrad((x: Tensor) => mul(x, 2), [tensor([0])], { eps: 2 ** -20, atol: 0, rtol: 0, mode });
      expect(r.ok, r.message).toBe(true);
      expect([r.maxAbsError, r.adjoint.error, r.adjoint.tolerance]).toEqual([0, 0, 0]);
      expect(r.fullRerun).toBeUndefined();
    }
  });
});

describe('the adjoint fields and the tolerances, recomputed from the directions', () => {
  const x = tensor([0.5, -1]);
  const f = (t: Tensor) => mul(t, 2); // J = 2I
  const {
    us: [u],
    v,
  } = directions([[2]], [2]);
  const [atol, rtol] = [1e-5, 1e-3];

  it('full mode: lhs = ⟨v, J u⟩, rhs = ⟨Jᵀv, u⟩, tolerance 2·Σ_o |v_o|·Σ_j (atol + rtol·|J_oj|)·|u_j|', () => {
    const r = checkGrad(f, [x]);
    expect(r.ok, r.message).toBe(true);
    near(r.adjoint.lhs, 2 * dot(v, u));
    near(r.adjoint.rhs, 2 * dot(v, u));
    const tolJu = [0, 1].map((o) => (atol + 2 * rtol) * Math.abs(u[o]) + atol * Math.abs(u[1 - o]));
    near(r.adjoint.tolerance, 2 * (tolJu[0] * Math.abs(v[0]) + tolJu[1] * Math.abs(v[1])));
  });

  it('fast mode: tolerance 2·(atol·|v|₁·|u|₁ + rtol·max(|lhs|, |rhs|)), the worst is the projection, nothing is a kink', () => {
    const r = checkGrad(f, [x], { mode: 'fast' });
    expect(r.ok, r.message).toBe(true);
    near(
      r.adjoint.tolerance,
      2 * (atol * l1(v) * l1(u) + rtol * Math.max(Math.abs(r.adjoint.lhs), Math.abs(r.adjoint.rhs))),
    );
    expect(r.worst).toMatchObject({ input: -1, element: -1, output: -1 });
    near(r.maxRelError, r.maxAbsError / Math.abs(r.worst!.numeric));
    expect(r.kinks).toEqual([]);
    expect(r.message).toBe(
      `gradient check passed (fast): max |analytic − numeric| = ${r.maxAbsError.toExponential(3)}`,
    );
  });

  it('fast mode on a function with zero derivative: relative error 0, not 0/0', () => {
    const r = checkGrad((t: Tensor) => slope(t, 0), [x], { mode: 'fast' }); // f = 0 whatever x
    expect([r.ok, r.maxAbsError, r.maxRelError]).toEqual([true, 0, 0]);
  });
});

describe('full mode: the worst entry and the relative error', () => {
  it('x·stopGradient(x) (analytic x, true 2x): relative error 1/2, the first of two tied entries is the worst, the message names it and the forward mode', () => {
    const r = checkGrad((t: Tensor) => mul(t, stopGradient(t)), [tensor([1, 1, 0])]);
    expect(r.ok).toBe(false);
    expect(r.maxRelError).toBeCloseTo(0.5, 9); // the off-diagonal and zero entries (numeric 0) do not count
    expect(r.worst).toMatchObject({ input: 0, element: 0, output: 0, analytic: 1 });
    expect(r.adjoint.ok).toBe(true);
    expect(r.message).toMatch(
      /^gradient check failed \(full\): max \|analytic − numeric\| = 1\.000e\+0; worst: input 0, element 0, output 0: analytic 1, numeric 2\.0\d* \(tolerance 0\.00001 \+ 0\.001·\|numeric\|\); forward mode: \(J u\) at output 0 is -?[\d.]+(e[+-]\d+)?, finite differences give -?[\d.]+(e[+-]\d+)?$/,
    );
  });

  it('an error in the second leaf of an argument is numbered after the first leaf’s elements', () => {
    const f = ([a, b]: Tensor[]) => add(sum(a), sum(mul(b, stopGradient(b))));
    const r = checkGrad(f, [[tensor([1, 2]), tensor([3])]]);
    expect(r.worst).toMatchObject({ input: 0, element: 2, output: 0, analytic: 3 });
  });
});

describe('kinks: one-sided slopes that disagree, with the analytic value between them', () => {
  const {
    us: [u],
    v,
  } = directions([[1]], [1]);

  it('an entry whose central difference agrees with the analytic value is judged, not listed, even at a kink', () => {
    // |x| + x at 0: slopes 0 | 2, central difference 1, analytic 0 + 1
    for (const tol of [{}, { atol: 0, rtol: 0 }]) {
      const r = checkGrad((x: Tensor) => add(abs(x), x), [tensor([0])], tol);
      expect([r.ok, r.kinks]).toEqual([true, []]);
    }
  });

  it('one kink or several: the message counts them and names the first; the kink enters the adjoint tolerance with atol + rtol·|analytic|', () => {
    const one = checkGrad(relu, [tensor([0])]);
    expect(one.ok, one.message).toBe(true);
    expect(one.message).toBe(
      'gradient check passed (full): max |analytic − numeric| = 0.000e+0; 1 entry straddles a kink (one-sided differences disagree; the analytic value lies between them), first: input 0, element 0, output 0',
    );
    near(one.adjoint.tolerance, 2 * 1e-5 * Math.abs(u[0]) * Math.abs(v[0])); // analytic relu'(0) = 0
    const two = checkGrad(relu, [tensor([1, 0, 0])]);
    expect(two.kinks.map((k) => k.element)).toEqual([1, 2]);
    expect(two.message).toContain(
      '; 2 entries straddle a kink (one-sided differences disagree; the analytic value lies between them), first: input 0, element 1, output 1',
    );
  });

  it('the analytic value may sit exactly on a one-sided slope (zero tolerances)', () => {
    // relu at 0: slopes 0 | 1, analytic 0 = the left slope; x − relu(x): slopes 1 | 0, analytic 1 = the left slope, the larger
    for (const f of [relu, (x: Tensor) => sub(x, relu(x))]) {
      const r = checkGrad(f, [tensor([0])], { atol: 0, rtol: 0 });
      expect([r.ok, r.kinks.length], r.message).toEqual([true, 1]);
    }
  });

  it('the analytic value on a one-sided slope is inside the kink with the default tolerances too', () => {
    // relu + slope 1 at 0: slopes 0 | 1, analytic 1 = the right slope, the larger (central difference 1/2)
    const r = checkGrad((x: Tensor) => add(relu(x), slope(x, 1)), [tensor([0])]);
    expect([r.ok, r.kinks.length], r.message).toEqual([true, 1]);
  });

  it('slopes −1 | 1 (|x|) with analytic 1/2 between them: a kink, though the slopes sum to 0', () => {
    const r = checkGrad((x: Tensor) => add(abs(x), slope(x, 0.5)), [tensor([0])]);
    expect([r.ok, r.kinks.length], r.message).toEqual([true, 1]);
  });

  it('analytic values outside the slopes, or slopes that differ by no more than the tolerance, fail as usual', () => {
    // relu at 0 with analytic 5: above both slopes 0 | 1
    const above = checkGrad((x: Tensor) => add(relu(x), slope(x, 5)), [tensor([0])]);
    expect([above.ok, above.kinks]).toEqual([false, []]);
    // …and with analytic −5: below both
    const below = checkGrad((x: Tensor) => add(relu(x), slope(x, -5)), [tensor([0])]);
    expect([below.ok, below.kinks]).toEqual([false, []]);
    // slopes 0 | 1 differ by exactly atol + rtol·max = 1: no kink, so analytic 1.2 fails against the central 1/2
    const edge = checkGrad((x: Tensor) => add(relu(x), slope(x, 1.2)), [tensor([0])], { atol: 0, rtol: 1 });
    expect([edge.ok, edge.kinks]).toEqual([false, []]);
    // −x + 4·relu(x): slopes −1 | 3 differ by 4 < 1.5·max(1, 3) (not by rtol·min): analytic −1 is judged and fails
    const wide = checkGrad((x: Tensor) => add(mul(x, -1), mul(relu(x), 4)), [tensor([0])], { atol: 0, rtol: 1.5 });
    expect([wide.ok, wide.kinks]).toEqual([false, []]);
    // x² at 1 with step 1/4: slopes 1.75 | 2.25 differ by 0.5 < 0.25·2.25, so analytic 2.75 (central 2) fails
    const smooth = checkGrad((x: Tensor) => add(square(x), slope(x, 0.75)), [tensor([1])], {
      eps: 0.25,
      atol: 0,
      rtol: 0.25,
    });
    expect([smooth.ok, smooth.kinks]).toEqual([false, []]);
  });

  it('every entry at a kink and the forward mode wrong: no worst entry, the forward mismatch is the worst', () => {
    let calls = 0;
    const g = (x: Tensor) => add(relu(x), slope(x, ++calls === 2 ? 1 : 0)); // forward mode (call 2) alone sees derivative 1 more
    const k = checkGrad(g, [tensor([0])]);
    expect(k.ok).toBe(false);
    expect(k.kinks.length).toBe(1);
    expect(k.worst).toMatchObject({ input: -1, element: -1, output: 0, numeric: 0 });
    expect(k.message).toMatch(
      /^gradient check failed \(full\): max \|analytic − numeric\| = 0\.000e\+0; forward and reverse mode disagree: /,
    );
  });
});

describe('one mode alone wrong', () => {
  const {
    us: [u],
    v,
  } = directions([[1]], [1]);
  const x = tensor([0.5]);
  const twice = (t: Tensor) => mul(t, 2);

  it('full mode: forward mode 3x where reverse mode and finite differences give 2x is the worst mismatch', () => {
    const r = checkGrad(wrongOnCall(2, 1.5, twice), [x]);
    expect(r.ok).toBe(false);
    expect(r.worst!.input).toBe(-1);
    expect(r.worst!.element).toBe(-1);
    expect(r.worst!.output).toBe(0);
    near(r.worst!.analytic, 3 * u[0]);
    expect(r.worst!.numeric).toBeCloseTo(2 * u[0], 8);
    expect(r.message).toContain(
      `; forward mode: (J u) at output 0 is ${r.worst!.analytic}, finite differences give ${r.worst!.numeric}`,
    );
  });

  it('full mode: with every entry exactly right (zero excess), a wrong forward mode is still the worst', () => {
    const r = checkGrad(wrongOnCall(2, 1.5, twice), [tensor([0])], { eps: 2 ** -20, atol: 0, rtol: 0 });
    expect(r.ok).toBe(false);
    expect(r.worst!.input).toBe(-1);
  });

  it('full mode: a forward mode off by 0.9 of its tolerance passes, (atol + 2·rtol·|J|)·|u| in all', () => {
    // J = 2, so the forward check allows (atol + rtol·2)·|u| + rtol·|2u|
    const allowed = (1e-5 + 4e-3) * Math.abs(u[0]);
    const off = (0.9 * allowed) / (2 * Math.abs(u[0]));
    const r = checkGrad(wrongOnCall(2, 1 + off, twice), [x]);
    expect(r.ok, r.message).toBe(true);
  });

  it('fast mode: the side further from the finite differences is reported', () => {
    // off by 0.05%: within the projection's tolerance (about 0.1% of |vᵀJu|)
    const fwd = checkGrad(wrongOnCall(2, 1.0005, twice), [x], { mode: 'fast' });
    expect(fwd.ok, fwd.message).toBe(true);
    expect(fwd.worst!.analytic).toBe(fwd.adjoint.lhs);
    const rev = checkGrad(wrongOnCall(3, 1.0005, twice), [x], { mode: 'fast' });
    expect(rev.ok, rev.message).toBe(true);
    expect(rev.worst!.analytic).toBe(rev.adjoint.rhs);
  });

  it('fast mode: when both sides are equally far from the finite differences, reverse mode is reported', () => {
    // 2x at 0 with a power-of-two step, forward mode 4x and reverse mode 0x: ⟨v, J u⟩ = 4·vu and
    // ⟨Jᵀv, u⟩ = 0 are both exactly 2·vu from the finite differences; a tolerance of 1e6 lets it pass
    let calls = 0;
    const f = (t: Tensor) => {
      calls++;
      return mul(t, calls === 2 ? 4 : calls === 3 ? 0 : 2);
    };
    const r = checkGrad(f, [tensor([0])], { mode: 'fast', eps: 2 ** -20, atol: 1e6 });
    expect(r.ok, r.message).toBe(true);
    expect([r.adjoint.rhs, r.adjoint.lhs]).toEqual([0, 2 * r.worst!.numeric]);
    expect(r.worst!.analytic).toBe(r.adjoint.rhs);
  });

  it('fast mode: a wrong derivative fails the projection and the full rerun, and the message says both', () => {
    const r = checkGrad((t: Tensor) => mul(t, stopGradient(t)), [tensor([0.5, -1])], { mode: 'fast' });
    expect([r.ok, r.fullRerun?.ok]).toEqual([false, false]);
    expect(r.message).toMatch(
      /^fast mode: projection vᵀJu by reverse mode \S+, by forward mode \S+, by finite differences \S+ \(tolerance \S+\); full rerun: gradient check failed \(full\)/,
    );
  });

  it('fast mode: a projection off by 0.15% fails either side, and the full rerun (elementwise tolerance) passes it', () => {
    for (const call of [2, 3]) {
      const r = checkGrad(wrongOnCall(call, 1.0015, twice), [x], { mode: 'fast' });
      expect(r.ok, r.message).toBe(true);
      expect(r.fullRerun?.ok).toBe(true);
      const numeric = Number(r.message.match(/by finite differences (\S+) /)![1]);
      expect(Math.abs(numeric - 2 * u[0] * v[0])).toBeLessThan(1e-8);
      const tol = 1e-5 * Math.abs(v[0]) * Math.abs(u[0]) + 1e-3 * Math.abs(numeric);
      expect(r.message).toBe(
        `fast mode (projection off, full check passed): projection vᵀJu by reverse mode ${r.adjoint.rhs}, by forward mode ${r.adjoint.lhs}, by finite differences ${numeric} (tolerance ${tol.toExponential(3)}); full rerun: ${r.fullRerun!.message}`,
      );
      // the adjoint tolerance uses the larger of the two sides
      near(
        r.adjoint.tolerance,
        2 *
          (1e-5 * Math.abs(v[0]) * Math.abs(u[0]) + 1e-3 * Math.max(Math.abs(r.adjoint.lhs), Math.abs(r.adjoint.rhs))),
      );
    }
  });
});
