// A candidate that is another program: `dropcheck audit --exec '<command>'` starts the command and
// talks to it over its stdin and stdout in binary frames (docs/audit.md, "Candidates in other
// languages"), so an implementation in Python, C or anything else is judged by the same battery.
// Arrays travel as raw little-endian floats: an audit moves ~10^7 elements, which JSON text would slow.
// A call that does not answer within the timeout kills the program; the next call starts it again.
//
//   program → audit, once:  one line of JSON, {"dropcheck": 1, "name", "convention", "precision"?, "vjp"?}
//   audit → program, a call: u32 op (1 forward, 2 vjp), u32 training (0 or 1), u32 seed, u32 n, f64 rate,
//                            then n float64 x, and for vjp n float64 dy
//   program → audit, answer: u32 status (0 answer, 1 refusal), u32 width (4 float32, 8 float64; 0 on refusal),
//                            u32 n, u32 0, then n floats of that width; a refusal sends n bytes of UTF-8 text
import { type ChildProcess, spawn } from 'node:child_process';
import { describeValue } from '../../engine/index.ts';
import { CandidateError, WHEN_READY } from './candidate.ts';
import type { IsolatedCandidate } from './isolated.ts';

/** The protocol's version, the `dropcheck` field of the program's first line. */
export const PROTOCOL = 1;
const REQUEST_HEADER = 24;
const ANSWER_HEADER = 16;
// longest refusal message or handshake line kept; anything longer is a program not speaking the protocol
const TEXT_LIMIT = 1 << 16;

/** Encodes one call as the program reads it. */
export function encodeCall(
  op: 'forward' | 'vjp',
  x: Float64Array,
  rate: number,
  training: boolean,
  seed: number,
  dy?: Float64Array,
): Buffer {
  const n = x.length;
  const buf = Buffer.alloc(REQUEST_HEADER + 8 * n * (op === 'vjp' ? 2 : 1));
  buf.writeUInt32LE(op === 'forward' ? 1 : 2, 0);
  buf.writeUInt32LE(training ? 1 : 0, 4);
  buf.writeUInt32LE(seed >>> 0, 8);
  buf.writeUInt32LE(n, 12);
  buf.writeDoubleLE(rate, 16);
  Buffer.from(x.buffer, x.byteOffset, 8 * n).copy(buf, REQUEST_HEADER);
  if (op === 'vjp') Buffer.from(dy!.buffer, dy!.byteOffset, 8 * n).copy(buf, REQUEST_HEADER + 8 * n);
  return buf;
}

/** The bytes of the answer at the front of `buf`, read from its header; the header's size until it has arrived. */
export function answerLength(buf: Buffer): number {
  if (buf.length < ANSWER_HEADER) return ANSWER_HEADER;
  const status = buf.readUInt32LE(0),
    width = buf.readUInt32LE(4),
    n = buf.readUInt32LE(8);
  if (status === 1) return n > TEXT_LIMIT ? ANSWER_HEADER : ANSWER_HEADER + n;
  // a header that is not the protocol's is reported by decodeAnswer, which needs only the header
  return status === 0 && (width === 4 || width === 8) ? ANSWER_HEADER + width * n : ANSWER_HEADER;
}

type Answer = { ok: true; y: Float64Array | Float32Array } | { ok: false; message: string };

/**
 * Reads one answer from the front of `buf`: the answer and the bytes it used, null when more bytes
 * are needed; throws when the header is not the protocol's.
 */
export function decodeAnswer(buf: Buffer): { answer: Answer; used: number } | null {
  if (buf.length < ANSWER_HEADER) return null;
  const status = buf.readUInt32LE(0);
  const width = buf.readUInt32LE(4);
  const n = buf.readUInt32LE(8);
  if (status === 1) {
    if (n > TEXT_LIMIT) throw new Error(`a refusal of ${n} bytes (at most ${TEXT_LIMIT})`);
    if (buf.length < ANSWER_HEADER + n) return null;
    return {
      answer: { ok: false, message: buf.toString('utf8', ANSWER_HEADER, ANSWER_HEADER + n) },
      used: ANSWER_HEADER + n,
    };
  }
  if (status !== 0 || (width !== 4 && width !== 8))
    throw new Error(`expected an answer header (status 0 or 1, width 4 or 8), got status ${status}, width ${width}`);
  const bytes = width * n;
  if (buf.length < ANSWER_HEADER + bytes) return null;
  // a copy into fresh, aligned memory: the answer outlives the read buffer
  const body = new Uint8Array(bytes);
  buf.copy(body, 0, ANSWER_HEADER, ANSWER_HEADER + bytes);
  const y = width === 8 ? new Float64Array(body.buffer) : new Float32Array(body.buffer);
  return { answer: { ok: true, y }, used: ANSWER_HEADER + bytes };
}

