/** Tensor creation: from data, constant fills, ranges and seeded random tensors. */
import { Tensor, type NestedArray } from './tensor.js';
import { allocate, dtypeOf, isDType, type DType } from './dtype.js';
import { checkShape, fmtShape, sizeOf } from './shape.js';
import { defaultGenerator, type Generator } from './random.js';
import type { Storage } from './kernels/types.js';
import { checkOptionKeys, describeValue } from './validate.js';

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
  /** Reshape flat data to this shape (its size must match). */
  shape?: readonly number[];
}

export interface RandomOptions extends TensorOptions {
  /** Generator to draw from (default: the global one seeded by `manualSeed`). */
  generator?: Generator;
}

type TypedInput = Float32Array | Float64Array | Int32Array | Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array;
export type TensorData = NestedArray | boolean | readonly boolean[] | TypedInput;

function finish(data: Storage, shape: readonly number[], dtype: DType, opts: TensorOptions | undefined, op: string): Tensor {
  let finalShape = shape;
  if (opts?.shape !== undefined) {
    checkShape(opts.shape, op);
    if (sizeOf(opts.shape) !== data.length) {
      throw new Error(`${op}: data has ${data.length} elements, which does not fit shape ${fmtShape(opts.shape)}`);
    }
    finalShape = opts.shape.slice();
  }
  const t = new Tensor(data, finalShape, dtype);
  if (opts?.requiresGrad) t.requiresGrad = true;
  return t;
}

function resolveDType(opts: TensorOptions | undefined, fallback: DType, op: string): DType {
  const d = opts?.dtype ?? fallback;
  if (!isDType(d)) throw new Error(`${op}: unknown dtype '${String(d)}' (use 'float32', 'float64' or 'int32')`);
  return d;
}

/** Infers the shape of nested arrays, rejecting ragged ones. */
function inferShape(data: unknown): number[] {
  const shape: number[] = [];
  let cur: unknown = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0];
  }
  return shape;
}

function fillFlat(data: unknown, shape: number[], out: Storage, op: string): void {
  let pos = 0;
  const walk = (v: unknown, dim: number, path: number[]): void => {
    if (dim === shape.length) {
      if (Array.isArray(v)) throw new Error(`${op}: ragged nested array at index [${path.join(', ')}]: expected a number, got an array`);
      const num = typeof v === 'boolean' ? (v ? 1 : 0) : v;
      if (typeof num !== 'number') throw new Error(`${op}: expected numbers, got ${typeof v} at index [${path.join(', ')}]`);
      out[pos++] = num;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim]) {
      throw new Error(`${op}: ragged nested array at index [${path.join(', ')}]: expected ${shape[dim]} elements, got ${Array.isArray(v) ? v.length : 'a number'}`);
    }
    for (let i = 0; i < v.length; i++) walk(v[i], dim + 1, [...path, i]);
  };
  walk(data, 0, []);
}

/**
 * Creates a tensor from a number, nested arrays or a typed array. The dtype defaults to float32 (float64/int32 for
 * Float64Array/Int32Array input). Typed-array input of the same dtype is copied, never shared.
 */
export function tensor(data: TensorData, opts?: TensorOptions): Tensor {
  if (data instanceof Tensor) throw new Error('tensor: got a Tensor; use t.clone() or t.detach() instead');
  if (ArrayBuffer.isView(data)) {
    const src = data as TypedInput;
    const fallback = src instanceof Float64Array || src instanceof Int32Array ? dtypeOf(src) : 'float32';
    const dtype = resolveDType(opts, fallback, 'tensor');
    const out = allocate(dtype, src.length);
    out.set(src);
    return finish(out, [src.length], dtype, opts, 'tensor');
  }
  const dtype = resolveDType(opts, 'float32', 'tensor');
  if (typeof data === 'number' || typeof data === 'boolean') {
    const out = allocate(dtype, 1);
    out[0] = Number(data);
    return finish(out, [], dtype, opts, 'tensor');
  }
  if (!Array.isArray(data)) throw new Error(`tensor: unsupported data of type ${typeof data}`);
  const shape = inferShape(data);
  const out = allocate(dtype, sizeOf(shape));
  fillFlat(data, shape, out, 'tensor');
  return finish(out, shape, dtype, opts, 'tensor');
}

