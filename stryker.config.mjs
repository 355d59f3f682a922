// Mutation testing: `npm run mutation` mutates src/ and runs the vitest suite against every mutant
// (tests chosen per mutant from per-test coverage), then `npm run mutation:report` turns the JSON
// report into reports/mutation.md. Slow: run one module with `npm run mutation -- --mutate <file>`.
// Randomness is fixed: fast-check and the project's keys use seed 20261127 unless DROPCHECK_SEED is
// set, and the deep mode is switched off, so a test kills a mutant or not the same way every run.
delete process.env.DROPCHECK_DEEP;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // vitest.config.ts, or only the test files in DROPCHECK_MUTATION_TESTS (see vitest.mutation.config.ts)
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  // the generated WebAssembly bytes are checked by rebuilding them from gemm.as (test/engine/wasm.test.ts), not
  // by mutating a base64 string; the re-export files (src/index.ts, src/engine/index.ts) give no mutants
  mutate: ['src/**/*.ts', '!src/engine/wasm/gemm.wasm.ts'],
  coverageAnalysis: 'perTest',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.cache/stryker-tmp',
  incrementalFile: '.cache/stryker-incremental.json',
  ignorePatterns: ['reports/mutation', 'coverage'],
  thresholds: { high: 95, low: 90, break: null },
  // a mutant times out after 1.5× its tests' time in the initial run plus this: wide enough for a loaded
  // machine (the audit's statistical properties take a second or two per audit), short enough that the
  // infinite loops some mutants make cost seconds, not minutes
  timeoutMS: 20_000,
  cleanTempDir: 'always',
  // vitest strips types without checking them, so the sandbox needs no `// @ts-nocheck` headers; adding
  // them would change the committed WebAssembly module (src/engine/wasm/gemm.wasm.ts), whose rebuild test
  // compares it byte for byte
  disableTypeChecks: false,
};
