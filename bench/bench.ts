// npm run bench: the engine's speed against TensorFlow.js in one process (warm-up, repetitions,
// medians and quartiles), as ratios measured in the same run; writes reports/performance.md and
// reports/performance.svg. `--quick` runs fewer repetitions (for trying the script, not for numbers).
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import {
  type Tensor, add, broadcastTo, configureKernels, foldIn, grad, kernelInfo, key, matmul, mlp, mul, normal, sgd, softmaxCrossEntropy, sum, tensor, uniform, valueAndGrad,
} from '../src/index.ts';
import { forEachLinearMask, softmaxOf } from '../src/verify/enumerate.ts';
import { gemm } from '../src/engine/kernels.ts';
import { type Sample, rate, summarize, timeInterleaved, timeMs } from './timing.ts';
import * as TF from './tfjs.ts';
import { type Bar, plotRatios } from './plot.ts';

const quick = process.argv.includes('--quick');
const R = (full: number, few = 2) => (quick ? few : full);
const emit = (o: object) => console.log(JSON.stringify(o));
const f3 = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toPrecision(3));
const show = (s: Sample) => `${f3(s.median)} (${f3(s.lo)}–${f3(s.hi)})`;
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

/** One SGD step of the engine's MLP on `threads` threads; the gradient and optimizer times go to `split`. */
function ourStep(threads: 1 | 2, split?: { grad: number[]; opt: number[] }): () => void {
  let params = net.init(key(3));
  const opt = sgd<typeof params>({ lr: SETUP.lr, momentum: SETUP.momentum });
  let state = opt.init(params);
  const vg = valueAndGrad((p: typeof params, k: ReturnType<typeof key>) => softmaxCrossEntropy(net.apply(p, xBatch, { training: true, key: k }), labels));
  let step = 0;
  return () => {
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
}

// The step's matrix products alone (forward, then the backward's weight and input gradients; the
// input layer needs no input gradient), each on fresh output as matmul does: the floor under the step.
const PRODUCTS: [boolean, boolean, number, number, number][] = [
  [false, false, 100, 1024, 784], [false, false, 100, 1024, 1024], [false, false, 100, 10, 1024],
  [true, false, 1024, 10, 100], [false, true, 100, 1024, 10],
  [true, false, 1024, 1024, 100], [false, true, 100, 1024, 1024], [true, false, 784, 1024, 100],
];
const productFlops = PRODUCTS.reduce((s, [, , m, n, k]) => s + 2 * m * n * k, 0);
const products = (() => {
  const ops = PRODUCTS.map(([ta, tb, m, n, k], i) => ({ ta, tb, m, n, k, A: uniform(key(30 + i), [m * k]).data, B: uniform(key(40 + i), [k * n]).data }));
  return timeMs(() => {
    for (const o of ops) gemm(o.ta, o.tb, o.m, o.n, o.k, o.A, 0, o.B, 0, new Float64Array(o.m * o.n), 0, true);
  }, R(9, 2), 2);
})();
emit({ bench: 'mlp_products', ms: +products.median.toFixed(2), gflops: +(productFlops / products.median / 1e6).toFixed(2) });

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
  rate(timeMs(() => forEachLinearMask(W, b, y, 0.5, visitFactory()), R(5, 2), 1), 2 ** W.shape[0] * 1000); // masks/s
const W1 = normal(key(11), [20, 10], 0, 0.3), b1 = normal(key(12), [10]), y20 = normal(key(13), [20]);
let sink = 0;
const enumZ = enumRate(() => (z, p) => void (sink += p * z[0]), W1, b1, y20);
const enumSoftmax = enumRate(() => {
  const buf = new Float64Array(10);
  return (z, p) => {
    softmaxOf(z, buf);
    sink += p * buf[0];
  };
}, W1, b1, y20);
// 20-16-10: the 2^20 masks of the 20 inputs; the hidden layer updated by the walk, then ReLU, the 16×10 layer and softmax per mask
const Wa = normal(key(14), [20, 16], 0, 0.3), ba = normal(key(15), [16]), Wb = normal(key(16), [16, 10], 0, 0.3).data, bb = normal(key(17), [10]).data;
const enumNet = enumRate(() => {
  const logits = new Float64Array(10), probs = new Float64Array(10);
  return (z, p) => {
    logits.set(bb);
    for (let h = 0; h < 16; h++) {
      const a = z[h] > 0 ? z[h] : 0;
      if (a !== 0) for (let c = 0; c < 10; c++) logits[c] += a * Wb[h * 10 + c];
    }
    softmaxOf(logits, probs);
    sink += p * probs[0];
  };
}, Wa, ba, y20);
emit({ bench: 'enumeration', masks_per_s: { z: Math.round(enumZ.median), softmax: Math.round(enumSoftmax.median), net_20_16_10: Math.round(enumNet.median) } });

const K = 100;
const mcParams = net.init(key(21));
const one = uniform(key(22), [1, 784]);
const kBatch = broadcastTo(one, [K, 784]); // the same example K times: each row gets its own mask
const mcBatched = rate(timeMs(() => void net.apply(mcParams, kBatch, { training: true, key: key(23) }).data, R(9, 3), 2), K * 1000); // masks/s
const KS = 10; // one mask per pass, KS passes (per-mask cost, without batching)
const mcSingle = rate(timeMs(() => {
  for (let i = 0; i < KS; i++) net.apply(mcParams, one, { training: true, key: foldIn(key(24), i) });
}, R(5, 2), 1), KS * 1000);
emit({ bench: 'montecarlo', k: K, masks_per_s_batched: Math.round(mcBatched.median), masks_per_s_one_at_a_time: Math.round(mcSingle.median) });

// ---------------------------------------------------------------------------------------------
// TF.js, same shapes, same batch, same dropout rates, the loss read back each step

// Each TF.js backend in turn, every workload interleaved with the engine's, so that load coming and
// going on the machine hits both alike; the ratios are taken within each of these pairs.
interface Phase { info: { simd: boolean; threads: boolean }; mm: Record<string, Sample>; step: Record<string, Sample>; tiny: Record<string, Sample> }
const tfr: Record<'cpu' | 'wasm', Phase> = {} as never;
const split = { grad: [] as number[], opt: [] as number[] };
for (const backend of ['cpu', 'wasm'] as const) {
  const info = await TF.useBackend(backend);
  const a = uniform(key(1), [512, 512], -1, 1), b = uniform(key(2), [512, 512], -1, 1);
  const mmT = timeInterleaved({ ours: () => void matmul(a, b), tfjs: TF.matmul(512) }, R(backend === 'cpu' ? 5 : 9, 2), 1);
  // a property suite makes thousands of these calls: time the steady state, after 20,000 warm-up
  // calls on each side (a cold start is several times slower while the JIT compiles)
  const tinyT = timeInterleaved({ ours: ourTiny, tfjs: TF.tinyGrad(TINY_CALLS) }, R(15, 2), R(10, 1));
  const steps: Record<string, () => void> = { ours: ourStep(2, backend === 'wasm' ? split : undefined), 'ours, 1 thread': ourStep(1), stock: TF.mlpStep(SETUP, 'stock') };
  if (backend === 'wasm') steps.tuned = TF.mlpStep(SETUP, 'tuned');
  const stepT = timeInterleaved(steps, R(backend === 'cpu' ? 4 : 10, 1), 1);
  tfr[backend] = {
    info,
    mm: Object.fromEntries(Object.entries(mmT).map(([k, v]) => [k, rate(v, gflops(512))])),
    step: stepT,
    tiny: Object.fromEntries(Object.entries(tinyT).map(([k, v]) => [k, perCallUs(v)])),
  };
  const med = (r: Record<string, Sample>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, +v.median.toPrecision(4)]));
  emit({ bench: `vs_tfjs_${backend}`, simd: info.simd, threads: info.threads, matmul512_gflops: med(tfr[backend].mm), mlp_step_ms: med(stepT), tiny_grad_us: med(tfr[backend].tiny) });
}
// the engine's own figures: from the wasm phase (the longer one)
const ours2 = { total: tfr.wasm.step.ours, grad: summarize(split.grad.slice(1)), opt: summarize(split.opt.slice(1)) };
const tinyUs = tfr.wasm.tiny.ours;
const load1 = os.loadavg();

