// A candidate module loaded in a worker thread, so that a call which never returns can be stopped.
// In the audit's own thread a synchronous endless loop would block the timer that is meant to end
// it; here the call runs elsewhere, the audit's timer fires, and the worker is terminated. The next
// call loads the module again in a fresh worker, so the other properties are still judged.
// Arrays travel as structured clones; a candidate that writes into its arguments sends them back,
// so the audit still sees the mutation.
import { Worker } from 'node:worker_threads';
import { CandidateError, WHEN_READY } from './candidate.ts';

// Plain JS evaluated in the worker (no loader needed): load the module, describe its default
// export, then answer calls until terminated.
const HOST = `
const { parentPort, workerData } = require('node:worker_threads');
const send = (m, fallback) => { try { parentPort.postMessage(m); } catch { parentPort.postMessage(fallback); } };
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  const c = (await import(workerData.url)).default;
  if (c === undefined) return send({ kind: 'no-default' });
  const own = (v) => (typeof v === 'function' ? { fn: true } : { value: v });
  const info = c !== null && typeof c === 'object'
    ? { object: true, name: own(c.name), convention: own(c.convention), precision: own(c.precision), forward: own(c.forward), vjp: own(c.vjp) }
    : { object: false, value: c };
  send({ kind: 'ready', info }, { kind: 'ready', info: { object: false, value: String(c) } });
  parentPort.on('message', async ({ id, fn, args }) => {
    const before = args.map((a) => (a instanceof Float64Array ? a.slice() : a));
    const changed = (a, b) => {
      const x = new BigInt64Array(a.buffer, a.byteOffset, a.length), y = new BigInt64Array(b.buffer, b.byteOffset, b.length);
      for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return true; // bit patterns: −0 and NaNs told apart
      return false;
    };
    const mutated = () => args.map((a, i) => (a instanceof Float64Array && changed(a, before[i]) ? a : null));
    try {
      let y = await c[fn](...args);
      // a copy of a typed answer, moved rather than cloned (the candidate may keep its own array)
      const moved = ArrayBuffer.isView(y) && !(y instanceof DataView) ? (y = y.slice()) && [y.buffer] : [];
      try {
        parentPort.postMessage({ id, ok: true, y, mutated: mutated() }, moved);
      } catch {
        parentPort.postMessage({ id, ok: true, y: String(y), mutated: mutated() });
      }
    } catch (e) {
      const error = e instanceof Error ? { name: e.name, message: e.message } : undefined;
      send({ id, ok: false, error, thrown: error ? undefined : e, mutated: mutated() }, { id, ok: false, thrown: String(e), mutated: mutated() });
    }
  });
})().catch((e) => send({ kind: 'load-error', message: e instanceof Error ? e.message : String(e) }, { kind: 'load-error', message: 'the module threw while loading' }));
`;

type Field = { fn: true } | { value: unknown };
interface Info {
  object: boolean;
  value?: unknown;
  name?: Field;
  convention?: Field;
  precision?: Field;
  forward?: Field;
  vjp?: Field;
}
interface Reply {
  id: number;
  ok: boolean;
  y?: unknown;
  error?: { name: string; message: string };
  thrown?: unknown;
  mutated: (Float64Array | null)[];
}

export interface IsolatedCandidate {
  /** The module's default export as seen from here: its calls run in the worker. Not yet checked (see checkCandidate). */
  candidate: unknown;
  /** Ends the worker. */
  close(): void;
}

/**
 * Loads the module at `url` in a worker thread and returns a stand-in for its default export whose
 * calls run there; a call still running after `timeoutMs` is stopped by terminating the worker, and
 * the module is loaded again for the next call, whose time starts once it has loaded (WHEN_READY).
 * `tsx` is the URL of tsx's ESM API, to register in the worker for a module written in TypeScript.
 * Loading may take max(timeoutMs, 30 s). Throws CandidateError when the module has no default export,
 * an Error when it cannot be loaded in that time.
 */
