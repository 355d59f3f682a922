// Renders reports/properties.json (written by the property suite) into reports/properties.md.
import { writeFileSync } from 'node:fs';
import type { ClaimRecord } from '../../src/testing/record.ts';
import { CLAIMS } from './claims.ts';
import { histogramSvg } from './svg.ts';

export interface PropertiesRun {
  seed: number | null;
  deep: boolean;
  files: string[];
  suiteFalseFailureBound: number;
  records: ClaimRecord[];
}

export interface ClaimSummary {
  id: string;
  verdict: 'holds' | 'contradicted' | 'failed' | 'not checked';
  /** A counterexample was found where the claim says one exists. */
  counterexample: boolean;
  /** What the data contradict, for a 'contradicted' verdict. */
  contradicts: string[];
  properties: number;
  cases: number;
  maxError: number | null;
  /** The distinct references its properties compare against (with why each is independent) and their tolerances. */
  references?: string[];
  tolerances?: string[];
  /** Findings stated beside the verdict (e.g. about a transcribed form of the claim). */
  notes?: string[];
}

export function summarize(run: PropertiesRun): ClaimSummary[] {
  return CLAIMS.filter((c) => c.kind !== 'experiment').map((c) => {
    const rs = run.records.filter((r) => r.claims.includes(c.id));
    const errs = rs.map((r) => r.maxError).filter((e): e is number => e !== null);
    const verdict: ClaimSummary['verdict'] =
      rs.length === 0
        ? 'not checked'
        : rs.some((r) => r.verdict === 'failed')
          ? 'failed'
          : rs.some((r) => r.verdict === 'contradicted')
            ? 'contradicted'
            : 'holds';
    const contradicts = rs.flatMap((r) => (r.verdict === 'contradicted' && r.contradicts ? [r.contradicts] : []));
    const distinct = (xs: (string | undefined)[]) => [...new Set(xs.filter((x): x is string => !!x))];
    return {
      id: c.id,
      verdict,
      counterexample: rs.some((r) => r.verdict === 'refuted-as-expected'),
      contradicts,
      properties: rs.length,
      cases: rs.reduce((s, r) => s + r.cases, 0),
      maxError: errs.length ? Math.max(...errs) : null,
      references: distinct(rs.map((r) => r.reference)),
      tolerances: distinct(rs.map((r) => r.tolerance)),
      notes: distinct(rs.map((r) => r.note)),
    };
  });
}

/** Markdown table cells: a literal | would end the cell. */
export const cell = (s: string) => s.replace(/\|/g, '\\|');
const fmtErr = (e: number | null) => (e === null ? '—' : e === 0 ? '0' : e.toExponential(2));
/** The verdict in words: a counterexample the claim predicts supports it; a contradicted part is named. */
export function verdictText(s: ClaimSummary): string {
  if (s.verdict === 'failed') return '**FAILED**';
  if (s.verdict === 'not checked') return 'not checked yet';
  const cx = s.counterexample ? ' (with the counterexample it predicts, below)' : '';
  const notes = s.notes?.length ? `; ${s.notes.join('; ')}` : '';
  if (s.verdict === 'contradicted') return `**holds in part**${cx}; contradicted: ${s.contradicts.join('; ')}${notes}`;
  return `holds${cx}${notes}`;
}

