// The backward pass applies the mask but forgets the 1/keep rescale.
import type { DropoutCandidate } from '../../../../src/verify/audit/index.ts';
import { checkRate, uniforms } from '../rng.ts';

/** The properties that must fail. */
export const catches = ['vjp-mask', 'vjp-finite-differences'];

function mask(rate: number, seed: number, n: number): Float64Array {
  const keep = 1 - rate,
    u = uniforms(seed, n);
  return u.map((e) => (e < keep ? 1 : 0));
}

export default {
  name: 'vjp without 1/keep',
  convention: 'inverted',
  forward(x, rate, training, seed) {
    checkRate(rate);
    if (!training || rate === 0) return x.slice();
    const m = mask(rate, seed, x.length);
    return x.map((v, i) => (m[i] * v) / (1 - rate) || 0);
  },
  vjp(_x, rate, training, seed, dy) {
    checkRate(rate);
    if (!training || rate === 0) return dy.slice();
    const m = mask(rate, seed, dy.length);
    return dy.map((g, i) => m[i] * g); // BUG: missing / keep
  },
} satisfies DropoutCandidate;
