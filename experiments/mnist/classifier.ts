// Training an MLP classifier on the digits, shared by the classification experiments.
import {
  type DType,
  type Key,
  type MLP,
  type MLPParams,
  type Noise,
  Tensor,
  errorRate,
  fit,
  foldIn,
  mapRows,
  mlp,
  monteCarloAverages,
  sgd,
  softmaxCrossEntropy,
} from '../../src/index.ts';
import {
  CLASSES,
  type Digits,
  type Splits,
  TEST_SIZE,
  atResolution,
  labelsOf,
  loadDigits,
  pickRows,
  rows,
  splits,
  trainingSet,
} from './data.ts';

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
  /** Max-norm radius on inverted-convention weights: one for every layer or one per layer (keep·c for the paper's c). */
  maxNorm?: number | readonly number[];
  /** Record train and test error every this many steps (0: only at the end). */
  evalEvery?: number;
  /** Training error during training on this many of the training digits (a stratified random subset; all at the end). Default: all. */
  curveTrainDigits?: number;
  /** Where "test" error is measured: the official test digits (default) or, for tuning, the 10,000 validation digits. */
  evalOn?: 'test' | 'validation';
  /** Monte-Carlo model averaging on the test digits after training: `draws` sequences of masks, the estimate after each k of `grid`; on every `stride`-th test digit (default 1: all). */
  mc?: { draws: number; grid: readonly number[]; stride?: number };
}

export interface ClassifierResult {
  /** Percent. */
  testError: number;
  trainError: number;
  /** Errors during training (percent), when evalEvery is set; with max-norm, the fraction of units whose incoming weights sit on the bound. */
  curve: CurvePoint[];
  /** With config.mc: test error (%) of the Monte-Carlo average, [draw][k index]. */
  mc?: number[][];
  /** With config.mc: test error (%) of weight scaling on the digits the Monte-Carlo averages saw. */
  mcWeightScaled?: number;
}

export interface CurvePoint {
  step: number;
  train: number;
  test: number;
  atBound?: number;
}

export const sizesOf = (c: ClassifierConfig, width: number) => [width, ...c.hidden, CLASSES];
export const macs = (sizes: readonly number[]) => sizes.slice(1).reduce((s, v, i) => s + v * sizes[i], 0);

/** Per-update bookkeeping (masks, tape, optimizer), in multiply-add equivalents: it dominates tiny models. */
export const STEP_OVERHEAD = 1e6;

/** Multiply-adds of a training run: forward + backward ≈ 3 forward passes per example, plus the evaluations. */
export function classifierCost(c: ClassifierConfig): number {
  const m = macs(sizesOf(c, c.side * c.side));
  const evals = c.evalEvery ? Math.floor(c.steps / c.evalEvery) + 1 : 1;
  const mc = c.mc ? (c.mc.draws * c.mc.grid[c.mc.grid.length - 1] * TEST_SIZE * m) / (c.mc.stride ?? 1) : 0;
  return (
    (3 * m * c.batch + STEP_OVERHEAD) * c.steps +
    evals * m * (Math.min(c.nTrain, c.curveTrainDigits ?? c.nTrain) + TEST_SIZE) +
    m * c.nTrain +
    mc
  );
}

/** The fraction of units (columns of the weight matrices) whose incoming weight vector has norm ≥ (1 − 1e-6)·its radius. */
export function fractionAtBound(params: MLPParams, radius: number | readonly number[]): number {
  let at = 0,
    units = 0;
  params.forEach(({ W }, layer) => {
    const c = typeof radius === 'number' ? radius : radius[layer];
    const [rows, cols] = W.shape,
      w = W.data;
    const s = new Float64Array(cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) s[j] += w[i * cols + j] ** 2;
    for (let j = 0; j < cols; j++) if (Math.sqrt(s[j]) >= (1 - 1e-6) * c) at++;
    units += cols;
  });
  return at / units;
}

/**
 * Trains the classifier. The training set, the initial weights, the batch order and the noise come
 * from `shared` (so settings of one seed are paired); nothing here depends on execution order.
 */
