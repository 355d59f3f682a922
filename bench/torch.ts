// PyTorch in the same `npm run bench` run: bench/torch_step.py times the same MLP step and a 1024
// matmul at float32 and float64 on 1 and 2 threads, in a child process (nothing else of the bench
// runs meanwhile). Optional: without a python3 that imports torch the result says why, and the
// report quotes no PyTorch number. The timings come back as the same Sample type as timing.ts, so
// ratios are medians over medians as everywhere else in the report.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Sample, rate, summarize } from './timing.ts';

export type Dtype = 'float32' | 'float64';

export interface TorchRun {
  dtype: Dtype;
  threads: number;
  /** [ATen threads, OpenBLAS threads (null: not controlled)] as seen while timing. */
  observedThreads: (number | null)[][];
  /** ms per SGD step. */
  step: Sample;
  /** ms per n×n matmul, and the same as GFLOP/s. */
  matmulMs: Sample;
  matmulGflops: Sample;
  lossFirst: number;
  lossLast: number;
}

export interface TorchRan {
  ran: true;
  /** The interpreter that ran it. */
  python: string;
  pythonVersion: string;
  version: string;
  /** BLAS_INFO / LAPACK_INFO from torch.__config__.show(), the MKL line, and what /proc/self/maps shows loaded. */
  blas: {
    built: string | null;
    lapack: string | null;
    mkl: string | null;
    openblasBuild: string | null;
    loaded: string;
    paths: string[];
    openblasConfig: string | null;
    openblasCore: string | null;
    threadsControlled: boolean;
    /** The OpenMP runtime loaded (libgomp, libiomp5, libomp). */
    openmp: string[];
  };
  parallel: { backend: string | null; interopThreads: number; raw: string };
  cpu: { model: string | null; simd: string[] };
  /** OPENBLAS_*, OMP_*, GOMP_*, MKL_*, KMP_* as the child saw them. */
  env: Record<string, string>;
  matmulN: number;
  reps: { warmup: number; reps: number; mmWarmup: number; mmReps: number };
  runs: TorchRun[];
  seconds: number;
}

export type TorchResult = TorchRan | { ran: false; reason: string };

