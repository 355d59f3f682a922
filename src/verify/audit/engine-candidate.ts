// The engine's own dropout, offered to the audit through the same interface as anyone else's: the
// battery sees only forward and vjp, never the mask or the key.
import { type Convention, type Tensor, dropout, float64Data, key, tensor, vjp } from '../../engine/index.ts';
import type { DropoutCandidate } from './candidate.ts';

/** The engine's own dropout as an audit candidate in the given convention (the audit sees only forward and vjp). */
export function engineCandidate(convention: Convention = 'inverted'): DropoutCandidate {
  const op = (rate: number, training: boolean, seed: number) => (x: Tensor) =>
    dropout(key(seed), x, { rate, training, convention });
  return {
    name: 'dropcheck dropout',
    convention,
    // the answers are the data of tensors made for this call alone (tensor() copies x and dy), so they
    // are handed over without another copy
    forward: (x, rate, training, seed) => float64Data(op(rate, training, seed)(tensor(x))),
    vjp: (x, rate, training, seed, dy) => float64Data(vjp(op(rate, training, seed), tensor(x)).pullback(tensor(dy))[0]),
  };
}
