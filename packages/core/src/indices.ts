/** Reading integer indices from the forms users pass them in, shared by core's index ops and nn (embeddings, losses). */
import { Tensor, type NestedArray } from './tensor.js';
import { tensor } from './creation.js';
import { describeValue } from './describe.js';

/** Integer indices: a tensor of any dtype holding integers, an Int32Array, a number, or (nested) arrays of numbers. */
export type IndicesLike = Tensor | Int32Array | number | readonly number[] | readonly NestedArray[];

/**
 * Index-like input as flat int32 values plus its shape; throws an Error naming `fn` and `what` unless every value is an
 * integer in int32's range (a fraction such as 1.5 is an error, never silently truncated). An Int32Array is used as is.
 */
export function readIndices(indices: unknown, fn: string, what = 'indices'): { values: Int32Array; shape: number[] } {
  if (indices instanceof Int32Array) return { values: indices, shape: [indices.length] };
  let t: Tensor;
  if (indices instanceof Tensor) t = indices;
  else if (Array.isArray(indices) || typeof indices === 'number') {
    try {
      t = tensor(indices as NestedArray, { dtype: 'float64' });
    } catch (e) {
      throw new Error(`${fn}: ${what} must be a number or a rectangular (nested) array of integers: ${(e as Error).message.replace(/^tensor: /, '')}`);
    }
  } else {
    throw new Error(`${fn}: ${what} must be a Tensor, an Int32Array or a (nested) array of integers, got ${describeValue(indices)}`);
  }
  if (t.dtype === 'int32') return { values: t.data.slice() as Int32Array, shape: [...t.shape] };
  const values = new Int32Array(t.size);
  for (let i = 0; i < values.length; i++) {
    const v = t.data[i];
    if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) throw new Error(`${fn}: ${what} must hold integers, got ${v} at flat position ${i}`);
    values[i] = v;
  }
  return { values, shape: [...t.shape] };
}
