// The tight gradient check (checkGradTight, numericJacobian): the suite's reference for G-FD and
// G-ADJ. Its numbers on functions whose derivatives are known, the rules it must catch that
// checkGrad's user defaults pass (a backward rule off by 1e-6, a forward rule off by 1e-9, a jump
// that checkGrad excuses as a kink), what it refuses, and the wording of its report.
import { describe, expect, it } from 'vitest';
import {
  type Tensor,
  TightGradError,
  abs,
  add,
  assertGradTight,
  astype,
  checkGrad,
  checkGradTight,
  div,
  exp,
  key,
  matmul,
  mul,
  normal,
  numericJacobian,
  pow,
  relu,
  split,
  stopGradient,
  sub,
  sum,
  tanh,
  tensor,
} from '../../src/index.ts';
import { type Primitive, bind } from '../../src/engine/trace.ts';
import { Tensor as TensorClass } from '../../src/engine/tensor.ts';

const u = 2 ** -53;

/** x with derivative 1 + δ in forward mode only (the VJP is exact): a forward rule off by δ. */
function forwardSkew(delta: number) {
  const prim: Primitive<null> = {
    name: 'forward-skew',
    fwd: ([x]) => new TensorClass(x.data, x.shape),
    vjp: (g) => [() => g],
    jvp: ([t]) => mul(t, 1 + delta),
  };
  return (x: Tensor) => bind(prim, [x], null);
}
/** x with derivative 1 + δ in both modes: a consistent rule off by δ. */
const skew = (delta: number) => (x: Tensor) => add(x, mul(sub(x, stopGradient(x)), delta));
/** x plus a jump of 1e-3 at 0 whose derivative rule ignores it: a bug that looks like a kink. */
const jump = (x: Tensor) => add(x, mul(stopGradient(div(relu(x), abs(x))), 1e-3));

