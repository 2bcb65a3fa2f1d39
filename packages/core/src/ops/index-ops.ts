/**
 * Integer indexing: indexSelect (whole slices along an axis) and gather (element-wise, PyTorch semantics). Each has a
 * scatter-add twin that is its vjp, and each twin's vjp is the original op, so higher derivatives stay closed.
 */
import { Tensor, type IndexLike, type NestedArray } from '../tensor.js';
import { record } from '../autograd/node.js';
import { readIndices } from '../indices.js';
import { fmtShape, normAxis, sizeOf, stridesOf } from '../shape.js';
import { defineOp } from './registry.js';
import { expectTensor } from '../validate.js';

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
      const src = (o * n + idx[j]) * inner;
      od.set(xd.subarray(src, src + inner) as ArrayLike<number>, (o * m + j) * inner);
    }
  }
  return record('indexSelect', out, [x], (g) => [indexAdd(g, axis, idx, x.shape)], []);
}

export const indexSelect = defineOp({
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
function gatherOffsets(shape: readonly number[], axis: number, idx: Int32Array, idxShape: readonly number[]): Int32Array {
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
  for (let i = 0; i < offs.length; i++) out.data[i] = x.data[offs[i]];
  return record('gather', out, [x], (g) => [scatterAdd(g, offs, idxShape, x.shape)], []);
}

function scatterAdd(g: Tensor, offs: Int32Array, idxShape: readonly number[], shape: readonly number[]): Tensor {
  const out = Tensor.empty(shape, g.dtype);
  for (let i = 0; i < offs.length; i++) out.data[offs[i]] += g.data[i];
  return record('scatterAdd', out, [g], (gg) => [gatherRaw(gg, offs, idxShape)], []);
}

export const gather = defineOp({
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
