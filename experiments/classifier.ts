// Training an MLP classifier on the digits, shared by the classification experiments.
import { type DType, type Key, type MLP, type MLPParams, type Noise, Tensor, errorRate, fit, foldIn, mapRows, mlp, sgd, softmaxCrossEntropy } from '../src/index.ts';
import { CLASSES, type Digits, type Splits, TEST_SIZE, atResolution, labelsOf, loadDigits, pickRows, rows, splits, trainingSet } from './data.ts';

export interface Dataset {
  side: 14 | 28;
  width: number;
  /** Every digit at this resolution (raw integers; `rows` converts the ones a run needs). */
  digits: Digits;
  labels: Uint8Array;
  splits: Splits;
}

const cache = new Map<number, Dataset>();
export function dataset(side: 14 | 28): Dataset {
  let d = cache.get(side);
  if (!d) {
    const digits = atResolution(loadDigits(), side);
    d = { side, width: digits.width, digits, labels: digits.labels, splits: splits(digits) };
    cache.set(side, d);
  }
  return d;
}

export interface ClassifierConfig {
  side: 14 | 28;
  /** Hidden-layer widths. Empty: a linear softmax classifier. */
  hidden: number[];
  inputRate: number;
  hiddenRate: number;
  noise?: Noise;
  /** Training-set size, drawn stratified from the pool. */
  nTrain: number;
  steps: number;
  batch: number;
  lr: number;
  momentum: number;
  weightDecay?: number;
  maxNorm?: number;
  /** Record train and test error every this many steps (0: only at the end). */
  evalEvery?: number;
}

export interface ClassifierResult {
  /** Percent. */
  testError: number;
  trainError: number;
  /** Errors during training (percent), when evalEvery is set. */
  curve: { step: number; train: number; test: number }[];
}

export const sizesOf = (c: ClassifierConfig, width: number) => [width, ...c.hidden, CLASSES];
export const macs = (sizes: readonly number[]) => sizes.slice(1).reduce((s, v, i) => s + v * sizes[i], 0);

/** Per-update bookkeeping (masks, tape, optimizer), in multiply-add equivalents: it dominates tiny models. */
export const STEP_OVERHEAD = 1e6;

/** Multiply-adds of a training run: forward + backward ≈ 3 forward passes per example, plus the evaluations. */
export function classifierCost(c: ClassifierConfig): number {
  const m = macs(sizesOf(c, c.side * c.side));
  const evals = c.evalEvery ? Math.floor(c.steps / c.evalEvery) + 1 : 1;
  return (3 * m * c.batch + STEP_OVERHEAD) * c.steps + evals * m * (c.nTrain + TEST_SIZE);
}

/**
 * Trains the classifier. The training set, the initial weights, the batch order and the noise come
 * from `shared` (so settings of one seed are paired); nothing here depends on execution order.
 */
export function trainClassifier(c: ClassifierConfig, { shared, dtype }: { shared: Key; dtype: DType }): ClassifierResult & { net: MLP; params: MLPParams; data: Dataset; train: Int32Array } {
  const data = dataset(c.side);
  const train = trainingSet(data.digits, data.splits.pool, c.nTrain, foldIn(shared, 1));
  // the digits, the parameters and every op in the run's dtype (float32 unless --float64)
  const xTrain = rows(data.digits, train, { dtype });
  const yTrain = labelsOf(data.digits, train);
  const xTest = rows(data.digits, data.splits.test, { dtype });
  const yTest = labelsOf(data.digits, data.splits.test);
  const net = mlp({ sizes: sizesOf(c, data.width), inputRate: c.inputRate, hiddenRate: c.hiddenRate, noise: c.noise, dtype });
  const init = net.init(foldIn(shared, 2));
  const loss = (p: MLPParams, batch: Int32Array, k: Key) =>
    softmaxCrossEntropy(net.apply(p, new Tensor(pickRows(xTrain, data.width, batch), [batch.length, data.width]), { training: true, key: k }), Array.from(batch, (i) => yTrain[i]));
  const err = (p: MLPParams, x: Float64Array | Float32Array, y: number[]) => 100 * errorRate(mapRows(x, data.width, (b) => net.apply(p, b, { training: false })), CLASSES, y);
  const curve: ClassifierResult['curve'] = [];
  const record = (step: number, p: MLPParams) => curve.push({ step, train: err(p, xTrain, yTrain), test: err(p, xTest, yTest) });
  if (c.evalEvery) record(0, init);
  const params = fit(init, loss, {
    // the learning rate decays linearly to lr/10 over the run, so the last iterate is not dominated by gradient noise
    optimizer: (t) => sgd<MLPParams>({ lr: c.lr * (1 - (0.9 * t) / c.steps), momentum: c.momentum, weightDecay: c.weightDecay, maxNorm: c.maxNorm }),
    steps: c.steps, batchSize: c.batch, n: train.length, key: foldIn(shared, 3),
    onStep: c.evalEvery ? (t, p) => { if (t % c.evalEvery! === 0 && t !== c.steps) record(t, p); } : undefined,
  });
  const last = { step: c.steps, train: err(params, xTrain, yTrain), test: err(params, xTest, yTest) };
  if (c.evalEvery) curve.push(last);
  return { testError: last.test, trainError: last.train, curve, net, params, data, train };
}

/** An experiment run that needs only the final errors of one trained classifier (no error curve). */
export function finalErrors(c: ClassifierConfig, ctx: { shared: Key; dtype: DType }): ClassifierResult {
  const { testError, trainError } = trainClassifier(c, ctx);
  return { testError, trainError, curve: [] };
}
