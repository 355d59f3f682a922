// A float32 inverted dropout whose vjp masks dy but forgets the 1/keep its forward pass applies.
import type { DropoutCandidate } from '../../../../src/verify/audit/index.ts';
import { checkRate, uniforms } from '../rng.ts';

/** The properties that must fail. */
export const catches = ['vjp-mask', 'vjp-finite-differences'];

function apply(v: Float64Array, rate: number, training: boolean, seed: number, scaleKept: boolean): Float32Array {
  checkRate(rate);
  const y = Float32Array.from(v);
  if (!training || rate === 0) return y;
  const keep = Math.fround(1 - rate),
    scale = scaleKept ? Math.fround(1 / keep) : 1,
    u = uniforms(seed, v.length);
  for (let i = 0; i < y.length; i++) y[i] = u[i] < keep ? y[i] * scale : 0;
  return y;
}

export default {
  name: 'float32, vjp without 1/keep',
  convention: 'inverted',
  forward: (x, rate, training, seed) => apply(x, rate, training, seed, true),
  vjp: (_x, rate, training, seed, dy) => apply(dy, rate, training, seed, false), // BUG: no 1/keep
} satisfies DropoutCandidate;
