// A float32 inverted dropout whose multiplier comes from keep rounded to bfloat16 (8 significant
// bits), as a low-precision fused kernel might compute it: kept values are off by up to 2^-9.
import type { DropoutCandidate } from '../../../../src/verify/audit/index.ts';
import { checkRate, uniforms } from '../rng.ts';

/** The properties that must fail. */
export const catches = ['training-values', 'vjp-mask'];

const bfloat16 = (v: number) => {
  const f = new Float32Array([v]),
    bits = new Uint32Array(f.buffer);
  bits[0] = (bits[0]! + 0x8000) & 0xffff0000; // round to nearest, keep the top 16 bits
  return f[0]!;
};

function apply(v: Float64Array, rate: number, training: boolean, seed: number): Float32Array {
  checkRate(rate);
  const y = Float32Array.from(v);
  if (!training || rate === 0) return y;
  const keep = Math.fround(1 - rate),
    scale = Math.fround(1 / bfloat16(keep)),
    u = uniforms(seed, v.length); // BUG: keep in bfloat16
  for (let i = 0; i < y.length; i++) y[i] = u[i] < keep ? y[i] * scale : 0;
  return y;
}

export default {
  name: 'float32, keep rounded to bfloat16',
  convention: 'inverted',
  forward: (x, rate, training, seed) => apply(x, rate, training, seed),
  vjp: (_x, rate, training, seed, dy) => apply(dy, rate, training, seed),
} satisfies DropoutCandidate;
