// Layers as pure functions of a parameter tree, Flax-style: `init(key)` makes parameters,
// `apply(params, x, { training, key })` runs the network. Train/eval is the `training` flag.
import {
  type Convention,
  type DType,
  type Key,
  type Tensor,
  add,
  astype,
  describeValue,
  dropout,
  dropoutWithMask,
  foldIn,
  gaussianDropout,
  isKey,
  matmul,
  normal,
  relu,
  sigmoid,
  split,
  tanh,
  uniform,
  zeros,
} from '../engine/index.ts';

export type Linear = {
  /** [in, out]: column j holds the incoming weights of output unit j. */
  readonly W: Tensor;
  readonly b: Tensor;
};

export type Init = 'he' | 'glorot';

/**
 * A linear layer: He-normal (std √(2/in), for ReLU) or Glorot-uniform weights, zero bias. A float32
 * layer holds the float64 draws rounded to float32, so it starts where the float64 layer does.
 */
export function initLinear(
  key: Key,
  inDim: number,
  outDim: number,
  init: Init = 'he',
  dtype: DType = 'float64',
): Linear {
  if (!isKey(key)) throw new TypeError(`initLinear: expected key to be a Key, got ${describeValue(key)}`);
  if (init !== 'he' && init !== 'glorot')
    throw new RangeError(`initLinear: init must be 'he' or 'glorot', got ${describeValue(init)}`);
  for (const [name, v] of [
    ['inDim', inDim],
    ['outDim', outDim],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 1)
      throw new RangeError(`initLinear: ${name} must be a positive integer, got ${describeValue(v)}`);
  }
  if (dtype !== 'float64' && dtype !== 'float32')
    throw new TypeError(`initLinear: dtype must be 'float64' or 'float32', got ${describeValue(dtype)}`);
  const W =
    init === 'he'
      ? normal(key, [inDim, outDim], 0, Math.sqrt(2 / inDim))
      : uniform(key, [inDim, outDim], -Math.sqrt(6 / (inDim + outDim)), Math.sqrt(6 / (inDim + outDim)));
  return { W: astype(W, dtype), b: zeros([outDim], { dtype }) };
}

/** The affine layer x·W + b for parameters { W: [in, out], b: [out] } and x: [batch, in]. Throws when p is not a parameter object or the shapes do not match (the error names both). */
export function linear(p: Linear, x: Tensor): Tensor {
  if (p === null || typeof p !== 'object')
    throw new TypeError(`linear: expected p to be the layer's parameters { W, b }, got ${describeValue(p)}`);
  return add(matmul(x, p.W), p.b);
}

export type Activation = 'relu' | 'tanh' | 'sigmoid' | 'linear';
const ACTIVATIONS: Record<Activation, (x: Tensor) => Tensor> = { relu, tanh, sigmoid, linear: (x) => x };

export interface MLPSpec {
  /** Layer widths from input to output, e.g. [784, 1024, 1024, 10]. */
  sizes: readonly number[];
  /** Hidden-layer activation (the output layer is linear). Default 'relu'. */
  activation?: Activation;
  /** Dropout rate on the input units. Default 0. */
  inputRate?: number;
  /** Dropout rate on each hidden layer's units: one number for all, or one per hidden layer. Default 0. */
  hiddenRate?: number | readonly number[];
  convention?: Convention;
  init?: Init;
  /**
   * 'bernoulli' (default): dropout masks. 'gaussian': multiply by N(1, rate/(1 − rate)) noise
   * instead (the paper's §10; inverted convention only, the identity at inference).
   */
  noise?: Noise;
  /** The parameters' dtype, 'float64' (default) or 'float32'; feed inputs of the same dtype to compute in it throughout. */
  dtype?: DType;
}

export type Noise = 'bernoulli' | 'gaussian';

export type MLPParams = readonly Linear[];

export interface ApplyOptions {
  training: boolean;
  /** Required when training with any nonzero rate (unless masks are given); dropout site i's mask uses foldIn(key, i). */
  key?: Key;
  /**
   * Given 0/1 masks per dropout site (0: the input, i: hidden layer i), used in training instead of
   * drawing from the key: for enumerating every thinned network exactly. A site without one draws.
   */
  masks?: readonly (Tensor | null | undefined)[];
}

export interface MLP {
  readonly spec: Required<Omit<MLPSpec, 'hiddenRate'>> & { hiddenRate: readonly number[] };
  /** Initial parameters drawn from the key (He-normal weights, zero biases), in the network's dtype. */
  init(key: Key): MLPParams;
  /** The network on x: [batch, inputs]; in training, dropout site i's mask comes from foldIn(options.key, i). Throws for a missing key in training or mismatched shapes. */
  apply(params: MLPParams, x: Tensor, options: ApplyOptions): Tensor;
}

