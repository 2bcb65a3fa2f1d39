/**
 * Argument checks for the op families added for sequence models, in the shape those files call them (returning the
 * checked value). They are validate.ts's checks, so every message reads the same and names the op the user called.
 */
import type { Tensor } from '../tensor.js';
import * as V from '../validate.js';

export function expectTensor(x: unknown, op: string, what = 'input'): Tensor {
  V.expectTensor(x, op, what);
  return x;
}

export function expectInt(v: unknown, op: string, what: string): number {
  return V.expectNumber(v, op, what, { integer: true });
}

/** Rejects anything but a plain object (or undefined) as an options argument, and unknown keys in it. */
export function expectOptions<T extends object>(opts: T | undefined, known: readonly string[], op: string): Partial<T> {
  return V.checkOptions(opts, known, op);
}

export function expectBool(v: unknown, op: string, what: string): boolean {
  return V.expectBoolean(v, op, what);
}
