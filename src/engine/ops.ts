// Every differentiable primitive: its forward kernel, VJP and JVP in one place. Rules are written
// with the public ops themselves, so they are differentiable again (higher-order derivatives).
// One file on purpose (past 400 lines): the rule tables read as one table, one rule a line, and are
// aligned by hand (the formatter leaves this file alone).
import { type Primitive, bind } from './trace.ts';
import { type DType, type Storage, Tensor, alloc, allocLike, checkDType, checkTensor, storageFrom, zerosLike } from './tensor.ts';
import * as K from './kernels.ts';
import { type Shape, broadcastShapes, checkIndices, checkShape, describeValue, formatShape, normAxes, normAxis, sameShape, sizeOf } from './shape.ts';

export type Operand = Tensor | number;
type D = Tensor | number; // a local derivative: a tensor or a constant

// dtypes: a number is weakly typed (it takes the other operand's dtype, as in JAX and NumPy 2), and
// a float32 operand meeting a float64 one is converted to float64 first (exactly), so a mixed op
// computes in float64; astype's derivative converts the cotangent back, so every gradient has its
// primal's dtype.
const asTensor = (v: Operand, op: string, arg: string, dtype: DType): Tensor => {
  if (typeof v === 'number') return new Tensor(alloc(dtype, 1).fill(v), []);
  return checkTensor(v, op, arg);
};
/** Both operands as tensors of one dtype: numbers take the other's dtype, float32 meets float64 as float64. */
function operands(a: Operand, b: Operand, op: string): [Tensor, Tensor] {
  const ta = asTensor(a, op, 'a', typeof b === 'number' ? 'float64' : dtypeOfOperand(b, op, 'b'));
  const tb = asTensor(b, op, 'b', ta.dtype);
  if (ta.dtype === tb.dtype) return [ta, tb];
  return ta.dtype === 'float32' ? [astype(ta, 'float64'), tb] : [ta, astype(tb, 'float64')];
}
const dtypeOfOperand = (v: Operand, op: string, arg: string): DType => checkTensor(v, op, arg).dtype;

/** The same kernel compiled twice, one loop per storage type, so neither sees the other's arrays. */
function perDType<F>(make: () => F): (s: Storage) => F {
  const f64 = make();
  const f32 = make();
  return (s) => (s instanceof Float32Array ? f32 : f64);
}
/** g · d, skipping the multiply when d is ±1. */
const scale = (g: Tensor, d: D): Tensor => (d === 1 ? g : d === -1 ? neg(g) : mul(g, d));

// ---------------------------------------------------------------------------------------------
// Elementwise unary ops: y = f(x) with local derivative f'(x) = d(x, y); VJP is g·d, JVP is t·d.

function unary(name: string, expr: string, d: (x: Tensor, y: Tensor) => D) {
  const kern = perDType(() => K.unaryKernel(expr));
  const prim: Primitive<null> = {
    name,
    fwd: ([x]) => {
      const out = allocLike(x.data, x.size);
      kern(x.data)(x.data, out, 0);
      return new Tensor(out, x.shape);
    },
    vjp: (g, [x], y) => [() => scale(g, d(x, y))],
    jvp: ([t], [x], y) => scale(t, d(x, y)),
  };
  return (x: Tensor) => bind(prim, [checkTensor(x, name)], null);
}

//                                  forward                     local derivative
export const neg     = unary('neg',     '-a',                      () => -1);
export const exp     = unary('exp',     'Math.exp(a)',             (_, y) => y);
export const log     = unary('log',     'Math.log(a)',             (x) => div(1, x));
export const sqrt    = unary('sqrt',    'Math.sqrt(a)',            (_, y) => div(0.5, y));
export const square  = unary('square',  'a * a',                   (x) => mul(x, 2));
export const tanh    = unary('tanh',    'Math.tanh(a)',            (_, y) => sub(1, square(y)));
export const sigmoid = unary('sigmoid', '1 / (1 + Math.exp(-a))',  (_, y) => mul(y, sub(1, y)));
export const relu    = unary('relu',    'a > 0 || a !== a ? a : 0', (x) => step(x)); // NaN passes; derivative 0 at the kink, as in PyTorch and JAX
export const abs     = unary('abs',     'Math.abs(a)',             (x) => sign(x));
// pow carries its exponent as the primitive's parameter
const POW = perDType(() => K.unaryKernel('Math.pow(a, c)'));
const POWP: Primitive<number> = {
  name: 'pow',
  fwd: ([x], c) => {
    const out = allocLike(x.data, x.size);
    POW(x.data)(x.data, out, c);
    return new Tensor(out, x.shape);
  },
  vjp: (g, [x], _, c) => [() => (c === 0 ? mul(g, 0) : mul(g, mul(powc(x, c - 1), c)))],
  jvp: ([t], [x], _, c) => (c === 0 ? mul(t, 0) : mul(t, mul(powc(x, c - 1), c))),
};
const powc = (x: Tensor, c: number) => bind(POWP, [x], c);

