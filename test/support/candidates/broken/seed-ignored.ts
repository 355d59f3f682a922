// Ignores the seed and draws from one generator shared by all calls (global state).
import type { DropoutCandidate } from '../../../../src/verify/audit/index.ts';
import { checkRate, uniforms } from '../rng.ts';

/** The properties that must fail. */
export const catches = ['reproducible'];

const stream = uniforms(1, 1 << 24);
let next = 0;

export default {
  name: 'seed ignored (global generator)',
  convention: 'inverted',
  forward(x, rate, training, _seed) {
    checkRate(rate);
    if (!training || rate === 0) return x.slice();
    const keep = 1 - rate;
    return x.map((v) => (stream[next++ % stream.length] < keep ? v / keep : 0)); // BUG: the seed is never used
  },
} satisfies DropoutCandidate;
