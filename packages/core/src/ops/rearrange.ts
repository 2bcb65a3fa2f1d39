/**
 * Rearranging ops: flip and roll (primitives whose vjp is the same op undone: flip again, roll back), and the
 * composites repeat, tile and unbind, whose gradients come from expand and slice.
 */
import { Tensor } from '../tensor.js';
import { record } from '../autograd/node.js';
import { stridedCopy } from '../kernels/copy.js';
import { rollAxisK } from '../kernels/rearrange.js';
import { fmtShape, normAxes, normAxis, sizeOf, stridesOf } from '../shape.js';
import { describeValue } from '../validate.js';
import { defineOp } from './registry.js';
import { expectInt, expectTensor } from './args.js';
import { expand, reshape, slice } from './shape.js';
import { clone } from './cast.js';

function axesList(axes: unknown, x: Tensor, op: string): number[] {
  if (typeof axes !== 'number' && !Array.isArray(axes)) throw new Error(`${op}: axes must be a number or an array of numbers, got ${describeValue(axes)}`);
  return normAxes(axes as number | number[], x.shape, op);
}

/** x with the order of elements reversed along the given axes (torch.flip). */
export const flip = /* @__PURE__ */ defineOp({
  name: 'flip', family: 'shape', differentiable: true, primitive: true,
  summary: 'reverses the order of elements along the given axes (a copy)', grad: 'flip(g, axes)',
}, (x: Tensor, axes: number | readonly number[]): Tensor => {
  expectTensor(x, 'flip');
  const dims = axesList(axes, x, 'flip');
  const strides = stridesOf(x.shape);
  const src = strides.slice();
  let offset = 0;
  for (const d of dims) {
    if (x.shape[d] > 0) offset += (x.shape[d] - 1) * strides[d];
    src[d] = -strides[d];
  }
  const out = Tensor.empty(x.shape, x.dtype);
  stridedCopy(x.data, offset, src, x.shape, out.data, 0, strides);
  return record('flip', out, [x], (g) => [flip(g, dims)], []);
});

function rollRaw(x: Tensor, shifts: readonly number[], dims: readonly number[]): Tensor {
  let cur = x.data;
  for (let k = 0; k < dims.length; k++) {
    const d = dims[k], n = x.shape[d];
    if (n === 0 || shifts[k] % n === 0) continue;
    const next = cur === x.data ? Tensor.empty(x.shape, x.dtype).data : cur.slice();
    rollAxisK(cur, next, sizeOf(x.shape.slice(0, d)), n, sizeOf(x.shape.slice(d + 1)), shifts[k]);
    cur = next;
  }
  const out = new Tensor(cur === x.data ? cur.slice() : cur, x.shape.slice(), x.dtype);
  return record('roll', out, [x], (g) => [rollRaw(g, shifts.map((s) => -s), dims)], []);
}

/**
 * x shifted by `shifts` along `axes`, elements wrapping around (torch.roll); without axes the flattened tensor is rolled
 * and the shape restored.
 */
export const roll = /* @__PURE__ */ defineOp({
  name: 'roll', family: 'shape', differentiable: true, primitive: true,
  summary: 'shifts elements along axes, wrapping around; without axes the flattened tensor is rolled (torch.roll)', grad: 'roll(g, -shifts, axes)',
}, (x: Tensor, shifts: number | readonly number[], axes?: number | readonly number[] | null): Tensor => {
  expectTensor(x, 'roll');
  const s = typeof shifts === 'number' ? [shifts] : Array.isArray(shifts) ? shifts.slice() : null;
  if (s === null || s.length === 0) throw new Error(`roll: shifts must be an integer or a non-empty array of integers, got ${describeValue(shifts)}`);
  s.forEach((v, i) => expectInt(v, 'roll', `shift ${i}`));
  if (axes === undefined || axes === null) {
    if (s.length !== 1) throw new Error(`roll: without axes, shifts must be a single integer (the tensor is flattened), got [${s.join(', ')}]`);
    return reshape(rollRaw(reshape(x, [x.size]), s, [0]), x.shape);
  }
  const list = typeof axes === 'number' ? [axes] : Array.isArray(axes) ? axes : null;
  if (list === null) throw new Error(`roll: axes must be a number or an array of numbers, got ${describeValue(axes)}`);
  if (list.length !== s.length) throw new Error(`roll: ${s.length} shift(s) [${s.join(', ')}] but ${list.length} axes [${list.join(', ')}]; give one shift per axis`);
  return rollRaw(x, s, list.map((a) => normAxis(a, x.ndim, 'roll', x.shape)));
});

