// The backward pass draws a fresh mask instead of reusing the forward one.
import type { DropoutCandidate } from '../../../../src/verify/audit/index.ts';
import { checkRate, uniforms } from '../rng.ts';

/** The properties that must fail. */
export const catches = ['vjp-mask'];

function apply(v: Float64Array, rate: number, training: boolean, seed: number): Float64Array {
  checkRate(rate);
  if (!training || rate === 0) return v.slice();
  const keep = 1 - rate,
    u = uniforms(seed, v.length);
  return v.map((e, i) => (u[i] < keep ? e / keep : 0));
}

export default {
  name: 'backward mask differs',
  convention: 'inverted',
  forward: (x, rate, training, seed) => apply(x, rate, training, seed),
  vjp: (_x, rate, training, seed, dy) => apply(dy, rate, training, seed + 1), // BUG: another mask
} satisfies DropoutCandidate;
