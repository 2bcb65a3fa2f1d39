/**
 * Integer indexing: indexSelect (whole slices along an axis) and gather (element-wise, PyTorch semantics). Each has a
 * scatter-add twin that is its vjp, and each twin's vjp is the original op, so higher derivatives stay closed. The public
 * scatter and scatterAdd write into a copy of their input at gather's offsets; their vjps are gathers and masks.
 */
import { Tensor, type IndexLike, type NestedArray } from '../tensor.js';
import { record } from '../autograd/node.js';
import { readIndices } from '../indices.js';
import { fmtShape, normAxis, sameShape, sizeOf, stridesOf } from '../shape.js';
import { describeValue, expectTensor } from '../validate.js';
import { defineOp } from './registry.js';
import { mul } from './binary.js';
import { slice } from './shape.js';

/** Validates integer indices against an axis of size n; negatives are rejected like PyTorch's index_select. */
function toIndices(indices: IndexLike | NestedArray, n: number, op: string): { data: Int32Array; shape: readonly number[] } {
  const { values, shape } = readIndices(indices, op);
  for (let i = 0; i < values.length; i++) {
    if (values[i] < 0 || values[i] >= n) throw new Error(`${op}: index ${values[i]} is out of range for an axis of size ${n}`);
  }
  return { data: values, shape };
}

function indexAdd(g: Tensor, axis: number, idx: Int32Array, shape: readonly number[]): Tensor {
  const out = Tensor.empty(shape, g.dtype);
  const outer = sizeOf(shape.slice(0, axis)), inner = sizeOf(shape.slice(axis + 1)), n = shape[axis], m = idx.length;
  const gd = g.data, od = out.data;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const src = (o * m + j) * inner, dst = (o * n + idx[j]) * inner;
      for (let i = 0; i < inner; i++) od[dst + i] += gd[src + i];
    }
  }
  return record('indexAdd', out, [g], (gg) => [selectRaw(gg, axis, idx)], []);
}

function selectRaw(x: Tensor, axis: number, idx: Int32Array): Tensor {
  const shape = x.shape.slice();
  shape[axis] = idx.length;
  const out = Tensor.empty(shape, x.dtype);
  const outer = sizeOf(x.shape.slice(0, axis)), inner = sizeOf(x.shape.slice(axis + 1)), n = x.shape[axis], m = idx.length;
  const xd = x.data, od = out.data;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const src = (o * n + idx[j]) * inner, dst = (o * m + j) * inner;
      // Short slices (an embedding row) copy faster element by element than through a subarray each.
      if (inner < 64) for (let i = 0; i < inner; i++) od[dst + i] = xd[src + i];
      else od.set(xd.subarray(src, src + inner) as ArrayLike<number>, dst);
    }
  }
  return record('indexSelect', out, [x], (g) => [indexAdd(g, axis, idx, x.shape)], []);
}

export const indexSelect = /* @__PURE__ */ defineOp({
  name: 'indexSelect', family: 'indexing', differentiable: true, primitive: true,
  summary: 'picks whole slices along axis by a 1-D list of indices (repeats allowed)', grad: 'g added back into zeros at the picked positions (repeats accumulate)',
}, (x: Tensor, axis: number, indices: IndexLike): Tensor => {
  expectTensor(x, 'indexSelect');
  const a = normAxis(axis, x.ndim, 'indexSelect', x.shape);
  const { data, shape } = toIndices(indices, x.shape[a], 'indexSelect');
  if (shape.length > 1) throw new Error(`indexSelect: indices must be 1-D, got shape ${fmtShape(shape)}`);
  return selectRaw(x, a, data);
});

/** Element offsets for gather/scatter: for each position of `index`, the flat offset into a tensor of `shape`. */
export function gatherOffsets(shape: readonly number[], axis: number, idx: Int32Array, idxShape: readonly number[]): Int32Array {
  const strides = stridesOf(shape);
  const offs = new Int32Array(idx.length);
  const nd = idxShape.length;
  const pos = new Array<number>(nd).fill(0);
  for (let i = 0; i < idx.length; i++) {
    let off = 0;
    for (let d = 0; d < nd; d++) off += (d === axis ? idx[i] : pos[d]) * strides[d];
    offs[i] = off;
    for (let d = nd - 1; d >= 0; d--) {
      if (++pos[d] < idxShape[d]) break;
      pos[d] = 0;
    }
  }
  return offs;
}

