// Every refusal of the ops, random draws and kernel settings (src/engine/ops.ts, random.ts,
// wasm/runtime.ts) word for word: the message is the interface a user debugging a call reads.
import { describe, expect, it } from 'vitest';
import * as E from '../../src/index.ts';

const m = E.tensor([
  [1, 2],
  [3, 4],
]);
const refuses = (f: () => unknown, type: typeof TypeError | typeof RangeError, message: string) => {
  expect(f).toThrow(type);
  expect(f).toThrow(message);
  try {
    f();
  } catch (e) {
    expect((e as Error).message).toBe(message); // the whole message, not a part of it
  }
};

describe('refusals, word for word', () => {
  it('pow, reshape, transpose, sumTo', () => {
    refuses(
      () => E.pow(m, '2' as never),
      TypeError,
      'pow: expected the exponent to be a number other than NaN, got "2"',
    );
    refuses(() => E.pow(m, NaN), TypeError, 'pow: expected the exponent to be a number other than NaN, got NaN');
    refuses(() => E.reshape(m, 4 as never), TypeError, 'reshape: expected the shape to be an array, got 4');
    refuses(() => E.reshape(m, [-1, -1]), RangeError, 'reshape: at most one dimension may be -1, got [-1, -1]');
    refuses(() => E.transpose(m, 'x' as never), TypeError, 'transpose: expected perm to be an array of axes, got "x"');
    refuses(
      () => E.sumTo(E.tensor([[1], [2]]), [2, 2]),
      RangeError,
      'sumTo: shape [2, 2] does not broadcast to [2, 1], so [2, 1] cannot be summed down to it',
    );
  });

  it('slice, concat, take', () => {
    refuses(() => E.slice(E.scalar(1), 0, 1), RangeError, 'slice: cannot slice a rank-0 tensor');
    refuses(() => E.concat([]), TypeError, 'concat: expected a non-empty array of tensors, got an array of length 0');
    refuses(() => E.concat('x' as never), TypeError, 'concat: expected a non-empty array of tensors, got "x"');
    refuses(() => E.take(E.scalar(1), [0]), RangeError, 'take: cannot take rows of a rank-0 tensor');
    refuses(() => E.take(m, 'x' as never), TypeError, 'take: expected indices to be an array of integers, got "x"');
    refuses(() => E.take(m, [0, 2]), RangeError, 'take: indices[1] must be an integer in [0, 1], got 2');
    refuses(() => E.take(m, [0.5]), RangeError, 'take: indices[0] must be an integer in [0, 1], got 0.5');
    refuses(() => E.take(m, [-1]), RangeError, 'take: indices[0] must be an integer in [0, 1], got -1');
  });

  it('losses', () => {
    refuses(
      () => E.softmaxCrossEntropy(E.scalar(1), []),
      RangeError,
      'softmaxCrossEntropy: logits must have a class dimension, got a rank-0 tensor',
    );
    refuses(
      () => E.softmaxCrossEntropy(m, [0]),
      RangeError,
      'softmaxCrossEntropy: expected 2 labels for logits of shape [2, 2], got 1',
    );
    refuses(
      () => E.softmaxCrossEntropy(m, [0, 2]),
      RangeError,
      'softmaxCrossEntropy: labels[1] must be an integer in [0, 1], got 2',
    );
    refuses(
      () => E.mse(m, E.tensor([1, 2])),
      RangeError,
      'mse: pred and target must have the same shape, got [2, 2] and [2]',
    );
  });

  it('keys and random draws', () => {
    refuses(
      () => E.split(E.key(1), 2 ** 16 + 1),
      RangeError,
      'split: expected n to be an integer in [0, 2^16] (use foldIn(key, i) for more keys), got 65537',
    );
    refuses(
      () => E.split(E.key(1), -1),
      RangeError,
      'split: expected n to be an integer in [0, 2^16] (use foldIn(key, i) for more keys), got -1',
    );
    refuses(
      () => E.split(E.key(1), 1.5),
      RangeError,
      'split: expected n to be an integer in [0, 2^16] (use foldIn(key, i) for more keys), got 1.5',
    );
    refuses(() => E.foldIn(E.key(1), 0.5), RangeError, 'foldIn: expected data to be a safe integer, got 0.5');
    refuses(
      () => E.normal(E.key(1), [2], 0, -1),
      RangeError,
      'normal: expected a finite mean and std ≥ 0, got mean 0, std -1',
    );
    refuses(
      () => E.normal(E.key(1), [2], Infinity, 1),
      RangeError,
      'normal: expected a finite mean and std ≥ 0, got mean Infinity, std 1',
    );
    refuses(
      () => E.bernoulli(E.key(1), 1.5, [2]),
      RangeError,
      'bernoulli: expected keep, the probability of a 1, in [0, 1], got 1.5',
    );
    refuses(
      () => E.bernoulli(E.key(1), '1' as never, [2]),
      RangeError,
      'bernoulli: expected keep, the probability of a 1, in [0, 1], got "1"',
    );
  });

  it('kernel settings', () => {
    refuses(
      () => E.configureKernels(null as never),
      TypeError,
      'configureKernels: expected options { backend?, threads?, fma? }, got null',
    );
    refuses(
      () => E.configureKernels({ backend: 'gpu' as never }),
      RangeError,
      "configureKernels: backend must be 'wasm' or 'js', got \"gpu\"",
    );
    refuses(
      () => E.configureKernels({ threads: 3 as never }),
      RangeError,
      'configureKernels: threads must be 1 or 2, got 3',
    );
  });

  it('every op names itself and the argument that is not a Tensor', () => {
    const no = 'x' as never;
    const got = (op: string, arg = 'x') => `${op}: expected ${arg} to be a Tensor, got "x"`;
    for (const op of [
      'neg',
      'exp',
      'log',
      'sqrt',
      'square',
      'tanh',
      'sigmoid',
      'relu',
      'abs',
      'sum',
      'max',
      'mean',
      'stopGradient',
      'logSumExp',
      'logSoftmax',
      'softmax',
    ] as const) {
      refuses(() => (E[op] as (x: never) => unknown)(no), TypeError, got(op));
    }
    for (const op of ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'equal', 'greater', 'less'] as const) {
      refuses(() => E[op](no, m), TypeError, got(op, 'a'));
      refuses(() => E[op](m, no), TypeError, got(op, 'b'));
    }
    refuses(() => E.pow(no, 2), TypeError, got('pow'));
    refuses(() => E.reshape(no, [1]), TypeError, got('reshape'));
    refuses(() => E.transpose(no), TypeError, got('transpose'));
    refuses(() => E.broadcastTo(no, [1]), TypeError, got('broadcastTo'));
    refuses(() => E.sumTo(no, [1]), TypeError, got('sumTo'));
    refuses(() => E.matmul(no, m), TypeError, got('matmul', 'a'));
    refuses(() => E.matmul(m, no), TypeError, got('matmul', 'b'));
    refuses(() => E.slice(no, 0, 1), TypeError, got('slice'));
    refuses(() => E.concat([m, no]), TypeError, got('concat', 'xs[1]'));
    refuses(() => E.take(no, [0]), TypeError, got('take'));
    refuses(() => E.softmaxCrossEntropy(no, [0]), TypeError, got('softmaxCrossEntropy', 'logits'));
    refuses(() => E.mse(no, m), TypeError, got('mse', 'pred'));
    refuses(() => E.mse(m, no), TypeError, got('mse', 'target'));
  });

  it('matmul, transpose and take: the shapes, the perm and the indices as they came', () => {
    refuses(
      () => E.matmul(m, E.tensor([1, 2])),
      RangeError,
      'matmul: expected tensors of rank ≥ 2, got shapes [2, 2] and [2]',
    );
    refuses(
      () => E.matmul(E.zeros([2, 3, 5]), E.zeros([2, 4, 2])),
      RangeError,
      'matmul: inner dimensions differ: shapes [2, 3, 5] and [2, 4, 2] (5 vs 4)',
    );
    refuses(
      () => E.transpose(m, [1, 1]),
      RangeError,
      'transpose: perm must be a permutation of 0..1 for shape [2, 2], got [1, 1]',
    );
    refuses(() => E.sumTo(m, [1.5]), RangeError, 'sumTo: expected a shape of non-negative integers, got [1.5]');
    refuses(
      () => E.take(m, {} as never),
      TypeError,
      'take: expected indices to be an array of integers, got an object (Object)',
    );
  });
});
