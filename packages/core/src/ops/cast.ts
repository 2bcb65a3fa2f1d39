/** dtype conversion and copying. */
import { Tensor } from '../tensor.js';
import { record } from '../autograd/node.js';
import { allocate, isDType, type DType } from '../dtype.js';
import { defineOp } from './registry.js';

export const cast = defineOp({
  name: 'cast', family: 'dtype', differentiable: true, primitive: true,
  summary: 'converts to another dtype (`to` is an alias); to int32 truncates and stops gradients', grad: 'g cast back to the input dtype',
}, (x: Tensor, dtype: DType): Tensor => {
  if (!isDType(dtype)) throw new Error(`cast: unknown dtype '${String(dtype)}' (use 'float32', 'float64' or 'int32')`);
  if (x.dtype === dtype) return x;
  const data = allocate(dtype, x.size);
  if (dtype === 'int32') {
    for (let i = 0; i < data.length; i++) data[i] = Math.trunc(x.data[i]);
    return new Tensor(data, x.shape, dtype);
  }
  data.set(x.data as ArrayLike<number>);
  const out = new Tensor(data, x.shape, dtype);
  if (x.dtype === 'int32') return out;
  return record('cast', out, [x], (g) => [cast(g, x.dtype)], []);
});

export const clone = defineOp({
  name: 'clone', family: 'dtype', differentiable: true, primitive: true,
  summary: 'a copy with its own storage', grad: 'g',
}, (x: Tensor): Tensor => {
  const data = allocate(x.dtype, x.size);
  data.set(x.data as ArrayLike<number>);
  return record('clone', new Tensor(data, x.shape, x.dtype), [x], (g) => [g], []);
});

/** int32 tensors compute in float32 (see dtype.ts); float tensors pass through untouched. */
export function asFloat(x: Tensor, op: string): Tensor {
  if (!(x instanceof Tensor)) throw new Error(`${op}: expected a Tensor, got ${x === null ? 'null' : typeof x}`);
  return x.dtype === 'int32' ? cast(x, 'float32') : x;
}
