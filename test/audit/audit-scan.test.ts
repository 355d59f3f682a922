// The audit's passes over elements, each against a plain per-element statement of what it computes,
// on arrays that include the values that make comparisons subtle (±0, NaN, ±Infinity, neighbours a
// few ulp apart).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Match,
  ULP4,
  along,
  countZeros,
  directional,
  firstMismatch,
  firstNeitherZeroNorScaled,
  firstRepeat,
  groups,
  inputValues,
  keptSum,
  lagPairs,
  masked,
  quantized,
  toFloat32,
  matches,
  scaled,
  signAndSize,
  tally,
  zeroBits,
} from '../../src/verify/audit/scan.ts';

const MATCHES: Match[] = ['equal', 'same', 'bits', 'close'];
const special = fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 1, 1 + 2 ** -52, 1 + 2 ** -50, -1);
const value = fc.oneof(special, fc.double());
const f64 = (a: number[]) => Float64Array.from(a);
/** A pair (got, want) of equal length where want is got with a few elements changed. */
const pair = fc
  .array(value, { maxLength: 40 })
  .chain((g) => fc.tuple(fc.constant(g), fc.array(fc.tuple(fc.nat(), value), { maxLength: 4 })))
  .map(([g, edits]) => {
    const w = g.slice();
    for (const [i, v] of edits) if (w.length) w[i % w.length] = v;
    return [f64(g), f64(w)] as const;
  });

describe('matches', () => {
  it.each([
    // got, want, equal, same, bits, close
    [0, -0, true, true, false, true],
    [NaN, NaN, false, true, true, true],
    [NaN, 1, false, false, false, false],
    [1, NaN, false, false, false, false],
    [Infinity, Infinity, true, true, true, true],
    [-Infinity, Infinity, false, false, false, false],
    [1e308, Infinity, false, false, false, false],
    [Infinity, 1e308, false, false, false, false],
    [1 + 2 ** -51, 1, false, false, false, true], // exactly 4 ulp of 1/2 … at the edge: close
    [1 + 2 ** -51 + 2 ** -52, 1, false, false, false, false],
    [1, 1 + 2 ** -51, false, false, false, true],
    [-1 - 2 ** -51, -1, false, false, false, true],
    [2 ** -1074, 0, false, false, false, false], // nothing is within a relative tolerance of 0 but ±0
    [-0, 0, true, true, false, true],
  ])('%d vs %d: equal %s, same %s, bits %s, close %s', (got, want, equal, same, bits, close) => {
    expect(MATCHES.map((m) => matches(got, want, m))).toEqual([equal, same, bits, close]);
  });
  it('close32 allows 4·2^-23 relative (float32 arithmetic), nothing near 0 but ±0, and no infinite want', () => {
    expect(matches(1 + 2 ** -21, 1, 'close32')).toBe(true);
    expect(matches(1 + 2 ** -21 + 2 ** -40, 1, 'close32')).toBe(false);
    expect(matches(-3 * (1 - 2 ** -21), -3, 'close32')).toBe(true);
    expect(matches(1 + 2 ** -9, 1, 'close32')).toBe(false); // a bfloat16 multiplier's error
    expect(matches(2 ** -149, 0, 'close32')).toBe(false);
    expect(matches(NaN, NaN, 'close32')).toBe(true);
    expect(matches(3e38, Infinity, 'close32')).toBe(false);
    expect(firstMismatch(f64([1, 1 + 2 ** -20]), f64([1, 1]), 'close32')).toBe(1);
  });
  it('toFloat32 rounds to the nearest float32; quantized to the nearest multiple of 2^-bits', () => {
    expect([...toFloat32(f64([0.1, 1 + 2 ** -30, 2 ** 200, -0]))]).toEqual([Math.fround(0.1), 1, Infinity, -0]);
    expect([...quantized(f64([0.1, -0.3, 5]), 2)]).toEqual([0, -0.25, 5]);
  });
  it('close is symmetric in sign and scales with want', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-300, max: 1e300, noNaN: true }), fc.integer({ min: -8, max: 8 }), (w, ulps) => {
        const got = w + ulps * 2 ** -53 * w; // within rounding, ulps/2 units of 2^-52·w
        const inside = Math.abs(got - w) <= ULP4 * w;
        expect(matches(got, w, 'close')).toBe(inside);
        expect(matches(-got, -w, 'close')).toBe(inside);
      }),
    );
  });
});

