// npm run bench: the engine's speed against TensorFlow.js in one process (warm-up, repetitions,
// medians and quartiles), and against PyTorch in a child process of the same run (bench/torch.ts,
// when a python3 with torch is there), as ratios measured in the same run; writes
// reports/performance.md and reports/performance.svg. `--quick` runs fewer repetitions (for trying
// the script, not for numbers). DROPCHECK_PYTHON names the interpreter for the PyTorch phase.
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import {
  type Tensor,
  add,
  broadcastTo,
  configureKernels,
  flatten,
  foldIn,
  grad,
  kernelInfo,
  key,
  matmul,
  mlp,
  mul,
  normal,
  sgd,
  softmaxCrossEntropy,
  sum,
  tensor,
  uniform,
  valueAndGrad,
} from '../src/index.ts';
import * as E from '../src/index.ts';
import { forEachLinearMask, softmaxOf } from '../src/verify/enumerate.ts';
import { gemm } from '../src/engine/kernels.ts';
import { measurePeak } from '../src/engine/wasm/runtime.ts';
import { type Sample, rate, summarize, timeInterleaved, timeMs } from './timing.ts';
import * as TF from './tfjs.ts';
import { type Bar, plotRatios } from './plot.ts';
import { type Dtype, type TorchResult, type TorchRun, bestOf, runTorch } from './torch.ts';

const quick = process.argv.includes('--quick');
const R = (full: number, few = 2) => (quick ? few : full);
const emit = (o: object) => console.log(JSON.stringify(o));
const f3 = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toPrecision(3));
const show = (s: Sample) => `${f3(s.median)} (${f3(s.lo)}–${f3(s.hi)})`;
const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
const load0 = os.loadavg();
const t0 = performance.now();

// ---------------------------------------------------------------------------------------------
// 1. matmul 512 (and 1024 for the two-core split)

const gflops = (n: number) => (2 * n ** 3) / 1e6; // per ms → GFLOP/s
const mm: Record<string, Record<string, Sample>> = {};
for (const n of [512, 1024]) {
  const a = uniform(key(1), [n, n], -1, 1);
  const b = uniform(key(2), [n, n], -1, 1);
  const run = (backend: 'wasm' | 'js', threads: 1 | 2) => () => {
    configureKernels({ backend, threads });
    matmul(a, b);
  };
  const fns: Record<string, () => void> = { 'wasm, 1 thread': run('wasm', 1), 'wasm, 2 threads': run('wasm', 2) };
  if (n === 512) fns['JS reference'] = run('js', 1);
  const t = timeInterleaved(fns, R(n === 512 ? 9 : 5), 2);
  mm[n] = Object.fromEntries(Object.entries(t).map(([k, s]) => [k, rate(s, gflops(n))]));
  configureKernels({ backend: 'wasm', threads: 2 });
  emit({ bench: 'matmul', n, ...Object.fromEntries(Object.entries(mm[n]).map(([k, s]) => [k, +s.median.toFixed(2)])) });
}

// ---------------------------------------------------------------------------------------------
// 2. the dropout MLP SGD step

const SETUP = { sizes: [784, 1024, 1024, 10], batch: 100, inputRate: 0.2, hiddenRate: 0.5, lr: 0.01, momentum: 0.9 };
const net = mlp({ sizes: SETUP.sizes, activation: 'relu', inputRate: SETUP.inputRate, hiddenRate: SETUP.hiddenRate });
const xBatch = uniform(key(4), [SETUP.batch, 784]);
const labels = Array.from({ length: SETUP.batch }, (_, i) => i % 10);

/**
 * One SGD step of the engine's MLP on `threads` threads; the gradient and optimizer times go to
 * `split`. `convert` (astype to float32) is applied to every parameter leaf and to the input batch.
 */
function ourStep(
  threads: 1 | 2,
  split?: { grad: number[]; opt: number[] },
  convert?: (t: Tensor) => Tensor,
): (() => void) & { params(): Tensor[] } {
  let params = net.init(key(3));
  const x = convert ? convert(xBatch) : xBatch;
  if (convert) {
    const f = flatten(params, 'params');
    params = f.rebuild(f.leaves.map(convert)) as typeof params;
  }
  const opt = sgd<typeof params>({ lr: SETUP.lr, momentum: SETUP.momentum });
  let state = opt.init(params);
  const vg = valueAndGrad((p: typeof params, k: ReturnType<typeof key>) =>
    softmaxCrossEntropy(net.apply(p, x, { training: true, key: k }), labels),
  );
  let step = 0;
  const run = () => {
    configureKernels({ threads });
    const t = performance.now();
    const { value, grad: g } = vg(params, foldIn(key(5), step++));
    value.item(); // the loss read back each step
    const t1 = performance.now();
    // as in fit: from the second update on the loop owns params and state, so they are donated
    ({ params, state } = opt.step(params, g, state, { donate: step > 1 }));
    split?.grad.push(t1 - t);
    split?.opt.push(performance.now() - t1);
    configureKernels({ threads: 2 });
  };
  return Object.assign(run, { params: () => flatten(params, 'params').leaves });
}