/** x to a constant power. */
export function pow(x: Tensor, exponent: number): Tensor {
  if (typeof exponent !== 'number' || Number.isNaN(exponent)) throw new TypeError(`pow: expected the exponent to be a number other than NaN, got ${describeValue(exponent)}`);
  return powc(checkTensor(x, 'pow'), exponent);
}

// Non-differentiable elementwise helpers (masks used inside rules): no tape, derivative zero.
function constant1(expr: string) {
  const kern = perDType(() => K.unaryKernel(expr));
  return (x: Tensor) => {
    const out = allocLike(x.data, x.size);
    kern(x.data)(x.data, out, 0);
    return new Tensor(out, x.shape);
  };
}
const step = constant1('+(a > 0)'); // a comparison, not a branch: random signs would mispredict half the time
const sign = constant1('a > 0 ? 1 : a < 0 ? -1 : 0');

// ---------------------------------------------------------------------------------------------
// Elementwise binary ops with NumPy broadcasting: z = f(a, b), partials da, db.
// VJP: (g·da, g·db), each summed back to its input's shape. JVP: ta·da + tb·db.

/** The elementwise kernel of a binary op over operands of one dtype (operands() sees to that), broadcast. */
function broadcastKernel(name: string, expr: string) {
  const kern = perDType(() => K.binaryKernel(expr));
  return (a: Tensor, b: Tensor): Tensor => {
    if (sameShape(a.shape, b.shape)) {
      const out = allocLike(a.data, a.data.length);
      kern(out)(a.data, b.data, out, ZERO, ZERO, out.length, 1, 1);
      return new Tensor(out, a.shape);
    }
    const shape = broadcastShapes(a.shape, b.shape, name);
    const out = allocLike(a.data, sizeOf(shape));
    const p = K.broadcastPlan(a.shape, b.shape, shape);
    kern(out)(a.data, b.data, out, p.offA, p.offB, p.inner, p.sa, p.sb);
    return new Tensor(out, shape);
  };
}
const ZERO = new Int32Array(1);

function binary(name: string, expr: string, da: (a: Tensor, b: Tensor, y: Tensor) => D, db: (a: Tensor, b: Tensor, y: Tensor) => D) {
  const k = broadcastKernel(name, expr);
  const prim: Primitive<null> = {
    name,
    fwd: ([a, b]) => k(a, b),
    vjp: (g, [a, b], y) => [() => reduceTo(scale(g, da(a, b, y)), a.shape), () => reduceTo(scale(g, db(a, b, y)), b.shape)],
    jvp: ([ta, tb], [a, b], y) => broadcastTo(add(scale(ta, da(a, b, y)), scale(tb, db(a, b, y))), y.shape),
  };
  return (a: Operand, b: Operand) => bind(prim, operands(a, b, name), null);
}

//                                   forward              ∂/∂a                  ∂/∂b
export const add      = binary('add',      'a + b',           () => 1,              () => 1);
export const sub      = binary('sub',      'a - b',           () => 1,              () => -1);
export const mul      = binary('mul',      'a * b',           (_, b) => b,          (a) => a);
export const div      = binary('div',      'a / b',           (_, b) => div(1, b),  (_, b, y) => neg(div(y, b)));
export const maximum  = binary('maximum',  'Math.max(a, b)',  (a, b) => winA(a, b), (a, b) => winA(b, a));
export const minimum  = binary('minimum',  'Math.min(a, b)',  (a, b) => winA(b, a), (a, b) => winA(a, b));

// Ties split the gradient evenly, which is what a central finite difference sees.
const winA = broadcastKernel('maximum', 'a > b ? 1 : a === b ? 0.5 : 0');

