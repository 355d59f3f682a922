// Dropout and its relatives: one primitive, "multiply by a fixed random multiplier m drawn from a
// key", with its forward, VJP and JVP below. Because m is a parameter of the primitive, the mask
// of the backward and tangent passes is the forward mask exactly (claim D-BWD).
import { type Primitive, bind } from './trace.ts';
import { Tensor, alloc, allocLike, checkTensor, storageFrom } from './tensor.ts';
import { type Key, bernoulliValues, checkKey, normal } from './random.ts';
import { type Shape, checkShape, describeValue, formatShape, sizeOf } from './shape.ts';
import { binaryKernel, broadcastPlan } from './kernels.ts';
import { wasmMasked } from './wasm/runtime.ts';

export type Convention = 'inverted' | 'scale-at-inference';

export interface DropoutOptions {
  /** Probability of dropping each element, in [0, 1]. keep = 1 − rate. */
  rate: number;
  /** true: sample a mask; false: the deterministic inference-time map. */
  training: boolean;
  /** 'inverted' (default): mask·x/keep in training, x at inference. 'scale-at-inference' (the paper's): mask·x in training, keep·x at inference. */
  convention?: Convention;
  /** Shape of the mask, broadcast over x: 1 (or a dimension of x) per axis, null meaning x's dimension. A 1 shares one mask bit along that axis. */
  noiseShape?: readonly (number | null)[];
}

// y = m ⊙ x, where a zero multiplier gives exactly 0 even for an infinite or NaN x: a dropped unit
// contributes nothing, in the value and in every derivative. m has x's dtype (a float32 x is
// multiplied by the float32 multiplier, fround(1/keep) for inverted dropout, as frameworks do).
const kernel64 = binaryKernel('b === 0 ? 0 : a * b');
const kernel32 = binaryKernel('b === 0 ? 0 : a * b');
function maskedProduct(x: Tensor, m: Tensor): Tensor {
  const out = allocLike(x.data, x.size);
  // a multiplier of x's own shape: WebAssembly SIMD where it pays (same bits)
  if (m.size === x.size && wasmMasked(x.data, m.data, out)) return new Tensor(out, x.shape);
  const p = broadcastPlan(x.shape, m.shape, x.shape);
  (out instanceof Float32Array ? kernel32 : kernel64)(x.data, m.data, out, p.offA, p.offB, p.inner, p.sa, p.sb);
  return new Tensor(out, x.shape);
}

const DROPOUT: Primitive<Tensor> = {
  name: 'dropout',
  fwd: ([x], m) => maskedProduct(x, m),
  vjp: (g, _, __, m) => [() => bind(DROPOUT, [g], m)], // ∂E/∂x = m ⊙ ∂E/∂y, same m
  jvp: ([t], _, __, m) => bind(DROPOUT, [t], m),
};

/**
 * Multiplies x by a fixed multiplier tensor m (broadcast over x), with the dropout op's derivative
 * rules. The result has x's dtype: m is a constant of the op, taken in x's dtype (rounded to float32
 * for a float32 x).
 */
export function applyMultiplier(x: Tensor, m: Tensor): Tensor {
  checkTensor(x, 'applyMultiplier');
  checkTensor(m, 'applyMultiplier', 'm');
  if (m.ndim > x.ndim || m.shape.some((d, i) => d !== 1 && d !== x.shape[x.ndim - m.ndim + i])) {
    throw new RangeError(
      `applyMultiplier: m (shape ${formatShape(m.shape)}) must broadcast to x's shape ${formatShape(x.shape)}`,
    );
  }
  return bind(DROPOUT, [x], m.dtype === x.dtype ? m : new Tensor(storageFrom(x.dtype, m.data), m.shape));
}

const KNOWN = new Set(['rate', 'training', 'convention', 'noiseShape']);