export function full(shape: readonly number[], value: number, opts?: TensorOptions): Tensor {
  checkShape(shape, 'full');
  const dtype = resolveDType(opts, 'float32', 'full');
  const data = allocate(dtype, sizeOf(shape));
  if (value !== 0) data.fill(value);
  return finish(data, shape.slice(), dtype, { ...opts, shape: undefined }, 'full');
}

export function zeros(shape: readonly number[], opts?: TensorOptions): Tensor {
  return full(shape, 0, opts);
}

export function ones(shape: readonly number[], opts?: TensorOptions): Tensor {
  return full(shape, 1, opts);
}

export function fullLike(t: Tensor, value: number, opts?: TensorOptions): Tensor {
  return full(t.shape, value, { dtype: t.dtype, ...opts });
}

export function zerosLike(t: Tensor, opts?: TensorOptions): Tensor {
  return fullLike(t, 0, opts);
}

export function onesLike(t: Tensor, opts?: TensorOptions): Tensor {
  return fullLike(t, 1, opts);
}

/** Options of `arange`: the dtype (default float32) and requiresGrad. */
export type ArangeOptions = Pick<TensorOptions, 'dtype' | 'requiresGrad'>;

/**
 * Values in [start, end) spaced by step: `arange(end)`, `arange(start, end)`, `arange(start, end, step)`, each optionally
 * followed by an options object (`arange(5, { dtype: 'int32' })`).
 */
export function arange(end: number, opts?: ArangeOptions): Tensor;
export function arange(start: number, end: number, opts?: ArangeOptions): Tensor;
export function arange(start: number, end?: number, step?: number, opts?: ArangeOptions): Tensor;
export function arange(...args: (number | ArangeOptions | undefined)[]): Tensor {
  const usage = 'expected arange(end), arange(start, end) or arange(start, end, step) with numbers, each optionally followed by { dtype }';
  let opts: ArangeOptions | undefined;
  let last = args.length - 1;
  while (last >= 0 && args[last] === undefined) last--;
  if (last >= 0 && typeof args[last] === 'object') {
    opts = args[last] as ArangeOptions;
    if (opts === null || Array.isArray(opts) || ArrayBuffer.isView(opts)) throw new Error(`arange: options must be an object like { dtype }, got ${describeValue(opts)}`);
    checkOptionKeys(opts, ['dtype', 'requiresGrad'], 'arange');
    last--;
  }
  const pos = args.slice(0, last + 1);
  if (pos.length === 0 || pos.length > 3 || typeof pos[0] !== 'number' || pos.some((a) => a !== undefined && typeof a !== 'number')) {
    throw new Error(`arange: ${usage}; got (${args.map(describeValue).join(', ')})`);
  }
  // The old spelling arange(end, undefined, step, opts) still means [0, end).
  const [start, end] = pos[1] === undefined ? [0, pos[0]] : [pos[0], pos[1] as number];
  const step = (pos[2] as number | undefined) ?? 1;
  if (!Number.isFinite(start) || !Number.isFinite(end)) throw new Error(`arange: start and end must be finite numbers, got start=${start}, end=${end}`);
  if (step === 0 || !Number.isFinite(step)) throw new Error(`arange: step must be a non-zero finite number, got ${step}`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const dtype = resolveDType(opts, 'float32', 'arange');
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return finish(data, [n], dtype, opts, 'arange');
}

/** `steps` evenly spaced values from start to end inclusive. */
export function linspace(start: number, end: number, steps: number, opts?: TensorOptions): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`linspace: steps must be a non-negative integer, got ${steps}`);
  const dtype = resolveDType(opts, 'float32', 'linspace');
  const data = allocate(dtype, steps);
  const delta = steps > 1 ? (end - start) / (steps - 1) : 0;
  // Fill the second half from the end, as PyTorch does, so both endpoints are exact.
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) data[i] = i < half ? start + i * delta : end - (steps - 1 - i) * delta;
  return finish(data, [steps], dtype, opts, 'linspace');
}

