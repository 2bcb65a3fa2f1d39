/** Data types and their typed-array storage. */
import type { Storage } from './kernels/types.js';

export type DType = 'float32' | 'float64' | 'int32';

export function isDType(x: unknown): x is DType {
  return x === 'float32' || x === 'float64' || x === 'int32';
}

export function allocate(dtype: DType, size: number): Storage {
  switch (dtype) {
    case 'float32': return new Float32Array(size);
    case 'float64': return new Float64Array(size);
    case 'int32': return new Int32Array(size);
  }
}

export function dtypeOf(data: Storage): DType {
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  return 'float32';
}

/**
 * The dtype arithmetic produces: float64 wins; int32 (an index type) computes in float32, so `argmax(x).mul(2)`
 * is a float tensor rather than silently truncated integer arithmetic.
 */
export function promote(a: DType, b: DType): 'float32' | 'float64' {
  return a === 'float64' || b === 'float64' ? 'float64' : 'float32';
}

export function floatDType(d: DType): 'float32' | 'float64' {
  return d === 'float64' ? 'float64' : 'float32';
}
