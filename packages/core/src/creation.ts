/**
 * Tensor creation: from data, constant fills, ranges and seeded random tensors. Every function validates its arguments
 * and options under its own name; int32 tensors are only ever created from integers that fit (see dtype.ts).
 */
import { Tensor, type NestedArray } from './tensor.js';
import { AllocationError, allocate, checkInt32, dtypeOf, isDType, type DType } from './dtype.js';
import { fmtShape, sizeOf } from './shape.js';
import { Generator, defaultGenerator } from './random.js';
import type { Storage } from './kernels/types.js';
import { checkOptions, describeValue, expectBoolean, expectNumber, expectShape, expectTensor } from './validate.js';

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
  /** Reshape flat data to this shape (its size must match). Only `tensor()` takes it. */
  shape?: readonly number[];
}

export interface RandomOptions extends TensorOptions {
  /** Generator to draw from (default: the global one seeded by `manualSeed`). */
  generator?: Generator;
}

type TypedInput = Float32Array | Float64Array | Int32Array | Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array;
export type TensorData = NestedArray | boolean | readonly boolean[] | TypedInput;

const FILL_OPTIONS = ['dtype', 'requiresGrad'];
const RANDOM_OPTIONS = ['dtype', 'requiresGrad', 'generator'];

/** A zero-filled array for a tensor of `shape`, or an error naming `op` and the shape when it is too large. */
function allocateFor(op: string, dtype: DType, shape: readonly number[]): Storage {
  try {
    return allocate(dtype, sizeOf(shape), shape);
  } catch (e) {
    throw e instanceof AllocationError ? e.named(op) : e;
  }
}

function finish(data: Storage, shape: readonly number[], dtype: DType, requiresGrad: unknown, op: string): Tensor {
  const t = new Tensor(data, shape, dtype);
  if (requiresGrad !== undefined && expectBoolean(requiresGrad, op, 'requiresGrad')) {
    if (dtype === 'int32') throw new Error(`${op}: only float32/float64 tensors can require gradients (dtype is int32)`);
    t.requiresGrad = true;
  }
  return t;
}

function resolveDType(dtype: unknown, fallback: DType, op: string): DType {
  const d = dtype ?? fallback;
  if (!isDType(d)) throw new Error(`${op}: unknown dtype ${describeValue(d)} (use 'float32', 'float64' or 'int32')`);
  return d;
}

/** Infers the shape of nested arrays from their first elements (raggedness is caught while filling). */
function inferShape(data: unknown, op: string): number[] {
  const shape: number[] = [];
  let cur: unknown = data;
  while (Array.isArray(cur)) {
    // A self-containing array would otherwise loop forever; no real tensor has this many dimensions.
    if (shape.length >= 64) throw new Error(`${op}: nested arrays deeper than 64 levels (a cyclic array?)`);
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0];
  }
  return shape;
}

function fillFlat(data: unknown, shape: number[], out: Storage, dtype: DType, op: string): void {
  let pos = 0;
  const walk = (v: unknown, dim: number, path: number[]): void => {
    if (dim === shape.length) {
      if (Array.isArray(v)) throw new Error(`${op}: ragged nested array at index [${path.join(', ')}]: expected a number, got an array`);
      const num = typeof v === 'boolean' ? (v ? 1 : 0) : v;
      if (typeof num !== 'number') throw new Error(`${op}: expected numbers, got ${describeValue(v)} at index [${path.join(', ')}]`);
      if (dtype === 'int32') checkInt32(num, op, ` at index [${path.join(', ')}]`);
      out[pos++] = num;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim]) {
      throw new Error(`${op}: ragged nested array at index [${path.join(', ')}]: expected ${shape[dim]} elements, got ${Array.isArray(v) ? v.length : describeValue(v)}`);
    }
    for (let i = 0; i < v.length; i++) walk(v[i], dim + 1, [...path, i]);
  };
  walk(data, 0, []);
}

