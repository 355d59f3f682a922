// Calibration: reruns every stochastic check of the property suite and the audit's whole battery on
// many seeds, and reports observed false failures (on correct code: expected 0 at the stated α) and
// observed detection rates (broken candidates: expected ≥ the stated power). Every run is a pure
// function of its seed, so the result is the same however many workers share the work.
// Run: npm run calibrate -- --help
// Every finished run is appended to reports/calibration-runs.jsonl (committed, so a calibration of many
// CPU-hours can span machines); --resume skips the runs found there, so a stopped calibration continues
// where it was (the results are the same).
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import { STOCHASTIC } from './stochastic.ts';
import { type DropoutCandidate, auditDropout, engineCandidate } from '../../src/verify/audit/index.ts';

const FIRST = 1_000_000; // seeds FIRST … FIRST + n − 1, away from the defaults of the suite and the audit
const candidatesDir = new URL('../support/candidates/', import.meta.url);
const REFERENCE = ['correct/inverted.ts', 'correct/scale-at-inference.ts']; // the test suite's reference implementations
const ENGINE = ['engine:inverted', 'engine:scale-at-inference'];
const CORRECT = [...ENGINE, ...REFERENCE];
const RUNS = 'reports/calibration-runs.jsonl';
const jobId = (j: Job) =>
  j.kind === 'stochastic' ? `stochastic:${j.check}:${j.seed}` : `audit:${j.candidate}:${j.seed}`;
const BROKEN = readdirSync(new URL('broken/', candidatesDir))
  .filter((f) => f.endsWith('.ts'))
  .sort()
  .map((f) => `broken/${f}`);

type Job = { kind: 'stochastic'; check: number; seed: number } | { kind: 'audit'; candidate: string; seed: number };
type Outcome = { job: Job; ok: boolean; ratio?: number; failed?: string[]; seconds: number };

/**
 * A candidate, the properties its bug must fail, and for a bug whose size depends on the rates an audit
 * draws from its seed, when that size falls below the effect the power is stated for (its misses there
 * are reported, not counted against the power).
 */
async function load(name: string): Promise<{ candidate: DropoutCandidate; catches: string[]; smaller?: string }> {
  if (name.startsWith('engine:'))
    return { candidate: engineCandidate(name.slice(7) as 'inverted' | 'scale-at-inference'), catches: [] };
  const mod = await import(new URL(name, candidatesDir).href);
  return { candidate: mod.default, catches: mod.catches ?? [], smaller: mod.smallerAtSomeSeeds };
}

async function run(job: Job): Promise<Outcome> {
  const t = performance.now();
  if (job.kind === 'stochastic') {
    const r = STOCHASTIC[job.check].run(job.seed);
    return { job, ok: r.ok, ratio: r.observed / r.radius, seconds: (performance.now() - t) / 1000 };
  }
  const { candidate } = await load(job.candidate);
  const r = await auditDropout(candidate, { seed: job.seed });
  return {
    job,
    ok: r.ok,
    failed: r.properties.filter((p) => p.verdict === 'fail').map((p) => p.id),
    seconds: (performance.now() - t) / 1000,
  };
}

const USAGE = `usage: npm run calibrate -- [--seeds N] [--audit-seeds N] [--reference-seeds N] [--broken-seeds N] [--workers N] [--resume | --fresh]

  --seeds N            seeds of each stochastic check of the property suite (default 1000)
  --audit-seeds N      seeds of each audit of the engine's dropout, both conventions (default: --seeds)
  --reference-seeds N  seeds of each audit of the suite's reference candidates (default: --audit-seeds)
  --broken-seeds N     seeds of each audit of a deliberately broken candidate (default 100)
  --workers N          worker threads (default: the machine's cores)
  --resume             keep the runs in ${RUNS} and run only the missing ones
  --fresh              start over, emptying ${RUNS}
  -h, --help           this text

Every finished run is appended to ${RUNS}; when the file already holds runs, one of
--resume or --fresh is required, so no run is thrown away by accident.`;
const FLAGS = new Set(['--resume', '--fresh', '--help', '-h']);
const VALUED = new Set(['--seeds', '--audit-seeds', '--reference-seeds', '--broken-seeds', '--workers']);

