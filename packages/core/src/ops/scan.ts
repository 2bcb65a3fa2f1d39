/**
 * Running sums and products along one axis, and the product reduction. cumsum's vjp is a reverse cumsum (an internal
 * twin whose vjp is cumsum again). The product gradients handle zeros exactly: a plain backward uses O(n) kernels with
 * no division (prefix × suffix products); a backward that builds a graph (createGraph) uses tensor-op formulas, the
 * cheap one `g·out/x` only when x has no zeros, as PyTorch does.
 */
import { Tensor, type Axis } from '../tensor.js';
import { record } from '../autograd/node.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import { cumprodGradK, cumprodK, cumsumK, prodGradK } from '../kernels/scan.js';
import { reduceAxis, ReduceCode } from '../kernels/reduce.js';
import type { FloatArray } from '../kernels/types.js';
import { normAxes, normAxis, reducedShape, sizeOf } from '../shape.js';
import { eye, ones } from '../creation.js';
import { defineOp } from './registry.js';
import { asFloat } from './cast.js';
import { narrow, pad, permute, reshape, unsqueeze } from './shape.js';
import { flip } from './rearrange.js';
import { div, mul, where } from './binary.js';
import { sum } from './reduce.js';
import { triu } from './mask.js';

/** [outer, n, inner] for a scan along axis a. */
function dims3(shape: readonly number[], a: number): [number, number, number] {
  return [sizeOf(shape.slice(0, a)), shape[a], sizeOf(shape.slice(a + 1))];
}

function hasZero(x: Tensor): boolean {
  const d = x.data;
  for (let i = 0; i < d.length; i++) if (d[i] === 0) return true;
  return false;
}

function cumsumRaw(x: Tensor, a: number, reverse: boolean): Tensor {
  const out = Tensor.empty(x.shape, x.dtype);
  const [outer, n, inner] = dims3(x.shape, a);
  cumsumK(x.data as FloatArray, out.data as FloatArray, outer, n, inner, reverse);
  return record(reverse ? 'cumsumReverse' : 'cumsum', out, [x], (g) => [cumsumRaw(g, a, !reverse)], []);
}

/** Running sum along `axis`: out[i] = x[0] + … + x[i] (torch.cumsum), accumulated in float64. */
export const cumsum = /* @__PURE__ */ defineOp({
  name: 'cumsum', family: 'scan', differentiable: true, primitive: true,
  summary: 'running sum along axis: out[i] = x[0] + … + x[i] (accumulated in float64)', grad: 'reverse cumsum of g: Σ_{j≥i} g[j]',
}, (x: Tensor, axis: number): Tensor => {
  x = asFloat(x, 'cumsum');
  const a = normAxis(axis, Math.max(x.ndim, 1), 'cumsum', x.shape);
  return x.ndim === 0 ? reshape(cumsumRaw(reshape(x, [1]), 0, false), []) : cumsumRaw(x, a, false);
});

/** Moves axis `a` to the end (for the composite gradients below, which work on the last axis). */
function toLast(x: Tensor, a: number): Tensor {
  return permute(x, [...x.shape.map((_, d) => d).filter((d) => d !== a), a]);
}

function fromLast(x: Tensor, a: number): Tensor {
  const nd = x.ndim, dims: number[] = [];
  for (let d = 0, r = 0; d < nd; d++) dims.push(d === a ? nd - 1 : r++);
  return permute(x, dims);
}

/**
 * Σ_{j≥k} g_j Π_{i≤j, i≠k} x_i as tensor ops, for a graph-building backward through zeros: row k of an [n, n] matrix is
 * x with x_k replaced by 1, so its cumprod at j is the product that omits x_k. O(n²) per row, used only when x has zeros.
 */
function cumprodGradWithZeros(g: Tensor, x: Tensor, a: number): Tensor {
  const n = x.shape[a];
  const xl = unsqueeze(toLast(x, a), -2), gl = unsqueeze(toLast(g, a), -2);
  const omit = cumprod(where(eye(n, n, { dtype: x.dtype }), 1, xl), -1);
  const upper = triu(ones([n, n], { dtype: x.dtype }));
  return fromLast(sum(mul(mul(omit, gl), upper), -1), a);
}

