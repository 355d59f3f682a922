// dropcheck: the engine (tensors, autodiff, dropout), networks, and verification tools.
// Exact rationals live in 'dropcheck/rational' only: they load mathjs, which would otherwise
// make every import of the package about ten times slower.
export * from './engine/index.ts';
export * from './nn/layers.ts';
export * from './nn/optim.ts';
export * from './nn/losses.ts';
export * from './nn/train.ts';
export * from './verify/gradcheck.ts';
export * from './verify/stats.ts';
export * from './verify/ttest.ts';
export * from './verify/montecarlo.ts';
export * from './verify/enumerate.ts';
export * from './verify/audit/index.ts';
