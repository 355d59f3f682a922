#!/usr/bin/env node
// The dropcheck command. Installed from npm it runs the compiled code in dist/ with no TypeScript
// loader (one is registered only to load a candidate written in TypeScript); in the repository,
// where the sources sit beside it, it runs them through tsx.
import { existsSync } from 'node:fs';

const sources = new URL('../src/cli/dropcheck.ts', import.meta.url);
let main;
if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(sources.href));
} else {
  ({ main } = await import(new URL('../dist/src/cli/dropcheck.js', import.meta.url).href));
}
process.exitCode = await main(process.argv.slice(2));