export async function loadIsolated(url: string, timeoutMs: number, tsx?: string): Promise<IsolatedCandidate> {
  const loadMs = Math.max(timeoutMs, 30_000);
  let worker: Worker | null = null;
  let ready: Promise<Info> | null = null;
  let nextId = 0;
  const pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();

  const start = (): Promise<Info> => {
    const w = new Worker(HOST, { eval: true, workerData: { url, tsx } });
    worker = w;
    ready = new Promise<Info>((resolve, reject) => {
      w.on('message', (m: { kind?: string; info?: Info; message?: string } & Partial<Reply>) => {
        if (m.kind === 'ready') resolve(m.info!);
        else if (m.kind === 'no-default') reject(new CandidateError('no-default'));
        else if (m.kind === 'load-error') reject(new Error(m.message));
        else {
          const p = pending.get(m.id!);
          pending.delete(m.id!);
          p?.resolve(m as Reply);
        }
      });
      // a worker that died (an uncaught error in the candidate's own code) or exited answers nothing
      // more: its calls fail now, and the next call loads the module in a fresh one
      const ended = (e: Error) => {
        // a worker stopped already (a timeout, a close) failed its calls then: the calls pending now are another's
        if (worker !== w) return reject(new Error('the worker was stopped'));
        reject(e);
        for (const p of pending.values()) p.reject(e);
        pending.clear();
        worker = ready = null;
      };
      w.on('error', ended);
      w.on('exit', (code) => ended(new Error(`the worker exited with code ${code}`)));
    });
    return ready;
  };

  const stop = () => {
    const w = worker;
    worker = null;
    ready = null;
    for (const p of pending.values()) p.reject(new Error('the worker was stopped'));
    pending.clear();
    if (w) void w.terminate();
  };

  // the module loaded in a worker (again, after a stop), within loadMs; a load that never ends is stopped
  const whenReady = async (): Promise<Info> => {
    // the audit calls one at a time: a call still pending is one the audit has given up on (timed out)
    if (pending.size > 0) stop();
    if (!worker) start();
    const r = ready!;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      return await Promise.race([
        r,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`the module did not load within ${loadMs} ms`)), loadMs);
        }),
      ]);
    } catch (e) {
      if (ready === r) stop();
      throw e;
    } finally {
      clearTimeout(timer);
    }
  };

  const call = async (fn: 'forward' | 'vjp', args: unknown[]): Promise<unknown> => {
    await whenReady();
    const w = worker!;
    const id = nextId++;
    const reply = await new Promise<Reply>((resolve, reject) => {
      // the audit's own timer (started first) has already given up on this call: free the thread
      const timer = setTimeout(() => {
        pending.delete(id);
        stop();
        // load the module again now, so the next call does not wait for it (its failure shows there)
        start().catch(() => {});
        reject(new Error(`did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, {
        resolve: (r) => (clearTimeout(timer), resolve(r)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      // fresh copies of the arrays, moved rather than cloned; the caller's own copies stay here
      const sent = args.map((a) => (a instanceof Float64Array ? a.slice() : a));
      w.postMessage(
        { id, fn, args: sent },
        sent.flatMap((a) => (a instanceof Float64Array ? [a.buffer as ArrayBuffer] : [])),
      );
    });
    reply.mutated.forEach((m, i) => {
      if (m) (args[i] as Float64Array).set(m);
    });
    if (reply.ok) return reply.y;
    if (reply.error) {
      const e = new Error(reply.error.message);
      e.name = reply.error.name;
      throw e;
    }
    throw reply.thrown;
  };

  const info = await whenReady();
  const close = () => stop();
  if (!info.object) return { candidate: info.value, close };
  const value = (f: Field | undefined) => (f && 'value' in f ? f.value : undefined);
  const candidate: Record<string | symbol, unknown> = {
    [WHEN_READY]: async () => void (await whenReady()),
    name: value(info.name),
    convention: value(info.convention),
    precision: value(info.precision),
    forward: info.forward && 'fn' in info.forward ? (...a: unknown[]) => call('forward', a) : value(info.forward),
    vjp: info.vjp && 'fn' in info.vjp ? (...a: unknown[]) => call('vjp', a) : value(info.vjp),
  };
  if (candidate.precision === undefined) delete candidate.precision;
  return { candidate, close };
}