// The step's matrix products alone (forward, then the backward's weight and input gradients; the
// input layer needs no input gradient), each on fresh output as matmul does: the floor under the step.
const PRODUCTS: [boolean, boolean, number, number, number][] = [
  [false, false, 100, 1024, 784],
  [false, false, 100, 1024, 1024],
  [false, false, 100, 10, 1024],
  [true, false, 1024, 10, 100],
  [false, true, 100, 1024, 10],
  [true, false, 1024, 1024, 100],
  [false, true, 100, 1024, 1024],
  [true, false, 784, 1024, 100],
];
const productFlops = PRODUCTS.reduce((s, [, , m, n, k]) => s + 2 * m * n * k, 0);
const products = (() => {
  const ops = PRODUCTS.map(([ta, tb, m, n, k], i) => ({
    ta,
    tb,
    m,
    n,
    k,
    A: new Float64Array(uniform(key(30 + i), [m * k]).data),
    B: new Float64Array(uniform(key(40 + i), [k * n]).data),
  }));
  return timeMs(
    () => {
      for (const o of ops) gemm(o.ta, o.tb, o.m, o.n, o.k, o.A, 0, o.B, 0, new Float64Array(o.m * o.n), 0, true);
    },
    R(9, 2),
    2,
  );
})();
const products32 = (() => {
  const ops = PRODUCTS.map(([ta, tb, m, n, k], i) => ({
    ta,
    tb,
    m,
    n,
    k,
    A: new Float32Array(uniform(key(30 + i), [m * k]).data),
    B: new Float32Array(uniform(key(40 + i), [k * n]).data),
  }));
  return timeMs(
    () => {
      for (const o of ops) gemm(o.ta, o.tb, o.m, o.n, o.k, o.A, 0, o.B, 0, new Float32Array(o.m * o.n), 0, true);
    },
    R(9, 2),
    2,
  );
})();
emit({
  bench: 'mlp_products',
  ms: +products.median.toFixed(2),
  gflops: +(productFlops / products.median / 1e6).toFixed(2),
  ms_float32: +products32.median.toFixed(2),
});

// float32 gemm 1024 on two threads (the default kernel) against the single-thread peak of the FMA
// module's relaxed_madd on registers (measurePeak), the fastest multiply-add this machine offers
const gemm32 = (() => {
  const n = 1024;
  const a = new Float32Array(uniform(key(50), [n * n], -1, 1).data),
    b = new Float32Array(uniform(key(51), [n * n], -1, 1).data);
  const t = timeMs(() => gemm(false, false, n, n, n, a, 0, b, 0, new Float32Array(n * n), 0, true), R(7, 2), 2);
  const info = kernelInfo();
  const prev = configureKernels({ fma: info.fmaAvailable });
  const peak = measurePeak('float32', quick ? 50 : 300);
  configureKernels(prev);
  return {
    gflops: rate(t, gflops(n)),
    peak,
    peakKind: info.fmaAvailable ? 'relaxed_madd (FMA module)' : 'multiply and add (no FMA module here)',
  };
})();
emit({
  bench: 'gemm1024_float32',
  gflops_2_threads: +gemm32.gflops.median.toFixed(2),
  peak_per_thread: +gemm32.peak.toFixed(2),
});

// ---------------------------------------------------------------------------------------------
// 3. tiny grad

const TINY_CALLS = R(2000, 200);
const ourTiny = (() => {
  const x = tensor([1, 2, 3, 4]);
  const g = grad((v: Tensor) => sum(add(mul(v, v), v)));
  return () => {
    for (let i = 0; i < TINY_CALLS; i++) g(x);
  };
})();
const perCallUs = (s: Sample) => summarize(s.values.map((ms) => (ms * 1000) / TINY_CALLS));

// ---------------------------------------------------------------------------------------------
// 4. exact enumeration (Gray-code walk) and 5. Monte-Carlo masks as one batched pass

const enumRate = (visitFactory: () => Parameters<typeof forEachLinearMask>[4], W: Tensor, b: Tensor, y: Tensor) =>
  rate(
    timeMs(() => forEachLinearMask(W, b, y, 0.5, visitFactory()), R(5, 2), 1),
    2 ** W.shape[0] * 1000,
  ); // masks/s
const W1 = normal(key(11), [20, 10], 0, 0.3),
  b1 = normal(key(12), [10]),
  y20 = normal(key(13), [20]);
let sink = 0;
const enumZ = enumRate(() => (z, p) => void (sink += p * z[0]), W1, b1, y20);
const enumSoftmax = enumRate(
  () => {
    const buf = new Float64Array(10);
    return (z, p) => {
      softmaxOf(z, buf);
      sink += p * buf[0];
    };
  },
  W1,
  b1,
  y20,
);
// 20-16-10: the 2^20 masks of the 20 inputs; the hidden layer updated by the walk, then ReLU, the 16×10 layer and softmax per mask
const Wa = normal(key(14), [20, 16], 0, 0.3),
  ba = normal(key(15), [16]),
  Wb = normal(key(16), [16, 10], 0, 0.3).data,
  bb = normal(key(17), [10]).data;
