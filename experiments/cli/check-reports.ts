// Checks a report folder: every claim ID in the ledger has a verdict, every experiment report exists
// with all the plots it links, and every plot is a non-empty SVG or PNG. Exit code 1 on any gap.
//   tsx experiments/cli/check-reports.ts <folder>
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CLAIMS } from '../report/claims.ts';
import { EXPERIMENTS } from '../framework/registry.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: tsx experiments/cli/check-reports.ts <report folder>');
const problems: string[] = [];
const ledgerFile = join(dir, 'README.md');
const ledger = existsSync(ledgerFile) ? readFileSync(ledgerFile, 'utf8') : '';
if (!ledger) problems.push(`no ledger ${ledgerFile}`);
for (const c of CLAIMS) {
  const row = ledger.split('\n').find((l) => l.startsWith(`| ${c.id} |`));
  if (!row) problems.push(`ledger: no row for ${c.id}`);
  else if (
    /not run yet|not checked yet|\| — \|$/.test(row) ||
    !/(holds|FAILED|SUPPORTED|NOT REPRODUCED|CONTRADICTED|INCONCLUSIVE)/.test(row.split('|')[3])
  )
    problems.push(`ledger: ${c.id} has no verdict`);
}
for (const e of EXPERIMENTS) {
  const file = join(dir, `${e.id}.md`);
  if (!existsSync(file)) {
    problems.push(`${e.id}: no report ${file}`);
    continue;
  }
  const md = readFileSync(file, 'utf8');
  if (!/\*\*Verdict: (SUPPORTED|NOT REPRODUCED|CONTRADICTED|INCONCLUSIVE)/.test(md))
    problems.push(`${e.id}: the report states no verdict`);
  // the scale belongs next to the verdict, not at the bottom
  if (!/^\*\*Setting:\*\* \S/m.test(md.split('## Claim')[0]))
    problems.push(`${e.id}: no setting line next to the verdict`);
  for (const section of [
    '## Claim',
    '## Published',
    '## Setup',
    '## Decision rule',
    '## Results',
    '## Deviations from the paper',
    '## Provenance',
  ])
    if (!md.includes(section)) problems.push(`${e.id}: no "${section}" section`);
  const images = [...md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
  if (!images.some((f) => f.endsWith('.svg'))) problems.push(`${e.id}: no SVG plot`);
  for (const f of images) {
    const p = join(dir, f);
    if (!existsSync(p) || statSync(p).size === 0) problems.push(`${e.id}: plot ${f} missing or empty`);
    else if (f.endsWith('.svg') && !readFileSync(p, 'utf8').startsWith('<svg'))
      problems.push(`${e.id}: ${f} is not an SVG`);
    else if (f.endsWith('.png') && readFileSync(p).subarray(1, 4).toString() !== 'PNG')
      problems.push(`${e.id}: ${f} is not a PNG`);
  }
}
if (problems.length) {
  console.error(`report check FAILED (${dir}):\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log(
  `report check: ${CLAIMS.length} claims with verdicts, ${EXPERIMENTS.length} experiment reports with their plots (${dir})`,
);
