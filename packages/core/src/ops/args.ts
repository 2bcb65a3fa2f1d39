/** Argument checks shared by the op families added for sequence models; every message names the op the user called. */
import { Tensor } from '../tensor.js';
import { describeValue } from '../validate.js';

export function expectTensor(x: unknown, op: string, what = 'input'): Tensor {
  if (!(x instanceof Tensor)) throw new Error(`${op}: ${what} must be a Tensor, got ${describeValue(x)}`);
  return x;
}

export function expectInt(v: unknown, op: string, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`${op}: ${what} must be an integer, got ${describeValue(v)}`);
  return v;
}

/** Rejects anything but a plain object (or undefined) as an options argument, and unknown keys in it. */
export function expectOptions<T extends object>(opts: T | undefined, known: readonly string[], op: string): Partial<T> {
  if (opts === undefined) return {};
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts) || opts instanceof Tensor) {
    throw new Error(`${op}: options must be an object like { ${known.join(', ')} }, got ${describeValue(opts)}`);
  }
  for (const key of Object.keys(opts)) {
    if (!known.includes(key)) throw new Error(`${op}: unknown option '${key}' (known: ${known.join(', ')})`);
  }
  return opts;
}

export function expectBool(v: unknown, op: string, what: string): boolean {
  if (typeof v !== 'boolean') throw new Error(`${op}: ${what} must be true or false, got ${describeValue(v)}`);
  return v;
}
