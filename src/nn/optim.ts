// SGD with momentum, L2 weight decay and the paper's max-norm constraint. Updates return new
// parameter trees; nothing given is modified, unless the caller donates its buffers (JAX's
// donate_argnums): then the new parameters and state are written over the old ones, which saves
// allocating (and page-faulting in) two arrays the size of the network on every step.
import { type Storage, Tensor, type Tree, describeValue, flatten, zerosLike } from '../engine/index.ts';
import { columnScales, wasmSgd } from '../engine/wasm/runtime.ts';

export interface SGDOptions {
  lr: number;
  /** v ← momentum·v + g; p ← p − lr·v. Default 0. */
  momentum?: number;
  /** Adds weightDecay·W to the gradient of every weight matrix (rank ≥ 2); biases are not decayed. Default 0. */
  weightDecay?: number;
  /**
   * After each update, each unit's incoming weight vector (a column of a [in, out] matrix) is
   * projected onto the ball of this radius: one radius for every matrix, or one per rank-2
   * parameter in tree order (e.g. keep·c per layer for the paper's c on inverted-dropout weights).
   */
  maxNorm?: number | readonly number[];
}

export interface Optimizer<P extends Tree> {
  /** The optimizer's initial state for these parameters (zero velocity, in each parameter's dtype). */
  init(params: P): P;
  /**
   * One update. With `{ donate: true }` the caller hands over `params` and `state`: their storage is
   * reused for the result, so they must not be read afterwards (nor share storage with tensors that
   * are). Same numbers either way.
   */
  step(params: P, grads: P, state: P, options?: { donate?: boolean }): { params: P; state: P };
}

/**
 * Stochastic gradient descent with momentum, L2 weight decay on weight matrices and the max-norm
 * constraint. Returns an optimizer whose `init(params)` gives the zero velocity and whose
 * `step(params, grads, state)` returns new parameters and state (the inputs are untouched unless
 * donated). Throws a RangeError naming the option when lr, momentum, weightDecay or maxNorm is out
 * of range. Example: `const opt = sgd({ lr: 0.05, momentum: 0.9, maxNorm: [1.6, 1, 1] })`.
 */
export function sgd<P extends Tree>(options: SGDOptions): Optimizer<P> {
  if (options === null || typeof options !== 'object')
    throw new TypeError(
      `sgd: expected options { lr, momentum?, weightDecay?, maxNorm? }, got ${describeValue(options)}`,
    );
  const { lr, momentum = 0, weightDecay = 0, maxNorm } = options;
  const bad = (name: string, v: unknown, ok: boolean, want: string) => {
    if (!ok) throw new RangeError(`sgd: ${name} must be ${want}, got ${describeValue(v)}`);
  };
  bad('lr', lr, Number.isFinite(lr) && lr >= 0, 'a finite number ≥ 0');
  bad('momentum', momentum, Number.isFinite(momentum) && momentum >= 0 && momentum < 1, 'in [0, 1)');
  bad('weightDecay', weightDecay, Number.isFinite(weightDecay) && weightDecay >= 0, 'a finite number ≥ 0');
  const radii = maxNorm === undefined ? undefined : Array.isArray(maxNorm) ? [...maxNorm] : [maxNorm as number];
  if (radii) {
    bad('maxNorm', maxNorm, radii.length > 0, 'a number or a non-empty array of numbers');
    radii.forEach((c, i) =>
      bad(
        Array.isArray(maxNorm) ? `maxNorm[${i}]` : 'maxNorm',
        c,
        typeof c === 'number' && Number.isFinite(c) && c > 0,
        'a finite number > 0',
      ),
    );
  }
  return {
    init: (params) => {
      const f = flatten(params, 'params');
      return f.rebuild(f.leaves.map((p) => zerosLike(p))) as P; // the velocity has its parameter's dtype
    },
    step(params, grads, state, { donate = false } = {}) {
      const fp = flatten(params, 'params');
      const gs = flatten(grads, 'grads').leaves;
      const vs = flatten(state, 'state').leaves;
      if (gs.length !== fp.leaves.length || vs.length !== fp.leaves.length)
        throw new RangeError('sgd.step: params, grads and state must have the same structure');
      const newP: Tensor[] = [];
      const newV: Tensor[] = [];
      const matrices = fp.leaves.filter((p) => p.ndim === 2).length;
      if (radii && radii.length > 1 && radii.length !== matrices)
        throw new RangeError(
          `sgd.step: maxNorm gives ${radii.length} radii, but the parameters hold ${matrices} rank-2 weight matrices`,
        );
      let matrix = 0;
      fp.leaves.forEach((p, i) => {
        const g = gs[i].data,
          v0 = vs[i].data,
          w = p.data;
        const same = (t: Tensor) => t.ndim === p.ndim && t.shape.every((d, j) => d === p.shape[j]);
        if (!same(gs[i]) || !same(vs[i]))
          throw new RangeError(
            `sgd.step: gradient and state ${i} must have their parameter's shape [${p.shape.join(', ')}], got [${gs[i].shape.join(', ')}] and [${vs[i].shape.join(', ')}]`,
          );
        if (gs[i].dtype !== p.dtype || vs[i].dtype !== p.dtype)
          throw new TypeError(
            `sgd.step: gradient and state ${i} must have their parameter's dtype ${p.dtype}, got ${gs[i].dtype} and ${vs[i].dtype}`,
          );
        const decay = p.ndim >= 2 ? weightDecay : 0;
        const f32 = w instanceof Float32Array;
        const v = donate ? v0 : f32 ? new Float32Array(p.size) : new Float64Array(p.size);
        const out = donate ? w : f32 ? new Float32Array(p.size) : new Float64Array(p.size);
        const bound =
          radii && p.ndim === 2
            ? { rows: p.shape[0], cols: p.shape[1], c: radii[radii.length > 1 ? matrix : 0] }
            : undefined;
        // WebAssembly SIMD for large parameters (same bits as the JS loops), else the JS loops
        if (!wasmSgd(w, g, v0, out, v, lr, momentum, decay, bound)) {
          (f32 ? sgd32 : sgd64)(w, g, v0, out, v, lr, momentum, decay);
          if (bound) projectColumns(out, bound.rows, bound.cols, bound.c);
        }
        if (p.ndim === 2) matrix++;
        newP.push(new Tensor(out, p.shape));
        newV.push(new Tensor(v, p.shape));
      });
      return { params: fp.rebuild(newP) as P, state: fp.rebuild(newV) as P };
    },
  };
}

