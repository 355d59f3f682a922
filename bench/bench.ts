// Prints the engine's speed as JSON lines: matmul GFLOP/s, one dropout MLP training step, and the
// fixed cost of a tiny grad. Medians over repetitions after warm-up.
import { type Tensor, add, foldIn, grad, key, matmul, mlp, mul, sgd, softmaxCrossEntropy, sum, tensor, uniform, valueAndGrad } from '../src/index.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], max: s[s.length - 1] };
};
function time(fn: () => void, reps: number, warmup = 2): number[] {
  for (let i = 0; i < warmup; i++) fn();
  return Array.from({ length: reps }, () => {
    const t = performance.now();
    fn();
    return performance.now() - t;
  });
}
const emit = (o: object) => console.log(JSON.stringify(o));
const quick = process.argv.includes('--quick');

// The same-run baseline: a naive i-j-p triple loop in plain JS, so speeds read as ratios.
function naiveMatmul(A: Float64Array, B: Float64Array, n: number): Float64Array {
  const C = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < n; p++) s += A[i * n + p] * B[p * n + j];
      C[i * n + j] = s;
    }
  return C;
}

for (const n of [128, 256, 512]) {
  const a = uniform(key(1), [n, n], -1, 1);
  const b = uniform(key(2), [n, n], -1, 1);
  const ms = time(() => matmul(a, b), quick ? 3 : n === 512 ? 7 : 15);
  const base = time(() => naiveMatmul(a.data, b.data, n), quick || n === 512 ? 3 : 7, 1);
  const gflops = (t: number) => +((2 * n ** 3) / (t * 1e6)).toFixed(3);
  emit({ bench: 'matmul', n, gflops: gflops(median(ms)), ms: +median(ms).toFixed(3), ...spread(ms), naive_gflops: gflops(median(base)), speedup_vs_naive: +(median(base) / median(ms)).toFixed(2) });
}

{
  const net = mlp({ sizes: [784, 1024, 1024, 10], activation: 'relu', inputRate: 0.2, hiddenRate: 0.5 });
  let params = net.init(key(3));
  const opt = sgd<typeof params>({ lr: 0.01, momentum: 0.9 });
  let state = opt.init(params);
  const x = uniform(key(4), [100, 784]);
  const labels = Array.from({ length: 100 }, (_, i) => i % 10);
  const loss = (p: typeof params, k: ReturnType<typeof key>) => softmaxCrossEntropy(net.apply(p, x, { training: true, key: k }), labels);
  const vg = valueAndGrad(loss);
  let step = 0;
  const ms = time(() => {
    const { value, grad: g } = vg(params, foldIn(key(5), step++));
    value.item(); // read the loss back each step
    ({ params, state } = opt.step(params, g, state));
  }, quick ? 3 : 10);
  emit({ bench: 'mlp_step', sizes: '784-1024-1024-10', batch: 100, keep: { input: 0.8, hidden: 0.5 }, ms: +median(ms).toFixed(2), ...spread(ms) });
}

{
  const x = tensor([1, 2, 3, 4]);
  const f = (x: Tensor) => sum(add(mul(x, x), x));
  const g = grad(f);
  const calls = quick ? 2000 : 20000;
  const ms = time(() => {
    for (let i = 0; i < calls; i++) g(x);
  }, 7);
  emit({ bench: 'tiny_grad', fn: 'sum(x*x + x), 4 elements', us: +((median(ms) * 1000) / calls).toFixed(3) });
}