describe('firstMismatch', () => {
  it('is the first index whose element does not match, skipping the marked ones', () => {
    fc.assert(
      fc.property(
        pair,
        fc.constantFrom(...MATCHES),
        fc.array(fc.boolean(), { maxLength: 40 }),
        ([got, want], m, marks) => {
          const skip = Uint8Array.from({ length: got.length }, (_, i) => (marks[i] ? 1 : 0));
          expect(firstMismatch(got, want, m)).toBe([...got].findIndex((g, i) => !matches(g, want[i], m)));
          expect(firstMismatch(got, want, m, skip)).toBe(
            [...got].findIndex((g, i) => !marks[i] && !matches(g, want[i], m)),
          );
        },
      ),
    );
  });
  it('edges: empty arrays, a mismatch at the last element, a skip mark that is not 1', () => {
    expect(firstMismatch(new Float64Array(0), new Float64Array(0), 'bits')).toBe(-1);
    expect(firstMismatch(f64([1, 2, 3]), f64([1, 2, 4]), 'close')).toBe(2);
    expect(firstMismatch(f64([1, 2, 3]), f64([1, 2, 4]), 'close', Uint8Array.of(0, 0, 1))).toBe(-1);
    expect(firstMismatch(f64([5, 2]), f64([1, 2]), 'equal', Uint8Array.of(0, 1))).toBe(0);
    expect(firstMismatch(f64([0, -0]), f64([-0, -0]), 'bits')).toBe(0);
  });
  it('refuses a match kind it does not know (matches() alone would read it as "same"), even for empty arrays', () => {
    for (const m of ['', 'Same', 'exact']) {
      expect(() => firstMismatch(new Float64Array(0), new Float64Array(0), m as 'same')).toThrow(
        new RangeError(`firstMismatch: expected match to be one of equal, same, bits, close, close32, got "${m}"`),
      );
    }
  });
});

describe('element-wise arithmetic', () => {
  const arr = fc.array(value, { maxLength: 30 }).map(f64);
  it('scaled, masked and along are x·s, (y ≠ 0 ? dy·s : 0) and x + t·u, element by element, without touching their inputs', () => {
    fc.assert(
      fc.property(arr, value, fc.double(), (x, s, t) => {
        const y = x.map((v, i) => (i % 3 === 0 ? 0 : i % 3 === 1 ? -0 : v));
        const [x0, y0] = [x.slice(), y.slice()];
        const u = x.map((v) => -v / 2);
        expect([...scaled(x, s)]).toEqual([...x].map((v) => v * s));
        expect([...masked(x, s, y)]).toEqual([...x].map((v, i) => (y[i] === 0 ? 0 : v * s)));
        expect([...along(x, u, t)]).toEqual([...x].map((v, i) => v + t * u[i]));
        expect(scaled(x, s)).not.toBe(x);
        expect([x, y]).toEqual([x0, y0]);
      }),
    );
    expect([...masked(f64([2, 3, 4]), 0.5, f64([1, 0, NaN]))]).toEqual([1, 0, 2]);
    expect(Object.is(masked(f64([-2]), 0.5, f64([0]))[0], 0)).toBe(true); // a dropped element's gradient is +0
  });
  it('firstNeitherZeroNorScaled: the first output that is not 0 (either sign) and not x·s to 4 ulp', () => {
    fc.assert(
      fc.property(pair, value, ([y, x], s) => {
        expect(firstNeitherZeroNorScaled(y, x, s)).toBe(
          [...y].findIndex((v, i) => v !== 0 && !matches(v, x[i] * s, 'close')),
        );
      }),
    );
    expect(firstNeitherZeroNorScaled(f64([0, -0, 2 * (1 + 2 ** -51), 5]), f64([7, 7, 2, 2]), 1)).toBe(3);
    expect(firstNeitherZeroNorScaled(f64([NaN]), f64([NaN]), 2)).toBe(-1);
    // in float32 arithmetic: a few float32 roundings pass, a bfloat16-sized error does not
    expect(
      firstNeitherZeroNorScaled(f64([0, 2 * (1 + 2 ** -22), 2 * (1 + 2 ** -9)]), f64([7, 1, 1]), 2, 'close32'),
    ).toBe(2);
    expect(firstNeitherZeroNorScaled(f64([2 * (1 + 2 ** -22)]), f64([1]), 2)).toBe(0);
  });
  it('directional: both inner products of the finite-difference check and their magnitudes', () => {
    const r = directional(f64([3, 1]), f64([1, 2]), 0.25, f64([1, -2]), f64([4, 5]), f64([-1, 3]));
    // fd = (fPlus − fMinus)/(2h) = [4, −2]; lhs = 1·4 + (−2)(−2) = 8; rhs = 4·(−1) + 5·3 = 11; scale = 4 + 4 + 4 + 15
    expect(r).toEqual({ lhs: 8, rhs: 11, scale: 27, rounding: 39 }); // rounding = 1·(3 + 1)/0.5 + 2·(1 + 2)/0.5 + 4 + 15
    expect(directional(f64([3, 1]), f64([1, 2]), 0.5, f64([2, -1]), f64([4, 5]), f64([-1, 3]))).toEqual({
      lhs: 5,
      rhs: 11,
      scale: 24,
      rounding: 30,
    });
    expect(
      directional(
        new Float64Array(0),
        new Float64Array(0),
        1,
        new Float64Array(0),
        new Float64Array(0),
        new Float64Array(0),
      ),
    ).toEqual({ lhs: 0, rhs: 0, scale: 0, rounding: 0 });
  });
  it('countZeros counts +0 and −0, not NaN', () => {
    expect(countZeros(f64([0, -0, NaN, 1e-320, 0]))).toBe(3);
    fc.assert(
      fc.property(arr, (x) => {
        expect(countZeros(x)).toBe([...x].filter((v) => v === 0).length);
      }),
    );
  });
  it('zeroBits and signAndSize: 1 where y is ±0; 1 where x > 0 and where |x| ≥ 1', () => {
    expect([...zeroBits(f64([0, -0, NaN, 2, -3]))]).toEqual([1, 1, 0, 0, 0]);
    const { positive, large } = signAndSize(f64([1, -1, 0.999, -0.5, 0, -0, NaN, Infinity]));
    expect([...positive]).toEqual([1, 0, 1, 0, 0, 0, 0, 1]);
    expect([...large]).toEqual([1, 1, 0, 0, 0, 0, 0, 1]);
  });
});