/** A multilayer perceptron with dropout on the input and hidden units. */
export function mlp(spec: MLPSpec): MLP {
  if (spec === null || typeof spec !== 'object')
    throw new TypeError(
      `mlp: expected a spec { sizes, activation?, inputRate?, hiddenRate?, convention?, init? }, got ${describeValue(spec)}`,
    );
  if (!Array.isArray(spec.sizes))
    throw new TypeError(`mlp: expected sizes to be an array of layer widths, got ${describeValue(spec.sizes)}`);
  const sizes = [...spec.sizes];
  if (sizes.length < 2 || sizes.some((s) => !Number.isSafeInteger(s) || s < 1)) {
    throw new RangeError(
      `mlp: sizes must list at least two positive integers (input and output widths), got [${sizes.join(', ')}]`,
    );
  }
  const hidden = sizes.length - 2;
  const hr = spec.hiddenRate ?? 0;
  const hiddenRate = typeof hr === 'number' ? new Array<number>(hidden).fill(hr) : [...hr];
  if (hiddenRate.length !== hidden)
    throw new RangeError(`mlp: hiddenRate must have one rate per hidden layer (${hidden}), got ${hiddenRate.length}`);
  const full = {
    sizes,
    activation: spec.activation ?? 'relu',
    inputRate: spec.inputRate ?? 0,
    hiddenRate,
    convention: spec.convention ?? 'inverted',
    init: spec.init ?? 'he',
    noise: spec.noise ?? 'bernoulli',
    dtype: spec.dtype ?? 'float64',
  };
  if (full.dtype !== 'float64' && full.dtype !== 'float32')
    throw new TypeError(`mlp: dtype must be 'float64' or 'float32', got ${describeValue(full.dtype)}`);
  if (full.noise !== 'bernoulli' && full.noise !== 'gaussian')
    throw new RangeError(`mlp: noise must be 'bernoulli' or 'gaussian', got ${describeValue(full.noise)}`);
  if (full.noise === 'gaussian' && full.convention !== 'inverted')
    throw new RangeError(
      `mlp: Gaussian noise has only the inverted convention (identity at inference), got convention '${full.convention}'`,
    );
  if (full.init !== 'he' && full.init !== 'glorot')
    throw new RangeError(`mlp: init must be 'he' or 'glorot', got ${describeValue(full.init)}`);
  if (!(full.activation in ACTIVATIONS))
    throw new RangeError(
      `mlp: activation must be one of ${Object.keys(ACTIVATIONS).join(', ')}, got ${full.activation}`,
    );
  const act = ACTIVATIONS[full.activation];
  const rates = [full.inputRate, ...hiddenRate];
  return {
    spec: full,
    init: (key) =>
      split(key, sizes.length - 1).map((k, i) => initLinear(k, sizes[i], sizes[i + 1], full.init, full.dtype)),
    apply(params, x, options) {
      if (!Array.isArray(params) || params.length !== sizes.length - 1) {
        throw new TypeError(
          `mlp.apply: expected params to be the ${sizes.length - 1} layers { W, b } that init makes, got ${describeValue(params)}`,
        );
      }
      if (options === null || typeof options !== 'object')
        throw new TypeError(`mlp.apply: expected options { training, key?, masks? }, got ${describeValue(options)}`);
      const { training, key, masks } = options;
      if (masks !== undefined && full.noise === 'gaussian')
        throw new TypeError(
          'mlp.apply: masks are 0/1 dropout masks; a Gaussian-noise network draws its multipliers from the key',
        );
      const given = (i: number) => training && masks?.[i] != null;
      if (training && rates.some((r, i) => r > 0 && !given(i)) && !isKey(key)) {
        throw new TypeError(
          `mlp.apply: a key is required in training when a dropout rate is nonzero, got ${describeValue(key)}`,
        );
      }
      const drop = (h: Tensor, i: number) =>
        rates[i] === 0
          ? h
          : given(i)
            ? dropoutWithMask(h, masks![i]!, { rate: rates[i], convention: full.convention })
            : full.noise === 'gaussian'
              ? gaussianDropout(training ? foldIn(key as Key, i) : key, h, { rate: rates[i], training })
              : dropout(training ? foldIn(key as Key, i) : key, h, {
                  rate: rates[i],
                  training,
                  convention: full.convention,
                });
      let h = drop(x, 0);
      params.forEach((p, i) => {
        h = linear(p, h);
        if (i < params.length - 1) h = drop(act(h), i + 1);
      });
      return h;
    },
  };
}
