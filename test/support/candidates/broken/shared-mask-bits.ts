// Four neighbouring elements share one random number (a vectorised kernel drawing one number per group of 4).
import type { DropoutCandidate } from '../../../../src/verify/audit/index.ts';
import { checkRate, uniforms } from '../rng.ts';

/** The properties that must fail. */
export const catches = ['independent-neighbours'];

export default {
  name: 'neighbours share mask bits',
  convention: 'inverted',
  forward(x, rate, training, seed) {
    checkRate(rate);
    if (!training || rate === 0) return x.slice();
    const keep = 1 - rate,
      u = uniforms(seed, Math.ceil(x.length / 4));
    return x.map((v, i) => (u[i >> 2] < keep ? v / keep : 0)); // BUG: one draw per 4 elements
  },
} satisfies DropoutCandidate;
