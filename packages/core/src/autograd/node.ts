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
}

export function record(op: string, out: Tensor, inputs: Tensor[], vjp: Vjp): Tensor {
  if (isForwardChecked()) checkFinite(out, `forward of '${op}'`);
  if (!isGradEnabled()) return out;
  for (let i = 0; i < inputs.length; i++) {
    if (inputs[i].requiresGrad) {
      out._node = { op, inputs, vjp };
      out._requiresGrad = true;
      return out;
    }
  }
  return out;
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