function gatherRaw(x: Tensor, offs: Int32Array, idxShape: readonly number[]): Tensor {
  const out = Tensor.empty(idxShape, x.dtype);
  const od = out.data, xd = x.data;
  for (let i = 0; i < offs.length; i++) od[i] = xd[offs[i]];
  return record('gather', out, [x], (g) => [scatterAddAt(g, offs, idxShape, x.shape)], []);
}

/**
 * Zeros of `shape` with g's elements added at the flat offsets `offs` (gather's twin and vjp; sort, topk and max
 * pooling use it as the vjp of their values too). Its own vjp is the gather at the same offsets.
 */
export function scatterAddAt(g: Tensor, offs: Int32Array, idxShape: readonly number[], shape: readonly number[]): Tensor {
  const out = Tensor.empty(shape, g.dtype);
  const od = out.data, gd = g.data;
  for (let i = 0; i < offs.length; i++) od[offs[i]] += gd[i];
  return record('scatterAdd', out, [g], (gg) => [gatherRaw(gg, offs, idxShape)], []);
}

export const gather = /* @__PURE__ */ defineOp({
  name: 'gather', family: 'indexing', differentiable: true, primitive: true,
  summary: 'out[…i…] = x[…index[…i…]…] along axis (torch.gather); index has x’s ndim', grad: 'g scatter-added into zeros at the gathered positions',
}, (x: Tensor, axis: number, index: Tensor | NestedArray): Tensor => {
  expectTensor(x, 'gather');
  const a = normAxis(axis, x.ndim, 'gather', x.shape);
  const { data, shape } = toIndices(index, x.shape[a], 'gather');
  if (shape.length !== x.ndim || shape.some((d, k) => k !== a && d > x.shape[k])) {
    throw new Error(`gather: index of shape ${fmtShape(shape)} does not fit input of shape ${fmtShape(x.shape)} along axis ${axis} (same ndim; other dimensions no larger)`);
  }
  return gatherRaw(x, gatherOffsets(x.shape, a, data, shape), shape);
});

interface ScatterArgs { offs: Int32Array; idxShape: readonly number[]; src: Tensor | number }

/** Checks index and src against x by torch.scatter's rules and returns the element offsets into x. */
function scatterArgs(op: string, x: Tensor, axis: number, index: Tensor | NestedArray, src: Tensor | number): ScatterArgs {
  if (!(x instanceof Tensor)) throw new Error(`${op}: input must be a Tensor, got ${describeValue(x)}`);
  const a = normAxis(axis, x.ndim, op, x.shape);
  const { data, shape } = toIndices(index, x.shape[a], op);
  if (shape.length !== x.ndim || shape.some((d, k) => k !== a && d > x.shape[k])) {
    throw new Error(`${op}: index of shape ${fmtShape(shape)} does not fit input of shape ${fmtShape(x.shape)} along axis ${axis} (same ndim; other dimensions no larger)`);
  }
  if (typeof src === 'number') return { offs: gatherOffsets(x.shape, a, data, shape), idxShape: shape, src };
  if (!(src instanceof Tensor)) throw new Error(`${op}: src must be a Tensor or a number, got ${describeValue(src)}`);
  if (src.ndim !== shape.length || shape.some((d, k) => d > src.shape[k])) {
    throw new Error(`${op}: src of shape ${fmtShape(src.shape)} is smaller than index of shape ${fmtShape(shape)} (src needs the same ndim and every dimension at least as large)`);
  }
  if (src.dtype !== x.dtype) throw new Error(`${op}: src has dtype ${src.dtype} but the input has ${x.dtype}; cast one of them with .to()`);
  // Only the leading index-shaped block of src is used (as in PyTorch); slicing it keeps src's gradient in shape.
  const block = sameShape(src.shape, shape) ? src : slice(src, shape.map((d) => [0, d] as const));
  return { offs: gatherOffsets(x.shape, a, data, shape), idxShape: shape, src: block };
}

