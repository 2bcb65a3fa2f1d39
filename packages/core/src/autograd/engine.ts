/**
 * Reverse-mode engine. Orders the graph by an iterative depth-first search (no recursion, so 10⁶-node chains are fine),
 * then walks it in reverse topological order calling each node's vjp. This is also the one place where a gradient is
 * summed back over broadcast dimensions and checked against its input's shape.
 */
import { Tensor } from '../tensor.js';
import type { Storage } from '../kernels/types.js';
import { checkFinite, checkSavedVersions, type GradNode } from './node.js';
import { enterVjp, exitVjp, isAnomalyEnabled, setGradEnabled, isGradEnabled } from './grad-mode.js';
import { broadcastsTo, fmtShape, sameShape } from '../shape.js';
import { sumTo } from '../ops/reduce.js';
import { accumulateK } from '../kernels/inplace.js';
import type { FloatArray } from '../kernels/types.js';
import { add } from '../ops/binary.js';
import { cast, clone } from '../ops/cast.js';
import { onesLike } from '../creation.js';
import { describeValue } from '../describe.js';
import { checkOptions, expectBoolean } from '../validate.js';

export interface BackwardOptions {
  /** Keep the graph so backward can run through it again. Default: false (the graph is released). */
  retainGraph?: boolean;
  /** Record the backward computation itself, so the gradients can be differentiated again. Default: false. */
  createGraph?: boolean;
}

export interface GradOptions extends BackwardOptions {
  /** Return null (PyTorch's None) for an input that the outputs do not depend on, instead of throwing. Default: false. */
  allowUnused?: boolean;
}

/** Walk counter: a tensor's `_mark` equals the current walk's number once visited (cheaper than a Set). */
let epoch = 0;

/** Tensors reachable from `roots` through nodes that require grad, in topological order (inputs before outputs). */
export function topoSort(roots: readonly Tensor[]): Tensor[] {
  const mark = ++epoch;
  const order: Tensor[] = [];
  const stack: Tensor[] = [];
  const next: number[] = [];
  for (const root of roots) {
    if (root._mark === mark || !root.requiresGrad) continue;
    root._mark = mark;
    stack.push(root);
    next.push(0);
    while (stack.length > 0) {
      const top = stack.length - 1;
      const t = stack[top];
      const inputs = t._node ? t._node.inputs : EMPTY;
      let i = next[top];
      while (i < inputs.length && (inputs[i]._mark === mark || !inputs[i].requiresGrad)) i++;
      if (i < inputs.length) {
        next[top] = i + 1;
        const child = inputs[i];
        child._mark = mark;
        stack.push(child);
        next.push(0);
      } else {
        stack.pop();
        next.pop();
        t._topo = order.length;
        order.push(t);
      }
    }
  }
  return order;
}

const EMPTY: Tensor[] = [];

function checkRootGradient(root: Tensor, g: Tensor | undefined, op: string): Tensor {
  if (!root.requiresGrad) {
    throw new Error(`${op}: the tensor (shape ${fmtShape(root.shape)}) does not require grad and has no graph; set requiresGrad on its inputs`);
  }
  if (g === undefined) {
    if (root.size !== 1) {
      throw new Error(`${op}: a gradient is needed for a non-scalar output of shape ${fmtShape(root.shape)}; pass backward(gradient) with that shape (or reduce the output, e.g. .sum())`);
    }
    return onesLike(root);
  }
  if (!(g instanceof Tensor)) throw new Error(`${op}: gradient must be a Tensor, got ${describeValue(g)}`);
  if (!sameShape(g.shape, root.shape)) {
    throw new Error(`${op}: gradient has shape ${fmtShape(g.shape)} but the output has shape ${fmtShape(root.shape)}`);
  }
  return g.dtype === root.dtype ? g : cast(g, root.dtype);
}

/** Brings a vjp's result to its input's shape and dtype; the single place broadcasting is undone. */
function fitGradient(node: GradNode, k: number, g: Tensor, input: Tensor): Tensor {
  if (!(g instanceof Tensor)) throw new Error(`backward of '${node.op}': vjp returned a non-tensor for input ${k}`);
  if (!sameShape(g.shape, input.shape)) {
    if (!broadcastsTo(input.shape, g.shape)) {
      throw new Error(`backward of '${node.op}': gradient for input ${k} has shape ${fmtShape(g.shape)} but the input has shape ${fmtShape(input.shape)}`);
    }
    g = sumTo(g, input.shape);
  }
  return g.dtype === input.dtype ? g : cast(g, input.dtype);
}

/**
 * Core of backward and grad(). With `capture`, gradients of those tensors are returned instead of accumulated into `.grad`.
 * All or nothing: versions of saved tensors are checked before any vjp runs, `.grad` fields are written only once every
 * vjp has succeeded, and the graph is released only then, so a backward that throws can be fixed and run again.
 */
