// Programs that break the --exec protocol (test/support/candidates/exec/misbehaves.py, one way per
// mode): each is refused, or its call fails, with a message that says what the program did; the
// declaration's optional fields reach the candidate only when declared; a program slower to start
// than --timeout has each start waited for, not counted against the call after it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type AuditOptions, auditDropout, checkCandidate } from '../../src/verify/audit/index.ts';
import { answerLength, decodeAnswer, loadExec } from '../../src/verify/audit/exec.ts';

const python = spawnSync('python3', ['--version']).status === 0;
const script = new URL('../support/candidates/exec/misbehaves.py', import.meta.url).pathname;
const misbehaves = (...args: string[]) => `exec python3 ${script} ${args.map((a) => `'${a}'`).join(' ')}`;
// a tag on the command line of each program a test starts, to look for it once the test has closed it
let tags = 0;
const tagged = () => `tag-${process.pid}-${++tags}-end`;
const running = (tag: string) => {
  const r = spawnSync('pgrep', ['-f', tag]);
  if (r.error) throw r.error; // no pgrep: say so rather than find nothing
  return r.status === 0;
};
/** Whether the program tagged so is gone within 2 s of its SIGKILL (the signal takes effect when it is next scheduled). */
async function gone(tag: string): Promise<boolean> {
  for (let i = 0; i < 20 && running(tag); i++) await new Promise((r) => setTimeout(r, 100));
  return !running(tag);
}
const x = Float64Array.of(0.5, -1, 2);

/** The first call's outcome and then the second's: an answer, or the message it failed with. */
async function twoCalls(mode: string, input = x): Promise<string[]> {
  const tag = tagged();
  const exec = await loadExec(misbehaves(mode, tag), 10_000);
  const c = exec.candidate as { forward: (...a: unknown[]) => Promise<Float64Array> };
  const outcome = async () => {
    try {
      return `answer ${Array.from(await c.forward(input, 0.5, true, 7)).join(',')}`;
    } catch (e) {
      return (e as Error).message;
    }
  };
  let outcomes: string[];
  try {
    outcomes = [await outcome(), await outcome()];
  } finally {
    exec.close();
  }
  // whatever the program did, it is gone once closed
  expect(await gone(tag)).toBe(true);
  return outcomes;
}

describe('a refusal of at most 65536 bytes', () => {
  it('is read; one byte more is not the protocol', () => {
    const refusal = (n: number) => {
      const b = Buffer.alloc(16 + n, 'r'.charCodeAt(0));
      b.writeUInt32LE(1, 0);
      b.writeUInt32LE(0, 4);
      b.writeUInt32LE(n, 8);
      b.writeUInt32LE(0, 12);
      return b;
    };
    expect(answerLength(refusal(65_536))).toBe(16 + 65_536);
    expect(decodeAnswer(refusal(65_536))).toEqual({
      answer: { ok: false, message: 'r'.repeat(65_536) },
      used: 16 + 65_536,
    });
    expect(answerLength(refusal(65_537))).toBe(16);
    expect(() => decodeAnswer(refusal(65_537))).toThrow('a refusal of 65537 bytes (at most 65536)');
  });
});

describe.skipIf(!python)('loadExec, the edges of its arguments', () => {
  it('a command of spaces is empty; a timeout must be a number, up to 2^31 − 1 ms', async () => {
    await expect(loadExec('   ', 1000)).rejects.toThrow(/expected command to be a non-empty shell command, got "   "/);
    await expect(loadExec('true', '1000' as never)).rejects.toThrow(/expected timeoutMs to be a positive number/);
    const longest = await loadExec(
      misbehaves('hello', '{"dropcheck": 1, "name": "n", "convention": "inverted"}'),
      2 ** 31 - 1,
    );
    longest.close();
    expect(longest.candidate).toMatchObject({ name: 'n' });
  });
});

