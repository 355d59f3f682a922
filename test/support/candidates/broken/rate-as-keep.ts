// Uses rate as the keep probability (the classic p confusion).
import type { DropoutCandidate } from '../../../../src/verify/audit/index.ts';
import { checkRate, uniforms } from '../rng.ts';

/** The properties that must fail. */
export const catches = ['drop-frequency'];

export default {
  name: 'rate used as keep',
  convention: 'inverted',
  forward(x, rate, training, seed) {
    checkRate(rate);
    if (!training || rate === 0) return x.slice();
    const keep = 1 - rate,
      u = uniforms(seed, x.length);
    return x.map((v, i) => (u[i] < rate ? v / keep : 0)); // BUG: keeps with probability rate
  },
} satisfies DropoutCandidate;