interface Hello {
  dropcheck: number;
  name: unknown;
  convention: unknown;
  precision?: unknown;
  vjp?: unknown;
}

// the programs still running, stopped if this process exits first (they are in their own groups,
// so a signal to this one's group would not reach them)
const live = new Set<ChildProcess>();
process.once('exit', () => live.forEach(kill));

/** Stops the program and everything in its process group. */
function kill(child: ChildProcess): void {
  live.delete(child);
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    child.kill('SIGKILL'); // the group is gone already, or the program never started
  }
}

/** A running program: its answers arrive on `data`; `exit` fires when it ends. */
interface Running {
  child: ChildProcess;
  hello: Promise<Hello>;
  stderr: string[];
  onAnswer: ((a: Answer) => void) | null;
  onFail: ((e: Error) => void) | null;
  /** Set when the audit stopped it (a timeout, or close()), so its end is not the program's failure. */
  stopped: boolean;
}

/**
 * Starts `command` (through the shell) and returns a stand-in candidate whose calls become frames on
 * the program's stdin. The program's first line declares the candidate; a call that has no answer
 * within `timeoutMs` kills the program and starts it again for the next call; the first line may take
 * max(timeoutMs, 30 s). A program that ends on its own stays ended: later calls fail with its reason.
 * Throws CandidateError when the first line is not the protocol's, an Error when the program cannot start.
 */
