/**
 * Diagonals: `diagonal` reads one (offset) diagonal of two axes, and its twin, the diagonal scatter, writes values onto
 * a diagonal of zeros. Each is the other's vjp, so the family is closed under differentiation; `diagEmbed` is the
 * scatter itself and `diag` picks one or the other like torch.diag. Both are strided copies (no per-element indexing).
 */
import { Tensor } from '../tensor.js';
import { record } from '../autograd/node.js';
import { stridedCopy } from '../kernels/copy.js';
import { fmtShape, normAxis, stridesOf } from '../shape.js';
import { defineOp } from './registry.js';
import { expectInt, expectTensor } from './args.js';

/** Where a diagonal lives in a tensor of `shape`: the result's shape, and the strides and offset that read it. */
interface DiagLayout { shape: number[]; strides: number[]; offset: number }

function layout(shape: readonly number[], offset: number, d1: number, d2: number): DiagLayout {
  const strides = stridesOf(shape);
  const n1 = shape[d1], n2 = shape[d2];
  const len = Math.max(0, offset >= 0 ? Math.min(n1, n2 - offset) : Math.min(n1 + offset, n2));
  const rest = shape.map((_, d) => d).filter((d) => d !== d1 && d !== d2);
  return {
    shape: [...rest.map((d) => shape[d]), len],
    strides: [...rest.map((d) => strides[d]), strides[d1] + strides[d2]],
    offset: len === 0 ? 0 : offset >= 0 ? offset * strides[d2] : -offset * strides[d1],
  };
}

function diagonalRaw(x: Tensor, offset: number, d1: number, d2: number): Tensor {
  const l = layout(x.shape, offset, d1, d2);
  const out = Tensor.empty(l.shape, x.dtype);
  stridedCopy(x.data, l.offset, l.strides, l.shape, out.data, 0, stridesOf(l.shape));
  return record('diagonal', out, [x], (g) => [diagonalScatter(g, x.shape, offset, d1, d2, 'diagonalBackward')], []);
}

/** Zeros of `shape` with g written onto the diagonal that `diagonal(·, offset, d1, d2)` would read. */
function diagonalScatter(g: Tensor, shape: readonly number[], offset: number, d1: number, d2: number, name: string): Tensor {
  const l = layout(shape, offset, d1, d2);
  const out = Tensor.empty(shape, g.dtype);
  stridedCopy(g.data, 0, stridesOf(l.shape), l.shape, out.data, l.offset, l.strides);
  return record(name, out, [g], (gg) => [diagonalRaw(gg, offset, d1, d2)], []);
}

function twoAxes(ndim: number, dim1: number, dim2: number, op: string, shape: readonly number[]): [number, number] {
  const a = normAxis(dim1, ndim, op, shape), b = normAxis(dim2, ndim, op, shape);
  if (a === b) throw new Error(`${op}: dim1 and dim2 must be different axes, both are ${a} (shape ${fmtShape(shape)})`);
  return [a, b];
}

/** The `offset` diagonal of axes `dim1` and `dim2` (default 0 and 1), appended as the last axis (torch.diagonal; a copy). */
export const diagonal = /* @__PURE__ */ defineOp({
  name: 'diagonal', family: 'linalg', differentiable: true, primitive: true,
  summary: 'the offset diagonal of axes dim1, dim2 (default 0, 1), appended as the last axis (torch.diagonal; a copy)',
  grad: 'g written onto that diagonal of zeros',
}, (x: Tensor, offset = 0, dim1 = 0, dim2 = 1): Tensor => {
  expectTensor(x, 'diagonal');
  expectInt(offset, 'diagonal', 'offset');
  if (x.ndim < 2) throw new Error(`diagonal: expected at least 2 dimensions, got shape ${fmtShape(x.shape)}`);
  const [a, b] = twoAxes(x.ndim, dim1, dim2, 'diagonal', x.shape);
  return diagonalRaw(x, offset, a, b);
});

/** A tensor whose `offset` diagonal over two new axes `dim1`, `dim2` holds the last axis of x, zeros elsewhere (torch.diag_embed). */
export const diagEmbed = /* @__PURE__ */ defineOp({
  name: 'diagEmbed', family: 'linalg', differentiable: true, primitive: true,
  summary: 'places the last axis on the offset diagonal of two new axes dim1, dim2 (default -2, -1) of zeros (torch.diag_embed)',
  grad: 'diagonal(g, offset, dim1, dim2)',
}, (x: Tensor, offset = 0, dim1 = -2, dim2 = -1): Tensor => {
  expectTensor(x, 'diagEmbed');
  expectInt(offset, 'diagEmbed', 'offset');
  if (x.ndim < 1) throw new Error(`diagEmbed: expected at least 1 dimension, got shape ${fmtShape(x.shape)}`);
  const ndim = x.ndim + 1;
  const [a, b] = twoAxes(ndim, dim1, dim2, 'diagEmbed', x.shape);
  const m = x.shape[x.ndim - 1] + Math.abs(offset);
  const rest = x.shape.slice(0, -1);
  const shape: number[] = [];
  for (let d = 0, r = 0; d < ndim; d++) shape.push(d === a || d === b ? m : rest[r++]);
  return diagonalScatter(x, shape, offset, a, b, 'diagEmbed');
});

/** 1-D x: a square matrix with x on the `diagonal`-th diagonal. 2-D x: that diagonal as a 1-D tensor (torch.diag). */
export const diag = /* @__PURE__ */ defineOp({
  name: 'diag', family: 'linalg', differentiable: true, primitive: false,
  summary: '1-D → a square matrix with x on the given diagonal; 2-D → that diagonal of the matrix (torch.diag)',
  grad: 'composite (diagEmbed / diagonal)',
}, (x: Tensor, diagonalOffset = 0): Tensor => {
  expectTensor(x, 'diag');
  expectInt(diagonalOffset, 'diag', 'diagonal');
  if (x.ndim === 1) return diagEmbed(x, diagonalOffset, 0, 1);
  if (x.ndim === 2) return diagonal(x, diagonalOffset, 0, 1);
  throw new Error(`diag: expected a 1-D or 2-D tensor, got shape ${fmtShape(x.shape)}`);
});