function comparison(name: string, expr: string) {
  const k = broadcastKernel(name, expr);
  return (a: Operand, b: Operand) => k(...operands(a, b, name));
}
/** 1 where the comparison holds, else 0; not differentiable (a constant to every transformation). */
export const equal = comparison('equal', 'a === b ? 1 : 0');
export const greater = comparison('greater', 'a > b ? 1 : 0');
export const less = comparison('less', 'a < b ? 1 : 0');

// ---------------------------------------------------------------------------------------------
// Shape ops.

const RESHAPE: Primitive<Shape> = {
  name: 'reshape',
  fwd: ([x], shape) => new Tensor(x.data, shape),
  vjp: (g, [x]) => [() => reshape(g, x.shape)],
  jvp: ([t], _, __, shape) => reshape(t, shape),
};
/** Same data, new shape; one dimension may be -1 (inferred). */
export function reshape(x: Tensor, shape: Shape): Tensor {
  checkTensor(x, 'reshape');
  if (!Array.isArray(shape)) throw new TypeError(`reshape: expected the shape to be an array, got ${describeValue(shape)}`);
  const known = shape.filter((d) => d !== -1);
  const free = shape.length - known.length;
  checkShape(known, 'reshape');
  if (free > 1) throw new RangeError(`reshape: at most one dimension may be -1, got ${formatShape(shape)}`);
  const rest = sizeOf(known);
  const fill = free ? (rest === 0 ? 0 : x.size / rest) : 0;
  const s = shape.map((d) => (d === -1 ? fill : d));
  if (!Number.isInteger(fill) || sizeOf(s) !== x.size) throw new RangeError(`reshape: cannot reshape ${formatShape(x.shape)} (${x.size} elements) to ${formatShape(shape)}`);
  return sameShape(s, x.shape) ? x : bind(RESHAPE, [x], s);
}

const TRANSPOSE: Primitive<number[]> = {
  name: 'transpose',
  fwd: ([x], perm) => new Tensor(K.transposeKernel(x.data, x.shape, perm), perm.map((p) => x.shape[p])),
  vjp: (g, _, __, perm) => [() => transpose(g, inversePerm(perm))],
  jvp: ([t], _, __, perm) => transpose(t, perm),
};
const inversePerm = (perm: number[]) => perm.map((_, i) => perm.indexOf(i));
/** Permutes axes; by default reverses them (a matrix transpose for rank 2). */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  checkTensor(x, 'transpose');
  if (perm !== undefined && !Array.isArray(perm)) throw new TypeError(`transpose: expected perm to be an array of axes, got ${describeValue(perm)}`);
  const p = perm === undefined ? x.shape.map((_, i) => x.ndim - 1 - i) : [...perm];
  if (p.length !== x.ndim || [...p].sort((a, b) => a - b).some((v, i) => v !== i)) {
    throw new RangeError(`transpose: perm must be a permutation of 0..${x.ndim - 1} for shape ${formatShape(x.shape)}, got [${p.join(', ')}]`);
  }
  return p.every((v, i) => v === i) ? x : bind(TRANSPOSE, [x], p);
}

const BROADCAST: Primitive<Shape> = {
  name: 'broadcastTo',
  fwd: ([x], shape) => new Tensor(K.broadcastCopy(x.data, x.shape, shape), shape),
  vjp: (g, [x]) => [() => sumTo(g, x.shape)],
  jvp: ([t], _, __, shape) => broadcastTo(t, shape),
};
/**
 * x broadcast to `shape` by NumPy's rules (differentiable: its VJP sums back over the broadcast axes).
 * Throws a RangeError naming both shapes when x cannot be broadcast to shape.
 */
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  checkTensor(x, 'broadcastTo');
  checkShape(shape, 'broadcastTo');
  const s = broadcastShapes(x.shape, shape, 'broadcastTo');
  if (!sameShape(s, shape)) throw new RangeError(`broadcastTo: shape ${formatShape(x.shape)} cannot be broadcast to ${formatShape(shape)}`);
  return sameShape(x.shape, shape) ? x : bind(BROADCAST, [x], [...shape]);
}

/** sumTo for the derivative rules, whose shapes are right by construction: no argument checks when nothing is to be summed. */
const reduceTo = (x: Tensor, shape: Shape): Tensor => (sameShape(x.shape, shape) ? x : sumTo(x, shape));

