// Paper convention, but inference multiplies by rate instead of keep.
import type { DropoutCandidate } from '../../../../src/verify/audit/index.ts';
import { checkRate, uniforms } from '../rng.ts';

/** The properties that must fail. */
export const catches = ['inference'];

export default {
  name: 'inference scales by rate',
  convention: 'scale-at-inference',
  forward(x, rate, training, seed) {
    checkRate(rate);
    if (!training) return x.map((v) => rate * v); // BUG: should be (1 - rate) * v
    const keep = 1 - rate,
      u = uniforms(seed, x.length);
    return x.map((v, i) => (u[i] < keep ? v : 0));
  },
} satisfies DropoutCandidate;
