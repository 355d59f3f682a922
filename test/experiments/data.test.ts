// The data module: the IDX parser on hand-made files (each refusal), the real MNIST files' counts,
// the fixed splits (sizes, stratification, disjointness, determinism, dependence on the seed), the
// stratified training sets, and the conversion of rows to floats.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CLASSES,
  type Digits,
  type IdxFile,
  IMAGES_MAGIC,
  LABELS_MAGIC,
  MNIST_FILES,
  PIXELS,
  POOL_SIZE,
  SPLIT_SEED,
  TEST_CLASS_COUNTS,
  TEST_SIZE,
  TRAIN_CLASS_COUNTS,
  VALIDATION_SIZE,
  atResolution,
  labelsOf,
  loadDigits,
  mnistDir,
  parseDigits,
  parseImages,
  parseLabels,
  pickRows,
  proportional,
  rows,
  splits,
  trainingSet,
} from '../../experiments/mnist/data.ts';
import { key } from '../../src/index.ts';

/** An IDX file: big-endian magic, dimensions, then the bytes. */
function idx(magic: number, dims: number[], body: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic);
  dims.forEach((v, i) => view.setUint32(4 + 4 * i, v));
  out.set(body, 4 + 4 * dims.length);
  return out;
}
/** n images whose pixel j of image i is (i·7 + j) mod 256. */
const imageBytes = (n: number) =>
  Uint8Array.from({ length: n * PIXELS }, (_, t) => (Math.floor(t / PIXELS) * 7 + (t % PIXELS)) % 256);
const images = (n: number, rowsCols = [28, 28]) => idx(IMAGES_MAGIC, [n, ...rowsCols], imageBytes(n));
const labels = (ls: number[]) => idx(LABELS_MAGIC, [ls.length], ls);
/** Per-class counts of a list of labels. */
const countsOf = (ls: ArrayLike<number>) =>
  Array.from({ length: CLASSES }, (_, c) => Array.from(ls).filter((l) => l === c).length);

