// Property 'no-short-period' (statistical, a union bound): no 128-element drop pattern occurs twice
// in a sample at rate 0.5.
import { type Check, WINDOW } from '../context.ts';
import { callFailure, caseText, count, failedCall, failedSample, statistical } from '../check-helpers.ts';
import { firstRepeat, zeroBits } from '../scan.ts';

export const period: Check = async (b) => {
  const s = b.sample(0.5);
  const r = await s.answer;
  if (!r.ok)
    return failedSample(
      'union bound',
      'a period < length − 128',
      0,
      callFailure('forward', s.x, s.args, r.reason, b.alphaEach),
    );
  const d = zeroBits(r.y);
  const n = d.length - WINDOW + 1; // windows in the sample: ≥ 897, as dependence samples are multiples of 1,024
  // P(two given 128-bit windows of fair independent bits are equal) = 2^-128, even when they overlap.
  const bound = Math.min(b.alphaEach, ((n * (n - 1)) / 2) * 2 ** -WINDOW);
  const repeat = firstRepeat(d, WINDOW);
  if (repeat) {
    const { at: i, earlier: j } = repeat;
    const c = failedCall(
      'forward',
      s.x,
      s.args,
      `the drop pattern of elements ${i}…${i + WINDOW - 1} repeats that of ${j}…${j + WINDOW - 1} (period ${i - j}?)`,
      { index: i, expected: 'no repeated 128-element pattern' },
    );
    return failedSample('union bound', 'a period < length − 128', s.n, {
      ok: false,
      falseFailure: bound,
      power: 1,
      text: caseText(c),
      failingCase: c,
    });
  }
  return statistical(
    'union bound',
    `any period < ${count(n)}`,
    s.n,
    [{ ok: true, falseFailure: bound, power: 1, text: '' }],
    `no 128-element drop pattern occurs twice in ${count(s.n)} elements at rate 0.5 (P ≤ ${bound.toExponential(1)} for a correct implementation)`,
  );
};
