// A correct inverted dropout that answers asynchronously, returns a plain array, has no vjp and
// throws at rate 1: all allowed by the interface.
import type { DropoutCandidate } from '../../../../src/verify/audit/index.ts';
import { uniforms } from '../rng.ts';

export default {
  name: 'async inverted dropout without vjp',
  convention: 'inverted',
  async forward(x, rate, training, seed) {
    await new Promise((r) => setImmediate(r));
    if (!(rate >= 0 && rate < 1)) throw new RangeError(`rate must be in [0, 1), got ${rate}`);
    if (!training) return x.slice();
    const keep = 1 - rate,
      u = uniforms(seed, x.length);
    return Array.from(x, (v, i) => (u[i] < keep ? v / keep : 0)) as unknown as Float64Array;
  },
} satisfies DropoutCandidate;