const enumNet = enumRate(
  () => {
    const logits = new Float64Array(10),
      probs = new Float64Array(10);
    return (z, p) => {
      logits.set(bb);
      for (let h = 0; h < 16; h++) {
        const a = z[h] > 0 ? z[h] : 0;
        if (a !== 0) for (let c = 0; c < 10; c++) logits[c] += a * Wb[h * 10 + c];
      }
      softmaxOf(logits, probs);
      sink += p * probs[0];
    };
  },
  Wa,
  ba,
  y20,
);
emit({
  bench: 'enumeration',
  masks_per_s: {
    z: Math.round(enumZ.median),
    softmax: Math.round(enumSoftmax.median),
    net_20_16_10: Math.round(enumNet.median),
  },
});

const K = 100;
const mcParams = net.init(key(21));
const one = uniform(key(22), [1, 784]);
const kBatch = broadcastTo(one, [K, 784]); // the same example K times: each row gets its own mask
const mcBatched = rate(
  timeMs(() => void net.apply(mcParams, kBatch, { training: true, key: key(23) }).data, R(9, 3), 2),
  K * 1000,
); // masks/s
const KS = 10; // one mask per pass, KS passes (per-mask cost, without batching)
const mcSingle = rate(
  timeMs(
    () => {
      for (let i = 0; i < KS; i++) net.apply(mcParams, one, { training: true, key: foldIn(key(24), i) });
    },
    R(5, 2),
    1,
  ),
  KS * 1000,
);
emit({
  bench: 'montecarlo',
  k: K,
  masks_per_s_batched: Math.round(mcBatched.median),
  masks_per_s_one_at_a_time: Math.round(mcSingle.median),
});

// ---------------------------------------------------------------------------------------------
// The engine in float32

// float32 tensors are feature-detected, so this file runs on builds with and without them: the
// float32 step is the same net with every parameter leaf and the input batch converted by astype
const engineExports: Record<string, unknown> = E;
const astype = engineExports['astype'];
const dtypeOf = (t: Tensor) => (t as { dtype?: unknown }).dtype ?? 'float64';
const f32Convert =
  typeof astype === 'function' ? (t: Tensor) => (astype as (t: Tensor, d: Dtype) => Tensor)(t, 'float32') : undefined;
/** Why the engine's float32 step is not timed (null: it is). */
const f32Missing = ((): string | null => {
  if (f32Convert === undefined) return 'engine float32: not available in this build';
  try {
    // a few steps first: the parameters must still be float32 after the optimizer's updates
    const probe = ourStep(2, undefined, f32Convert);
    for (let i = 0; i < 3; i++) probe();
    const wrong = probe.params().filter((p) => dtypeOf(p) !== 'float32');
    return wrong.length
      ? `engine float32: ${wrong.length} of ${probe.params().length} parameters are ${dtypeOf(wrong[0])} after sgd.step in this build`
      : null;
  } catch (e) {
    return `engine float32: the step failed in this build (${(e as Error).message.split('\n')[0]})`;
  }
})();

// ---------------------------------------------------------------------------------------------
// TF.js, same shapes, same batch, same dropout rates, the loss read back each step

// Each TF.js backend in turn, every workload interleaved with the engine's, so that load coming and
// going on the machine hits both alike; the ratios are taken within each of these pairs.
interface Phase {
  info: { simd: boolean; threads: boolean };
  mm: Record<string, Sample>;
  step: Record<string, Sample>;
  tiny: Record<string, Sample>;
}
const tfr: Record<'cpu' | 'wasm', Phase> = {} as never;
const split = { grad: [] as number[], opt: [] as number[] };
const split32 = { grad: [] as number[], opt: [] as number[] };
for (const backend of ['cpu', 'wasm'] as const) {
  const info = await TF.useBackend(backend);
  const a = uniform(key(1), [512, 512], -1, 1),
    b = uniform(key(2), [512, 512], -1, 1);
  const mmT = timeInterleaved(
    { ours: () => void matmul(a, b), tfjs: TF.matmul(512) },
    R(backend === 'cpu' ? 5 : 9, 2),
    1,
  );
  // a property suite makes thousands of these calls: time the steady state, after 20,000 warm-up
  // calls on each side (a cold start is several times slower while the JIT compiles)
  const tinyT = timeInterleaved({ ours: ourTiny, tfjs: TF.tinyGrad(TINY_CALLS) }, R(15, 2), R(10, 1));
  const steps: Record<string, () => void> = {
    ours: ourStep(2, backend === 'wasm' ? split : undefined),
    'ours, 1 thread': ourStep(1),
    stock: TF.mlpStep(SETUP, 'stock'),
  };
  if (f32Missing === null) steps['ours, float32'] = ourStep(2, backend === 'wasm' ? split32 : undefined, f32Convert); // TF.js computes in float32
  if (backend === 'wasm') steps.tuned = TF.mlpStep(SETUP, 'tuned');
  const stepT = timeInterleaved(steps, R(backend === 'cpu' ? 4 : 10, 1), 1);
  tfr[backend] = {
    info,
    mm: Object.fromEntries(Object.entries(mmT).map(([k, v]) => [k, rate(v, gflops(512))])),
    step: stepT,
    tiny: Object.fromEntries(Object.entries(tinyT).map(([k, v]) => [k, perCallUs(v)])),
  };
  const med = (r: Record<string, Sample>) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, +v.median.toPrecision(4)]));
  emit({
    bench: `vs_tfjs_${backend}`,
    simd: info.simd,
    threads: info.threads,
    matmul512_gflops: med(tfr[backend].mm),
    mlp_step_ms: med(stepT),
    tiny_grad_us: med(tfr[backend].tiny),
  });
}
// the engine's own figures: from the wasm phase (the longer one)
const ours2 = { total: tfr.wasm.step.ours, grad: summarize(split.grad.slice(1)), opt: summarize(split.opt.slice(1)) };
const ours32 =
  split32.grad.length > 1
    ? {
        total: tfr.wasm.step['ours, float32'],
        grad: summarize(split32.grad.slice(1)),
        opt: summarize(split32.opt.slice(1)),
      }
    : undefined;
