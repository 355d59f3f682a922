// Drops with probability rate + 0.002: a threshold off by exactly the drop-rate error the audit's
// power is stated against (a low-precision rate in a fused kernel errs by about this much), so its
// detection rate in reports/calibration.md is how often the audit catches that effect (at least the
// stated power, which each of the 9 drop-frequency tests has alone).
import type { DropoutCandidate } from '../../../../src/verify/audit/index.ts';
import { checkRate, uniforms } from '../rng.ts';

/** The properties that must fail. */
export const catches = ['drop-frequency'];

export default {
  name: 'drop rate off by 0.002',
  convention: 'inverted',
  forward(x, rate, training, seed) {
    checkRate(rate);
    if (!training || rate === 0) return x.slice();
    const keep = 1 - rate,
      u = uniforms(seed, x.length);
    return x.map((v, i) => (u[i] < keep - 0.002 ? v / keep : 0)); // BUG: threshold 0.002 too low
  },
} satisfies DropoutCandidate;
