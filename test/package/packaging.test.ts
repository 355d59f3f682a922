// The package as a user gets it: `npm pack`, its files installed into an empty project (deps linked
// from this checkout's node_modules: `npm install --offline` needs registry metadata that `npm ci`
// does not cache, so the tarball is unpacked as npm would and its dependencies symlinked), then
// imported from plain Node, type-checked from a TypeScript consumer, and run as the `dropcheck` CLI.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { QUICK_FLAGS } from '../support/audit-options.ts';

const root = resolve(import.meta.dirname, '../..');
let app = '';
let pkg = '';

/** Bytes of every file under a folder. */
function size(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce(
    (s, e) => s + (e.isDirectory() ? size(join(dir, e.name)) : statSync(join(dir, e.name)).size),
    0,
  );
}

// a correct inverted dropout in plain JavaScript, its masks from a tiny seeded generator (mulberry32)
const CANDIDATE = `
function uniforms(seed, n) {
  let a = seed >>> 0;
  const u = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    u[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  return u;
}
function apply(v, rate, training, seed, SCALE) {
  if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) throw new RangeError('rate must be in [0, 1], got ' + rate);
  if (!training || rate === 0) return v.slice();
  const keep = 1 - rate, u = uniforms(seed, v.length), y = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) y[i] = u[i] < keep ? v[i] / (keep * SCALE) : 0;
  return y;
}`;
const candidate = (
  scale: number,
  types = false,
) => `${CANDIDATE.replace(/\(v, rate, training, seed, SCALE\)/, types ? '(v: Float64Array, rate: number, training: boolean, seed: number, SCALE: number)' : '$&').replace('function uniforms(seed, n)', types ? 'function uniforms(seed: number, n: number)' : '$&')}
${types ? "import type { DropoutCandidate } from 'dropcheck/audit';\n" : ''}export default {
  name: 'inverted dropout${scale === 1 ? '' : ' with a wrong scale'}',
  convention: 'inverted',
  forward: (x${types ? ': Float64Array, rate: number, training: boolean, seed: number' : ', rate, training, seed'}) => apply(x, rate, training, seed, ${scale}),
  vjp: (_x${types ? ': Float64Array, rate: number, training: boolean, seed: number, dy: Float64Array' : ', rate, training, seed, dy'}) => apply(dy, rate, training, seed, ${scale}),
}${types ? ' satisfies DropoutCandidate' : ''};
`;

const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, args, { cwd: app, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', ...env } });

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'dropcheck-pack-'));
  // npm pack runs prepack, which compiles src/ into dist/
  const out = execFileSync('npm', ['pack', '--pack-destination', dir, '--silent'], { cwd: root, encoding: 'utf8' })
    .trim()
    .split('\n')
    .at(-1)!;
  app = join(dir, 'app');
  mkdirSync(join(app, 'node_modules', '.bin'), { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  execFileSync('tar', ['-xzf', join(dir, out), '-C', join(app, 'node_modules')]);
  pkg = join(app, 'node_modules', 'dropcheck');
  renameSync(join(app, 'node_modules', 'package'), pkg);
  const manifest = JSON.parse(
    execFileSync(process.execPath, ['-p', 'JSON.stringify(require("./package.json"))'], { cwd: pkg, encoding: 'utf8' }),
  );
  for (const dep of Object.keys(manifest.dependencies))
    symlinkSync(join(root, 'node_modules', dep), join(app, 'node_modules', dep));
  symlinkSync(join(pkg, 'bin', 'dropcheck.mjs'), join(app, 'node_modules', '.bin', 'dropcheck'));
  writeFileSync(join(app, 'good.mjs'), candidate(1));
  writeFileSync(join(app, 'bad.mjs'), candidate(1.01));
  writeFileSync(join(app, 'good.ts'), candidate(1, true));
}, 120_000);