const tinyUs = tfr.wasm.tiny.ours;

// ---------------------------------------------------------------------------------------------
// The engine's step at float64 and float32, then PyTorch's, back to back

const engineSteps: Record<string, () => void> = { 'float64, 2 threads': ourStep(2), 'float64, 1 thread': ourStep(1) };
if (f32Missing === null)
  Object.assign(engineSteps, {
    'float32, 2 threads': ourStep(2, undefined, f32Convert),
    'float32, 1 thread': ourStep(1, undefined, f32Convert),
  });
const eng = timeInterleaved(engineSteps, R(10, 2), 1);
emit({
  bench: 'engine_step_dtypes',
  ...Object.fromEntries(Object.entries(eng).map(([k, v]) => [k, +v.median.toPrecision(4)])),
  ...(f32Missing ? { float32: f32Missing } : {}),
});
/** The engine's faster thread count for a dtype, by median (undefined: that dtype was not timed). */
const engineBest = (d: Dtype) =>
  ['2 threads', '1 thread']
    .map((t) => [t, eng[`${d}, ${t}`]] as const)
    .filter(([, s]) => s !== undefined)
    .sort((a, b) => a[1].median - b[1].median)[0];

// PyTorch in a child process; this process waits (its wasm helper thread sleeps on Atomics.wait),
// so PyTorch's 2-thread rows have both cores to themselves as far as this run goes
const torch: TorchResult = runTorch(
  quick ? { warmup: 1, reps: 3, mmWarmup: 1, mmReps: 2 } : { warmup: 3, reps: 20, mmWarmup: 2, mmReps: 9 },
);
if (torch.ran) {
  emit({
    bench: 'pytorch',
    version: torch.version,
    blas: torch.blas.loaded,
    openblas_core: torch.blas.openblasCore,
    step_ms: Object.fromEntries(torch.runs.map((r) => [`${r.dtype}, ${r.threads}`, +r.step.median.toPrecision(4)])),
    matmul1024_gflops: Object.fromEntries(
      torch.runs.map((r) => [`${r.dtype}, ${r.threads}`, +r.matmulGflops.median.toPrecision(4)]),
    ),
  });
} else emit({ bench: 'pytorch', ran: false, reason: torch.reason });
const load1 = os.loadavg();

// ---------------------------------------------------------------------------------------------
// The report

const oursMs = ours2.total.median;
/** How many times longer `other` took than `ours` (times), within one interleaved phase. */
const x = (other: Sample, ours: Sample) => other.median / ours.median;
const C = tfr.cpu,
  Wp = tfr.wasm;
const vsCpu = x(C.step.stock, C.step.ours),
  vsWasm = x(Wp.step.stock, Wp.step.ours),
  vsTuned = x(Wp.step.tuned, Wp.step.ours);
