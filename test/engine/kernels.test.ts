// The packed matmul kernel against a naive triple loop: bit-identical, because both sum each
// element as 0 + Σ_p a·b in increasing p, for every transpose flag, ragged edge and block boundary.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gemm } from '../../src/engine/kernels.ts';
import { naiveGemm } from '../support/gemm-reference.ts';

const fill = (len: number, seed: number) => Float64Array.from({ length: len }, (_, i) => Math.sin(seed + i * 1.37) * 3);

describe('gemm', () => {
  it('matches the naive product bit for bit on small ragged shapes and every transpose flag', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 }), fc.boolean(), fc.boolean(), fc.integer(), (m, n, k, ta, tb, seed) => {
        const A = fill(m * k, seed);
        const B = fill(k * n, seed + 1);
        const C = new Float64Array(m * n);
        gemm(ta, tb, m, n, k, A, 0, B, 0, C, 0);
        expect(C).toEqual(naiveGemm(ta, tb, m, n, k, A, B));
      }),
      { numRuns: 300 },
    );
  });

  it('matches across block boundaries (k and n beyond the 256-wide packed blocks)', () => {
    for (const [m, n, k] of [[5, 261, 300], [9, 513, 257], [3, 7, 600]] as const) {
      for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
        const A = fill(m * k, m);
        const B = fill(k * n, n);
        const C = new Float64Array(m * n);
        gemm(ta, tb, m, n, k, A, 0, B, 0, C, 0);
        expect(C).toEqual(naiveGemm(ta, tb, m, n, k, A, B));
      }
    }
  });

  it('reads and writes at the given offsets only', () => {
    const A = fill(2 + 6, 1);
    const B = fill(3 + 6, 2);
    const C = Float64Array.of(7, 7, 7, 7, 0, 0, 0, 0); // gemm accumulates into C, which callers zero
    gemm(false, false, 2, 2, 3, A, 2, B, 3, C, 4);
    expect(Array.from(C.subarray(0, 4))).toEqual([7, 7, 7, 7]);
    expect(C.subarray(4)).toEqual(naiveGemm(false, false, 2, 2, 3, A.subarray(2), B.subarray(3)));
  });
});
