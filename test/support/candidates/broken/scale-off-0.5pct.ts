// Kept elements scaled by 1.005/keep: a training mean 0.5% above the inference output, exactly the
// scale error the audit's power is stated against, so its detection rate in reports/calibration.md
// is how often the audit catches that effect (at least the stated power, which each of its 7 or more
// expectation tests has alone).
import type { DropoutCandidate } from '../../../../src/verify/audit/index.ts';
import { checkRate, uniforms } from '../rng.ts';

/** The properties that must fail. */
export const catches = ['expectation'];

export default {
  name: 'scale off by 0.5%',
  convention: 'inverted',
  forward(x, rate, training, seed) {
    checkRate(rate);
    if (!training || rate === 0) return x.slice();
    const keep = 1 - rate,
      u = uniforms(seed, x.length);
    return x.map((v, i) => (u[i] < keep ? (1.005 * v) / keep : 0)); // BUG: 0.5% too large
  },
} satisfies DropoutCandidate;
