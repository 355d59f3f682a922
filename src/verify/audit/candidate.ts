// The interface a dropout implementation offers to the audit, the check that a loaded value offers
// it, and the guarded call the battery makes through it: the candidate gets a copy of every input
// (so a candidate that writes into its input can't disturb the battery), answers within a time
// limit, and its answer is checked for type and length before any property looks at it.
import { describeValue } from '../../engine/index.ts';
import { firstMismatch } from './scan.ts';

export type Convention = 'inverted' | 'scale-at-inference';
type MaybePromise<T> = T | Promise<T>;

/** A dropout implementation, as the audit sees it. Documented in the README ("Auditing a dropout"). */
export interface DropoutCandidate {
  name: string;
  /** 'inverted': training output mask·x/keep, inference output x. 'scale-at-inference': mask·x, and keep·x at inference. */
  convention: Convention;
  /**
   * The arithmetic the candidate computes in: 'float64' (the default) or 'float32'. Under float32 the
   * exact properties compare with float32 semantics (x rounded to float32 first, kept values to a
   * few float32 ulps). Without a declaration, an answer that is a Float32Array implies float32.
   */
  precision?: Precision;
  /** rate = probability of dropping each element, in [0, 1); seed an integer in [0, 2^31). Same (x.length, rate, training, seed) → same mask. */
  forward(x: Float64Array, rate: number, training: boolean, seed: number): MaybePromise<Float64Array | Float32Array>;
  /** Optional vector-Jacobian product for the same arguments: dL/dx given dy = dL/dy. */
  vjp?(
    x: Float64Array,
    rate: number,
    training: boolean,
    seed: number,
    dy: Float64Array,
  ): MaybePromise<Float64Array | Float32Array>;
}

/**
 * A stand-in for a candidate that runs elsewhere (a worker thread, another program) carries this: a
 * function that resolves once the next call can start, after the stand-in has loaded its module or
 * started its program again (after a stop at a timeout), and rejects if that fails. The timer of the
 * next call starts after it, so a reload is not counted against the call.
 */
export const WHEN_READY: unique symbol = Symbol('dropcheck.whenReady');

/** The candidate is not a DropoutCandidate: the message names the member that is missing or wrong. */
export class CandidateError extends TypeError {
  override name = 'CandidateError';
}

const CONVENTIONS = ['inverted', 'scale-at-inference'];
export type Precision = 'float64' | 'float32';
const PRECISIONS: readonly unknown[] = ['float64', 'float32', undefined];

/** Checks that `value` offers the interface and returns it typed; throws CandidateError naming the member. */
export function checkCandidate(value: unknown, source = 'the candidate'): DropoutCandidate {
  if (value === null || typeof value !== 'object') {
    throw new CandidateError(
      `${source}: expected an object { name, convention, forward, vjp? }, got ${describeValue(value)}`,
    );
  }
  const c = value as Record<string, unknown>;
  if (typeof c.name !== 'string' || c.name.length === 0)
    throw new CandidateError(`${source}: expected name to be a non-empty string, got ${describeValue(c.name)}`);
  if (!CONVENTIONS.includes(c.convention as string)) {
    throw new CandidateError(
      `${source}: expected convention to be 'inverted' or 'scale-at-inference', got ${describeValue(c.convention)}`,
    );
  }
  if (!PRECISIONS.includes(c.precision)) {
    throw new CandidateError(
      `${source}: expected precision to be 'float64', 'float32' or absent, got ${describeValue(c.precision)}`,
    );
  }
  if (typeof c.forward !== 'function')
    throw new CandidateError(
      `${source}: expected forward to be a function (x, rate, training, seed) => Float64Array, got ${describeValue(c.forward)}`,
    );
  if (c.vjp !== undefined && typeof c.vjp !== 'function') {
    throw new CandidateError(
      `${source}: expected vjp to be a function (x, rate, training, seed, dy) => Float64Array or absent, got ${describeValue(c.vjp)}`,
    );
  }
  return value as DropoutCandidate;
}

/** One call's arguments, as evidence prints them. */
export interface CallArgs {
  rate: number;
  length: number;
  training: boolean;
  seed: number;
}

export type Answer = { ok: true; y: Float64Array } | { ok: false; threw: boolean; reason: string };

/** Something the candidate did on some call that breaks a property no matter which call it was. */
export interface Incident {
  call: string;
  detail: string;
}

