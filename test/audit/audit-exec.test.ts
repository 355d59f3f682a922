// Candidates in other languages: `dropcheck audit --exec '<command>'` and its binary frames. The
// frames are checked byte by byte; the Python helper (adapters/python/dropcheck_exec.py) and the
// pure-Python dropout are audited at small sample sizes (the full-size audits run in `npm start`,
// reports/audit-frameworks.md), with broken Python candidates that must fail their property, a vjp
// that loops forever stopped at the timeout, and programs that are not candidates refused.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCli as run } from '../support/cli.ts';
import { type AuditOptions, auditDropout, checkCandidate } from '../../src/verify/audit/index.ts';
import { answerLength, decodeAnswer, encodeCall, loadExec } from '../../src/verify/audit/exec.ts';
import { findTorchPython } from '../../bench/torch.ts';

const here = (p: string) => new URL(p, import.meta.url).pathname;
const python = spawnSync('python3', ['--version']).status === 0;
const program = (file: string) => `python3 ${here(`../support/candidates/exec/${file}`)}`;
const PURE = `python3 ${here('../../adapters/python/pure_dropout.py')}`;
const SMALL: AuditOptions = { alpha: 1e-3, rateError: 0.1, scaleError: 0.1, dependence: 0.2, power: 0.9 };

async function audit(command: string, options: AuditOptions) {
  const exec = await loadExec(command, options.timeoutMs ?? 30_000);
  try {
    const result = await auditDropout(checkCandidate(exec.candidate, command), options);
    const ids = (v: string) => result.properties.filter((p) => p.verdict === v).map((p) => p.id);
    return { result, failed: ids('fail'), na: ids('not applicable') };
  } finally {
    exec.close();
  }
}

describe('the --exec frames', () => {
  it('a call: op, training, seed, n, rate, then x (and dy for a vjp), little-endian', () => {
    const x = Float64Array.of(1.5, -2),
      dy = Float64Array.of(0.25, 4);
    const f = encodeCall('forward', x, 0.3, true, 2 ** 31 - 1);
    expect(f.length).toBe(24 + 16);
    expect([f.readUInt32LE(0), f.readUInt32LE(4), f.readUInt32LE(8), f.readUInt32LE(12)]).toEqual([
      1,
      1,
      2 ** 31 - 1,
      2,
    ]);
    expect(f.readDoubleLE(16)).toBe(0.3);
    expect([f.readDoubleLE(24), f.readDoubleLE(32)]).toEqual([1.5, -2]);
    const v = encodeCall('vjp', x.subarray(1), 0.5, false, 7, dy.subarray(1));
    expect(v.length).toBe(24 + 16);
    expect([v.readUInt32LE(0), v.readUInt32LE(4), v.readUInt32LE(8), v.readUInt32LE(12)]).toEqual([2, 0, 7, 1]);
    // subarrays are read from their own offset
    expect([v.readDoubleLE(24), v.readDoubleLE(32)]).toEqual([-2, 4]);
  });

  const header = (status: number, width: number, n: number) => {
    const b = Buffer.alloc(16);
    b.writeUInt32LE(status, 0);
    b.writeUInt32LE(width, 4);
    b.writeUInt32LE(n, 8);
    return b;
  };

  it('an answer of float64 or float32 values, read once all its bytes are in; the rest is left for the next', () => {
    const body = Buffer.from(Float64Array.of(2, -0, NaN).buffer);
    const whole = Buffer.concat([header(0, 8, 3), body, Buffer.from([9])]);
    for (let cut = 0; cut < 16 + 24; cut++) expect(decodeAnswer(whole.subarray(0, cut))).toBeNull();
    const got = decodeAnswer(whole)!;
    expect(got.used).toBe(40);
    expect(got.answer.ok && got.answer.y).toEqual(Float64Array.of(2, -0, NaN));
    const f32 = decodeAnswer(Buffer.concat([header(0, 4, 2), Buffer.from(Float32Array.of(0.1, 3).buffer)]))!;
    expect(f32.answer.ok && f32.answer.y).toEqual(Float32Array.of(0.1, 3));
    expect(f32.used).toBe(24);
  });

  it('the length of the answer at the front, from its header, so chunks are joined once per answer', () => {
    expect(answerLength(Buffer.alloc(5))).toBe(16);
    expect(answerLength(Buffer.concat([header(0, 8, 7_000_000), Buffer.alloc(3)]))).toBe(16 + 56_000_000);
    expect(answerLength(header(0, 4, 3))).toBe(16 + 12);
    expect(answerLength(header(1, 0, 40))).toBe(16 + 40);
    // headers that decodeAnswer refuses need only themselves
    expect(answerLength(header(1, 0, 2 ** 20))).toBe(16);
    expect(answerLength(header(0, 2, 10))).toBe(16);
    expect(answerLength(header(7, 8, 10))).toBe(16);
  });

  it('a refusal carries its message; a header that is not the protocol throws', () => {
    const text = Buffer.from('ValueError: rate must be in [0, 1), got 1.5');
    expect(decodeAnswer(Buffer.concat([header(1, 0, text.length), text.subarray(0, 5)]))).toBeNull();
    const got = decodeAnswer(Buffer.concat([header(1, 0, text.length), text]))!;
    expect(got.answer).toEqual({ ok: false, message: 'ValueError: rate must be in [0, 1), got 1.5' });
    expect(() => decodeAnswer(header(2, 8, 1))).toThrow('got status 2, width 8');
    expect(() => decodeAnswer(header(0, 2, 1))).toThrow('width 4 or 8');
    expect(() => decodeAnswer(header(1, 0, 2 ** 20))).toThrow('a refusal of 1048576 bytes');
  });
});

