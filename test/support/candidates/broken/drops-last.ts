// Processes elements in pairs and forgets an odd last element.
import type { DropoutCandidate } from '../../../../src/verify/audit/index.ts';
import { checkRate, uniforms } from '../rng.ts';

/** The properties that must fail. */
export const catches = ['output-shape'];

export default {
  name: 'drops the last odd element',
  convention: 'inverted',
  forward(x, rate, training, seed) {
    checkRate(rate);
    const n = x.length & ~1; // BUG: rounds the length down to even
    if (!training || rate === 0) return x.slice(0, n);
    const keep = 1 - rate,
      u = uniforms(seed, n);
    return x.slice(0, n).map((v, i) => (u[i] < keep ? v / keep : 0));
  },
} satisfies DropoutCandidate;
