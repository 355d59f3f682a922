// Losses, built from the engine's ops (so their derivatives come for free): softmax cross-entropy
// with integer labels, and mean squared error.
import { type Tensor, logSoftmax, mean, reshape, square, sub, take } from '../engine/index.ts';
import { checkIndices, formatShape, sameShape } from '../engine/shape.ts';
import { checkTensor } from '../engine/tensor.ts';

/** Mean over the batch of −log softmax(logits)[label]; logits [..., classes], one integer label per row. */
export function softmaxCrossEntropy(logits: Tensor, labels: ArrayLike<number>): Tensor {
  checkTensor(logits, 'softmaxCrossEntropy', 'logits');
  if (logits.ndim < 1)
    throw new RangeError('softmaxCrossEntropy: logits must have a class dimension, got a rank-0 tensor');
  const classes = logits.shape[logits.ndim - 1];
  const rows = logits.size / Math.max(classes, 1);
  const idx = checkIndices(labels, classes, 'softmaxCrossEntropy', 'labels');
  if (idx.length !== rows)
    throw new RangeError(
      `softmaxCrossEntropy: expected ${rows} labels for logits of shape ${formatShape(logits.shape)}, got ${idx.length}`,
    );
  // gather log p[label] per row (a one-hot product would turn a −∞ logit elsewhere into NaN)
  const flat = idx.map((label, r) => r * classes + label);
  const picked = take(reshape(logSoftmax(logits), [logits.size]), flat);
  return sub(0, mean(picked));
}

/** Mean of squared differences. */
export function mse(pred: Tensor, target: Tensor): Tensor {
  checkTensor(pred, 'mse', 'pred');
  checkTensor(target, 'mse', 'target');
  if (!sameShape(pred.shape, target.shape))
    throw new RangeError(
      `mse: pred and target must have the same shape, got ${formatShape(pred.shape)} and ${formatShape(target.shape)}`,
    );
  return mean(square(sub(pred, target)));
}
