// The exact fused multiply-adds of src/engine/fma.ts against references that share no code with them
// (./gemm-reference.ts: the exact sum as a BigInt, rounded once by Number()'s decimal parsing or by a
// BigInt rounder), on random doubles and floats of every exponent and on built cases: products that
// land on a midpoint between two neighbours (ties, and ties broken by a tiny c), cancellation of a
// product by c, subnormal and overflowing results, and the special values. Then how the runtime
// finds relaxed SIMD and whether it fuses, what kernelInfo reports, and the configuration's errors.
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addOdd, fma32, fma64, fmaSlow } from '../../src/engine/fma.ts';
import { gemm } from '../../src/engine/kernels.ts';
import { configureKernels, fusion, kernelInfo, measurePeak, relaxedSimd } from '../../src/engine/wasm/runtime.ts';
import { load } from '../../src/engine/wasm/load.ts';
import { exactFma32, exactFma64, exactSum, roundBinary } from '../support/gemm-reference.ts';
import { binary } from '../support/exact-double.ts';

const saved = kernelInfo();
afterEach(() => void configureKernels({ backend: saved.backend, threads: saved.threads, fma: saved.fma }));

const F = Math.fround;
/** ±x with the sign from a boolean. */
const signed = (x: number, neg: boolean) => (neg ? -x : x);

// ---------------------------------------------------------------------------------------------
// Inputs. The built families multiply odd integers u·2^s and v·2^t (so a·b has a known number of
// bits, and often exactly one bit too many: a tie) and add c = w·2^r near them in scale.

const double = fc.double(); // every double: NaN, ±∞, ±0, subnormals, extremes
const moderate = fc.double({ min: -(2 ** 70), max: 2 ** 70, noNaN: true });
/** Odd integers of up to `bits` bits, the larger ones more often (they make products with a bit too many). */
const odd = (bits: number) =>
  fc
    .oneof(fc.integer({ min: 2 ** (bits - 1), max: 2 ** bits - 1 }), fc.integer({ min: 1, max: 2 ** bits - 1 }))
    .map((x) => x | 1);

/** a = ±u·2^s, b = ±v·2^t, c = ±w·2^r with r near s + t, all shifted by `at` (into the subnormal or overflow range, or not). */
function built(bits: number, wBits: number, at: readonly number[]) {
  return fc
    .tuple(
      odd(bits),
      odd(bits),
      fc.integer({ min: 0, max: 2 ** wBits - 1 }),
      fc.integer({ min: -30, max: 30 }),
      fc.integer({ min: -30, max: 30 }),
      fc.integer({ min: -2 * bits - 30, max: 30 }),
      fc.constantFrom(...at),
      fc.boolean(),
      fc.boolean(),
      fc.boolean(),
    )
    .map(
      ([u, v, w, s, t, r, shift, na, nb, nc]) =>
        [signed(u * 2 ** (s + shift), na), signed(v * 2 ** t, nb), signed(w * 2 ** (s + t + r + shift), nc)] as const,
    );
}

/** c cancels a·b (exactly, or up to a few units in its last place): what is left is a·b's low bits. */
const cancelling = fc
  .tuple(moderate, moderate, fc.integer({ min: -4, max: 4 }))
  .map(([a, b, j]) => [a, b, -(a * b) * (1 + j * 2 ** -52)] as const);

/** a of any exponent, b scaled so that a·b is near 2^target: products at both ends of fma64's fast path (subnormal × huge among them), with c anything, tiny, or nearly −a·b. */
const extreme = fc
  .tuple(
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer({ min: -905, max: 1024 }),
    fc.double({ min: 1, max: 2, noNaN: true }),
    fc.boolean(),
    fc.oneof(double, fc.integer({ min: -4, max: 4 }), fc.double({ min: -(2 ** -1000), max: 2 ** -1000 })),
  )
  .map(([a, target, m, neg, c]) => {
    const b = signed(m * 2 ** Math.max(-1074, Math.min(1023, target - Math.floor(Math.log2(Math.abs(a) || 1)))), neg);
    return [a, b, Number.isInteger(c) && Math.abs(c) <= 4 ? -(a * b) * (1 + c * 2 ** -52) : c] as const;
  });

