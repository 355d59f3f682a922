// Drops with probability rate + 0.01: an off-by-a-little threshold (e.g. a float32 or fixed-point rate).
import type { DropoutCandidate } from '../../../../src/verify/audit/index.ts';
import { checkRate, uniforms } from '../rng.ts';

/** The properties that must fail. */
export const catches = ['drop-frequency'];

export default {
  name: 'drop rate off by 0.01',
  convention: 'inverted',
  forward(x, rate, training, seed) {
    checkRate(rate);
    if (!training || rate === 0) return x.slice();
    const keep = 1 - rate,
      u = uniforms(seed, x.length);
    return x.map((v, i) => (u[i] < keep - 0.01 ? v / keep : 0)); // BUG: threshold 0.01 too low
  },
} satisfies DropoutCandidate;
