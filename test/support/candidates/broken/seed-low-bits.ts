// Keeps only the low 16 bits of the seed (a 16-bit seed field): seeds 2^16 apart collide.
import type { DropoutCandidate } from '../../../../src/verify/audit/index.ts';
import { checkRate, uniforms } from '../rng.ts';

/** The properties that must fail. */
export const catches = ['independent-seeds'];

export default {
  name: 'seed truncated to 16 bits',
  convention: 'inverted',
  forward(x, rate, training, seed) {
    checkRate(rate);
    if (!training || rate === 0) return x.slice();
    const keep = 1 - rate,
      u = uniforms(seed & 0xffff, x.length); // BUG: high bits dropped
    return x.map((v, i) => (u[i] < keep ? v / keep : 0));
  },
} satisfies DropoutCandidate;
