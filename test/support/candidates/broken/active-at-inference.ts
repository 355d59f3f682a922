// Ignores the training flag: dropout stays active at inference.
import type { DropoutCandidate } from '../../../../src/verify/audit/index.ts';
import { checkRate, uniforms } from '../rng.ts';

/** The properties that must fail. */
export const catches = ['inference'];

export default {
  name: 'active at inference',
  convention: 'inverted',
  forward(x, rate, _training, seed) {
    checkRate(rate);
    if (rate === 0) return x.slice(); // BUG: no 'if (!training) return x'
    const keep = 1 - rate,
      u = uniforms(seed, x.length);
    return x.map((v, i) => (u[i] < keep ? v / keep : 0));
  },
} satisfies DropoutCandidate;