function cumprodRaw(x: Tensor, a: number): Tensor {
  const out = Tensor.empty(x.shape, x.dtype);
  const [outer, n, inner] = dims3(x.shape, a);
  cumprodK(x.data as FloatArray, out.data as FloatArray, outer, n, inner);
  return record('cumprod', out, [x], (g) => {
    if (!isGradEnabled()) {
      const gx = Tensor.empty(x.shape, x.dtype);
      cumprodGradK(x.data as FloatArray, g.data as FloatArray, gx.data as FloatArray, outer, n, inner);
      return [gx];
    }
    return [hasZero(x) ? cumprodGradWithZeros(g, x, a) : div(cumsumRaw(mul(g, out), a, true), x)];
  }, [x, out]);
}

/** Running product along `axis` (torch.cumprod); its gradient is exact where x has zeros. */
export const cumprod = /* @__PURE__ */ defineOp({
  name: 'cumprod', family: 'scan', differentiable: true, primitive: true,
  summary: 'running product along axis: out[i] = x[0] · … · x[i] (accumulated in float64)',
  grad: 'Σ_{j≥i} g[j] · Π_{k≤j, k≠i} x[k] (exact with zeros in x)',
}, (x: Tensor, axis: number): Tensor => {
  x = asFloat(x, 'cumprod');
  const a = normAxis(axis, Math.max(x.ndim, 1), 'cumprod', x.shape);
  return x.ndim === 0 ? reshape(cumprodRaw(reshape(x, [1]), 0), []) : cumprodRaw(x, a);
});

/** Π_{i<k} x_i along axis a (a leading 1, then cumprod without its last element). */
function exclusiveCumprod(x: Tensor, a: number): Tensor {
  const n = x.shape[a];
  const pads = new Array<number>(2 * (x.ndim - a)).fill(0);
  pads[pads.length - 2] = 1;
  return pad(narrow(cumprod(x, a), a, 0, n - 1), pads, 1);
}

function prodAxis(x: Tensor, a: number): Tensor {
  const keep = reducedShape(x.shape, [a], true);
  const out = Tensor.empty(keep, x.dtype);
  const [outer, n, inner] = dims3(x.shape, a);
  reduceAxis(ReduceCode.Prod, x.data as FloatArray, outer, n, inner, out.data as FloatArray);
  return record('prod', out, [x], (g) => {
    if (!isGradEnabled()) {
      const gx = Tensor.empty(x.shape, x.dtype);
      prodGradK(x.data as FloatArray, g.data as FloatArray, gx.data as FloatArray, outer, n, inner);
      return [gx];
    }
    if (!hasZero(x)) return [div(mul(g, out), x)];
    // Π_{j≠i} x_j = (product before i) · (product after i), each an exclusive cumprod: no division by a zero.
    const after = flip(exclusiveCumprod(flip(x, [a]), a), [a]);
    return [mul(mul(exclusiveCumprod(x, a), after), g)];
  }, [x, out]);
}

/** Product over `axis` (a number, a list, or all axes when omitted), with `keepdim`; its gradient is exact with zeros. */
export const prod = /* @__PURE__ */ defineOp({
  name: 'prod', family: 'reduction', differentiable: true, primitive: true,
  summary: 'product over axes (all when omitted), with keepdim; accumulated in float64',
  grad: 'g · Π_{j≠i} x[j] (prefix × suffix products, exact with zeros)',
}, (x: Tensor, axis?: Axis, keepdim = false): Tensor => {
  x = asFloat(x, 'prod');
  const axes = normAxes(axis, x.shape, 'prod');
  // Nothing to reduce (a 0-d tensor, or axis []): the product over a trailing size-1 axis is a recorded copy.
  if (axes.length === 0) return reshape(prodAxis(reshape(x, [...x.shape, 1]), x.ndim), x.shape);
  let keep: Tensor;
  if (axes.length === 1) keep = prodAxis(x, axes[0]);
  else {
    // Several axes: move them to the end, merge them into one and reduce that.
    const rest = x.shape.map((_, d) => d).filter((d) => !axes.includes(d));
    const moved = permute(x, [...rest, ...axes]);
    const merged = reshape(moved, [...rest.map((d) => x.shape[d]), sizeOf(axes.map((d) => x.shape[d]))]);
    keep = reshape(prodAxis(merged, rest.length), reducedShape(x.shape, axes, true));
  }
  return keepdim ? keep : reshape(keep, reducedShape(x.shape, axes, false));
});
