// The command line: exit 0 / 1 / 2, the markdown table, --json, --report, and the installed bin.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { USAGE } from '../../src/cli/dropcheck.ts';
import { runCli as run } from '../support/cli.ts';
import { QUICK_FLAGS } from '../support/audit-options.ts';

const here = (p: string) => new URL(p, import.meta.url).pathname;

const tmp = mkdtempSync(join(tmpdir(), 'dropcheck-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('dropcheck audit', () => {
  it('exit 0 and the table for a correct candidate; --report writes the same markdown', async () => {
    const report = join(tmp, 'audit.md');
    const r = await run(
      'audit',
      here('../support/candidates/correct/scale-at-inference.ts'),
      '--seed',
      '7',
      '--timeout',
      '5000',
      '--report',
      report,
      ...QUICK_FLAGS,
    );
    expect(r.code).toBe(0);
    expect(r.out).toContain('**PASS**: all 17 properties that apply hold.');
    expect(r.out).toContain('| property | verdict | evidence | test | false-failure bound | power |');
    // effect sizes other than the defaults are part of the rerun
    expect(r.out).toMatch(
      /Rerun: `npx dropcheck audit .*scale-at-inference\.ts --seed 7 --alpha 0\.000001 --rate-error 0\.03 --scale-error 0\.03 --dependence 0\.05`/,
    );
    expect(readFileSync(report, 'utf8')).toBe(r.out);
  });

  it('exit 1 and the failing property for a broken candidate; --json prints the result', async () => {
    const r = await run(
      'audit',
      here('../support/candidates/broken/seed-reused.ts'),
      '--json',
      '--alpha',
      '1e-7',
      ...QUICK_FLAGS,
    );
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out);
    expect(json.ok).toBe(false);
    expect(json.options.alpha).toBe(1e-7);
    expect(json.properties.find((p: { id: string }) => p.id === 'independent-seeds').verdict).toBe('fail');
  });

  it.each([
    [['audit', 'no/such/module.ts'], /cannot load no\/such\/module\.ts/],
    [
      ['audit', here('../support/candidates/malformed/no-default.ts')],
      /no-default\.ts: the module has no default export; expected `export default \{ name, convention, forward, vjp\? \}`/,
    ],
    [
      ['audit', here('../support/candidates/malformed/bad-convention.ts')],
      /bad-convention\.ts: expected convention to be 'inverted' or 'scale-at-inference', got "standard"/,
    ],
    [
      ['audit', here('../support/candidates/malformed/throws-on-load.ts')],
      /cannot load .*this module cannot be loaded/,
    ],
    [
      ['audit', here('../support/candidates/malformed/throws-string.ts')],
      /cannot load .*throws-string\.ts: not an Error/,
    ],
    [['audit', 'a.ts', '--timeout', ''], /--timeout expects a number, got ""/],
    [[], /missing command\nusage: dropcheck audit <module>/],
    [['check', 'x.ts'], /unknown command "check"/],
    [['audit'], /missing <module>/],
    [['audit', 'a.ts', 'b.ts'], /one module at a time, got "a\.ts" and "b\.ts"/],
    [['audit', 'a.ts', '--alpha'], /--alpha needs a value/],
    [['audit', 'a.ts', '--seed', 'x'], /--seed expects a number, got "x"/],
    [['audit', 'a.ts', '--fast'], /unknown option "--fast"/],
    [['audit', 'a.ts', '--report'], /--report needs a file name/],
    [
      ['audit', here('../support/candidates/correct/inverted.ts'), '--alpha', '2'],
      /expected option alpha to be a probability in \(0, 1\), got 2/,
    ],
  ])('exit 2: %o', async (args, message) => {
    const r = await run(...(args as string[]));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });

  it('a module in .mts or .cts is TypeScript too: loaded through tsx, then judged', async () => {
    for (const ext of ['mts', 'cts']) {
      const path = join(tmp, `three.${ext}`);
      writeFileSync(
        path,
        ext === 'mts'
          ? 'const three: number = 3;\nexport default three;\n'
          : 'const three: number = 3;\nexport = three;\n',
      );
      const r = await run('audit', path);
      expect(r.code).toBe(2);
      expect(r.err).toBe(`dropcheck: ${path}: expected an object { name, convention, forward, vjp? }, got 3\n`);
    }
  });

  it.each([[['--help']], [['-h']], [['audit', '--help']], [['audit', 'x.ts', '-h']]])(
    '%o prints the full usage on stdout and exits 0',
    async (args) => {
      const r = await run(...(args as string[]));
      expect(r.code).toBe(0);
      expect(r.out).toBe(`${USAGE}\n`);
      expect(r.err).toBe('');
    },
  );

  it('a bad command line gives one line saying what is wrong and the usage line, nothing more', async () => {
    const r = await run('audit');
    expect(r.err).toBe(
      "dropcheck: missing <module> or --exec '<command>'\nusage: dropcheck audit <module> | --exec '<command>' [--alpha 1e-6] [--seed N] [--timeout ms] [--rate-error E] [--json] [--report out.md]  (dropcheck --help for details)\n",
    );
  });

  it('--power reaches the audit, which names it when out of range', async () => {
    const r = await run('audit', here('../support/candidates/correct/inverted.ts'), '--power', '2');
    expect([r.code, r.out, r.err]).toEqual([
      2,
      '',
      'dropcheck: auditDropout: expected option power to be a probability in (0, 1), got 2\n',
    ]);
  });

  it('the installed bin runs a TypeScript candidate and sets the exit status', () => {
    const bin = here('../../bin/dropcheck.mjs');
    const out = execFileSync(
      process.execPath,
      [bin, 'audit', here('../support/candidates/correct/async-no-vjp.ts'), '--seed', '3', ...QUICK_FLAGS],
      { encoding: 'utf8' },
    );
    expect(out).toContain('**PASS**');
    let status = 0,
      stderr: string | Buffer = '';
    try {
      execFileSync(process.execPath, [bin, 'audit', here('../support/candidates/malformed/no-default.ts')], {
        stdio: 'pipe',
      });
    } catch (e) {
      ({ status, stderr } = e as { status: number; stderr: Buffer | string });
    }
    expect(status).toBe(2);
    expect(String(stderr)).toMatch(/no-default\.ts/);
  });
});
