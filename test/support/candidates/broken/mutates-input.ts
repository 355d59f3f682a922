// Applies the mask in place and returns its input (an in-place kernel exposed as out-of-place).
import type { DropoutCandidate } from '../../../../src/verify/audit/index.ts';
import { checkRate, uniforms } from '../rng.ts';

/** The properties that must fail. */
export const catches = ['input-not-mutated'];

export default {
  name: 'mutates its input',
  convention: 'inverted',
  forward(x, rate, training, seed) {
    checkRate(rate);
    if (!training || rate === 0) return x.slice();
    const keep = 1 - rate,
      u = uniforms(seed, x.length);
    for (let i = 0; i < x.length; i++) x[i] = u[i] < keep ? x[i] / keep : 0; // BUG: writes into x
    return x;
  },
} satisfies DropoutCandidate;
