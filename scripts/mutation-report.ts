// Turns Stryker's JSON report (reports/mutation/mutation.json, from `npm run mutation`) into
// reports/mutation.md: the score of each module against its target, every surviving mutant with
// file:line, mutator and replacement, and its status (a missing test, or equivalent with the reason
// recorded in scripts/mutation-status.json), with the date and commit.
//
//   npm run mutation:report [-- --in reports/mutation/mutation.json --out reports/mutation.md]
//   npm run mutation:report -- --in full.json --rerun lines.json
//
// --rerun merges a later run over some lines (`--mutate file:from-to`, e.g. after writing the tests
// the survivors asked for): its verdicts replace those of the same mutants in --in.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';

interface Mutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  location: { start: { line: number; column: number }; end: { line: number; column: number } };
  status: 'Killed' | 'Survived' | 'NoCoverage' | 'Timeout' | 'CompileError' | 'RuntimeError' | 'Ignored' | 'Pending';
  statusReason?: string;
}
interface Report {
  files: Record<string, { source: string; mutants: Mutant[] }>;
  performance?: { setup?: number; initialRun?: number; mutation?: number; total?: number };
}
/** A surviving mutant judged by a person: equivalent (no test can tell it apart) or anything else, with a one-line reason. */
interface Status {
  file: string;
  line: number;
  mutator: string;
  replacement?: string;
  status: string;
  reason: string;
}

const arg = (flag: string, fallback: string) => {
  const i = process.argv.indexOf(flag);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};
const input = arg('--in', 'reports/mutation/mutation.json');
const output = arg('--out', 'reports/mutation.md');
const statusFile = arg('--status', 'scripts/mutation-status.json');

/** The issue's targets: 95% on the dropout op, gradient checking, enumeration and statistics; 90% elsewhere. */
const STRICT = ['src/engine/dropout.ts', 'src/verify/gradcheck.ts', 'src/verify/enumerate.ts', 'src/verify/stats.ts'];
export const targetOf = (file: string) => (STRICT.includes(file) ? 95 : 90);

export interface Tally {
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  errors: number;
  ignored: number;
}

export function tally(mutants: readonly Mutant[]): Tally {
  const t: Tally = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, errors: 0, ignored: 0 };
  for (const m of mutants) {
    if (m.status === 'Killed') t.killed++;
    else if (m.status === 'Timeout') t.timeout++;
    else if (m.status === 'Survived') t.survived++;
    else if (m.status === 'NoCoverage') t.noCoverage++;
    else if (m.status === 'CompileError' || m.status === 'RuntimeError') t.errors++;
    else t.ignored++;
  }
  return t;
}

/** Stryker's mutation score: detected (killed or timed out) over valid mutants (detected, survived, not covered). */
export const score = (t: Tally) => {
  const valid = t.killed + t.timeout + t.survived + t.noCoverage;
  return valid === 0 ? NaN : (100 * (t.killed + t.timeout)) / valid;
};

const pct = (s: number) => (Number.isNaN(s) ? 'n/a' : `${s.toFixed(1)}%`);
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ').replace(/`/g, "'");
const short = (s: string, n = 60) => (s.length > n ? s.slice(0, n - 1) + '…' : s);

function git(...args: string[]): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

const sameMutant = (a: Mutant, b: Mutant) =>
  a.mutatorName === b.mutatorName && a.replacement === b.replacement && ['start', 'end'].every((e) => {
    const [p, q] = [a.location[e as 'start'], b.location[e as 'start']];
    return p.line === q.line && p.column === q.column;
  });

/** The base report with the verdicts of a later run over some of its lines; returns how many mutants were replaced. */
export function merge(base: Report, rerun: Report): { report: Report; replaced: number; changed: number } {
  let replaced = 0, changed = 0;
  const files: Report['files'] = {};
  for (const [f, entry] of Object.entries(base.files)) {
    const again = rerun.files[f]?.mutants ?? [];
    files[f] = {
      source: entry.source,
      mutants: entry.mutants.map((m) => {
        const r = again.find((a) => sameMutant(a, m));
        if (!r) return m;
        replaced++;
        if (r.status !== m.status) changed++;
        return { ...m, status: r.status, statusReason: r.statusReason };
      }),
    };
  }
  return { report: { ...base, files }, replaced, changed };
}

