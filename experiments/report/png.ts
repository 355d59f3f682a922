// A minimal grayscale PNG encoder (zlib from Node), for pictures of learned features.
import { deflateSync } from 'node:zlib';

const CRC = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(Buffer.from(type, 'ascii'), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** An 8-bit grayscale PNG of a [height, width] array of values in [0, 1]. */
export function grayPng(pixels: ArrayLike<number>, width: number, height: number): Buffer {
  const raw = new Uint8Array(height * (width + 1));
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      raw[y * (width + 1) + 1 + x] = Math.round(255 * Math.min(1, Math.max(0, pixels[y * width + x])));
  const head = new Uint8Array(13);
  const v = new DataView(head.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  head.set([8, 0, 0, 0, 0], 8); // 8-bit grayscale, no interlace
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', head),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** Tiles side×side images (each rescaled to [0, 1] on its own range) into a grid, `scale` pixels per value, 1-pixel gaps. */
export function imageGrid(
  images: readonly ArrayLike<number>[],
  side: number,
  columns: number,
  scale = 3,
): { pixels: Float64Array; width: number; height: number } {
  const rowsN = Math.ceil(images.length / columns);
  const cell = side * scale + 1;
  const width = columns * cell + 1,
    height = rowsN * cell + 1;
  const pixels = new Float64Array(width * height).fill(1);
  images.forEach((im, n) => {
    let lo = Infinity,
      hi = -Infinity;
    for (let i = 0; i < side * side; i++) {
      lo = Math.min(lo, im[i]);
      hi = Math.max(hi, im[i]);
    }
    const ox = 1 + (n % columns) * cell,
      oy = 1 + Math.floor(n / columns) * cell;
    for (let y = 0; y < side * scale; y++)
      for (let x = 0; x < side * scale; x++) {
        const v = im[Math.floor(y / scale) * side + Math.floor(x / scale)];
        pixels[(oy + y) * width + ox + x] = hi > lo ? (v - lo) / (hi - lo) : 0.5;
      }
  });
  return { pixels, width, height };
}