describe.skipIf(!python)('Python candidates over --exec (python3 on PATH)', () => {
  it('the pure-Python inverted dropout passes every property that applies', async () => {
    const { result, failed, na } = await audit(PURE, SMALL);
    expect(result.candidate).toBe('inverted dropout in pure Python (random.Random)');
    expect(result.precision).toBe('float64');
    expect(failed).toEqual([]);
    // it refuses rate 1 (allowed), and its refusals reach the audit as errors
    expect(na).toEqual(['rate-one']);
    expect(result.properties.find((p) => p.id === 'invalid-rates')!.verdict).toBe('pass');
  }, 60_000);

  it('each broken Python candidate fails its property', async () => {
    expect((await audit(program('vjp_unscaled.py'), SMALL)).failed).toEqual(['vjp-mask', 'vjp-finite-differences']);
    // 1/16 quantization is an error of 0.0125–0.025 in the drop rate: audited at that effect size
    const q = await audit(program('rate_quantized.py'), { ...SMALL, rateError: 0.02, scaleError: 0.02 });
    expect(q.failed).toEqual(['drop-frequency', 'expectation']);
  }, 90_000);

  it('a vjp that never answers is stopped at the timeout; the other properties are judged', async () => {
    const started = performance.now();
    const { result, failed } = await audit(program('vjp_hangs.py'), { ...SMALL, timeoutMs: 1000 });
    expect(failed).toEqual(['vjp-mask', 'vjp-finite-differences']);
    for (const id of failed)
      expect(result.properties.find((p) => p.id === id)!.evidence).toMatch(/did not answer within 1000 ms/);
    expect(performance.now() - started).toBeLessThan(45_000);
    // every program the audit started is gone, the looping interpreter too
    expect(spawnSync('pgrep', ['-f', 'candidates/exec/vjp_hangs.py']).status).toBe(1);
  }, 60_000);

  it('a program that exits mid-call fails the calls with its exit status and the end of its stderr', async () => {
    const { result } = await audit(program('exits_at_first_call.py'), SMALL);
    expect(result.ok).toBe(false);
    expect(result.properties.find((p) => p.id === 'inference')!.evidence).toMatch(
      /the program exited with status 3; it wrote to stderr: segmentation fault \(simulated\)/,
    );
  }, 60_000);

  it('dropcheck audit --exec: a program that is not a candidate is refused in one line, exit 2', async () => {
    const r = await run('audit', '--exec', program('not_protocol.py'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^dropcheck: --exec ".*not_protocol.py": expected a first line of JSON .*"hello, I am a dropout"/,
    );
    expect(r.err.split('\n').filter(Boolean)).toHaveLength(1);
    const gone = await run('audit', '--exec', 'exit 4');
    expect(gone.code).toBe(2);
    expect(gone.err).toMatch(/exited with status 4 before declaring the candidate/);
    // a declaration that is the protocol's but not a candidate's: named by its --exec command
    const odd = await run('audit', '--exec', program('unknown_convention.py'));
    expect(odd.code).toBe(2);
    expect(odd.err).toMatch(
      /^dropcheck: --exec "python3 .*unknown_convention\.py": expected convention to be 'inverted' or 'scale-at-inference', got "rescale-later"\n$/,
    );
  });

  it('the rerun line of an --exec audit repeats the command', async () => {
    const r = await run('audit', '--exec', program('exits_at_first_call.py'), '--alpha', '1e-3');
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      `Rerun: \`npx dropcheck audit --exec '${program('exits_at_first_call.py')}' --seed 20261127 --alpha 0.001\``,
    );
  }, 60_000);
});