const twoVsOne = mm[1024]['wasm, 2 threads'].median / mm[1024]['wasm, 1 thread'].median;
const threadsLabel = (n: number | string) => (typeof n === 'string' ? n : `${n} thread${n === 1 ? '' : 's'}`);
const torchNotRun = torch.ran ? '' : `not run (${torch.reason})`;
/** A target row: the engine's MLP step at a dtype against PyTorch's, each at its better thread count. */
const vsTorch = (d: Dtype, limit: number): [string, string, string, boolean | null] => {
  const what = `MLP step ${d} vs PyTorch ${d} (its best of 1 and 2 threads)`;
  const crit = `≤ ${limit}×`;
  const ours = engineBest(d);
  const theirs: TorchRun | undefined = torch.ran ? bestOf(torch.runs, d) : undefined;
  if (ours === undefined || theirs === undefined) {
    const why = [
      ...(ours === undefined ? [d === 'float32' && f32Missing ? f32Missing : `engine ${d}: not timed`] : []),
      ...(theirs === undefined ? [`PyTorch ${d}: ${torch.ran ? 'not timed' : torchNotRun}`] : []),
    ];
    return [what, crit, why.join('; '), null];
  }
  const r = ours[1].median / theirs.step.median;
  return [
    what,
    crit,
    `${r.toFixed(2)}× (${f3(ours[1].median)} ms on ${ours[0]} vs ${f3(theirs.step.median)} ms on ${threadsLabel(theirs.threads)})`,
    r <= limit,
  ];
};
const f32Step = Wp.step['ours, float32'];
/** A float32 step target against a TF.js wasm variant (times faster), or why it was not timed. */
const vsTfjs32 = (variant: 'tuned' | 'stock', limit: number): [string, string, string, boolean | null] => {
  const what = `MLP step float32 vs TF.js wasm ${variant === 'tuned' ? 'with explicit transposes' : 'stock'}`;
  if (f32Step === undefined) return [what, `≥ ${limit}× faster`, f32Missing ?? 'not timed', null];
  const r = x(Wp.step[variant], f32Step);
  return [
    what,
    `≥ ${limit}× faster`,
    `${r.toFixed(2)}× (${f3(f32Step.median)} vs ${f3(Wp.step[variant].median)} ms)`,
    r >= limit,
  ];
};
const peakShare = gemm32.gflops.median / (2 * gemm32.peak);
const targets: [string, string, string, boolean | null][] = [
  vsTorch('float32', 2.5),
  vsTorch('float64', 3),
  vsTfjs32('tuned', 2),
  vsTfjs32('stock', 20),
  ['tiny grad sum(x·x + x), 4 elements', '≤ 2 µs', `${f3(tinyUs.median)} µs`, tinyUs.median <= 2],
  [
    'float32 gemm 1024, 2 threads, of twice the single-thread FMA peak',
    '≥ 40%',
    `${(100 * peakShare).toFixed(0)}% (${f3(gemm32.gflops.median)} of 2 × ${f3(gemm32.peak)} GFLOP/s)`,
    peakShare >= 0.4,
  ],
  [
    'matmul 512, one core (float64)',
    '≥ 10 GFLOP/s',
    `${f3(mm[512]['wasm, 1 thread'].median)} GFLOP/s`,
    mm[512]['wasm, 1 thread'].median >= 10,
  ],
  ['matmul 1024, two cores vs one (float64)', '> 1×', `${twoVsOne.toFixed(2)}×`, twoVsOne > 1],
  ['MLP step float64', '≤ 60 ms', `${f3(oursMs)} ms`, oursMs <= 60],
  ['MLP step float64 vs TF.js wasm (stock)', '≥ 8× faster', `${vsWasm.toFixed(1)}×`, vsWasm >= 8],
  ['MLP step float64 vs TF.js cpu', '≥ 30× faster', `${vsCpu.toFixed(1)}×`, vsCpu >= 30],
  [
    'exact enumeration, 20 inputs of a 10-way softmax layer (Gray-code walk, logits per mask)',
    '≥ 10⁷ masks/s',
    `${(enumZ.median / 1e6).toFixed(1)}·10⁶ masks/s`,
    enumZ.median >= 1e7,
  ],
];

const bars: Bar[] = [];
const addBars = (workload: string, ref: Sample, rows: [string, Sample][]) => {
  for (const [system, s] of rows)
    bars.push({ workload, system, ratio: s.median / ref.median, lo: s.lo / ref.median, hi: s.hi / ref.median });
};
const msOf = (s: Sample, work: number) => summarize(s.values.map((v) => work / v)); // a rate sample back to times
const mmMs = (s: Sample) => msOf(s, gflops(512));
addBars('matmul 512', mmMs(mm[512]['wasm, 1 thread']), [
  ['dropcheck wasm, 1 thread', mmMs(mm[512]['wasm, 1 thread'])],
  ['dropcheck wasm, 2 threads', mmMs(mm[512]['wasm, 2 threads'])],
  ['dropcheck JS reference', mmMs(mm[512]['JS reference'])],
]);
addBars('matmul 512 vs TF.js', mmMs(Wp.mm.ours), [
  ['dropcheck (cpu phase)', mmMs(C.mm.ours)],
  ['TF.js cpu (f32)', mmMs(C.mm.tfjs)],
  ['dropcheck (wasm phase)', mmMs(Wp.mm.ours)],
  ['TF.js wasm+SIMD (f32)', mmMs(Wp.mm.tfjs)],
]);
addBars('MLP step (wasm phase)', Wp.step.ours, [
  ['dropcheck, 2 threads', Wp.step.ours],
  ['dropcheck, 1 thread', Wp.step['ours, 1 thread']],
  ['TF.js wasm, stock', Wp.step.stock],
  ['TF.js wasm, tuned', Wp.step.tuned],
]);
addBars('MLP step (cpu phase)', C.step.ours, [
  ['dropcheck, 2 threads', C.step.ours],
  ['TF.js cpu, stock', C.step.stock],
]);
addBars('tiny grad', Wp.tiny.ours, [
  ['dropcheck (cpu phase)', C.tiny.ours],
  ['TF.js cpu', C.tiny.tfjs],
  ['dropcheck (wasm phase)', Wp.tiny.ours],
  ['TF.js wasm', Wp.tiny.tfjs],
]);
if (torch.ran) {
  for (const d of ['float64', 'float32'] as const) {
    const ref = eng[`${d}, 2 threads`];
    const theirs = torch.runs.filter((r) => r.dtype === d);
    if (ref === undefined || theirs.length === 0) continue;
    addBars(`MLP step ${d} vs PyTorch`, ref, [
      [`dropcheck ${d}, 2 threads`, ref],
      [`dropcheck ${d}, 1 thread`, eng[`${d}, 1 thread`]],
      ...theirs.map((r) => [`PyTorch ${d}, ${threadsLabel(r.threads)}`, r.step] as [string, Sample]),
    ]);
  }
}
const svg = await plotRatios(bars);

