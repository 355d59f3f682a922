// Clamps the rate into [0, 1] instead of refusing it: rate −0.1 silently becomes 0, 1.5 becomes 1.
import type { DropoutCandidate } from '../../../../src/verify/audit/index.ts';
import { uniforms } from '../rng.ts';

/** The properties that must fail. */
export const catches = ['invalid-rates'];

export default {
  name: 'clamps invalid rates',
  convention: 'inverted',
  forward(x, rate, training, seed) {
    const r = Math.min(1, Math.max(0, Number.isNaN(rate) ? 0 : rate)); // BUG: silent clamp
    if (!training || r === 0) return x.slice();
    if (r === 1) return new Float64Array(x.length);
    const keep = 1 - r,
      u = uniforms(seed, x.length);
    return x.map((v, i) => (u[i] < keep ? v / keep : 0));
  },
} satisfies DropoutCandidate;