type SGDKernel = (
  w: Storage,
  g: Storage,
  v0: Storage,
  out: Storage,
  v: Storage,
  lr: number,
  momentum: number,
  decay: number,
) => void;
/**
 * v = momentum·v0 + g + decay·w, out = w − lr·v (out may be w and v may be v0), computed in float64
 * and stored in the parameter's dtype. Compiled once per dtype so each loop stays monomorphic.
 */
const sgdKernel = (): SGDKernel =>
  new Function(
    'w',
    'g',
    'v0',
    'out',
    'v',
    'lr',
    'momentum',
    'decay',
    `for (let j = 0, n = w.length; j < n; j++) {
       const vj = momentum * v0[j] + g[j] + decay * w[j];
       v[j] = vj;
       out[j] = w[j] - lr * vj;
     }`,
  ) as SGDKernel;
const sgd64 = sgdKernel();
const sgd32 = sgdKernel();

/**
 * Scales every column of a row-major [rows, cols] matrix whose L2 norm exceeds c back to norm c, in
 * place. Walks rows, not columns (a column walk strides a whole row per element): each column's sum
 * still adds its rows in order, so the bits are those of the column walk.
 */
function projectColumns(w: Storage, rows: number, cols: number, c: number) {
  const s = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0, r = i * cols; j < cols; j++) s[j] += w[r + j] ** 2;
  if (columnScales(s, c))
    for (let i = 0; i < rows; i++) for (let j = 0, r = i * cols; j < cols; j++) if (s[j] !== 1) w[r + j] *= s[j];
}

/** The max-norm projection as a function: a copy of W [in, out] with each column's norm at most c. */
export function maxNormProject(W: Tensor, c: number): Tensor {
  if (!(W instanceof Tensor) || W.ndim !== 2)
    throw new TypeError('maxNormProject: expected W to be a rank-2 Tensor [in, out]');
  if (!(Number.isFinite(c) && c > 0))
    throw new RangeError(`maxNormProject: c must be a finite number > 0, got ${describeValue(c)}`);
  const out = W.data.slice();
  projectColumns(out, W.shape[0], W.shape[1], c);
  return new Tensor(out, W.shape);
}