describe('numericJacobian', () => {
  it('is exact to rounding for polynomials up to degree 6 (Richardson leaves O(h⁶)): x⁵ at 0.7', () => {
    const J = numericJacobian((t: Tensor) => pow(t, 5), [tensor([0.7])]);
    expect([J.m, J.n, J.unresolved]).toEqual([1, 1, []]);
    expect(Math.abs(J.values[0] - 5 * 0.7 ** 4)).toBeLessThan(1e-12);
    // the tolerance is the truncation estimate (≈ f⁽⁵⁾(h/2)⁴/30·(15/16)/15) plus the rounding bound, both stated
    expect(J.tolerance[0]).toBe(J.truncation[0] + J.rounding[0]);
    expect(J.truncation[0]).toBeLessThan(1e-14);
    const S = 0.7 ** 5 + 0.7 + 5 * 0.7 ** 4 * 0.7; // max|f| is at x + 2h: checked below
    expect(J.scale[0]).toBeGreaterThanOrEqual(S);
    expect(J.scale[0]).toBeLessThan(S * (1 + 1e-2));
    const h = 2 ** -12;
    expect(J.rounding[0]).toBeCloseTo(
      (594 / (180 * h)) * (32 * (u * J.scale[0] + Number.MIN_VALUE) + J.values[0] * u * (0.7 + 2 * h)) +
        8 * u * J.values[0],
      25,
    );
    expect(Array.from(J.value)).toEqual([0.7 ** 5]);
  });

  it('exp on two elements: the diagonal to ~1e-13, the off-diagonal exactly 0 with a tolerance from the rounding bound only', () => {
    const J = numericJacobian((t: Tensor) => exp(t), [tensor([0.7, 2])]);
    expect(Math.abs(J.values[0] - Math.exp(0.7))).toBeLessThan(1e-12);
    expect(Math.abs(J.values[3] - Math.exp(2))).toBeLessThan(1e-11);
    expect([J.values[1], J.values[2], J.truncation[1], J.truncation[2]]).toEqual([0, 0, 0, 0]);
    for (let e = 0; e < 4; e++) expect(J.tolerance[e]).toBeLessThan(2e-9);
  });

  it('a smaller step trades truncation for rounding; options are checked', () => {
    const fine = numericJacobian((t: Tensor) => tanh(t), [tensor([0.3])], { step: 2 ** -16 });
    const coarse = numericJacobian((t: Tensor) => tanh(t), [tensor([0.3])], { step: 2 ** -6 });
    expect(fine.rounding[0]).toBeGreaterThan(coarse.rounding[0]);
    expect(fine.truncation[0]).toBeLessThan(coarse.truncation[0]);
    const f = (t: Tensor) => t;
    expect(() => numericJacobian(f, [tensor([1])], { step: 0 })).toThrow(
      new RangeError('numericJacobian: step must be a finite number > 0, got 0'),
    );
    expect(() => numericJacobian(f, [tensor([1])], { rounding: -1 })).toThrow(
      new RangeError('numericJacobian: rounding must be a finite number ≥ 0, got -1'),
    );
    expect(() => numericJacobian(f, [tensor([1])], { resolution: NaN })).toThrow(
      new RangeError('numericJacobian: resolution must be a finite number ≥ 0, got NaN'),
    );
    expect(() => checkGradTight(f, [tensor([1])], { chain: Infinity })).toThrow(
      new RangeError('checkGradTight: chain must be a finite number ≥ 0, got Infinity'),
    );
    expect(() => numericJacobian(f, [astype(tensor([1]), 'float32')])).toThrow(/float32/);
  });

  it("a kink within the finest stencil's reach (2h/64 ≈ 7.6e-6) is unresolved, however right the rule: relu at 1e-6", () => {
    const J = numericJacobian(relu, [tensor([1e-6, 0.5])]);
    expect(J.unresolved).toEqual([0]);
    expect(Array.from(J.steps)).toEqual([2 ** -18, 2 ** -12]); // refined three times, in vain; the other column at once
    const r = checkGradTight(relu, [tensor([1e-6, 0.5])]);
    expect(r.ok).toBe(false);
    expect(r.unresolved.map((e) => [e.input, e.element, e.output])).toEqual([[0, 0, 0]]);
    expect(r.message).toContain(
      "1 entry is unresolved (f is not smooth at the step's scale, or noisier than its rounding model), first: input 0, element 0, output 0",
    );
  });

  it("a kink farther than a finer stencil's reach is resolved there: relu at 1e-4 (h/16 reaches 3e-5)", () => {
    const J = numericJacobian(relu, [tensor([1e-4])]);
    expect([J.unresolved, Array.from(J.steps), Array.from(J.values)]).toEqual([[], [2 ** -16], [1]]);
    expect(numericJacobian(relu, [tensor([1e-4])], { refinements: 0 }).unresolved).toEqual([0]);
  });

  it('large higher derivatives: exp(200x) is not resolved at h (truncation ≈ 1e-8 relative) but is at h/4', () => {
    const J = numericJacobian((t: Tensor) => exp(mul(t, 200)), [tensor([0.01])]);
    expect(J.unresolved).toEqual([]);
    expect(J.steps[0]).toBe(2 ** -14);
    expect(Math.abs(J.values[0] - 200 * Math.exp(2)) / (200 * Math.exp(2))).toBeLessThan(1e-10);
    expect(() => numericJacobian((t: Tensor) => t, [tensor([1])], { refinements: 1.5 })).toThrow(
      new RangeError('numericJacobian: refinements must be an integer ≥ 0, got 1.5'),
    );
  });

  it('refuses an f that does not return a tensor, or returns another size at a shifted input', () => {
    expect(() => numericJacobian((() => 3) as never, [tensor([1])])).toThrow(
      new TypeError('numericJacobian: expected f to return a Tensor, got 3'),
    );
    let calls = 0;
    const shrinking = (t: Tensor) => (calls++ === 0 ? t : sum(t));
    expect(() => numericJacobian(shrinking, [tensor([1, 2])])).toThrow(
      new TypeError('numericJacobian: f returned 2 values at the inputs but not at a shifted input'),
    );
  });

  it('a NaN value is unresolved', () => {
    const J = numericJacobian((t: Tensor) => div(t, t), [tensor([0])]);
    expect(J.unresolved).toEqual([0]);
  });
});