export function eye(n: number, m: number = n, opts?: TensorOptions): Tensor {
  checkShape([n, m], 'eye');
  const t = zeros([n, m], opts);
  for (let i = 0; i < Math.min(n, m); i++) t.data[i * m + i] = 1;
  return t;
}

function randomTensor(op: string, shape: readonly number[], opts: RandomOptions | undefined, draw: (g: Generator) => number): Tensor {
  checkShape(shape, op);
  const dtype = resolveDType(opts, 'float32', op);
  const g = opts?.generator ?? defaultGenerator;
  const data = allocate(dtype, sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = draw(g);
  return finish(data, shape.slice(), dtype, { ...opts, shape: undefined }, op);
}

/** Uniform samples in [0, 1). */
export function rand(shape: readonly number[], opts?: RandomOptions): Tensor {
  return randomTensor('rand', shape, opts, (g) => g.random());
}

/** Standard normal samples. */
export function randn(shape: readonly number[], opts?: RandomOptions): Tensor {
  return randomTensor('randn', shape, opts, (g) => g.normal());
}

/** Integers in [low, high); dtype int32 unless given. */
export function randint(low: number, high: number, shape: readonly number[], opts?: RandomOptions): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) throw new Error(`randint: need integers low < high, got low=${low}, high=${high}`);
  return randomTensor('randint', shape, { dtype: 'int32', ...opts }, (g) => g.integer(low, high));
}

/** A random permutation of 0..n-1 (int32), by Fisher–Yates. */
export function randperm(n: number, opts?: RandomOptions): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new Error(`randperm: n must be a non-negative integer, got ${n}`);
  const g = opts?.generator ?? defaultGenerator;
  const dtype = resolveDType(opts, 'int32', 'randperm');
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) data[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = g.integer(0, i + 1);
    const tmp = data[i];
    data[i] = data[j];
    data[j] = tmp;
  }
  return finish(data, [n], dtype, { ...opts, shape: undefined }, 'randperm');
}

/** Options of `randLike`/`randnLike`: dtype (default: the tensor's; must be a float type), generator, requiresGrad. */
export type RandomLikeOptions = Pick<RandomOptions, 'dtype' | 'generator' | 'requiresGrad'>;

function randomLike(op: string, t: Tensor, opts: RandomLikeOptions | undefined, draw: (g: Generator) => number): Tensor {
  if (!(t instanceof Tensor)) throw new Error(`${op}: expected a Tensor, got ${describeValue(t)}`);
  if (opts !== undefined) checkOptionKeys(opts, ['dtype', 'generator', 'requiresGrad'], op);
  const dtype = opts?.dtype ?? t.dtype;
  if (dtype === 'int32') throw new Error(`${op}: samples are floats, so dtype int32 is not supported (the tensor has shape ${fmtShape(t.shape)}); pass { dtype: 'float32' } or use randint`);
  return randomTensor(op, t.shape, { ...opts, dtype }, draw);
}

/** Uniform samples in [0, 1) with the shape (and, by default, the dtype) of `t`. */
export function randLike(t: Tensor, opts?: RandomLikeOptions): Tensor {
  return randomLike('randLike', t, opts, (g) => g.random());
}

/** Standard normal samples with the shape (and, by default, the dtype) of `t`. */
export function randnLike(t: Tensor, opts?: RandomLikeOptions): Tensor {
  return randomLike('randnLike', t, opts, (g) => g.normal());
}
