// Property 'training-values' (exact): every training output the battery has seen (the grid's calls, then
// the statistical samples) is 0 or the kept value, x/keep or x by the convention, to 4 ulp.
import type { Check } from '../context.ts';
import { count, exactResult, failedCall, formatNumber } from '../check-helpers.ts';
import { firstNeitherZeroNorScaled } from '../scan.ts';

export const trainingValues: Check = async (b) => {
  let elements = 0;
  for (const { x, args, tag } of b.trainingCalls) {
    const r = await b.forward(x, tag, args);
    if (!r.ok) continue; // reported by the property that made the call (or "output shape")
    elements += x.length;
    const s = b.kept(args.rate),
      seen = b.seen(x);
    const i = firstNeitherZeroNorScaled(r.y, seen, s, b.close);
    if (i >= 0) {
      const v = b.precision === 'float32' ? 'fround(x)' : 'x';
      const want = b.inverted
        ? `0 or ${v}/keep = ${formatNumber(seen[i] * s)}`
        : `0 or ${v} = ${formatNumber(seen[i])}`;
      return exactResult(elements, failedCall('forward', x, args, formatNumber(r.y[i]), { index: i, expected: want }));
    }
  }
  const f32 = b.precision === 'float32',
    v = f32 ? 'fround(x)' : 'x';
  const rule = b.inverted ? `0 or ${v}/keep` : `0 or ${v}`;
  return exactResult(
    elements,
    `every training output is ${rule} (to ${f32 ? '4·2^-23 relative' : '4 ulp'}), ${count(b.trainingCalls.length)} calls, ${count(elements)} elements`,
  );
};
