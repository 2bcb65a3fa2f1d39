/** dtype conversion and copying. */
import { Tensor } from '../tensor.js';
import { record } from '../autograd/node.js';
import { allocate, fitsInt32, isDType, type DType } from '../dtype.js';
import { describeValue } from '../describe.js';
import { defineOp } from './registry.js';

export const cast = /* @__PURE__ */ defineOp({
  name: 'cast', family: 'dtype', differentiable: true, primitive: true,
  summary: 'converts to another dtype (`to` is an alias); to int32 truncates toward zero and stops gradients', grad: 'g cast back to the input dtype',
}, (x: Tensor, dtype: DType): Tensor => {
  if (!(x instanceof Tensor)) throw new Error(`cast: expected a Tensor, got ${describeValue(x)}`);
  if (!isDType(dtype)) throw new Error(`cast: unknown dtype ${describeValue(dtype)} (use 'float32', 'float64' or 'int32')`);
  if (x.dtype === dtype) return x;
  const data = allocate(dtype, x.size, x.shape);
  if (dtype === 'int32') {
    // Truncation toward zero, like PyTorch; a value with no int32 truncation (NaN, ±Infinity, beyond ±2³¹) is an error
    // here, where PyTorch's result is undefined behaviour.
    for (let i = 0; i < data.length; i++) {
      const v = Math.trunc(x.data[i]);
      if (!fitsInt32(v)) throw new Error(`cast: value ${x.data[i]} at flat index ${i} of a tensor of shape [${x.shape.join(', ')}] cannot be converted to int32`);
      data[i] = v;
    }
    return new Tensor(data, x.shape, dtype);
  }
  data.set(x.data as ArrayLike<number>);
  const out = new Tensor(data, x.shape, dtype);
  if (x.dtype === 'int32') return out;
  return record('cast', out, [x], (g) => [cast(g, x.dtype)], []);
});

export const clone = /* @__PURE__ */ defineOp({
  name: 'clone', family: 'dtype', differentiable: true, primitive: true,
  summary: 'a copy with its own storage', grad: 'g',
}, (x: Tensor): Tensor => {
  if (!(x instanceof Tensor)) throw new Error(`clone: expected a Tensor, got ${describeValue(x)}`);
  const data = allocate(x.dtype, x.size, x.shape);
  data.set(x.data as ArrayLike<number>);
  return record('clone', new Tensor(data, x.shape, x.dtype), [x], (g) => [g], []);
});

/** For ops that have no integer form (exp, mean, softmax, …): int32 computes in float32; float tensors pass through. */
export function asFloat(x: Tensor, op: string): Tensor {
  if (!(x instanceof Tensor)) throw new Error(`${op}: expected a Tensor, got ${describeValue(x)}`);
  return x.dtype === 'int32' ? cast(x, 'float32') : x;
}
