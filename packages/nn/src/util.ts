/**
 * Helpers shared by layers, losses and data utilities. Argument checks, shape formatting and index reading come from
 * `@tensorgrad/core/util`, so nn's errors read like core's; only the nn-specific conveniences live here.
 */
import { Tensor, tensor, type DType } from '@tensorgrad/core';
import { floatDType } from '@tensorgrad/core/util';

export { fmtShape as shapeStr, sameShape, expectTensor, readIndices } from '@tensorgrad/core/util';
export type { IndicesLike } from '@tensorgrad/core/util';

/** An int32 tensor of the given values and shape. */
export function indexTensor(values: Int32Array, shape: number[]): Tensor {
  return tensor(values, { dtype: 'int32', shape });
}

/** Floating dtype a computation on `x` produces (int32 inputs compute in float32, as in core). */
export function floatOf(x: Tensor): DType {
  return floatDType(x.dtype);
}