const SPECIALS = [
  0,
  -0,
  Infinity,
  -Infinity,
  NaN,
  1,
  -1,
  1.5,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.MIN_VALUE,
  -Number.MIN_VALUE,
  2 ** -1022,
  2 ** 1023,
  2 ** -537,
  3 * 2 ** 511,
];
const special = fc.tuple(fc.constantFrom(...SPECIALS), fc.constantFrom(...SPECIALS), fc.constantFrom(...SPECIALS));

/** Same bits (−0 included), NaN where the reference has NaN (its sign and payload are not specified). */
const same = (x: number, y: number) => Object.is(x, y);

describe('the references themselves', () => {
  it('roundBinary at 53 bits is Number() of the exact decimal, on exact sums of every scale', () => {
    const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(fc.oneof(fc.tuple(finite, finite, finite), built(27, 53, [0, -1000, -1074, 960])), ([a, b, c]) => {
        fc.pre([a, b, c].every(Number.isFinite)); // a built c may overflow
        const { n, e } = exactSum(a, b, c);
        fc.pre(n !== 0n);
        expect(roundBinary(n, e, 53, -1074, 1024)).toBe(exactFma64(a, b, c));
      }),
      { numRuns: 3000 },
    );
  });

  it('exactFma64 and exactFma32 on hand-checked cases', () => {
    const a = 1 + 2 ** -27;
    expect(exactFma64(a, a, -(1 + 2 ** -26))).toBe(2 ** -54); // a² = 1 + 2^-26 + 2^-54 exactly
    expect(exactFma64(2 ** 27 + 1, 2 ** 27 - 1, 0)).toBe(2 ** 54); // 2^54 − 1: a tie, to the even 2^54
    expect(exactFma64(2 ** 27 + 1, 2 ** 27 - 1, -(2 ** -30))).toBe(2 ** 54 - 2); // the tie broken downward
    expect(exactFma64(2 ** 1000, 2 ** 100, -Number.MAX_VALUE)).toBe(Infinity); // 2^1100 − 2^1024·(1 − 2^-53): overflows
    expect(exactFma64(2 ** -600, 2 ** -500, 0)).toBe(0); // underflows, +0
    expect(Object.is(exactFma64(-(2 ** -600), 2 ** -500, 0), -0)).toBe(true); // keeps the sign
    expect(Object.is(exactFma64(-0, 1, -0), -0)).toBe(true);
    expect(Object.is(exactFma64(0, -1, 0), 0)).toBe(true);
    expect(Object.is(exactFma64(2, 3, -6), 0)).toBe(true); // exact cancellation is +0
    expect(exactFma64(Infinity, 0, 1)).toBeNaN();
    expect(exactFma64(Infinity, -2, Infinity)).toBeNaN();
    expect(exactFma64(Number.MAX_VALUE, 2, -Infinity)).toBe(-Infinity); // the exact product is finite
    const b = F(1 + 2 ** -12);
    expect(exactFma32(b, b, 2 ** -80)).toBe(F(1 + 2 ** -11 + 2 ** -23)); // just above a float midpoint: up
    expect(exactFma32(b, b, 0)).toBe(F(1 + 2 ** -11)); // on it: to even
    expect(exactFma32(2 ** 64, 2 ** 64, 0)).toBe(Infinity);
    expect(exactFma32(2 ** -75, 2 ** -75, 0)).toBe(0); // below half the least subnormal 2^-149
    expect(exactFma32(2 ** -75, 2 ** -74, 2 ** -200)).toBe(2 ** -149); // exactly half, broken upward
  });
});

