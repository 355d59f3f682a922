// Turns Stryker's JSON report (reports/mutation/mutation.json, from `npm run mutation`) into
// reports/mutation.md: the score of each module against its target, every surviving mutant with
// file:line, mutator and replacement, and its status (a missing test, or equivalent with the reason
// recorded in scripts/mutation-status.json), with the date and commit.
//
//   npm run mutation:report [-- --in reports/mutation/mutation.json --out reports/mutation.md]
//   npm run mutation:report -- --in reports/mutation/runs/a.json --in reports/mutation/runs/b.json
//   npm run mutation:report -- --in full.json --rerun lines.json
//   npm run mutation:report -- --in a-full.json --in b-full.json --rerun a-lines.json,b-lines.json
//
// --rerun merges a later run over some lines (`--mutate file:from-to`, e.g. after writing the tests
// the survivors asked for): its verdicts replace those of the same mutants in --in. --in may be given
// once per module (or group of modules) run on its own; each module's row then names its own runs. A
// module in two --in runs takes the later one's verdicts (a fresh whole run of it).
// --keep <module> carries that module's row and survivors over from the report being replaced (--out),
// with the date and commit of its runs, when the JSON of those runs is no longer at hand.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';

export interface Mutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  location: { start: { line: number; column: number }; end: { line: number; column: number } };
  status: 'Killed' | 'Survived' | 'NoCoverage' | 'Timeout' | 'CompileError' | 'RuntimeError' | 'Ignored' | 'Pending';
  statusReason?: string;
}
export interface Report {
  files: Record<string, { source: string; mutants: Mutant[] }>;
  performance?: { setup?: number; initialRun?: number; mutation?: number; total?: number };
  /** Set by `npm run mutation:save`: when the run finished, and the test files it was narrowed to. */
  finished?: string;
  tests?: string[];
}
/** A surviving mutant judged by a person: equivalent (no test can tell it apart) or anything else, with a one-line reason. */
interface Status {
  file: string;
  line: number;
  /** Only when two mutants of the same kind share a line. */
  column?: number;
  mutator: string;
  replacement?: string;
  status: string;
  reason: string;
}

const arg = (flag: string, fallback: string) => {
  const i = process.argv.indexOf(flag);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};
/** Every value given for a repeatable flag, in order (commas also separate values). */
const args = (flag: string) =>
  process.argv.flatMap((a, i) => (a === flag && process.argv[i + 1] ? process.argv[i + 1].split(',') : []));
const inputs = args('--in').length ? args('--in') : ['reports/mutation/mutation.json'];
const output = arg('--out', 'reports/mutation.md');
const statusFile = arg('--status', 'scripts/mutation-status.json');

