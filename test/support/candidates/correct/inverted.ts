// A correct inverted dropout: keep each element with probability keep = 1 − rate, scale kept ones by 1/keep.
import type { DropoutCandidate } from '../../../../src/verify/audit/index.ts';
import { checkRate, uniforms } from '../rng.ts';

function apply(v: Float64Array, rate: number, training: boolean, seed: number): Float64Array {
  checkRate(rate);
  if (!training || rate === 0) return v.slice();
  const keep = 1 - rate,
    u = uniforms(seed, v.length),
    y = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) y[i] = u[i] < keep ? v[i] / keep : 0;
  return y;
}

export default {
  name: 'reference inverted dropout',
  convention: 'inverted',
  forward: (x, rate, training, seed) => apply(x, rate, training, seed),
  vjp: (_x, rate, training, seed, dy) => apply(dy, rate, training, seed),
} satisfies DropoutCandidate;