function checkOptions(
  op: string,
  opts: unknown,
  gaussian = false,
): Required<Omit<DropoutOptions, 'noiseShape'>> & { noiseShape?: DropoutOptions['noiseShape'] } {
  if (opts === null || typeof opts !== 'object')
    throw new TypeError(`${op}: expected options { rate, training }, got ${describeValue(opts)}`);
  for (const k of Object.keys(opts)) {
    if (!KNOWN.has(k) || (gaussian && k === 'convention')) {
      const hint =
        k === 'p' || k === 'keep' || k === 'keepProb' ? ' (give rate, the DROP probability; keep = 1 − rate)' : '';
      throw new TypeError(
        `${op}: unknown option "${k}"${hint}; expected ${gaussian ? 'rate, training, noiseShape' : 'rate, training, convention, noiseShape'}`,
      );
    }
  }
  const o = opts as DropoutOptions;
  if (typeof o.rate !== 'number' || !(o.rate >= 0 && o.rate <= 1)) {
    throw new RangeError(`${op}: rate (the drop probability) must be a number in [0, 1], got ${describeValue(o.rate)}`);
  }
  if (gaussian && o.rate === 1)
    throw new RangeError(
      `${op}: rate must be in [0, 1) for Gaussian dropout (its variance rate/(1 − rate) is infinite at 1), got 1`,
    );
  if (typeof o.training !== 'boolean')
    throw new TypeError(`${op}: training must be true or false, got ${describeValue(o.training)}`);
  const convention = o.convention ?? 'inverted';
  if (convention !== 'inverted' && convention !== 'scale-at-inference') {
    throw new RangeError(
      `${op}: convention must be 'inverted' or 'scale-at-inference', got ${describeValue(o.convention)}`,
    );
  }
  return { rate: o.rate, training: o.training, convention, noiseShape: o.noiseShape };
}

/** The mask's shape: x's shape with the axes where noiseShape is 1 collapsed. */
export function resolveNoiseShape(x: Shape, noiseShape: DropoutOptions['noiseShape'], op = 'dropout'): Shape {
  checkShape(x, `${op}: the shape of x`);
  if (noiseShape === undefined) return x;
  if (!Array.isArray(noiseShape) || noiseShape.length !== x.length) {
    throw new RangeError(
      `${op}: noiseShape must have one entry per axis of x (shape ${formatShape(x)}), got ${describeValue(noiseShape)}`,
    );
  }
  return noiseShape.map((d, i) => {
    if (d === null) return x[i];
    if (d !== 1 && d !== x[i])
      throw new RangeError(
        `${op}: noiseShape[${i}] must be 1, null or ${x[i]} (x's dimension), got ${describeValue(d)}`,
      );
    return d;
  });
}

/**
 * Dropout with an explicit key. In training, each element (or each group sharing a mask bit, per
 * `noiseShape`) is kept with probability keep = 1 − rate, with the mask r = bernoulli(key, keep):
 * inverted (the default) gives r·x/keep and the identity at inference; scale-at-inference (the
 * paper's) gives r·x and keep·x at inference. rate 0 is the identity. A dropped element is exactly 0,
 * even where x is infinite or NaN, and so is its derivative; the backward pass reuses the same mask.
 *
 * @param key - the randomness: required in training; ignored (may be null) at inference.
 * @param x - the input; not modified.
 * @param options - `rate` in [0, 1]; `training`; `convention` ('inverted' or 'scale-at-inference');
 *   `noiseShape` (the mask's shape, broadcast over x: 1 shares a bit along an axis, null means x's dimension).
 * @returns a new tensor with x's shape and dtype (x itself for rate 0 or inverted inference).
 * @throws TypeError when x is not a Tensor, the key is missing in training, an option is unknown or
 *   `training` is not a boolean; RangeError when rate is not in [0, 1], the convention is unknown, or
 *   noiseShape does not fit x.
 * @example
 * const y = dropout(key(0), x, { rate: 0.5, training: true });   // each entry 0 or 2·x
 * dropout(null, x, { rate: 0.5, training: false });               // x
 */
