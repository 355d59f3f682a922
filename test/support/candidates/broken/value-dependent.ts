// The keep decision depends on the sign of x: the threshold moves by ±0.01, a difference of 0.02 in
// drop probability, the effect the audit's power is stated for.
import type { DropoutCandidate } from '../../../../src/verify/audit/index.ts';
import { checkRate, uniforms } from '../rng.ts';

/** The properties that must fail. */
export const catches = ['independent-of-values'];

export default {
  name: 'drops depend on the sign of x',
  convention: 'inverted',
  forward(x, rate, training, seed) {
    checkRate(rate);
    if (!training || rate === 0) return x.slice();
    const keep = 1 - rate,
      u = uniforms(seed, x.length);
    return x.map((v, i) => (u[i] < keep + (v > 0 ? 0.01 : -0.01) ? v / keep : 0)); // BUG: threshold moves with sign(x)
  },
} satisfies DropoutCandidate;
