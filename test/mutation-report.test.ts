// The mutation report: Stryker's score per module against its target, and every survivor with its status.
import { describe, expect, it } from 'vitest';
import { merge, render, score, tally, targetOf } from '../scripts/mutation-report.ts';

const mutant = (id: number, status: string, line: number, mutatorName = 'EqualityOperator', replacement = 'a <= b') =>
  ({ id: String(id), status, mutatorName, replacement, location: { start: { line, column: 3 }, end: { line, column: 9 } } }) as never;

const report = {
  files: {
    'src/engine/dropout.ts': { source: 'const a = 1;\nif (a < b) go();\nreturn x;', mutants: [mutant(1, 'Killed', 2), mutant(2, 'Timeout', 2), mutant(3, 'Survived', 2), mutant(4, 'NoCoverage', 3, 'BlockStatement', '{}')] },
    'src/verify/audit/plan.ts': { source: 'x | y', mutants: [mutant(5, 'Killed', 1), mutant(6, 'CompileError', 1), mutant(7, 'Killed', 1)] },
  },
};

describe('mutation report', () => {
  it('scores detected (killed + timeout) over valid (detected + survived + no coverage); errors left out', () => {
    const t = tally(report.files['src/engine/dropout.ts'].mutants);
    expect(t).toEqual({ killed: 1, timeout: 1, survived: 1, noCoverage: 1, errors: 0, ignored: 0 });
    expect(score(t)).toBe(50);
    expect(score(tally(report.files['src/verify/audit/plan.ts'].mutants))).toBe(100);
    expect(score(tally([]))).toBeNaN();
    expect([targetOf('src/engine/dropout.ts'), targetOf('src/verify/stats.ts'), targetOf('src/engine/ops.ts')]).toEqual([95, 95, 90]);
  });

  it('renders the table, the overall score, and each survivor with its recorded status or "open"', () => {
    const md = render(report, [{ file: 'src/engine/dropout.ts', line: 2, mutator: 'EqualityOperator', status: 'equivalent', reason: 'b is never equal to a here' }], { date: '2026-11-27 10:00 UTC', commit: 'abc1234', source: 'r.json' });
    expect(md).toContain('**Overall: 66.7%** over 7 mutants (3 killed, 1 timed out, 1 survived, 1 not covered, 1 compile/runtime errors) in 2 modules.');
    expect(md).toContain('| `src/engine/dropout.ts` | 4 | 1 | 1 | 1 | 1 | 0 | **50.0%** | 95% | **below** |');
    expect(md).toContain('| `src/verify/audit/plan.ts` | 3 | 2 | 0 | 0 | 0 | 1 | **100.0%** | 90% | meets |');
    expect(md).toContain('| `src/engine/dropout.ts:2:3` | EqualityOperator | `if (a < b) go();` | `a <= b` | Survived | equivalent: b is never equal to a here |');
    expect(md).toContain('| `src/engine/dropout.ts:3:3` | BlockStatement | `return x;` | `{}` | NoCoverage | open: no test runs this line |');
    expect(md).toContain('Date: 2026-11-27 10:00 UTC. Commit: `abc1234`.');
    expect(md.match(/^\| `src\/.*:\d+:\d+` /gm)).toHaveLength(2);
  });

  it('a rerun over some lines replaces the verdicts of the same mutants (same place, mutator and replacement) only', () => {
    const rerun = { files: { 'src/engine/dropout.ts': { source: '', mutants: [mutant(9, 'Killed', 2), mutant(10, 'Killed', 3, 'BlockStatement', '{ }')] } } };
    const m = merge(report, rerun);
    expect([m.replaced, m.changed]).toEqual([3, 2]); // the three mutants at 2:3 match; line 3's replacement differs
    expect(m.report.files['src/engine/dropout.ts'].mutants.map((x: { status: string }) => x.status)).toEqual(['Killed', 'Killed', 'Killed', 'NoCoverage']);
    expect(score(tally(m.report.files['src/engine/dropout.ts'].mutants))).toBe(75);
    expect(m.report.files['src/verify/audit/plan.ts']).toEqual(report.files['src/verify/audit/plan.ts']);
  });
});
