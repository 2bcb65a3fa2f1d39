/**
 * The `util` namespace of @tensorgrad/core: the helpers core's own entry points use to check arguments and word errors,
 * for packages built on core (such as @tensorgrad/nn) so their errors read the same — shape formatting and equality,
 * value descriptions, option and argument checks, and reading integer indices. Not needed to use tensors; grouped in
 * one namespace so the package root stays the tensor API, and exported from the root (not a subpath) so a browser page
 * that maps only `@tensorgrad/core` can load nn.
 *
 * ```ts
 * import { util } from '@tensorgrad/core';
 * util.expectTensor(x, 'MyLayer');   // MyLayer: input must be a Tensor, got …
 * ```
 */
export { fmtShape, sameShape } from './shape.js';
export { floatDType, fitsInt32 } from './dtype.js';
export {
  describeValue, isPlainObject, checkOptionKeys, checkOptions, expectTensor, expectNumber, expectBoolean, expectShape,
  expectDType, expectGenerator,
} from './validate.js';
export type { NumberConstraints } from './validate.js';
export { readIndices } from './indices.js';
export type { IndicesLike } from './indices.js';