function checkSizes(sizes: unknown, op: string, what: string): number[] {
  if (!Array.isArray(sizes)) throw new Error(`${op}: ${what} must be an array of non-negative integers like [2, 1], got ${describeValue(sizes)}`);
  for (const r of sizes) {
    if (!Number.isInteger(r) || r < 0) throw new Error(`${op}: ${what} must be non-negative integers, got ${fmtShape(sizes)}`);
  }
  return sizes.slice();
}

/** x tiled `sizes[d]` times along each dimension; extra leading sizes add dimensions (PyTorch's Tensor.repeat, sizes as an array). */
export const repeat = /* @__PURE__ */ defineOp({
  name: 'repeat', family: 'shape', differentiable: true, primitive: false,
  summary: 'tiles the whole tensor sizes[d] times along each axis (Tensor.repeat); extra leading sizes add dimensions',
  grad: 'composite (expand; g summed over the copies)',
}, (x: Tensor, sizes: readonly number[]): Tensor => {
  expectTensor(x, 'repeat');
  const reps = checkSizes(sizes, 'repeat', 'sizes');
  if (reps.length < x.ndim) {
    throw new Error(`repeat: ${reps.length} sizes ${fmtShape(reps)} for a tensor of shape ${fmtShape(x.shape)}; give at least one per dimension (${x.ndim})`);
  }
  const shape = [...new Array<number>(reps.length - x.ndim).fill(1), ...x.shape];
  // Interleave a size-1 axis before each dimension and broadcast it to the repeat count: [r0, s0, r1, s1, …].
  const target = shape.flatMap((s, d) => [reps[d], s]);
  const out = reshape(expand(reshape(x, shape.flatMap((s) => [1, s])), target), shape.map((s, d) => s * reps[d]));
  // Repeating all ones must still copy, as in PyTorch (expand and reshape alone would return a view of x).
  return out.data === x.data ? clone(out) : out;
});

/** Like `repeat`, but `dims` may be shorter than x's rank: missing leading entries count as 1 (torch.tile). */
export const tile = /* @__PURE__ */ defineOp({
  name: 'tile', family: 'shape', differentiable: true, primitive: false,
  summary: 'repeat with fewer sizes than dimensions allowed: missing leading sizes count as 1 (torch.tile)', grad: 'composite (repeat)',
}, (x: Tensor, dims: readonly number[]): Tensor => {
  expectTensor(x, 'tile');
  const reps = checkSizes(dims, 'tile', 'dims');
  return repeat(x, [...new Array<number>(Math.max(0, x.ndim - reps.length)).fill(1), ...reps]);
});

/** The slices of x along `axis` (default 0), with that axis removed (torch.unbind). */
export const unbind = /* @__PURE__ */ defineOp({
  name: 'unbind', family: 'shape', differentiable: true, primitive: false,
  summary: 'the slices along axis (default 0) as an array, that axis removed', grad: 'composite (slice)',
}, (x: Tensor, axis = 0): Tensor[] => {
  expectTensor(x, 'unbind');
  const a = normAxis(axis, x.ndim, 'unbind', x.shape);
  return Array.from({ length: x.shape[a] }, (_, i) => slice(x, x.shape.map((_d, d) => (d === a ? i : null))));
});
