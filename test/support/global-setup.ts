// Clears the per-file property records before a run and merges them into reports/properties.json
// after it, printing the suite-wide false-failure probability.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type ClaimRecord, fragmentDir } from '../../src/testing/record.ts';

export function setup() {
  process.env.DROPCHECK_RUN = `run-${process.pid}`; // workers inherit it
  rmSync(fragmentDir(), { recursive: true, force: true });
  // a deep run draws its seed here, once, so every test file shares it (workers inherit the variable)
  if (process.env.DROPCHECK_DEEP === '1' && process.env.DROPCHECK_SEED === undefined) {
    process.env.DROPCHECK_SEED = String(Date.now() % 2 ** 31);
    console.log(`deep run: DROPCHECK_SEED=${process.env.DROPCHECK_SEED} (rerun with it to reproduce)`);
  }
}

export function teardown() {
  mergeRecords();
  // the closing line, last of all (after coverage): the counts the summary reporter took
  if (process.env.DROPCHECK_TEST_SUMMARY) console.log(`\ntests: ${process.env.DROPCHECK_TEST_SUMMARY}`);
}

function mergeRecords() {
  const dir = fragmentDir();
  if (!existsSync(dir)) return;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const records: ClaimRecord[] = files.flatMap((f) => JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')) as ClaimRecord[]);
  rmSync(dir, { recursive: true, force: true });
  if (files.length === 0) return;
  const alpha = records.reduce((s, r) => s + (r.alpha ?? 0), 0);
  const seed = records.find((r) => Number.isFinite(r.seed))?.seed ?? null;
  const out = {
    seed,
    deep: process.env.DROPCHECK_DEEP === '1',
    files: files.map((f) => f.replace(/\.json$/, '')),
    suiteFalseFailureBound: alpha,
    records,
  };
  mkdirSync('reports', { recursive: true });
  writeFileSync('reports/properties.json', JSON.stringify(out, null, 1) + '\n');
  const failed = records.filter((r) => r.verdict === 'failed').length;
  console.log(
    `\nproperties: ${records.length} records from ${files.length} files, ${failed} failed; suite-wide false-failure probability ≤ ${alpha.toExponential(2)} (Bonferroni sum of the stated α); seed ${seed} → reports/properties.json`,
  );
}