/** The PyTorch section of the report. */
const torchSection = (() => {
  const grid = (['float64', 'float32'] as const).flatMap((d) =>
    [1, 2].map((t) => ({
      d,
      t,
      ours: eng[`${d}, ${threadsLabel(t)}`],
      theirs: torch.ran ? torch.runs.find((r) => r.dtype === d && r.threads === t) : undefined,
    })),
  );
  const torchCell = (v: string | undefined) => (torch.ran ? (v ?? 'not timed') : torchNotRun);
  const oursCell = (d: Dtype, s: Sample | undefined) =>
    s ? show(s) : d === 'float32' && f32Missing ? f32Missing : 'not timed';
  const table = `| dtype | threads | PyTorch MLP step, ms | PyTorch matmul 1024, GFLOP/s | PyTorch loss, first → last step | dropcheck MLP step, ms | dropcheck ÷ PyTorch |
|---|---|---|---|---|---|---|
${grid
  .map(({ d, t, ours, theirs }) =>
    row([
      d,
      String(t),
      torchCell(theirs && show(theirs.step)),
      torchCell(theirs && show(theirs.matmulGflops)),
      torchCell(theirs && `${theirs.lossFirst.toFixed(3)} → ${theirs.lossLast.toFixed(3)}`),
      oursCell(d, ours),
      ours && theirs ? `${x(ours, theirs.step).toFixed(2)}×` : torch.ran ? '—' : torchNotRun,
    ]),
  )
  .join('\n')}`;
  const intro = `The same net, shapes, batch and dropout rates in PyTorch (\`torch.nn.functional.dropout\` in
training mode, \`nn.Linear\` layers with He-normal weights and zero biases, cross-entropy,
\`torch.optim.SGD(lr=0.01, momentum=0.9)\`, zero_grad / backward / step, \`loss.item()\` every step),
run by bench/torch_step.py in a child process right after the engine's step phase, with nothing else
of the bench running meanwhile; PyTorch's configurations round-robin, as the engine's are. The
dropcheck column is that phase of the engine (float64 and, where the build has it, float32: every
parameter and the input batch converted with \`astype\`), interleaved across dtypes and threads.`;
  if (!torch.ran) return `## PyTorch\n\n${intro}\n\nPyTorch ${torchNotRun}: no PyTorch figure is quoted.\n\n${table}\n`;
  const b = torch.blas;
  const envSet = Object.entries(torch.env).map(([k, v]) => `${k}=${v}`);
  const observed = torch.runs
    .map((r) => `${r.dtype}/${r.threads}: ${r.observedThreads.map((o) => `(${o.join(', ')})`).join(' ')}`)
    .join('; ');
  const coreForced = torch.env.OPENBLAS_CORETYPE !== undefined;
  const best = (d: Dtype) => {
    const r = bestOf(torch.runs, d);
    return (
      r && {
        r,
        gf: torch.runs.filter((q) => q.dtype === d).sort((p, q) => q.matmulGflops.median - p.matmulGflops.median)[0],
      }
    );
  };
  const ratioRows = (['float64', 'float32'] as const).map((d) => {
    const ours = engineBest(d),
      th = best(d);
    return row([
      `MLP step ${d}, ms`,
      ours ? `${show(ours[1])} (${ours[0]})` : oursCell(d, undefined),
      th ? `${show(th.r.step)} (${threadsLabel(th.r.threads)})` : 'not timed',
      ours && th ? `${x(ours[1], th.r.step).toFixed(2)}×` : '—',
    ]);
  });
  const mmOurs = [mm[1024]['wasm, 1 thread'], mm[1024]['wasm, 2 threads']].sort((p, q) => q.median - p.median)[0];
  const mmTh = best('float64');
  if (mmTh)
    ratioRows.push(
      row([
        'matmul 1024 float64, GFLOP/s',
        `${show(mmOurs)} (best of 1 and 2 threads, start of the run)`,
        `${show(mmTh.gf.matmulGflops)} (${threadsLabel(mmTh.gf.threads)})`,
        `${(mmTh.gf.matmulGflops.median / mmOurs.median).toFixed(2)}×`,
      ]),
    );
  return `## PyTorch

${intro}

- PyTorch ${torch.version}, Python ${torch.pythonVersion} (${torch.python}); ${torch.reps.reps} steps per configuration after ${torch.reps.warmup} warm-up, ${torch.reps.mmReps} matmuls after ${torch.reps.mmWarmup}; ${torch.seconds.toFixed(0)} s
- BLAS: built with BLAS_INFO=${b.built ?? '?'}, LAPACK_INFO=${b.lapack ?? '?'}${b.openblasBuild ? ` (${b.openblasBuild})` : ''}; ${b.mkl ?? 'MKL not mentioned'}; loaded: **${b.loaded}**${b.openblasConfig ? ` (${b.openblasConfig}, kernels for ${b.openblasCore})` : ''}${b.paths.length ? `: ${b.paths.map((p) => `\`${p}\``).join(', ')}` : ''}
- threads: \`torch.set_num_threads(n)\`${b.threadsControlled ? ", and OpenBLAS's own thread pool set to n through its C API (torch.set_num_threads leaves it at one thread per core)" : ' (OpenBLAS threads not controlled)'}; inter-op threads ${torch.parallel.interopThreads}; ATen parallel backend ${torch.parallel.backend ?? '?'}${b.openmp.length ? ` (${b.openmp.map((p) => p.split('/').pop()).join(', ')})` : ''}; (ATen, OpenBLAS) threads seen while timing: ${observed}
- OMP_WAIT_POLICY=${torch.env.OMP_WAIT_POLICY ?? 'unset'}: the bench sets PASSIVE unless the environment sets it, since with libgomp's default spin-wait PyTorch's idle OpenMP thread takes the second core from OpenBLAS's thread and the 2-thread step runs several times slower than the 1-thread one on two cores
- CPU ${torch.cpu.model ?? '?'} (${torch.cpu.simd.join(', ') || 'no SIMD flags read'}); BLAS/OpenMP environment: ${envSet.length ? envSet.map((e) => `\`${e}\``).join(', ') : 'none'}${coreForced ? `. OPENBLAS_CORETYPE in the environment picks OpenBLAS's kernels for that core instead of the CPU's own${torch.cpu.simd.includes('avx512f') ? ' (this CPU has AVX-512)' : ''}` : ''}