export async function loadExec(command: string, timeoutMs: number): Promise<IsolatedCandidate> {
  if (typeof command !== 'string' || command.trim() === '')
    throw new TypeError(`loadExec: expected command to be a non-empty shell command, got ${describeValue(command)}`);
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0 && timeoutMs <= 2 ** 31 - 1))
    throw new RangeError(
      `loadExec: expected timeoutMs to be a positive number of milliseconds, got ${describeValue(timeoutMs)}`,
    );
  let running: Running | null = null;
  let ended: Error | null = null;
  // an interpreter and its libraries (PyTorch) can take seconds to load: the first line gets this long
  const startupMs = Math.max(timeoutMs, 30_000);

  const start = (): Running => {
    // its own process group, so that stopping it also stops what the shell started (an interpreter
    // behind a version-manager shim would otherwise live on, looping, after its shell is killed)
    const child = spawn(command, { shell: true, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    live.add(child);
    const r: Running = { child, hello: null!, stderr: [], onAnswer: null, onFail: null, stopped: false };
    let chunks: Buffer[] = [];
    let have = 0; // bytes in chunks
    let need = 0; // bytes the answer at the front needs, when its header has arrived (else 0 or 16)
    let helloDone = false;
    const fail = (e: Error) => {
      const f = r.onFail;
      r.onAnswer = r.onFail = null;
      f?.(e);
    };
    // a program that broke the protocol is ended for good, with that as its reason
    const broken = (e: Error) => {
      ended ??= e;
      r.stopped = true;
      kill(child);
      fail(e);
    };
    const said = () => {
      const tail = r.stderr.join('').trim().split('\n').slice(-3).join(' | ');
      return tail ? `; it wrote to stderr: ${tail}` : '';
    };
    child.stderr!.on('data', (d: Buffer) => {
      r.stderr.push(d.toString());
      while (r.stderr.join('').length > TEXT_LIMIT) r.stderr.shift();
    });
    r.hello = new Promise<Hello>((resolve, reject) => {
      child.on('error', (e) => {
        reject(new Error(`cannot start "${command}": ${e.message}`));
        fail(e);
      });
      // 'close': the program has ended and its output has been read to the end
      child.on('close', (code, signal) => {
        live.delete(child);
        if (r.stopped) return;
        const how = signal ? `was stopped by ${signal}` : `exited with status ${code}`;
        const e = new Error(`the program ${how}${said()}`);
        if (!helloDone) reject(new CandidateError(`--exec "${command}": ${e.message} before declaring the candidate`));
        // a program that ended on its own stays ended: the calls after it fail at once with its reason
        else ended ??= e;
        fail(e);
      });
      child.stdout!.on('data', (d: Buffer) => {
        // chunks are joined only once the answer at the front is complete: joining on every 64 kB
        // chunk would copy a 56 MB answer hundreds of times
        chunks.push(d);
        have += d.length;
        if (have < need) return;
        let buf = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, have);
        const keep = () => {
          chunks = buf.length ? [buf] : [];
          have = buf.length;
          need = helloDone ? answerLength(buf) : 0;
        };
        if (!helloDone) {
          const nl = buf.indexOf(10);
          if (nl < 0) {
            if (buf.length > TEXT_LIMIT)
              reject(new CandidateError(`--exec "${command}": no first line within ${TEXT_LIMIT} bytes`));
            return keep();
          }
          const line = buf.toString('utf8', 0, nl);
          buf = buf.subarray(nl + 1);
          helloDone = true;
          let hello: Hello;
          try {
            hello = JSON.parse(line) as Hello;
          } catch {
            return reject(
              new CandidateError(
                `--exec "${command}": expected a first line of JSON {"dropcheck": ${PROTOCOL}, "name", "convention", ...}, got ${JSON.stringify(line.slice(0, 200))}`,
              ),
            );
          }
          if (hello === null || typeof hello !== 'object' || hello.dropcheck !== PROTOCOL)
            return reject(
              new CandidateError(
                `--exec "${command}": expected the first line to declare "dropcheck": ${PROTOCOL} (the protocol's version), got ${JSON.stringify(line.slice(0, 200))}`,
              ),
            );
          resolve(hello);
        }
        for (;;) {
          let got;
          try {
            got = decodeAnswer(buf);
          } catch (e) {
            return broken(new Error(`the program's answer is not the protocol's: ${(e as Error).message}`));
          }
          if (!got) return keep();
          buf = buf.subarray(got.used);
          const f = r.onAnswer;
          r.onAnswer = r.onFail = null;
          if (f) f(got.answer);
          else return broken(new Error('the program answered a call it was not asked'));
        }
      });
    });
    // a program that stops reading mid-call (it exited) must not crash the audit with EPIPE
    child.stdin!.on('error', () => {});
    r.hello.catch(() => {});
    return r;
  };

  const stop = () => {
    const r = running;
    running = null;
    if (r) {
      r.stopped = true;
      r.onAnswer = r.onFail = null;
      r.child.stdin!.destroy();
      kill(r.child);
    }
  };

  // resolves with the promise's value, or rejects once `ms` have passed and stops program r (unless a
  // later call has already replaced it: the audit's own timer may give up on a call before this one)
  const timed = <T>(r: Running, p: Promise<T>, ms: number, what: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (running === r) {
          stop();
          // start the program again now, so the next call does not wait for it (its failure shows there)
          running = start();
        }
        reject(new Error(`${what} within ${ms} ms`));
      }, ms);
      p.then(
        (v) => (clearTimeout(timer), resolve(v)),
        (e: unknown) => (clearTimeout(timer), reject(e)),
      );
    });

  // the program running (again, after a stop) and its declaration read, within startupMs
  const whenReady = async (): Promise<Running> => {
    // the audit calls one at a time: a call still pending is one it gave up on (timed out)
    if (running?.onAnswer) {
      stop();
      running = start();
    }
    if (!running) running = start();
    const r = running;
    await timed(r, r.hello, startupMs, 'did not declare the candidate (its first line)');
    return r;
  };

  let calls = 0;
  const call = async (op: 'forward' | 'vjp', args: unknown[]): Promise<Float64Array | Float32Array> => {
    if (ended) throw new Error(`${ended.message} (at an earlier call)`);
    const id = ++calls;
    const r = await whenReady();
    // a later call means the audit gave up on this one while the program was starting: it is not sent
    if (id !== calls) throw new Error('abandoned by the audit (timed out)');
    if (running !== r) throw new Error('did not answer: the program was restarted');
    const [x, rate, training, seed, dy] = args as [Float64Array, number, boolean, number, Float64Array?];
    const answer = await timed(
      r,
      new Promise<Answer>((resolve, reject) => {
        r.onAnswer = resolve;
        r.onFail = (e) => {
          if (running === r) running = null;
          reject(e);
        };
        r.child.stdin!.write(encodeCall(op, x, rate, training, seed, dy));
      }),
      timeoutMs,
      'did not answer',
    );
    if (answer.ok) return answer.y;
    throw new Error(answer.message);
  };

  running = start();
  let hello: Hello;
  try {
    hello = await timed(running, running.hello, startupMs, 'did not declare the candidate (its first line)');
  } catch (e) {
    stop();
    throw e;
  }
  const candidate: Record<string | symbol, unknown> = {
    // an ended program is not started again: its calls fail with how it ended
    [WHEN_READY]: async () => void (ended || (await whenReady())),
    name: hello.name,
    convention: hello.convention,
    forward: (...a: unknown[]) => call('forward', a),
  };
  if (hello.precision !== undefined) candidate.precision = hello.precision;
  if (hello.vjp === true) candidate.vjp = (...a: unknown[]) => call('vjp', a);
  else if (hello.vjp !== undefined && hello.vjp !== false) candidate.vjp = hello.vjp;
  const close = () => {
    stop();
    ended = new Error('the program was closed');
  };
  return { candidate, close };
}
