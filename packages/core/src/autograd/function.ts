/** The custom-op API: a user-defined differentiable function from a forward and a vjp. */
import { Tensor } from '../tensor.js';
import { record } from './node.js';
import { noGrad } from './grad-mode.js';

export interface CustomOpSpec {
  /** Shown in errors, printing and graph drawings. */
  name: string;
  /** Computes the output; runs without recording a graph, so it may use any tensor ops (or raw typed-array loops). */
  forward: (...inputs: Tensor[]) => Tensor;
  /**
   * The vector-Jacobian product: given the output's gradient, returns one gradient per input (null for none). Write it
   * with tensor ops and it is differentiable again (createGraph / Hessian-vector products work).
   */
  backward: (grad: Tensor, inputs: readonly Tensor[], output: Tensor) => (Tensor | null | undefined)[];
}

export function customOp(spec: CustomOpSpec): (...inputs: Tensor[]) => Tensor {
  if (!spec || typeof spec.name !== 'string' || typeof spec.forward !== 'function' || typeof spec.backward !== 'function') {
    throw new Error('customOp: expected { name: string, forward(...inputs), backward(grad, inputs, output) }');
  }
  const fn = (...inputs: Tensor[]): Tensor => {
    inputs.forEach((x, i) => {
      if (!(x instanceof Tensor)) throw new Error(`${spec.name}: input ${i} must be a Tensor`);
    });
    const raw = noGrad(() => spec.forward(...inputs));
    if (!(raw instanceof Tensor)) throw new Error(`${spec.name}: forward must return a Tensor`);
    // A fresh wrapper, so recording never touches a tensor the forward may have returned as-is (e.g. an input).
    const out = raw._view(raw.shape);
    return record(spec.name, out, inputs, (g) => {
      const res = spec.backward(g, inputs, out);
      if (!Array.isArray(res) || res.length !== inputs.length) {
        throw new Error(`${spec.name}: backward must return an array with one gradient (or null) per input (${inputs.length})`);
      }
      return res;
    });
  };
  Object.defineProperty(fn, 'name', { value: spec.name });
  return fn;
}