/** The issue's targets: 95% on the dropout op, gradient checking, enumeration and statistics; 90% elsewhere. */
const STRICT = [
  'src/engine/dropout.ts',
  'src/verify/gradcheck.ts',
  'src/verify/gradcheck-tight.ts',
  'src/verify/gradcheck-common.ts',
  'src/verify/enumerate.ts',
  'src/verify/enumerate/walk.ts',
  'src/verify/enumerate/ensemble.ts',
  'src/verify/stats.ts',
  'src/verify/binomial.ts',
];
/** Modules `npm run mutation` leaves out (stryker.config.mjs), and why. */
export const NOT_MUTATED: Record<string, string> = {
  'src/engine/wasm/gemm.wasm.ts':
    'generated WebAssembly bytes, checked by rebuilding them from gemm.as byte for byte (test/engine/wasm.test.ts)',
};
/** A module of comments and `export … from` lines only: Stryker finds nothing in it to mutate. */
/** Whether a module only re-exports (statement by statement, so a list of names may span lines). */
export const reexportsOnly = (source: string) =>
  source
    .replace(/^\s*\/\/.*$/gm, '')
    .split(';')
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .every((s) => s === '' || /^export (\*|\{[^}]*\})( as \w+)? from '[^']+'$/.test(s));
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
/** The text a mutant replaces (columns are 1-based, the end exclusive); a span over several lines is cut at the first line's end. */
export function fragment(source: string, at: Mutant['location']): string {
  const line = source.split('\n')[at.start.line - 1] ?? '';
  return at.end.line === at.start.line
    ? line.slice(at.start.column - 1, at.end.column - 1)
    : `${line.slice(at.start.column - 1).trimEnd()} …`;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ').replace(/`/g, "'");
const short = (s: string, n = 60) => (s.length > n ? s.slice(0, n - 1) + '…' : s);

function git(...args: string[]): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

/** Whether `file` at HEAD differs from its copy at `commit` (the code a run mutated): its row then describes older code. */
export const changedSince = (file: string, commit: string) =>
  /^[0-9a-f]{4,40}$/.test(commit) && git('diff', '--name-only', commit, 'HEAD', '--', file) === file;

const sameMutant = (a: Mutant, b: Mutant) =>
  a.mutatorName === b.mutatorName &&
  a.replacement === b.replacement &&
  ['start', 'end'].every((e) => {
    const [p, q] = [a.location[e as 'start'], b.location[e as 'start']];
    return p.line === q.line && p.column === q.column;
  });

const detected = (status: string) => status === 'Killed' || status === 'Timeout';

/**
 * The base report with the verdicts of a later run over some of its lines (a kill of an unchanged line
 * is never undone by it); returns how many mutants were replaced. A base mutant the rerun did not test whose line reads differently in the rerun's source is
 * dropped: the code it mutated is gone (removed dead code, say), so its old verdict no longer applies;
 * the rerun's own mutants of such rewritten lines are added in their place.
 */
export function merge(
  base: Report,
  rerun: Report,
): { report: Report; replaced: number; changed: number; dropped: number; added: number } {
  let replaced = 0,
    changed = 0,
    dropped = 0,
    added = 0;
  const files: Report['files'] = {};
  for (const [f, entry] of Object.entries(base.files)) {
    const again = rerun.files[f];
    const before = entry.source.split('\n'),
      after = again?.source.split('\n');
    const mutants: Mutant[] = [];
    for (const m of entry.mutants) {
      const r = again?.mutants.find((a) => sameMutant(a, m));
      if (r) {
        replaced++;
        // a rerun runs only the test files that may kill its survivors: a mutant of an unchanged line
        // that the first run's tests killed stays killed when the rerun's fewer tests do not kill it
        const line = m.location.start.line - 1;
        const kept = detected(m.status) && !detected(r.status) && after![line] === before[line];
        const status = kept ? m.status : r.status;
        if (status !== m.status) changed++;
        mutants.push({ ...m, status, statusReason: kept ? m.statusReason : r.statusReason });
      } else if (after && after[m.location.start.line - 1] !== before[m.location.start.line - 1]) dropped++;
      else mutants.push(m);
    }
    // the rerun's mutants of rewritten lines take the place of those dropped
    for (const a of again?.mutants ?? []) {
      const line = a.location.start.line - 1;
      if (after![line] !== before[line] && !entry.mutants.some((m) => sameMutant(a, m))) {
        mutants.push(a);
        added++;
      }
    }
    const at = (m: Mutant) => [m.location.start.line, m.location.start.column];
    mutants.sort((a, b) => at(a)[0] - at(b)[0] || at(a)[1] - at(b)[1]);
    files[f] = { source: again?.source ?? entry.source, mutants };
  }
  return { report: { ...base, files }, replaced, changed, dropped, added };
}

/**
 * The modules of several runs (each run over its own modules) in one report. A module in a later run
 * too takes that run's verdicts: a fresh whole run of the module (after its code was reworked, say)
 * replaces the earlier one as its first run.
 */
export function combine(reports: readonly Report[]): Report {
  const files: Report['files'] = {};
  for (const r of reports) for (const [f, entry] of Object.entries(r.files)) files[f] = entry;
  return { files };
}

/** Where one module's verdicts come from: its first run and the reruns that replaced some of them. */
export interface ModuleRuns {
  /** The first run's date, and its score before any rerun. */
  date: string;
  firstScore: number;
  /** Dates of the reruns that replaced mutants of this module, in order. */
  reruns: string[];
  commit: string;
}

/**
 * A module's verdicts carried over from an earlier reports/mutation.md, when the JSON of its runs is no
 * longer at hand: its counts and survivor rows as they were, with the date and commit of those runs.
 */
export interface Carried {
  file: string;
  mutants: number;
  tally: Tally;
  runs: ModuleRuns;
  survivors: string[];
  /** Its run was narrowed to some test files (marked † in the earlier report). */
  narrowed: boolean;
}

/** Reads one module's row, its survivors, and the date and commit of its runs out of a report this script wrote. */
export function carryOver(md: string, file: string): Carried {
  const lines = md.split('\n');
  const row = lines.find((l) => l.startsWith(`| \`${file}\` |`) || l.startsWith(`| \`${file}\` † |`));
  if (!row)
    throw new Error(`mutation-report: ${file} has no row in the earlier report, so there is nothing to carry over`);
  const cells = row.split(' | ').map((c) => c.replace(/^\| |\s*\|$/g, '').trim());
  const [mutants, killed, timeout, survived, noCoverage, errors] = cells.slice(1, 7).map(Number);
  // "first run's score | date (reruns hh:mm UTC, …) | `commit`", as render writes them
  if (cells.length < 13)
    throw new Error(
      `mutation-report: the earlier report's row for ${file} does not give the date and commit of its runs`,
    );
  const [, date, later] = cells[11].match(/^(.+? UTC)(?: \(reruns (.+)\))?$/) ?? [, cells[11]];
  const runs: ModuleRuns = {
    date: date!,
    firstScore: parseFloat(cells[10]),
    reruns: later ? later.split(', ').map((t) => date!.slice(0, 11) + t) : [],
    commit: cells[12].replace(/`/g, '').replace(/\s*‡$/, ''),
  };
  return {
    file,
    mutants,
    tally: {
      killed,
      timeout,
      survived,
      noCoverage,
      errors,
      ignored: mutants - killed - timeout - survived - noCoverage - errors,
    },
    runs,
    survivors: lines.filter((l) => l.startsWith(`| \`${file}:`)),
    narrowed: row.startsWith(`| \`${file}\` † |`),
  };
}

