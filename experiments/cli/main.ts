// The main job: verify the claims and write the reports (usage below, also printed by --help).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLAIMS } from '../report/claims.ts';
import { type DType, configureKernels, kernelInfo } from '../../src/index.ts';
import { DEFAULT_DTYPE, type Profile, type RunRecord, type Verdict, runId, runsIn } from '../framework/experiment.ts';
import { fmtTime, progressPrinter } from '../framework/progress.ts';
import { type ClaimSummary, cell, verdictText } from '../report/report-properties.ts';
import { EXPERIMENTS, experiment } from '../framework/registry.ts';
import { type Provenance, verdictLabel, writeReport } from '../report/report.ts';
import { type RunSpec, defaultWorkers, planPool, planRuns, recordsFor, runAll, shardOf } from '../framework/runner.ts';
import { runProperties } from '../report/verify-properties.ts';
import type { ClassifierResult } from '../mnist/classifier.ts';
import { writeTuning } from '../mnist/tune.ts';
import { TUNING_FILE } from '../mnist/tuned.ts';
import { measureThroughput } from '../framework/throughput.ts';

export const USAGE = `usage: npm start -- [--quick | --standard | --large | --paper] [--only IDS] [--shard i/n] [--tune] [options]
       npm start -- merge <shard files or folders> [options]

  (no flag)        the standard profile: self-check, property suite, every experiment, ledger
  --quick          the pipeline check (about 2 minutes), verdicts marked (quick)
  --large          784-1024-1024-10 nets for X-OVERFIT and M-K50 (hours: run as shards, --out reports/large)
  --paper          the paper's setups as far as they are known (days: run as shards); prints its expected time
  --only IDS       selected experiments, e.g. X-KEEP,M-K50 (the ledger keeps the others' last verdicts)
  --shard i/n      one deterministic share of the runs → <out>/shards/<profile>-i-of-n.json
  merge            assembles reports and the ledger from shard files
  --tune           tunes learning rate, max-norm c and L2 λ per arm on the validation digits → experiments/mnist/tuned.json
  --float64        train in float64 (default float32, as frameworks do)
  --out DIR        where reports go (default reports)
  --workers N      parallel runs (default: both cores; 0 runs in this thread)
  --no-properties  skip the self-check and the property suite
  --dry-run        print the plan and its expected time, run nothing
  -h, --help       this text

environment: DROPCHECK_SEED (key root, default 20261127), DROPCHECK_VERBOSE=1 (each network's errors as it trains)`;

interface Args {
  tune: boolean;
  profile: Profile;
  only?: string[];
  shard?: [number, number];
  out: string;
  workers: number;
  properties: boolean;
  dryRun: boolean;
  merge?: string[];
  dtype: DType;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    tune: false,
    profile: 'standard',
    out: 'reports',
    workers: defaultWorkers(),
    properties: true,
    dryRun: false,
    dtype: DEFAULT_DTYPE,
  };
  const value = (i: number, flag: string) => {
    if (i >= argv.length || argv[i].startsWith('--')) throw new Error(`${flag} needs a value`);
    return argv[i];
  };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    if (['--quick', '--standard', '--large', '--paper'].includes(f)) a.profile = f.slice(2) as Profile;
    else if (f === '--only')
      a.only = value(++i, f)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else if (f === '--shard') {
      const m = /^(\d+)\/(\d+)$/.exec(value(++i, f));
      if (!m) throw new Error(`--shard must look like i/n (e.g. 2/4), got ${argv[i]}`);
      a.shard = [Number(m[1]), Number(m[2])];
      shardOf([], a.shard[0], a.shard[1]); // validates
    } else if (f === '--out') a.out = value(++i, f);
    else if (f === '--workers') {
      a.workers = Number(value(++i, f));
      if (!Number.isSafeInteger(a.workers) || a.workers < 0)
        throw new Error(`--workers must be a non-negative integer, got ${argv[i]}`);
    } else if (f === '--no-properties') a.properties = false;
    else if (f === '--float64') a.dtype = 'float64';
    else if (f === '--dry-run') a.dryRun = true;
    else if (f === '--tune') a.tune = true;
    else if (f === 'merge' && i === 0) a.merge = [];
    else if (a.merge && !f.startsWith('--')) a.merge.push(f);
    else throw new Error(`unknown argument "${f}"`);
  }
  for (const id of a.only ?? []) {
    const e = experiment(id); // validates the id
    if (!a.merge && !a.tune && !runsIn(e, a.profile))
      throw new Error(
        `${id} has no ${a.profile} profile; it runs in ${(e.profiles ?? ['quick', 'standard', 'paper']).join(', ')}`,
      );
  }
  if (a.merge && a.merge.length === 0) throw new Error('merge needs shard files or folders holding them');
  return a;
}

