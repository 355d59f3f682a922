// Keeps a mutation run: a slim copy of Stryker's JSON report (each module's source and every mutant's
// verdict; not the per-test coverage, which is most of its size) in reports/mutation/runs/<name>.json,
// with when the run started and finished and the test files it was narrowed to, so reports/mutation.md
// can be rebuilt from a clean clone.
//
//   npm run mutation -- --mutate src/engine/dropout.ts
//   npm run mutation:save -- dropout        # writes reports/mutation/runs/dropout.json
//   npm run mutation:report -- --in reports/mutation/runs/dropout.json
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type { Report } from './mutation-report.ts';

/** What scripts/stryker.mjs records when a run starts. */
export interface RunMeta {
  started: string;
  tests: string[];
  argv: string[];
}
/** A kept run: the report's fields, and when the run started and how Stryker was called. */
export interface SavedRun extends Report {
  started: string;
  finished: string;
  argv: string[];
}

/** The parts of a run the report reads, and nothing else. */
export function slim(report: Report, meta: RunMeta, finished: string): SavedRun {
  const files: SavedRun['files'] = {};
  for (const [f, { source, mutants }] of Object.entries(report.files)) {
    files[f] = {
      source,
      mutants: mutants.map(({ id, mutatorName, replacement, location, status, statusReason }) => ({
        id,
        mutatorName,
        replacement,
        location: {
          start: { line: location.start.line, column: location.start.column },
          end: { line: location.end.line, column: location.end.column },
        },
        status,
        // the message of a killing assertion can run to pages; its first line says what failed
        statusReason: statusReason?.split('\n')[0].slice(0, 200),
      })),
    };
  }
  return {
    started: meta.started,
    finished,
    ...(meta.tests.length ? { tests: meta.tests } : {}),
    argv: meta.argv,
    ...(report.performance ? { performance: report.performance } : {}),
    files,
  };
}

/** JSON with one mutant per line, so a rerun's diff shows which verdicts changed. */
export function format(run: SavedRun): string {
  const files = Object.entries(run.files).map(
    ([f, { source, mutants }]) =>
      `    ${JSON.stringify(f)}: {\n      "source": ${JSON.stringify(source)},\n      "mutants": [\n${mutants.map((m) => `        ${JSON.stringify(m)}`).join(',\n')}\n      ]\n    }`,
  );
  const head = Object.entries(run)
    .filter(([k]) => k !== 'files')
    .map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
  return `{\n${head.join('\n')}\n  "files": {\n${files.join(',\n')}\n  }\n}\n`;
}

function main() {
  const name = process.argv[2];
  if (!name || !/^[\w.-]+$/.test(name)) {
    console.error(
      `mutation:save: expected a run name (letters, digits, '.', '-', '_') as the first argument, got ${name === undefined ? 'none' : JSON.stringify(name)}`,
    );
    process.exit(2);
  }
  const [input, metaFile] = ['reports/mutation/mutation.json', 'reports/mutation/run.json'];
  for (const f of [input, metaFile]) {
    if (!existsSync(f)) {
      console.error(`mutation:save: ${f} not found; run \`npm run mutation\` first`);
      process.exit(2);
    }
  }
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as RunMeta;
  const finished = statSync(input).mtime;
  if (finished.getTime() < Date.parse(meta.started)) {
    console.error(
      `mutation:save: ${input} (${finished.toISOString()}) is older than the run recorded in ${metaFile} (started ${meta.started}), which did not finish`,
    );
    process.exit(2);
  }
  const out = `reports/mutation/runs/${name}.json`;
  mkdirSync('reports/mutation/runs', { recursive: true });
  writeFileSync(out, format(slim(JSON.parse(readFileSync(input, 'utf8')), meta, finished.toISOString())));
  console.log(`mutation:save: ${out} written`);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) main();