export function render(
  report: Report,
  statuses: readonly Status[],
  meta: {
    date: string;
    commit: string;
    source: string;
    rerun?: string;
    modules?: Record<string, ModuleRuns>;
    sources?: { file: string; modules: string[]; performance?: Report['performance']; tests?: string[] }[];
    carried?: Carried[];
    unrun?: string[];
    left?: string[];
    command?: string;
  },
): string {
  const carried = meta.carried ?? [];
  const files = [...Object.keys(report.files), ...carried.map((c) => c.file)].sort();
  const summary = (f: string) => {
    const c = carried.find((x) => x.file === f);
    return c
      ? { mutants: c.mutants, t: c.tally, runs: c.runs as ModuleRuns | undefined }
      : { mutants: report.files[f].mutants.length, t: tally(report.files[f].mutants), runs: meta.modules?.[f] };
  };
  const total = files
    .map((f) => summary(f).t)
    .reduce(
      (a, b) => ({
        killed: a.killed + b.killed,
        timeout: a.timeout + b.timeout,
        survived: a.survived + b.survived,
        noCoverage: a.noCoverage + b.noCoverage,
        errors: a.errors + b.errors,
        ignored: a.ignored + b.ignored,
      }),
      tally([]),
    );
  const count = files.reduce((n, f) => n + summary(f).mutants, 0);
  const rows = files.map((f) => {
    const { mutants, t, runs } = summary(f);
    const s = score(t);
    const target = targetOf(f);
    const when = runs
      ? `${pct(runs.firstScore)} | ${runs.date}${runs.reruns.length ? ` (reruns ${runs.reruns.map((d) => d.slice(11)).join(', ')})` : ''} | \`${runs.commit}\`${changedSince(f, runs.commit) ? ' ‡' : ''}`
      : `${pct(s)} | ${meta.date} | \`${meta.commit}\``;
    const narrowed =
      meta.sources?.some((x) => x.tests && x.modules.includes(f)) || carried.some((c) => c.file === f && c.narrowed)
        ? ' †'
        : '';
    return `| \`${f}\`${narrowed} | ${mutants} | ${t.killed} | ${t.timeout} | ${t.survived} | ${t.noCoverage} | ${t.errors} | **${pct(s)}** | ${target}% | ${Number.isNaN(s) ? 'n/a' : s >= target ? 'meets' : '**below**'} | ${when} |`;
  });
  const survivors = files.flatMap((f) => {
    const c = carried.find((x) => x.file === f);
    if (c) return c.survivors;
    return report.files[f].mutants
      .filter((m) => m.status === 'Survived' || m.status === 'NoCoverage')
      .sort(
        (a, b) => a.location.start.line - b.location.start.line || a.location.start.column - b.location.start.column,
      )
      .map((m) => {
        const line = m.location.start.line;
        const original = fragment(report.files[f].source, m.location);
        const judged = statuses.find(
          (s) =>
            s.file === f &&
            s.line === line &&
            (s.column === undefined || s.column === m.location.start.column) &&
            s.mutator === m.mutatorName &&
            (s.replacement === undefined || s.replacement === m.replacement),
        );
        const status = judged
          ? `${judged.status}: ${judged.reason}`
          : m.status === 'NoCoverage'
            ? 'open: no test runs this line'
            : 'open: a missing test';
        return `| \`${f}:${line}:${m.location.start.column}\` | ${m.mutatorName} | \`${cell(short(original))}\` | \`${cell(short(m.replacement ?? ''))}\` | ${m.status} | ${cell(status)} |`;
      });
  });
  const timing = (p: Report['performance']) =>
    p?.total
      ? `Stryker's own timing: ${(p.total / 60_000).toFixed(1)} min in all (initial test run ${((p.initialRun ?? 0) / 1000).toFixed(0)} s, mutants ${((p.mutation ?? 0) / 60_000).toFixed(1)} min)`
      : '';
  const time = timing(report.performance) ? ` ${timing(report.performance)}.` : '';
  const sources = meta.sources?.length
    ? `First runs: ${meta.sources.map((x) => `\`${x.file}\` (${[x.modules.map((f) => `\`${f}\``).join(', '), x.tests ? `tests: only ${x.tests.map((t) => `\`${t}\``).join(', ')}` : '', timing(x.performance)].filter(Boolean).join('; ')})`).join(', ')}.`
    : `Source: \`${meta.source}\`.${time}`;
  const kept = carried.length
    ? ` Carried over from the earlier report, whose run JSON is not kept: ${carried.map((c) => `\`${c.file}\` (run ${c.runs.date} at \`${c.runs.commit}\`)`).join(', ')}; its row and survivors are as that run left them.`
    : '';
  return [
    '# Mutation testing',
    '',
    `Every mutant Stryker makes of the modules below (an operator flipped, a condition forced, a constant or string changed, a block emptied) is run against the vitest suite on its fixed seeds; a mutant is killed when some test fails. ` +
      `The score is detected (killed or timed out) over all valid mutants (detected, survived, not covered). Targets: ≥ 95% for the dropout op, gradient checking, enumeration and statistics modules, ≥ 90% elsewhere.`,
    '',
    `Date: ${meta.date}. Commit: \`${meta.commit}\`. ${sources}${meta.rerun ? ` ${meta.rerun}` : ''}${kept}`,
    '',
    `**Overall: ${pct(score(total))}** over ${count} mutants (${total.killed} killed, ${total.timeout} timed out, ${total.survived} survived, ${total.noCoverage} not covered, ${total.errors} compile/runtime errors) in ${files.length} ${files.length === 1 ? 'module' : 'modules'}.`,
    '',
    ...(meta.unrun?.length
      ? [`Not run yet, so not in the overall score: ${meta.unrun.map((f) => `\`${f}\``).join(', ')}.`, '']
      : []),
    ...(meta.left?.length ? [`Not mutated: ${meta.left.join('; ')}.`, ''] : []),
    "| module | mutants | killed | timeout | survived | no coverage | errors | score | target | | first run's score | run (UTC) | code at |",
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    ...(meta.sources?.some((x) => x.tests) || carried.some((c) => c.narrowed)
      ? [
          "† Run against only the test files its first run names (the modules every audit or engine test calls would otherwise wait on the whole suite for each mutant). A narrower suite can only kill fewer mutants, so this score is a lower bound on the whole suite's.",
          '',
        ]
      : []),
    ...(rows.some((r) => r.endsWith(' ‡ |'))
      ? [
          '‡ The module has changed since the commit its run mutated: the row and its survivors describe the code at that commit, not the code now. Run it again for a score of the code now.',
          '',
        ]
      : []),
    '## Surviving mutants',
    '',
    survivors.length
      ? 'Status: "equivalent" when no test can tell the mutant from the original; "boundary only" when they differ only at an exact floating-point tie that no input reaches; "unreachable" for code valid use never runs; the others name why no test here runs the mutant. The reason says why in each case; "open" is a missing test.'
      : 'None.',
    '',
    ...(survivors.length
      ? [
          '| where | mutator | original | replacement | result | status |',
          '|---|---|---|---|---|---|',
          ...survivors,
          '',
        ]
      : []),
    '## Reproduce',
    '',
    '```sh',
    'npm ci',
    ...(meta.command ? ['# this report, from the runs kept in the repository', meta.command] : []),
    `${meta.command ? '# a module again (prefix DROPCHECK_MUTATION_TESTS=<its test files> for a † run)\n' : ''}npm run mutation -- --mutate ${files.length === 1 ? files[0] : '<file>'} --concurrency 1   # writes reports/mutation/mutation.{html,json}`,
    'npm run mutation:save -- <name>   # keeps it as reports/mutation/runs/<name>.json',
    meta.rerun
      ? "npm run mutation -- --mutate <file>:<from>-<to>,… --concurrency 1   # the survivors' lines again, after new tests"
      : null,
    meta.command
      ? null
      : meta.rerun
        ? `npm run mutation:report -- ${files.length === 1 ? '--in <first run>.json' : '--in <first run of one module>.json --in <of the next>.json …'} --rerun <rerun>.json,…${carried.map((c) => ` --keep ${c.file}`).join('')}`
        : 'npm run mutation:report -- --in reports/mutation/runs/<name>.json   # writes this file',
    '```',
    '',
  ]
    .filter((line) => line !== null)
    .join('\n');
}