/** Sums x down to `shape` (the inverse of broadcasting): how gradients return to a broadcast input. */
export function sumTo(x: Tensor, shape: Shape): Tensor {
  checkTensor(x, 'sumTo');
  checkShape(shape, 'sumTo');
  if (sameShape(x.shape, shape)) return x;
  if (shape.length > x.ndim || !sameShape(broadcastShapes(shape, x.shape, 'sumTo'), x.shape)) {
    throw new RangeError(`sumTo: shape ${formatShape(shape)} does not broadcast to ${formatShape(x.shape)}, so ${formatShape(x.shape)} cannot be summed down to it`);
  }
  const lead = x.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < x.ndim; i++) if (i < lead || (shape[i - lead] === 1 && x.shape[i] !== 1)) axes.push(i);
  return reshape(sum(x, axes, true), shape);
}

// ---------------------------------------------------------------------------------------------
// Reductions.

interface ReduceP {
  axes: number[];
  keepdims: boolean;
}
const keptShape = (shape: Shape, axes: number[]) => shape.map((d, i) => (axes.includes(i) ? 1 : d));
const outShape = (shape: Shape, { axes, keepdims }: ReduceP) => (keepdims ? keptShape(shape, axes) : shape.filter((_, i) => !axes.includes(i)));

function reduceFwd(x: Tensor, p: ReduceP, kind: 'sum' | 'max'): Tensor {
  if (x.ndim === 1 && p.axes.length === 1 && kind === 'sum') {
    // a vector's sum, left to right: what reduceAxis does, without its bookkeeping
    let s = 0; // float64 accumulation for either dtype, rounded once when stored (as below)
    for (let i = 0, d = x.data; i < d.length; i++) s += d[i];
    return new Tensor(alloc(x.dtype, 1).fill(s), p.keepdims ? [1] : []);
  }
  if (p.axes.length === 0) return new Tensor(x.data.slice(), outShape(x.shape, p));
  // every axis reduced in float64, the result rounded once for float32
  let data: Storage = x.data;
  let shape = [...x.shape];
  for (let i = p.axes.length - 1; i >= 0; i--) {
    data = K.reduceAxis(data, shape, p.axes[i], kind);
    shape[p.axes[i]] = 1;
  }
  return new Tensor(x.dtype === 'float32' ? new Float32Array(data) : data, outShape(x.shape, p));
}
/** g of a reduction, broadcast back over the reduced axes (a one-element g broadcasts as it is). */
const unreduce = (g: Tensor, x: Tensor, axes: number[]) => broadcastTo(g.size === 1 ? g : reshape(g, keptShape(x.shape, axes)), x.shape);

const SUM: Primitive<ReduceP> = {
  name: 'sum',
  fwd: ([x], p) => reduceFwd(x, p, 'sum'),
  vjp: (g, [x], _, p) => [() => unreduce(g, x, p.axes)],
  jvp: ([t], _, __, p) => bind(SUM, [t], p),
};
// The gradient of max goes to the maximal elements, split evenly among ties.
const maxWeights = (x: Tensor, y: Tensor, axes: number[]) => {
  const hit = equal(x, new Tensor(y.data, keptShape(x.shape, axes)));
  return div(hit, reduceFwd(hit, { axes, keepdims: true }, 'sum'));
};
const MAX: Primitive<ReduceP> = {
  name: 'max',
  fwd: ([x], p) => reduceFwd(x, p, 'max'),
  vjp: (g, [x], y, p) => [() => mul(unreduce(g, x, p.axes), maxWeights(x, y, p.axes))],
  jvp: ([t], [x], y, p) => sum(mul(t, maxWeights(x, y, p.axes)), p.axes, p.keepdims),
};

function reduction(prim: Primitive<ReduceP>) {
  return (x: Tensor, axes?: number | readonly number[], keepdims = false) => {
    checkTensor(x, prim.name);
    const ax = normAxes(axes, x.ndim, prim.name);
    if (prim === MAX) for (const a of ax) if (x.shape[a] === 0) throw new RangeError(`max: cannot reduce over axis ${a} of length 0 (shape ${formatShape(x.shape)})`);
    return bind(prim, [x], { axes: ax, keepdims: !!keepdims });
  };
}
export const sum = reduction(SUM);
export const max = reduction(MAX);

