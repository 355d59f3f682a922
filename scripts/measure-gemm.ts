// Times an n×n×n gemm (default 1024) for float64 and float32, with the FMA module and without, on one
// and on two threads, next to the single-thread peak of the multiply-add each uses (measurePeak), and
// prints GFLOP/s (2n³ flops per product, operand copies into WebAssembly memory included) and the
// fraction of peak (per thread). Usage: npx tsx scripts/measure-gemm.ts [n] [runs]
import { gemm } from '../src/engine/kernels.ts';
import { configureKernels, kernelInfo, measurePeak } from '../src/engine/wasm/runtime.ts';

const n = Number(process.argv[2] ?? 1024),
  runs = Number(process.argv[3] ?? 5);
const info = kernelInfo();
console.log(
  `n = ${n}, best of ${runs}; FMA module ${info.fmaAvailable ? 'available' : 'unavailable'}, relaxed_madd ${info.fused === null ? '—' : info.fused ? 'fuses' : 'does not fuse'}`,
);

/** The best GFLOP/s of `runs` products (after one untimed warm-up, which also starts the worker). */
async function time(T: typeof Float64Array | typeof Float32Array): Promise<number> {
  const fill = (f: (i: number) => number) => new T(n * n).map((_, i) => f(i));
  const A = fill(Math.sin),
    B = fill(Math.cos),
    C = new T(n * n);
  gemm(false, false, n, n, n, A, 0, B, 0, C, 0, true);
  while (kernelInfo().threads === 2 && !kernelInfo().workerReady) await new Promise((r) => setTimeout(r, 10));
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    gemm(false, false, n, n, n, A, 0, B, 0, C, 0, true);
    best = Math.min(best, performance.now() - t0);
  }
  return (2 * n ** 3) / (best * 1e6);
}

const rows: string[] = ['dtype    fma  peak/thread  1 thread (of peak)   2 threads (of 2×peak)'];
for (const dtype of ['float64', 'float32'] as const) {
  for (const fma of [false, true]) {
    configureKernels({ backend: 'wasm', fma, threads: 1 });
    const peak = measurePeak(dtype, 500);
    const T = dtype === 'float64' ? Float64Array : Float32Array;
    const one = await time(T);
    configureKernels({ threads: 2 });
    const two = await time(T);
    const pct = (x: number, p: number) => `${((100 * x) / p).toFixed(0)}%`;
    rows.push(
      `${dtype}  ${fma ? 'on ' : 'off'}  ${peak.toFixed(1).padStart(6)}       ${one.toFixed(1).padStart(6)} (${pct(one, peak)})        ${two.toFixed(1).padStart(6)} (${pct(two, 2 * peak)})   ${kernelInfo()[dtype].kernel}`,
    );
  }
}
console.log(rows.join('\n'));
