/**
 * Every public op declares itself here as it is defined, with a one-line summary and its derivative rule. The registry
 * is what the gradient-check suite checks for completeness and what docs/ops.md is generated from — there is no
 * separate hand-kept list to drift.
 */
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

export function defineOp<F extends (...args: never[]) => unknown>(info: OpInfo, fn: F): F {
  if (registry.has(info.name)) throw new Error(`defineOp: op '${info.name}' is declared twice`);
  registry.set(info.name, info);
  Object.defineProperty(fn, 'name', { value: info.name });
  return fn;
}

export function listOps(): OpInfo[] {
  return [...registry.values()];
}
