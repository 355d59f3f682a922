// Computes mask·x/keep even at rate 1, where keep = 0: 0·x/0 = NaN.
import type { DropoutCandidate } from '../../../../src/verify/audit/index.ts';
import { checkRate, uniforms } from '../rng.ts';

/** The properties that must fail. */
export const catches = ['rate-one'];

export default {
  name: 'NaN at rate 1',
  convention: 'inverted',
  forward(x, rate, training, seed) {
    checkRate(rate);
    if (!training || rate === 0) return x.slice();
    const keep = 1 - rate,
      u = uniforms(seed, x.length);
    return x.map((v, i) => ((u[i] < keep ? 1 : 0) * v) / keep); // BUG: 0/0 when keep = 0
  },
} satisfies DropoutCandidate;
