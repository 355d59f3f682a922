// Property 'vjp-mask' (exact): the vjp multiplies dy by the mask of the forward call with the same
// arguments (and by the inference scale at inference).
import type { Check } from '../context.ts';
import { count, exactResult, failedCall, firstBad } from '../check-helpers.ts';
import { masked, scaled } from '../scan.ts';

export const vjpMask: Check = async (b) => {
  let elements = 0;
  const cases = [...b.grid((length, rate, i) => ({ length, rate, i })), { length: 100_000, rate: 0.3, i: 99 }];
  for (const c of cases) {
    for (const training of [true, false]) {
      const x = b.input(c.length, 'grid', 1);
      const dy = b.input(c.length, 'unit', 2);
      const args = { rate: c.rate, training, seed: b.seed(300 + c.i) };
      const fwd = await b.forward(x, `grid:${c.length}:1`, args);
      const g = await b.caller.vjp(x, args, dy);
      if (!g.ok) return exactResult(elements, failedCall('vjp', x, args, g.reason));
      if (!fwd.ok) return exactResult(elements, failedCall('forward', x, args, fwd.reason));
      elements += c.length;
      const s = training ? b.kept(c.rate) : b.inverted ? 1 : 1 - c.rate;
      const seen = b.seen(dy);
      const bad = firstBad(g.y, training ? masked(seen, s, fwd.y) : scaled(seen, s), b.close);
      if (bad) {
        const why = training
          ? fwd.y[bad.index] === 0
            ? ' (the forward call dropped this element)'
            : ' (the forward call kept this element)'
          : '';
        return exactResult(elements, failedCall('vjp', x, args, bad.got, { ...bad, expected: bad.expected + why }));
      }
    }
  }
  const rule = b.inverted ? 'dy ⊙ mask/keep' : 'dy ⊙ mask';
  return exactResult(
    elements,
    `vjp = ${rule} with the forward call's mask, and ${b.inverted ? 'dy' : 'keep·dy'} at inference (${count(elements)} elements)`,
  );
};