/** A bad command line: one line and the usage on stderr, exit 2. */
function usageError(message: string): never {
  process.stderr.write(`calibrate: ${message}\n${USAGE.split('\n')[0]}  (npm run calibrate -- --help for details)\n`);
  process.exit(2);
}

if (!isMainThread) {
  parentPort?.on('message', async (job: Job | null) => {
    if (job === null) process.exit(0);
    parentPort?.postMessage(await run(job));
  });
} else {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    process.exit(0);
  }
  for (let i = 0; i < args.length; i++) {
    if (VALUED.has(args[i])) i++;
    else if (!FLAGS.has(args[i])) usageError(`unknown option ${JSON.stringify(args[i])}`);
  }
  if (args.includes('--resume') && args.includes('--fresh')) usageError('--resume and --fresh exclude each other');
  await main();
}

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const text = process.argv[i + 1];
  const v = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isSafeInteger(v) || v < 0)
    usageError(`${name} expects a non-negative integer, got ${text === undefined ? 'nothing' : JSON.stringify(text)}`);
  return v;
}

/** Runs the jobs on `workers` threads, each pulling the next job when it finishes one. */
async function pool(jobs: Job[], workers: number, progress: (done: number, o: Outcome) => void): Promise<Outcome[]> {
  const out: Outcome[] = new Array(jobs.length);
  let next = 0,
    done = 0;
  await Promise.all(
    Array.from(
      { length: Math.min(workers, jobs.length) },
      () =>
        new Promise<void>((resolve, reject) => {
          const w = new Worker(new URL('./tsx-worker.mjs', import.meta.url), {
            workerData: { module: import.meta.url },
          });
          let current = -1; // the job this worker is running
          const feed = () => {
            if (next >= jobs.length) return void w.postMessage(null);
            current = next++;
            w.postMessage(jobs[current]);
          };
          w.on('message', (o: Outcome) => {
            out[current] = o;
            progress(++done, o);
            feed();
          });
          w.on('error', reject);
          w.on('exit', () => resolve());
          feed();
        }),
    ),
  );
  return out;
}

