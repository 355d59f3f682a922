// Writes one experiment's report: reports/<ID>.md with its SVG plots beside it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Experiment, Profile, RunRecord, Verdict } from '../framework/experiment.ts';
import { renderSvg } from './render.ts';

export interface Provenance {
  commit: string;
  node: string;
  profile: Profile;
  date: string;
  command: string;
  /** For runs assembled from shard files: the merge command. */
  assembledBy?: string;
  root: number;
  /** The dtype and matmul kernel the runs computed with (results reproduce bit for bit for the same ones). */
  kernel?: string;
}

export const verdictLabel = (v: Verdict, profile: Profile) => `${v}${profile === 'quick' ? ' (quick)' : ''}`;

export async function writeReport(
  exp: Experiment<any, any>,
  runs: RunRecord[],
  prov: Provenance,
  out: string,
): Promise<{ verdict: Verdict; summary: string; setting: string; files: string[] }> {
  const body = exp.report(runs, prov.profile);
  const stem = exp.id.toLowerCase();
  const files: string[] = [];
  const pictures: string[] = [];
  for (const p of body.plots) {
    const file = `${stem}-${p.name}.svg`;
    writeFileSync(join(out, file), await renderSvg(p.spec));
    files.push(file);
    pictures.push(`![${p.title}](${file})`, '', `*${p.title}.*`, '');
  }
  for (const im of body.images ?? []) {
    const file = `${stem}-${im.name}.png`;
    writeFileSync(join(out, file), im.png);
    files.push(file);
    pictures.push(`![${im.title}](${file})`, '', `*${im.title}.*`, '');
  }
  const compute = runs.reduce((s, r) => s + r.seconds, 0);
  const seeds = new Set(runs.map((r) => r.seed)).size;
  const md = [
    `# ${exp.id}: ${exp.title}`,
    '',
    `**Verdict: ${verdictLabel(body.verdict, prov.profile)}** (${prov.profile} profile) — ${body.summary}.`,
    '',
    `**Setting:** ${body.setting}`,
    '',
    '## Claim',
    '',
    exp.claim,
    '',
    '## Published',
    '',
    exp.published,
    '',
    '## Setup',
    '',
    exp.setup(prov.profile),
    '',
    '## Decision rule (fixed before the runs)',
    '',
    exp.rule(prov.profile),
    '',
    '## Results',
    '',
    body.markdown,
    '',
    ...(pictures.length ? ['## Plots', '', ...pictures] : []),
    '## Deviations from the paper',
    '',
    exp.deviations(prov.profile),
    '',
    '## Provenance',
    '',
    `- profile: ${prov.profile}; ${runs.length} runs (${seeds} seeds); compute time ${(compute / 60).toFixed(1)} min summed over runs`,
    `- commit ${prov.commit}, Node ${prov.node}, generated ${prov.date}`,
    `- computed in ${prov.kernel ?? 'float64 (dtype and kernel not recorded)'}: the same commit, dtype and kernel give the same bits`,
    `- key root ${prov.root}: every run's keys derive from (root, experiment, setting, seed) only, so any sharding reproduces these numbers bit for bit`,
    `- reproduce: \`${prov.command}\`${prov.assembledBy ? ` (these runs were assembled from shard files by \`${prov.assembledBy}\`)` : ''}`,
    '',
  ].join('\n');
  writeFileSync(join(out, `${exp.id}.md`), md);
  return { verdict: body.verdict, summary: body.summary, setting: body.setting, files };
}
