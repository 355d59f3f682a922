// Property 'invalid-rates' (exact): forward throws for rates outside [0, 1], NaN and ±Infinity.
import type { Check } from '../context.ts';
import { exactResult, failedCall, formatNumber } from '../check-helpers.ts';

export const invalidRates: Check = async (b) => {
  let tried = 0;
  const x = b.input(8, 'stat', 14);
  for (const rate of [-0.1, -1e-9, 1.5, 1 + 1e-9, 2, NaN, Infinity, -Infinity]) {
    for (const training of [true, false]) {
      const args = { rate, training, seed: b.seed(600) };
      const r = await b.caller.forward(x, args);
      tried++;
      if (r.ok)
        return exactResult(
          tried * 8,
          failedCall(
            'forward',
            x,
            args,
            `[${[...r.y.slice(0, 4)].map(formatNumber).join(', ')}, …] instead of throwing`,
            { expected: 'an error' },
          ),
        );
      if (!r.threw)
        return exactResult(
          tried * 8,
          failedCall('forward', x, args, `${r.reason}, instead of throwing`, { expected: 'an error' }),
        );
    }
  }
  return exactResult(
    tried * 8,
    `forward throws for rates −0.1, −1e-9, 1.5, 1 + 1e-9, 2, NaN, ±Infinity, in training and at inference (${tried} calls)`,
  );
};
