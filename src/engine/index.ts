// The engine's public API. Verification code imports only from here.
export {
  Tensor,
  tensor,
  scalar,
  zeros,
  ones,
  full,
  zerosLike,
  onesLike,
  isTensor,
  float64Data,
  type Nested,
  type DType,
  type Storage,
  type CreateOptions,
} from './tensor.ts';
export { type Shape, broadcastShapesChecked as broadcastShapes, describeValue } from './shape.ts';
export * from './ops.ts';
export { vjp, jvp, grad, valueAndGrad, flatten, type Tree, type GradOptions } from './transforms.ts';
export { Key, key, split, foldIn, uniform, normal, bernoulli, isKey } from './random.ts';
export {
  dropout,
  dropoutWithMask,
  dropConnect,
  gaussianDropout,
  applyMultiplier,
  resolveNoiseShape,
  type DropoutOptions,
  type Convention,
} from './dropout.ts';
export { configureKernels, kernelInfo, type KernelConfig } from './wasm/runtime.ts';