export function trainClassifier(
  c: ClassifierConfig,
  { shared, dtype }: { shared: Key; dtype: DType },
): ClassifierResult & { net: MLP; params: MLPParams; data: Dataset; train: Int32Array } {
  const data = dataset(c.side);
  const train = trainingSet(data.digits, data.splits.pool, c.nTrain, foldIn(shared, 1));
  // the digits, the parameters and every op in the run's dtype (float32 unless --float64)
  const xTrain = rows(data.digits, train, { dtype });
  const yTrain = labelsOf(data.digits, train);
  // hyperparameters are tuned on the validation digits and nowhere else; every other run reports the test digits
  const heldOut = c.evalOn === 'validation' ? data.splits.validation : data.splits.test;
  const xTest = rows(data.digits, heldOut, { dtype });
  const yTest = labelsOf(data.digits, heldOut);
  const net = mlp({
    sizes: sizesOf(c, data.width),
    inputRate: c.inputRate,
    hiddenRate: c.hiddenRate,
    noise: c.noise,
    dtype,
  });
  const init = net.init(foldIn(shared, 2));
  const loss = (p: MLPParams, batch: Int32Array, k: Key) =>
    softmaxCrossEntropy(
      net.apply(p, new Tensor(pickRows(xTrain, data.width, batch), [batch.length, data.width]), {
        training: true,
        key: k,
      }),
      Array.from(batch, (i) => yTrain[i]),
    );
  const err = (p: MLPParams, x: Float64Array | Float32Array, y: number[]) =>
    100 *
    errorRate(
      mapRows(x, data.width, (b) => net.apply(p, b, { training: false })),
      CLASSES,
      y,
    );
  const curve: CurvePoint[] = [];
  // the curve's training error on a stratified random curveTrainDigits of the training digits (all at the end)
  const nCurve = Math.min(train.length, c.curveTrainDigits ?? train.length);
  const sub = nCurve === train.length ? train : trainingSet(data.digits, train, nCurve, foldIn(shared, 5));
  const xCurve = nCurve === train.length ? xTrain : rows(data.digits, sub, { dtype }),
    yCurve = nCurve === train.length ? yTrain : labelsOf(data.digits, sub);
  const record = (step: number, p: MLPParams) => {
    curve.push({
      step,
      train: err(p, xCurve, yCurve),
      test: err(p, xTest, yTest),
      ...(c.maxNorm === undefined ? {} : { atBound: fractionAtBound(p, c.maxNorm) }),
    });
    if (process.env.DROPCHECK_VERBOSE)
      process.stderr.write(
        `  ${c.hidden.join('-')} rates ${c.inputRate}/${c.hiddenRate}: step ${step}/${c.steps}: train ${curve.at(-1)!.train.toFixed(2)}%, test ${curve.at(-1)!.test.toFixed(2)}%\n`,
      );
  };
  if (c.evalEvery) record(0, init);
  const params = fit(init, loss, {
    // the learning rate decays linearly to lr/10 over the run, so the last iterate is not dominated by gradient noise
    optimizer: (t) =>
      sgd<MLPParams>({
        lr: c.lr * (1 - (0.9 * t) / c.steps),
        momentum: c.momentum,
        weightDecay: c.weightDecay,
        maxNorm: c.maxNorm,
      }),
    steps: c.steps,
    batchSize: c.batch,
    n: train.length,
    key: foldIn(shared, 3),
    onStep: c.evalEvery
      ? (t, p) => {
          if (t % c.evalEvery! === 0 && t !== c.steps) record(t, p);
        }
      : undefined,
  });
  const last: CurvePoint = {
    step: c.steps,
    train: err(params, xTrain, yTrain),
    test: err(params, xTest, yTest),
    ...(c.maxNorm === undefined ? {} : { atBound: fractionAtBound(params, c.maxNorm) }),
  };
  if (c.evalEvery) curve.push(last);
  if (c.mc && c.evalOn === 'validation')
    throw new RangeError('Monte-Carlo averages are measured on the test digits only');
  const stride = c.mc?.stride ?? 1;
  const mcTest = stride === 1 ? data.splits.test : data.splits.test.filter((_, i) => i % stride === 0);
  let mc: Pick<ClassifierResult, 'mc' | 'mcWeightScaled'> = {};
  if (c.mc) {
    const xMc = stride === 1 ? xTest : rows(data.digits, mcTest, { dtype }),
      yMc = labelsOf(data.digits, mcTest);
    mc = {
      mc: monteCarloErrors(net, params, xMc, yMc, data.width, foldIn(shared, 4), c.mc),
      mcWeightScaled: err(params, xMc, yMc),
    };
  }
  return { testError: last.test, trainError: last.train, curve, ...mc, net, params, data, train };
}

/** Digits per Monte-Carlo forward pass: activations stay a few megabytes (reused heap memory, not fresh pages). */
export const MC_CHUNK = 500;

/**
 * Test error (%) of Monte-Carlo model averaging: sequence r averages the softmax outputs of thinned
 * networks and reports the error after each k of the grid. The digits go through in chunks of
 * MC_CHUNK; chunk b of sequence r uses masks foldIn(foldIn(foldIn(key, r), b), 1..K).
 */
export function monteCarloErrors(
  net: MLP,
  params: MLPParams,
  x: Float64Array | Float32Array,
  y: number[],
  width: number,
  k: Key,
  { draws, grid }: { draws: number; grid: readonly number[] },
): number[][] {
  return Array.from({ length: draws }, (_, r) => {
    const wrong = new Float64Array(grid.length);
    for (let b = 0, start = 0; start < y.length; b++, start += MC_CHUNK) {
      const end = Math.min(y.length, start + MC_CHUNK),
        ys = y.slice(start, end);
      const xt = new Tensor(x.subarray(start * width, end * width), [end - start, width]);
      monteCarloAverages(net, params, xt, foldIn(foldIn(k, r), b), grid).forEach(
        (probs, j) => (wrong[j] += Math.round(errorRate(probs, CLASSES, ys) * ys.length)),
      );
    }
    return Array.from(wrong, (w) => (100 * w) / y.length);
  });
}

/** An experiment run that needs only the final errors of one trained classifier (no error curve). */
export function finalErrors(c: ClassifierConfig, ctx: { shared: Key; dtype: DType }): ClassifierResult {
  const { testError, trainError } = trainClassifier(c, ctx);
  return { testError, trainError, curve: [] };
}