/**
 * The mean over `axes` (all axes when omitted; negative axes count from the end), keeping them as
 * size 1 when `keepdims`. Throws for an axis out of range or repeated.
 */
export function mean(x: Tensor, axes?: number | readonly number[], keepdims = false): Tensor {
  checkTensor(x, 'mean');
  const ax = normAxes(axes, x.ndim, 'mean');
  const n = ax.reduce((acc, a) => acc * x.shape[a], 1);
  return div(sum(x, ax, keepdims), n);
}

const STOP: Primitive<null> = {
  name: 'stopGradient',
  fwd: ([x]) => new Tensor(x.data, x.shape),
  vjp: () => [null],
  jvp: (_, [x]) => zerosLike(x),
};
/** The identity, with derivative zero. */
export const stopGradient = (x: Tensor) => bind(STOP, [checkTensor(x, 'stopGradient')], null);

const ASTYPE: Primitive<DType> = {
  name: 'astype',
  fwd: ([x], dtype) => new Tensor(storageFrom(dtype, x.data), x.shape),
  vjp: (g, [x]) => [() => astype(g, x.dtype)], // a gradient has its primal's dtype
  jvp: ([t], _, __, dtype) => astype(t, dtype),
};
/**
 * x converted to `dtype` ('float64' or 'float32'): to float32 each value is rounded to the nearest
 * float32; to float64 exactly. The derivative converts back. x itself when it already has the dtype.
 *
 * @example astype(tensor([0.1]), 'float32').data[0] === Math.fround(0.1)
 */
export function astype(x: Tensor, dtype: DType): Tensor {
  checkTensor(x, 'astype');
  checkDType(dtype, 'astype');
  return x.dtype === dtype ? x : bind(ASTYPE, [x], dtype);
}

// ---------------------------------------------------------------------------------------------
// Matrix product, batched over leading dimensions (broadcast). The primitive carries transpose
// flags so that the backward pass never materialises a transposed matrix.

interface MatmulP {
  ta: boolean;
  tb: boolean;
}
const MATMUL: Primitive<MatmulP> = {
  name: 'matmul',
  fwd: ([a, b], { ta, tb }) => matmulKernel(a, b, ta, tb),
  // y = op(a)·op(b): da = g·op(b)ᵀ, or its transpose op(b)·gᵀ if a was; db = op(a)ᵀ·g, or gᵀ·op(a); no transpose materialized
  vjp: (g, [a, b], _, { ta, tb }) => {
    const mm = (x: Tensor, y: Tensor, tx: boolean, ty: boolean) => bind(MATMUL, [x, y], { ta: tx, tb: ty });
    return [
      () => sumTo(ta ? mm(b, g, tb, true) : mm(g, b, false, !tb), a.shape),
      () => sumTo(tb ? mm(g, a, true, ta) : mm(a, g, !ta, false), b.shape),
    ];
  },
  jvp: ([ta_, tb_], [a, b], _, p) => add(bind(MATMUL, [ta_, b], p), bind(MATMUL, [a, tb_], p)),
};

function matmulKernel(a: Tensor, b: Tensor, ta: boolean, tb: boolean): Tensor {
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const [m, k] = ta ? [ac, ar] : [ar, ac];
  const n = tb ? br : bc;
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const batch = broadcastShapes(batchA, batchB, 'matmul');
  const out = allocLike(a.data, sizeOf(batch) * m * n);
  // batch offsets via a broadcast plan over the batch shapes with a unit inner dimension
  const plan = K.broadcastPlan([...batchA, 1], [...batchB, 1], [...batch, 1]);
  for (let r = 0; r < plan.offA.length; r++) {
    K.gemm(ta, tb, m, n, k, a.data, plan.offA[r] * ar * ac, b.data, plan.offB[r] * br * bc, out, r * m * n, true);
  }
  return new Tensor(out, [...batch, m, n]);
}

