/**
 * Every public op declares itself here as it is defined, with a one-line summary and its derivative rule. The registry
 * is what the gradient-check suite checks for completeness and what docs/ops.md is generated from — there is no
 * separate hand-kept list to drift.
 */
import { AllocationError } from '../dtype.js';
export type OpFamily = 'unary' | 'binary' | 'comparison' | 'reduction' | 'scan' | 'linalg' | 'shape' | 'indexing' | 'activation' | 'dtype' | 'sampling' | 'nn' | 'convolution' | 'pooling';

export interface OpInfo {
  name: string;
  family: OpFamily;
  /** Whether gradients flow through the op. */
  differentiable: boolean;
  /** Primitive ops have a vjp of their own; composites are built from other ops. */
  primitive: boolean;
  summary: string;
  /** The derivative rule, written as a formula in terms of the upstream gradient g (empty for non-differentiable ops). */
  grad: string;
}

const registry = new Map<string, OpInfo>();

/**
 * Declares an op: registers its info and returns `fn` wrapped so that a tensor too large to allocate anywhere inside
 * it is reported under this op's name. Ops nest (std calls var calls sum); the outermost one renames the error last,
 * so the message names the function the user called and the shape it asked for.
 */
export function defineOp<F extends (...args: never[]) => unknown>(info: OpInfo, fn: F): F {
  if (registry.has(info.name)) throw new Error(`defineOp: op '${info.name}' is declared twice`);
  registry.set(info.name, info);
  const name = info.name;
  const op = function (this: unknown, ...args: never[]): unknown {
    try {
      return fn.apply(this, args);
    } catch (e) {
      throw e instanceof AllocationError ? e.named(name) : e;
    }
  };
  Object.defineProperty(op, 'name', { value: name });
  return op as unknown as F;
}

export function listOps(): OpInfo[] {
  return [...registry.values()];
}