describe('fma64', () => {
  const check = (a: number, b: number, c: number) => {
    const want = exactFma64(a, b, c);
    expect(same(fma64(a, b, c), want), `fma64(${a}, ${b}, ${c}) = ${fma64(a, b, c)}, exact ${want}`).toBe(true);
    expect(same(fmaSlow(a, b, c), want), `fmaSlow(${a}, ${b}, ${c})`).toBe(true);
  };

  it('is a·b + c rounded once on built ties, broken ties and near ties, at every scale', () => {
    // shifts: none, products at the bottom of the normal range, subnormal results, near overflow
    fc.assert(
      fc.property(built(27, 53, [0, 0, -900, -1000, -1040, -1074, -1100, 900, 960, 990]), ([a, b, c]) =>
        check(a, b, c),
      ),
      { numRuns: 6000 },
    );
  });

  it('is exact on random doubles of every exponent, moderate ones, cancellations and special values', () => {
    fc.assert(fc.property(double, double, double, check), { numRuns: 4000 });
    fc.assert(fc.property(moderate, moderate, moderate, check), { numRuns: 4000 });
    fc.assert(
      fc.property(cancelling, ([a, b, c]) => check(a, b, c)),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(extreme, ([a, b, c]) => check(a, b, c)),
      { numRuns: 4000 },
    );
    fc.assert(
      fc.property(special, ([a, b, c]) => check(a, b, c)),
      { numRuns: 2000 },
    );
  });

  it('differs from a rounded product and a rounded sum where it should', () => {
    const a = 1 + 2 ** -27;
    expect(fma64(a, a, -(1 + 2 ** -26))).toBe(2 ** -54);
    expect(a * a - (1 + 2 ** -26)).toBe(0);
    expect(fma64(2 ** 27 + 1, 2 ** 27 - 1, -(2 ** -30))).toBe(2 ** 54 - 2);
    expect(fma64(2 ** 27 + 1, 2 ** 27 - 1, 2 ** -30)).toBe(2 ** 54);
    // on the edges of the fast path's domain and just outside it
    // (the split overflows from about 2^996, products under 2^-900 leave it, sums overflow near 2^1024)
    const edges = [
      [2 ** 995, 0.75, 1],
      [2 ** 996, 0.75, 1],
      [2 ** 994 * 1.999, 1.5, -1],
      [2 ** -450, 2 ** -450, 2 ** -1000],
      [2 ** -451, 2 ** -450, 2 ** -1030],
      [2 ** -450 * 1.5, 2 ** -450, -(2 ** -900) * 1.5],
      [2 ** 500, 2 ** 523, -(2 ** 1023)],
      [2 ** 511, 2 ** 512, 2 ** 1023],
      [Number.MIN_VALUE, 2 ** 1000, 1],
      [2 ** -1060, 2 ** 170, -(2 ** -890)],
    ];
    for (const [x, y, z] of edges) {
      check(x, y, z);
      check(-x, y * (1 + 2 ** -52), z);
    }
  });
});

describe('fma32', () => {
  const float = fc.float(); // every float32: NaN, ±∞, ±0, subnormals
  const check = (a: number, b: number, c: number) => {
    const want = exactFma32(a, b, c);
    expect(same(fma32(a, b, c), want), `fma32(${a}, ${b}, ${c}) = ${fma32(a, b, c)}, exact ${want}`).toBe(true);
  };

  it('is a·b + c rounded once to float32 on built ties and near ties, at every scale', () => {
    fc.assert(
      fc.property(
        built(12, 24, [0, 0, -100, -120, -140, -149, -160, 100, 110, 120]).map(
          ([a, b, c]) => [F(a), F(b), F(c)] as const,
        ),
        ([a, b, c]) => check(a, b, c),
      ),
      { numRuns: 6000 },
    );
  });

  it('is exact on random floats of every exponent and on special values', () => {
    fc.assert(fc.property(float, float, float, check), { numRuns: 5000 });
    const specials = [...SPECIALS.map(F), 2 ** 127, F(3.4028234663852886e38), 2 ** -149, 2 ** -126];
    for (const a of specials) for (const b of specials) for (const c of specials) check(a, b, c);
  });

  it('differs from rounding a·b + c to double, then to float (double rounding)', () => {
    const b = F(1 + 2 ** -12); // b² = 1 + 2^-11 + 2^-24: a float midpoint
    expect(fma32(b, b, 2 ** -80)).toBe(F(1 + 2 ** -11 + 2 ** -23));
    expect(F(b * b + 2 ** -80)).toBe(F(1 + 2 ** -11)); // 2^-80 is lost in double, then the tie goes to even
  });
});

