// This machine's training speed right now, in multiply-adds per second (for expected times).
import { type MLPParams, Tensor, foldIn, key, mlp, normal, sgd, softmaxCrossEntropy, valueAndGrad } from '../src/index.ts';

/** Times a few dropout training steps of a 196-256-10 network at batch 50 (after warming up). */
export function measureThroughput(seconds = 0.6): number {
  const net = mlp({ sizes: [196, 256, 10], inputRate: 0.2, hiddenRate: 0.5 });
  let params = net.init(key(0));
  const opt = sgd<MLPParams>({ lr: 0.01, momentum: 0.9 });
  let state = opt.init(params);
  const x = new Tensor(normal(key(1), [50, 196]).data, [50, 196]);
  const y = Array.from({ length: 50 }, (_, i) => i % 10);
  const vg = valueAndGrad((p: MLPParams, k: ReturnType<typeof key>) => softmaxCrossEntropy(net.apply(p, x, { training: true, key: k }), y));
  const step = (t: number) => {
    const { grad } = vg(params, foldIn(key(2), t));
    ({ params, state } = opt.step(params, grad, state));
  };
  for (let t = 0; t < 5; t++) step(t);
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < seconds * 1000) step(5 + n++);
  const perStep = (performance.now() - start) / 1000 / n;
  return (3 * (196 * 256 + 256 * 10) * 50) / perStep;
}
