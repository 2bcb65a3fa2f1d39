/**
 * Reductions over `axis` (a number, a list, or all axes when omitted; negatives count from the end) with `keepdim`.
 * sum, max and min are primitives; mean, var, std, logsumexp and norm are composites of them.
 */
import { Tensor, type Axis } from '../tensor.js';
import { record } from '../autograd/node.js';
import { argReduceAxis, ReduceCode, reduceAxis } from '../kernels/reduce.js';
import type { FloatArray } from '../kernels/types.js';
import { allocate, fitsInt32 } from '../dtype.js';
import { describeValue } from '../describe.js';
import { expectBoolean, expectNumber, expectTensor } from '../validate.js';
import { broadcastsTo, fmtShape, normAxes, normAxis, reducedShape, sameShape, sizeOf, type Shape } from '../shape.js';
import { defineOp } from './registry.js';
import { asFloat, cast } from './cast.js';
import { broadcastTo, reshape } from './shape.js';
import { add, div, eq, mul, sub } from './binary.js';
import { abs, exp, log, sqrt, square } from './unary.js';

/**
 * Reduces the given (sorted) axes one at a time; the result has the keepdim shape and x's dtype. An int32 sum runs in
 * float64, which is exact for int32 inputs, and then must fit int32: PyTorch's int32 sum is an exact int64, so a total
 * tensorgrad cannot represent is an error rather than a wrapped value.
 */
function reduceRaw(code: ReduceCode, x: Tensor, axes: readonly number[], op: string): Tensor {
  const exactInt = x.dtype === 'int32' && code === ReduceCode.Sum;
  let data = x.data as FloatArray;
  const shape = x.shape.slice();
  for (let k = axes.length - 1; k >= 0; k--) {
    const ax = axes[k];
    const outer = sizeOf(shape.slice(0, ax)), n = shape[ax], inner = sizeOf(shape.slice(ax + 1));
    shape[ax] = 1;
    const out = allocate(exactInt ? 'float64' : x.dtype, outer * inner, shape) as FloatArray;
    reduceAxis(code, data, outer, n, inner, out);
    data = out;
  }
  if (axes.length === 0) data = data.slice();
  if (exactInt && !(data instanceof Int32Array)) {
    const ints = allocate('int32', data.length, shape);
    for (let i = 0; i < data.length; i++) {
      if (!fitsInt32(data[i])) throw new Error(`${op}: the int32 sum ${data[i]} does not fit in int32 (PyTorch would return int64); cast to float64 first`);
      ints[i] = data[i];
    }
    return new Tensor(ints, shape, 'int32');
  }
  return new Tensor(data, shape, x.dtype);
}

/** Validates a reduction's common arguments and returns the sorted axes. */
function reduction(x: Tensor, axis: Axis, keepdim: unknown, op: string): number[] {
  expectTensor(x, op);
  expectBoolean(keepdim, op, 'keepdim');
  return normAxes(axis, x.shape, op);
}

function finish(keep: Tensor, x: Tensor, axes: readonly number[], keepdim: boolean): Tensor {
  return keepdim ? keep : keep._view(reducedShape(x.shape, axes, false));
}

export const sum = /* @__PURE__ */ defineOp({
  name: 'sum', family: 'reduction', differentiable: true, primitive: true,
  summary: 'sum over axes', grad: 'g broadcast back over the reduced axes',
}, (x: Tensor, axis?: Axis, keepdim = false): Tensor => {
  const axes = reduction(x, axis, keepdim, 'sum');
  const out = finish(reduceRaw(ReduceCode.Sum, x, axes, 'sum'), x, axes, keepdim);
  return record('sum', out, [x], (g) => [broadcastTo(reshape(g, reducedShape(x.shape, axes, true)), x.shape)], []);
});

