// Exact dropout-mask enumeration: every mask r ∈ {0,1}^n with its probability, for the exact
// identities (E-LIN, E-SIGMOID, E-SOFTMAX, E-BOUNDS) and the exact ensemble that M-DEEP compares
// the weight-scaled network against. Uses only the engine's public API.
//
// This module is the entry dropcheck/enumerate and re-exports its two halves: enumerate/walk.ts (the
// Gray-code walk over the masks with their probabilities, the linear layer's walk, the output
// nonlinearities for visitors) and enumerate/ensemble.ts (compensated sums, the ensemble statistics).
export {
  MAX_UNITS,
  RECOMPUTE_BITS,
  type Keep,
  type MaskVisitor,
  type LinearVisitor,
  forEachMask,
  forEachLinearMask,
  forEachLinearMaskDirect,
  sigmoidOf,
  softmaxOf,
} from './enumerate/walk.ts';
export * from './enumerate/ensemble.ts';