if (process.argv.slice(2).some((a) => a === '--help' || a === '-h')) {
  console.log(USAGE);
  process.exit(0);
}
let args: Args;
try {
  args = parseArgs(process.argv.slice(2));
} catch (e) {
  // one line saying what is wrong, then the usage line; no stack trace
  process.stderr.write(
    `npm start: ${(e as Error).message}\n${USAGE.split('\n')[0]}  (npm start -- --help for details)\n`,
  );
  process.exit(2);
}
const seed = process.env.DROPCHECK_SEED === undefined ? 20261127 : Number(process.env.DROPCHECK_SEED);
if (!Number.isSafeInteger(seed) || seed < 0)
  throw new Error(`DROPCHECK_SEED must be a non-negative integer, got ${process.env.DROPCHECK_SEED}`);
const started = performance.now();
mkdirSync(args.out, { recursive: true });

function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty = execFileSync(
      'git',
      ['status', '--porcelain', '--', 'src', 'experiments', 'package.json', 'package-lock.json'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    ).trim();
    return dirty ? `${head} (with uncommitted changes)` : head;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

/** A shard's runs and what made them: results reproduce bit for bit for the same dtype and kernel (see kernelLine). */
interface ShardFile {
  profile: Profile;
  root: number;
  commit: string;
  shard: [number, number];
  ids: string[];
  records: RunRecord[];
  dtype?: DType;
  kernel?: string;
}

/** The dtype and matmul kernel the runs compute with: two results match bit for bit when these (and the commit) do. */
function kernelLine(dtype: DType): string {
  const k = kernelInfo();
  return `${dtype}, ${k[dtype].kernel} (${k[dtype].arithmetic}), ${k.threads} thread${k.threads === 1 ? '' : 's'} per product`;
}

async function main() {
  // with two runs in parallel both cores are busy, and a product's second thread only competes with the
  // other run (measured: X-KEEP's networks 11–16% faster on one thread each); the bits do not change.
  // Worker threads copy the environment when they start, so they read the setting too.
  if (args.workers >= 2) {
    configureKernels({ threads: 1 });
    process.env.DROPCHECK_THREADS = '1';
  }
  let commit = gitCommit();
  let profile = args.profile;
  let dtype = args.dtype;
  let kernel = kernelLine(dtype);
  let records: RunRecord[];
  let ids: string[];
  // the command that reproduces the numbers: where the reports go (--out) and how many workers run them do not change them
  const given = process.argv
    .slice(2)
    .filter((a, i, all) => !['--out', '--workers'].includes(a) && !['--out', '--workers'].includes(all[i - 1]));
  const command = `${seed === 20261127 ? '' : `DROPCHECK_SEED=${seed} `}npm start -- ${given.join(' ')}`.replace(
    / -- $/,
    '',
  );

  if (args.tune) {
    // tuning on the validation digits: its own runs and report; the chosen values go to experiments/mnist/tuned.json
    const specs = planPool('MNIST-TUNE', profile);
    const cores = Math.max(1, Math.min(args.workers || 1, specs.length));
    const rate = measureThroughput(profile, dtype, cores);
    console.log(
      `tuning (${profile} profile): ${specs.length} runs on the validation digits; measured ${(rate / 1e9).toFixed(2)} G multiply-adds/s → expected ${fmtTime(specs.reduce((s, r) => s + r.cost, 0) / rate)}`,
    );
    if (args.dryRun) return;
    const runs = await runAll(specs, profile, seed, args.workers, progressPrinter(specs), dtype);
    // only the standard profile's choice is used; other profiles' tuning runs are trials written beside their report
    const file = profile === 'standard' ? TUNING_FILE : join(args.out, 'tuned.json');
    writeTuning(
      runs as RunRecord<ClassifierResult>[],
      profile,
      args.out,
      file,
      `Computed by \`${command}\` at commit ${commit}, ${kernel}, key root ${seed}, ${new Date().toISOString().slice(0, 10)}.`,
    );
    console.log(`tuning → ${join(args.out, 'tuning.md')} and ${file}`);
    return;
  }
  if (args.merge) {
    // merge: every shard file given (or found in the folders given), checked for one profile and one key root
    const files = args.merge.flatMap((p) =>
      statSync(p).isDirectory()
        ? readdirSync(p)
            .filter((f) => f.endsWith('.json'))
            .map((f) => join(p, f))
        : [p],
    );
    const shards = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as ShardFile);
    if (!shards.length) throw new Error(`merge: no shard files in ${args.merge.join(', ')}`);
    profile = shards[0].profile;
    for (const s of shards) {
      if (s.profile !== profile || s.root !== shards[0].root)
        throw new Error(
          `merge: shards disagree (profile ${s.profile} vs ${profile}, key root ${s.root} vs ${shards[0].root})`,
        );
      if ((s.dtype ?? 'float64') !== (shards[0].dtype ?? 'float64'))
        throw new Error(
          `merge: shards trained in different dtypes (${s.dtype ?? 'float64'} vs ${shards[0].dtype ?? 'float64'}); rerun one of them`,
        );
      if (s.root !== seed)
        throw new Error(`merge: the shards used key root ${s.root}; run merge with DROPCHECK_SEED=${s.root}`);
    }
    ids = [...new Set(shards.flatMap((s) => s.ids))];
    const byId = new Map<string, RunRecord>();
    for (const r of shards.flatMap((s) => s.records)) byId.set(runId(r), r);
    const missing = planRuns(ids, profile).filter((s) => !byId.has(runId(s)));
    if (missing.length)
      throw new Error(
        `merge: ${missing.length} runs missing, e.g. ${missing.slice(0, 5).map(runId).join(', ')} (did every shard finish?)`,
      );
    records = planRuns(ids, profile).map((s) => byId.get(runId(s))!);
    commit = [...new Set(shards.map((s) => s.commit))].join(' + '); // the code that ran them, not the code that merges
    dtype = shards[0].dtype ?? 'float64';
    kernel = [...new Set(shards.map((s) => s.kernel ?? 'unknown'))].join(' + ');
    console.log(
      `merge: ${records.length} runs of ${ids.join(', ')} from ${shards.length} shard files (${profile} profile)`,
    );
  } else {
    ids = args.only ?? EXPERIMENTS.filter((e) => runsIn(e, profile)).map((e) => e.id);
    const all = planRuns(ids, profile);
    const specs: RunSpec[] = args.shard ? shardOf(all, args.shard[0], args.shard[1]) : all;
    const cores = Math.max(1, Math.min(args.workers || 1, specs.length));
    const rate = measureThroughput(profile, dtype, cores);
    const expected = specs.reduce((s, r) => s + r.cost, 0) / rate;
    console.log(
      `${profile} profile: ${specs.length} runs of ${ids.join(', ')}${args.shard ? ` (shard ${args.shard.join('/')} of ${all.length} runs)` : ''} on ${cores} worker${cores > 1 ? 's' : ''}; measured ${(rate / 1e9).toFixed(2)} G multiply-adds/s (${dtype} training steps) → expected ${fmtTime(expected)}${args.properties && !args.shard ? ' plus about a minute for the property suite' : ''}`,
    );
    if (profile === 'large' || profile === 'paper')
      console.log(
        `${profile} profile: hours to days on this machine; run it as shards (--shard i/n) and merge them (interrupt with Ctrl-C).`,
      );
    if (args.dryRun) return;
    if (!args.shard && args.properties) propertiesOk = await runProperties(args.out, seed, commit, profile === 'quick');
    records = await runAll(specs, profile, seed, args.workers, progressPrinter(specs), dtype);
    if (!args.shard) {
      // every run's raw results, so the reports can be re-rendered without rerunning: npm start -- merge .cache/runs/<file>
      mkdirSync('.cache/runs', { recursive: true });
      const payload: ShardFile = { profile, root: seed, commit, shard: [1, 1], ids, records, dtype, kernel };
      writeFileSync(`.cache/runs/${profile}-1-of-1.json`, JSON.stringify(payload));
    }
    if (args.shard) {
      const dir = join(args.out, 'shards');
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `${profile}-${args.shard[0]}-of-${args.shard[1]}.json`);
      const payload: ShardFile = { profile, root: seed, commit, shard: args.shard, ids, records, dtype, kernel };
      writeFileSync(file, JSON.stringify(payload));
      console.log(
        `shard ${args.shard.join('/')}: ${records.length} runs → ${file} (${fmtTime((performance.now() - started) / 1000)}); assemble with: npm start -- merge ${dir}`,
      );
      return;
    }
  }
  if (args.merge && args.properties) propertiesOk = await runProperties(args.out, seed, commit, profile === 'quick');

  // experiment reports, and the record of the latest verdict per experiment (for partial runs)
  const prov: Provenance = {
    commit,
    node: process.version,
    profile,
    date: new Date().toISOString().slice(0, 10),
    command,
    root: seed,
    kernel,
  };
  const statusFile = join(args.out, 'experiments.json');
  const status: Record<string, Status> = existsSync(statusFile) ? JSON.parse(readFileSync(statusFile, 'utf8')) : {};
  for (const id of ids) {
    const runs = recordsFor(id, profile, records); // experiments that share networks report on the same runs
    // merged runs: the one command that reruns them unsharded (same numbers), and how they were assembled
    const rerun =
      `${seed === 20261127 ? '' : `DROPCHECK_SEED=${seed} `}npm start${profile === 'standard' ? ' --' : ` -- --${profile}`} --only ${id}`.replace(
        ' -- --only',
        ' -- --only',
      );
    const r = await writeReport(
      experiment(id),
      runs,
      args.merge ? { ...prov, command: rerun, assembledBy: command } : prov,
      args.out,
    );
    status[id] = {
      verdict: r.verdict,
      summary: r.summary,
      setting: r.setting,
      profile,
      commit,
      date: prov.date,
      files: [`${id}.md`, ...r.files],
    };
    console.log(`${id}: ${verdictLabel(r.verdict, profile)} — ${r.summary} → ${join(args.out, `${id}.md`)}`);
  }
  writeFileSync(statusFile, JSON.stringify(status, null, 1) + '\n');
  writeLedger(args.out, status);
  console.log(`claim ledger → ${join(args.out, 'README.md')} (${fmtTime((performance.now() - started) / 1000)})`);
  if (!propertiesOk) {
    console.error('some claims FAILED verification: see the self-check and properties reports');
    process.exitCode = 1;
  }
}
let propertiesOk = true;