// ---------------------------------------------------------------------------------------------
// The report

const oursMs = ours2.total.median;
/** How many times longer `other` took than `ours` (times), within one interleaved phase. */
const x = (other: Sample, ours: Sample) => other.median / ours.median;
const C = tfr.cpu, Wp = tfr.wasm;
const vsCpu = x(C.step.stock, C.step.ours), vsWasm = x(Wp.step.stock, Wp.step.ours), vsTuned = x(Wp.step.tuned, Wp.step.ours);
const twoVsOne = mm[1024]['wasm, 2 threads'].median / mm[1024]['wasm, 1 thread'].median;
const targets: [string, string, string, boolean][] = [
  ['matmul 512, one core', '≥ 10 GFLOP/s', `${f3(mm[512]['wasm, 1 thread'].median)} GFLOP/s`, mm[512]['wasm, 1 thread'].median >= 10],
  ['matmul 1024, two cores vs one', '> 1×', `${twoVsOne.toFixed(2)}×`, twoVsOne > 1],
  ['MLP step', '≤ 60 ms', `${f3(oursMs)} ms`, oursMs <= 60],
  ['MLP step vs TF.js wasm (stock)', '≥ 8× faster', `${vsWasm.toFixed(1)}×`, vsWasm >= 8],
  ['MLP step vs TF.js cpu', '≥ 30× faster', `${vsCpu.toFixed(1)}×`, vsCpu >= 30],
  ['MLP step vs PyTorch 1.13 + OpenBLAS, 26 ms (quoted, not run)', '≤ 2.5× (≤ 65 ms)', `${(oursMs / 26).toFixed(2)}×`, oursMs / 26 <= 2.5],
  ['tiny grad', '≤ 2 µs', `${f3(tinyUs.median)} µs`, tinyUs.median <= 2],
  ['exact enumeration, 20 inputs of a 10-way softmax layer (Gray-code walk, logits per mask)', '≥ 10⁷ masks/s', `${(enumZ.median / 1e6).toFixed(1)}·10⁶ masks/s`, enumZ.median >= 1e7],
];

