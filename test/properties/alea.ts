// The draws a key documents, computed from seedrandom's Alea directly, never through the engine: the
// independent reference the dropout and Gaussian-noise claims compare the engine's draws with.
// key(seed) for seed < 2^32 has hi = 0 and lo = seed, and a draw of purpose `tag` reads the stream
// "hi:lo:tag" (src/engine/random.ts).
import seedrandom from 'seedrandom';

/** The mask bernoulli(key(seed), keep, [n]): r_i = [u_i < keep] on the stream "0:seed:bernoulli". */
export function aleaMask(seed: number, keep: number, n: number): number[] {
  const r = seedrandom.alea(`0:${seed}:bernoulli`);
  return Array.from({ length: n }, () => (r.double() < keep ? 1 : 0));
}

/** n standard normal draws of key(seed)'s "normal" stream, by the Box–Muller transform the engine documents. */
export function aleaNormal(seed: number, n: number): number[] {
  const r = seedrandom.alea(`0:${seed}:normal`);
  const z: number[] = [];
  while (z.length < n) {
    const u1 = 1 - r.double(),
      u2 = r.double();
    const rad = Math.sqrt(-2 * Math.log(u1));
    z.push(rad * Math.cos(2 * Math.PI * u2), rad * Math.sin(2 * Math.PI * u2));
  }
  return z.slice(0, n);
}
