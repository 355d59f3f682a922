// Reseeds with the same constant on every call: every seed gives the same mask.
import type { DropoutCandidate } from '../../../../src/verify/audit/index.ts';
import { checkRate, uniforms } from '../rng.ts';

/** The properties that must fail. */
export const catches = ['independent-seeds'];

export default {
  name: 'same seed on every call',
  convention: 'inverted',
  forward(x, rate, training, _seed) {
    checkRate(rate);
    if (!training || rate === 0) return x.slice();
    const keep = 1 - rate,
      u = uniforms(42, x.length); // BUG: seed 42 whatever the caller asks
    return x.map((v, i) => (u[i] < keep ? v / keep : 0));
  },
} satisfies DropoutCandidate;