describe('IDX parser (hand-made files)', () => {
  const name = 'some/dir/train-images-idx3-ubyte';

  it('reads images and labels as views of the file bytes', () => {
    const file = images(2);
    const px = parseImages(file, { name, count: 2 });
    expect(px.length).toBe(2 * PIXELS);
    expect(Array.from(px.subarray(PIXELS, PIXELS + 3))).toEqual([7, 8, 9]);
    expect(px.buffer).toBe(file.buffer);
    expect(
      Array.from(parseLabels(labels([3, 0, 3]), { name: 'l', classCounts: [1, 0, 0, 2, 0, 0, 0, 0, 0, 0] })),
    ).toEqual([3, 0, 3]);
  });

  it('refuses a wrong magic number, naming the file, what was expected and what was found', () => {
    expect(() => parseImages(labels([1]), { name, count: 1 })).toThrow(
      'some/dir/train-images-idx3-ubyte: expected magic number 2051 (unsigned bytes, 3 dimensions), found 2049',
    );
    expect(() => parseLabels(images(1), { name: 'lab', classCounts: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0] })).toThrow(
      'lab: expected magic number 2049 (unsigned bytes, 1 dimension), found 2051',
    );
    // a float (0x0D) image file: same dimensions, another type
    expect(() => parseImages(idx(0x0d03, [1, 28, 28], imageBytes(1)), { name, count: 1 })).toThrow(
      /expected magic number 2051 .*found 3331/,
    );
  });

  it('refuses a wrong count or wrong dimensions', () => {
    expect(() => parseImages(images(3), { name, count: 2 })).toThrow(`${name}: expected 2 images, found 3`);
    expect(() => parseImages(images(1, [28, 27]), { name, count: 1 })).toThrow(
      `${name}: expected 28×28 images, found 28×27`,
    );
    expect(() => parseImages(images(1, [27, 28]), { name, count: 1 })).toThrow(
      `${name}: expected 28×28 images, found 27×28`,
    );
    expect(() => parseLabels(labels([0, 1]), { name: 'lab', classCounts: [1, 1, 1, 0, 0, 0, 0, 0, 0, 0] })).toThrow(
      'lab: expected 3 labels, found 2',
    );
  });

  it('refuses a truncated file (header or body) and trailing bytes', () => {
    expect(() => parseImages([0, 0, 8, 3] as unknown as Uint8Array, { name, count: 0 })).toThrow(
      `${name}: expected the file's bytes as a Uint8Array`,
    );
    const file = images(2);
    expect(() => parseImages(file.subarray(0, file.length - 1), { name, count: 2 })).toThrow(
      `${name}: expected 1584 bytes (16-byte header + 2 × 784 pixels), found 1583 (truncated)`,
    );
    expect(() => parseImages(file.subarray(0, 10), { name, count: 2 })).toThrow(
      `${name}: truncated header: expected at least 16 bytes, found 10`,
    );
    expect(() => parseImages(new Uint8Array([...file, 0]), { name, count: 2 })).toThrow(
      `${name}: expected 1584 bytes (16-byte header + 2 × 784 pixels), found 1585 (trailing bytes)`,
    );
    const lab = labels([0, 1]);
    expect(() => parseLabels(lab.subarray(0, 9), { name: 'lab', classCounts: [1, 1, 0, 0, 0, 0, 0, 0, 0, 0] })).toThrow(
      'lab: expected 10 bytes (8-byte header + 2 labels), found 9 (truncated)',
    );
    expect(() => parseLabels(lab.subarray(0, 7), { name: 'lab', classCounts: [1, 1, 0, 0, 0, 0, 0, 0, 0, 0] })).toThrow(
      'lab: truncated header: expected at least 8 bytes, found 7',
    );
    expect(() => parseLabels(lab.subarray(0, 3), { name: 'lab', classCounts: [1, 1, 0, 0, 0, 0, 0, 0, 0, 0] })).toThrow(
      'lab: truncated header: expected at least 8 bytes, found 3',
    );
    expect(() => parseLabels(new Uint8Array(0), { name: 'lab', classCounts: [1, 1, 0, 0, 0, 0, 0, 0, 0, 0] })).toThrow(
      'lab: truncated header: expected at least 8 bytes, found 0',
    );
  });

  it('refuses wrong per-class label counts and labels outside 0…9', () => {
    expect(() => parseLabels(labels([0, 1, 1]), { name: 'lab', classCounts: [2, 1, 0, 0, 0, 0, 0, 0, 0, 0] })).toThrow(
      'lab: expected per-class label counts 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, found 1, 2, 0, 0, 0, 0, 0, 0, 0, 0',
    );
    expect(() => parseLabels(labels([0, 10]), { name: 'lab', classCounts: [1, 1, 0, 0, 0, 0, 0, 0, 0, 0] })).toThrow(
      'lab: expected labels 0…9, found 10 at index 1',
    );
  });

  const small = (
    over: Partial<Record<keyof typeof MNIST_FILES, Uint8Array>> = {},
  ): Record<keyof typeof MNIST_FILES, IdxFile> => {
    const bytes = {
      trainImages: images(3),
      trainLabels: labels([2, 0, 2]),
      testImages: images(2),
      testLabels: labels([1, 2]),
      ...over,
    };
    return Object.fromEntries(Object.entries(bytes).map(([k, b]) => [k, { name: `dir/${k}`, bytes: b }])) as Record<
      keyof typeof MNIST_FILES,
      IdxFile
    >;
  };
  const expectSmall = { train: [1, 0, 2, 0, 0, 0, 0, 0, 0, 0], test: [0, 1, 1, 0, 0, 0, 0, 0, 0, 0] };

  it('puts the training digits first, then the test digits, and reads gzipped files too', () => {
    const d = parseDigits(small(), expectSmall);
    expect([d.count, d.trainCount, d.side, d.width, d.denominator]).toEqual([5, 3, 28, PIXELS, 255]);
    expect(Array.from(d.labels)).toEqual([2, 0, 2, 1, 2]);
    expect(Array.from(d.pixels.subarray(3 * PIXELS, 3 * PIXELS + 2))).toEqual([0, 1]); // the first test image
    expect(Array.from(d.pixels.subarray(2 * PIXELS, 2 * PIXELS + 2))).toEqual([14, 15]); // the last training image
    const z = parseDigits(
      small({ trainImages: gzipSync(images(3)), testLabels: gzipSync(labels([1, 2])) }),
      expectSmall,
    );
    expect(z).toEqual(d);
  });

  it('checks each of the four files against its own expectation', () => {
    expect(() => parseDigits(small(), { ...expectSmall, test: [0, 2, 0, 0, 0, 0, 0, 0, 0, 0] })).toThrow(
      /^dir\/testLabels: expected per-class label counts 0, 2,/,
    );
    expect(() => parseDigits(small({ testImages: images(3) }), expectSmall)).toThrow(
      'dir/testImages: expected 2 images, found 3',
    );
    expect(() => parseDigits(small({ trainImages: images(2) }), expectSmall)).toThrow(
      'dir/trainImages: expected 3 images, found 2',
    );
    expect(() => parseDigits(small(), { ...expectSmall, train: [1, 1, 1, 0, 0, 0, 0, 0, 0, 0] })).toThrow(
      /^dir\/trainLabels: /,
    );
    // the real expectation, the default, refuses the small files
    expect(() => parseDigits(small())).toThrow('dir/trainLabels: expected 60000 labels, found 3');
  });
});

