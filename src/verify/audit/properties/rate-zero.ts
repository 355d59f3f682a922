// Property 'rate-zero' (exact): in training at rate 0 the output is x exactly (fround(x) in float32),
// at lengths up to 2^20.
import type { Check } from '../context.ts';
import { count, exactResult, failedCall, firstBad } from '../check-helpers.ts';

export const rateZero: Check = async (b) => {
  let elements = 0;
  for (const [j, length] of [1, 2, 17, 1000, 2 ** 20].entries()) {
    const x = b.input(length, 'stat', 5);
    const args = { rate: 0, training: true, seed: b.seed(200 + j) };
    const r = await b.forward(x, `stat:${length}:5`, args);
    if (!r.ok) return exactResult(elements, failedCall('forward', x, args, r.reason));
    elements += length;
    const bad = firstBad(r.y, b.seen(x), 'same');
    if (bad) return exactResult(elements, failedCall('forward', x, args, bad.got, bad));
  }
  return exactResult(
    elements,
    `training output at rate 0 = ${b.precision === 'float32' ? 'fround(x)' : 'x'} exactly (${count(elements)} elements; a mask drawn as u > rate would drop the u = 0 endpoint)`,
  );
};
