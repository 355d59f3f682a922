// reports/audit-frameworks.md: one column per implementation, a row per property, each failure with
// its smallest case, and the implementations that could not run named with why. Judged here at small
// sample sizes on the reference candidates (npm start runs TF.js, Python and PyTorch at full size).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type Implementation,
  implementations,
  writeFrameworksReport,
} from '../../experiments/report/audit-frameworks.ts';
import { PROPERTIES } from '../../src/verify/audit/index.ts';
import inverted from '../support/candidates/correct/inverted.ts';
import unscaled from '../support/candidates/broken/vjp-no-rescale.ts';

const SMALL = { alpha: 1e-3, rateError: 0.1, scaleError: 0.1, dependence: 0.2, power: 0.9 };
const impl = (label: string, load: Implementation['load']): Implementation => ({
  label,
  rerun: `rerun ${label}`,
  load,
});

describe('the frameworks report', () => {
  it('a column each, a row per property; failures with their evidence; what did not run, with why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'frameworks-'));
    const closed: string[] = [];
    const logged: string[] = [];
    const { ok, file } = await writeFrameworksReport(dir, 7, {
      impls: [
        impl('good', async () => ({ candidate: inverted, close: () => closed.push('good') })),
        impl('bad', async () => ({ candidate: unscaled, close: () => closed.push('bad') })),
        impl('absent', async () => ({ notRun: 'no torch (python3: ModuleNotFoundError)' })),
        impl('broken loader', async () => {
          throw new Error('the wasm file is missing');
        }),
      ],
      options: SMALL,
      log: (s) => logged.push(s),
    });
    expect(ok).toBe(false);
    expect(closed).toEqual(['good', 'bad']);
    const md = readFileSync(file, 'utf8');
    expect(md).toContain('| property | good | bad | absent | broken loader |\n|---|---|---|---|---|');
    for (const { id } of PROPERTIES) expect(md).toMatch(new RegExp(`^\\| ${id} \\| `, 'm'));
    expect(md).toContain('| vjp-mask | pass | **FAIL** | not run | not run |');
    expect(md).toContain('| rate-one | pass | pass | not run | not run |');
    expect(md).toContain('| precision judged | float64 | float64 | — | — |');
    expect(md).toContain('Audit seed 7, α = 0.001 per');
    expect(md).toContain('detects a drop-rate error of 0.1');
    expect(md).toMatch(/### bad\n\n.*Fails 2:\n\n- \*\*vjp-mask\*\*: vjp\(x of length \d+/);
    expect(md).toContain('### absent\n\nNot run: no torch (python3: ModuleNotFoundError).');
    expect(md).toContain('### broken loader\n\nNot run: could not load: the wasm file is missing.');
    expect(md).toContain('Not run here: absent, broken loader');
    expect(md).toContain('Rerun: rerun good.');
    expect(logged).toEqual([
      'audit of good: every property holds',
      'audit of bad: FAILS some properties',
      'audit of absent: not run (no torch (python3: ModuleNotFoundError))',
      'audit of broken loader: not run (could not load: the wasm file is missing)',
    ]);
  }, 60_000);

  it('npm start audits TF.js (cpu, wasm, layers), pure Python and PyTorch in both dtypes, each with its rerun', () => {
    const list = implementations(5);
    expect(list.map((i) => i.label)).toEqual([
      'tf.dropout, cpu',
      'tf.dropout, wasm',
      'tf.layers.dropout, cpu',
      'pure Python',
      'PyTorch float32',
      'PyTorch float64',
    ]);
    expect(list[1].rerun).toContain("tf.setBackend('wasm')");
    expect(list[5].rerun).toBe(
      "`npx dropcheck audit --exec 'python3 adapters/python/torch_dropout.py --dtype float64' --seed 5`",
    );
  });
});