async function main(): Promise<void> {
  const seeds = option('--seeds', 1000);
  const auditSeeds = option('--audit-seeds', seeds);
  const referenceSeeds = option('--reference-seeds', auditSeeds);
  const brokenSeeds = option('--broken-seeds', 100);
  const workers = option('--workers', Math.max(1, availableParallelism()));
  if (workers === 0) usageError('--workers expects at least 1, got 0');
  const range = (n: number) => Array.from({ length: n }, (_, i) => FIRST + i);
  const jobs: Job[] = [
    ...STOCHASTIC.flatMap((_, check) => range(seeds).map((seed): Job => ({ kind: 'stochastic', check, seed }))),
    ...ENGINE.flatMap((candidate) => range(auditSeeds).map((seed): Job => ({ kind: 'audit', candidate, seed }))),
    ...REFERENCE.flatMap((candidate) => range(referenceSeeds).map((seed): Job => ({ kind: 'audit', candidate, seed }))),
    ...BROKEN.flatMap((candidate) => range(brokenSeeds).map((seed): Job => ({ kind: 'audit', candidate, seed }))),
  ];
  // runs finished earlier (--resume), then the rest, each appended to RUNS as it finishes
  const earlier = new Map<string, Outcome>();
  const held = existsSync(RUNS) ? readFileSync(RUNS, 'utf8').split('\n').filter(Boolean) : [];
  if (held.length > 0 && !process.argv.includes('--resume') && !process.argv.includes('--fresh'))
    usageError(`${RUNS} holds ${held.length} runs: pass --resume to continue them or --fresh to start over`);
  mkdirSync('reports', { recursive: true });
  if (process.argv.includes('--resume')) {
    for (const line of held) {
      const o = JSON.parse(line) as Outcome;
      earlier.set(jobId(o.job), o);
    }
  } else writeFileSync(RUNS, '');
  const todo = jobs.filter((j) => !earlier.has(jobId(j)));
  const t0 = performance.now();
  const tty = process.stderr.isTTY;
  const fresh = await pool(todo, workers, (done, o) => {
    appendFileSync(RUNS, JSON.stringify(o) + '\n');
    if (tty)
      process.stderr.write(
        `\rcalibration: ${done}/${todo.length} runs, ${((performance.now() - t0) / 1000).toFixed(0)} s`,
      );
    else if (done % 100 === 0 || done === todo.length)
      console.error(`calibration: ${done}/${todo.length} runs${earlier.size ? ` (${earlier.size} done before)` : ''}`);
  });
  if (tty) process.stderr.write('\n');
  const byId = new Map(fresh.map((o) => [jobId(o.job), o]));
  const outcomes = jobs.map((j) => earlier.get(jobId(j)) ?? byId.get(jobId(j))!);
  const minutes = (performance.now() - t0) / 60_000;
  const workerMinutes = outcomes.reduce((s, o) => s + o.seconds, 0) / 60;

  const stochastic = STOCHASTIC.map((c, check) => {
    const mine = outcomes.filter((o) => o.job.kind === 'stochastic' && o.job.check === check);
    const failing = mine.filter((o) => !o.ok).map((o) => o.job.seed);
    return {
      claims: c.claims.join(', '),
      name: c.name,
      alpha: c.alpha,
      bound: c.bound,
      n: mine.length,
      failures: failing.length,
      failing,
      worst: Math.max(0, ...mine.map((o) => o.ratio ?? 0)),
      seconds: mine.reduce((s, o) => s + o.seconds, 0),
    };
  });
  const first = await auditDropout(engineCandidate(), { seed: FIRST });
  const alpha = first.falseFailure;
  const { rateError, scaleError, dependence } = first.options;
  const audits = async (names: string[]) =>
    Promise.all(
      names.map(async (name) => {
        const { candidate, catches, smaller } = await load(name);
        const mine = outcomes.filter((o) => o.job.kind === 'audit' && o.job.candidate === name);
        const flagged = mine.filter((o) => !o.ok);
        const caught = (o: Outcome) => catches.every((id) => o.failed?.includes(id));
        const detected = catches.length ? mine.filter(caught).length : 0;
        const falseProps = new Map<string, number>();
        for (const o of flagged) for (const id of o.failed ?? []) falseProps.set(id, (falseProps.get(id) ?? 0) + 1);
        return {
          name,
          label: candidate.name,
          catches,
          n: mine.length,
          flagged: flagged.length,
          detected,
          failedProps: [...falseProps].map(([id, k]) => `${id} ×${k}`),
          failing: flagged.map((o) => o.job.seed).slice(0, 5),
          smaller,
          missed: mine.filter((o) => !caught(o)).map((o) => ({ seed: o.job.seed, failed: o.failed ?? [] })),
          seconds: mine.reduce((s, o) => s + o.seconds, 0),
        };
      }),
    );
  const correct = await audits(CORRECT);
  const broken = await audits(BROKEN);
  // the power each broken candidate's properties state, read from one audit of it
  const stated = await Promise.all(
    broken.map(async (r) => {
      const { candidate } = await load(r.name);
      const props = (await auditDropout(candidate, { seed: FIRST })).properties;
      const power = r.catches.map((id) => `${id}: ${props.find((p) => p.id === id)?.power ?? '?'}`).join('; ');
      return r.smaller ? `${power}; where the bug is that large (${r.smaller})` : power;
    }),
  );
  // one-sided 95% lower bound on a detection rate with no misses, (0.05)^(1/n) (exact binomial)
  const lower = (r: { n: number; detected: number }) =>
    r.n && r.detected === r.n ? `, ≥ ${(0.05 ** (1 / r.n)).toFixed(3)} at 95%` : '';

  const md = `# Calibration

Every statistical check rerun on many seeds (seeds from ${FIRST} up), on correct code and on the
audit's deliberately broken candidates. A correct implementation fails a check with probability at
most its α, so the expected number of false failures is α·seeds (0 in practice); a broken candidate
must be caught at least as often as the stated power. ${jobs.length.toLocaleString('en-US')} runs, ${workerMinutes.toFixed(0)} worker-minutes (each run's wall time in its worker thread, summed; longer when other jobs shared
the machine's cores; ${workers} workers${earlier.size ? `; ${earlier.size.toLocaleString('en-US')} runs resumed from an earlier invocation` : `, ${minutes.toFixed(1)} min wall`}).

## The property suite's stochastic checks (correct engine)

| claims | check | α | bound | seeds | false failures | expected (α·seeds) | largest deviation / radius | worker time |
|---|---|---|---|---|---|---|---|---|
${stochastic.map((r) => `| ${r.claims} | ${r.name} | ${r.alpha.toExponential(1)} | ${r.bound} | ${r.n} | ${r.failures}${r.failing.length ? ` (seeds ${r.failing.slice(0, 5).join(', ')})` : ''} | ${(r.alpha * r.n).toExponential(1)} | ${r.worst.toFixed(3)} | ${r.seconds.toFixed(1)} s |`).join('\n')}

"Largest deviation / radius" below 1 means no seed came near failing.

## The audit on correct candidates (false alarms)

Each audit's false-failure bound is ${alpha.toExponential(2)} (α = 1e-6 split over its statistical tests).

| candidate | seeds | audits failed | expected (bound·seeds) | properties that failed | worker time |
|---|---|---|---|---|---|
${correct.map((r) => `| ${r.label} (\`${r.name}\`) | ${r.n} | ${r.flagged}${r.failing.length ? ` (seeds ${r.failing.join(', ')})` : ''} | ${(alpha * r.n).toExponential(1)} | ${r.failedProps.join(', ') || '—'} | ${r.seconds.toFixed(0)} s |`).join('\n')}

