// Property 'independent-of-values' (statistical): drops do not depend on x's sign or magnitude
// (two-sample Hoeffding tests).
import type { Check } from '../context.ts';
import { callFailure, count, failedCall, failedSample, statistical, twoSampleAssertion } from '../check-helpers.ts';
import { groups, signAndSize, tally, zeroBits } from '../scan.ts';

export const valueIndependence: Check = async (b) => {
  const s = b.sample(0.5),
    effect = `a difference of ${b.o.dependence} in drop probability`;
  const r = await s.answer;
  if (!r.ok)
    return failedSample(
      'Hoeffding (two-sample)',
      effect,
      0,
      callFailure('forward', s.x, s.args, r.reason, b.alphaEach * 2),
    );
  const d = zeroBits(r.y);
  const base = failedCall('forward', s.x, s.args, '');
  const { positive, large } = signAndSize(s.x);
  const sign = tally(groups(), positive, d, 0, d.length, 0),
    magnitude = tally(groups(), large, d, 0, d.length, 0);
  const parts = [
    twoSampleAssertion(b, 'sign', sign, ['x > 0', 'x < 0'], base),
    twoSampleAssertion(b, 'magnitude', magnitude, ['|x| ≥ 1', '|x| < 1'], base),
  ];
  return statistical(
    'Hoeffding (two-sample)',
    effect,
    s.n,
    parts,
    `drops independent of x's sign and magnitude (rate 0.5, ${count(s.n)} elements)`,
  );
};
