// Property 'independent-seeds' (statistical): the mask of seed s is independent of the masks of
// s + 1, s + 2^16 and s xor 2^30 (two-sample Hoeffding tests).
import { type Check, SEED_PAIRS } from '../context.ts';
import { type Assertion, callFailure, count, failedCall, statistical, twoSampleAssertion } from '../check-helpers.ts';
import { groups, tally, zeroBits } from '../scan.ts';

export const seedIndependence: Check = async (b) => {
  const s = b.sample(0.5),
    effect = `a difference of ${b.o.dependence} in drop probability`;
  const r = await s.answer;
  const parts: Assertion[] = [];
  for (const [label, other] of SEED_PAIRS) {
    const t = b.sample(0.5, other(s.args.seed));
    const q = await t.answer;
    if (!r.ok || !q.ok) {
      parts.push(
        callFailure(
          'forward',
          s.x,
          r.ok ? t.args : s.args,
          r.ok ? (q as { reason: string }).reason : r.reason,
          b.alphaEach,
        ),
      );
      continue;
    }
    const d = zeroBits(r.y),
      e = zeroBits(q.y);
    const base = failedCall('forward', t.x, t.args, '');
    const g = tally(groups(), d, e, 0, d.length, 0);
    parts.push(
      twoSampleAssertion(
        b,
        `seeds ${s.args.seed} and ${t.args.seed} (${label})`,
        g,
        [`dropped under seed ${s.args.seed}`, `kept under seed ${s.args.seed}`],
        base,
      ),
    );
  }
  return statistical(
    'Hoeffding (two-sample)',
    effect,
    s.n * (1 + SEED_PAIRS.length),
    parts,
    `masks of seed s independent of seeds s + 1, s + 2^16, s xor 2^30 (rate 0.5, ${count(s.n)} elements each)`,
  );
};
