/**
 * Argument checks shared by the public entry points of core and nn, so every message names the function the user called
 * and describes the offending value. Each check returns normally or throws a plain Error (never a TypeError/RangeError
 * from deep inside a kernel).
 */
import { Tensor } from './tensor.js';
import { describeValue } from './describe.js';
import { isDType, type DType } from './dtype.js';
import { Generator } from './random.js';

export { describeValue };

/** True for `{ ... }` literals and null-prototype objects (not arrays, tensors, class instances or typed arrays). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Rejects option keys a function does not know (a typo such as `{ retainGrpah: true }` must not pass silently). */
export function checkOptionKeys(opts: object, known: readonly string[], fn: string): void {
  for (const key of Object.keys(opts)) {
    if (!known.includes(key)) throw new Error(`${fn}: unknown option '${key}' (known: ${known.join(', ')})`);
  }
}

/**
 * An options argument: undefined (→ `{}`) or a plain object whose keys are all in `known`. Returns it typed, so
 * `const { dtype } = checkOptions(opts, ['dtype'], 'zeros')` reads in one line.
 */
export function checkOptions<T extends object>(opts: T | undefined | null, known: readonly string[], fn: string): Partial<T> {
  if (opts === undefined) return {};
  if (!isPlainObject(opts)) throw new Error(`${fn}: options must be an object like { ${known.join(', ')} }, got ${describeValue(opts)}`);
  checkOptionKeys(opts, known, fn);
  return opts;
}

/** Throws unless `x` is a Tensor. */
export function expectTensor(x: unknown, fn: string, what = 'input'): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new Error(`${fn}: ${what} must be a Tensor, got ${describeValue(x)}`);
}

export interface NumberConstraints {
  /** Require an integer (which also excludes NaN and ±Infinity). */
  integer?: boolean;
  /** Require a finite number. */
  finite?: boolean;
  /** Inclusive bounds. */
  min?: number;
  max?: number;
  /** Exclusive lower bound (e.g. 0 for "must be > 0"). */
  above?: number;
}

/** Throws unless `v` is a number (not NaN) meeting the constraints; `what` names the argument in the message. */
export function expectNumber(v: unknown, fn: string, what: string, c: NumberConstraints = {}): number {
  const kind = c.integer ? 'an integer' : c.finite ? 'a finite number' : 'a number';
  const range = c.min !== undefined && c.max !== undefined ? ` in [${c.min}, ${c.max}]` : c.min !== undefined ? ` >= ${c.min}` : c.max !== undefined ? ` <= ${c.max}`
    : c.above !== undefined ? ` > ${c.above}` : '';
  const ok = typeof v === 'number' && !Number.isNaN(v) && (!c.integer || Number.isSafeInteger(v)) && (!c.finite || Number.isFinite(v)) &&
    (c.min === undefined || v >= c.min) && (c.max === undefined || v <= c.max) && (c.above === undefined || v > c.above);
  if (!ok) throw new Error(`${fn}: ${what} must be ${kind}${range}, got ${describeValue(v)}`);
  return v as number;
}

export function expectBoolean(v: unknown, fn: string, what: string): boolean {
  if (typeof v !== 'boolean') throw new Error(`${fn}: ${what} must be true or false, got ${describeValue(v)}`);
  return v;
}

/** A shape: an array of non-negative (safe) integers. Returns a copy. */
export function expectShape(shape: unknown, fn: string, what = 'shape'): number[] {
  if (!Array.isArray(shape)) throw new Error(`${fn}: ${what} must be an array of non-negative integers, got ${describeValue(shape)}`);
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new Error(`${fn}: invalid ${what} ${describeValue(shape)} (dimensions must be non-negative integers, got ${describeValue(d)})`);
    }
  }
  return shape.slice();
}

/** A dtype name: 'float32', 'float64' or 'int32' (only the float ones with `float`, e.g. for trainable parameters). */
export function expectDType(v: unknown, fn: string, what = 'dtype', { float = false }: { float?: boolean } = {}): DType {
  if (!isDType(v) || (float && v === 'int32')) {
    throw new Error(`${fn}: ${what} must be ${float ? "'float32' or 'float64'" : "'float32', 'float64' or 'int32'"}, got ${describeValue(v)}`);
  }
  return v;
}

/** An optional generator option: undefined or a Generator. */
export function expectGenerator(v: unknown, fn: string, what = 'generator'): Generator | undefined {
  if (v !== undefined && !(v instanceof Generator)) throw new Error(`${fn}: ${what} must be a Generator, got ${describeValue(v)}`);
  return v;
}
