/**
 * Data types, their typed-array storage, and PyTorch's type promotion (which dtype an op on mixed operands produces).
 */
import type { Storage } from './kernels/types.js';
import { fmtShape } from './shape.js';

export type DType = 'float32' | 'float64' | 'int32';

export function isDType(x: unknown): x is DType {
  return x === 'float32' || x === 'float64' || x === 'int32';
}

export function isFloatDType(d: DType): d is 'float32' | 'float64' {
  return d !== 'int32';
}

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

/** Thrown when a typed array of the requested size cannot be created; ops catch it and name themselves (see defineOp). */
export class AllocationError extends Error {
  constructor(readonly dtype: DType, readonly shape: readonly number[] | null, readonly length: number, readonly op?: string) {
    const what = shape === null ? `${length} elements` : `shape ${fmtShape(shape)} (${length} elements)`;
    const bytes = length * (dtype === 'float64' ? 8 : 4);
    super(`${op ? `${op}: ` : ''}cannot allocate a ${dtype} tensor of ${what}, ${formatBytes(bytes)}: too large for a JavaScript typed array or for memory`);
    this.name = 'Error';
  }

  /** The same error, now naming `op` (the outermost op that catches it renames it last: the function the user called). */
  named(op: string): AllocationError {
    return new AllocationError(this.dtype, this.shape, this.length, op);
  }
}

function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return 'an unbounded number of bytes';
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  return `${i === 0 ? n : n.toPrecision(3)} ${units[i]}`;
}

/** A zero-filled typed array of `length` elements; `shape` only makes the error message name what was asked for. */
export function allocate(dtype: DType, length: number, shape: readonly number[] | null = null): Storage {
  if (!(length >= 0 && length <= Number.MAX_SAFE_INTEGER)) throw new AllocationError(dtype, shape, length);
  try {
    switch (dtype) {
      case 'float32': return new Float32Array(length);
      case 'float64': return new Float64Array(length);
      case 'int32': return new Int32Array(length);
    }
  } catch (e) {
    // V8 reports both "Invalid typed array length" and "Array buffer allocation failed" as RangeError.
    if (e instanceof RangeError) throw new AllocationError(dtype, shape, length);
    throw e;
  }
}

export function dtypeOf(data: Storage): DType {
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  return 'float32';
}

/** The float dtype a computation on `d` produces when it cannot stay integer (exp, mean, true division): int32 → float32. */
export function floatDType(d: DType): 'float32' | 'float64' {
  return d === 'float64' ? 'float64' : 'float32';
}

/** torch.promote_types for tensorgrad's dtypes: float64 > float32 > int32. */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === 'float64' || b === 'float64') return 'float64';
  if (a === 'float32' || b === 'float32') return 'float32';
  return 'int32';
}

/** A participant in type promotion: a tensor (its dtype, and whether it has dimensions) or a JS number. */
export type PromotionOperand = number | { readonly dtype: DType; readonly shape: readonly number[] };

/**
 * PyTorch's result_type. Operands fall in three priority groups: tensors with dimensions, 0-d tensors, numbers. Each
 * group promotes within itself; a lower group changes the result only when it is of a higher category (float beats
 * int), so `int32[n] + 2.5` is float32 but `float32[n] + float64 0-d` stays float32. A number that is integer-valued
 * acts like a Python int (`int32[n] * 2` stays int32); any other number (2.5, NaN, ±Infinity) like a Python float,
 * whose dtype is float32 (PyTorch's default dtype).
 */
export function resultType(operands: readonly PromotionOperand[]): DType {
  let dim: DType | undefined, zeroDim: DType | undefined, numbers: DType | undefined;
  for (const v of operands) {
    if (typeof v === 'number') {
      const d: DType = Number.isInteger(v) ? 'int32' : 'float32';
      numbers = numbers === undefined ? d : promoteTypes(numbers, d);
    } else if (v.shape.length > 0) dim = dim === undefined ? v.dtype : promoteTypes(dim, v.dtype);
    else zeroDim = zeroDim === undefined ? v.dtype : promoteTypes(zeroDim, v.dtype);
  }
  const result = combineCategories(dim, combineCategories(zeroDim, numbers));
  if (result === undefined) throw new Error('resultType: no operands');
  return result;
}

/** PyTorch's combine_categories: the higher-priority dtype wins unless the lower one is float and it is not. */
function combineCategories(higher: DType | undefined, lower: DType | undefined): DType | undefined {
  if (higher === undefined) return lower;
  if (lower === undefined || isFloatDType(higher) || !isFloatDType(lower)) return higher;
  return promoteTypes(higher, lower);
}

/** True when `v` can be stored in an int32 tensor without rounding or wrapping. */
export function fitsInt32(v: number): boolean {
  return Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX;
}

/**
 * Throws unless `v` is an integer in int32's range. Creating an int32 tensor never truncates or wraps silently: a value
 * that does not fit is almost always a mistake (`.to('int32')` truncates on purpose, like PyTorch).
 */
export function checkInt32(v: number, op: string, where = ''): void {
  if (!fitsInt32(v)) {
    throw new Error(`${op}: ${v}${where} cannot be stored in an int32 tensor (integers in [${INT32_MIN}, ${INT32_MAX}] only; use .to('int32') to truncate a float tensor)`);
  }
}
