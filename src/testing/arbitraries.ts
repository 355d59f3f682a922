// Reusable fast-check arbitraries for the property tests: small shapes, broadcast-compatible shape
// pairs, tensors of bounded float64 values, values kept away from the kinks of relu/abs/max/min,
// positive values for log/sqrt/pow and denominators, dropout rates (not only 1/2) and small MLPs.
//
// Naming: whatever gives an fc.Arbitrary (a constant or a function of its parameters) ends in Arb;
// plain helpers (makeTensor, sizeOfShape, broadcastShape, keepList) do not.
//
// Everything is small on purpose: full-Jacobian gradient checks cost one reverse pass per output
// element and two forward passes per input element, so shapes have rank ≤ 3 and dimensions ≤ 4.
//
// This module is the entry dropcheck/arbitraries and re-exports its two halves: arbitraries/values.ts
// (constants, values, shapes, tensors, dropout rates and keys) and arbitraries/networks.ts (small MLPs,
// the exact-ensemble cases, networks with explicit weights).
export * from './arbitraries/values.ts';
export * from './arbitraries/networks.ts';
