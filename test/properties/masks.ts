// The thinned inputs both ensemble files (ensemble.test.ts, ensemble-gradients.test.ts) build: a mask
// as a tensor, the engine's dropout op with the mask given (one keep for all units, or per-unit keeps
// through the op's multiplier form), and keep as an operand of mul.
import { type Convention, type Tensor, applyMultiplier, dropoutWithMask, tensor } from '../../src/index.ts';

/** The mask as a 0/1 tensor of the given shape (a copy: the walk reuses its array). */
export const maskTensor = (mask: ArrayLike<number>, shape: readonly number[]): Tensor =>
  tensor(Array.from(mask), [...shape]);

/**
 * The thinned input through the engine's dropout op with the mask given: r ⊙ x (paper) or r ⊙ x / keep
 * (inverted). One keep: dropoutWithMask with rate = 1 − keep. Per-unit keeps: the op's multiplier form.
 */
export function thin(
  x: Tensor,
  mask: Tensor,
  keep: number | readonly number[],
  convention: Convention = 'scale-at-inference',
): Tensor {
  if (typeof keep === 'number') return dropoutWithMask(x, mask, { rate: 1 - keep, convention });
  const m = Array.from(mask.data, (r, i) => (r === 0 ? 0 : convention === 'inverted' ? 1 / keep[i] : 1));
  return applyMultiplier(x, tensor(m, [...mask.shape]));
}

/** keep as an operand of mul for a tensor of the given shape: the number, or one keep per unit. */
export const keepOperand = (keep: number | readonly number[], shape: readonly number[]): number | Tensor =>
  typeof keep === 'number' ? keep : tensor([...keep], [...shape]);