function run(roots: readonly Tensor[], rootGrads: Tensor[], opts: BackwardOptions, op: string, capture?: readonly Tensor[]): Map<Tensor, Tensor> {
  for (const key of ['retainGraph', 'createGraph', 'allowUnused'] as const) {
    const v = (opts as GradOptions)[key];
    if (v !== undefined) expectBoolean(v, op, key);
  }
  const retain = opts.retainGraph ?? opts.createGraph ?? false;
  const create = opts.createGraph ?? false;
  const order = topoSort(roots);
  for (const t of order) if (t._node !== null && t._node.vjp !== null) checkSavedVersions(t._node, t, op);
  const grads: (Tensor | undefined)[] = new Array(order.length);
  // owned[i] = 1 while grads[i] is a sum this walk allocated and no vjp, hook or caller has seen: further gradients for
  // that tensor are added into it in place instead of allocating a new sum each time (a weight used at every step of a
  // sequence). Never under createGraph, where every sum must be a recorded op.
  const owned = new Uint8Array(order.length);
  const acc: Accumulator = { grads, owned, order, create };
  const captureSet = capture ? new Set(capture) : null;
  const captured = new Map<Tensor, Tensor>();
  const stored: [Tensor, Tensor][] = [];
  const used: GradNode[] = [];
  // Storage that someone else may hold or see (a root gradient, a tensor a hook saw or returned, an already stored
  // .grad). A gradient on such storage is copied before it becomes a .grad, so updating one .grad in place (clipping,
  // optimizers) never changes another tensor; freshly computed gradients are stored without a copy.
  const exposed = new Set<Storage>();
  for (const g of rootGrads) exposed.add(g.data);
  const prevMode = isGradEnabled();
  setGradEnabled(create);
  try {
    for (let i = 0; i < roots.length; i++) accumulate(acc, roots[i], rootGrads[i]);
    for (let idx = order.length - 1; idx >= 0; idx--) {
      const t = order[idx];
      let g = grads[idx];
      if (g === undefined) continue;
      grads[idx] = undefined;
      owned[idx] = 0;
      if (t._hooks) g = runHooks(t, g, exposed);
      if (captureSet) {
        if (captureSet.has(t)) captured.set(t, g);
      } else if (t._node === null || t._retainGrad) {
        stored.push([t, g]);
      }
      const node = t._node;
      if (node === null) continue;
      if (node.vjp === null) {
        throw new Error(`${op}: trying to backward through the graph a second time (op '${node.op}', shape ${fmtShape(t.shape)}); its saved values were freed. Pass { retainGraph: true } to the first backward call.`);
      }
      const inputs = node.inputs;
      const needs = inputs.map((x) => x.requiresGrad);
      let res: ReturnType<NonNullable<GradNode['vjp']>>;
      enterVjp();
      try {
        res = node.vjp(g, needs);
      } finally {
        exitVjp();
      }
      if (!Array.isArray(res)) throw new Error(`backward of '${node.op}': vjp returned ${res === null ? 'null' : typeof res}, expected an array with one gradient per input`);
      for (let k = 0; k < inputs.length; k++) {
        const gk = res[k];
        if (!needs[k] || gk === null || gk === undefined) continue;
        const fitted = fitGradient(node, k, gk, inputs[k]);
        if (isAnomalyEnabled()) checkFinite(fitted, `backward of '${node.op}' (gradient for input ${k})`);
        accumulate(acc, inputs[k], fitted);
      }
      used.push(node);
    }
  } finally {
    setGradEnabled(prevMode);
  }
  // Every vjp succeeded: now (and only now) gradients become visible and the graph is released.
  for (const [t, g] of stored) {
    if (t.grad) t.grad = add(t.grad, g);
    else {
      t.grad = create || !exposed.has(g.data) ? g : clone(g);
      exposed.add(t.grad.data);
    }
  }
  if (!retain) {
    for (const node of used) {
      node.vjp = null;
      node.inputs = EMPTY;
      node.saved = EMPTY;
    }
  }
  return captured;
}

/** Passes `g` through `t`'s hooks; a hook may return a replacement of the same shape and dtype (as in PyTorch). */
function runHooks(t: Tensor, g: Tensor, exposed: Set<Storage>): Tensor {
  for (const hook of t._hooks ?? EMPTY_HOOKS) {
    exposed.add(g.data);
    const r = hook(g);
    if (r === undefined) continue;
    if (!(r instanceof Tensor)) throw new Error(`registerHook: a hook returned ${r === null ? 'null' : typeof r}, expected a Tensor of shape ${fmtShape(t.shape)} (or nothing)`);
    if (!sameShape(r.shape, t.shape)) throw new Error(`registerHook: a hook returned shape ${fmtShape(r.shape)}, expected a tensor of shape ${fmtShape(t.shape)}`);
    if (r.dtype !== g.dtype) throw new Error(`registerHook: a hook changed the gradient's dtype from ${g.dtype} to ${r.dtype} (shape ${fmtShape(t.shape)}); return a ${g.dtype} tensor`);
    g = r;
    exposed.add(g.data);
  }
  return g;
}