describe('the real MNIST files', () => {
  let d: Digits;
  beforeAll(() => {
    d = loadDigits();
  });

  it('70,000 digits: 60,000 training then 10,000 test, with the official per-class counts', () => {
    expect([d.count, d.trainCount, d.side, d.width, d.denominator]).toEqual([70000, 60000, 28, PIXELS, 255]);
    expect(d.pixels).toBeInstanceOf(Uint8Array);
    expect(d.pixels.length).toBe(70000 * PIXELS);
    expect(countsOf(d.labels.subarray(0, 60000))).toEqual(TRAIN_CLASS_COUNTS);
    expect(countsOf(d.labels.subarray(60000))).toEqual(TEST_CLASS_COUNTS);
    // the well-known first labels of each file: 5 0 4 1 9 (training) and 7 2 1 0 4 (test)
    expect(Array.from(d.labels.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
    expect(Array.from(d.labels.subarray(60000, 60005))).toEqual([7, 2, 1, 0, 4]);
    expect(loadDigits() === d).toBe(true); // read once per thread (a boolean: a failed toBe would diff 55 MB)
  });

  it("pixels are the files' bytes after their 16-byte headers", () => {
    const dir = mnistDir();
    const train = readFileSync(join(dir, MNIST_FILES.trainImages)),
      test = readFileSync(join(dir, MNIST_FILES.testImages));
    expect(Buffer.compare(Buffer.from(d.pixels.subarray(0, 60000 * PIXELS)), train.subarray(16))).toBe(0);
    expect(Buffer.compare(Buffer.from(d.pixels.subarray(60000 * PIXELS)), test.subarray(16))).toBe(0);
    let lo = 255,
      hi = 0;
    for (const v of d.pixels.subarray(0, 100 * PIXELS)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect([lo, hi]).toEqual([0, 255]);
  });

  it('a mislabeled copy of the real labels is refused with both count lists', () => {
    const file = new Uint8Array(readFileSync(join(mnistDir(), MNIST_FILES.testLabels)));
    file[8] = (file[8] + 1) % 10; // the first test label, 7, becomes 8
    expect(() => parseLabels(file, { name: 't10k', classCounts: TEST_CLASS_COUNTS })).toThrow(
      't10k: expected per-class label counts 980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009, found 980, 1135, 1032, 1010, 982, 892, 958, 1027, 975, 1009',
    );
  });
});

describe('splits', () => {
  let d: Digits;
  beforeAll(() => {
    d = loadDigits();
  });
  const perClass = (ix: Int32Array) => countsOf(Array.from(ix, (i) => d.labels[i]));

  it('test = the official 10,000; validation = 10,000 stratified training digits; pool = the other 50,000', () => {
    const s = splits(d);
    expect([s.test.length, s.validation.length, s.pool.length]).toEqual([TEST_SIZE, VALIDATION_SIZE, POOL_SIZE]);
    expect([TEST_SIZE, VALIDATION_SIZE, POOL_SIZE]).toEqual([10000, 10000, 50000]);
    expect(Array.from(s.test)).toEqual(Array.from({ length: 10000 }, (_, i) => 60000 + i));
    const valPerClass = perClass(s.validation);
    expect(valPerClass).toEqual(proportional(TRAIN_CLASS_COUNTS, VALIDATION_SIZE));
    expect(valPerClass).toEqual([987, 1124, 993, 1022, 974, 904, 986, 1044, 975, 991]);
    expect(perClass(s.pool)).toEqual(TRAIN_CLASS_COUNTS.map((c, i) => c - valPerClass[i]));
    // disjoint, and together exactly the training digits; sorted
    const all = [...s.validation, ...s.pool].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 60000 }, (_, i) => i));
    for (const part of [s.validation, s.pool]) expect(part.every((v, i) => i === 0 || part[i - 1] < v)).toBe(true);
  });

  it('the same indices on every call, pinned (a change to the keys or the draws shows here)', () => {
    const s = splits(d);
    expect(splits(d)).toEqual(s);
    expect(splits(d, SPLIT_SEED)).toEqual(s);
    expect(SPLIT_SEED).toBe(2014);
    expect(Array.from(s.validation.subarray(0, 5))).toEqual([1, 5, 7, 9, 12]);
    expect(s.validation.reduce((a, v) => a + v, 0)).toBe(302052134);
  });

  it('another seed: other validation digits, the same class counts and test set', () => {
    const s = splits(d),
      t = splits(d, SPLIT_SEED + 1);
    expect(t.validation).not.toEqual(s.validation);
    const before = new Set(s.validation);
    const shared = t.validation.filter((i) => before.has(i)).length;
    expect(shared).toBeLessThan(2500); // about 1/6 of 10,000 by chance
    expect(perClass(t.validation)).toEqual(perClass(s.validation));
    expect(t.test).toEqual(s.test);
  });

  it('validation sizes other than 10,000, and refuses more than the training digits', () => {
    expect(splits(d, SPLIT_SEED, 60).validation.length).toBe(60);
    expect(perClass(splits(d, SPLIT_SEED, 60).validation)).toEqual(proportional(TRAIN_CLASS_COUNTS, 60));
    expect(() => splits(d, SPLIT_SEED, 60001)).toThrow(/total must be an integer in \[0, 60000\], got 60001/);
  });

  it('training sets: stratified draws from the pool, fixed by their key', () => {
    const s = splits(d);
    const t = trainingSet(d, s.pool, 2000, key(1));
    expect(t.length).toBe(2000);
    expect(perClass(t)).toEqual(proportional(perClass(s.pool), 2000));
    expect(new Set(t).size).toBe(2000);
    const pool = new Set(s.pool);
    expect(t.every((i) => pool.has(i))).toBe(true);
    expect(t.every((v, i) => i === 0 || t[i - 1] < v)).toBe(true);
    expect(trainingSet(d, s.pool, 2000, key(1))).toEqual(t);
    expect([...t.subarray(0, 3), t.reduce((a, v) => a + v, 0)]).toEqual([78, 84, 98, 60045065]); // pinned
    expect(trainingSet(d, s.pool, 2000, key(2))).not.toEqual(t);
    expect(trainingSet(d, s.pool, 0, key(1)).length).toBe(0);
    expect(trainingSet(d, s.pool, POOL_SIZE, key(1))).toEqual(s.pool);
    expect(() => trainingSet(d, s.pool, POOL_SIZE + 1, key(1))).toThrow(
      /total must be an integer in \[0, 50000\], got 50001/,
    );
  });

  it('proportional allocation sums to the total and refuses too many', () => {
    expect(proportional([5, 3, 2], 5)).toEqual([3, 1, 1]);
    expect(proportional([1, 1, 1], 2)).toEqual([1, 1, 0]);
    expect(() => proportional([1, 1], 3)).toThrow(/total must be an integer in \[0, 2\], got 3/);
  });
});

