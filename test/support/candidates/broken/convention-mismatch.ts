// Declares the paper's convention but implements inverted dropout.
import type { DropoutCandidate } from '../../../../src/verify/audit/index.ts';
import { checkRate, uniforms } from '../rng.ts';

/** The properties that must fail. */
export const catches = ['inference'];

export default {
  name: 'declares scale-at-inference, does inverted',
  convention: 'scale-at-inference', // BUG: the code below is inverted dropout
  forward(x, rate, training, seed) {
    checkRate(rate);
    if (!training || rate === 0) return x.slice();
    const keep = 1 - rate,
      u = uniforms(seed, x.length);
    return x.map((v, i) => (u[i] < keep ? v / keep : 0));
  },
} satisfies DropoutCandidate;
