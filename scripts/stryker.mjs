#!/usr/bin/env node
// Starts StrykerJS on the Node this project supports (20). Stryker 10 declares Node >= 22 and refuses
// older versions before it starts; nothing it runs here needs 22 (the setup was validated on Node 20
// with the vitest runner), so the check alone is passed over. On Node >= 22 this is plain `stryker`.
import { mkdirSync, writeFileSync } from 'node:fs';

// what `npm run mutation:save` needs beside Stryker's JSON: when the run started and which test files
// it was narrowed to (DROPCHECK_MUTATION_TESTS), which the JSON does not record
if (process.argv[2] === 'run') {
  mkdirSync('reports/mutation', { recursive: true });
  const tests = process.env.DROPCHECK_MUTATION_TESTS?.split(',').filter(Boolean) ?? [];
  writeFileSync(
    'reports/mutation/run.json',
    JSON.stringify({ started: new Date().toISOString(), tests, argv: process.argv.slice(3) }) + '\n',
  );
}
const major = Number(process.versions.node.split('.')[0]);
const real = process.version;
if (major < 22) Object.defineProperty(process, 'version', { value: 'v22.0.0', configurable: true });
const { StrykerCli } = await import('@stryker-mutator/core');
if (major < 22) Object.defineProperty(process, 'version', { value: real, configurable: true });
process.title = 'stryker';
new StrykerCli(process.argv).run();
