// The vitest config mutation testing runs: every test file in one project, each file with fresh
// modules (a mutant must not leak from one file into the next), or only the test files in
// DROPCHECK_MUTATION_TESTS (comma-separated globs), for modules that every audit calls
// (src/verify/stats.ts, binomial.ts): run against the whole suite, each of their mutants would wait on dozens of
// audits. A narrower suite can only kill fewer mutants, so the score it gives is a lower bound on the
// whole suite's. test/support/mutant-env.ts hands the active mutant on to the child processes tests start.
import base, { INCLUDE, shared } from './vitest.config.ts';

const only = process.env.DROPCHECK_MUTATION_TESTS?.split(',').filter(Boolean);

export default {
  ...base,
  test: {
    ...base.test,
    ...shared,
    setupFiles: [...shared.setupFiles, 'test/support/mutant-env.ts'],
    projects: undefined,
    include: only?.length ? only : INCLUDE,
  },
};
