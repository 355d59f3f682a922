// A correct forward pass whose vjp never returns in training: a synchronous endless loop, which only
// a call in another thread can survive (dropcheck audit runs the candidate in a worker thread).
// Not in broken/: audited in the test's own thread, it would hang it.
import type { DropoutCandidate } from '../../../../src/verify/audit/index.ts';
import inverted from '../correct/inverted.ts';

export default {
  name: 'vjp loops forever in training',
  convention: 'inverted',
  forward: inverted.forward,
  vjp(x, rate, training, seed, dy) {
    while (training) {} // BUG: never returns
    return inverted.vjp(x, rate, training, seed, dy);
  },
} satisfies DropoutCandidate;
