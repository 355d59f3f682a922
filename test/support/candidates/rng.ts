// The uniform numbers the test candidates draw their masks from: seedrandom's Alea, one stream per
// seed, so a candidate's mask is a function of (seed, length) only.
import seedrandom from 'seedrandom';

export function uniforms(seed: number, n: number): Float64Array {
  const r = seedrandom.alea(`candidate:${seed}`);
  const u = new Float64Array(n);
  for (let i = 0; i < n; i++) u[i] = r();
  return u;
}

export function checkRate(rate: number): void {
  if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1))
    throw new RangeError(`dropout: rate must be in [0, 1], got ${rate}`);
}
