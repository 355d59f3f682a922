// Rescales a block of 8 by its largest magnitude when that is huge (to avoid overflow): one NaN or
// ±Infinity makes the whole block "huge" and poisons it.
import type { DropoutCandidate } from '../../../../src/verify/audit/index.ts';
import { checkRate, uniforms } from '../rng.ts';

/** The properties that must fail. */
export const catches = ['non-finite-inputs'];

export default {
  name: 'block rescaling spreads NaN',
  convention: 'inverted',
  forward(x, rate, training, seed) {
    checkRate(rate);
    const keep = 1 - rate,
      u = uniforms(seed, x.length),
      y = new Float64Array(x.length);
    for (let b = 0; b < x.length; b += 8) {
      let m = 0;
      for (let i = b; i < Math.min(b + 8, x.length); i++) m = Math.max(m, Math.abs(x[i]));
      const rescale = !(m <= 1e150); // BUG: NaN and Infinity count as huge, and x/m·m is then NaN for the whole block
      for (let i = b; i < Math.min(b + 8, x.length); i++) {
        const v = rescale ? (x[i] / m) * m : x[i];
        if (!training || rate === 0) y[i] = v;
        else y[i] = u[i] < keep ? v / keep : 0;
      }
    }
    return y;
  },
} satisfies DropoutCandidate;