const bars: Bar[] = [];
const addBars = (workload: string, ref: Sample, rows: [string, Sample][]) => {
  for (const [system, s] of rows) bars.push({ workload, system, ratio: s.median / ref.median, lo: s.lo / ref.median, hi: s.hi / ref.median });
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
const svg = await plotRatios(bars);

let commit = 'unknown';
try {
  commit = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim() + (execSync('git status --porcelain -- src bench', { encoding: 'utf8' }).trim() ? ' (with uncommitted changes)' : '');
} catch {
  /* not a git checkout */
}
const cpus = os.cpus();
const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
const md = `# Performance

The engine (float64 throughout) against TensorFlow.js 4.22 (float32, its only type) in one Node
process, same shapes, batch and dropout rates; the loss is read back every step. Medians of
repetitions after warm-up, with the quartile range (or min–max for fewer than 8 repetitions) in
parentheses. The machine is shared with other work, so absolute numbers move between runs; the
ratios, measured in the same run, are the figures to compare. Regenerate with \`npm run bench\`.

Every kernel and thread count gives the same bits (each product element is summed over k in one
fixed order, no fused multiply-add; test/wasm.test.ts checks WebAssembly against the JS reference
and two threads against one), so the speed here costs no reproducibility.

![time relative to dropcheck](performance.svg)

## Targets

| target | criterion | measured | met |
|---|---|---|---|
${targets.map(([what, crit, got, ok]) => row([what, crit, got, ok ? 'yes' : '**no**'])).join('\n')}

## Results

Each TF.js backend ran in its own phase, every workload interleaved with the engine's (one
repetition of each in turn), so the ratio in each row compares runs that saw the same load.

| workload | phase | dropcheck | TF.js | TF.js time ÷ dropcheck time |
|---|---|---|---|---|
${row(['matmul 512, GFLOP/s', 'cpu', show(C.mm.ours), show(C.mm.tfjs), `${x(C.mm.ours, C.mm.tfjs).toFixed(1)}×`])}
${row(['matmul 512, GFLOP/s', 'wasm+SIMD', show(Wp.mm.ours), show(Wp.mm.tfjs), `${x(Wp.mm.ours, Wp.mm.tfjs).toFixed(1)}×`])}
${row(['MLP step, ms', 'cpu', show(C.step.ours), `stock ${show(C.step.stock)}`, `${vsCpu.toFixed(1)}×`])}
${row(['MLP step, ms', 'wasm+SIMD', `${show(Wp.step.ours)}; 1 thread ${show(Wp.step['ours, 1 thread'])}`, `stock ${show(Wp.step.stock)}; tuned ${show(Wp.step.tuned)}`, `stock ${vsWasm.toFixed(1)}×, tuned ${vsTuned.toFixed(2)}×`])}
${row(['tiny grad, µs', 'cpu', show(C.tiny.ours), show(C.tiny.tfjs), `${x(C.tiny.tfjs, C.tiny.ours).toFixed(1)}×`])}
${row(['tiny grad, µs', 'wasm+SIMD', show(Wp.tiny.ours), show(Wp.tiny.tfjs), `${x(Wp.tiny.tfjs, Wp.tiny.ours).toFixed(1)}×`])}

The MLP is 784-1024-1024-10, ReLU, dropout rate 0.2 on the inputs and 0.5 on both hidden layers,
batch 100, softmax cross-entropy, SGD with momentum 0.9; the engine's step on 2 threads splits into
the gradient, ${f3(ours2.grad.median)} ms, and the optimizer update (src/nn), ${f3(ours2.opt.median)} ms (medians,
wasm phase). The step's eight matrix products (${(productFlops / 1e9).toFixed(2)} GFLOP) take ${f3(products.median)} ms on their own
(${(productFlops / products.median / 1e6).toFixed(1)} GFLOP/s, 2 threads, timed before the TF.js phases): the rest of the gradient
is masks, elementwise ops, reductions and the copies in and out of WebAssembly memory.
TF.js wasm backend: SIMD ${Wp.info.simd ? 'on' : 'off'}, threads ${Wp.info.threads ? 'on' : 'off'}. "Stock" is
\`optimizer.minimize\`; "tuned" writes the backward pass out with \`tf.transpose\` before each product,
so every matMul is a plain one. The PyTorch figure (26 ms, float64, one thread, OpenBLAS) is quoted,
not run here.

The engine alone (interleaved among its own kernels):

| matmul, GFLOP/s | wasm, 1 thread | wasm, 2 threads | JS reference |
|---|---|---|---|
${row(['512', show(mm[512]['wasm, 1 thread']), show(mm[512]['wasm, 2 threads']), show(mm[512]['JS reference'])])}
${row(['1024', show(mm[1024]['wasm, 1 thread']), show(mm[1024]['wasm, 2 threads']), '—'])}

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
- load average (1 min) ${load0[0].toFixed(2)} at the start, ${load1[0].toFixed(2)} at the end: other work shared the ${cpus.length} cores
- ${quick ? '**--quick run: too few repetitions for these numbers to mean much**' : 'full run'}, ${((performance.now() - t0) / 1000).toFixed(0)} s
`;
mkdirSync('reports', { recursive: true });
writeFileSync('reports/performance.md', md);
writeFileSync('reports/performance.svg', svg);
console.log(`wrote reports/performance.md and reports/performance.svg (${sink ? 'ok' : ''})`);