describe('addOdd', () => {
  it('is the exact sum, or its neighbour with an odd last bit on the exact sum’s side', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true, min: -(2 ** 1000), max: 2 ** 1000 }),
        fc.double({ noNaN: true, noDefaultInfinity: true, min: -(2 ** 1000), max: 2 ** 1000 }),
        (x, y) => {
          const r = addOdd(x, y);
          const exact = exactSum(1, x, y); // 1·x + y
          const got = binary(r),
            e0 = Math.min(got.e, exact.e);
          const diff = (got.m << BigInt(got.e - e0)) - (exact.n << BigInt(exact.e - e0));
          if (diff === 0n) return;
          // inexact: r has an odd last bit and lies within one of its units of the exact sum, so it is
          // the odd one of the exact sum's two neighbours
          expect(got.m & 1n, 'odd last bit').toBe(1n);
          expect((diff < 0n ? -diff : diff) < 1n << BigInt(got.e - e0), 'within one unit').toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
    expect(addOdd(1, 2 ** -60)).toBe(1 + 2 ** -52); // 1 is even: up to the odd neighbour
    expect(addOdd(1, -(2 ** -60))).toBe(1 - 2 ** -53); // down across the binade
    expect(addOdd(1 + 2 ** -52, 2 ** -60)).toBe(1 + 2 ** -52); // already odd
    expect(addOdd(2 ** 32, -(2 ** -30))).toBe(2 ** 32 - 2 ** -21); // a borrow across the low word
    expect(addOdd(-1, -(2 ** -60))).toBe(-1 - 2 ** -52);
    expect(addOdd(Infinity, 1)).toBe(Infinity);
  });
});

describe('finding relaxed SIMD and whether it fuses', () => {
  it('validates without touching V8 flags where relaxed SIMD is standard; sets the flag once where it is not', () => {
    const flags: string[] = [];
    expect(
      relaxedSimd(
        () => true,
        (f) => void flags.push(f),
      ),
    ).toBe(true);
    expect(flags).toEqual([]);
    let on = false;
    expect(
      relaxedSimd(
        () => on,
        (f) => ((on = true), void flags.push(f)),
      ),
    ).toBe(true);
    expect(flags).toEqual(['--experimental-wasm-relaxed-simd']);
  });

  it('says no when the module does not validate even with the flag, or the flag cannot be set', () => {
    expect(
      relaxedSimd(
        () => false,
        () => undefined,
      ),
    ).toBe(false);
    expect(
      relaxedSimd(
        () => false,
        () => {
          throw new Error('frozen flags');
        },
      ),
    ).toBe(false);
  });

  it('classifies the probe: fused, separate, or unusable when a width gives neither or they disagree', () => {
    const probes = (wide: number, narrow: number) => ({ probe64: () => wide, probe32: () => narrow });
    expect(fusion(probes(2 ** -54, 2 ** -26))).toBe(true);
    expect(fusion(probes(0, 0))).toBe(false);
    expect(fusion(probes(2 ** -54, 0))).toBe(null);
    expect(fusion(probes(0, 2 ** -26))).toBe(null);
    expect(fusion(probes(2 ** -53, 2 ** -26))).toBe(null);
    // the probe's inputs: fused and separate arithmetic really give those values
    const a = 1 + 2 ** -27,
      c = -(1 + 2 ** -26),
      a32 = 1 + 2 ** -13,
      c32 = -(1 + 2 ** -12);
    expect([exactFma64(a, a, c), a * a + c]).toEqual([2 ** -54, 0]);
    expect([exactFma32(a32, a32, c32), F(F(a32 * a32) + c32)]).toEqual([2 ** -26, 0]);
  });

  it('finds the FMA module on Node 20 and reports what it does here', () => {
    const info = kernelInfo();
    expect(info.wasmAvailable).toBe(true);
    expect(info.fmaAvailable).toBe(true); // Node 20 validates relaxed SIMD once the flag is set
    expect(typeof info.fused).toBe('boolean');
    console.log(`relaxed_madd ${info.fused ? 'fuses' : 'does not fuse'} on this machine`);
  });
});