function extreme(name: 'max' | 'min', code: ReduceCode) {
  return defineOp({
    name, family: 'reduction', differentiable: true, primitive: true,
    summary: `${name === 'max' ? 'largest' : 'smallest'} value over axes (values only; see arg${name})`,
    grad: `g to the ${name === 'max' ? 'maximal' : 'minimal'} elements, split evenly between ties`,
  }, (x: Tensor, axis?: Axis, keepdim = false): Tensor => {
    const axes = reduction(x, axis, keepdim, name);
    for (const a of axes) {
      if (x.shape[a] === 0) throw new Error(`${name}: cannot reduce over axis ${a} of size 0 (shape ${fmtShape(x.shape)})`);
    }
    const keep = reduceRaw(code, x, axes, name);
    const out = finish(keep, x, axes, keepdim);
    return record(name, out, [x], (g) => {
      const mask = cast(eq(x, keep), x.dtype);
      const share = div(mask, sum(mask, axes, true));
      return [mul(share, reshape(g, keep.shape))];
    }, [x, out]);
  });
}

export const max = /* @__PURE__ */ extreme('max', ReduceCode.Max);
export const min = /* @__PURE__ */ extreme('min', ReduceCode.Min);

/** Sums a gradient of a broadcast shape back to `shape` (used by the engine to undo broadcasting). */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  if (!broadcastsTo(shape, g.shape)) throw new Error(`sumTo: shape ${fmtShape(shape)} does not broadcast to ${fmtShape(g.shape)}`);
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  return reshape(sum(g, axes, true), shape);
}

function countOf(x: Tensor, axes: readonly number[]): number {
  let n = 1;
  for (const a of axes) n *= x.shape[a];
  return n;
}

export const mean = /* @__PURE__ */ defineOp({
  name: 'mean', family: 'reduction', differentiable: true, primitive: false,
  summary: 'arithmetic mean over axes', grad: 'composite: sum / n',
}, (x: Tensor, axis?: Axis, keepdim = false): Tensor => {
  const axes = reduction(x, axis, keepdim, 'mean');
  // int32 (PyTorch refuses; counting `argmax(p).eq(y).mean()` is too common): an exact float64 sum, then float32.
  if (x.dtype === 'int32') return cast(div(sum(cast(x, 'float64'), axes, keepdim), countOf(x, axes)), 'float32');
  return div(sum(x, axes, keepdim), countOf(x, axes));
});

/** Variance with `correction` (1 = unbiased, PyTorch's default; 0 = population). */
export const variance = /* @__PURE__ */ defineOp({
  name: 'var', family: 'reduction', differentiable: true, primitive: false,
  summary: 'variance over axes, Σ(x - mean)² / (n - correction); correction defaults to 1', grad: 'composite',
}, (x: Tensor, axis?: Axis, keepdim = false, correction = 1): Tensor => varianceOf(x, axis, keepdim, correction, 'var'));

export const std = /* @__PURE__ */ defineOp({
  name: 'std', family: 'reduction', differentiable: true, primitive: false,
  summary: 'standard deviation, √var (same correction)', grad: 'composite',
}, (x: Tensor, axis?: Axis, keepdim = false, correction = 1): Tensor => sqrt(varianceOf(x, axis, keepdim, correction, 'std')));

/** var and std share this; `op` is the one the user called, for error messages. */
function varianceOf(x: Tensor, axis: Axis, keepdim: boolean, correction: number, op: string): Tensor {
  const axes = reduction(x, axis, keepdim, op);
  expectNumber(correction, op, 'correction', { finite: true });
  x = asFloat(x, op);
  const n = countOf(x, axes);
  const centered = sub(x, mean(x, axes, true));
  return div(sum(square(centered), axes, keepdim), Math.max(n - correction, 0));
}

/**
 * log Σ exp(x), stable: the maximum is subtracted first. The shift is detached — it cancels analytically, so the
 * gradient (softmax) is unchanged and no gradient flows through max's tie-breaking.
 */