/** Writes reports/properties.md (and any SVG plots beside it); returns the per-claim summary. */
export function renderProperties(run: PropertiesRun, dir = 'reports'): ClaimSummary[] {
  const summary = summarize(run);
  const titles = new Map(CLAIMS.map((c) => [c.id, c.title]));
  const lines: string[] = [];
  lines.push('# Property suite: the exact, op and convergence claims', '');
  lines.push(
    'Each claim below was checked by properties that can fail: fast-check generates the cases (and shrinks any failure to a small counterexample), exact claims are compared exactly or at a stated tolerance, and statistical checks state their false-failure probability α and the bound it comes from.',
    '',
  );
  lines.push(
    `Seed ${run.seed}${run.deep ? ' (deep run: ten times the cases)' : ''}; suite-wide false-failure probability of the statistical checks ≤ ${run.suiteFalseFailureBound.toExponential(2)} (the Bonferroni sum of their α).`,
    '',
  );
  lines.push(
    '| claim | what it says | verdict | properties | cases | largest error or gap | reference, and why it is independent of the code it judges | tolerance, and where it comes from |',
    '|---|---|---|---|---|---|---|---|',
  );
  const list = (xs: string[] | undefined) => (xs?.length ? xs.map((x) => `• ${x}`).join('<br>') : '—');
  for (const s of summary)
    lines.push(
      `| ${s.id} | ${titles.get(s.id)} | ${cell(verdictText(s))} | ${s.properties} | ${s.cases} | ${fmtErr(s.maxError)} | ${cell(list(s.references))} | ${cell(list(s.tolerances))} |`,
    );
  lines.push('');

  lines.push(
    'Verdicts: *holds* means no property found a counterexample (or, where the claim says one exists, fast-check found it); *holds in part* means a check confirmed that the data contradict the part named; *FAILED* means a check failed.',
    '',
  );
  lines.push(
    '## Every property',
    '',
    '| claims | property | cases | largest error or gap | α (bound) | verdict |',
    '|---|---|---|---|---|---|',
  );
  for (const r of run.records) {
    const stat = r.alpha === undefined ? '—' : `${r.alpha.toExponential(1)} (${r.bound})`;
    lines.push(
      `| ${r.claims.join(', ')} | ${r.property.replace(/\|/g, '\\|')} | ${r.cases} | ${fmtErr(r.maxError)} | ${stat} | ${r.verdict} |`,
    );
  }
  lines.push('');

  const refuted = run.records.filter(
    (r) => r.verdict === 'refuted-as-expected' || (r.verdict === 'failed' && r.counterexample !== undefined),
  );
  if (refuted.length) {
    lines.push('## Counterexamples', '');
    for (const r of refuted) {
      lines.push(`### ${r.claims.join(', ')}: ${r.property}`, '');
      const readable = r.details?.readable;
      if (typeof readable === 'string') lines.push('```', readable.trimEnd(), '```', '');
      lines.push(
        '<details><summary>as found by fast-check (shrunk)</summary>',
        '',
        '```json',
        JSON.stringify(r.counterexample, null, 1) ?? 'none',
        '```',
        '</details>',
        '',
      );
      lines.push(`Replay: \`fc.assert(property, { seed: ${r.seed}${r.path ? `, path: "${r.path}"` : ''} })\`.`, '');
    }
  }

  for (const r of run.records) {
    const gaps = r.details?.distribution as { name: string; values: number[]; xlabel: string } | undefined;
    if (!gaps || !Array.isArray(gaps.values)) continue;
    const file = `${r.claims[0].toLowerCase()}-${gaps.name}.svg`;
    writeFileSync(
      `${dir}/${file}`,
      histogramSvg(gaps.values, { title: `${r.claims[0]}: ${gaps.name}`, xlabel: gaps.xlabel, log10: true }),
    );
    const sorted = [...gaps.values].sort((a, b) => a - b);
    const q = (f: number) => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))];
    lines.push(`## ${r.claims[0]}: ${gaps.name}`, '', `![${gaps.name}](${file})`, '');
    lines.push('| n | min | 10% | median | 90% | max |', '|---|---|---|---|---|---|');
    lines.push(
      `| ${sorted.length} | ${fmtErr(sorted[0])} | ${fmtErr(q(0.1))} | ${fmtErr(q(0.5))} | ${fmtErr(q(0.9))} | ${fmtErr(sorted[sorted.length - 1])} |`,
      '',
    );
  }

  lines.push('## Reproduce', '');
  lines.push(
    `\`DROPCHECK_SEED=${run.seed} npx vitest run test/properties/\` reruns every property on this seed and rewrites reports/properties.json; \`npm start\` reruns it and renders this page. A failing property prints the seed and path that replay its counterexample.`,
    '',
  );
  writeFileSync(`${dir}/properties.md`, lines.join('\n'));
  return summary;
}
