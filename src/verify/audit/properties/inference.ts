// Property 'inference' (exact): at inference the output is x exactly (inverted convention) or keep·x to
// 4 ulp (scaling at inference), at rates 0…0.9 and the drawn rates, lengths 1…100,000; in float32, fround(x) exactly or
// keep·fround(x) to 4·2^-23 relative.
import type { Check } from '../context.ts';
import { count, exactResult, failedCall, firstBad } from '../check-helpers.ts';

export const inference: Check = async (b) => {
  let elements = 0;
  for (const length of [1, 3, 17, 1000, 100_000]) {
    for (const [j, rate] of [0, 0.1, 0.3, 0.5, 0.7, 0.9, ...b.drawn].entries()) {
      const x = b.input(length, 'grid', 7);
      const args = { rate, training: false, seed: b.seed(100 + j) };
      const r = await b.forward(x, `grid:${length}:7`, args);
      if (!r.ok) return exactResult(elements, failedCall('forward', x, args, r.reason));
      elements += length;
      const bad = firstBad(r.y, b.inference(b.seen(x), rate), b.inverted ? 'same' : b.close);
      if (bad) return exactResult(elements, failedCall('forward', x, args, bad.got, bad));
    }
  }
  const f32 = b.precision === 'float32';
  const rule = b.inverted
    ? f32
      ? 'fround(x) exactly'
      : 'x exactly'
    : f32
      ? 'keep·fround(x) (to 4·2^-23 relative)'
      : 'keep·x (to 4 ulp)';
  return exactResult(
    elements,
    `inference output = ${rule} at rates 0…0.9 and ${b.drawnText}, lengths 1…100,000 (${count(elements)} elements)`,
  );
};