/** 1 at every offset of a tensor of `shape` (size) that no scatter writes to, 0 where one does. */
function untouched(offs: Int32Array, shape: readonly number[], dtype: Tensor['dtype']): Tensor {
  const m = Tensor.empty(shape, dtype);
  m.data.fill(1);
  for (let i = 0; i < offs.length; i++) m.data[offs[i]] = 0;
  return m;
}

/** 1 for each scattered element whose write survives (the last one to its offset), or null when no offset repeats. */
function survivors(offs: Int32Array, idxShape: readonly number[], size: number, dtype: Tensor['dtype']): Tensor | null {
  const last = new Int32Array(size).fill(-1);
  let repeats = false;
  for (let i = 0; i < offs.length; i++) {
    if (last[offs[i]] >= 0) repeats = true;
    last[offs[i]] = i;
  }
  if (!repeats) return null;
  const m = Tensor.empty(idxShape, dtype);
  for (let i = 0; i < offs.length; i++) m.data[i] = last[offs[i]] === i ? 1 : 0;
  return m;
}

/**
 * A copy of x with `src[…i…]` written at `out[…index[…i…]…]` along `axis` (torch.scatter); `src` may be a number. Only the
 * leading index-shaped block of `src` is used. When a position is written twice the last write wins, and only it receives
 * a gradient.
 */
export const scatter = /* @__PURE__ */ defineOp({
  name: 'scatter', family: 'indexing', differentiable: true, primitive: true,
  summary: 'a copy of x with out[…index[…i…]…] = src[…i…] along axis (torch.scatter; src may be a number); a repeated position keeps the last write',
  grad: 'x: g with the written positions zeroed; src: g gathered at index (0 for writes that were overwritten)',
}, (x: Tensor, axis: number, index: Tensor | NestedArray, src: Tensor | number): Tensor => {
  const { offs, idxShape, src: s } = scatterArgs('scatter', x, axis, index, src);
  const out = Tensor.empty(x.shape, x.dtype);
  out.data.set(x.data as ArrayLike<number>);
  if (typeof s === 'number') {
    for (let i = 0; i < offs.length; i++) out.data[offs[i]] = s;
    return record('scatter', out, [x], (g) => [mul(g, untouched(offs, x.shape, g.dtype))], []);
  }
  for (let i = 0; i < offs.length; i++) out.data[offs[i]] = s.data[i];
  return record('scatter', out, [x, s], (g, needs) => {
    let gs: Tensor | null = null;
    if (needs[1]) {
      gs = gatherRaw(g, offs, idxShape);
      const keep = survivors(offs, idxShape, x.size, g.dtype);
      if (keep !== null) gs = mul(gs, keep);
    }
    return [needs[0] ? mul(g, untouched(offs, x.shape, g.dtype)) : null, gs];
  }, []);
});

/** A copy of x with `src[…i…]` added at `out[…index[…i…]…]` along `axis`; repeated positions accumulate (torch.scatter_add). */
export const scatterAdd = /* @__PURE__ */ defineOp({
  name: 'scatterAdd', family: 'indexing', differentiable: true, primitive: true,
  summary: 'a copy of x with src[…i…] added at out[…index[…i…]…] along axis (torch.scatter_add; repeats accumulate)',
  grad: 'x: g; src: g gathered at index',
}, (x: Tensor, axis: number, index: Tensor | NestedArray, src: Tensor): Tensor => {
  if (typeof src === 'number') throw new Error('scatterAdd: src must be a Tensor (a number is only accepted by scatter)');
  const { offs, idxShape, src: s } = scatterArgs('scatterAdd', x, axis, index, src);
  const block = s as Tensor;
  const out = Tensor.empty(x.shape, x.dtype);
  out.data.set(x.data as ArrayLike<number>);
  for (let i = 0; i < offs.length; i++) out.data[offs[i]] += block.data[i];
  return record('scatterAdd', out, [x, block], (g, needs) => [needs[0] ? g : null, needs[1] ? gatherRaw(g, offs, idxShape) : null], []);
});
