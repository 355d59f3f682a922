// Plans the (experiment, setting, seed) runs of a profile, picks a shard's share, and executes runs
// in worker threads. A run's result depends only on its keys, so any split gives the same numbers.
import { cpus } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { DType } from '../../src/index.ts';
import { DEFAULT_DTYPE, DEFAULT_PROFILES, type Profile, type RunRecord, runId, runKeys, runsIn } from './experiment.ts';
import { loadDigits } from '../mnist/data.ts';
import { experiment, runnable } from './registry.ts';

export interface RunSpec {
  experiment: string;
  setting: string;
  seed: number;
  /** Estimated multiply-adds. */
  cost: number;
}

/** Every run of the chosen experiments, in canonical order (experiment, setting in plan order, seed). */
export function planRuns(ids: readonly string[], profile: Profile): RunSpec[] {
  const seen = new Set<string>();
  const specs: RunSpec[] = [];
  for (const id of ids) {
    const e = experiment(id);
    if (!runsIn(e, profile))
      throw new RangeError(
        `${id} has no ${profile} profile; it runs in ${(e.profiles ?? DEFAULT_PROFILES).join(', ')}`,
      );
    // an experiment that reports on a pool's networks plans those settings; a run shared by several experiments runs once
    const shared = e.runsOf?.(profile);
    const source = runnable(shared ? shared.pool : id);
    const plan = source.plan(profile);
    for (const name of shared?.settings ?? [])
      if (!plan.settings.some((s) => s.name === name))
        throw new RangeError(
          `${id} reports on setting "${name}" of ${source.id}, which its ${profile} plan does not hold`,
        );
    for (const s of plan.settings.filter((s) => !shared || shared.settings.includes(s.name))) {
      for (let seed = 1; seed <= plan.seeds; seed++) {
        const spec = { experiment: source.id, setting: s.name, seed, cost: source.cost(s, profile) };
        if (!seen.has(runId(spec))) (specs.push(spec), seen.add(runId(spec)));
      }
    }
  }
  return specs;
}

/** Every run of one pool (e.g. the tuning grid), in plan order. */
export function planPool(id: string, profile: Profile): RunSpec[] {
  const pool = runnable(id),
    plan = pool.plan(profile);
  return plan.settings.flatMap((s) =>
    Array.from({ length: plan.seeds }, (_, i) => ({
      experiment: id,
      setting: s.name,
      seed: i + 1,
      cost: pool.cost(s, profile),
    })),
  );
}

/** The records an experiment's report is computed from: its own runs, or the pool settings it shares. */
export function recordsFor(id: string, profile: Profile, records: readonly RunRecord[]): RunRecord[] {
  const shared = experiment(id).runsOf?.(profile);
  return records.filter((r) =>
    shared ? r.experiment === shared.pool && shared.settings.includes(r.setting) : r.experiment === id,
  );
}

/** Shard i of n (1-based): the runs at positions ≡ i − 1 (mod n) of the canonical order. */
export function shardOf<T>(runs: readonly T[], i: number, n: number): T[] {
  if (!Number.isSafeInteger(n) || n < 1 || !Number.isSafeInteger(i) || i < 1 || i > n)
    throw new RangeError(`--shard must be i/n with 1 ≤ i ≤ n, got ${i}/${n}`);
  return runs.filter((_, j) => j % n === i - 1);
}

/** Executes one run in this thread. */
export function executeRun(
  spec: { experiment: string; setting: string; seed: number },
  profile: Profile,
  root: number,
  dtype: DType = DEFAULT_DTYPE,
): RunRecord {
  const e = runnable(spec.experiment);
  const setting = e.plan(profile).settings.find((s) => s.name === spec.setting);
  if (!setting) throw new RangeError(`${spec.experiment} has no setting "${spec.setting}" in the ${profile} profile`);
  const started = performance.now();
  const result = e.run(setting, spec.seed, {
    profile,
    dtype,
    ...runKeys(root, spec.experiment, spec.setting, spec.seed),
  });
  return {
    experiment: spec.experiment,
    setting: spec.setting,
    seed: spec.seed,
    result,
    seconds: (performance.now() - started) / 1000,
  };
}

export interface Progress {
  done: RunSpec[];
  total: RunSpec[];
  last?: RunRecord;
  elapsed: number;
}

/**
 * Runs the specs on `workers` threads (largest estimated cost first, so the tail is short) and
 * returns the records in canonical order. workers = 0 runs them in this thread.
 */
export async function runAll(
  specs: readonly RunSpec[],
  profile: Profile,
  root: number,
  workers: number,
  onProgress?: (p: Progress) => void,
  dtype: DType = DEFAULT_DTYPE,
): Promise<RunRecord[]> {
  const started = performance.now();
  const queue = [...specs].sort((a, b) => b.cost - a.cost || (runId(a) < runId(b) ? -1 : 1));
  const records = new Map<string, RunRecord>();
  const done: RunSpec[] = [];
  const finished = (spec: RunSpec, rec: RunRecord) => {
    records.set(runId(spec), rec);
    done.push(spec);
    onProgress?.({ done, total: [...specs], last: rec, elapsed: (performance.now() - started) / 1000 });
  };
  if (workers <= 0) {
    for (const spec of queue) finished(spec, executeRun(spec, profile, root, dtype));
  } else {
    loadDigits(); // read and check the MNIST files here first, so a bad file fails once, before any worker starts
    const n = Math.max(1, Math.min(workers, queue.length));
    await Promise.all(
      Array.from(
        { length: n },
        () =>
          new Promise<void>((resolve, reject) => {
            const w = new Worker(BOOT, { eval: true });
            let current: RunSpec | undefined;
            const next = () => {
              current = queue.shift();
              if (!current) {
                void w.terminate().then(() => resolve());
                return;
              }
              w.postMessage({ spec: current, profile, root, dtype });
            };
            w.on('message', (msg: { record?: RunRecord; error?: string }) => {
              if (msg.error !== undefined) {
                queue.length = 0;
                void w.terminate();
                reject(new Error(`run ${runId(current!)} failed: ${msg.error}`));
                return;
              }
              finished(current!, msg.record!);
              next();
            });
            w.on('error', reject);
            next();
          }),
      ),
    );
  }
  return specs.map((s) => records.get(runId(s))!);
}

// Worker threads do not inherit tsx's loader: register it, then load the TypeScript worker.
const BOOT = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(new URL('./worker.ts', import.meta.url).href)}); });`;

export const defaultWorkers = () => Math.max(1, Math.min(2, cpus().length));
