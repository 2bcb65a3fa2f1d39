/** Small helpers shared by layers, losses and data utilities. */
import { Tensor, tensor, type DType } from '@tensorgrad/core';

/** `[2, 3]` for error messages. */
export function shapeStr(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Throws on option keys a function does not take, so a misspelt option is never silently ignored. */
export function rejectUnknownOptions(where: string, options: unknown, known: readonly string[]): void {
  if (options === null || typeof options !== 'object') throw new Error(`${where}: options must be an object, got ${options === null ? 'null' : typeof options}`);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new Error(`${where}: unknown option '${key}' (known: ${known.join(', ')})`);
  }
}

/** Throws unless `x` is a Tensor, naming the caller and the argument. */
export function expectTensor(x: unknown, fnName: string, argName = 'input'): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new Error(`${fnName}: ${argName} must be a Tensor, got ${x === null ? 'null' : typeof x}`);
}

/** Integer indices: a tensor (of any dtype, holding integers), an Int32Array, or a (nested) array of numbers. */
export type IndicesLike = Tensor | Int32Array | number[] | number[][];

/** Index-like input as a flat list of integers plus its shape. */
export function readIndices(indices: IndicesLike, fnName: string, argName = 'indices'): { values: Int32Array; shape: number[] } {
  if (Array.isArray(indices) && indices.some((v) => Array.isArray(v))) {
    // Nested arrays: let core infer (and validate) the shape, then check the values below.
    let t: Tensor;
    try {
      t = tensor(indices, { dtype: 'float64' });
    } catch (e) {
      throw new Error(`${fnName}: ${argName} must be a rectangular array of integers (${(e as Error).message})`);
    }
    return readIndices(t, fnName, argName);
  }
  if (indices instanceof Tensor) {
    const values = new Int32Array(indices.size);
    const data = indices.data;
    for (let i = 0; i < values.length; i++) {
      const v = data[i];
      if (!Number.isInteger(v)) throw new Error(`${fnName}: ${argName} must hold integers, got ${v} at flat position ${i}`);
      values[i] = v;
    }
    return { values, shape: [...indices.shape] };
  }
  if (indices instanceof Int32Array) return { values: indices, shape: [indices.length] };
  if (Array.isArray(indices)) {
    const values = new Int32Array(indices.length);
    for (let i = 0; i < indices.length; i++) {
      const v = indices[i];
      if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`${fnName}: ${argName} must be integers, got ${String(v)} at position ${i}`);
      values[i] = v;
    }
    return { values, shape: [indices.length] };
  }
  throw new Error(`${fnName}: ${argName} must be a number[], Int32Array or Tensor, got ${typeof indices}`);
}

/** An int32 tensor of the given values and shape. */
export function indexTensor(values: Int32Array, shape: number[]): Tensor {
  return tensor(values, { dtype: 'int32', shape });
}

/** Floating dtype a computation on `x` should produce (int32 inputs compute in float32, as in core). */
export function floatOf(x: Tensor): 'float32' | 'float64' {
  return x.dtype === 'float64' ? 'float64' : 'float32';
}

/** A size option (a number, or one number per spatial dimension) as `dims` integers ≥ min, or an error naming the layer. */
export function sizeTuple(value: number | readonly number[], dims: number, option: string, fnName: string, min: number): number[] {
  const list = typeof value === 'number' ? new Array<number>(dims).fill(value) : Array.isArray(value) ? value : null;
  if (list === null || list.length !== dims || !list.every((v) => Number.isInteger(v) && v >= min)) {
    throw new Error(`${fnName}: ${option} must be ${dims === 1 ? 'an integer' : `an integer or ${dims} integers`} ≥ ${min}, got ${JSON.stringify(value)}`);
  }
  return list.slice();
}