${table}

Each side at its better thread count (the engine's from the phase just before PyTorch's; ratios are
time ÷ time, over 1 dropcheck is slower, except the GFLOP/s row: PyTorch's rate ÷ dropcheck's):

| workload | dropcheck | PyTorch | dropcheck ÷ PyTorch |
|---|---|---|---|
${ratioRows.join('\n')}
`;
})();

let commit = 'unknown';
try {
  commit =
    execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim() +
    (execSync('git status --porcelain -- src bench', { encoding: 'utf8' }).trim() ? ' (with uncommitted changes)' : '');
} catch {
  /* not a git checkout */
}
const cpus = os.cpus();
const md = `# Performance

The engine (float64, and float32 where a row says so) against TensorFlow.js 4.22 (float32, its
only type) in one Node process, and against PyTorch (float32 and float64) in a child process of the
same run; same shapes, batch and dropout rates; the loss is read back every step. Medians of
repetitions after warm-up, with the quartile range (or min–max for fewer than 8 repetitions) in
parentheses. The machine is shared with other work, so absolute numbers move between runs; the
ratios, measured in the same run, are the figures to compare. Regenerate with \`npm run bench\`.

Every kernel and thread count gives the same bits (each product element is summed over k in one
fixed order, a rounded multiply and a rounded add per step; test/engine/wasm.test.ts checks WebAssembly
against the JS reference and two threads against one), so the speed here costs no reproducibility.
The FMA module (relaxed SIMD's relaxed_madd, \`configureKernels({ fma: true })\`) is off by
default: it is no faster here (see the peak below and scripts/measure-gemm.ts), and its bits depend
on whether the processor fuses; kernel and dtype are in the provenance below.

![time relative to dropcheck](performance.svg)

## Targets

| target | criterion | measured | met |
|---|---|---|---|
${targets.map(([what, crit, got, ok]) => row([what, crit, got, ok === null ? '—' : ok ? 'yes' : '**no**'])).join('\n')}

## Results

Each TF.js backend ran in its own phase, every workload interleaved with the engine's (one
repetition of each in turn), so the ratio in each row compares runs that saw the same load.

| workload | phase | dropcheck | TF.js | TF.js time ÷ dropcheck time |
|---|---|---|---|---|
${row(['matmul 512, GFLOP/s', 'cpu', show(C.mm.ours), show(C.mm.tfjs), `${x(C.mm.ours, C.mm.tfjs).toFixed(1)}×`])}
${row(['matmul 512, GFLOP/s', 'wasm+SIMD', show(Wp.mm.ours), show(Wp.mm.tfjs), `${x(Wp.mm.ours, Wp.mm.tfjs).toFixed(1)}×`])}
${row(['MLP step float64, ms', 'cpu', show(C.step.ours), `stock ${show(C.step.stock)}`, `${vsCpu.toFixed(1)}×`])}
${row(['MLP step float64, ms', 'wasm+SIMD', `${show(Wp.step.ours)}; 1 thread ${show(Wp.step['ours, 1 thread'])}`, `stock ${show(Wp.step.stock)}; tuned ${show(Wp.step.tuned)}`, `stock ${vsWasm.toFixed(1)}×, tuned ${vsTuned.toFixed(2)}×`])}
${f32Step ? row(['MLP step float32, ms', 'wasm+SIMD', show(f32Step), `stock ${show(Wp.step.stock)}; tuned ${show(Wp.step.tuned)}`, `stock ${x(Wp.step.stock, f32Step).toFixed(1)}×, tuned ${x(Wp.step.tuned, f32Step).toFixed(2)}×`]) : row(['MLP step float32, ms', 'wasm+SIMD', f32Missing ?? 'not timed', '—', '—'])}
${C.step['ours, float32'] ? row(['MLP step float32, ms', 'cpu', show(C.step['ours, float32']), `stock ${show(C.step.stock)}`, `${x(C.step.stock, C.step['ours, float32']).toFixed(1)}×`]) : ''}
${row(['tiny grad, µs', 'cpu', show(C.tiny.ours), show(C.tiny.tfjs), `${x(C.tiny.tfjs, C.tiny.ours).toFixed(1)}×`])}
${row(['tiny grad, µs', 'wasm+SIMD', show(Wp.tiny.ours), show(Wp.tiny.tfjs), `${x(Wp.tiny.tfjs, Wp.tiny.ours).toFixed(1)}×`])}

The MLP is 784-1024-1024-10, ReLU, dropout rate 0.2 on the inputs and 0.5 on both hidden layers,
batch 100, softmax cross-entropy, SGD with momentum 0.9; the engine's step on 2 threads splits into
the gradient, ${f3(ours2.grad.median)} ms, and the optimizer update (src/nn), ${f3(ours2.opt.median)} ms (medians,
wasm phase). The step's eight matrix products (${(productFlops / 1e9).toFixed(2)} GFLOP) take ${f3(products.median)} ms on their own
(${(productFlops / products.median / 1e6).toFixed(1)} GFLOP/s, 2 threads, timed before the TF.js phases): the rest of the gradient
is masks, elementwise ops, reductions and the copies in and out of WebAssembly memory.
${
  ours32
    ? `In float32 the step (2 threads, wasm phase) takes ${show(ours32.total)} ms: the eight products alone ${f3(products32.median)} ms
