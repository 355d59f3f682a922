// The mutation report: Stryker's score per module against its target, and every survivor with its status.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  NOT_MUTATED,
  carryOver,
  combine,
  finished,
  reexportsOnly,
  changedSince,
  merge,
  render,
  score,
  sourceCommit,
  tally,
  targetOf,
  testsOf,
} from '../../scripts/mutation-report.ts';
import { format, slim } from '../../scripts/mutation-save.ts';

const mutant = (id: number, status: string, line: number, mutatorName = 'EqualityOperator', replacement = 'a <= b') =>
  ({
    id: String(id),
    status,
    mutatorName,
    replacement,
    location: { start: { line, column: 5 }, end: { line, column: 10 } },
  }) as never;

const report = {
  files: {
    'src/engine/dropout.ts': {
      source: 'const a = 1;\nif (a < b) go();\n    go();',
      mutants: [
        mutant(1, 'Killed', 2),
        mutant(2, 'Timeout', 2),
        mutant(3, 'Survived', 2),
        mutant(4, 'NoCoverage', 3, 'BlockStatement', '{}'),
      ],
    },
    'src/verify/audit/plan.ts': {
      source: 'x | y',
      mutants: [mutant(5, 'Killed', 1), mutant(6, 'CompileError', 1), mutant(7, 'Killed', 1)],
    },
  },
};