export const describeCall = (fn: string, a: CallArgs) =>
  `${fn}(x of length ${a.length}, rate ${a.rate}, training ${a.training}, seed ${a.seed}${fn === 'vjp' ? ', dy' : ''})`;

/**
 * Calls the candidate with copies of x (and dy), awaits the answer for at most timeoutMs, and checks
 * it. Mutations of the copies and malformed answers are logged as incidents for the properties
 * "input not mutated" and "output shape".
 */
export class Caller {
  readonly mutations: Incident[] = [];
  readonly malformed: Incident[] = [];
  calls = 0;
  elements = 0;
  /** Answers that came as a Float32Array (they imply float32 arithmetic unless the candidate declares its precision). */
  float32Answers = 0;

  constructor(
    readonly candidate: DropoutCandidate,
    readonly timeoutMs: number,
  ) {}

  forward(x: Float64Array, a: Omit<CallArgs, 'length'>): Promise<Answer> {
    const xc = x.slice();
    return this.#run('forward', { ...a, length: x.length }, [x], [xc], () =>
      this.candidate.forward(xc, a.rate, a.training, a.seed),
    );
  }

  vjp(x: Float64Array, a: Omit<CallArgs, 'length'>, dy: Float64Array): Promise<Answer> {
    const xc = x.slice(),
      dyc = dy.slice();
    const f = this.candidate.vjp;
    if (!f) throw new Error('Caller.vjp: the candidate has no vjp');
    return this.#run('vjp', { ...a, length: x.length }, [x, dy], [xc, dyc], () =>
      f.call(this.candidate, xc, a.rate, a.training, a.seed, dyc),
    );
  }

  async #run(
    fn: string,
    a: CallArgs,
    originals: Float64Array[],
    copies: Float64Array[],
    invoke: () => unknown,
  ): Promise<Answer> {
    const call = describeCall(fn, a);
    this.calls++;
    this.elements += a.length;
    let out: unknown;
    try {
      await (this.candidate as { [WHEN_READY]?: () => Promise<void> })[WHEN_READY]?.();
    } catch (e) {
      return { ok: false, threw: false, reason: `could not start: ${errorText(e)}` };
    }
    try {
      out = await withTimeout(invoke, this.timeoutMs);
    } catch (e) {
      return {
        ok: false,
        threw: !(e instanceof Timeout),
        reason: e instanceof Timeout ? e.message : `threw ${errorText(e)}`,
      };
    } finally {
      const names = fn === 'vjp' ? ['x', 'dy'] : ['x'];
      copies.forEach((c, i) => {
        const at = firstMismatch(c, originals[i], 'bits');
        if (at >= 0)
          this.mutations.push({
            call,
            detail: `${names[i]}[${at}] was ${num(originals[i][at])}, became ${num(c[at])}`,
          });
      });
    }
    if (out instanceof Float32Array) this.float32Answers++;
    const y = asArray(out);
    if (y === null) {
      const reason = `returned ${describeValue(out)}, expected a Float64Array or Float32Array of length ${a.length}`;
      this.malformed.push({ call, detail: reason });
      return { ok: false, threw: false, reason };
    }
    if (y.length !== a.length) {
      const reason = `returned ${y.length} values for an input of length ${a.length}`;
      this.malformed.push({ call, detail: reason });
      return { ok: false, threw: false, reason };
    }
    return { ok: true, y };
  }
}

/** A Float64Array, or an array / other typed array of numbers converted to one; null for anything else. */
function asArray(v: unknown): Float64Array | null {
  if (v instanceof Float64Array) return v;
  if (
    Array.isArray(v) ||
    (ArrayBuffer.isView(v) &&
      !(v instanceof DataView) &&
      !(v instanceof BigInt64Array) &&
      !(v instanceof BigUint64Array))
  ) {
    const a = v as ArrayLike<unknown>;
    if (Array.isArray(a)) for (let i = 0; i < a.length; i++) if (typeof a[i] !== 'number') return null;
    return new Float64Array(a as ArrayLike<number>); // one pass for a typed array (from() iterates)
  }
  return null;
}

class Timeout extends Error {}

async function withTimeout<T>(invoke: () => T | Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout(`did not answer within ${ms} ms (the audit's timeoutMs)`)), ms);
  });
  try {
    return await Promise.race([Promise.resolve().then(invoke), limit]);
  } finally {
    clearTimeout(timer);
  }
}

export function errorText(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return describeValue(e);
}

/** A number as written, with −0 told apart from 0. */
function num(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}
