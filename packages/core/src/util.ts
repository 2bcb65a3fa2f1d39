/**
 * `@tensorgrad/core/util`: the helpers core's own entry points use to check arguments and word errors, for packages
 * built on core (such as @tensorgrad/nn) so their errors read the same: shape formatting and equality, value
 * descriptions, option and argument checks, and reading integer indices. Not needed to use tensors; kept out of the
 * package root so its surface stays the tensor API.
 *
 * ```ts
 * import { fmtShape, expectTensor, checkOptions } from '@tensorgrad/core/util';
 * ```
 *
 * @module @tensorgrad/core/util
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
