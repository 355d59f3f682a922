// Training and evaluation helpers: minibatch SGD whose batches and masks come from keys, batched
// inference, classification error, and Monte-Carlo model averaging over sampled dropout masks.
import {
  type Key,
  type Storage,
  Tensor,
  type Tree,
  add,
  describeValue,
  foldIn,
  isKey,
  softmax,
  uniform,
  valueAndGrad,
} from '../engine/index.ts';
import type { MLP, MLPParams } from './layers.ts';
import type { Optimizer } from './optim.ts';

/** A random permutation of 0..n−1 drawn from a key (uniform draws sorted; the sort is stable, so ties keep index order). */
export function permutation(k: Key, n: number): Int32Array {
  if (!isKey(k)) throw new TypeError(`permutation: expected k to be a Key, got ${describeValue(k)}`);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new RangeError(`permutation: n must be a non-negative integer, got ${describeValue(n)}`);
  const u = uniform(k, [n]).data;
  return Int32Array.from(Array.from({ length: n }, (_, i) => i).sort((a, b) => u[a] - u[b]));
}

export interface FitOptions<P extends Tree> {
  /** The optimizer, or one per update t = 0, 1, … (a learning-rate schedule; their states must be interchangeable). */
  optimizer: Optimizer<P> | ((step: number) => Optimizer<P>);
  /** Number of weight updates. */
  steps: number;
  /** Examples per update; the last batch of an epoch may be smaller. */
  batchSize: number;
  /** Number of training examples (batches hold indices into 0..n−1). */
  n: number;
  /** Epoch e is shuffled with foldIn(key, 2e); update t's noise uses foldIn(key, 2t + 1). */
  key: Key;
  /** Called after every update with the update count and the new parameters (valid during the call: the next update reuses their storage). */
  onStep?: (step: number, params: P, loss: number) => void;
}

/**
 * Minibatch SGD on loss(params, batch, key): every epoch visits the n examples in a fresh order.
 * Batches and noise are functions of the key and the step only, so a run is reproducible anywhere.
 */
export function fit<P extends Tree>(
  params: P,
  loss: (params: P, batch: Int32Array, key: Key) => Tensor,
  options: FitOptions<P>,
): P {
  const { optimizer, steps, batchSize, n, key, onStep } = options;
  for (const [name, v, min] of [
    ['steps', steps, 0],
    ['batchSize', batchSize, 1],
    ['n', n, 1],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < min)
      throw new RangeError(`fit: ${name} must be an integer ≥ ${min}, got ${describeValue(v)}`);
  }
  if (!isKey(key)) throw new TypeError('fit: expected key to be a Key');
  const vg = valueAndGrad(loss);
  const at = typeof optimizer === 'function' ? optimizer : () => optimizer;
  let state = at(0).init(params);
  let order: Int32Array = new Int32Array(0);
  for (let t = 0, pos = n, epoch = 0; t < steps; t++) {
    if (pos >= n) {
      order = permutation(foldIn(key, 2 * epoch++), n);
      pos = 0;
    }
    const batch = order.subarray(pos, Math.min(n, pos + batchSize));
    pos += batchSize;
    const { value, grad } = vg(params, batch, foldIn(key, 2 * t + 1));
    // from the second update on, params and state belong to this loop: donate them
    ({ params, state } = at(t).step(params, grad as P, state, { donate: t > 0 }));
    onStep?.(t + 1, params, value.item());
  }
  return params;
}

/** A Float64Array or Float32Array argument (named in the error), checked before any of its elements is read. */
function storageArg(op: string, name: string, v: unknown): Storage {
  if (!(v instanceof Float64Array || v instanceof Float32Array))
    throw new TypeError(`${op}: expected ${name} to be a Float64Array or a Float32Array, got ${describeValue(v)}`);
  return v;
}

/** Whole rows of `width` values: the number of rows. */
function rowsOf(op: string, v: Storage, width: number, what: string): number {
  if (!Number.isSafeInteger(width) || width < 1)
    throw new RangeError(`${op}: expected ${what} to be a positive integer, got ${describeValue(width)}`);
  if (v.length % width !== 0)
    throw new RangeError(`${op}: expected whole rows of ${width} values, got ${v.length} values`);
  return v.length / width;
}

