// bench/torch.ts: the PyTorch phase's pure parts (reading the script's output into Samples, picking
// the best thread count, the interpreters tried), and the "not run" answer without a python3. No
// test here needs torch.
import { describe, expect, it } from 'vitest';
import { bestOf, findTorchPython, lastLine, parseTorchOutput, pythonCandidates, runTorch } from '../../bench/torch.ts';

const run = (dtype: string, threads: number, step: number[], mm: number[]) => ({
  dtype,
  threads,
  observed_threads: [[threads, threads]],
  step_ms: step,
  matmul_ms: mm,
  loss_first: 2.5,
  loss_last: 2.25,
});
const output = (runs: unknown[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    torch: '1.13.0a0',
    python: '3.11.2',
    config: { blas_info: 'generic', lapack_info: 'generic', mkl: null, openblas: null },
    parallel: { raw: 'ATen/Parallel:\n', backend: 'OpenMP', mkl: 'MKL not found' },
    blas_loaded: {
      library: 'OpenBLAS',
      resolved: ['/usr/lib/libopenblasp-r0.3.21.so'],
      openblas_config: 'OpenBLAS 0.3.21',
      openblas_core: 'Haswell',
      openblas_threads_controlled: true,
      openmp_runtime: ['/usr/lib/libgomp.so.1'],
    },
    cpu: { model: 'CPU', simd: ['avx2'] },
    env: { OMP_WAIT_POLICY: 'PASSIVE' },
    settings: { matmul_n: 1024, warmup: 1, reps: 3, mm_warmup: 1, mm_reps: 2, interop_threads: 1 },
    runs,
    seconds: 4.5,
    ...extra,
  });

describe('lastLine', () => {
  it('is the last non-empty line, trimmed', () => {
    expect(
      lastLine('Traceback (most recent call last):\n  File "x"\nModuleNotFoundError: No module named \'torch\'\n\n'),
    ).toBe("ModuleNotFoundError: No module named 'torch'");
    expect(lastLine('a\r\n  b  \r\n')).toBe('b');
  });
  it('is empty for no output', () => {
    expect(lastLine('')).toBe('');
    expect(lastLine(' \n\n')).toBe('');
    expect(lastLine(null)).toBe('');
    expect(lastLine(undefined)).toBe('');
  });
});

describe('pythonCandidates', () => {
  it('tries /usr/bin/python3, then python3 on PATH', () => {
    expect(pythonCandidates({})).toEqual(['/usr/bin/python3', 'python3']);
  });
  it('tries only DROPCHECK_PYTHON when it is set', () => {
    expect(pythonCandidates({ DROPCHECK_PYTHON: ' /opt/py/bin/python ' })).toEqual(['/opt/py/bin/python']);
    expect(pythonCandidates({ DROPCHECK_PYTHON: '' })).toEqual(['/usr/bin/python3', 'python3']);
  });
});

describe('parseTorchOutput', () => {
  const parsed = parseTorchOutput(
    output([run('float32', 1, [20, 10, 30], [10, 20]), run('float64', 2, [40, 50, 60], [30, 30])]),
    '/usr/bin/python3',
  );

  it('makes Samples of the repetitions: median and min–max as timing.ts does', () => {
    const [a, b] = parsed.runs;
    expect(a.step).toMatchObject({ values: [20, 10, 30], median: 20, lo: 10, hi: 30 });
    expect(b.step.median).toBe(50);
    expect(a.matmulMs.median).toBe(15);
  });

  it('turns matmul times into GFLOP/s of an n×n product', () => {
    const gf = (ms: number) => (2 * 1024 ** 3) / 1e6 / ms;
    expect(parsed.runs[0].matmulGflops.median).toBeCloseTo((gf(10) + gf(20)) / 2, 9);
    expect(parsed.runs[1].matmulGflops.median).toBeCloseTo(gf(30), 9);
  });

  it('keeps the version, BLAS and thread facts', () => {
    expect(parsed).toMatchObject({
      ran: true,
      python: '/usr/bin/python3',
      pythonVersion: '3.11.2',
      version: '1.13.0a0',
      matmulN: 1024,
      seconds: 4.5,
      blas: {
        built: 'generic',
        loaded: 'OpenBLAS',
        openblasCore: 'Haswell',
        threadsControlled: true,
        mkl: 'MKL not found',
        paths: ['/usr/lib/libopenblasp-r0.3.21.so'],
        openmp: ['/usr/lib/libgomp.so.1'],
      },
      parallel: { backend: 'OpenMP', interopThreads: 1 },
      env: { OMP_WAIT_POLICY: 'PASSIVE' },
      reps: { warmup: 1, reps: 3, mmWarmup: 1, mmReps: 2 },
    });
    expect(parsed.runs[1]).toMatchObject({
      dtype: 'float64',
      threads: 2,
      observedThreads: [[2, 2]],
      lossFirst: 2.5,
      lossLast: 2.25,
    });
  });

  it('reads the last JSON line, past anything printed before it', () => {
    const p = parseTorchOutput(`a warning\n${output([run('float64', 1, [5], [7])])}\n`, 'python3');
    expect(p.runs[0].step.median).toBe(5);
  });

  it('refuses malformed output', () => {
    expect(() => parseTorchOutput('', 'py')).toThrow(/no JSON/);
    expect(() => parseTorchOutput('{"runs": []}', 'py')).toThrow(/version/);
    expect(() => parseTorchOutput(output([]), 'py')).toThrow(/no runs/);
    expect(() => parseTorchOutput(output([run('float16', 1, [1], [1])]), 'py')).toThrow(/dtype/);
    expect(() => parseTorchOutput(output([run('float32', 0, [1], [1])]), 'py')).toThrow(/threads/);
    expect(() => parseTorchOutput(output([run('float32', 1, [], [1])]), 'py')).toThrow(/step_ms/);
    expect(() => parseTorchOutput(output([run('float32', 1, [1], [NaN])]), 'py')).toThrow(/matmul_ms/);
  });
});

describe('bestOf', () => {
  const { runs } = parseTorchOutput(
    output([
      run('float64', 1, [30], [1]),
      run('float64', 2, [20], [1]),
      run('float32', 1, [5], [1]),
      run('float32', 2, [9], [1]),
    ]),
    'py',
  );
  it('is the run of that dtype with the lowest median step', () => {
    expect(bestOf(runs, 'float64')?.threads).toBe(2);
    expect(bestOf(runs, 'float32')?.threads).toBe(1);
  });
  it('is undefined when that dtype was not run', () => {
    expect(
      bestOf(
        runs.filter((r) => r.dtype === 'float64'),
        'float32',
      ),
    ).toBeUndefined();
  });
});

describe('without a python3', () => {
  const env = { ...process.env, DROPCHECK_PYTHON: '/nonexistent/python3' };
  it('says so, naming what was tried', () => {
    expect(findTorchPython(env)).toEqual({ reason: 'no python3 (tried /nonexistent/python3)' });
  });
  it('runTorch does not run, and says why', () => {
    expect(runTorch({ warmup: 0, reps: 1, mmWarmup: 0, mmReps: 1, env })).toEqual({
      ran: false,
      reason: 'no python3 (tried /nonexistent/python3)',
    });
  });
});