/** The latest verdict of an experiment in one output folder (experiments.json). */
interface Status {
  verdict: Verdict;
  summary: string;
  setting?: string;
  profile: Profile;
  commit: string;
  date: string;
  files?: string[];
}

/** Profiles whose reports live in a subfolder of the ledger's (run as shards: npm start -- --large --out reports/large). */
const SUBFOLDERS = ['large', 'paper'] as const;

function writeLedger(out: string, status: Record<string, Status>) {
  const summaries: ClaimSummary[] = existsSync(join(out, 'properties-summary.json'))
    ? JSON.parse(readFileSync(join(out, 'properties-summary.json'), 'utf8')).summary
    : [];
  const propMeta = existsSync(join(out, 'properties-summary.json'))
    ? JSON.parse(readFileSync(join(out, 'properties-summary.json'), 'utf8'))
    : null;
  const byId = new Map(summaries.map((s) => [s.id, s]));
  const sub = SUBFOLDERS.map((dir) => ({
    dir,
    status: (existsSync(join(out, dir, 'experiments.json'))
      ? JSON.parse(readFileSync(join(out, dir, 'experiments.json'), 'utf8'))
      : {}) as Record<string, Status>,
  }));
  const rows = CLAIMS.map((c) => {
    const s = byId.get(c.id),
      e = status[c.id];
    const parts: string[] = [],
      where: string[] = [],
      when: string[] = [],
      settings: string[] = [];
    if (s) {
      parts.push(verdictText(s));
      where.push('[properties](properties.md)');
      when.push(`${propMeta.date}, ${propMeta.commit}, property suite`);
    }
    const experimental = [
      ...(e ? [{ e, dir: '' }] : []),
      ...sub.filter((x) => x.status[c.id]).map((x) => ({ e: x.status[c.id], dir: `${x.dir}/` })),
    ];
    for (const { e: x, dir } of experimental) {
      parts.push(
        `${s ? 'in practice: ' : ''}${dir ? `${x.profile} profile: ` : ''}**${verdictLabel(x.verdict, x.profile)}** (${x.summary})`,
      );
      where.push(`[${dir}${c.id}.md](${dir}${c.id}.md)`);
      when.push(`${x.date}, ${x.commit}, ${x.profile} profile`);
      settings.push(`${experimental.length > 1 ? `${x.profile}: ` : ''}${x.setting ?? 'not recorded'}`);
    }
    return `| ${c.id} | ${c.title} | ${cell(parts.join('; ') || 'not run yet')} | ${cell(settings.join(' ') || (s ? 'exact (property suite)' : '—'))} | ${where.join(', ') || '—'} | ${cell(when.join('; ') || '—')} |`;
  });
  writeFileSync(
    join(out, 'README.md'),
    `# Claim ledger

Every claim this project verifies, with its current verdict, the setting it was reached in, and the
evidence. Exact, op and convergence claims are checked by the property suite; experimental claims by
experiments on real MNIST digits, each with a decision rule stated before its runs. Verdicts:
SUPPORTED (the claim's prediction held); NOT REPRODUCED (it did not appear in a setting that differs
from the paper's: not evidence against the paper); CONTRADICTED (it failed in the paper's own
setting, or where the report argues scale cannot explain it); INCONCLUSIVE. "(quick)" marks a
pipeline-check verdict. The setting column states the scale: read a verdict only with it.
Regenerate with \`npm start\` (key root ${seed}).

| claim | what it says | verdict | setting | evidence | date, commit, profile |
|---|---|---|---|---|---|
${rows.join('\n')}

The engine's own self-check: [self-check.md](self-check.md); the engine's dropout judged by the
audit battery (\`dropcheck audit\`), both conventions: [audit.md](audit.md); the dropout of TF.js,
PyTorch and a pure-Python implementation under the same audit: [audit-frameworks.md](audit-frameworks.md).
`,
  );
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
