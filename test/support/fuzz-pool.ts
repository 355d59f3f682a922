// Bad (and a few good) arguments for fuzzing the public API, and the checks every call must pass:
// an Error with a message of our own (not a raw engine TypeError such as "Cannot read properties of
// undefined"), no change to anything the caller passed, and an answer in bounded time.
import fc from 'fast-check';
import { Key, Tensor, key, ones, scalar, sum, tensor, zeros } from '../../src/index.ts';

/** Messages the JavaScript engine writes itself: an argument reached code that never checked it. */
export const RAW_ENGINE_ERROR =
  /Cannot read propert|Cannot set propert|is not a function|is not iterable|is not a constructor|Invalid typed array length|Invalid array length|Maximum call stack|allocation failed|Cannot convert|Cannot mix BigInt|Cannot create property|Reduce of empty array|undefined is not|null is not|toFixed|toPrecision|Invalid time value|out of memory/i;

/** The message a fuzzed callback throws with: passing it through unchanged is the documented result. */
export const CALLBACK_ERROR = 'fuzzed callback failed';

const mkSparse = () => {
  const a: number[] = [];
  a[1] = 1; // a hole at index 0
  return a;
};

/** Factories, so every call gets fresh objects (a mutation in one call cannot leak into the next). */
const FACTORIES: (() => unknown)[] = [
  // numbers: sizes, rates, seeds, counts
  () => 0,
  () => 1,
  () => 2,
  () => 3,
  () => -1,
  () => 0.5,
  () => 1.5,
  () => -0,
  () => 1e-9,
  () => NaN,
  () => Infinity,
  () => -Infinity,
  () => 2 ** 31,
  () => 2 ** 53,
  () => 1e308,
  () => 5e-324,
  () => 25,
  // other primitives
  () => '',
  () => 'x',
  () => 'inverted',
  () => '0.5',
  () => true,
  () => false,
  () => null,
  () => undefined,
  () => 1n,
  () => Symbol('fuzz'),
  // arrays and typed arrays (shapes, labels, masks, matrices)
  () => [],
  () => [0],
  () => [1, 2],
  () => [2, 2],
  () => [NaN],
  () => [-1],
  () => [1.5],
  () => [2 ** 30, 2 ** 30],
  () => [0, 2 ** 52],
  () => [2 ** 20, 0, 2 ** 20],
  () => [null],
  () => ['1'],
  () => [[1, 2], [3]],
  () => [
    [1, 2],
    [3, 4],
  ],
  () => [[0.5]],
  mkSparse,
  () => new Float64Array(0),
  () => Float64Array.of(1, NaN),
  () => Int32Array.of(-1),
  () => new Uint8Array(3),
  () => new BigInt64Array(1),
  () => new DataView(new ArrayBuffer(8)),
  // tensors: scalars, vectors, matrices, zero-size, non-finite values, masks
  () => scalar(1),
  () => scalar(NaN),
  () => tensor([1, -2, 3]),
  () =>
    tensor([
      [1, 2],
      [3, 4],
    ]),
  () => tensor([0.5, 1, 0]),
  () => zeros([0]),
  () => zeros([2, 0]),
  () => zeros([0, 3]),
  () => tensor([NaN, Infinity, -Infinity]),
  () => ones([1, 1, 1]),
  () => tensor([1, 0]),
  // keys and things that are not keys
  () => key(0),
  () => key(2 ** 53 - 1),
  () => ({ hi: 0, lo: 0 }),
  () => 'key(0)',
  // option objects, good and bad
  () => ({}),
  () => ({ rate: 0.5, training: true }),
  () => ({ rate: 0.5, training: false }),
  () => ({ rate: 1, training: true }),
  () => ({ rate: 0, training: true }),
  () => ({ rate: NaN, training: true }),
  () => ({ rate: 1.5, training: false }),
  () => ({ rate: -0.1, training: true }),
  () => ({ rate: 0.5 }),
  () => ({ p: 0.5, training: true }),
  () => ({ rate: 0.5, training: 'yes' }),
  () => ({ rate: 0.5, training: true, convention: 'paper' }),
  () => ({ rate: 0.5, training: true, noiseShape: [1, null] }),
  () => ({ rate: 0.5, training: true, noiseShape: [7] }),
  () => ({ lr: 0.1 }),
  () => ({ lr: -1 }),
  () => ({ lr: 0.1, momentum: 1 }),
  () => ({ lr: 0.1, maxNorm: 0 }),
  () => ({ sizes: [2, 3] }),
  () => ({ sizes: [2, 2 ** 40] }),
  () => ({ sizes: [0] }),
  () => ({ sizes: [2, 3], activation: 'gelu' }),
  () => ({ eps: 0 }),
  () => ({ mode: 'exhaustive' }),
  () => ({ argnums: 5 }),
  () => ({ argnums: [0, 0] }),
  () => ({ argnums: -1 }),
  () => ({ alpha: 0 }),
  () => ({ timeoutMs: -1 }),
  () => ({ seed: 1.5 }),
  () => ({ samples: 3 }),
  () => ({
    W: tensor([
      [1, 2],
      [3, 4],
    ]),
    b: tensor([0, 1]),
  }),
  () => [{ W: tensor([[1], [2]]), b: tensor([0]) }],
  () => ({ W: 'weights' }),
  () => ({ name: 'half', convention: 'inverted' }),
  () => ({ name: '', convention: 'inverted', forward: () => new Float64Array(0) }),
  () => Object.create(null),
  () => new Map(),
  () => new Date(0),
  // callbacks: constant, identity, throwing, a scalar loss, a NaN loss, a wrong type
  () => () => 0,
  () => (x: unknown) => x,
  () => () => {
    throw new Error(CALLBACK_ERROR);
  },
  () => (x: unknown) => (x instanceof Tensor ? sum(x) : scalar(0)),
  () => () => scalar(NaN),
  () => () => 'not a tensor',
  () => () => [0.5, 0.5],
];

