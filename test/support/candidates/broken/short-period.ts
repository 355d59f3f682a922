// Reuses a table of 4,096 random numbers cyclically (a precomputed mask buffer): the mask repeats.
import type { DropoutCandidate } from '../../../../src/verify/audit/index.ts';
import { checkRate, uniforms } from '../rng.ts';

/** The properties that must fail. */
export const catches = ['no-short-period'];

export default {
  name: 'mask repeats every 4,096 elements',
  convention: 'inverted',
  forward(x, rate, training, seed) {
    checkRate(rate);
    if (!training || rate === 0) return x.slice();
    const keep = 1 - rate,
      u = uniforms(seed, 4096);
    return x.map((v, i) => (u[i % 4096] < keep ? v / keep : 0)); // BUG: period 4,096
  },
} satisfies DropoutCandidate;