export function render(report: Report, statuses: readonly Status[], meta: { date: string; commit: string; source: string; rerun?: string }): string {
  const files = Object.keys(report.files).sort();
  const all = files.flatMap((f) => report.files[f].mutants);
  const total = tally(all);
  const rows = files.map((f) => {
    const t = tally(report.files[f].mutants);
    const s = score(t);
    const target = targetOf(f);
    return `| \`${f}\` | ${report.files[f].mutants.length} | ${t.killed} | ${t.timeout} | ${t.survived} | ${t.noCoverage} | ${t.errors} | **${pct(s)}** | ${target}% | ${Number.isNaN(s) ? 'n/a' : s >= target ? 'meets' : '**below**'} |`;
  });
  const survivors = files.flatMap((f) =>
    report.files[f].mutants
      .filter((m) => m.status === 'Survived' || m.status === 'NoCoverage')
      .sort((a, b) => a.location.start.line - b.location.start.line || a.location.start.column - b.location.start.column)
      .map((m) => {
        const line = m.location.start.line;
        const original = report.files[f].source.split('\n')[line - 1]?.trim() ?? '';
        const judged = statuses.find((s) => s.file === f && s.line === line && s.mutator === m.mutatorName && (s.replacement === undefined || s.replacement === m.replacement));
        const status = judged ? `${judged.status}: ${judged.reason}` : m.status === 'NoCoverage' ? 'open: no test runs this line' : 'open: a missing test';
        return `| \`${f}:${line}:${m.location.start.column}\` | ${m.mutatorName} | \`${cell(short(original))}\` | \`${cell(short(m.replacement ?? ''))}\` | ${m.status} | ${cell(status)} |`;
      }),
  );
  const p = report.performance;
  const time = p?.total ? ` Stryker's own timing: ${(p.total / 60_000).toFixed(1)} min in all (initial test run ${((p.initialRun ?? 0) / 1000).toFixed(0)} s, mutants ${((p.mutation ?? 0) / 60_000).toFixed(1)} min).` : '';
  return [
    '# Mutation testing',
    '',
    `Every mutant Stryker makes of the modules below (an operator flipped, a condition forced, a constant or string changed, a block emptied) is run against the vitest suite on its fixed seeds; a mutant is killed when some test fails. ` +
      `The score is detected (killed or timed out) over all valid mutants (detected, survived, not covered). Targets: ≥ 95% for the dropout op, gradient checking, enumeration and statistics modules, ≥ 90% elsewhere.`,
    '',
    `Date: ${meta.date}. Commit: \`${meta.commit}\`. Source: \`${meta.source}\`.${time}${meta.rerun ? ` ${meta.rerun}` : ''}`,
    '',
    `**Overall: ${pct(score(total))}** over ${all.length} mutants (${total.killed} killed, ${total.timeout} timed out, ${total.survived} survived, ${total.noCoverage} not covered, ${total.errors} compile/runtime errors) in ${files.length} ${files.length === 1 ? 'module' : 'modules'}.`,
    '',
    '| module | mutants | killed | timeout | survived | no coverage | errors | score | target | |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    '## Surviving mutants',
    '',
    survivors.length
      ? 'Status: "equivalent" when no test can tell the mutant from the original (the reason says why); "open" is a missing test.'
      : 'None.',
    '',
    ...(survivors.length ? ['| where | mutator | original line | replacement | result | status |', '|---|---|---|---|---|---|', ...survivors, ''] : []),
    '## Reproduce',
    '',
    '```sh',
    'npm ci',
    `npm run mutation${files.length === 1 ? ` -- --mutate ${files[0]}` : ''}   # writes reports/mutation/mutation.{html,json}`,
    meta.rerun ? 'npm run mutation -- --mutate <file>:<from>-<to>,…   # the survivors\' lines again, after new tests' : null,
    meta.rerun ? 'npm run mutation:report -- --in <first run>.json --rerun reports/mutation/mutation.json' : 'npm run mutation:report                       # writes this file',
    '```',
    '',
  ].filter((line) => line !== null).join('\n');
}

function main() {
  if (!existsSync(input)) {
    console.error(`mutation-report: ${input} not found; run \`npm run mutation\` first`);
    process.exit(2);
  }
  let report = JSON.parse(readFileSync(input, 'utf8')) as Report;
  const rerunFile = arg('--rerun', '');
  let rerun: string | undefined;
  if (rerunFile) {
    const first = tally(Object.values(report.files).flatMap((f) => f.mutants));
    const runs = rerunFile.split(',').map((file) => {
      const m = merge(report, JSON.parse(readFileSync(file, 'utf8')) as Report);
      report = m.report;
      return `${m.replaced} mutants (\`${file}\`, ${statSync(file).mtime.toISOString().slice(0, 16).replace('T', ' ')} UTC; ${m.changed} changed verdict)`;
    });
    rerun = `After new tests the survivors' lines were run again: ${runs.join(', then ')}. The first run scored ${pct(score(first))}; the tables show the latest verdict of each mutant.`;
  }
  const statuses: Status[] = existsSync(statusFile) ? JSON.parse(readFileSync(statusFile, 'utf8')) : [];
  const dirty = git('status', '--porcelain', '--untracked-files=no', 'src') !== '' ? ' (with uncommitted changes in src/)' : '';
  const md = render(report, statuses, {
    date: statSync(input).mtime.toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    commit: git('rev-parse', '--short', 'HEAD') + dirty,
    source: input,
    rerun,
  });
  writeFileSync(output, md);
  console.log(`mutation-report: ${output} written`);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) main();