describe('rows', () => {
  let d: Digits;
  beforeAll(() => {
    d = loadDigits();
  });

  it('converts only the rows asked for, to value/255 as float64 (default) or float32', () => {
    const ix = [60000, 3, 3];
    const x = rows(d, ix);
    expect(x).toBeInstanceOf(Float64Array);
    expect(x.length).toBe(3 * PIXELS);
    for (let i = 0; i < ix.length; i++)
      for (let j = 0; j < PIXELS; j++) expect(x[i * PIXELS + j]).toBe(d.pixels[ix[i] * PIXELS + j] / 255);
    const f = rows(d, ix, { dtype: 'float32' });
    expect(f).toBeInstanceOf(Float32Array);
    expect(Array.from(f)).toEqual(Array.from(x, Math.fround));
    expect(rows(d, ix, { dtype: 'float64' })).toEqual(x);
    expect(rows(d, []).length).toBe(0);
    expect(labelsOf(d, ix)).toEqual([7, d.labels[3], d.labels[3]]);
  });

  it('refuses row indices outside the digits and unknown dtypes', () => {
    expect(() => rows(d, [70000])).toThrow('rows: row index 70000 (position 0) is not an integer in [0, 70000)');
    expect(() => rows(d, [0, -1])).toThrow('rows: row index -1 (position 1) is not an integer in [0, 70000)');
    expect(() => rows(d, [0.5])).toThrow(/row index 0.5/);
    expect(() => labelsOf(d, [70000])).toThrow(/labelsOf: row index 70000/);
    expect(() => rows(d, [0], { dtype: 'int8' as 'float32' })).toThrow(
      "rows: dtype must be 'float64' or 'float32', got int8",
    );
  });

  it('14×14: the means of 2×2 blocks, exactly', () => {
    const h = atResolution(d, 14);
    expect([h.count, h.trainCount, h.side, h.width, h.denominator]).toEqual([70000, 60000, 14, 196, 1020]);
    expect(h.labels === d.labels).toBe(true);
    expect(atResolution(d, 28) === d).toBe(true);
    const ix = [0, 60001, 59999];
    const x = rows(h, ix),
      full = rows(d, ix);
    for (let n = 0; n < ix.length; n++) {
      for (let i = 0; i < 14; i++) {
        for (let j = 0; j < 14; j++) {
          const o = n * PIXELS + 2 * i * 28 + 2 * j;
          const block = [full[o], full[o + 1], full[o + 28], full[o + 29]];
          expect(x[n * 196 + i * 14 + j]).toBeCloseTo(block.reduce((a, v) => a + v, 0) / 4, 14);
          expect(x[n * 196 + i * 14 + j]).toBe(
            (d.pixels[ix[n] * PIXELS + 2 * i * 28 + 2 * j] +
              d.pixels[ix[n] * PIXELS + 2 * i * 28 + 2 * j + 1] +
              d.pixels[ix[n] * PIXELS + (2 * i + 1) * 28 + 2 * j] +
              d.pixels[ix[n] * PIXELS + (2 * i + 1) * 28 + 2 * j + 1]) /
              1020,
          );
        }
      }
    }
    let hi = 0;
    for (const v of rows(
      h,
      Array.from({ length: 200 }, (_, i) => i),
    ))
      hi = Math.max(hi, v);
    expect(hi).toBeGreaterThan(0.9);
    expect(hi).toBeLessThanOrEqual(1);
    expect(() => atResolution(h, 28)).toThrow('atResolution: can only average 28×28 digits to 14×14, got 14 → 28');
  });

  it('pickRows copies rows of a converted matrix', () => {
    const x = Float64Array.from({ length: 12 }, (_, i) => i);
    expect(Array.from(pickRows(x, 3, [3, 0]))).toEqual([9, 10, 11, 0, 1, 2]);
  });
});

describe('no unkeyed randomness', () => {
  it('no experiment module calls Math.random (every draw comes from a key)', async () => {
    const { readdirSync } = await import('node:fs');
    const files = readdirSync(new URL('../../experiments/', import.meta.url), {
      recursive: true,
      encoding: 'utf8',
    }).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(30);
    for (const f of files)
      expect(readFileSync(new URL(`../../experiments/${f}`, import.meta.url), 'utf8'), f).not.toMatch(/Math\.random/);
  });
});
