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
    const s = b.kept(args.rate);
    const i = firstNeitherZeroNorScaled(r.y, x, s);
    if (i >= 0) {
      const want = b.inverted ? `0 or x/keep = ${formatNumber(x[i] * s)}` : `0 or x = ${formatNumber(x[i])}`;
      return exactResult(elements, failedCall('forward', x, args, formatNumber(r.y[i]), { index: i, expected: want }));
    }
  }
  const rule = b.inverted ? '0 or x/keep' : '0 or x';
  return exactResult(elements, `every training output is ${rule} (to 4 ulp), ${count(b.trainingCalls.length)} calls, ${count(elements)} elements`);
};