/** The test files a run was narrowed to (DROPCHECK_MUTATION_TESTS), as `npm run mutation:save` recorded them; undefined for the whole suite. */
export const testsOf = (run: Report) => (run.tests?.length ? run.tests : undefined);

/**
 * The commit whose copy of `file` is `source`, the code a run mutated: the newest commit that left the
 * file that way (HEAD may have changed the file since), or "uncommitted" when no commit has it.
 */
export function sourceCommit(file: string, source: string): string {
  for (const c of git('log', '--format=%h', '--', file).split('\n').filter(Boolean)) {
    if (git('show', `${c}:${file}`) === source.trim()) return c;
  }
  return 'uncommitted';
}

const minute = (iso: string) => iso.slice(0, 16).replace('T', ' ') + ' UTC';
/** When a run finished: recorded by `npm run mutation:save`, else (Stryker's own JSON) the file's time. */
export const finished = (file: string, run: Report) => minute(run.finished ?? statSync(file).mtime.toISOString());

function main() {
  for (const input of inputs) {
    if (!existsSync(input)) {
      console.error(`mutation-report: ${input} not found; run \`npm run mutation\` first`);
      process.exit(2);
    }
  }
  const firsts = inputs.map((input) => JSON.parse(readFileSync(input, 'utf8')) as Report);
  let report = combine(firsts);
  const dirty =
    git('status', '--porcelain', '--untracked-files=no', 'src') !== '' ? ' (with uncommitted changes in src/)' : '';
  const commit = git('rev-parse', '--short', 'HEAD') + dirty;
  const modules: Record<string, ModuleRuns> = {};
  firsts.forEach((r, i) => {
    for (const f of Object.keys(r.files))
      modules[f] = {
        date: finished(inputs[i], r),
        firstScore: score(tally(r.files[f].mutants)),
        reruns: [],
        commit: '',
      };
  });
  let rerun: string | undefined;
  const rerunFiles = args('--rerun');
  if (rerunFiles.length) {
    const runs = rerunFiles.map((file) => {
      const run = JSON.parse(readFileSync(file, 'utf8')) as Report;
      // a rerun applies to the modules whose first run came before it (not to a fresh whole run since)
      const again = {
        ...run,
        files: Object.fromEntries(
          Object.entries(run.files).filter(([f]) => !modules[f] || modules[f].date <= finished(file, run)),
        ),
      };
      const m = merge(report, again);
      report = m.report;
      for (const f of Object.keys(again.files)) if (modules[f]) modules[f].reruns.push(finished(file, again));
      return `${m.replaced} mutants of ${Object.keys(again.files)
        .map((f) => `\`${f}\``)
        .join(', ')} (\`${file}\`, ${finished(file, again)}${
        testsOf(again)
          ? `, tests: only ${testsOf(again)!
              .map((t) => `\`${t}\``)
              .join(', ')}`
          : ''
      }; ${m.changed} changed verdict${m.dropped ? `; ${m.dropped} dropped with the code they mutated` : ''}${m.added ? `; ${m.added} added from rewritten lines` : ''})`;
    });
    rerun = `After new tests the survivors' lines were run again: ${runs.join(', then ')}. The tables show the latest verdict of each mutant; "first run's score" is each module's score before the reruns.`;
  }
  // each module's code as its latest run saw it, which may be older than HEAD's
  for (const f of Object.keys(modules)) modules[f].commit = sourceCommit(f, report.files[f].source);
  // --keep <module>: that module's row and survivors from the report being replaced (its JSON is gone)
  const carried = args('--keep').map((f) => {
    if (report.files[f])
      throw new Error(`mutation-report: ${f} is both kept from the earlier report and in a run given here`);
    if (!existsSync(output))
      throw new Error(`mutation-report: --keep ${f}: no earlier ${output} to carry it over from`);
    return carryOver(readFileSync(output, 'utf8'), f);
  });
  const unmeasured = (readdirSync('src', { recursive: true }) as string[])
    .map((f) => `src/${f}`)
    .filter((f) => f.endsWith('.ts') && !report.files[f] && !carried.some((c) => c.file === f))
    .sort();
  const reexports = unmeasured.filter((f) => !NOT_MUTATED[f] && reexportsOnly(readFileSync(f, 'utf8')));
  const statuses: Status[] = existsSync(statusFile) ? JSON.parse(readFileSync(statusFile, 'utf8')) : [];
  const md = render(report, statuses, {
    date: firsts
      .map((r, i) => finished(inputs[i], r))
      .sort()
      .at(-1)!,
    commit,
    source: inputs.join(', '),
    rerun,
    modules,
    sources: firsts.map((r, i) => ({
      file: inputs[i],
      // less the modules a later run replaced
      modules: Object.keys(r.files)
        .filter((f) => !firsts.slice(i + 1).some((later) => later.files[f]))
        .sort(),
      performance: r.performance,
      tests: testsOf(r),
    })),
    carried,
    command: [
      'npm run mutation:report --',
      ...inputs.map((f) => `--in ${f}`),
      ...(rerunFiles.length ? [`--rerun ${rerunFiles.join(',')}`] : []),
      ...args('--keep').map((f) => `--keep ${f}`),
    ].join(' '),
    unrun: unmeasured.filter((f) => !NOT_MUTATED[f] && !reexports.includes(f)),
    left: [
      ...unmeasured.filter((f) => NOT_MUTATED[f]).map((f) => `\`${f}\` (${NOT_MUTATED[f]})`),
      ...(reexports.length
        ? [`${reexports.map((f) => `\`${f}\``).join(', ')} (re-exports only, nothing to mutate)`]
        : []),
    ],
  });
  writeFileSync(output, md);
  console.log(`mutation-report: ${output} written`);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) main();