/** Matrix product of the last two dimensions, broadcast over the leading ones. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkTensor(a, 'matmul', 'a');
  checkTensor(b, 'matmul', 'b');
  [a, b] = operands(a, b, 'matmul');
  if (a.ndim < 2 || b.ndim < 2) throw new RangeError(`matmul: expected tensors of rank ≥ 2, got shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  if (a.shape[a.ndim - 1] !== b.shape[b.ndim - 2]) {
    throw new RangeError(`matmul: inner dimensions differ: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} (${a.shape[a.ndim - 1]} vs ${b.shape[b.ndim - 2]})`);
  }
  let batch: Shape;
  try {
    batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), 'matmul');
  } catch {
    throw new RangeError(`matmul: batch dimensions of shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} cannot be broadcast together`);
  }
  checkShape([...batch, a.shape[a.ndim - 2], b.shape[b.ndim - 1]], `matmul of ${formatShape(a.shape)} and ${formatShape(b.shape)}: the result`);
  return bind(MATMUL, [a, b], { ta: false, tb: false });
}

// ---------------------------------------------------------------------------------------------
// Slicing, concatenation and row gathering. Each pair is the other's transpose.

interface SliceP {
  axis: number;
  start: number;
  len: number;
  full: number; // length of the axis in the larger tensor
}
const blocks = (shape: Shape, axis: number) => ({ outer: sizeOf(shape.slice(0, axis)), inner: sizeOf(shape.slice(axis + 1)) });
const withDim = (shape: Shape, axis: number, n: number) => shape.map((d, i) => (i === axis ? n : d));

const SLICE: Primitive<SliceP> = {
  name: 'slice',
  fwd: ([x], { axis, start, len, full }) => {
    const shape = withDim(x.shape, axis, len);
    const out = allocLike(x.data, sizeOf(shape));
    const { outer, inner } = blocks(x.shape, axis);
    K.copyAxisBlock(x.data, full, start, out, len, 0, len, outer, inner);
    return new Tensor(out, shape);
  },
  vjp: (g, _, __, p) => [() => bind(UNSLICE, [g], p)],
  jvp: ([t], _, __, p) => bind(SLICE, [t], p),
};
const UNSLICE: Primitive<SliceP> = {
  name: 'unslice',
  fwd: ([g], { axis, start, len, full }) => {
    const shape = withDim(g.shape, axis, full);
    const out = allocLike(g.data, sizeOf(shape));
    const { outer, inner } = blocks(g.shape, axis);
    K.copyAxisBlock(g.data, len, 0, out, full, start, len, outer, inner);
    return new Tensor(out, shape);
  },
  vjp: (g, _, __, p) => [() => bind(SLICE, [g], p)],
  jvp: ([t], _, __, p) => bind(UNSLICE, [t], p),
};

/** Elements start ≤ i < end along `axis` (default 0: rows). */
export function slice(x: Tensor, start: number, end: number, axis = 0): Tensor {
  checkTensor(x, 'slice');
  if (x.ndim === 0) throw new RangeError('slice: cannot slice a rank-0 tensor');
  const ax = normAxis(axis, x.ndim, 'slice');
  const n = x.shape[ax];
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > n || start > end) {
    throw new RangeError(`slice: expected integers 0 ≤ start ≤ end ≤ ${n} along axis ${ax} of shape ${formatShape(x.shape)}, got start ${describeValue(start)}, end ${describeValue(end)}`);
  }
  return bind(SLICE, [x], { axis: ax, start, len: end - start, full: n });
}

const CONCAT: Primitive<number> = {
  name: 'concat',
  fwd: (xs, axis) => {
    const full = xs.reduce((s, x) => s + x.shape[axis], 0);
    const shape = withDim(xs[0].shape, axis, full);
    const out = allocLike(xs[0].data, sizeOf(shape));
    const { outer, inner } = blocks(shape, axis);
    let off = 0;
    for (const x of xs) {
      K.copyAxisBlock(x.data, x.shape[axis], 0, out, full, off, x.shape[axis], outer, inner);
      off += x.shape[axis];
    }
    return new Tensor(out, shape);
  },
  vjp: (g, xs, _, axis) => {
    let off = 0;
    return xs.map((x) => {
      const start = off;
      off += x.shape[axis];
      return () => bind(SLICE, [g], { axis, start, len: x.shape[axis], full: g.shape[axis] });
    });
  },
  jvp: (ts, _, __, axis) => bind(CONCAT, ts, axis),
};
/** Joins tensors along an existing axis; all other dimensions must agree. */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(xs) || xs.length === 0) throw new TypeError(`concat: expected a non-empty array of tensors, got ${describeValue(xs)}`);
  xs.forEach((x, i) => checkTensor(x, 'concat', `xs[${i}]`));
  if (xs.some((x) => x.dtype === 'float64') && xs.some((x) => x.dtype === 'float32')) xs = xs.map((x) => astype(x, 'float64'));
  const ax = normAxis(axis, xs[0].ndim, 'concat');
  for (const x of xs) {
    if (x.ndim !== xs[0].ndim || x.shape.some((d: number, i: number) => i !== ax && d !== xs[0].shape[i])) {
      throw new RangeError(`concat: shapes ${formatShape(xs[0].shape)} and ${formatShape(x.shape)} differ outside axis ${ax}`);
    }
  }
  return bind(CONCAT, [...xs], ax);
}

