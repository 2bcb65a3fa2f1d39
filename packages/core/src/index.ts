/**
 * @tensorgrad/core — the public surface: tensors, creation, ops (also available as Tensor methods, except where, concat, stack, linear and einsum), autograd and gradcheck.
 *
 * @module @tensorgrad/core
 */
export { Tensor } from './tensor.js';
export type { Hook, Operand, Axis, SliceSpec, NestedArray, IndexLike, BackwardOptions } from './tensor.js';
export type { DType } from './dtype.js';
export type { FloatArray, Storage } from './kernels/types.js';

export {
  tensor, zeros, ones, full, zerosLike, onesLike, fullLike, arange, linspace, eye, rand, randn, randint, randperm, randLike, randnLike,
} from './creation.js';
export type { TensorOptions, RandomOptions, TensorData, ArangeOptions, RandomLikeOptions } from './creation.js';
export { Generator, manualSeed, defaultGenerator } from './random.js';

export {
  neg, exp, log, log1p, sqrt, abs, sign, sin, cos, tanh, sigmoid, relu, leakyRelu, gelu, softplus, erf, reciprocal, square, clamp, rsqrt, silu,
} from './ops/unary.js';
export type { GeluOptions } from './ops/unary.js';
export { add, sub, mul, div, pow, maximum, minimum, eq, ne, lt, le, gt, ge, where } from './ops/binary.js';
export { sum, mean, max, min, variance, variance as var, std, logsumexp, argmax, argmin, norm } from './ops/reduce.js';
export { matmul, linear } from './ops/matmul.js';
export {
  reshape, reshape as view, flatten, permute, transpose, squeeze, unsqueeze, expand, broadcastTo, slice, narrow, split, chunk, concat, concat as cat, stack, pad,
} from './ops/shape.js';
export { indexSelect, gather, scatter, scatterAdd } from './ops/index-ops.js';
export { tril, triu, maskedFill } from './ops/mask.js';
export { cumsum, cumprod, prod } from './ops/scan.js';
export { sort, argsort, topk } from './ops/sort.js';
export type { SortOptions, TopkOptions } from './ops/sort.js';
export { flip, roll, repeat, tile, unbind } from './ops/rearrange.js';
export { diag, diagonal, diagEmbed } from './ops/diagonal.js';
export { einsum, outer } from './ops/einsum.js';
export { all, any, isnan, isfinite } from './ops/logical.js';
export { multinomial, bernoulli } from './ops/sample.js';
export type { MultinomialOptions, BernoulliOptions } from './ops/sample.js';
export { softmax, logSoftmax } from './ops/softmax.js';
export { layerNorm } from './ops/normalization.js';
export { scaledDotProductAttention, attentionWeights } from './ops/attention.js';
export type { ScaledDotProductAttentionOptions, AttentionWeightsOptions } from './ops/attention.js';
export { conv1d, conv2d, convTranspose1d, convTranspose2d } from './ops/conv.js';
export type { ConvOptions, ConvTransposeOptions } from './ops/conv.js';
export { maxPool1d, maxPool2d, avgPool2d, adaptiveAvgPool2d, interpolate } from './ops/pool.js';
export type { MaxPoolOptions, MaxPoolFn, AvgPoolOptions, InterpolateOptions } from './ops/pool.js';
export { cast, clone } from './ops/cast.js';
export { fusedAdamStep_, fusedSgdStep_, fusedRmspropStep_, fusedAdagradStep_ } from './ops/optim.js';
export type { FusedAdamOptions, FusedSgdOptions, FusedRmspropOptions, FusedAdagradOptions } from './ops/optim.js';
export { setNumThreads, getNumThreads } from './kernels/gemm-threads.js';
export { listOps } from './ops/registry.js';
export type { OpInfo, OpFamily } from './ops/registry.js';

export { noGrad, enableGrad, isGradEnabled, setGradEnabled, detectAnomaly, setDetectAnomaly, isAnomalyEnabled } from './autograd/grad-mode.js';
export { grad } from './autograd/engine.js';
export type { GradOptions } from './autograd/engine.js';
export { customOp } from './autograd/function.js';
export type { CustomOpSpec } from './autograd/function.js';
export { gradcheck, gradgradcheck } from './gradcheck.js';
export type { GradcheckOptions, GradcheckResult, GradcheckFailure } from './gradcheck.js';
export { toDot } from './dot.js';
export type { DotOptions } from './dot.js';
export { broadcastShapes } from './shape.js';
export { backendInfo } from './backend.js';
export type { BackendInfo, KernelChoice, KernelFamily } from './backend.js';
/** Argument checks and message helpers for packages built on core (nn uses them); see util.ts. */
export * as util from './util.js';
