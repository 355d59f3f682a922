// Every property runs on a fixed fast-check seed, so CI is deterministic; DROPCHECK_SEED=N reruns
// the whole suite with another seed, and a failure prints the seed and path that reproduce it.
// DROPCHECK_DEEP=1 (npm run test:deep) runs ten times the cases on a fresh seed that
// test/support/global-setup.ts draws once and prints.
import fc from 'fast-check';

const given = process.env.DROPCHECK_SEED;
const seed = given !== undefined ? Number(given) : 20261127;
if (!Number.isSafeInteger(seed)) throw new Error(`DROPCHECK_SEED must be an integer, got ${given}`);
fc.configureGlobal({ seed, numRuns: process.env.DROPCHECK_DEEP === '1' ? 1000 : 100 });