export function dropout(key: Key | null | undefined, x: Tensor, options: DropoutOptions): Tensor {
  return dropoutImpl('dropout', key, x, options);
}

/** DropConnect: dropout applied to a weight matrix, one mask per call (shared by every example in a batch). */
export function dropConnect(key: Key | null | undefined, w: Tensor, options: DropoutOptions): Tensor {
  return dropoutImpl('dropConnect', key, w, options);
}

function dropoutImpl(op: string, key: Key | null | undefined, x: Tensor, options: DropoutOptions): Tensor {
  checkTensor(x, op);
  const { rate, training, convention, noiseShape } = checkOptions(op, options);
  const shape = resolveNoiseShape(x.shape, noiseShape, op);
  if (training) checkKey(key, op, 'key (required in training)');
  else if (key !== undefined && key !== null) checkKey(key, op);
  const keep = 1 - rate;
  if (rate === 0) return x;
  if (!training)
    return convention === 'inverted' ? x : applyMultiplier(x, new Tensor(alloc(x.dtype, 1).fill(keep), []));
  // the mask r = bernoulli(key, keep, shape), drawn directly as its multiplier: 1/keep (inverted) or 1 where kept
  const r = bernoulliValues(key as Key, keep, sizeOf(shape), convention === 'inverted' ? 1 / keep : 1, x.dtype); // keep = 0 only when every r is 0
  return applyMultiplier(x, new Tensor(r, shape));
}

/**
 * Training-time dropout with a given 0/1 mask instead of one drawn from a key (for enumerating
 * every mask, or replaying one): r ⊙ x / keep (inverted) or r ⊙ x (paper). The mask broadcasts over x.
 */
export function dropoutWithMask(x: Tensor, mask: Tensor, options: { rate: number; convention?: Convention }): Tensor {
  checkTensor(x, 'dropoutWithMask');
  checkTensor(mask, 'dropoutWithMask', 'mask');
  const { rate, convention } = checkOptions('dropoutWithMask', { ...options, training: true });
  if (mask.ndim !== x.ndim)
    throw new RangeError(
      `dropoutWithMask: mask must have the rank of x (shape ${formatShape(x.shape)}), got shape ${formatShape(mask.shape)}`,
    );
  resolveNoiseShape(x.shape, mask.shape, 'dropoutWithMask');
  const scale = convention === 'inverted' ? 1 / (1 - rate) : 1;
  const m = alloc(x.dtype, mask.size);
  for (let i = 0; i < m.length; i++) {
    const r = mask.data[i];
    if (r !== 0 && r !== 1)
      throw new RangeError(`dropoutWithMask: mask values must be 0 or 1, got ${describeValue(r)} at index ${i}`);
    m[i] = r === 1 ? scale : 0;
  }
  if (rate === 1 && m.some((v) => v !== 0))
    throw new RangeError('dropoutWithMask: at rate 1 every unit is dropped, but the mask keeps some');
  return applyMultiplier(x, new Tensor(m, mask.shape));
}

/**
 * Gaussian dropout (the paper's §10): multiply by m ~ N(1, σ²) with σ² = rate/(1 − rate), the
 * variance of inverted Bernoulli noise r/keep. At inference the identity.
 */
export function gaussianDropout(
  key: Key | null | undefined,
  x: Tensor,
  options: Omit<DropoutOptions, 'convention'>,
): Tensor {
  checkTensor(x, 'gaussianDropout');
  const { rate, training, noiseShape } = checkOptions('gaussianDropout', options, true);
  const shape = resolveNoiseShape(x.shape, noiseShape, 'gaussianDropout');
  if (training) checkKey(key, 'gaussianDropout', 'key (required in training)');
  else if (key !== undefined && key !== null) checkKey(key, 'gaussianDropout');
  if (rate === 0 || !training) return x;
  return applyMultiplier(x, normal(key as Key, shape, 1, Math.sqrt(rate / (1 - rate)), { dtype: x.dtype }));
}
