// Property 'independent-neighbours' (statistical): an element's drop does not depend on whether the
// element i − L was dropped, for each lag L (two-sample Hoeffding tests on disjoint pairs).
import { type Check, LAGS } from '../context.ts';
import { callFailure, count, failedCall, failedSample, statistical, twoSampleAssertion } from '../check-helpers.ts';
import { lagPairs, zeroBits } from '../scan.ts';

export const lags: Check = async (b) => {
  const s = b.sample(0.5),
    effect = `a difference of ${b.o.dependence} in drop probability`;
  const r = await s.answer;
  if (!r.ok)
    return failedSample(
      'Hoeffding (two-sample)',
      effect,
      0,
      callFailure('forward', s.x, s.args, r.reason, b.alphaEach * LAGS.length),
    );
  const d = zeroBits(r.y);
  const base = failedCall('forward', s.x, s.args, '');
  const parts = LAGS.map((L) =>
    twoSampleAssertion(b, `lag ${L}`, lagPairs(d, L), [`element i − ${L} dropped`, `element i − ${L} kept`], base),
  );
  return statistical(
    'Hoeffding (two-sample)',
    effect,
    s.n,
    parts,
    `no dependence between elements at lags ${LAGS.join(', ')} (rate 0.5, ${count(s.n)} elements, disjoint pairs)`,
  );
};