describe('the fma setting', () => {
  it('kernelInfo names the kernel and arithmetic each dtype uses under each setting', () => {
    const fused = kernelInfo().fused === true;
    configureKernels({ backend: 'wasm', fma: true });
    let info = kernelInfo();
    expect([info.fma, info.float64, info.float32]).toEqual([
      true,
      { lanes: 2, kernel: 'wasm-simd128-fma f64x2', arithmetic: fused ? 'fma' : 'mul+add' },
      { lanes: 4, kernel: 'wasm-simd128-fma f32x4', arithmetic: fused ? 'fma' : 'mul+add' },
    ]);
    configureKernels({ fma: false });
    info = kernelInfo();
    expect([info.fma, info.float64, info.float32]).toEqual([
      false,
      { lanes: 2, kernel: 'wasm-simd128 f64x2', arithmetic: 'mul+add' },
      { lanes: 4, kernel: 'wasm-simd128 f32x4', arithmetic: 'mul+add' },
    ]);
    configureKernels({ backend: 'js' });
    expect(kernelInfo().float64.kernel).toBe('js');
    configureKernels({ fma: true });
    expect(kernelInfo().float32).toEqual({
      lanes: 4,
      kernel: fused ? 'js-fma' : 'js',
      arithmetic: fused ? 'fma' : 'mul+add',
    });
  });

  it('counts products per dtype, and the fused ones', () => {
    const fused = kernelInfo().fused === true;
    const before = kernelInfo().products;
    const run = (T: typeof Float64Array | typeof Float32Array, n: number) =>
      gemm(false, false, n, n, n, new T(n * n).fill(1), 0, new T(n * n).fill(1), 0, new T(n * n), 0);
    configureKernels({ backend: 'wasm', threads: 1, fma: true });
    run(Float32Array, 16); // wasm
    run(Float32Array, 4); // js: under 512 multiply-adds
    configureKernels({ fma: false });
    run(Float64Array, 16);
    const now = kernelInfo().products;
    expect(now.float32.wasm - before.float32.wasm).toBe(1);
    expect(now.float32.js - before.float32.js).toBe(1);
    expect(now.float32.fused - before.float32.fused).toBe(fused ? 2 : 0);
    expect(now.float64.wasm - before.float64.wasm).toBe(1);
    expect(now.float64.fused - before.float64.fused).toBe(0);
    expect([now.wasm - before.wasm, now.js - before.js, now.fused - before.fused]).toEqual([2, 1, fused ? 2 : 0]);
  });

  it('refuses an fma that is not a boolean, naming it, and changes nothing when any option is wrong', () => {
    configureKernels({ backend: 'wasm', threads: 2, fma: true });
    expect(() => configureKernels({ fma: 1 as never })).toThrow(/^configureKernels: fma must be true or false, got 1$/);
    expect(() => configureKernels({ fma: 'no' as never })).toThrow(/fma must be true or false, got "no"/);
    expect(() => configureKernels({ backend: 'js', threads: 1, fma: null as never })).toThrow(RangeError);
    expect(() => configureKernels({ backend: 'js', threads: 3 as never, fma: false })).toThrow(
      /threads must be 1 or 2, got 3/,
    );
    const info = kernelInfo();
    expect([info.backend, info.threads, info.fma]).toEqual(['wasm', 2, true]);
    expect(configureKernels({ fma: false }).fma).toBe(true); // returns the previous setting
  });

  it('the plain module is the default (DROPCHECK_FMA unset or 0); DROPCHECK_FMA=1 starts with the FMA module', () => {
    const code = `import { kernelInfo } from './src/engine/wasm/runtime.ts';
      const i = kernelInfo();
      console.log(JSON.stringify([i.fma, i.fmaAvailable, i.float64.kernel, i.float64.arithmetic]));`;
    const run = (fma: string) =>
      JSON.parse(
        execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
          encoding: 'utf8',
          env: { ...process.env, DROPCHECK_FMA: fma },
          timeout: 20_000,
        }),
      );
    expect(run('0')).toEqual([false, true, 'wasm-simd128 f64x2', 'mul+add']);
    expect(run('')).toEqual([false, true, 'wasm-simd128 f64x2', 'mul+add']);
    expect(run('1')).toEqual([true, true, 'wasm-simd128-fma f64x2', kernelInfo().fused ? 'fma' : 'mul+add']);
  }, 40_000);
});

