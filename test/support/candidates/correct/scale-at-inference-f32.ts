// A correct dropout in the paper's convention computed in float32: the mask alone in training, and
// fround(keep)·fround(x) rounded to float32 at inference; the answer is a Float32Array.
import type { DropoutCandidate } from '../../../../src/verify/audit/index.ts';
import { checkRate, uniforms } from '../rng.ts';

function apply(v: Float64Array, rate: number, training: boolean, seed: number): Float32Array {
  checkRate(rate);
  const y = Float32Array.from(v),
    keep = Math.fround(1 - rate);
  if (!training) {
    for (let i = 0; i < y.length; i++) y[i] = y[i] * keep;
    return y;
  }
  if (rate === 0) return y;
  const u = uniforms(seed, v.length);
  for (let i = 0; i < y.length; i++) if (!(u[i] < keep)) y[i] = 0;
  return y;
}

export default {
  name: 'reference scale-at-inference dropout, float32',
  convention: 'scale-at-inference',
  precision: 'float32',
  forward: (x, rate, training, seed) => apply(x, rate, training, seed),
  vjp: (_x, rate, training, seed, dy) => apply(dy, rate, training, seed),
} satisfies DropoutCandidate;
