// The dropout that people run, judged by the same audit as the engine's: TensorFlow.js's tf.dropout
// (cpu and wasm backends) and tf.layers.dropout, a pure-Python dropout and PyTorch's own
// F.dropout over `--exec` (PyTorch when python3 can import torch; the report says when it could not).
// Whatever an audit finds is reported as found, with its smallest failing case: reports/audit-frameworks.md.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tfDropout, tfLayersDropout } from '../../src/adapters/tfjs.ts';
import {
  type AuditOptions,
  type AuditResult,
  type DropoutCandidate,
  PROPERTIES,
  auditDropout,
  checkCandidate,
  loadExec,
} from '../../src/verify/audit/index.ts';
import { findTorchPython } from '../../bench/torch.ts';

const PY = fileURLToPath(new URL('../../adapters/python/', import.meta.url));

/** One implementation: how to get it as a candidate and the command or code that reruns its audit. */
export interface Implementation {
  label: string;
  rerun: string;
  /** The candidate and what ends it, or why it could not run here. */
  load(): Promise<{ candidate: DropoutCandidate; close(): void } | { notRun: string }>;
}

type Tf = typeof import('@tensorflow/tfjs');

async function tfjs(backend: 'cpu' | 'wasm'): Promise<Tf> {
  const tf = await import('@tensorflow/tfjs');
  if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js could not set the ${backend} backend`);
  return tf;
}

/** The implementations npm start audits, in the report's column order. */
export function implementations(seed: number): Implementation[] {
  const tfImpl = (label: string, backend: 'cpu' | 'wasm', layers: boolean): Implementation => ({
    label,
    rerun: `\`await tf.setBackend('${backend}'); await auditDropout(${layers ? 'tfLayersDropout' : 'tfDropout'}(tf), { seed: ${seed} })\` (dropcheck/adapters/tfjs)`,
    async load() {
      const tf = await tfjs(backend);
      return { candidate: layers ? tfLayersDropout(tf) : tfDropout(tf), close() {} };
    },
  });
  const exec = (
    label: string,
    python: () => { python: string } | { reason: string },
    args: string,
  ): Implementation => ({
    label,
    rerun: `\`npx dropcheck audit --exec 'python3 adapters/python/${args}' --seed ${seed}\``,
    async load() {
      const found = python();
      if ('reason' in found) return { notRun: found.reason };
      const p = await loadExec(`${found.python} ${join(PY, args)}`, 60_000);
      return { candidate: checkCandidate(p.candidate, label), close: p.close };
    },
  });
  let torch: ReturnType<typeof findTorchPython> | undefined;
  const torchPython = () => (torch ??= findTorchPython());
  const python3 = () => ({ python: 'python3' });
  return [
    tfImpl('tf.dropout, cpu', 'cpu', false),
    tfImpl('tf.dropout, wasm', 'wasm', false),
    tfImpl('tf.layers.dropout, cpu', 'cpu', true),
    exec('pure Python', python3, 'pure_dropout.py'),
    exec('PyTorch float32', torchPython, 'torch_dropout.py --dtype float32'),
    exec('PyTorch float64', torchPython, 'torch_dropout.py --dtype float64'),
  ];
}

type Outcome = { impl: Implementation; result: AuditResult } | { impl: Implementation; notRun: string };

const CELL: Record<string, string> = { pass: 'pass', fail: '**FAIL**', 'not applicable': 'n/a' };

/** Audits each implementation and writes <dir>/audit-frameworks.md; ok when every one that ran passed. */
export async function writeFrameworksReport(
  dir: string,
  seed: number,
  {
    impls = implementations(seed),
    options = {},
    log = console.log,
  }: { impls?: Implementation[]; options?: AuditOptions; log?: (s: string) => void } = {},
): Promise<{ ok: boolean; file: string }> {
  const outcomes: Outcome[] = [];
  for (const impl of impls) {
    let loaded;
    try {
      loaded = await impl.load();
    } catch (e) {
      loaded = { notRun: `could not load: ${(e as Error).message}` };
    }
    if ('notRun' in loaded) {
      outcomes.push({ impl, notRun: loaded.notRun });
      log(`audit of ${impl.label}: not run (${loaded.notRun})`);
      continue;
    }
    try {
      const result = await auditDropout(loaded.candidate, { ...options, seed });
      outcomes.push({ impl, result });
      log(`audit of ${impl.label}: ${result.ok ? 'every property holds' : 'FAILS some properties'}`);
    } finally {
      loaded.close();
    }
  }
  const ran = outcomes.filter((o): o is Extract<Outcome, { result: AuditResult }> => 'result' in o);
  const head = `| property | ${outcomes.map((o) => o.impl.label).join(' | ')} |\n|---|${outcomes.map(() => '---|').join('')}`;
  const rows = PROPERTIES.map(
    ({ id }) =>
      `| ${id} | ${outcomes
        .map((o) => ('notRun' in o ? 'not run' : CELL[o.result.properties.find((p) => p.id === id)!.verdict]))
        .join(' | ')} |`,
  );
  const meta = (label: string, f: (r: AuditResult) => string) =>
    `| ${label} | ${outcomes.map((o) => ('notRun' in o ? '—' : f(o.result))).join(' | ')} |`;
  const sections = outcomes.map((o) => {
    if ('notRun' in o) return `### ${o.impl.label}\n\nNot run: ${o.notRun}.\n`;
    const r = o.result;
    const failed = r.properties.filter((p) => p.verdict === 'fail');
    const verdict =
      failed.length === 0
        ? `Every property that applies holds (${r.properties.filter((p) => p.verdict === 'pass').length}).`
        : `Fails ${failed.length}:\n\n${failed.map((p) => `- **${p.id}**: ${p.evidence}`).join('\n')}\n`;
    return `### ${o.impl.label}\n\n${r.candidate}: ${r.convention} convention, judged in ${r.precision} arithmetic. ${verdict}\n\nRerun: ${o.impl.rerun}.\n`;
  });
  const o = ran[0]?.result.options;
  const power = o
    ? `; each statistical property detects a drop-rate error of ${o.rateError}, outputs scaled by 1 ± ${o.scaleError}, or a dependence of ${o.dependence} in drop probability with probability ≥ ${o.power}`
    : '';
  const file = join(dir, 'audit-frameworks.md');
  writeFileSync(
    file,
    `# Dropout implementations people run, under the audit

The same battery that judges the engine's dropout ([audit.md](audit.md)), run against frameworks'
own dropout through adapters (\`dropcheck/adapters/tfjs\`, and \`dropcheck audit --exec\` with
\`adapters/python\`). A float32 implementation is judged in float32 arithmetic (docs/audit.md,
"Precision"); the statistical properties are the same for all. Audit seed ${seed}, α = ${o?.alpha ?? 1e-6} per
implementation (the probability that a correct implementation fails)${power}. Regenerated by \`npm start\`; whatever an audit finds is
reported as found.

${head}
${rows.join('\n')}
${meta('precision judged', (r) => r.precision)}
${meta('elements', (r) => r.elements.toLocaleString('en'))}

${
  ran.length === outcomes.length
    ? 'Every implementation ran.'
    : `Not run here: ${outcomes
        .filter((o) => 'notRun' in o)
        .map((o) => o.impl.label)
        .join(
          ', ',
        )} (the reason is below; PyTorch needs \`python3 -c 'import torch'\` to work, e.g. Debian's \`python3-torch\`).`
}

## Each implementation

${sections.join('\n')}`,
  );
  return { ok: ran.every((o) => o.result.ok), file };
}
