// Every property runs on a fixed fast-check seed, so CI is deterministic; DROPCHECK_SEED=N reruns
// the whole suite with another seed, and a failure prints the seed and path that reproduce it.
import fc from 'fast-check';

const seed = process.env.DROPCHECK_SEED === undefined ? 20261127 : Number(process.env.DROPCHECK_SEED);
if (!Number.isSafeInteger(seed)) throw new Error(`DROPCHECK_SEED must be an integer, got ${process.env.DROPCHECK_SEED}`);
fc.configureGlobal({ seed, numRuns: 100 });