export const logsumexp = /* @__PURE__ */ defineOp({
  name: 'logsumexp', family: 'reduction', differentiable: true, primitive: false,
  summary: 'log Σ eˣ over axes, computed stably (max-shifted)', grad: 'composite: g · softmax(x)',
}, (x: Tensor, axis?: Axis, keepdim = false): Tensor => {
  const axes = reduction(x, axis, keepdim, 'logsumexp');
  x = asFloat(x, 'logsumexp');
  const m = reduceRaw(ReduceCode.Max, x, axes, 'logsumexp');
  // An all -inf (or +inf) slice would give inf - inf = NaN; shifting by 0 there gives the right ±inf.
  const md = m.data;
  for (let i = 0; i < md.length; i++) if (!Number.isFinite(md[i])) md[i] = 0;
  const out = add(log(sum(exp(sub(x, m)), axes, true)), m);
  return keepdim ? out : reshape(out, reducedShape(x.shape, axes, false));
});

function argExtreme(name: 'argmax' | 'argmin') {
  return defineOp({
    name, family: 'reduction', differentiable: false, primitive: true,
    summary: `index of the first ${name === 'argmax' ? 'maximum' : 'minimum'} (int32); over the flattened tensor when axis is omitted`, grad: '',
  }, (x: Tensor, axis?: number, keepdim = false): Tensor => {
    expectTensor(x, name);
    expectBoolean(keepdim, name, 'keepdim');
    // Indices are found on the values as they are: int32 inputs compare exactly.
    if (axis === undefined || axis === null) {
      if (x.size === 0) throw new Error(`${name}: empty tensor (shape ${fmtShape(x.shape)})`);
      const out = allocate('int32', 1);
      argReduceAxis(name === 'argmax', x.data, 1, x.size, 1, out);
      return new Tensor(out, keepdim ? x.shape.map(() => 1) : [], 'int32');
    }
    const a = normAxis(axis, x.ndim, name, x.shape);
    if (x.shape[a] === 0) throw new Error(`${name}: cannot reduce over axis ${a} of size 0 (shape ${fmtShape(x.shape)})`);
    const outer = sizeOf(x.shape.slice(0, a)), inner = sizeOf(x.shape.slice(a + 1));
    const out = allocate('int32', outer * inner);
    argReduceAxis(name === 'argmax', x.data, outer, x.shape[a], inner, out);
    return new Tensor(out, reducedShape(x.shape, [a], keepdim), 'int32');
  });
}

export const argmax = /* @__PURE__ */ argExtreme('argmax');
export const argmin = /* @__PURE__ */ argExtreme('argmin');

/** p-norm over axes (p = 2 by default; 1, Infinity and any p > 0 supported). */
export const norm = /* @__PURE__ */ defineOp({
  name: 'norm', family: 'reduction', differentiable: true, primitive: false,
  summary: 'p-norm (Σ|x|ᵖ)^(1/p) over axes; p = 2 default, Infinity = max |x|', grad: 'composite',
}, (x: Tensor, p = 2, axis?: Axis, keepdim = false): Tensor => {
  reduction(x, axis, keepdim, 'norm');
  if (typeof p !== 'number' || !(p > 0)) throw new Error(`norm: p must be a positive number or Infinity, got ${describeValue(p)}`);
  x = asFloat(x, 'norm');
  if (p === Infinity) {
    const axes = normAxes(axis, x.shape, 'norm');
    if (axes.some((a) => x.shape[a] === 0)) throw new Error(`norm: the Infinity-norm (a maximum) of an empty axis is undefined (shape ${fmtShape(x.shape)})`);
    return max(abs(x), axis, keepdim);
  }
  if (p === 1) return sum(abs(x), axis, keepdim);
  if (p === 2) return sqrt(sum(square(x), axis, keepdim));
  return sum(abs(x).pow(p), axis, keepdim).pow(1 / p);
});