(${(productFlops / products32.median / 1e6).toFixed(1)} GFLOP/s), the rest of the gradient (masks, elementwise work, reductions, copies)
${f3(Math.max(0, ours32.grad.median - products32.median))} ms, the optimizer ${f3(ours32.opt.median)} ms.`
    : `float32: ${f32Missing}.`
}
float32 gemm 1024 on 2 threads: ${show(gemm32.gflops)} GFLOP/s; the single-thread peak of ${gemm32.peakKind} on registers
is ${f3(gemm32.peak)} GFLOP/s (measurePeak), so the gemm reaches ${(100 * peakShare).toFixed(0)}% of two threads' peak.
TF.js wasm backend: SIMD ${Wp.info.simd ? 'on' : 'off'}, threads ${Wp.info.threads ? 'on' : 'off'}. "Stock" is
\`optimizer.minimize\`; "tuned" writes the backward pass out with \`tf.transpose\` before each product,
so every matMul is a plain one. PyTorch has its own section below.

The engine alone (interleaved among its own kernels):

| matmul, GFLOP/s | wasm, 1 thread | wasm, 2 threads | JS reference |
|---|---|---|---|
${row(['512', show(mm[512]['wasm, 1 thread']), show(mm[512]['wasm, 2 threads']), show(mm[512]['JS reference'])])}
${row(['1024', show(mm[1024]['wasm, 1 thread']), show(mm[1024]['wasm, 2 threads']), '—'])}

${torchSection}
## Dropout masks per second

| workload | masks/s |
|---|---|
| exact enumeration, 2^20 masks of the 20 inputs of a 10-way softmax layer: Gray-code walk, the 10 logits per mask | ${enumZ.median.toExponential(2)} (${enumZ.lo.toExponential(2)}–${enumZ.hi.toExponential(2)}) |
| the same walk with the softmax evaluated per mask (10 exponentials) | ${enumSoftmax.median.toExponential(2)} |
| exact enumeration over the 20 inputs of a 20-16-10 network (hidden layer by the walk, ReLU, 16×10 layer, softmax per mask) | ${enumNet.median.toExponential(2)} |
| Monte-Carlo, 784-1024-1024-10, k = ${K} masks of one example as one batched forward pass | ${Math.round(mcBatched.median)} (${Math.round(mcBatched.lo)}–${Math.round(mcBatched.hi)}) |
| the same, one mask per forward pass | ${Math.round(mcSingle.median)} (batching: ${(mcBatched.median / mcSingle.median).toFixed(1)}×) |

## Provenance

- commit ${commit}, ${new Date().toISOString().slice(0, 10)}
- ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, Node ${process.version}, ${os.platform()} ${os.release()}
- kernel: ${JSON.stringify(kernelInfo())}
- PyTorch: ${torch.ran ? `${torch.version}, ${torch.blas.loaded}, ${torch.python}` : torchNotRun}
- load average (1 min) ${load0[0].toFixed(2)} at the start, ${load1[0].toFixed(2)} at the end: other work shared the ${cpus.length} cores
- ${quick ? '**--quick run: too few repetitions for these numbers to mean much**' : 'full run'}, ${((performance.now() - t0) / 1000).toFixed(0)} s
`;
mkdirSync('reports', { recursive: true });
writeFileSync('reports/performance.md', md);
writeFileSync('reports/performance.svg', svg);
console.log(`wrote reports/performance.md and reports/performance.svg (${sink ? 'ok' : ''})`);
