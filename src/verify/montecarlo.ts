// Monte-Carlo estimates of dropout ensemble averages. The k sampled masks form a batch dimension:
// the example is repeated k times and the network runs once, so one matmul serves all k samples
// (each row draws its own mask bits from the key). Uses only the engine's public API.
import { type Key, type Tensor, broadcastTo, describeValue, isKey, isTensor, reshape } from '../engine/index.ts';

export interface MonteCarloResult {
  /** [k, ...out]: row i is f under the i-th sampled mask. */
  samples: Tensor;
  /** The mean over the k rows. */
  mean: Float64Array;
}

/** Largest k for one batched pass (16 million rows would not fit in memory for any real layer). */
const MAX_K = 1 << 24;

/**
 * Runs f once on x repeated k times, with `key` for its masks, and averages the rows. f maps a
 * batch [k, ...features] to [k, ...out] and must draw an independent mask per row (as dropout does
 * when the batch dimension is not shared in its noiseShape).
 */
export function monteCarloMean(
  f: (batch: Tensor, key: Key) => Tensor,
  x: Tensor,
  k: number,
  key: Key,
): MonteCarloResult {
  if (typeof f !== 'function')
    throw new TypeError('monteCarloMean: expected f to be a function (batch, key) => Tensor');
  if (!isTensor(x))
    throw new TypeError('monteCarloMean: expected x to be a Tensor (one example, without a batch dimension)');
  if (!Number.isSafeInteger(k) || k < 1 || k > MAX_K)
    throw new RangeError(`monteCarloMean: k must be an integer in [1, ${MAX_K}], got ${describeValue(k)}`);
  if (!isKey(key)) throw new TypeError('monteCarloMean: expected key to be a Key');
  const batch = broadcastTo(reshape(x, [1, ...x.shape]), [k, ...x.shape]);
  const samples = f(batch, key);
  if (!isTensor(samples) || samples.shape[0] !== k) {
    throw new RangeError(
      `monteCarloMean: f must return a Tensor with ${k} rows (one per sample), got ${isTensor(samples) ? `shape [${samples.shape.join(', ')}]` : typeof samples}`,
    );
  }
  return { samples, mean: runningMeans(samples, [k])[0] };
}

/** The mean of the first k rows of samples, for each k of the grid (a single pass, fixed summation order). */
export function runningMeans(samples: Tensor, grid: readonly number[]): Float64Array[] {
  if (!isTensor(samples) || samples.ndim < 1)
    throw new TypeError(`runningMeans: expected samples to be a Tensor [k, ...], got ${describeValue(samples)}`);
  if (!Array.isArray(grid))
    throw new TypeError(
      `runningMeans: expected grid to be an increasing array of row counts, got ${describeValue(grid)}`,
    );
  const rows = samples.shape[0];
  const width = rows === 0 ? 0 : samples.size / rows;
  for (let i = 0; i < grid.length; i++) {
    const k = grid[i];
    if (!Number.isSafeInteger(k) || k < 1 || k > rows)
      throw new RangeError(`runningMeans: grid values must be integers in [1, ${rows}], got ${describeValue(k)}`);
    if (i > 0 && k <= grid[i - 1])
      throw new RangeError(`runningMeans: grid must be increasing, got ${grid[i - 1]} then ${k}`);
  }
  const acc = new Float64Array(width);
  const out: Float64Array[] = [];
  let r = 0;
  for (const k of grid) {
    for (; r < k; r++) for (let j = 0; j < width; j++) acc[j] += samples.data[r * width + j];
    out.push(acc.map((v) => v / k));
  }
  return out;
}

/** 1, 2, 5, 10, 20, 50, … up to and including max (a 1-2-5 grid), for convergence plots and checks. */
export function geometricGrid(max: number): number[] {
  if (!Number.isSafeInteger(max) || max < 1)
    throw new RangeError(`geometricGrid: max must be a positive integer, got ${describeValue(max)}`);
  const out: number[] = [];
  for (let decade = 1; decade <= max; decade *= 10)
    for (const m of [1, 2, 5]) if (m * decade <= max) out.push(m * decade);
  if (out[out.length - 1] !== max) out.push(max);
  return out;
}
