/**
 * Truth tests and logical reductions. Results are int32 0/1, like the comparison ops (tensorgrad has no bool dtype), and
 * record no graph: their derivative is zero wherever it exists.
 */
import { Tensor, type Axis } from '../tensor.js';
import { isfiniteK, isnanK, nonzeroK } from '../kernels/logical.js';
import { reduceAxis, ReduceCode } from '../kernels/reduce.js';
import type { FloatArray } from '../kernels/types.js';
import { allocate, floatDType } from '../dtype.js';
import { normAxes, reducedShape, sizeOf } from '../shape.js';
import { defineOp } from './registry.js';
import { expectTensor } from './args.js';

function elementwise(name: string, summary: string, kernel: (x: Tensor['data'], out: Tensor['data']) => void) {
  return defineOp({ name, family: 'comparison', differentiable: false, primitive: true, summary, grad: '' }, (x: Tensor): Tensor => {
    expectTensor(x, name);
    const out = Tensor.empty(x.shape, 'int32');
    kernel(x.data, out.data);
    return out;
  });
}

/** 1 where x is NaN, else 0 (int32). */
export const isnan = /* @__PURE__ */ elementwise('isnan', '1 where x is NaN, else 0', isnanK);
/** 1 where x is neither NaN nor ±Infinity, else 0 (int32). */
export const isfinite = /* @__PURE__ */ elementwise('isfinite', '1 where x is neither NaN nor ±Infinity, else 0', isfiniteK);

function logicalReduce(name: 'all' | 'any') {
  return defineOp({
    name, family: 'reduction', differentiable: false, primitive: true,
    summary: name === 'all' ? '1 if every element over axes is non-zero (NaN counts as non-zero; true when empty)' : '1 if some element over axes is non-zero (false when empty)',
    grad: '',
  }, (x: Tensor, axis?: Axis, keepdim = false): Tensor => {
    expectTensor(x, name);
    const axes = normAxes(axis, x.shape, name);
    const dtype = floatDType(x.dtype);
    let data = allocate(dtype, x.size) as FloatArray;
    nonzeroK(x.data, data);
    const shape = x.shape.slice();
    for (let k = axes.length - 1; k >= 0; k--) {
      const ax = axes[k];
      const outer = sizeOf(shape.slice(0, ax)), inner = sizeOf(shape.slice(ax + 1));
      const out = allocate(dtype, outer * inner) as FloatArray;
      reduceAxis(name === 'all' ? ReduceCode.Min : ReduceCode.Max, data, outer, shape[ax], inner, out);
      // An empty axis reduces to +Infinity (min) or -Infinity (max): all() of nothing is true, any() false.
      for (let i = 0; i < out.length; i++) out[i] = out[i] > 0 ? 1 : 0;
      data = out;
      shape[ax] = 1;
    }
    // The reduction ran in float (an empty axis gives ±Infinity before the test above); the result is int32 0/1.
    return new Tensor(Int32Array.from(data), reducedShape(x.shape, axes, keepdim), 'int32');
  });
}

/** 1 if every element over `axis` (all axes when omitted) is non-zero, else 0; NaN counts as non-zero. */
export const all = /* @__PURE__ */ logicalReduce('all');
/** 1 if some element over `axis` (all axes when omitted) is non-zero, else 0. */
export const any = /* @__PURE__ */ logicalReduce('any');
