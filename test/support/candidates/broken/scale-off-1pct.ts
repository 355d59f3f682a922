// Kept elements scaled by 1.01/keep: the training mean is 1% above the inference output.
import type { DropoutCandidate } from '../../../../src/verify/audit/index.ts';
import { checkRate, uniforms } from '../rng.ts';

/** The properties that must fail. */
export const catches = ['expectation'];

export default {
  name: 'scale off by 1%',
  convention: 'inverted',
  forward(x, rate, training, seed) {
    checkRate(rate);
    if (!training || rate === 0) return x.slice();
    const keep = 1 - rate,
      u = uniforms(seed, x.length);
    return x.map((v, i) => (u[i] < keep ? (1.01 * v) / keep : 0)); // BUG: 1% too large
  },
} satisfies DropoutCandidate;