## The audit on broken candidates (detection)

Detected = the audit failed every property the candidate's bug must break (its \`catches\` list).
The power is stated against a drop-rate error of ${rateError}, outputs scaled by 1 ± ${scaleError} and a
difference of ${dependence} in drop probability: a candidate whose bug is at least that large at one of the
rates an audit tests must be detected at least as often as its stated power.

| candidate | bug | must fail | stated power | seeds | detected | rate |
|---|---|---|---|---|---|---|
${broken.map((r, i) => `| \`${r.name.replace('broken/', '')}\` | ${r.label} | ${r.catches.join(', ')} | ${stated[i]} | ${r.n} | ${r.detected} | ${r.n ? (r.detected / r.n).toFixed(3) + lower(r) : '—'} |`).join('\n')}

${
  broken.some((r) => r.missed.length)
    ? `Missed, with the properties that did fail: ${broken
        .filter((r) => r.missed.length)
        .map(
          (r) =>
            `\`${r.name.replace('broken/', '')}\` at seed${r.missed.length > 1 ? 's' : ''} ${r.missed.map((m) => `${m.seed} (${m.failed.join(', ') || 'none'})`).join(', ')}${r.smaller ? ' (not counted: its bug can be below the stated effect)' : ' (counted)'}`,
        )
        .join(
          '; ',
        )}.${broken.some((r) => r.smaller && r.missed.length) ? " A bug whose size depends on the drawn rates is below the stated effect at some seeds (see its power): its misses are listed, not counted against the power, and its detection rate is how often the audit's rates show it." : ''}\n\n`
    : ''
}Reproduce: \`npm run calibrate -- --seeds ${seeds} --audit-seeds ${auditSeeds}${referenceSeeds !== auditSeeds ? ` --reference-seeds ${referenceSeeds}` : ''} --broken-seeds ${brokenSeeds}\`
(add \`--resume\` to continue a stopped run). Every run's outcome is in \`reports/calibration.json\`; a
flagged seed replays alone with \`npx dropcheck audit <candidate> --seed <seed>\`.
`;
  mkdirSync('reports', { recursive: true });
  writeFileSync('reports/calibration.md', md);
  // every run's outcome, so a failure can be replayed by its seed
  writeFileSync(
    'reports/calibration.json',
    JSON.stringify({ seeds, auditSeeds, referenceSeeds, brokenSeeds, workers, workerMinutes, outcomes }) + '\n',
  );
  const falseFailures = stochastic.reduce((s, r) => s + r.failures, 0) + correct.reduce((s, r) => s + r.flagged, 0);
  // misses where the bug was smaller than the stated effect are reported above, not counted here
  const missed = broken.reduce((s, r) => s + (r.smaller ? 0 : r.n - r.detected), 0);
  console.log(
    `calibration: ${falseFailures} false failures, ${missed} missed detections → reports/calibration.md (${minutes.toFixed(1)} min)`,
  );
  if (falseFailures > 0 || missed > 0) process.exitCode = 1;
}