/**
 * f applied to consecutive row blocks of x [rows, width] (to bound memory), results concatenated
 * row-wise into a Float64Array. x is a Float64Array or a Float32Array; each block is a tensor of its
 * dtype (so a float32 network sees float32 inputs).
 */
export function mapRows(x: Storage, width: number, f: (block: Tensor) => Tensor, block = 1000): Float64Array {
  storageArg('mapRows', 'x', x);
  if (typeof f !== 'function')
    throw new TypeError(`mapRows: expected f to be a function of a block of rows, got ${describeValue(f)}`);
  if (!Number.isSafeInteger(block) || block < 1)
    throw new RangeError(`mapRows: expected block to be a positive integer, got ${describeValue(block)}`);
  const rows = rowsOf('mapRows', x, width, 'width');
  const parts: Storage[] = [];
  for (let r = 0; r < rows; r += block)
    parts.push(
      f(new Tensor(x.slice(r * width, Math.min(rows, r + block) * width), [Math.min(block, rows - r), width])).data,
    );
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  parts.reduce((o, p) => (out.set(p, o), o + p.length), 0);
  return out;
}

/** Index of the largest entry of each row of a [rows, classes] array (the first on ties). */
export function argmaxRows(scores: Storage, classes: number): Int32Array {
  const out = new Int32Array(rowsOf('argmaxRows', storageArg('argmaxRows', 'scores', scores), classes, 'classes'));
  for (let r = 0; r < out.length; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (scores[r * classes + c] > scores[r * classes + best]) best = c;
    out[r] = best;
  }
  return out;
}

/** Fraction of rows whose argmax differs from the label. */
export function errorRate(scores: Storage, classes: number, labels: ArrayLike<number>): number {
  const pred = argmaxRows(scores, classes);
  if (labels === null || typeof labels !== 'object' || typeof (labels as ArrayLike<number>).length !== 'number')
    throw new TypeError(`errorRate: expected labels to be an array of class indices, got ${describeValue(labels)}`);
  if (pred.length !== labels.length)
    throw new RangeError(`errorRate: ${pred.length} rows of scores but ${labels.length} labels`);
  let wrong = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] !== labels[i]) wrong++;
  return wrong / Math.max(1, pred.length);
}

/**
 * Monte-Carlo model averaging: the mean of softmax outputs under k independently sampled masks
 * (mask s from foldIn(key, s)), reported at each k of an increasing grid (one pass up to its end).
 */
export function monteCarloAverages(
  net: MLP,
  params: MLPParams,
  x: Tensor,
  key: Key,
  grid: readonly number[],
): Float64Array[] {
  if (net === null || typeof net !== 'object' || typeof net.apply !== 'function')
    throw new TypeError(`monteCarloAverages: expected net to be a network from mlp(…), got ${describeValue(net)}`);
  if (!isKey(key)) throw new TypeError(`monteCarloAverages: expected key to be a Key, got ${describeValue(key)}`);
  if (!Array.isArray(grid))
    throw new TypeError(
      `monteCarloAverages: expected grid to be an array of increasing positive integers, got ${describeValue(grid)}`,
    );
  grid.forEach((k, i) => {
    if (!Number.isSafeInteger(k) || k < 1 || (i > 0 && k <= grid[i - 1]))
      throw new RangeError(`monteCarloAverages: grid must be increasing positive integers, got [${grid.join(', ')}]`);
  });
  const out: Float64Array[] = [];
  let acc: Tensor | undefined;
  for (let s = 1, g = 0; g < grid.length; s++) {
    const p = softmax(net.apply(params, x, { training: true, key: foldIn(key, s) }));
    acc = acc ? add(acc, p) : p;
    if (s === grid[g]) {
      const k = grid[g++];
      out.push(Float64Array.from(acc.data, (v) => v / k));
    }
  }
  return out;
}
