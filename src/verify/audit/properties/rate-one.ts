// Property 'rate-one' (exact): at rate 1 the training output is all zeros and the inference output x or
// 0, never NaN; throwing at rate 1 is allowed.
import type { Check } from '../context.ts';
import { exactResult, failedCall, firstBad } from '../check-helpers.ts';

export const rateOne: Check = async (b) => {
  let elements = 0,
    threw = 0,
    answered = 0;
  for (const [j, length] of [1, 8, 1000].entries()) {
    for (const training of [true, false]) {
      const x = b.input(length, 'stat', 15);
      const args = { rate: 1, training, seed: b.seed(700 + j) };
      const r = await b.caller.forward(x, args);
      if (!r.ok) {
        if (r.threw) {
          threw++;
          continue;
        }
        return exactResult(elements, failedCall('forward', x, args, r.reason));
      }
      answered++;
      elements += length;
      const bad = firstBad(r.y, training ? new Float64Array(length) : b.inference(b.seen(x), 1), 'equal');
      if (bad) return exactResult(elements, failedCall('forward', x, args, bad.got, bad));
    }
  }
  if (answered === 0) return { ...exactResult(0, 'forward throws at rate 1 (allowed)'), verdict: 'not applicable' };
  const what = threw ? `${answered} calls answered correctly, ${threw} threw (allowed)` : `${answered} calls`;
  return exactResult(
    elements,
    `rate 1: training output all zeros, inference ${b.inverted ? 'x' : '0'}, never NaN (${what})`,
  );
};
