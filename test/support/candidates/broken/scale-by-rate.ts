// Scales kept elements by 1/rate instead of 1/keep: invisible at rate 0.5, wrong everywhere else.
import type { DropoutCandidate } from '../../../../src/verify/audit/index.ts';
import { checkRate, uniforms } from '../rng.ts';

/** The properties that must fail. */
export const catches = ['training-values', 'expectation'];

export default {
  name: 'scales by 1/rate',
  convention: 'inverted',
  forward(x, rate, training, seed) {
    checkRate(rate);
    if (!training || rate === 0) return x.slice();
    const u = uniforms(seed, x.length);
    return x.map((v, i) => (u[i] < 1 - rate ? v / rate : 0)); // BUG: should be v / (1 - rate)
  },
} satisfies DropoutCandidate;
