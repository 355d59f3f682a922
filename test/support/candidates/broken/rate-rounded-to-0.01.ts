// Draws its mask with the rate rounded to two decimals (a threshold kept in a coarse fixed-point or
// text form), while kept values are still divided by the true keep. Every anchor rate (0.1, 0.25, 0.3,
// 0.5, …) is exact in two decimals, so only the rates drawn from the audit seed can show it: at the
// default seed 0.3431 → 0.34, 0.01543 → 0.02, 0.9861 → 0.99, drop-rate errors of 0.003 to 0.005 (and,
// since kept values are divided by the true keep, a mean off by as much where the expectation runs).
import type { DropoutCandidate } from '../../../../src/verify/audit/index.ts';
import { checkRate, uniforms } from '../rng.ts';

/** The properties that must fail. */
export const catches = ['drop-frequency', 'expectation'];

/** When its bug is smaller than the effect the audit's power is stated for. */
export const smallerAtSomeSeeds =
  'the rounding error at a drawn rate r is its distance d to the nearest multiple of 0.01: drop-frequency meets a drop-rate error d, below 0.002 at every rate when all drawn rates lie that close to one, and expectation, which runs at the drawn rates up to 0.7 only, a scale error d/keep, below 0.005 at most of them (0.0046 and 0.0047 at the default seed), so it is caught there with less than its stated power';

export default {
  name: 'threshold rate rounded to 0.01',
  convention: 'inverted',
  forward(x, rate, training, seed) {
    checkRate(rate);
    if (!training || rate === 0) return x.slice();
    const keep = 1 - rate,
      threshold = 1 - Math.round(rate * 100) / 100, // BUG: the mask's rate is rounded
      u = uniforms(seed, x.length);
    return x.map((v, i) => (u[i] < threshold ? v / keep : 0));
  },
} satisfies DropoutCandidate;
