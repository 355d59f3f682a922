// Every op of src/engine/ops.ts leaves its inputs as they were, and results that share storage with
// an input stay correct after further ops.
import { describe, expect, it } from 'vitest';
import {
  type Tensor,
  abs,
  add,
  broadcastTo,
  concat,
  div,
  equal,
  exp,
  greater,
  less,
  log,
  logSoftmax,
  logSumExp,
  matmul,
  max,
  maximum,
  mean,
  minimum,
  mse,
  mul,
  neg,
  pow,
  relu,
  reshape,
  sigmoid,
  slice,
  softmax,
  softmaxCrossEntropy,
  sqrt,
  square,
  stopGradient,
  sub,
  sum,
  sumTo,
  take,
  tanh,
  tensor,
  transpose,
} from '../../src/index.ts';

/** A snapshot of a tensor's data and shape, to check that an op did not mutate it. */
const snap = (x: Tensor) => ({ data: Float64Array.from(x.data), shape: [...x.shape] });

describe('ops never mutate their inputs', () => {
  const mk = () => ({
    a: tensor([
      [1.5, -2, 3],
      [0.25, 5, -6],
    ]),
    b: tensor([[2, -1, 0.5]]),
    pos: tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]),
    m: tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]),
    logits: tensor([
      [1000, 0, -1000],
      [1, 2, 3],
    ]),
  });
  type In = ReturnType<typeof mk>;
  const cases: [string, (t: In) => unknown][] = [
    ['add', (t) => add(t.a, t.b)],
    ['sub', (t) => sub(t.a, t.b)],
    ['mul', (t) => mul(t.a, t.b)],
    ['div', (t) => div(t.a, t.b)],
    ['maximum', (t) => maximum(t.a, t.b)],
    ['minimum', (t) => minimum(t.a, t.b)],
    ['equal', (t) => equal(t.a, t.b)],
    ['greater', (t) => greater(t.a, t.b)],
    ['less', (t) => less(t.a, t.b)],
    ['neg', (t) => neg(t.a)],
    ['exp', (t) => exp(t.a)],
    ['log', (t) => log(t.pos)],
    ['sqrt', (t) => sqrt(t.pos)],
    ['square', (t) => square(t.a)],
    ['pow', (t) => pow(t.pos, 1.5)],
    ['tanh', (t) => tanh(t.a)],
    ['sigmoid', (t) => sigmoid(t.a)],
    ['relu', (t) => relu(t.a)],
    ['abs', (t) => abs(t.a)],
    ['matmul', (t) => matmul(t.a, t.m)],
    ['transpose', (t) => transpose(t.a)],
    ['reshape', (t) => reshape(t.a, [3, -1])],
    ['broadcastTo', (t) => broadcastTo(t.b, [4, 2, 3])],
    ['sumTo', (t) => sumTo(t.a, [1, 3])],
    ['sum', (t) => sum(t.a, 1)],
    ['mean', (t) => mean(t.a, [0, 1], true)],
    ['max', (t) => max(t.a, 0)],
    ['logSumExp', (t) => logSumExp(t.logits, -1)],
    ['logSumExp (all axes)', (t) => logSumExp(t.logits)],
    ['softmax', (t) => softmax(t.logits)],
    ['logSoftmax', (t) => logSoftmax(t.logits, 0)],
    ['softmaxCrossEntropy', (t) => softmaxCrossEntropy(t.logits, [1, 2])],
    ['mse', (t) => mse(t.a, t.pos)],
    ['concat', (t) => concat([t.a, t.b, t.pos])],
    ['slice', (t) => slice(t.a, 1, 3, 1)],
    ['take', (t) => take(t.m, [2, 2, 0])],
    ['stopGradient', (t) => stopGradient(t.a)],
  ];

  it.each(cases)('%s', (_, run) => {
    const t = mk();
    const before = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, snap(v)]));
    run(t);
    for (const [k, v] of Object.entries(t)) expect(snap(v), k).toEqual(before[k]);
  });

  it('composite results that share storage with their input stay correct after further ops', () => {
    const x = tensor([1, 2, 3, 4]);
    const r = reshape(x, [2, 2]);
    const s = stopGradient(x);
    add(r, 1);
    exp(s);
    softmax(r);
    expect(Array.from(x.data)).toEqual([1, 2, 3, 4]);
  });
});