const TYPED_INPUTS = [Float32Array, Float64Array, Int32Array, Uint8Array, Int8Array, Uint16Array, Int16Array, Uint32Array];

/**
 * Creates a tensor from a number, nested arrays or a typed array. The dtype defaults to float32 (float64/int32 for
 * Float64Array/Int32Array input). Typed-array input is copied, never shared. An int32 tensor only accepts integers in
 * int32's range: anything else throws instead of truncating or wrapping (`.to('int32')` truncates on purpose).
 */
export function tensor(data: TensorData, opts?: TensorOptions): Tensor {
  const o = checkOptions(opts, ['dtype', 'requiresGrad', 'shape'], 'tensor');
  if (data instanceof Tensor) throw new Error('tensor: got a Tensor; use t.clone() or t.detach() instead');
  let out: Storage;
  let shape: number[];
  let dtype: DType;
  if (ArrayBuffer.isView(data)) {
    if (!TYPED_INPUTS.some((C) => data instanceof C)) throw new Error(`tensor: unsupported typed array ${describeValue(data)} (use a float, int or uint array of 8 to 32 bits, or Float64Array)`);
    const src = data as TypedInput;
    const fallback = src instanceof Float64Array || src instanceof Int32Array ? dtypeOf(src) : 'float32';
    dtype = resolveDType(o.dtype, fallback, 'tensor');
    shape = [src.length];
    out = allocateFor('tensor', dtype, shape);
    if (dtype === 'int32' && !(src instanceof Int32Array)) for (let i = 0; i < src.length; i++) checkInt32(src[i], 'tensor', ` at index ${i}`);
    out.set(src);
  } else if (typeof data === 'number' || typeof data === 'boolean') {
    dtype = resolveDType(o.dtype, 'float32', 'tensor');
    shape = [];
    out = allocateFor('tensor', dtype, shape);
    if (dtype === 'int32') checkInt32(Number(data), 'tensor');
    out[0] = Number(data);
  } else if (Array.isArray(data)) {
    dtype = resolveDType(o.dtype, 'float32', 'tensor');
    shape = inferShape(data, 'tensor');
    out = allocateFor('tensor', dtype, shape);
    fillFlat(data, shape, out, dtype, 'tensor');
  } else {
    throw new Error(`tensor: data must be a number, a boolean, (nested) arrays of numbers or a typed array, got ${describeValue(data)}`);
  }
  if (o.shape !== undefined) {
    const target = expectShape(o.shape, 'tensor', 'shape option');
    if (sizeOf(target) !== out.length) throw new Error(`tensor: data has ${out.length} elements, which does not fit shape ${fmtShape(target)}`);
    shape = target;
  }
  return finish(out, shape, dtype, o.requiresGrad, 'tensor');
}

/** A tensor of `shape` filled with `value` (a number or a boolean; an integer that fits for int32). */
function filled(op: string, shape: readonly number[], value: unknown, opts: TensorOptions | undefined): Tensor {
  const o = checkOptions(opts, FILL_OPTIONS, op);
  const s = expectShape(shape, op);
  if (typeof value !== 'number' && typeof value !== 'boolean') throw new Error(`${op}: fill value must be a number, got ${describeValue(value)}`);
  const v = Number(value);
  const dtype = resolveDType(o.dtype, 'float32', op);
  if (dtype === 'int32') checkInt32(v, op);
  const data = allocateFor(op, dtype, s);
  if (v !== 0) data.fill(v);
  return finish(data, s, dtype, o.requiresGrad, op);
}

export function full(shape: readonly number[], value: number, opts?: TensorOptions): Tensor {
  return filled('full', shape, value, opts);
}

export function zeros(shape: readonly number[], opts?: TensorOptions): Tensor {
  return filled('zeros', shape, 0, opts);
}

export function ones(shape: readonly number[], opts?: TensorOptions): Tensor {
  return filled('ones', shape, 1, opts);
}