/** How many values the pool holds; poolValue(i) makes a fresh copy of the i-th (for sweeps that try every one). */
export const POOL_SIZE = FACTORIES.length;
export const poolValue = (i: number): unknown => FACTORIES[i]();

export const anyValue: fc.Arbitrary<unknown> = fc
  .integer({ min: 0, max: FACTORIES.length - 1 })
  .map((i) => FACTORIES[i]());
export const argsFor = (arity: number) =>
  fc.array(anyValue, { minLength: 0, maxLength: Math.min(Math.max(arity, 1) + 1, 5) });

/** A deep copy of everything a call could mutate: tensor data, typed arrays, arrays, plain objects. */
export function snapshot(v: unknown, seen = new Set<unknown>()): unknown {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return v;
  if (typeof v === 'function') return v;
  if (seen.has(v)) return '<cycle>';
  seen.add(v);
  if (v instanceof Tensor) return { tensor: [...v.shape], data: Array.from(v.data) };
  if (v instanceof Key) return { key: v.toString() };
  if (v instanceof DataView)
    return { view: 'DataView', data: Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
  if (ArrayBuffer.isView(v)) return { view: v.constructor.name, data: Array.from(v as unknown as ArrayLike<unknown>) };
  if (Array.isArray(v))
    return { array: Array.from({ length: v.length }, (_, i) => (i in v ? snapshot(v[i], seen) : '<hole>')) };
  if (v instanceof Map || v instanceof Date) return { other: String(v) };
  const proto = Object.getPrototypeOf(v);
  return {
    object: proto === null ? 'null' : proto.constructor?.name,
    entries: Object.keys(v).map((k) => [k, snapshot((v as Record<string, unknown>)[k], seen)]),
  };
}

/** Same snapshot, comparing numbers with Object.is (NaN equals NaN, 0 differs from −0). */
export function sameSnapshot(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b);
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a),
    kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every((k) => sameSnapshot((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

export interface Outcome {
  threw: boolean;
  error?: unknown;
  value?: unknown;
  ms: number;
}

/** Calls fn, awaiting a promise for at most `limitMs` (a promise that never settles fails the check). */
export async function outcome(fn: () => unknown, limitMs = 5_000): Promise<Outcome> {
  const t0 = performance.now();
  try {
    let value = fn();
    if (value instanceof Promise) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const limit = new Promise(
        (_, reject) => (timer = setTimeout(() => reject(new Error(`HANG: no answer within ${limitMs} ms`)), limitMs)),
      );
      try {
        value = await Promise.race([value, limit]);
      } finally {
        clearTimeout(timer);
      }
    }
    return { threw: false, value, ms: performance.now() - t0 };
  } catch (error) {
    return { threw: true, error, ms: performance.now() - t0 };
  }
}

/** Why a thrown value is not a clear error, or null when it is one. */
export function unclear(error: unknown): string | null {
  if (!(error instanceof Error)) return `threw a non-Error: ${String(error)}`;
  if (error.message === CALLBACK_ERROR) return null; // the callback's own error, passed through
  if (error.message.startsWith('HANG')) return error.message;
  if (error.message.trim().length < 10) return `a message too short to be useful: "${error.message}"`;
  if (RAW_ENGINE_ERROR.test(error.message))
    return `a raw engine error, not an argument check: ${error.name}: ${error.message}`;
  return null;
}