describe('measurePeak', () => {
  it('gives a plausible single-thread GFLOP/s for each dtype and setting', () => {
    // loose bounds: the machine may be busy (a ratio between dtypes would be flaky here)
    for (const fma of [true, false]) {
      configureKernels({ fma });
      for (const dtype of ['float64', 'float32'] as const) {
        const p = measurePeak(dtype, 30);
        expect(p).toBeGreaterThan(0.5);
        expect(p).toBeLessThan(1000);
      }
    }
  });

  it('times with the clock it is given: runs grown to a tenth of the budget, then the best rate within it', () => {
    // GFLOP/s = iterations · chains · lanes · 2 flops per multiply-add / (ms · 1e6)
    const chains = Number(load()!.plain.ex.PEAK_CHAINS.value);
    /** A clock that reads the given times in turn, then jumps 1000 ms per read (so any loop ends). */
    const scripted = (times: number[]) => {
      let i = 0;
      return () => (i < times.length ? times[i++] : times[times.length - 1] + 1000 * (++i - times.length));
    };
    for (const [dtype, lanes] of [
      ['float64', 2],
      ['float32', 4],
    ] as const) {
      const rate = (iters: number, ms: number) => (iters * chains * lanes * 2) / (ms * 1e6);
      // budget 10 ms: growth runs take 0.5, 0.5 and then 1 ms (a tenth of the budget, so growth stops
      // at 4096 · 2³ iterations); the timed runs end at 20 ms: 2 ms, then 1 ms, then the clock reads the
      // end itself, so no run follows (a 0.5 ms one would, were the end inside the budget)
      const growth = [0.2, 0.7, 1, 1.5, 2, 3];
      const timed = [10, 11, 12, 14, 15, 16, 17, 20, 21, 21.5];
      expect(measurePeak(dtype, 10, scripted([...growth, ...timed]))).toBe(rate(32768, 1));
      // the end already passed at the first check: one timed run all the same
      expect(measurePeak(dtype, 1, scripted([0, 0.5, 1, 5, 6, 8, 9]))).toBe(rate(8192, 2));
    }
  });

  it('refuses a dtype or a duration it cannot use', () => {
    expect(() => measurePeak('float16' as never)).toThrow(
      /^measurePeak: dtype must be 'float64' or 'float32', got "float16"$/,
    );
    expect(() => measurePeak('float64', 0)).toThrow(/ms must be a positive number of milliseconds, got 0/);
    expect(() => measurePeak('float64', Infinity)).toThrow(/got Infinity/);
    expect(() => measurePeak('float64', '5' as never)).toThrow(/got "5"/);
  });
});