function like(op: string, t: Tensor, value: unknown, opts: TensorOptions | undefined): Tensor {
  expectTensor(t, op);
  const o = checkOptions(opts, FILL_OPTIONS, op);
  return filled(op, t.shape, value, { dtype: t.dtype, ...o });
}

export function fullLike(t: Tensor, value: number, opts?: TensorOptions): Tensor {
  return like('fullLike', t, value, opts);
}

export function zerosLike(t: Tensor, opts?: TensorOptions): Tensor {
  return like('zerosLike', t, 0, opts);
}

export function onesLike(t: Tensor, opts?: TensorOptions): Tensor {
  return like('onesLike', t, 1, opts);
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
    checkOptions(opts, FILL_OPTIONS, 'arange');
    last--;
  }
  const pos = args.slice(0, last + 1);
  if (pos.length === 0 || pos.length > 3 || typeof pos[0] !== 'number' || pos.some((a) => a !== undefined && typeof a !== 'number')) {
    throw new Error(`arange: ${usage}; got (${args.map(describeValue).join(', ')})`);
  }
  // The old spelling arange(end, undefined, step, opts) still means [0, end).
  const [start, end] = pos[1] === undefined ? [0, pos[0]] : [pos[0], pos[1] as number];
  const step = (pos[2] as number | undefined) ?? 1;
  expectNumber(start, 'arange', 'start', { finite: true });
  expectNumber(end, 'arange', 'end', { finite: true });
  if (step === 0 || !Number.isFinite(step)) throw new Error(`arange: step must be a non-zero finite number, got ${step}`);
  const o = opts ?? {};
  const n = Math.max(0, Math.ceil((end - start) / step));
  const dtype = resolveDType(o.dtype, 'float32', 'arange');
  const data = allocateFor('arange', dtype, [n]);
  for (let i = 0; i < n; i++) {
    const v = start + i * step;
    if (dtype === 'int32') checkInt32(v, 'arange');
    data[i] = v;
  }
  return finish(data, [n], dtype, o.requiresGrad, 'arange');
}

/** `steps` evenly spaced values from start to end inclusive. */
export function linspace(start: number, end: number, steps: number, opts?: TensorOptions): Tensor {
  const o = checkOptions(opts, FILL_OPTIONS, 'linspace');
  expectNumber(start, 'linspace', 'start', { finite: true });
  expectNumber(end, 'linspace', 'end', { finite: true });
  expectNumber(steps, 'linspace', 'steps', { integer: true, min: 0 });
  const dtype = resolveDType(o.dtype, 'float32', 'linspace');
  const data = allocateFor('linspace', dtype, [steps]);
  const delta = steps > 1 ? (end - start) / (steps - 1) : 0;
  // Fill the second half from the end, as PyTorch does, so both endpoints are exact.
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) {
    const v = i < half ? start + i * delta : end - (steps - 1 - i) * delta;
    if (dtype === 'int32') checkInt32(v, 'linspace');
    data[i] = v;
  }
  return finish(data, [steps], dtype, o.requiresGrad, 'linspace');
}

export function eye(n: number, m: number = n, opts?: TensorOptions): Tensor {
  const o = checkOptions(opts, FILL_OPTIONS, 'eye');
  expectNumber(n, 'eye', 'n', { integer: true, min: 0 });
  expectNumber(m, 'eye', 'm', { integer: true, min: 0 });
  const dtype = resolveDType(o.dtype, 'float32', 'eye');
  const data = allocateFor('eye', dtype, [n, m]);
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
  return finish(data, [n, m], dtype, o.requiresGrad, 'eye');
}

function generatorOf(g: unknown, op: string): Generator {
  if (g === undefined) return defaultGenerator;
  if (!(g instanceof Generator)) throw new Error(`${op}: generator must be a Generator, got ${describeValue(g)}`);
  return g;
}

