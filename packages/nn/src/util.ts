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

/** Throws on option keys a function does not take, so a misspelt option is never silently ignored (core's check). */
export function rejectUnknownOptions(where: string, options: unknown, known: readonly string[]): void {
  util.checkOptions(options as Record<string, unknown> | undefined, known, where);
}

/** Throws unless `x` is a Tensor, naming the caller and the argument (core's check, declared here for TypeScript's asserts). */
export function expectTensor(x: unknown, fnName: string, argName = 'input'): asserts x is Tensor {
  util.expectTensor(x, fnName, argName);
}

/** An int32 tensor of the given values and shape. */
export function indexTensor(values: Int32Array, shape: number[]): Tensor {
  return tensor(values, { dtype: 'int32', shape });
}

/** Floating dtype a computation on `x` produces (int32 inputs compute in float32, as in core). */
export function floatOf(x: Tensor): 'float32' | 'float64' {
  return util.floatDType(x.dtype);
}

/** A size option (a number, or one number per spatial dimension) as `dims` integers ≥ min, or an error naming the layer. */
export function sizeTuple(value: number | readonly number[], dims: number, option: string, fnName: string, min: number): number[] {
  const list = typeof value === 'number' ? new Array<number>(dims).fill(value) : Array.isArray(value) ? value : null;
  if (list === null || list.length !== dims || !list.every((v) => Number.isInteger(v) && v >= min)) {
    throw new Error(`${fnName}: ${option} must be ${dims === 1 ? 'an integer' : `an integer or ${dims} integers`} ≥ ${min}, got ${describeValue(value)}`);
  }
  return list.slice();
}
