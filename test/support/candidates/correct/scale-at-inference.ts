// A correct dropout in the paper's convention: mask·x in training, keep·x at inference.
import type { DropoutCandidate } from '../../../../src/verify/audit/index.ts';
import { checkRate, uniforms } from '../rng.ts';

function apply(v: Float64Array, rate: number, training: boolean, seed: number): Float64Array {
  checkRate(rate);
  const keep = 1 - rate;
  if (!training) return v.map((e) => keep * e);
  const u = uniforms(seed, v.length),
    y = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) y[i] = u[i] < keep ? v[i] : 0;
  return y;
}

export default {
  name: 'reference scale-at-inference dropout',
  convention: 'scale-at-inference',
  forward: (x, rate, training, seed) => apply(x, rate, training, seed),
  vjp: (_x, rate, training, seed, dy) => apply(dy, rate, training, seed),
} satisfies DropoutCandidate;