function randomTensor(op: string, shape: readonly number[], opts: RandomOptions | undefined, fallback: DType, draw: (g: Generator) => number): Tensor {
  const o = checkOptions(opts, RANDOM_OPTIONS, op);
  const s = expectShape(shape, op);
  const dtype = resolveDType(o.dtype, fallback, op);
  if (dtype === 'int32' && fallback !== 'int32') throw new Error(`${op}: samples are floats; dtype must be float32 or float64, got int32`);
  const g = generatorOf(o.generator, op);
  const data = allocateFor(op, dtype, s);
  for (let i = 0; i < data.length; i++) data[i] = draw(g);
  return finish(data, s, dtype, o.requiresGrad, op);
}

/** Uniform samples in [0, 1). */
export function rand(shape: readonly number[], opts?: RandomOptions): Tensor {
  return randomTensor('rand', shape, opts, 'float32', (g) => g.random());
}

/** Standard normal samples. */
export function randn(shape: readonly number[], opts?: RandomOptions): Tensor {
  return randomTensor('randn', shape, opts, 'float32', (g) => g.normal());
}

/** Integers in [low, high); dtype int32 unless given. */
export function randint(low: number, high: number, shape: readonly number[], opts?: RandomOptions): Tensor {
  expectNumber(low, 'randint', 'low', { integer: true });
  expectNumber(high, 'randint', 'high', { integer: true });
  if (high <= low) throw new Error(`randint: need low < high, got low=${low}, high=${high}`);
  if (opts?.dtype === undefined || opts.dtype === 'int32') {
    checkInt32(low, 'randint');
    checkInt32(high - 1, 'randint');
  }
  return randomTensor('randint', shape, opts, 'int32', (g) => g.integer(low, high));
}

/** A random permutation of 0..n-1 (int32), by Fisher–Yates. */
export function randperm(n: number, opts?: RandomOptions): Tensor {
  const o = checkOptions(opts, RANDOM_OPTIONS, 'randperm');
  expectNumber(n, 'randperm', 'n', { integer: true, min: 0 });
  const dtype = resolveDType(o.dtype, 'int32', 'randperm');
  if (dtype === 'int32') checkInt32(n, 'randperm');
  const g = generatorOf(o.generator, 'randperm');
  const data = allocateFor('randperm', dtype, [n]);
  for (let i = 0; i < n; i++) data[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = g.integer(0, i + 1);
    const tmp = data[i];
    data[i] = data[j];
    data[j] = tmp;
  }
  return finish(data, [n], dtype, o.requiresGrad, 'randperm');
}

/** Options of `randLike`/`randnLike`: dtype (default: the tensor's; must be a float type), generator, requiresGrad. */
export type RandomLikeOptions = Pick<RandomOptions, 'dtype' | 'generator' | 'requiresGrad'>;

function randomLike(op: string, t: Tensor, opts: RandomLikeOptions | undefined, draw: (g: Generator) => number): Tensor {
  if (!(t instanceof Tensor)) throw new Error(`${op}: expected a Tensor, got ${describeValue(t)}`);
  checkOptions(opts, ['dtype', 'generator', 'requiresGrad'], op);
  const dtype = opts?.dtype ?? t.dtype;
  if (dtype === 'int32') throw new Error(`${op}: samples are floats, so dtype int32 is not supported (the tensor has shape ${fmtShape(t.shape)}); pass { dtype: 'float32' } or use randint`);
  return randomTensor(op, t.shape, { ...opts, dtype }, dtype, draw);
}

/** Uniform samples in [0, 1) with the shape (and, by default, the dtype) of `t`. */
export function randLike(t: Tensor, opts?: RandomLikeOptions): Tensor {
  return randomLike('randLike', t, opts, (g) => g.random());
}

/** Standard normal samples with the shape (and, by default, the dtype) of `t`. */
export function randnLike(t: Tensor, opts?: RandomLikeOptions): Tensor {
  return randomLike('randnLike', t, opts, (g) => g.normal());
}