describe('keptSum', () => {
  it('is keep·Σ train/inference: the kept count for a correct implementation', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.double({ min: 0.5, max: 1.5 })), { maxLength: 200 }),
        fc.double({ min: 0.05, max: 1 }),
        (els, keep) => {
          const x = f64(els.map(([, v]) => v));
          const train = f64(els.map(([kept, v]) => (kept ? v / keep : 0)));
          const { sum, broken } = keptSum(train, x, keep);
          expect(broken).toBe(-1);
          expect(Math.abs(sum - els.filter(([k]) => k).length)).toBeLessThan(1e-9);
        },
      ),
    );
  });
  it('compensates: a million terms of 0.1 sum to 100,000 within 1e-9, where a plain sum is off by 1e-6', () => {
    const n = 1_000_000,
      train = new Float64Array(n).fill(0.1),
      one = new Float64Array(n).fill(1);
    let plain = 0;
    for (let i = 0; i < n; i++) plain += 0.1;
    expect(Math.abs(plain - 1e5)).toBeGreaterThan(1e-6);
    expect(Math.abs(keptSum(train, one, 1).sum - 1e5)).toBeLessThan(1e-9);
    // terms larger than the running sum take the other branch of the compensation
    expect(keptSum(f64([1, 1e16, 1, -1e16]), f64([1, 1, 1, 1]), 1).sum).toBe(2);
  });
  it('stops at the first term that is not finite (an inference output of 0, or ±Infinity / NaN)', () => {
    expect(keptSum(f64([1, 2, 3, 4]), f64([1, 1, 0, 0]), 0.5)).toEqual({ sum: NaN, broken: 2 });
    expect(keptSum(f64([0, 2]), f64([0, 1]), 0.5).broken).toBe(0); // 0/0
    expect(keptSum(f64([1, Infinity]), f64([1, 1]), 0.5).broken).toBe(1);
    expect(keptSum(new Float64Array(0), new Float64Array(0), 0.5)).toEqual({ sum: 0, broken: -1 });
  });
});

