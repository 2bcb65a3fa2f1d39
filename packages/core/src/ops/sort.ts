/**
 * Sorting and selection along an axis: sort, argsort and topk. Indices are int32; values are differentiable as a
 * gather of x at those indices, so their vjp is the scatter-add twin of gather (and its vjp the gather again).
 */
import { Tensor } from '../tensor.js';
import { record } from '../autograd/node.js';
import { sortK, topkK } from '../kernels/sort.js';
import { fmtShape, normAxis, sizeOf } from '../shape.js';
import { describeValue } from '../validate.js';
import { defineOp } from './registry.js';
import { expectBool, expectInt, expectOptions, expectTensor } from './args.js';
import { gatherOffsets, scatterAddAt } from './index-ops.js';
import { reshape } from './shape.js';

export interface SortOptions {
  /** Largest first (NaN first, as NaN counts as the largest value). Default false. */
  descending?: boolean;
  /** Accepted for PyTorch compatibility: tensorgrad's sort is always stable (equal values keep their order). */
  stable?: boolean;
}

export interface TopkOptions {
  /** The k largest (default) or, with false, the k smallest. */
  largest?: boolean;
  /** Best first (default); with false the k elements come in their original order along the axis. */
  sorted?: boolean;
}

/** Accepts `(axis?, opts?)` or `(opts)` and returns the normalised axis and the options. */
function axisAndOptions<T extends object>(x: Tensor, axis: number | T | undefined, opts: T | undefined, known: readonly string[], op: string): [number, Partial<T>] {
  if (axis !== undefined && typeof axis === 'object') {
    if (opts !== undefined) throw new Error(`${op}: options given twice (as the axis and as the last argument)`);
    opts = axis;
    axis = undefined;
  }
  const a = axis === undefined ? -1 : axis;
  if (typeof a !== 'number') throw new Error(`${op}: axis must be an integer, got ${describeValue(a)}`);
  if (x.ndim === 0) {
    normAxis(a, 1, op, x.shape);
    return [0, expectOptions(opts, known, op)];
  }
  return [normAxis(a, x.ndim, op, x.shape), expectOptions(opts, known, op)];
}

/** values = x gathered at `indices` along axis a, recorded under `name` with gather's vjp. */
function takeValues(name: string, x: Tensor, values: Tensor, indices: Tensor, a: number): Tensor {
  return record(name, values, [x], (g) => [scatterAddAt(g, gatherOffsets(x.shape, a, indices.data as Int32Array, indices.shape), indices.shape, x.shape)], [indices]);
}

function sortRaw(x: Tensor, a: number, descending: boolean): [Tensor, Tensor] {
  const values = Tensor.empty(x.shape, x.dtype), indices = Tensor.empty(x.shape, 'int32');
  const n = x.shape[a];
  sortK(x.data, sizeOf(x.shape.slice(0, a)), n, sizeOf(x.shape.slice(a + 1)), descending, values.data, indices.data as Int32Array);
  return [values, indices];
}

/**
 * `[values, indices]` of x sorted along `axis` (default -1), ascending unless `{ descending: true }` (torch.sort). The sort
 * is stable and orders NaN as the largest value; indices are int32 and values carry gradients to where they came from.
 * `sort(x, { descending: true })` may omit the axis.
 */
export const sort = /* @__PURE__ */ defineOp({
  name: 'sort', family: 'scan', differentiable: true, primitive: true,
  summary: '[values, indices] sorted along axis (default -1), ascending unless { descending }; stable, NaN largest (torch.sort)',
  grad: 'values: g scatter-added back to the positions they came from',
}, (x: Tensor, axis?: number | SortOptions, opts?: SortOptions): [Tensor, Tensor] => {
  expectTensor(x, 'sort');
  const [a, o] = axisAndOptions(x, axis, opts, ['descending', 'stable'], 'sort');
  const descending = o.descending === undefined ? false : expectBool(o.descending, 'sort', 'descending');
  if (o.stable !== undefined) expectBool(o.stable, 'sort', 'stable');
  if (x.ndim === 0) {
    const [v, i] = sort(reshape(x, [1]), 0, { descending });
    return [reshape(v, []), reshape(i, [])];
  }
  const [values, indices] = sortRaw(x, a, descending);
  return [takeValues('sort', x, values, indices, a), indices];
});

/** The int32 indices that sort x along `axis` (default -1), with sort's options (torch.argsort). */
export const argsort = /* @__PURE__ */ defineOp({
  name: 'argsort', family: 'scan', differentiable: false, primitive: true,
  summary: 'the int32 indices that sort x along axis (default -1), { descending, stable } as sort', grad: '',
}, (x: Tensor, axis?: number | SortOptions, opts?: SortOptions): Tensor => {
  expectTensor(x, 'argsort');
  const [a, o] = axisAndOptions(x, axis, opts, ['descending', 'stable'], 'argsort');
  const descending = o.descending === undefined ? false : expectBool(o.descending, 'argsort', 'descending');
  if (o.stable !== undefined) expectBool(o.stable, 'argsort', 'stable');
  if (x.ndim === 0) return Tensor.empty([], 'int32');
  return sortRaw(x, a, descending)[1];
});

/**
 * `[values, indices]` of the k largest elements along `axis` (default -1), or the k smallest with `{ largest: false }`
 * (torch.topk). Best first unless `{ sorted: false }`, which keeps them in their order along the axis; ties keep the
 * earlier index.
 */
export const topk = /* @__PURE__ */ defineOp({
  name: 'topk', family: 'scan', differentiable: true, primitive: true,
  summary: '[values, indices] of the k largest (or { largest: false } smallest) along axis (default -1); ties keep the earlier index',
  grad: 'values: g scatter-added back to the positions they came from',
}, (x: Tensor, k: number, axis?: number | TopkOptions, opts?: TopkOptions): [Tensor, Tensor] => {
  expectTensor(x, 'topk');
  expectInt(k, 'topk', 'k');
  const [a, o] = axisAndOptions(x, axis, opts, ['largest', 'sorted'], 'topk');
  const largest = o.largest === undefined ? true : expectBool(o.largest, 'topk', 'largest');
  const sorted = o.sorted === undefined ? true : expectBool(o.sorted, 'topk', 'sorted');
  const n = x.ndim === 0 ? 1 : x.shape[a];
  if (k < 0 || k > n) throw new Error(`topk: k = ${k} is out of range for axis ${a} of size ${n} (shape ${fmtShape(x.shape)}); need 0 ≤ k ≤ ${n}`);
  if (x.ndim === 0) {
    const [v, i] = topk(reshape(x, [1]), k, 0, { largest, sorted });
    return k === 1 ? [reshape(v, []), reshape(i, [])] : [v, i];
  }
  const shape = x.shape.slice();
  shape[a] = k;
  const values = Tensor.empty(shape, x.dtype), indices = Tensor.empty(shape, 'int32');
  topkK(x.data, sizeOf(x.shape.slice(0, a)), n, sizeOf(x.shape.slice(a + 1)), k, largest, sorted, values.data, indices.data as Int32Array);
  return [takeValues('topk', x, values, indices, a), indices];
});
