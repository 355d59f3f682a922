// The calibration's command line (test/properties/calibrate.ts): --help, one clear line and exit 2 for
// a bad option, and a runs file of many CPU-hours never emptied unless --fresh says so.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TSX = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));
const SCRIPT = fileURLToPath(new URL('../properties/calibrate.ts', import.meta.url));
/** Runs the calibration in `cwd` (it writes reports/ there). */
const calibrate = (cwd: string, ...args: string[]) =>
  spawnSync(process.execPath, [TSX, SCRIPT, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });

describe('npm run calibrate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'calibrate-'));
  const runs = join(dir, 'reports', 'calibration-runs.jsonl');
  const line = '{"job":{"kind":"stochastic","check":0,"seed":1000000},"ok":true,"ratio":0.1,"seconds":0.01}\n';
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--help and -h print the usage and exit 0', () => {
    for (const flag of ['--help', '-h']) {
      const r = calibrate(dir, flag);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^usage: npm run calibrate -- .*--resume \| --fresh/);
      expect(r.stdout).toContain('--broken-seeds N');
    }
  });

  it('refuses a bad command line with one line and the usage, exit 2, no stack trace', () => {
    for (const [args, message] of [
      [['--bogus'], 'unknown option "--bogus"'],
      [['--seeds'], '--seeds expects a non-negative integer, got nothing'],
      [['--seeds', 'x'], '--seeds expects a non-negative integer, got "x"'],
      [['--broken-seeds', '-1'], '--broken-seeds expects a non-negative integer, got "-1"'],
      [['--workers', '0'], '--workers expects at least 1, got 0'],
      [['--resume', '--fresh'], '--resume and --fresh exclude each other'],
    ] as const) {
      const r = calibrate(dir, ...args);
      expect(r.status, args.join(' ')).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toBe(`calibrate: ${message}`);
      expect(lines[1]).toMatch(/^usage: npm run calibrate -- /);
    }
  });

  it('leaves a runs file that holds runs alone unless --resume or --fresh is given', () => {
    mkdirSync(join(dir, 'reports'), { recursive: true });
    writeFileSync(runs, line);
    const r = calibrate(dir, '--seeds', '1', '--audit-seeds', '0', '--broken-seeds', '0');
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(
      'calibrate: reports/calibration-runs.jsonl holds 1 runs: pass --resume to continue them or --fresh to start over',
    );
    expect(readFileSync(runs, 'utf8')).toBe(line);
  });
});
