// The vitest config mutation testing runs. DROPCHECK_MUTATION_TESTS (comma-separated globs) narrows the
// test files, for modules that every audit calls (src/verify/stats.ts): run against the whole suite,
// each of their mutants would wait on dozens of audits. A narrower suite can only kill fewer mutants,
// so the score it gives is a lower bound on the whole suite's. Unset, this is vitest.config.ts.
import base from './vitest.config.ts';

const only = process.env.DROPCHECK_MUTATION_TESTS?.split(',').filter(Boolean);

// replaced, not merged: mergeConfig would append to the include list
export default only?.length ? { ...base, test: { ...base.test, include: only } } : base;
