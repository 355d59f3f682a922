// Property 'reproducible' (exact): the same seed gives the same output bit for bit, forward and vjp,
// with a call of another seed in between.
import type { Check } from '../context.ts';
import { count, exactResult, failedCall, firstBad } from '../check-helpers.ts';

export const reproducible: Check = async (b) => {
  let elements = 0;
  // a vjp that failed a call (threw, hung, answered badly) is judged by the vjp properties; asking it
  // again at every length would only repeat the failure (a hung call costs the whole timeout each time)
  let vjpAnswers = Boolean(b.candidate.vjp);
  const cases = [...[1, 17, 1000, 100_000].map((length) => [length, 0.3]), ...b.drawn.map((r) => [1000, r])];
  for (const [j, [length, rate]] of cases.entries()) {
    const x = b.input(length, 'stat', 9);
    const args = { rate, training: true, seed: b.seed(400 + j) };
    const first = await b.caller.forward(x, args);
    await b.caller.forward(x, { ...args, seed: b.seed(450 + j) }); // another seed in between: no hidden state may carry over
    const again = await b.caller.forward(x, args);
    if (!first.ok) return exactResult(elements, failedCall('forward', x, args, first.reason));
    if (!again.ok) return exactResult(elements, failedCall('forward', x, args, `the repeated call ${again.reason}`));
    elements += length;
    const bad = firstBad(again.y, first.y, 'bits');
    if (bad)
      return exactResult(
        elements,
        failedCall('forward', x, args, `${bad.got} on the repeated call`, {
          index: bad.index,
          expected: `${bad.expected} (the first call's value)`,
        }),
      );
    if (vjpAnswers) {
      const dy = b.input(length, 'unit', 9);
      const g1 = await b.caller.vjp(x, args, dy);
      const g2 = g1.ok ? await b.caller.vjp(x, args, dy) : g1;
      vjpAnswers = g1.ok && g2.ok;
      if (g1.ok && g2.ok) {
        const badG = firstBad(g2.y, g1.y, 'bits');
        if (badG)
          return exactResult(
            elements,
            failedCall('vjp', x, args, `${badG.got} on the repeated call`, {
              index: badG.index,
              expected: `${badG.expected} (the first call's value)`,
            }),
          );
      }
    }
  }
  return exactResult(
    elements,
    `same seed, same output bit for bit, with a call of another seed in between (${count(elements)} elements${b.candidate.vjp ? ', forward and vjp' : ''})`,
  );
};