describe('tally and lag pairs', () => {
  const bits = (max: number) =>
    fc.array(fc.integer({ min: 0, max: 1 }), { maxLength: max }).map((a) => Uint8Array.from(a));
  it('tally puts pair (group[i], event[i + shift]) in A when group[i] is 1, else B, for i in [from, to)', () => {
    fc.assert(
      fc.property(bits(60), bits(60), fc.nat(60), fc.nat(60), fc.nat(5), (group, event, a, b, shift) => {
        const n = Math.min(group.length, event.length - shift);
        const [from, to] = [Math.min(a, b, Math.max(n, 0)), Math.min(Math.max(a, b), Math.max(n, 0))];
        const want = groups();
        for (let i = from; i < to; i++) {
          if (group[i] === 1) [want.nA, want.eA] = [want.nA + 1, want.eA + event[i + shift]];
          else [want.nB, want.eB] = [want.nB + 1, want.eB + event[i + shift]];
        }
        const start = { nA: 1, eA: 2, nB: 3, eB: 4 };
        const got = tally(start, group, event, from, to, shift);
        expect(got).toBe(start); // adds to the counts it is given
        expect(got).toEqual({ nA: want.nA + 1, eA: want.eA + 2, nB: want.nB + 3, eB: want.eB + 4 });
      }),
    );
  });
  it('lagPairs uses the disjoint pairs (i, i + L), i in the first half of each whole block of 2L', () => {
    fc.assert(
      fc.property(bits(100), fc.integer({ min: 1, max: 12 }), (d, L) => {
        const want = groups();
        const blocks = Math.floor(d.length / (2 * L));
        for (let blk = 0; blk < blocks; blk++) {
          for (let i = 2 * L * blk; i < 2 * L * blk + L; i++) {
            if (d[i]) [want.nA, want.eA] = [want.nA + 1, want.eA + d[i + L]];
            else [want.nB, want.eB] = [want.nB + 1, want.eB + d[i + L]];
          }
        }
        expect(lagPairs(d, L)).toEqual(want);
        expect(want.nA + want.nB).toBe(blocks * L);
      }),
    );
    // 0 1 | 1 1 | 0 0 (L = 1): pairs (0,1), (1,1), (0,0); the trailing element of an odd length is left out
    expect(lagPairs(Uint8Array.of(0, 1, 1, 1, 0, 0, 1), 1)).toEqual({ nA: 1, eA: 1, nB: 2, eB: 1 });
  });
});

describe('firstRepeat', () => {
  /** The first window that equals an earlier one, and the first such earlier window, by brute force. */
  function bruteForce(d: Uint8Array, w: number): { at: number; earlier: number } | undefined {
    for (let at = 1; at + w <= d.length; at++) {
      for (let earlier = 0; earlier < at; earlier++) {
        let k = 0;
        while (k < w && d[at + k] === d[earlier + k]) k++;
        if (k === w) return { at, earlier };
      }
    }
    return undefined;
  }
  const bitsFrom = (seed: number, n: number) => {
    let s = seed >>> 0;
    return Uint8Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 31) & 1);
  };

  it('agrees with brute force on random bits with a copied stretch', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.integer({ min: 0, max: 300 }),
        fc.nat(300),
        fc.nat(300),
        fc.integer({ min: 0, max: 90 }),
        fc.constantFrom(64, 70, 128),
        (seed, n, from, to, len, w) => {
          const d = bitsFrom(seed, n);
          d.copyWithin(to % (n + 1), from % (n + 1), (from % (n + 1)) + len);
          expect(firstRepeat(d, w)).toEqual(bruteForce(d, w));
        },
      ),
    );
  });
  it('finds the period of a periodic pattern at its first repeat', () => {
    // a single 1 every p bits: the windows within one period differ (the 1s sit elsewhere), so the first repeat is at p
    for (const p of [1, 2, 3, 63, 64]) {
      const d = Uint8Array.from({ length: 128 + p + 10 }, (_, i) => (i % p === 0 ? 1 : 0));
      expect(firstRepeat(d, 128), `period ${p}`).toEqual({ at: p, earlier: 0 });
    }
    for (const p of [65, 100, 200, 1000]) {
      const period = bitsFrom(p, p);
      const d = Uint8Array.from({ length: 128 + 2 * p }, (_, i) => period[i % p]);
      expect(firstRepeat(d, 128), `period ${p}`).toEqual(bruteForce(d, 128));
      expect(firstRepeat(d, 128)?.at, `period ${p}`).toBeLessThanOrEqual(p);
    }
  });
  it('windows that share their first 64 bits (so their hash) but differ later are not a repeat', () => {
    const [x, y, z] = [bitsFrom(1, 64), bitsFrom(2, 64), bitsFrom(3, 64)];
    const d = new Uint8Array(256);
    (d.set(x, 0), d.set(y, 64), d.set(x, 128), d.set(z, 192));
    expect(bruteForce(d, 128)).toBeUndefined();
    expect(firstRepeat(d, 128)).toBeUndefined();
    d.set(y, 192);
    expect(firstRepeat(d, 128)).toEqual({ at: 128, earlier: 0 });
  });
  it('windows whose first 64 bits differ but hash alike are confirmed bit by bit, and not a repeat', () => {
    // h = w0 xor imul(w1, 0x9e3779b1): change w1 and fix w0 up so the hash stays the same
    const word = (d: Uint8Array, at: number) => d.slice(at, at + 32).reduce((w, b) => ((w << 1) | b) >>> 0, 0);
    const bitsOf = (w: number) => Uint8Array.from({ length: 32 }, (_, i) => (w >>> (31 - i)) & 1);
    const d = bitsFrom(7, 192);
    const [w0, w1] = [word(d, 0), word(d, 32)];
    const w1b = (w1 ^ 0x10000) >>> 0;
    const w0b = (w0 ^ Math.imul(w1, 0x9e3779b1) ^ Math.imul(w1b, 0x9e3779b1)) >>> 0;
    const e = new Uint8Array(256);
    (e.set(d.subarray(0, 128), 0), e.set(bitsOf(w0b), 128), e.set(bitsOf(w1b), 160), e.set(d.subarray(64, 128), 192));
    expect((w0b ^ Math.imul(w1b, 0x9e3779b1)) >>> 0).toBe((w0 ^ Math.imul(w1, 0x9e3779b1)) >>> 0);
    expect(bruteForce(e, 128)).toBeUndefined();
    expect(firstRepeat(e, 128)).toBeUndefined();
  });
  it('a long sequence without a repeat: slots taken by other windows (hash collisions) are probed past, not taken for repeats', () => {
    // the first repeat by the windows' strings: O(n·width), fine for long sequences unlike bruteForce
    const byStrings = (d: Uint8Array, w: number) => {
      const first = new Map<string, number>();
      for (let i = 0; i + w <= d.length; i++) {
        const k = d.subarray(i, i + w).join('');
        const earlier = first.get(k);
        if (earlier !== undefined) return { at: i, earlier };
        first.set(k, i);
      }
      return undefined;
    };
    const d = bitsFrom(11, 20_000); // 19,937 windows in a table of 2^16 slots: many probes land on taken slots
    expect(byStrings(d, 64)).toBeUndefined();
    expect(firstRepeat(d, 64)).toBeUndefined();
    d.set(d.subarray(5_000, 5_064), 15_000); // one window written again
    expect(byStrings(d, 64)).toBeDefined();
    expect(firstRepeat(d, 64)).toEqual(byStrings(d, 64));
  });
  it('fewer than two windows: no repeat', () => {
    expect(firstRepeat(new Uint8Array(0), 128)).toBeUndefined();
    expect(firstRepeat(new Uint8Array(128), 128)).toBeUndefined();
    expect(firstRepeat(new Uint8Array(129), 128)).toEqual({ at: 1, earlier: 0 });
  });
});