interface TakeP {
  idx: Int32Array;
  rows: number;
}
const TAKE: Primitive<TakeP> = {
  name: 'take',
  fwd: ([x], { idx }) => {
    const inner = sizeOf(x.shape.slice(1));
    const out = allocLike(x.data, idx.length * inner);
    for (let r = 0; r < idx.length; r++) for (let i = 0, s = idx[r] * inner; i < inner; i++) out[r * inner + i] = x.data[s + i];
    return new Tensor(out, [idx.length, ...x.shape.slice(1)]);
  },
  vjp: (g, _, __, p) => [() => bind(SCATTER, [g], p)],
  jvp: ([t], _, __, p) => bind(TAKE, [t], p),
};
const SCATTER: Primitive<TakeP> = {
  name: 'scatterAdd',
  fwd: ([g], { idx, rows }) => {
    const inner = sizeOf(g.shape.slice(1));
    const out = new Float64Array(rows * inner); // float64 sums for either dtype, rounded once (as reductions)
    for (let r = 0; r < idx.length; r++) {
      const o = idx[r] * inner;
      for (let i = 0; i < inner; i++) out[o + i] += g.data[r * inner + i];
    }
    return new Tensor(g.dtype === 'float32' ? new Float32Array(out) : out, [rows, ...g.shape.slice(1)]);
  },
  vjp: (g, _, __, p) => [() => bind(TAKE, [g], p)],
  jvp: ([t], _, __, p) => bind(SCATTER, [t], p),
};
/** Rows of x (axis 0) at the given indices, repeats allowed. */
export function take(x: Tensor, indices: ArrayLike<number>): Tensor {
  checkTensor(x, 'take');
  if (x.ndim === 0) throw new RangeError('take: cannot take rows of a rank-0 tensor');
  const rows = x.shape[0];
  const idx = checkIndices(indices, rows, 'take', 'indices');
  checkShape([idx.length, ...x.shape.slice(1)], 'take: the result');
  return bind(TAKE, [x], { idx, rows });
}


// ---------------------------------------------------------------------------------------------
// Composite ops (built from the primitives above, so their derivatives come for free).

/** log Σ exp(x) over axes, stable for large magnitudes: the maximum is factored out first. */
export function logSumExp(x: Tensor, axes?: number | readonly number[], keepdims = false): Tensor {
  checkTensor(x, 'logSumExp');
  const ax = normAxes(axes, x.ndim, 'logSumExp');
  const m = constantMax(x, ax);
  const lse = add(log(sum(exp(sub(x, m)), ax, true)), m);
  return keepdims ? lse : reshape(lse, outShape(x.shape, { axes: ax, keepdims: false }));
}
// The shift only needs to be finite; its derivative cancels exactly, so it is a constant.
function constantMax(x: Tensor, axes: number[]): Tensor {
  const m = reduceFwd(x, { axes, keepdims: true }, 'max');
  for (let i = 0; i < m.data.length; i++) if (!Number.isFinite(m.data[i])) m.data[i] = 0;
  return m;
}

/** log softmax along `axis` (default the last), computed as x − logsumexp(x) so large logits do not overflow. Throws for an axis out of range. */
export const logSoftmax = (x: Tensor, axis = -1): Tensor => sub(x, logSumExp(checkTensor(x, 'logSoftmax'), axis, true));
/** softmax along `axis` (default the last): exp of logSoftmax, so rows sum to 1 without overflow. Throws for an axis out of range. */
export const softmax = (x: Tensor, axis = -1): Tensor => exp(logSoftmax(checkTensor(x, 'softmax'), axis));
