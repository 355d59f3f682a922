// This machine's training speed right now, in multiply-adds per second (for expected times).
import {
  type DType,
  type MLPParams,
  Tensor,
  foldIn,
  key,
  mlp,
  normal,
  sgd,
  softmaxCrossEntropy,
  valueAndGrad,
} from '../../src/index.ts';
import type { Profile } from './experiment.ts';

/**
 * Times dropout training steps of the profile's typical network, after warming up: 196-256-10 at
 * batch 50 for quick (one core per worker), 784-512-512-10 at batch 100 for the others (its
 * products use both cores). Returns the whole machine's rate given `workers` parallel runs.
 */
export function measureThroughput(profile: Profile, dtype: DType, workers: number, seconds = 1): number {
  const small = profile === 'quick';
  const sizes = small ? [196, 256, 10] : [784, 512, 512, 10];
  const batch = small ? 50 : 100;
  const net = mlp({ sizes, inputRate: 0.2, hiddenRate: 0.5, dtype });
  let params = net.init(key(0));
  const opt = sgd<MLPParams>({ lr: 0.01, momentum: 0.9 });
  let state = opt.init(params);
  const x = new Tensor(normal(key(1), [batch, sizes[0]], 0, 1, { dtype }).data, [batch, sizes[0]]);
  const y = Array.from({ length: batch }, (_, i) => i % 10);
  const vg = valueAndGrad((p: MLPParams, k: ReturnType<typeof key>) =>
    softmaxCrossEntropy(net.apply(p, x, { training: true, key: k }), y),
  );
  const step = (t: number) => {
    const { grad } = vg(params, foldIn(key(2), t));
    ({ params, state } = opt.step(params, grad, state));
  };
  for (let t = 0; t < 5; t++) step(t);
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < seconds * 1000) step(5 + n++);
  const perStep = (performance.now() - start) / 1000 / n;
  const macs = sizes.slice(1).reduce((s, v, i) => s + v * sizes[i], 0);
  // small nets run on one core each, so workers add up; the large net's products already use both cores
  return ((3 * macs * batch) / perStep) * (small ? Math.max(1, workers) : 1);
}