describe('the packed package', () => {
  it('holds only what a user needs, within 1.5 MB installed', () => {
    expect(readdirSync(pkg).sort()).toEqual([
      'LICENSE',
      'README.md',
      'adapters',
      'bin',
      'dist',
      'docs',
      'package.json',
    ]);
    // the Python side of --exec: the protocol helper, the pure-Python dropout and the PyTorch adapter
    expect(readdirSync(join(pkg, 'adapters', 'python')).sort()).toEqual([
      'dropcheck_exec.py',
      'pure_dropout.py',
      'torch_dropout.py',
    ]);
    expect(readdirSync(join(pkg, 'dist')).sort()).toEqual(['src']);
    expect(size(pkg)).toBeLessThan(1.5e6);
  });

  it('imports every entry from plain Node, with no TypeScript loader', () => {
    const r = run([
      '--input-type=module',
      '-e',
      `
      const entries = ['dropcheck', 'dropcheck/audit', 'dropcheck/arbitraries', 'dropcheck/rational', 'dropcheck/enumerate', 'dropcheck/adapters/tfjs'];
      const mods = await Promise.all(entries.map((e) => import(e)));
      console.log(typeof mods[0].dropout, typeof mods[1].auditDropout, Object.keys(mods[2]).length > 0, typeof mods[3].Rational ?? typeof mods[3], Object.keys(mods[4]).length > 0, typeof mods[5].tfDropout);
      const m = mods[0];
      console.log(m.dropout(m.key(1), m.ones([4]), { rate: 0.5, training: true }).shape.join(','));`,
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toMatch(/^function function true \S+ true function$/);
    expect(r.stdout.split('\n')[1]).toBe('4');
  });

  it('type-checks a TypeScript consumer against the shipped declarations', () => {
    writeFileSync(
      join(app, 'consumer.ts'),
      `import { dropout, key, ones, type Tensor } from 'dropcheck';
import { auditDropout, type DropoutCandidate } from 'dropcheck/audit';
const y: Tensor = dropout(key(1), ones([4]), { rate: 0.5, training: true });
declare const c: DropoutCandidate;
void auditDropout(c, { alpha: 1e-3 });
// @ts-expect-error: rate must be a number
dropout(key(1), ones([4]), { rate: '0.5', training: true });
console.log(y.shape);
`,
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
        files: ['consumer.ts'],
      }),
    );
    const r = run([join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('adds toPassDropoutAudit to a vitest suite: passes the correct candidate, fails the broken one with its table', () => {
    symlinkSync(join(root, 'node_modules', 'vitest'), join(app, 'node_modules', 'vitest'));
    writeFileSync(
      join(app, 'audit.test.mjs'),
      `import { expect, it } from 'vitest';
import 'dropcheck/vitest';
import good from './good.mjs';
import bad from './bad.mjs';
it('correct', async () => { await expect(good).toPassDropoutAudit({ alpha: 0.01, rateError: 0.03, scaleError: 0.03, dependence: 0.05 }); });
it('broken', async () => { await expect(bad).toPassDropoutAudit({ alpha: 0.01, rateError: 0.03, scaleError: 0.03, dependence: 0.05 }); });
`,
    );
    const r = run([join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--root', app, 'audit.test.mjs'], {
      FORCE_COLOR: '0',
      NO_COLOR: '1',
    });
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/✓ .*correct/);
    expect(r.stdout + r.stderr).toMatch(/dropout audit of "inverted dropout with a wrong scale": \d+ propert/);
    expect(r.stdout + r.stderr).toContain('| property | evidence (smallest failing case) | decided by |');
  });

  it('runs `dropcheck audit` on a JavaScript candidate without tsx (removed from the install), and on a TypeScript one with it', () => {
    // the installed command at large effect sizes (a sixteenth of the default's elements): the wrong
    // scale fails the exact properties whatever the sample size
    const audit = (file: string) =>
      run([join(app, 'node_modules', '.bin', 'dropcheck'), 'audit', file, '--alpha', '0.01', ...QUICK_FLAGS]);
    const tsx = join(app, 'node_modules', 'tsx');
    renameSync(tsx, `${tsx}.away`);
    try {
      const good = audit('good.mjs');
      expect(good.stderr).toBe('');
      expect(good.status).toBe(0);
      const bad = audit('bad.mjs');
      expect(bad.status).toBe(1);
      expect(bad.stdout).toMatch(/fail/i);
    } finally {
      renameSync(`${tsx}.away`, tsx);
    }
    const ts = audit('good.ts');
    expect(ts.stderr).toBe('');
    expect(ts.status).toBe(0);
  });
});
