// Skips dropout for rates below 0.02 ("too small to matter"): the output is x, unscaled. No anchor
// rate is that small, so only the drawn rate below 0.02 shows it, as a drop count of 0 and as kept
// values that are x instead of x/keep.
import type { DropoutCandidate } from '../../../../src/verify/audit/index.ts';
import { checkRate, uniforms } from '../rng.ts';

/** The properties that must fail. */
export const catches = ['drop-frequency', 'training-values'];

/** When its bug is smaller than the effect the audit's power is stated for. */
export const smallerAtSomeSeeds =
  'a skipped dropout at a drawn rate r is a drop-rate error of r, so drop-frequency fails where the rate drawn below 0.02 is at least about 0.002; training-values fails at every seed';

export default {
  name: 'dropout skipped below rate 0.02',
  convention: 'inverted',
  forward(x, rate, training, seed) {
    checkRate(rate);
    if (!training || rate < 0.02) return x.slice(); // BUG: a short cut below 0.02
    const keep = 1 - rate,
      u = uniforms(seed, x.length);
    return x.map((v, i) => (u[i] < keep ? v / keep : 0));
  },
} satisfies DropoutCandidate;
