import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

/** What every test file runs under; vitest.mutation.config.ts uses it too. */
export const shared = { setupFiles: ['test/support/setup.ts'], testTimeout: 60_000 };
const UNIT = 'test/**/*.test.ts';
const PROPERTIES = 'test/properties/**/*.test.ts';
export const INCLUDE = [UNIT, PROPERTIES];

export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    // vitest's default is one worker fewer than the cores: one worker on a two-core machine, and the
    // suite ran file after file with a core idle
    maxWorkers: Math.max(2, availableParallelism()),
    projects: [
      // the engine, battery and tool tests keep no state between files (kernels are restored after
      // each test that switches them), so a worker loads the modules once for all its files instead of
      // once per file: that import was three quarters of the suite's time
      {
        test: {
          ...shared,
          name: 'unit',
          include: [UNIT],
          exclude: [...configDefaults.exclude, PROPERTIES],
          isolate: false,
        },
      },
      // each property file records its claims in module state (src/testing/record.ts): a fresh module per file
      { test: { ...shared, name: 'properties', include: [PROPERTIES] } },
    ],
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'text'],
      thresholds: { statements: 98, branches: 95, functions: 97, lines: 99 },
    },
  },
});