export interface TorchOptions {
  warmup: number;
  reps: number;
  mmWarmup: number;
  mmReps: number;
  threads?: number[];
  /** default: process.env; DROPCHECK_PYTHON there names the only interpreter to try */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** The last non-empty line of a process's output, trimmed ('' when there is none). */
export function lastLine(text: string | null | undefined): string {
  const lines = (text ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return lines.length ? lines[lines.length - 1] : '';
}

/** Interpreters to try, in order: DROPCHECK_PYTHON alone when set, else /usr/bin/python3 then python3 on PATH. */
export function pythonCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const override = env.DROPCHECK_PYTHON?.trim();
  return override ? [override] : ['/usr/bin/python3', 'python3'];
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const nums = (v: unknown, what: string): number[] => {
  if (!Array.isArray(v) || v.length === 0 || !v.every(isNum))
    throw new Error(`${what}: expected a non-empty array of numbers`);
  return v;
};
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * bench/torch_step.py's stdout (one JSON object, on its last line that starts with '{') as a
 * TorchRan, with the repetitions as Samples. Throws on anything malformed.
 */
export function parseTorchOutput(stdout: string, python: string): TorchRan {
  const line = stdout
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.startsWith('{'))
    .pop();
  if (line === undefined) throw new Error('no JSON object in the output');
  const o = JSON.parse(line) as Record<string, any>;
  if (typeof o.torch !== 'string') throw new Error('no torch version in the output');
  const s = o.settings ?? {};
  const n = isNum(s.matmul_n) ? s.matmul_n : 1024;
  const flop = (2 * n ** 3) / 1e6; // per ms → GFLOP/s
  if (!Array.isArray(o.runs) || o.runs.length === 0) throw new Error('no runs in the output');
  const runs: TorchRun[] = o.runs.map((r: Record<string, any>, i: number) => {
    if (r.dtype !== 'float32' && r.dtype !== 'float64')
      throw new Error(`run ${i}: dtype must be float32 or float64, got ${String(r.dtype)}`);
    if (!Number.isSafeInteger(r.threads) || r.threads < 1)
      throw new Error(`run ${i}: threads must be a positive integer`);
    const mmMs = summarize(nums(r.matmul_ms, `run ${i} matmul_ms`));
    return {
      dtype: r.dtype,
      threads: r.threads,
      observedThreads: Array.isArray(r.observed_threads) ? r.observed_threads : [],
      step: summarize(nums(r.step_ms, `run ${i} step_ms`)),
      matmulMs: mmMs,
      matmulGflops: rate(mmMs, flop),
      lossFirst: r.loss_first,
      lossLast: r.loss_last,
    };
  });
  const c = o.config ?? {},
    b = o.blas_loaded ?? {},
    p = o.parallel ?? {};
  return {
    ran: true,
    python,
    pythonVersion: str(o.python) ?? 'unknown',
    version: o.torch,
    blas: {
      built: str(c.blas_info),
      lapack: str(c.lapack_info),
      mkl: str(c.mkl) ?? str(p.mkl),
      openblasBuild: str(c.openblas),
      loaded: str(b.library) ?? 'unknown',
      paths: Array.isArray(b.resolved) ? b.resolved.filter((x: unknown) => typeof x === 'string') : [],
      openblasConfig: str(b.openblas_config),
      openblasCore: str(b.openblas_core),
      threadsControlled: b.openblas_threads_controlled === true,
      openmp: Array.isArray(b.openmp_runtime) ? b.openmp_runtime.filter((x: unknown) => typeof x === 'string') : [],
    },
    parallel: {
      backend: str(p.backend),
      interopThreads: isNum(s.interop_threads) ? s.interop_threads : NaN,
      raw: str(p.raw) ?? '',
    },
    cpu: { model: str(o.cpu?.model), simd: Array.isArray(o.cpu?.simd) ? o.cpu.simd : [] },
    env: o.env && typeof o.env === 'object' ? o.env : {},
    matmulN: n,
    reps: { warmup: s.warmup, reps: s.reps, mmWarmup: s.mm_warmup, mmReps: s.mm_reps },
    runs,
    seconds: isNum(o.seconds) ? o.seconds : NaN,
  };
}

/** The run of that dtype with the lowest median step time (its best thread count), if any. */
export function bestOf(runs: readonly TorchRun[], dtype: Dtype): TorchRun | undefined {
  return runs
    .filter((r) => r.dtype === dtype)
    .reduce<TorchRun | undefined>(
      (best, r) => (best === undefined || r.step.median < best.step.median ? r : best),
      undefined,
    );
}

/** The first candidate interpreter that imports torch, or why there is none. */
export function findTorchPython(env: NodeJS.ProcessEnv = process.env): { python: string } | { reason: string } {
  const missing: string[] = [];
  const failed: string[] = [];
  for (const py of pythonCandidates(env)) {
    const r = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8', timeout: 120_000, env });
    if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') missing.push(py);
    else if (r.error) failed.push(`${py}: ${r.error.message}`);
    else if (r.status === 0) return { python: py };
    else failed.push(`${py}: ${lastLine(r.stderr) || `exit ${r.status ?? r.signal}`}`);
  }
  if (failed.length === 0) return { reason: `no python3 (tried ${missing.join(', ')})` };
  return { reason: `no torch (${failed.join('; ')}${missing.length ? `; not found: ${missing.join(', ')}` : ''})` };
}

/** bench/torch_step.py, next to this file (tsx) or in bench/ beside the bundle's folder (npm run bench). */
function scriptPath(): string | undefined {
  return ['./torch_step.py', '../bench/torch_step.py']
    .map((rel) => fileURLToPath(new URL(rel, import.meta.url)))
    .find((p) => existsSync(p));
}

/**
 * Runs the PyTorch phase (synchronously: the caller runs nothing else meanwhile). OMP_WAIT_POLICY
 * is PASSIVE unless the environment sets it: with libgomp's default spinning, PyTorch's idle OpenMP
 * thread competes for the second core with OpenBLAS's own thread, and its 2-thread step is several
 * times slower than its 1-thread step on a two-core machine.
 */
export function runTorch(options: TorchOptions): TorchResult {
  const env = options.env ?? process.env;
  const found = findTorchPython(env);
  if ('reason' in found) return { ran: false, reason: found.reason };
  const script = scriptPath();
  if (script === undefined) return { ran: false, reason: 'bench/torch_step.py not found' };
  const args = [
    script,
    `--warmup=${options.warmup}`,
    `--reps=${options.reps}`,
    `--mm-warmup=${options.mmWarmup}`,
    `--mm-reps=${options.mmReps}`,
    `--threads=${(options.threads ?? [1, 2]).join(',')}`,
  ];
  const timeoutMs = options.timeoutMs ?? 30 * 60_000;
  const r = spawnSync(found.python, args, {
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 << 20,
    env: { ...env, OMP_WAIT_POLICY: env.OMP_WAIT_POLICY ?? 'PASSIVE' },
  });
  if (r.error)
    return {
      ran: false,
      reason: `script failed: ${(r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT' ? `timed out after ${timeoutMs / 1000} s` : r.error.message}`,
    };
  if (r.status !== 0)
    return {
      ran: false,
      reason: `script failed (${r.status === null ? `signal ${r.signal}` : `exit ${r.status}`}): ${lastLine(r.stderr) || 'no message'}`,
    };
  try {
    return parseTorchOutput(r.stdout, found.python);
  } catch (e) {
    return { ran: false, reason: `script failed: unreadable output (${(e as Error).message})` };
  }
}
