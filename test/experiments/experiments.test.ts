// The experiment machinery: run keys, sharding (1 shard and 3 shards give identical results), the
// decision rules' statistics, and the reports' plots. The data module is tested in data.test.ts.
import { describe, expect, it } from 'vitest';
import { combine, hash32, judge, runKeys } from '../../experiments/framework/experiment.ts';
import { lineWithBand } from '../../experiments/report/plot.ts';
import { renderSvg } from '../../experiments/report/render.ts';
import { EXPERIMENTS } from '../../experiments/framework/registry.ts';
import { planRuns, runAll, shardOf } from '../../experiments/framework/runner.ts';

describe('keys and shards', () => {
  it('run keys depend on (experiment, setting, seed) only', () => {
    expect(runKeys(1, 'X-KEEP', 'a', 2)).toEqual(runKeys(1, 'X-KEEP', 'a', 2));
    expect(runKeys(1, 'X-KEEP', 'a', 2).own).not.toEqual(runKeys(1, 'X-KEEP', 'b', 2).own);
    expect(runKeys(1, 'X-KEEP', 'a', 2).shared).toEqual(runKeys(1, 'X-KEEP', 'b', 2).shared);
    expect(runKeys(1, 'X-KEEP', 'a', 2).shared).not.toEqual(runKeys(1, 'X-KEEP', 'a', 3).shared);
    expect(hash32('a')).not.toBe(hash32('b'));
  });

  it('shards partition the canonical plan', () => {
    const plan = planRuns(
      EXPERIMENTS.map((e) => e.id),
      'quick',
    );
    const parts = [1, 2, 3].map((i) => shardOf(plan, i, 3));
    expect(parts.flat().length).toBe(plan.length);
    expect(new Set(parts.flat()).size).toBe(plan.length);
    expect(() => shardOf(plan, 4, 3)).toThrow(/--shard must be i\/n with 1 ≤ i ≤ n, got 4\/3/);
  });

  it('1 shard and 3 shards (in reverse order, one in a worker thread) give bit-identical results (quick profile subset)', async () => {
    // a reduced subset so the test stays fast: the linear X-UNDERFIT models, seeds 1 and 2
    const plan = planRuns(['X-UNDERFIT'], 'quick').filter((r) => r.setting.endsWith('@linear') && r.seed <= 2);
    expect(plan.length).toBe(4);
    const one = await runAll(plan, 'quick', 7, 0);
    const three = [
      ...(await runAll(shardOf(plan, 3, 3), 'quick', 7, 1)),
      ...(await runAll(shardOf(plan, 2, 3), 'quick', 7, 0)),
      ...(await runAll(shardOf(plan, 1, 3), 'quick', 7, 0)),
    ];
    const byId = (rs: typeof one) =>
      Object.fromEntries(rs.map((r) => [`${r.experiment}/${r.setting}/${r.seed}`, r.result]));
    expect(Object.keys(byId(three)).sort()).toEqual(Object.keys(byId(one)).sort());
    expect(JSON.stringify(byId(three), Object.keys(byId(one)).sort())).toBe(
      JSON.stringify(byId(one), Object.keys(byId(one)).sort()),
    );
    for (const id of Object.keys(byId(one))) expect(byId(three)[id]).toEqual(byId(one)[id]);
    // and the settings of one seed differ (dropout changed something)
    expect(one.find((r) => r.setting === 'plain@linear')!.result).not.toEqual(
      one.find((r) => r.setting === 'dropout+max-norm@linear')!.result,
    );
  }, 120_000);
});

describe('decision rules', () => {
  it('each kind of part gives each verdict, and parts combine', () => {
    const v = (kind: 'positive' | 'below' | 'within', values: number[], margin?: number) =>
      judge({ name: 'p', kind, margin, statistic: 's', values }).verdict;
    expect(v('positive', [1, 1.1, 0.9])).toBe('SUPPORTED');
    expect(v('positive', [-1, -1.1, -0.9])).toBe('NOT REPRODUCED');
    expect(v('positive', [-1, 1, 0.1])).toBe('INCONCLUSIVE');
    expect(v('below', [0.1, 0.11, 0.09], 0.5)).toBe('SUPPORTED');
    expect(v('below', [1, 1.1, 0.9], 0.5)).toBe('NOT REPRODUCED');
    expect(v('below', [0, 1, 0.5], 0.5)).toBe('INCONCLUSIVE');
    expect(v('within', [0.1, -0.1, 0], 0.5)).toBe('SUPPORTED');
    expect(v('within', [-1, -1.1, -0.9], 0.5)).toBe('NOT REPRODUCED');
    expect(v('within', [0, 1, 0.5], 0.5)).toBe('INCONCLUSIVE');
    const S = { verdict: 'SUPPORTED' as const },
      N = { verdict: 'NOT REPRODUCED' as const },
      I = { verdict: 'INCONCLUSIVE' as const };
    expect(combine([S, S])).toBe('SUPPORTED');
    expect(combine([S, I])).toBe('INCONCLUSIVE');
    expect(combine([I, N])).toBe('NOT REPRODUCED');
    expect(combine([])).toBe('INCONCLUSIVE');
  });

  it('every claim experiment has an ID in the claim list, a rule and at least 3 seeds per setting in the standard profile', () => {
    for (const e of EXPERIMENTS) {
      expect(e.rule('standard')).toMatch(/SUPPORTED/);
      const runs = planRuns([e.id], 'standard');
      expect(runs.length).toBeGreaterThan(0);
      expect(
        Math.min(
          ...runs.map((r) => runs.filter((q) => q.setting === r.setting && q.experiment === r.experiment).length),
        ),
      ).toBeGreaterThanOrEqual(3);
      expect(planRuns([e.id], 'quick').length).toBeGreaterThan(0);
    }
  });

  it('experiments that share a pool of networks plan each run once, and say which runs they need', () => {
    const both = planRuns(['X-OVERFIT', 'M-K50'], 'standard');
    expect(new Set(both.map((r) => `${r.experiment}/${r.setting}`))).toEqual(
      new Set(['MNIST-NETS/plain', 'MNIST-NETS/dropout+max-norm']),
    );
    expect(both.length).toBe(planRuns(['X-OVERFIT'], 'standard').length);
    expect(planRuns(['M-K50'], 'large').map((r) => r.setting)).toEqual([
      'dropout+max-norm',
      'dropout+max-norm',
      'dropout+max-norm',
    ]);
    expect(() => planRuns(['X-KEEP'], 'large')).toThrow(
      'X-KEEP has no large profile; it runs in quick, standard, paper',
    );
  });

  it('plots render to SVG through vega-lite and vega', async () => {
    const svg = await renderSvg(
      lineWithBand({
        rows: [
          { x: 1, m: 2, lo: 1, hi: 3 },
          { x: 2, m: 1, lo: 0.5, hi: 1.5 },
        ],
        x: 'x',
        y: 'm',
        lo: 'lo',
        hi: 'hi',
        xTitle: 'x',
        yTitle: 'y',
        title: 't',
      }),
    );
    expect(svg).toMatch(/^<svg/);
    expect(svg).toMatch(/<path/);
  });
});

