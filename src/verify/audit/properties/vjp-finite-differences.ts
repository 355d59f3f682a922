// Property 'vjp-finite-differences' (central differences, 1e-6 relative): the vjp agrees with the forward
// call's central differences along random directions, ⟨vjp(dy), u⟩ against ⟨dy, (f(x + hu) − f(x − hu))/2h⟩.
// In float32, x, u and dy lie on a grid of 2^-10 and h = 2^-6, so x ± hu are exact in float32 and only
// the outputs' rounding separates the sides: the tolerance is 8·2^-24 times what that rounding can move.
// (Dropout is linear in x for a fixed mask, so a large h costs no truncation error.)
import type { Check } from '../context.ts';
import { count, exactResult, failedCall } from '../check-helpers.ts';
import { along, directional, quantized } from '../scan.ts';

export const vjpFiniteDifferences: Check = async (b) => {
  const f32 = b.precision === 'float32';
  const h = f32 ? 2 ** -6 : 1e-3,
    rtol = f32 ? 8 * 2 ** -24 : 1e-6;
  const test = f32
    ? `central differences, h 2^-6, float32 rounding bound`
    : `central differences, h ${h}, rtol ${rtol}`;
  const on = (v: Float64Array) => (f32 ? quantized(v, 10) : v);
  let elements = 0,
    worst = 0;
  for (const length of [1, 5, 64, 1000]) {
    for (const [j, rate] of [0.2, 0.5, 0.8, ...b.drawn].entries()) {
      for (const training of [true, false]) {
        const x = on(b.input(length, 'stat', 11)),
          u = on(b.input(length, 'unit', 12)),
          dy = on(b.input(length, 'unit', 13));
        const args = { rate, training, seed: b.seed(500 + j) };
        const xp = along(x, u, h),
          xm = along(x, u, -h);
        const [fp, fm, g] = [
          await b.caller.forward(xp, args),
          await b.caller.forward(xm, args),
          await b.caller.vjp(x, args, dy),
        ];
        for (const [r, fn, xx] of [
          [fp, 'forward', xp],
          [fm, 'forward', xm],
          [g, 'vjp', x],
        ] as const) {
          if (!r.ok) return { ...exactResult(elements, failedCall(fn, xx, args, r.reason)), test };
        }
        if (!fp.ok || !fm.ok || !g.ok) throw new Error('unreachable');
        elements += length;
        const { lhs, rhs, scale, rounding } = directional(fp.y, fm.y, h, dy, g.y, u);
        const err = Math.abs(lhs - rhs),
          tol = rtol * (f32 ? rounding : scale) + 1e-12;
        worst = Math.max(worst, err / tol);
        if (!(err <= tol)) {
          const c = failedCall('vjp', x, args, `⟨vjp(dy), u⟩ = ${rhs}`, {
            expected: `⟨dy, (f(x + hu) − f(x − hu))/2h⟩ = ${lhs} (±${tol.toExponential(2)})`,
          });
          return {
            ...exactResult(elements, c),
            evidence: `${c.call}: ${c.got}, finite differences give ${c.expected}`,
            test,
          };
        }
      }
    }
  }
  const within = f32 ? `8·2^-24 of the outputs' rounding` : `${rtol} relative`;
  return {
    ...exactResult(
      elements,
      `⟨vjp(dy), u⟩ = ⟨dy, central difference along u⟩ within ${within} (largest error/tolerance ${worst.toExponential(2)}), ${count(elements)} elements`,
    ),
    test,
  };
};