// PyTorch's own dropout, where python3 can import torch (Debian's python3-torch; not on CI machines)
const torch = findTorchPython();
const torchPython = 'python' in torch ? torch.python : null;
describe.skipIf(!torchPython)('PyTorch over --exec (where python3 imports torch)', () => {
  const TORCH = (dtype: string) => `${torchPython} ${here('../../adapters/python/torch_dropout.py')} --dtype ${dtype}`;
  it.each(['float32', 'float64'])(
    'torch.nn.functional.dropout in %s passes, judged in its own precision',
    async (dtype) => {
      const { result, failed, na } = await audit(TORCH(dtype), { ...SMALL, timeoutMs: 60_000 });
      expect(result.candidate).toMatch(
        new RegExp(`^torch\\.nn\\.functional\\.dropout \\(PyTorch [\\w.]+, ${dtype}, CPU\\)$`),
      );
      expect(result.precision).toBe(dtype);
      expect(failed).toEqual([]);
      // F.dropout accepts rate 1 (zeros), so rate-one applies
      expect(na).toEqual([]);
    },
    120_000,
  );
});

describe('loadExec, its arguments', () => {
  it('refuses an empty command or a timeout that is not a positive number of milliseconds, saying which', async () => {
    await expect(loadExec('', 1000)).rejects.toThrow(
      /^loadExec: expected command to be a non-empty shell command, got ""/,
    );
    await expect(loadExec(3 as never, 1000)).rejects.toThrow(/expected command to be a non-empty shell command, got 3/);
    for (const t of [0, -1, NaN, 2 ** 31])
      await expect(loadExec('true', t)).rejects.toThrow(
        /^loadExec: expected timeoutMs to be a positive number of milliseconds/,
      );
  });
});

describe('dropcheck audit --exec, the command line', () => {
  it('a module or --exec, not both, and --exec needs its command: one line, the usage, exit 2', async () => {
    for (const [args, message] of [
      [['audit', 'x.mjs', '--exec', 'python3 a.py'], 'a module or --exec, not both'],
      [['audit', '--exec'], '--exec needs a command'],
      [['audit', '--exec', ' '], '--exec needs a command'],
      [['audit'], "missing <module> or --exec '<command>'"],
    ] as const) {
      const r = await run(...args);
      expect(r.code).toBe(2);
      expect(r.err).toContain(message);
      expect(r.err).toContain('usage: dropcheck audit <module> | --exec');
    }
  });

  it('the usage names --exec and the Python helper', async () => {
    const r = await run('audit', '--help');
    expect(r.out).toContain('--exec C');
    expect(r.out).toContain('adapters/python/dropcheck_exec.py');
  });
});
