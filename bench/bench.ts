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

function ourStep(threads: 1 | 2, reps: number) {
  let params = net.init(key(3));
  const opt = sgd<typeof params>({ lr: SETUP.lr, momentum: SETUP.momentum });
  let state = opt.init(params);
  const vg = valueAndGrad((p: typeof params, k: ReturnType<typeof key>) => softmaxCrossEntropy(net.apply(p, xBatch, { training: true, key: k }), labels));
  let step = 0;
  const gradMs: number[] = [];
  const optMs: number[] = [];
  const total = timeMs(() => {
    configureKernels({ threads });
    const t = performance.now();
    const { value, grad: g } = vg(params, foldIn(key(5), step++));
    value.item(); // the loss read back each step
    const t1 = performance.now();
    ({ params, state } = opt.step(params, g, state));
    gradMs.push(t1 - t);
    optMs.push(performance.now() - t1);
  }, reps, 2);
  configureKernels({ threads: 2 });
  return { total, grad: summarize(gradMs.slice(2)), opt: summarize(optMs.slice(2)) };
}
const ours2 = ourStep(2, R(12, 3));
const ours1 = ourStep(1, R(8, 2));
emit({ bench: 'mlp_step', ms_2threads: +ours2.total.median.toFixed(1), grad_ms: +ours2.grad.median.toFixed(1), optimizer_ms: +ours2.opt.median.toFixed(1), ms_1thread: +ours1.total.median.toFixed(1) });

// ---------------------------------------------------------------------------------------------
// 3. tiny grad

const tinyUs = (() => {
  const x = tensor([1, 2, 3, 4]);
  const g = grad((v: Tensor) => sum(add(mul(v, v), v)));
  const calls = R(20000, 2000);
  const s = timeMs(() => void g(x), R(9, 3), 2, calls);
  return summarize(s.values.map((ms) => ms * 1000));
})();
emit({ bench: 'tiny_grad', us: +tinyUs.median.toFixed(3) });

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

const tfr: Record<string, { mm: Sample; step: Sample; tiny: Sample; tuned?: Sample; info: { simd: boolean; threads: boolean } }> = {};
for (const backend of ['cpu', 'wasm'] as const) {
  const info = await TF.useBackend(backend);
  const mmT = rate(TF.matmul(512, R(backend === 'cpu' ? 3 : 5, 2)), gflops(512));
  const tiny = TF.tinyGrad(R(2000, 200), R(7, 2));
  const step = TF.mlpStep(SETUP, 'stock', R(backend === 'cpu' ? 3 : 5, 1), 1);
  const tuned = backend === 'wasm' ? TF.mlpStep(SETUP, 'tuned', R(5, 1), 1) : undefined;
  tfr[backend] = { mm: mmT, step, tiny, tuned, info };
  emit({ bench: `tfjs_${backend}`, simd: info.simd, threads: info.threads, matmul512_gflops: +mmT.median.toFixed(2), mlp_step_ms: +step.median.toFixed(1), tuned_ms: tuned && +tuned.median.toFixed(1), tiny_grad_us: +tiny.median.toFixed(1) });
}
const load1 = os.loadavg();

// ---------------------------------------------------------------------------------------------
// The report

const oursMs = ours2.total.median;
const ratio = (a: Sample, b: Sample) => a.median / b.median;
const targets: [string, string, string, boolean][] = [
  ['matmul 512, one core', '≥ 10 GFLOP/s', `${f3(mm[512]['wasm, 1 thread'].median)} GFLOP/s`, mm[512]['wasm, 1 thread'].median >= 10],
  ['matmul 1024, two cores vs one', '> 1×', `${ratio(mm[1024]['wasm, 2 threads'], mm[1024]['wasm, 1 thread']).toFixed(2)}×`, ratio(mm[1024]['wasm, 2 threads'], mm[1024]['wasm, 1 thread']) > 1],
  ['MLP step', '≤ 60 ms', `${f3(oursMs)} ms`, oursMs <= 60],
  ['MLP step vs TF.js wasm (stock)', '≥ 8× faster', `${ratio(tfr.wasm.step, ours2.total).toFixed(1)}×`, ratio(tfr.wasm.step, ours2.total) >= 8],
  ['MLP step vs TF.js cpu', '≥ 30× faster', `${ratio(tfr.cpu.step, ours2.total).toFixed(1)}×`, ratio(tfr.cpu.step, ours2.total) >= 30],
  ['MLP step vs PyTorch 1.13 + OpenBLAS, 26 ms (quoted, not run)', '≤ 2.5× (≤ 65 ms)', `${(oursMs / 26).toFixed(2)}×`, oursMs / 26 <= 2.5],
  ['tiny grad', '≤ 2 µs', `${f3(tinyUs.median)} µs`, tinyUs.median <= 2],
  ['exact enumeration, 20 inputs of a 10-way softmax layer (Gray-code walk, logits per mask)', '≥ 10⁷ masks/s', `${(enumZ.median / 1e6).toFixed(1)}·10⁶ masks/s`, enumZ.median >= 1e7],
];