describe('mutation report', () => {
  it('scores detected (killed + timeout) over valid (detected + survived + no coverage); errors left out', () => {
    const t = tally(report.files['src/engine/dropout.ts'].mutants);
    expect(t).toEqual({ killed: 1, timeout: 1, survived: 1, noCoverage: 1, errors: 0, ignored: 0 });
    expect(score(t)).toBe(50);
    expect(score(tally(report.files['src/verify/audit/plan.ts'].mutants))).toBe(100);
    expect(score(tally([]))).toBeNaN();
    expect([targetOf('src/engine/dropout.ts'), targetOf('src/verify/stats.ts'), targetOf('src/engine/ops.ts')]).toEqual(
      [95, 95, 90],
    );
  });

  it('renders the table, the overall score, and each survivor with its recorded status or "open"', () => {
    const md = render(
      report,
      [
        {
          file: 'src/engine/dropout.ts',
          line: 2,
          mutator: 'EqualityOperator',
          status: 'equivalent',
          reason: 'b is never equal to a here',
        },
      ],
      { date: '2026-11-27 10:00 UTC', commit: 'abc1234', source: 'r.json' },
    );
    expect(md).toContain(
      '**Overall: 66.7%** over 7 mutants (3 killed, 1 timed out, 1 survived, 1 not covered, 1 compile/runtime errors) in 2 modules.',
    );
    expect(md).toContain('| `src/engine/dropout.ts` | 4 | 1 | 1 | 1 | 1 | 0 | **50.0%** | 95% | **below** |');
    expect(md).toContain('| `src/verify/audit/plan.ts` | 3 | 2 | 0 | 0 | 0 | 1 | **100.0%** | 90% | meets |');
    expect(md).toContain(
      '| `src/engine/dropout.ts:2:5` | EqualityOperator | `a < b` | `a <= b` | Survived | equivalent: b is never equal to a here |',
    );
    expect(md).toContain(
      '| `src/engine/dropout.ts:3:5` | BlockStatement | `go();` | `{}` | NoCoverage | open: no test runs this line |',
    );
    expect(md).toContain('Date: 2026-11-27 10:00 UTC. Commit: `abc1234`.');
    expect(md.match(/^\| `src\/.*:\d+:\d+` /gm)).toHaveLength(2);
    expect(md).not.toContain('Not run yet');
    expect(render(report, [], { date: 'd', commit: 'c', source: 's', unrun: ['src/a.ts', 'src/b.ts'] })).toContain(
      'Not run yet, so not in the overall score: `src/a.ts`, `src/b.ts`.',
    );
  });

  it('a recorded status with a column applies to the mutant at that column only', () => {
    const two = {
      files: {
        'src/engine/dropout.ts': {
          source: 'if (a < b) go();',
          mutants: [
            mutant(1, 'Survived', 1),
            {
              ...(mutant(2, 'Survived', 1) as object),
              location: { start: { line: 1, column: 7 }, end: { line: 1, column: 8 } },
            } as never,
          ],
        },
      },
    };
    const md = render(
      two,
      [
        {
          file: 'src/engine/dropout.ts',
          line: 1,
          column: 7,
          mutator: 'EqualityOperator',
          status: 'equivalent',
          reason: 'why',
        },
      ],
      { date: 'd', commit: 'c', source: 's' },
    );
    expect(md).toContain(
      '| `src/engine/dropout.ts:1:5` | EqualityOperator | `a < b` | `a <= b` | Survived | open: a missing test |',
    );
    expect(md).toContain(
      '| `src/engine/dropout.ts:1:7` | EqualityOperator | `<` | `a <= b` | Survived | equivalent: why |',
    );
  });

  it('a rerun over some lines replaces the verdicts of the same mutants (same place, mutator and replacement) only', () => {
    const source = report.files['src/engine/dropout.ts'].source;
    const rerun = {
      files: {
        'src/engine/dropout.ts': {
          source,
          mutants: [mutant(9, 'Killed', 2), mutant(10, 'Killed', 3, 'BlockStatement', '{ }')],
        },
      },
    };
    const m = merge(report, rerun);
    expect([m.replaced, m.changed, m.dropped]).toEqual([3, 2, 0]); // the three mutants at 2:3 match; line 3's replacement differs
    expect(m.report.files['src/engine/dropout.ts'].mutants.map((x: { status: string }) => x.status)).toEqual([
      'Killed',
      'Killed',
      'Killed',
      'NoCoverage',
    ]);
    expect(score(tally(m.report.files['src/engine/dropout.ts'].mutants))).toBe(75);
    expect(m.report.files['src/verify/audit/plan.ts']).toEqual(report.files['src/verify/audit/plan.ts']);
  });

  it("a rerun's narrower tests never undo a kill of an unchanged line; of a rewritten line, its verdict stands", () => {
    const source = report.files['src/engine/dropout.ts'].source;
    const statuses = (src: string) =>
      merge(report, {
        files: { 'src/engine/dropout.ts': { source: src, mutants: [mutant(9, 'Survived', 2)] } },
      }).report.files['src/engine/dropout.ts'].mutants.map((x: { status: string }) => x.status);
    // killed and timed out stay so; the survivor survives again
    expect(statuses(source)).toEqual(['Killed', 'Timeout', 'Survived', 'NoCoverage']);
    expect(
      merge(report, { files: { 'src/engine/dropout.ts': { source, mutants: [mutant(9, 'Survived', 2)] } } }).changed,
    ).toBe(0);
    // line 2 rewritten (same place, mutator and replacement): the rerun's verdict is the one that holds
    expect(statuses(source.replace('go();', 'stop();'))).toEqual(['Survived', 'Survived', 'Survived', 'NoCoverage']);
  });

  it('a mutant the rerun did not test is dropped when its line changed (the code it mutated is gone), kept when it did not', () => {
    const rerun = {
      files: {
        'src/engine/dropout.ts': {
          source: 'const a = 1;\nif (a < b) go();\n// removed',
          mutants: [mutant(9, 'Killed', 2)],
        },
      },
    };
    const m = merge(report, rerun);
    expect([m.replaced, m.dropped]).toEqual([3, 1]);
    expect(
      m.report.files['src/engine/dropout.ts'].mutants.map((x: { id: string; status: string }) => `${x.id} ${x.status}`),
    ).toEqual(['1 Killed', '2 Killed', '3 Killed']);
    expect(m.report.files['src/engine/dropout.ts'].source).toBe(rerun.files['src/engine/dropout.ts'].source);
  });

  it("the rerun's mutants of a rewritten line take the place of the dropped ones; of an unchanged line, only matches count", () => {
    const rerun = {
      files: {
        'src/engine/dropout.ts': {
          source: 'const a = 1;\nif (a < b) go();\nstop();',
          mutants: [
            mutant(9, 'Killed', 2),
            mutant(11, 'Survived', 3, 'BlockStatement', '{ }'),
            mutant(12, 'Survived', 1, 'BlockStatement', '{ }'),
          ],
        },
      },
    };
    const m = merge(report, rerun);
    expect([m.replaced, m.dropped, m.added]).toEqual([3, 1, 1]);
    expect(
      m.report.files['src/engine/dropout.ts'].mutants.map((x: { id: string; status: string }) => `${x.id} ${x.status}`),
    ).toEqual(['1 Killed', '2 Killed', '3 Killed', '11 Survived']);
  });

  it('several first runs, one per module, combine into one report; a module given again takes the later run', () => {
    const a = { files: { 'src/engine/dropout.ts': report.files['src/engine/dropout.ts'] } };
    const b = {
      files: { 'src/verify/audit/plan.ts': report.files['src/verify/audit/plan.ts'] },
      performance: { total: 60_000 },
    };
    const both = combine([a, b]);
    expect(both.files).toEqual(report.files);
    const fresh = { files: { 'src/engine/dropout.ts': { source: 'later', mutants: [] } } };
    expect(combine([a, b, fresh]).files).toEqual({
      ...report.files,
      'src/engine/dropout.ts': fresh.files['src/engine/dropout.ts'],
    });
  });

  it("with each module's runs given, its row names its first run's score, its run dates and commit, and the sources are listed", () => {
    const md = render(report, [], {
      date: '2026-11-27 13:00 UTC',
      commit: 'abc1234',
      source: 'a.json, b.json',
      modules: {
        'src/engine/dropout.ts': {
          date: '2026-11-27 12:00 UTC',
          firstScore: 25,
          reruns: ['2026-11-27 12:30 UTC', '2026-11-27 12:50 UTC'],
          commit: 'abc1234',
        },
        'src/verify/audit/plan.ts': { date: '2026-11-27 13:00 UTC', firstScore: 100, reruns: [], commit: 'def5678' },
      },
      sources: [
        {
          file: 'a.json',
          modules: ['src/engine/dropout.ts'],
          performance: { total: 90_000, initialRun: 30_000, mutation: 60_000 },
        },
        { file: 'b.json', modules: ['src/verify/audit/plan.ts'] },
      ],
    });
    expect(md).toContain(
      '| `src/engine/dropout.ts` | 4 | 1 | 1 | 1 | 1 | 0 | **50.0%** | 95% | **below** | 25.0% | 2026-11-27 12:00 UTC (reruns 12:30 UTC, 12:50 UTC) | `abc1234` |',
    );
    expect(md).toContain(
      '| `src/verify/audit/plan.ts` | 3 | 2 | 0 | 0 | 0 | 1 | **100.0%** | 90% | meets | 100.0% | 2026-11-27 13:00 UTC | `def5678` |',
    );
    expect(md).toContain(
      "First runs: `a.json` (`src/engine/dropout.ts`; Stryker's own timing: 1.5 min in all (initial test run 30 s, mutants 1.0 min)), `b.json` (`src/verify/audit/plan.ts`).",
    );
    expect(md).not.toContain('Source:');
  });

  it('a run narrowed to some test files marks its modules with † and names the files', () => {
    const md = render(report, [], {
      date: 'd',
      commit: 'c',
      source: 'a.json',
      sources: [
        {
          file: 'a.json',
          modules: ['src/engine/dropout.ts'],
          tests: ['test/dropout.test.ts', 'test/fuzz-api.test.ts'],
        },
        { file: 'b.json', modules: ['src/verify/audit/plan.ts'] },
      ],
    });
    expect(md).toContain('| `src/engine/dropout.ts` † | 4 |');
    expect(md).toContain('| `src/verify/audit/plan.ts` | 3 |');
    expect(md).toContain(
      '`a.json` (`src/engine/dropout.ts`; tests: only `test/dropout.test.ts`, `test/fuzz-api.test.ts`)',
    );
    expect(md).toContain('† Run against only the test files its first run names');
    expect(
      render(report, [], {
        date: 'd',
        commit: 'c',
        source: 'b.json',
        sources: [{ file: 'b.json', modules: ['src/verify/audit/plan.ts'] }],
      }),
    ).not.toContain('†');
  });

  it('a module kept from an earlier report keeps its counts, survivors, date and commit', () => {
    const survivor =
      '| `src/verify/montecarlo.ts:39:17` | ConditionalExpression | `a` | `false` | Survived | equivalent: why |';
    const older = [
      '| `src/verify/montecarlo.ts` | 129 | 119 | 4 | 6 | 0 | 0 | **95.3%** | 90% | meets | 85.3% | 2026-11-27 11:34 UTC (reruns 11:42 UTC, 11:53 UTC) | `0000000` |',
      survivor,
      '| `src/verify/other.ts:1:1` | ConditionalExpression | `b` | `true` | Survived | open: a missing test |',
    ].join('\n');
    const c = carryOver(older, 'src/verify/montecarlo.ts');
    expect(c.mutants).toBe(129);
    expect(c.tally).toEqual({ killed: 119, timeout: 4, survived: 6, noCoverage: 0, errors: 0, ignored: 0 });
    expect(c.runs).toEqual({
      date: '2026-11-27 11:34 UTC',
      firstScore: 85.3,
      reruns: ['2026-11-27 11:42 UTC', '2026-11-27 11:53 UTC'],
      commit: '0000000',
    });
    expect(c.survivors).toEqual([survivor]);
    expect(c.narrowed).toBe(false);
    // a narrowed run's row keeps its † (and the footnote) when carried over
    const dagger = carryOver(
      older.replace('| `src/verify/montecarlo.ts` |', '| `src/verify/montecarlo.ts` † |'),
      'src/verify/montecarlo.ts',
    );
    expect(dagger.narrowed).toBe(true);
    const again = render({ files: {} }, [], { date: 'd', commit: 'c', source: 's', carried: [dagger] });
    expect(again).toContain('| `src/verify/montecarlo.ts` † | 129 |');
    expect(again).toContain('† Run against only the test files its first run names');
    expect(carryOver(again, 'src/verify/montecarlo.ts')).toEqual(dagger);
    expect(() => carryOver(older, 'src/engine/ops.ts')).toThrow(/no row in the earlier report/);
    expect(() =>
      carryOver(
        '| `src/verify/montecarlo.ts` | 129 | 119 | 4 | 6 | 0 | 0 | **95.3%** | 90% | meets |',
        'src/verify/montecarlo.ts',
      ),
    ).toThrow(/date and commit/);

    // rendered next to a module from a run, then carried over again from the new per-module row
    const md = render({ files: { 'src/verify/audit/plan.ts': report.files['src/verify/audit/plan.ts'] } }, [], {
      date: '2026-11-27 14:00 UTC',
      commit: 'abc1234',
      source: 'p.json',
      carried: [c],
    });
    expect(md).toContain(
      '**Overall: 95.4%** over 132 mutants (121 killed, 4 timed out, 6 survived, 0 not covered, 1 compile/runtime errors) in 2 modules.',
    );
    expect(md).toContain(
      '| `src/verify/montecarlo.ts` | 129 | 119 | 4 | 6 | 0 | 0 | **95.3%** | 90% | meets | 85.3% | 2026-11-27 11:34 UTC (reruns 11:42 UTC, 11:53 UTC) | `0000000` |',
    );
    expect(md).toContain(survivor);
    expect(md).toContain(
      'Carried over from the earlier report, whose run JSON is not kept: `src/verify/montecarlo.ts` (run 2026-11-27 11:34 UTC at `0000000`)',
    );
    expect(carryOver(md, 'src/verify/montecarlo.ts')).toEqual(c);
    expect(render(report, [], { date: 'd', commit: 'c', source: 's', rerun: 'r', carried: [c] })).toContain(
      '--rerun <rerun>.json,… --keep src/verify/montecarlo.ts',
    );
  });

  // the changed case needs an earlier version of the file: a shallow clone may not have one
  const shallow = execFileSync('git', ['rev-parse', '--is-shallow-repository'], { encoding: 'utf8' }).trim() === 'true';
  it.skipIf(shallow)(
    'marks with ‡ a module whose code changed since the commit its run mutated, and carries the mark over',
    () => {
      const file = 'src/engine/shape.ts';
      const log = execFileSync('git', ['log', '--format=%h', '--', file], { encoding: 'utf8' }).trim().split('\n');
      expect(changedSince(file, log[0])).toBe(false);
      expect(changedSince(file, log[1])).toBe(true);
      expect(changedSince(file, 'uncommitted')).toBe(false);
      const row = (commit: string) =>
        `| \`${file}\` | 10 | 10 | 0 | 0 | 0 | 0 | **100.0%** | 90% | meets | 90.0% | 2026-11-27 11:34 UTC | \`${commit}\` |`;
      for (const [commit, mark] of [
        [log[0], ''],
        [log[1], ' ‡'],
      ]) {
        const c = carryOver(row(commit), file);
        expect(c.runs!.commit).toBe(commit);
        const md = render({ files: {} }, [], { date: 'd', commit: 'c', source: 's', carried: [c] });
        expect(md).toContain(`| \`${commit}\`${mark} |`);
        expect(md.includes('‡ The module has changed since the commit its run mutated')).toBe(mark !== '');
        expect(carryOver(md, file).runs!.commit).toBe(commit);
      }
    },
  );

  it('names the commit whose copy of a module is the code a run mutated, or says it was never committed', () => {
    const file = 'src/engine/shape.ts';
    const last = execFileSync('git', ['log', '-1', '--format=%h', '--', file], { encoding: 'utf8' }).trim();
    const committed = execFileSync('git', ['show', `${last}:${file}`], { encoding: 'utf8' });
    expect(sourceCommit(file, committed)).toBe(last);
    expect(sourceCommit(file, committed + '\n// changed\n')).toBe('uncommitted');
  });

  it("a saved run keeps each mutant's verdict and place, the run's finish time and narrowed tests, and drops the per-test coverage", () => {
    const stryker = {
      schemaVersion: '2',
      config: { big: true },
      performance: { total: 60_000 },
      files: {
        'src/engine/dropout.ts': {
          language: 'typescript',
          source: 'a < b',
          mutants: [
            {
              ...(mutant(1, 'Killed', 1) as object),
              coveredBy: ['t1', 't2'],
              killedBy: ['t1'],
              testsCompleted: 2,
              statusReason: 'expected 1\nto be 2\n…',
            } as never,
          ],
        },
      },
      testFiles: { 'test/a.test.ts': { tests: [] } },
    };
    const saved = slim(
      stryker,
      { started: '2026-11-29T05:00:00.000Z', tests: ['test/a.test.ts'], argv: ['--mutate', 'src/engine/dropout.ts'] },
      '2026-11-29T05:10:30.000Z',
    );
    expect(Object.keys(saved).sort()).toEqual(['argv', 'files', 'finished', 'performance', 'started', 'tests']);
    expect(saved.files['src/engine/dropout.ts']).toEqual({
      source: 'a < b',
      mutants: [
        {
          id: '1',
          mutatorName: 'EqualityOperator',
          replacement: 'a <= b',
          location: { start: { line: 1, column: 5 }, end: { line: 1, column: 10 } },
          status: 'Killed',
          statusReason: 'expected 1',
        },
      ],
    });
    // one mutant per line, and the same object back
    const text = format(saved);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(saved)));
    expect(text.split('\n').filter((l) => l.includes('"mutatorName"'))).toHaveLength(1);
    expect(finished('no-such-file.json', saved as never)).toBe('2026-11-29 05:10 UTC');
    expect(testsOf(saved as never)).toEqual(['test/a.test.ts']);
    // a run over the whole suite records no test list
    const whole = slim(stryker, { started: 's', tests: [], argv: [] }, 'f');
    expect('tests' in whole).toBe(false);
    expect(testsOf(whole as never)).toBeUndefined();
  });

  it('counts a module of re-exports only as having nothing to mutate, and names the generated module left out', () => {
    expect(reexportsOnly(readFileSync('src/index.ts', 'utf8'))).toBe(true);
    expect(reexportsOnly(readFileSync('src/engine/index.ts', 'utf8'))).toBe(true);
    expect(reexportsOnly(readFileSync('src/engine/wasm/gemm.wasm.ts', 'utf8'))).toBe(false);
    expect(reexportsOnly("export * from '../a.ts';\nexport const x = 1;\n")).toBe(false);
    expect(reexportsOnly("// a\nexport * as r from '../r.ts';\n\nexport { a, type B } from '../a.ts';\n")).toBe(true);
    expect(reexportsOnly("export {\n  a,\n  type B,\n} from '../a.ts';\n")).toBe(true); // a list over several lines, as a formatter writes it
    expect(readFileSync('stryker.config.mjs', 'utf8')).toContain(`'!${Object.keys(NOT_MUTATED)[0]}'`);
    expect(render(report, [], { date: 'd', commit: 'c', source: 's', left: ['`src/x.ts` (why)'] })).toContain(
      'Not mutated: `src/x.ts` (why).',
    );
  });
});