describe('the npm start command line', () => {
  const start = async (...args: string[]) => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['--import', 'tsx', 'experiments/cli/main.ts', ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const status = await new Promise<number | null>((done) => child.on('close', done));
    return { status, stdout, stderr };
  };
  it('a bad argument gives one line and the usage line, exit 2, no stack trace', async () => {
    const cases = [
      [['--bogus'], 'npm start: unknown argument "--bogus"'],
      [['--only', 'X-KEEP', '--large'], 'npm start: X-KEEP has no large profile; it runs in quick, standard, paper'],
      [['--workers', '-1'], 'npm start: --workers must be a non-negative integer, got -1'],
    ] as const;
    const results = await Promise.all(cases.map(([args]) => start(...args))); // three processes at once: most of each is startup
    for (const [i, [, message]] of cases.entries()) {
      const r = results[i]!;
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.split('\n')).toEqual([
        message,
        expect.stringMatching(/^usage: npm start -- .*\(npm start -- --help for details\)$/),
        '',
      ]);
    }
  }, 30_000);
  it('--help prints the usage and exits 0', async () => {
    const r = await start('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: npm start -- [\s\S]*-h, --help {7}this text/);
  }, 30_000);
});

describe('tuning and the verdict vocabulary', () => {
  it('tuning picks, per arm, the grid point with the lowest validation error (ties: the earlier) and reports every point', async () => {
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { planPool } = await import('../../experiments/framework/runner.ts');
    const { writeTuning } = await import('../../experiments/mnist/tune.ts');
    const specs = planPool('MNIST-TUNE', 'standard');
    // a made-up validation error per grid point: lowest at lr 0.1 with c 3 for dropout + max-norm, a tie for plain
    const err = (name: string) =>
      name === 'dropout+max-norm lr=0.1 c=3' ? 1.1 : name.startsWith('plain') ? 2 : 1.5 + name.length / 100;
    const runs = specs.map((s) => ({
      experiment: s.experiment,
      setting: s.setting,
      seed: 1,
      seconds: 0,
      result: { testError: err(s.setting), trainError: 0, curve: [] },
    }));
    const dir = mkdtempSync(join(tmpdir(), 'tune-'));
    writeTuning(runs, 'standard', dir, join(dir, 'tuned.json'), 'test');
    const t = JSON.parse(readFileSync(join(dir, 'tuned.json'), 'utf8'));
    expect(t.chosen['dropout+max-norm']).toEqual({ lr: 0.1, c: 3 });
    expect(t.chosen.plain).toEqual({ lr: 0.05 });
    expect(t.chosen['dropout+l2'].l2).toBeDefined();
    const md = readFileSync(join(dir, 'tuning.md'), 'utf8');
    expect(md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| arm')).length).toBe(specs.length);
    expect(md).toMatch(/a trial: only experiments\/mnist\/tuned.json/);
  });

  it('a part with a value that is not finite (a ratio over a zero error) or no values is undecided, not an error', () => {
    expect(judge({ name: 'p', kind: 'positive', statistic: 's', values: [0.2, Infinity, 0.3] }).verdict).toBe(
      'INCONCLUSIVE',
    );
    expect(judge({ name: 'p', kind: 'positive', statistic: 's', values: [] }).verdict).toBe('INCONCLUSIVE');
  });

  it('a failed part is NOT REPRODUCED in a scaled-down setting and CONTRADICTED only in a faithful one', () => {
    const N = { verdict: 'NOT REPRODUCED' as const },
      S = { verdict: 'SUPPORTED' as const };
    expect(combine([S, N])).toBe('NOT REPRODUCED');
    expect(combine([S, N], true)).toBe('CONTRADICTED');
    expect(combine([S, S], true)).toBe('SUPPORTED');
  });
});