describe.skipIf(!python)('--exec programs that break the protocol', () => {
  it('a first line that is not the declaration is refused, quoting at most 200 characters of it', async () => {
    const long = 'y'.repeat(300);
    await expect(loadExec(misbehaves('hello', long), 10_000)).rejects.toThrow(
      `expected a first line of JSON {"dropcheck": 1, "name", "convention", ...}, got "${'y'.repeat(200)}"`,
    );
    await expect(loadExec(misbehaves('hello', ''), 10_000)).rejects.toThrow(/, got ""$/);
    for (const line of ['null', '3', `{"dropcheck": 2, "name": "${long}", "convention": "inverted"}`])
      await expect(loadExec(misbehaves('hello', line), 10_000)).rejects.toThrow(
        `: expected the first line to declare "dropcheck": 1 (the protocol's version), got ${JSON.stringify(line.slice(0, 200))}`,
      );
    const tag = tagged();
    await expect(loadExec(misbehaves('long-first-line', tag), 10_000)).rejects.toThrow(
      /^--exec ".*misbehaves\.py 'long-first-line' 'tag-[\d-]+end'": no first line within 65536 bytes$/,
    );
    // a program refused at its first line is stopped there
    expect(await gone(tag)).toBe(true);
  });

  it('precision and vjp reach the candidate only when declared; a vjp that is not true is passed on to be refused', async () => {
    const fields = async (hello: object) => {
      const exec = await loadExec(misbehaves('hello', JSON.stringify({ dropcheck: 1, name: 'n', ...hello })), 10_000);
      exec.close();
      return exec.candidate as Record<string, unknown>;
    };
    expect(Object.keys(await fields({ convention: 'inverted' })).sort()).toEqual(['convention', 'forward', 'name']);
    expect(Object.keys(await fields({ convention: 'inverted', vjp: false })).sort()).toEqual([
      'convention',
      'forward',
      'name',
    ]);
    const declared = await fields({ convention: 'scale-at-inference', precision: 'float32', vjp: true });
    expect(declared).toMatchObject({ name: 'n', convention: 'scale-at-inference', precision: 'float32' });
    expect(typeof declared.vjp).toBe('function');
    const odd = await fields({ convention: 'inverted', vjp: 'yes' });
    expect(odd.vjp).toBe('yes');
    expect(() => checkCandidate(odd, 'the program')).toThrow(
      'the program: expected vjp to be a function (x, rate, training, seed, dy) => Float64Array or absent, got "yes"',
    );
  });

  it('an answer that is not the protocol, or one nobody asked for, ends the program; later calls fail at once', async () => {
    expect(await twoCalls('bad-header')).toEqual([
      "the program's answer is not the protocol's: expected an answer header (status 0 or 1, width 4 or 8), got status 7, width 8",
      "the program's answer is not the protocol's: expected an answer header (status 0 or 1, width 4 or 8), got status 7, width 8 (at an earlier call)",
    ]);
    // a closed program's candidate fails its calls at once
    const closed = await loadExec(
      misbehaves('hello', '{"dropcheck": 1, "name": "n", "convention": "inverted"}'),
      10_000,
    );
    closed.close();
    await expect(
      (closed.candidate as { forward: (...a: unknown[]) => Promise<unknown> }).forward(x, 0.5, true, 7),
    ).rejects.toThrow(/^the program was closed \(at an earlier call\)$/);
    // a first line that arrives in pieces is read once whole
    expect(await twoCalls('split-hello')).toEqual(['answer 0.5,-1,2', 'answer 0.5,-1,2']);
    expect(await twoCalls('extra-answer')).toEqual([
      'answer 0.5,-1,2',
      'the program answered a call it was not asked (at an earlier call)',
    ]);
  });

  it('a program that ends mid-call: its exit status or signal, and the last three lines of its stderr', async () => {
    expect(await twoCalls('stderr-flood')).toEqual([
      'the program exited with status 5; it wrote to stderr: second | third | fourth',
      'the program exited with status 5; it wrote to stderr: second | third | fourth (at an earlier call)',
    ]);
    expect((await twoCalls('signal'))[0]).toBe('the program was stopped by SIGTERM');
    // one that exits without reading a long call: the write's broken pipe does not end the audit
    // (on a machine so loaded that the call comes after the program's 2 s, it has ended before the call)
    expect((await twoCalls('exits-unread', new Float64Array(200_000)))[0]).toMatch(
      /^the program exited with status 3( \(at an earlier call\))?$/,
    );
  });

  it('a call that does not answer within timeoutMs stops the program; the next call has it started again', async () => {
    const tag = tagged();
    const exec = await loadExec(misbehaves('slow-start', tag), 1000);
    const c = exec.candidate as Record<'forward' | 'vjp', (...a: unknown[]) => Promise<Float64Array>>;
    try {
      await expect(c.vjp(x, 0.5, true, 7, x)).rejects.toThrow(/^did not answer within 1000 ms$/);
      expect(Array.from(await c.forward(x, 0.5, true, 7))).toEqual([0.5, -1, 2]);
    } finally {
      exec.close();
    }
    expect(await gone(tag)).toBe(true);
  }, 30_000);

  it('a program that fails to start again after a stop fails the next call with its reason', async () => {
    const markers = mkdtempSync(join(tmpdir(), 'dropcheck-'));
    const marker = join(markers, 'started');
    const exec = await loadExec(misbehaves('hangs-then-fails-to-start', marker), 1000);
    const c = exec.candidate as Record<'forward', (...a: unknown[]) => Promise<Float64Array>>;
    try {
      await expect(c.forward(x, 0.5, true, 7)).rejects.toThrow(/^did not answer within 1000 ms$/);
      // the restart, begun at the stop, has failed by now; nothing has awaited it yet
      await new Promise((r) => setTimeout(r, 1000));
      await expect(c.forward(x, 0.5, true, 7)).rejects.toThrow(
        /misbehaves\.py 'hangs-then-fails-to-start' '.*started'": the program exited with status 4 before declaring the candidate$/,
      );
    } finally {
      exec.close();
      rmSync(markers, { recursive: true, force: true });
    }
  }, 30_000);

  it('a program slower to start than --timeout: each start is waited for, not counted against the next call', async () => {
    const options: AuditOptions = { alpha: 1e-3, rateError: 0.1, scaleError: 0.1, dependence: 0.2, power: 0.9 };
    const exec = await loadExec(misbehaves('slow-start'), 1000);
    try {
      const r = await auditDropout(checkCandidate(exec.candidate, 'slow'), { ...options, timeoutMs: 1000 });
      // the vjp loops: its calls, and only those, did not answer (x unchanged is a wrong dropout, so
      // other properties fail on their values; none because a start after a stop was counted)
      const late = r.properties.filter((p) => /did not answer/.test(p.evidence)).map((p) => p.id);
      expect(late).toEqual(['vjp-mask', 'vjp-finite-differences']);
      for (const id of late) expect(r.properties.find((p) => p.id === id)!.evidence).toMatch(/^vjp\(/);
      expect(r.properties.map((p) => p.evidence).join('\n')).not.toMatch(/did not declare/);
    } finally {
      exec.close();
    }
  }, 60_000);
});