const EMPTY_HOOKS: readonly ((g: Tensor) => Tensor | void | undefined)[] = [];

interface Accumulator {
  readonly grads: (Tensor | undefined)[];
  readonly owned: Uint8Array;
  readonly order: readonly Tensor[];
  readonly create: boolean;
}

/**
 * Adds `g` to the gradient gathered so far for `t`. The first arrival is kept as it is (a vjp's result may be shared,
 * e.g. add's vjp hands the same g to both inputs); the second allocates a fresh sum, which the walk then owns, and every
 * later one is added into that sum in place. `g` has t's shape and dtype (fitGradient), so the sum has them too.
 */
function accumulate(acc: Accumulator, t: Tensor, g: Tensor): void {
  const { grads, owned, order } = acc;
  // A backward started inside a hook re-numbers shared tensors; fall back to a search in that rare case.
  const pos = order[t._topo] === t ? t._topo : order.indexOf(t);
  const prev = grads[pos];
  if (prev === undefined) grads[pos] = g;
  else if (owned[pos] === 1) accumulateK(prev.data as FloatArray, g.data as FloatArray);
  else {
    grads[pos] = add(prev, g);
    if (!acc.create) owned[pos] = 1;
  }
}

export function backward(roots: readonly Tensor[], gradients: readonly Tensor[] | undefined, opts: BackwardOptions): void {
  const rootGrads = roots.map((r, i) => checkRootGradient(r, gradients?.[i], 'backward'));
  run(roots, rootGrads, opts, 'backward');
}

/** `v` as a non-empty list of tensors: one Tensor or an array of them. */
function tensorList(v: unknown, what: string): Tensor[] {
  if (v instanceof Tensor) return [v];
  if (!Array.isArray(v) || v.length === 0) throw new Error(`grad: ${what} must be a Tensor or a non-empty array of Tensors, got ${describeValue(v)}`);
  v.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new Error(`grad: ${what}[${i}] must be a Tensor, got ${describeValue(t)}`);
  });
  return [...v];
}

/**
 * Gradients of `outputs` w.r.t. `inputs` (like torch.autograd.grad), returned rather than accumulated into `.grad`.
 * With `createGraph: true` the results are themselves differentiable (Hessian-vector products, gradient penalties).
 * An input the outputs do not depend on is an error, or, with `allowUnused: true`, gives null (PyTorch's None).
 */
export function grad(
  outputs: Tensor | readonly Tensor[], inputs: Tensor | readonly Tensor[],
  gradOutputs?: Tensor | readonly (Tensor | undefined)[] | null, opts?: GradOptions & { allowUnused?: false },
): Tensor[];
export function grad(
  outputs: Tensor | readonly Tensor[], inputs: Tensor | readonly Tensor[],
  gradOutputs: Tensor | readonly (Tensor | undefined)[] | null | undefined, opts: GradOptions,
): (Tensor | null)[];
export function grad(
  outputs: Tensor | readonly Tensor[], inputs: Tensor | readonly Tensor[],
  gradOutputs?: Tensor | readonly (Tensor | undefined)[] | null, opts: GradOptions = {},
): (Tensor | null)[] {
  const o = checkOptions(opts, ['retainGraph', 'createGraph', 'allowUnused'], 'grad');
  const outs = tensorList(outputs, 'outputs');
  const ins = tensorList(inputs, 'inputs');
  if (gradOutputs !== undefined && gradOutputs !== null && !(gradOutputs instanceof Tensor) && !Array.isArray(gradOutputs)) {
    throw new Error(`grad: gradOutputs must be a Tensor, an array of Tensors (undefined for scalar outputs) or null, got ${describeValue(gradOutputs)}`);
  }
  const gos = gradOutputs instanceof Tensor ? [gradOutputs] : gradOutputs ?? [];
  if (gos.length > outs.length) throw new Error(`grad: ${gos.length} gradOutputs for ${outs.length} outputs`);
  ins.forEach((x, i) => {
    if (!x.requiresGrad) throw new Error(`grad: input ${i} (shape ${fmtShape(x.shape)}) does not require grad`);
  });
  const rootGrads = outs.map((out, i) => checkRootGradient(out, gos[i], 'grad'));
  const captured = run(outs, rootGrads, o, 'grad', ins);
  return ins.map((x, i) => {
    const g = captured.get(x);
    if (g !== undefined) return g;
    if (!o.allowUnused) throw new Error(`grad: input ${i} (shape ${fmtShape(x.shape)}) was not used to compute the outputs; pass { allowUnused: true } to get null for it`);
    return null;
  });
}