const bars: Bar[] = [];
const addBars = (workload: string, ref: Sample, rows: [string, Sample][]) => {
  for (const [system, s] of rows) bars.push({ workload, system, ratio: s.median / ref.median, lo: s.lo / ref.median, hi: s.hi / ref.median });
};
const msOf = (s: Sample, work: number) => summarize(s.values.map((v) => work / v)); // a rate sample back to times
addBars('matmul 512', msOf(mm[512]['wasm, 1 thread'], gflops(512)), [
  ['dropcheck wasm, 1 thread', msOf(mm[512]['wasm, 1 thread'], gflops(512))],
  ['dropcheck wasm, 2 threads', msOf(mm[512]['wasm, 2 threads'], gflops(512))],
  ['dropcheck JS reference', msOf(mm[512]['JS reference'], gflops(512))],
  ['TF.js cpu (f32)', msOf(tfr.cpu.mm, gflops(512))],
  ['TF.js wasm+SIMD (f32)', msOf(tfr.wasm.mm, gflops(512))],
]);
addBars('MLP 784-1024-1024-10 SGD step', ours2.total, [
  ['dropcheck, 2 threads', ours2.total],
  ['dropcheck, 1 thread', ours1.total],
  ['TF.js cpu, stock', tfr.cpu.step],
  ['TF.js wasm, stock', tfr.wasm.step],
  ['TF.js wasm, tuned', tfr.wasm.tuned!],
]);
addBars('tiny grad', tinyUs, [
  ['dropcheck', tinyUs],
  ['TF.js cpu', tfr.cpu.tiny],
  ['TF.js wasm', tfr.wasm.tiny],
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

![time relative to dropcheck](performance.svg)

## Targets

| target | criterion | measured | met |
|---|---|---|---|
${targets.map(([what, crit, got, ok]) => row([what, crit, got, ok ? 'yes' : '**no**'])).join('\n')}

## Results

| workload | dropcheck | TF.js cpu | TF.js wasm+SIMD | ratio (TF.js ÷ dropcheck time) |
|---|---|---|---|---|
${row(['matmul 512, GFLOP/s', `${show(mm[512]['wasm, 1 thread'])} on 1 thread; ${show(mm[512]['wasm, 2 threads'])} on 2; JS reference ${show(mm[512]['JS reference'])}`, show(tfr.cpu.mm), show(tfr.wasm.mm), `cpu ${(mm[512]['wasm, 1 thread'].median / tfr.cpu.mm.median).toFixed(1)}×, wasm ${(mm[512]['wasm, 1 thread'].median / tfr.wasm.mm.median).toFixed(1)}× (1 thread)`])}
${row(['matmul 1024, GFLOP/s', `${show(mm[1024]['wasm, 1 thread'])} on 1 thread; ${show(mm[1024]['wasm, 2 threads'])} on 2`, '—', '—', `2 threads ÷ 1: ${ratio(mm[1024]['wasm, 2 threads'], mm[1024]['wasm, 1 thread']).toFixed(2)}×`])}
${row(['MLP 784-1024-1024-10, batch 100, dropout 0.2/0.5, SGD+momentum step, ms', `${show(ours2.total)} on 2 threads (gradient ${f3(ours2.grad.median)}, optimizer ${f3(ours2.opt.median)}); ${show(ours1.total)} on 1`, `stock ${show(tfr.cpu.step)}`, `stock ${show(tfr.wasm.step)}; tuned ${show(tfr.wasm.tuned!)}`, `cpu ${ratio(tfr.cpu.step, ours2.total).toFixed(1)}×, wasm stock ${ratio(tfr.wasm.step, ours2.total).toFixed(1)}×, wasm tuned ${ratio(tfr.wasm.tuned!, ours2.total).toFixed(1)}×`])}
${row(['tiny grad, sum(x·x + x) on 4 elements, µs', show(tinyUs), show(tfr.cpu.tiny), show(tfr.wasm.tiny), `cpu ${ratio(tfr.cpu.tiny, tinyUs).toFixed(1)}×, wasm ${ratio(tfr.wasm.tiny, tinyUs).toFixed(1)}×`])}

TF.js wasm backend: SIMD ${tfr.wasm.info.simd ? 'on' : 'off'}, threads ${tfr.wasm.info.threads ? 'on' : 'off'}. "Stock" is \`optimizer.minimize\`;
"tuned" writes the backward pass out with \`tf.transpose\` before each product, so every matMul is a
plain one. The PyTorch figure (26 ms, float64, one thread, OpenBLAS) is quoted, not run here.

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
