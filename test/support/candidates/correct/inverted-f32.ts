// A correct inverted dropout computed in float32, as frameworks train: x rounded to float32, the
// multiplier fround(1/keep), each product rounded to float32; the answer is a Float32Array.
import type { DropoutCandidate } from '../../../../src/verify/audit/index.ts';
import { checkRate, uniforms } from '../rng.ts';

function apply(v: Float64Array, rate: number, training: boolean, seed: number): Float32Array {
  checkRate(rate);
  const y = Float32Array.from(v);
  if (!training || rate === 0) return y;
  const keep = Math.fround(1 - rate),
    scale = Math.fround(1 / keep),
    u = uniforms(seed, v.length);
  for (let i = 0; i < y.length; i++) y[i] = u[i] < keep ? y[i] * scale : 0;
  return y;
}

export default {
  name: 'reference inverted dropout, float32',
  convention: 'inverted',
  forward: (x, rate, training, seed) => apply(x, rate, training, seed),
  vjp: (_x, rate, training, seed, dy) => apply(dy, rate, training, seed),
} satisfies DropoutCandidate;