describe("checkGradTight: what the users' defaults pass and the tight check does not", () => {
  const x = tensor([0.3, -1.2, 2.5]);
  const f = (t: Tensor) => sum(mul(tanh(t), exp(t)));

  it('a correct function passes, with error over tolerance far below 1', () => {
    const r = assertGradTight(f, [x]);
    expect(r.ok).toBe(true);
    expect(r.maxRatio).toBeLessThan(0.1);
    expect(r.entries).toBe(3);
    expect(r.unresolved).toEqual([]);
    expect(r.adjoint.ok && r.forward.ok).toBe(true);
    expect(r.message).toMatch(/^tight gradient check passed: max \|analytic − numeric\|\/tolerance = /);
    for (let e = 0; e < 3; e++) expect(r.relativeTolerance[e]).toBeLessThan(1e-7); // a rule off by 1e-6 fails on every entry
  });

  it('a backward (and forward) rule off by 1e-6 relative fails; checkGrad passes it', () => {
    const mutant = (t: Tensor) => f(skew(1e-6)(t));
    expect(checkGrad(mutant, [x]).ok).toBe(true);
    const r = checkGradTight(mutant, [x]);
    expect(r.ok).toBe(false);
    expect(r.maxRatio).toBeGreaterThan(10);
    expect(r.adjoint.ok && r.forward.ok).toBe(true); // consistent in both modes: only G-FD sees it
    expect(Math.abs(r.worst!.analytic - (1 + 1e-6) * r.worst!.numeric)).toBeLessThanOrEqual(r.worst!.tolerance);
    expect(r.message).toMatch(
      /^tight gradient check failed: max \|analytic − numeric\|\/tolerance = .* \(worst: input 0, element \d, output 0: analytic .*, numeric .*, tolerance .*\)$/,
    );
    let caught: unknown;
    try {
      assertGradTight(mutant, [x]);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(TightGradError);
    expect((caught as TightGradError).name).toBe('TightGradError');
    expect((caught as TightGradError).report.ok).toBe(false);
  });

  it('a forward rule off by 1e-9 relative fails the adjoint and the per-output forward check; checkGrad passes it', () => {
    const mutant = (t: Tensor) => f(forwardSkew(1e-9)(t));
    const old = checkGrad(mutant, [x]);
    expect([old.ok, old.adjoint.ok]).toEqual([true, true]);
    const r = checkGradTight(mutant, [x]);
    expect([r.ok, r.adjoint.ok, r.forward.ok]).toEqual([false, false, false]);
    expect(r.maxRatio).toBeLessThan(1); // reverse mode is right
    expect(r.adjoint.error).toBeGreaterThan(r.adjoint.tolerance);
    expect(r.forward.error).toBeGreaterThan(r.forward.tolerance);
    expect(r.message).toContain('forward and reverse mode disagree beyond rounding: ⟨v, Ju⟩ = ');
    expect(r.message).toContain('; forward mode: (J u) at output 0 is ');
  });

  it('a jump the rule ignores: checkGrad excuses it as a kink, the tight check reports it unresolved and fails', () => {
    // checkGrad's central difference at 5e-7 straddles 0 with eps 1e-6: one-sided slopes 1 and ~1001, analytic 1 between them
    const old = checkGrad(jump, [tensor([5e-7])]);
    expect([old.ok, old.kinks.length]).toEqual([true, 1]);
    const r = checkGradTight(jump, [tensor([5e-7])]); // within the finest reach, 2h/64 ≈ 7.6e-6
    expect(r.ok).toBe(false);
    expect(r.unresolved.length).toBe(1);
    // away from the jump by more than 2h both pass, and nothing is excused
    expect(checkGrad(jump, [tensor([0.01])]).kinks).toEqual([]);
    expect(checkGradTight(jump, [tensor([0.01])]).ok).toBe(true);
  });

  it('an empty Jacobian passes with no worst entry; forward mode on a scalar output', () => {
    const r = checkGradTight((t: Tensor) => sum(t), [tensor([], [0])]);
    expect([r.ok, r.entries, r.worst, r.maxRatio]).toEqual([true, 0, null, 0]);
    // no output at all: no output to name
    expect(checkGradTight((t: Tensor) => mul(t, 2), [tensor([], [0])]).forward.output).toBe(-1);
    // with chain 0 the scalar output's forward bound is 0, and an error of 0 is within it
    expect(checkGradTight((t: Tensor) => sum(t), [tensor([], [0])], { chain: 0 }).forward).toEqual({
      output: 0,
      error: 0,
      tolerance: 0,
      ok: true,
    });
    expect(r.message).toBe('tight gradient check passed');
  });

  it('NaN derivatives fail: the error is Infinity, not NaN', () => {
    const r = checkGradTight((t: Tensor) => pow(t, 0.5), [tensor([0])]);
    expect(r.ok).toBe(false);
    expect(r.maxRatio).toBe(Infinity);
  });

  it('a mode that returns NaN in forward mode alone fails the adjoint and forward checks with error Infinity', () => {
    const prim: Primitive<null> = {
      name: 'nan-jvp',
      fwd: ([t]) => new TensorClass(t.data, t.shape),
      vjp: (g) => [() => g],
      jvp: ([t]) => mul(t, NaN),
    };
    const r = checkGradTight((t: Tensor) => sum(bind(prim, [t], null)), [x]);
    expect([r.ok, r.adjoint.ok, r.forward.ok, r.adjoint.error, r.forward.error]).toEqual([
      false,
      false,
      false,
      Infinity,
      Infinity,
    ]);
  });

  it("the rounding model's boundary: intermediates far larger than inputs and outputs (3x − (3 − 1e-7)x scaled by 1e6) are noise the model does not cover, so the check fails as unresolved; checkGrad passes", () => {
    const g = (t: Tensor) => sub(mul(t, 3e6), mul(t, 3e6 - 0.1));
    expect(checkGrad(g, [tensor([1, 1])]).ok).toBe(true);
    const r = checkGradTight(g, [tensor([1, 1])]);
    expect(r.ok).toBe(false);
    expect(r.unresolved.length).toBeGreaterThan(0);
  });
});

describe("checkGrad (the users' defaults) on NaN derivatives", () => {
  // the suite's op properties now use the tight check; these keep checkGrad's NaN paths exercised
  it('a NaN error counts as Infinity in full and fast mode, and the check fails', () => {
    const f = (t: Tensor) => pow(t, 0.5); // √x at 0: the central difference takes √(−eps) = NaN
    const full = checkGrad(f, [tensor([0])]);
    expect([full.ok, full.maxAbsError]).toEqual([false, Infinity]);
    const fast = checkGrad(f, [tensor([0])], { mode: 'fast' });
    expect([fast.ok, fast.maxAbsError]).toEqual([false, Infinity]);
  });
});

describe('checkGradTight: where each entry is, the report, the options at their bounds', () => {
  it('entries name their argument and element across arguments and trees; the worst entry is found', () => {
    // f(a, {p, q}) with a rule off by 1e-6 on q only: the worst entry is argument 1, element 2 + 1
    // (q's second element, after p's two), output 1
    const f = (a: Tensor, t: { p: Tensor; q: Tensor }) =>
      add(mul(sum(a), tensor([1, 0])), mul(sum(mul(t.p, t.p)), tensor([1, 0])));
    const g = (a: Tensor, t: { p: Tensor; q: Tensor }) =>
      add(f(a, t), mul(sum(mul(skew(1e-6)(t.q), tensor([0, 3]))), tensor([0, 1])));
    const r = checkGradTight(g, [tensor([0.5, 0.25, 2]), { p: tensor([1, -1]), q: tensor([0.5, 4]) }]);
    expect(r.entries).toBe(2 * 7);
    expect(r.ok).toBe(false);
    expect(r.worst).toMatchObject({ input: 1, element: 3, output: 1 });
    expect(r.worst!.error).toBeCloseTo(Math.abs(r.worst!.analytic - r.worst!.numeric), 20);
    expect(r.worst!.error).toBeGreaterThan(0);
    expect(r.maxRatio).toBe(r.worst!.error / r.worst!.tolerance);
    expect(r.message).toContain('over 14 entries (worst: input 1, element 3, output 1: ');
  });

  it('unresolved entries are listed in order with their place, and alone make the check fail', () => {
    // relu at two kinks within the finest reach, one resolved point between: entries 0 and 2 unresolved
    const r = checkGradTight((t: Tensor) => relu(t), [tensor([1e-6, 0.5, -1e-6])]);
    expect(r.unresolved.map((e) => [e.output * 3 + e.element, e.input])).toEqual([
      [0, 0],
      [8, 0],
    ]);
    expect(r.ok).toBe(false);
    expect(r.message).toContain('2 entries are unresolved (f is not smooth at the step');
    expect(r.message).toContain('first: input 0, element 0, output 0: truncation estimate ');
    const one = checkGradTight((t: Tensor) => relu(t), [tensor([1e-6, 0.5])]);
    expect(one.message).toContain('1 entry is unresolved');
    // found column by column (entries 6, 4, 2 here: the outputs reversed), listed row by row
    const reverse = tensor([0, 0, 1, 0, 1, 0, 1, 0, 0], [3, 3]);
    const flipped = checkGradTight((t: Tensor) => relu(matmul(reverse, t)), [tensor([1e-6, -1e-6, 1e-6], [3, 1])]);
    expect(flipped.unresolved.map((e) => [e.output, e.element])).toEqual([
      [0, 2],
      [1, 1],
      [2, 0],
    ]);
  });

  it('options at their bounds are accepted: rounding 0, resolution 0, chain 0', () => {
    const f = (t: Tensor) => mul(t, 3);
    const r = checkGradTight(f, [tensor([1, 2])], { rounding: 0, resolution: 0, chain: 0 });
    expect(r.entries).toBe(4);
    expect(r.adjoint.tolerance).toBeGreaterThan(0); // the MIN_VALUE terms keep it positive
    expect(() => checkGradTight(f, [tensor([1])], { chain: -1 })).toThrow(
      new RangeError('checkGradTight: chain must be a finite number ≥ 0, got -1'),
    );
    expect(() => checkGradTight(f, [tensor([1])], { chain: NaN })).toThrow(
      /chain must be a finite number ≥ 0, got NaN/,
    );
    expect(() => numericJacobian(f, [tensor([1])], { resolution: -1e-9 })).toThrow(
      /resolution must be a finite number ≥ 0, got -1e-9/,
    );
    expect(() => numericJacobian(f, [tensor([1])], { resolution: Infinity })).toThrow(/resolution must be a finite/);
    expect(() => numericJacobian(f, [tensor([1])], { rounding: Infinity })).toThrow(/rounding must be a finite/);
    expect(() => numericJacobian(f, [tensor([1])], { refinements: -1 })).toThrow(
      /refinements must be an integer ≥ 0, got -1/,
    );
  });
});

describe('checkGradTight: the bounds are the ones derived at the top of gradcheck-tight.ts', () => {
  const gamma = (k: number) => (k * u) / (1 - k * u);
  const c = [3, -0.5, 1e-3, 40];
  const scaleBy = (t: Tensor) => mul(t, tensor(c));

  it('forward mode and the adjoint identity of f = c ⊙ x (J = diag(c), both modes exact) against their closed forms', () => {
    // the directions are normal draws from split(key, leaves + 1): u for x, v for the output
    const k = key(11),
      [ku, kv] = split(k, 2);
    const U = normal(ku, [4]).data,
      V = normal(kv, [4]).data;
    const r = checkGradTight(scaleBy, [tensor([0.5, -1, 2, 0.25])], { key: k });
    expect([r.ok, r.forward.error, r.adjoint.ok]).toEqual([true, 0, true]);
    const K = gamma(32),
      abs = (a: ArrayLike<number>) => Array.from(a, Math.abs);
    const uMax = Math.max(...abs(U)),
      vMax = Math.max(...abs(V));
    const uL1 = abs(U).reduce((a, b) => a + b),
      vL1 = abs(V).reduce((a, b) => a + b);
    const cu = c.map((ci, o) => Math.abs(ci * U[o])); // Σ_j |J_oj||u_j| = Σ_j |A_oj u_j| = |c_o u_o|
    // per output: 2γ_K·(Σ|J||u| + ‖u‖∞) + γ_n·Σ|A u| + (2K + n)η; the reported output is the one
    // nearest its bound (error 0 everywhere: the smallest bound)
    const forward = cu.map((a) => 2 * K * (a + uMax) + gamma(4) * a + (2 * 32 + 4) * Number.MIN_VALUE);
    const o = forward.indexOf(Math.min(...forward));
    expect(r.forward.output).toBe(o);
    expect(r.forward.tolerance / forward[o]).toBeCloseTo(1, 12);
    // γ_K·(2T + ‖v‖₁‖u‖∞ + ‖u‖₁‖v‖∞) + γ_m·Σ|v ŷ| + γ_n·Σ|ĝ u| + (2K + 1)(m + n)η
    const T = cu.reduce((s, a, i) => s + Math.abs(V[i]) * a, 0);
    const vy = cu.reduce((s, a, i) => s + Math.abs(V[i]) * a, 0); // |v_o ŷ_o| = |v_o c_o u_o|
    const adjoint =
      K * (2 * T + vL1 * uMax + uL1 * vMax) + gamma(4) * vy + gamma(4) * vy + (2 * 32 + 1) * 8 * Number.MIN_VALUE;
    expect(r.adjoint.tolerance / adjoint).toBeCloseTo(1, 12);
    expect([uMax, vMax, uL1, vL1].every((a) => a !== 1)).toBe(true); // so a product is not a quotient
  });

  it('f = 0·x with chain 0 and rounding 0: every bound is its underflow term alone, and ties go to the first entry and output', () => {
    const zero = (t: Tensor) => mul(t, tensor([0, 0, 0]));
    const r = checkGradTight(zero, [tensor([1, 2, 3])], { chain: 0, rounding: 0, resolution: 0 });
    // truncation 0 ≤ max(64·0, 0·0): resolved; error 0 over tolerance 0 counts as ratio 0
    expect([r.ok, r.unresolved.length, r.maxRatio]).toEqual([true, 0, 0]);
    expect(Array.from(r.ratios)).toEqual(new Array(9).fill(0));
    expect(r.worst).toMatchObject({ input: 0, element: 0, output: 0, error: 0 });
    expect(r.message).toContain(
      'max |analytic − numeric|/tolerance = 0.000e+0 over 9 entries (worst: input 0, element 0, output 0',
    );
    expect(r.forward).toEqual({ output: 0, error: 0, tolerance: 3 * Number.MIN_VALUE, ok: true });
    expect(r.adjoint.tolerance).toBe(6 * Number.MIN_VALUE);
  });

  it('an entry resolved only by `resolution` (truncation above 64 × its rounding bound, within resolution·|value|); below it the entry alone fails the check', () => {
    // exp at 3 on a coarse step: truncation ≈ 1.3e-10 relative, rounding bound (γ = 1) about 100× smaller
    const options = { step: 2 ** -6, rounding: 1, refinements: 0 };
    const J = numericJacobian((t: Tensor) => exp(t), [tensor([3])], options);
    expect(J.truncation[0]).toBeGreaterThan(64 * J.rounding[0]);
    expect(J.truncation[0]).toBeLessThan(1e-9 * J.values[0]);
    expect(J.unresolved).toEqual([]);
    const strict = { ...options, resolution: 1e-11 };
    expect(numericJacobian((t: Tensor) => exp(t), [tensor([3])], strict).unresolved).toEqual([0]);
    const r = checkGradTight((t: Tensor) => exp(t), [tensor([3])], strict);
    expect([r.ok, r.maxRatio <= 1, r.adjoint.ok, r.forward.ok, r.unresolved.length]).toEqual([
      false,
      true,
      true,
      true,
      1,
    ]);
    expect(checkGradTight((t: Tensor) => exp(t), [tensor([3])], options).ok).toBe(true);
  });

  it('its option errors name checkGradTight', () => {
    expect(() => checkGradTight(scaleBy, [tensor([1, 1, 1, 1])], { step: -1 })).toThrow(
      new RangeError('checkGradTight: step must be a finite number > 0, got -1'),
    );
  });
});
