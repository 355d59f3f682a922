// Draws 16-bit uniforms and drops when u <= rate, so at rate 0 the endpoint u = 0 still drops.
import type { DropoutCandidate } from '../../../../src/verify/audit/index.ts';
import { checkRate, uniforms } from '../rng.ts';

/** The properties that must fail. */
export const catches = ['rate-zero'];

export default {
  name: 'drops u = 0 at rate 0',
  convention: 'inverted',
  forward(x, rate, training, seed) {
    checkRate(rate);
    if (!training) return x.slice();
    const keep = 1 - rate,
      u = uniforms(seed, x.length);
    return x.map((v, i) => (Math.floor(u[i] * 65536) / 65536 <= rate ? 0 : v / keep)); // BUG: <= with a coarse u
  },
} satisfies DropoutCandidate;
