// The 10,000 real MNIST digits shipped by the `mnist` package, read from its raw per-digit JSON
// arrays (not its set() helper, which shuffles with JavaScript's unseeded global generator), cached
// as one Float64Array file, and split with the project's keys into stratified test / validation /
// training-pool sets.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { threadId } from 'node:worker_threads';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Key, foldIn, key, permutation } from '../src/index.ts';

export const PIXELS = 784;
export const CLASSES = 10;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = join(ROOT, '.cache', 'mnist-digits.f64');

/** All digits in the package's order (class 0's digits, then class 1's, …): labels and 28×28 pixels in [0, 1]. */
export interface Digits {
  count: number;
  labels: Uint8Array;
  /** [count, 784] row-major. */
  pixels: Float64Array;
}

let loaded: Digits | undefined;

/** The digits, parsed once from the package's JSON and then read from the cache. */
export function loadDigits(): Digits {
  if (loaded) return loaded;
  if (existsSync(CACHE)) {
    const buf = readFileSync(CACHE);
    const all = new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8);
    const count = all[0];
    if (Number.isSafeInteger(count) && all.length === 1 + count * (1 + PIXELS)) {
      loaded = { count, labels: Uint8Array.from(all.subarray(1, 1 + count)), pixels: all.slice(1 + count) };
      return loaded;
    }
  }
  loaded = parseDigits();
  // layout: [count, labels…, pixels…]; written to a temporary name (unique per process and thread) and
  // renamed, so a concurrent reader never sees half a file and concurrent writers do not collide
  const all = new Float64Array(1 + loaded.count * (1 + PIXELS));
  all[0] = loaded.count;
  all.set(loaded.labels, 1);
  all.set(loaded.pixels, 1 + loaded.count);
  mkdirSync(dirname(CACHE), { recursive: true });
  const tmp = `${CACHE}.${process.pid}-${threadId}.tmp`;
  writeFileSync(tmp, new Uint8Array(all.buffer));
  renameSync(tmp, CACHE);
  return loaded;
}

function parseDigits(): Digits {
  const require = createRequire(import.meta.url);
  const raws: number[][] = [];
  for (let c = 0; c < CLASSES; c++) {
    const raw = (require(`mnist/src/digits/${c}.json`) as { data: number[] }).data;
    if (!Array.isArray(raw) || raw.length % PIXELS !== 0) throw new Error(`mnist/src/digits/${c}.json: expected a multiple of ${PIXELS} values, got ${raw?.length}`);
    raws.push(raw);
  }
  const count = raws.reduce((s, r) => s + r.length / PIXELS, 0);
  const labels = new Uint8Array(count);
  const pixels = new Float64Array(count * PIXELS);
  let row = 0;
  raws.forEach((raw, c) => {
    pixels.set(raw, row * PIXELS);
    labels.fill(c, row, row + raw.length / PIXELS);
    row += raw.length / PIXELS;
  });
  return { count, labels, pixels };
}

/** 28×28 images averaged over 2×2 blocks to 14×14 (side 14), or returned as they are (side 28). */
export function atResolution(d: Digits, side: 14 | 28): Float64Array {
  if (side === 28) return d.pixels;
  const out = new Float64Array(d.count * 196);
  for (let n = 0; n < d.count; n++) {
    for (let i = 0; i < 14; i++) {
      for (let j = 0; j < 14; j++) {
        const o = n * PIXELS + 2 * i * 28 + 2 * j;
        out[n * 196 + i * 14 + j] = (d.pixels[o] + d.pixels[o + 1] + d.pixels[o + 28] + d.pixels[o + 29]) / 4;
      }
    }
  }
  return out;
}

/** Per-class counts summing to `total`, proportional to `available` (largest remainder, ties to the lower class). */
export function proportional(available: readonly number[], total: number): number[] {
  const all = available.reduce((s, v) => s + v, 0);
  if (!Number.isSafeInteger(total) || total < 0 || total > all) throw new RangeError(`proportional: total must be an integer in [0, ${all}], got ${total}`);
  const exact = available.map((a) => (a * total) / all);
  const counts = exact.map(Math.floor);
  const order = exact.map((e, c) => [e - Math.floor(e), c]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let r = total - counts.reduce((s, v) => s + v, 0), i = 0; r > 0; r--, i++) counts[order[i][1]]++;
  return counts;
}

/** Fixed stratified splits: test and validation sets, and the pool every training set is drawn from. */
export interface Splits {
  test: Int32Array;
  validation: Int32Array;
  pool: Int32Array;
}

export const TEST_SIZE = 2000;
export const VALIDATION_SIZE = 1000;
/** The key of the fixed splits; every experiment and every seed shares them. */
const SPLIT_SEED = 2014;

export function splits(d: Digits): Splits {
  const byClass = classIndices(d.labels, Array.from(d.labels.keys()));
  const sizes = byClass.map((c) => c.length);
  const nTest = proportional(sizes, TEST_SIZE);
  const nVal = proportional(sizes, VALIDATION_SIZE);
  const test: number[] = [], validation: number[] = [], pool: number[] = [];
  byClass.forEach((idx, c) => {
    const perm = permutation(foldIn(key(SPLIT_SEED), c), idx.length);
    perm.forEach((p, i) => (i < nTest[c] ? test : i < nTest[c] + nVal[c] ? validation : pool).push(idx[p]));
  });
  const sorted = (a: number[]) => Int32Array.from(a.sort((x, y) => x - y));
  return { test: sorted(test), validation: sorted(validation), pool: sorted(pool) };
}

function classIndices(labels: Uint8Array, rows: ArrayLike<number>): number[][] {
  const out: number[][] = Array.from({ length: CLASSES }, () => []);
  for (let i = 0; i < rows.length; i++) out[labels[rows[i]]].push(rows[i]);
  return out;
}

/** A stratified training set of n digits drawn from the pool with key k (sorted indices). */
export function trainingSet(d: Digits, pool: Int32Array, n: number, k: Key): Int32Array {
  const byClass = classIndices(d.labels, pool);
  const counts = proportional(byClass.map((c) => c.length), n);
  const out: number[] = [];
  byClass.forEach((idx, c) => {
    const perm = permutation(foldIn(k, c), idx.length);
    for (let i = 0; i < counts[c]; i++) out.push(idx[perm[i]]);
  });
  return Int32Array.from(out.sort((a, b) => a - b));
}

/** Rows `idx` of a [count, width] matrix, as a fresh contiguous array. */
export function rows(x: Float64Array, width: number, idx: ArrayLike<number>): Float64Array {
  const out = new Float64Array(idx.length * width);
  for (let i = 0; i < idx.length; i++) out.set(x.subarray(idx[i] * width, (idx[i] + 1) * width), i * width);
  return out;
}
