/**
 * The graph: every op result that needs a gradient carries a GradNode naming its op, its inputs and its
 * vector-Jacobian product. `record` is the single place an op joins the graph.
 */
import type { Tensor } from '../tensor.js';
import { isForwardChecked, isGradEnabled } from './grad-mode.js';
import { fmtShape } from '../shape.js';

/**
 * Vector-Jacobian product: given the gradient of the loss w.r.t. the op's output, returns the gradient w.r.t. each input
 * (null where `needs[i]` is false or the input is not differentiable). Written with tensor ops, so it is differentiable itself.
 * A returned gradient may have the broadcast (output) shape; the engine sums it back to the input's shape.
 */
export type Vjp = (grad: Tensor, needs: readonly boolean[]) => (Tensor | null | undefined)[];

export interface GradNode {
  readonly op: string;
  inputs: Tensor[];
  vjp: Vjp | null;
  /** Tensors whose values the vjp reads, and the storage version each had when the op ran. */
  saved: readonly Tensor[];
  versions: readonly number[];
}

/** Marker for `record`'s `saved` argument: the vjp reads the op's inputs and its output (the safe default). */
export const SAVES_ALL: unique symbol = Symbol('SAVES_ALL');

/**
 * Joins `out` to the graph when grad mode is on and an input requires grad. `saved` lists the tensors whose *values*
 * the vjp reads (an input, the output, or another tensor the closure holds such as `where`'s condition): their versions
 * are remembered, and backward refuses to run the vjp once one of them was modified in place. Ops whose vjp needs only
 * shapes pass `[]`. Omitted, every input and the output count as saved, which can only make an error too eager.
 */
export function record(op: string, out: Tensor, inputs: Tensor[], vjp: Vjp, saved: readonly Tensor[] | typeof SAVES_ALL = SAVES_ALL): Tensor {
  if (isForwardChecked()) checkFinite(out, `forward of '${op}'`);
  if (!isGradEnabled()) return out;
  for (let i = 0; i < inputs.length; i++) {
    if (inputs[i].requiresGrad) {
      const list = saved === SAVES_ALL ? [...inputs, out] : saved;
      const versions = new Array<number>(list.length);
      for (let k = 0; k < list.length; k++) versions[k] = list[k]._storage.version;
      out._node = { op, inputs, vjp, saved: list, versions };
      out._requiresGrad = true;
      return out;
    }
  }
  return out;
}

/**
 * Throws, like PyTorch, when a tensor `node`'s vjp saved was modified in place after the op ran: its values are no
 * longer the ones the gradient formula needs.
 */
export function checkSavedVersions(node: GradNode, out: Tensor, where: string): void {
  const { saved, versions } = node;
  for (let k = 0; k < saved.length; k++) {
    const t = saved[k];
    if (t._storage.version !== versions[k]) {
      const role = t === out ? 'its output' : node.inputs.includes(t) ? `its input ${node.inputs.indexOf(t)}` : 'a tensor it saved';
      throw new Error(
        `${where}: one of the variables needed for gradient computation has been modified by an inplace operation: ` +
        `'${node.op}' saved ${role} (shape ${fmtShape(t.shape)}) at version ${versions[k]}, and it is now at version ${t._storage.version}. ` +
        `Hint: clone() the tensor before modifying it in place, or modify it under noGrad before the forward pass that uses it.`,
      );
    }
  }
}

export function checkFinite(t: Tensor, what: string): void {
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (v !== v || v === Infinity || v === -Infinity) {
      throw new Error(`anomaly detected: ${what} produced ${v} at flat index ${i} (shape ${fmtShape(t.shape)})`);
    }
  }
}
