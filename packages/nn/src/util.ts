/**
 * Helpers shared by layers, losses and data utilities. Argument checks, shape formatting and index reading are core's
 * (`util` in @tensorgrad/core), so nn's errors read like core's; only the nn-specific conveniences are defined here.
 */
import { Tensor, tensor, util, type DType } from '@tensorgrad/core';

export type IndicesLike = util.IndicesLike;

export const {
  fmtShape: shapeStr, sameShape, readIndices, describeValue, isPlainObject, checkOptions, expectNumber, expectBoolean, expectDType,
  expectGenerator,
} = util;

/** Throws unless `x` is a Tensor, naming the caller and the argument (core's check, declared here for TypeScript's asserts). */
export function expectTensor(x: unknown, fnName: string, argName = 'input'): asserts x is Tensor {
  util.expectTensor(x, fnName, argName);
}

/** An int32 tensor of the given values and shape. */
export function indexTensor(values: Int32Array, shape: number[]): Tensor {
  return tensor(values, { dtype: 'int32', shape });
}

/** Floating dtype a computation on `x` produces (int32 inputs compute in float32, as in core). */
export function floatOf(x: Tensor): DType {
  return util.floatDType(x.dtype);
}
