#!/usr/bin/env node
// Registers tsx so that both dropcheck's TypeScript sources and a candidate written in TypeScript load.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/dropcheck.ts');
process.exitCode = await main(process.argv.slice(2));