describe('inputValues', () => {
  it('the sign from u < 1/2, the value from 2u mod 1: stat ±(0.5 + v), grid ±10^(6v − 3), unit 2u − 1', () => {
    const u = f64([0, 0.25, 0.5, 0.75, 0.999]);
    expect([...inputValues(u, 'stat')]).toEqual([-0.5, -1, 0.5, 1, 0.5 + ((2 * 0.999) % 1)]);
    expect([...inputValues(u, 'grid')]).toEqual([-1e-3, -1, 1e-3, 1, 10 ** (6 * ((2 * 0.999) % 1) - 3)]);
    expect([...inputValues(u, 'unit')]).toEqual([-1, -0.5, 0, 0.5, 0.999 * 2 - 1]);
  });
  it('refuses a kind it does not know, even for no values', () => {
    for (const k of ['', 'Unit'])
      expect(() => inputValues(new Float64Array(0), k as 'unit')).toThrow(
        new RangeError(`inputValues: expected kind to be 'stat', 'grid' or 'unit', got "${k}"`),
      );
  });
  it('stat values are nonzero in ±[0.5, 1.5), grid magnitudes in [1e-3, 1e3), unit values in [−1, 1)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { maxLength: 50 }), (a) => {
        const u = f64(a);
        for (const [i, v] of inputValues(u, 'stat').entries())
          expect(Math.abs(v) >= 0.5 && Math.abs(v) < 1.5 && Math.sign(v) === (u[i] < 0.5 ? -1 : 1)).toBe(true);
        for (const v of inputValues(u, 'grid')) expect(Math.abs(v) >= 1e-3 && Math.abs(v) < 1e3).toBe(true);
        for (const v of inputValues(u, 'unit')) expect(v >= -1 && v < 1).toBe(true);
      }),
    );
  });
});
