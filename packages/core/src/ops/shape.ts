/**
 * Shape ops. reshape is a view (shares storage); permute, expand, slice, concat and pad copy through the one strided-copy
 * kernel. Each copy op's vjp is another copy op, so gradients of gradients stay inside this file's small closed set.
 */
import { Tensor, type Axis, type SliceSpec } from '../tensor.js';
import { record } from '../autograd/node.js';
import { stridedCopy } from '../kernels/copy.js';
import { broadcastStrides, broadcastsTo, fmtShape, normAxes, normAxis, sameShape, sizeOf, stridesOf } from '../shape.js';
import { defineOp } from './registry.js';
import { cast } from './cast.js';
import { checkInt32, promoteTypes, type DType } from '../dtype.js';
import { describeValue } from '../describe.js';
import { expectNumber, expectTensor } from '../validate.js';

export const reshape = /* @__PURE__ */ defineOp({
  name: 'reshape', family: 'shape', differentiable: true, primitive: true,
  summary: 'same values, new shape (one dimension may be -1); a view sharing storage (`view` is an alias)', grad: 'g reshaped to the input shape',
}, (x: Tensor, shape: readonly number[]): Tensor => {
  expectTensor(x, 'reshape');
  if (!Array.isArray(shape)) throw new Error(`reshape: shape must be an array, got ${String(shape)}`);
  const target = shape.slice();
  let infer = -1, known = 1;
  for (let i = 0; i < target.length; i++) {
    const d = target[i];
    if (d === -1) {
      if (infer >= 0) throw new Error(`reshape: only one dimension can be -1, got ${fmtShape(shape)}`);
      infer = i;
    } else if (!Number.isInteger(d) || d < 0) {
      throw new Error(`reshape: invalid dimension ${d} in ${fmtShape(shape)}`);
    } else known *= d;
  }
  if (infer >= 0) {
    if (known === 0 || x.size % known !== 0) throw new Error(`reshape: cannot reshape a tensor of shape ${fmtShape(x.shape)} (${x.size} elements) to ${fmtShape(shape)}`);
    target[infer] = x.size / known;
  }
  if (sizeOf(target) !== x.size) {
    throw new Error(`reshape: cannot reshape a tensor of shape ${fmtShape(x.shape)} (${x.size} elements) to ${fmtShape(shape)} (${sizeOf(target)} elements)`);
  }
  if (sameShape(target, x.shape)) return x;
  return record('reshape', x._view(target), [x], (g) => [reshape(g, x.shape)], []);
});

export const flatten = /* @__PURE__ */ defineOp({
  name: 'flatten', family: 'shape', differentiable: true, primitive: false,
  summary: 'merges dimensions startDim..endDim into one', grad: 'composite (reshape)',
}, (x: Tensor, startDim = 0, endDim = -1): Tensor => {
  expectTensor(x, 'flatten');
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normAxis(startDim, x.ndim, 'flatten', x.shape), e = normAxis(endDim, x.ndim, 'flatten', x.shape);
  if (s > e) throw new Error(`flatten: startDim ${startDim} comes after endDim ${endDim} for shape ${fmtShape(x.shape)}`);
  return reshape(x, [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
});

export const permute = /* @__PURE__ */ defineOp({
  name: 'permute', family: 'shape', differentiable: true, primitive: true,
  summary: 'reorders dimensions: out.shape[i] = x.shape[dims[i]]', grad: 'g permuted by the inverse permutation',
}, (x: Tensor, dims: readonly number[]): Tensor => {
  expectTensor(x, 'permute');
  if (!Array.isArray(dims) || dims.length !== x.ndim) {
    throw new Error(`permute: dims ${Array.isArray(dims) ? fmtShape(dims) : String(dims)} must list each of the ${x.ndim} dimensions of shape ${fmtShape(x.shape)} once`);
  }
  const d = dims.map((a) => normAxis(a, x.ndim, 'permute', x.shape));
  if (new Set(d).size !== d.length) throw new Error(`permute: repeated dimension in ${fmtShape(dims)}`);
  if (d.every((a, i) => a === i)) return x;
  const strides = stridesOf(x.shape);
  const shape = d.map((a) => x.shape[a]);
  const out = Tensor.empty(shape, x.dtype);
  stridedCopy(x.data, 0, d.map((a) => strides[a]), shape, out.data, 0, stridesOf(shape));
  const inverse = new Array<number>(d.length);
  d.forEach((a, i) => { inverse[a] = i; });
  return record('permute', out, [x], (g) => [permute(g, inverse)], []);
});

export const transpose = /* @__PURE__ */ defineOp({
  name: 'transpose', family: 'shape', differentiable: true, primitive: false,
  summary: 'swaps two dimensions (default: the last two)', grad: 'composite (permute)',
}, (x: Tensor, dim0 = -2, dim1 = -1): Tensor => {
  expectTensor(x, 'transpose');
  if (x.ndim < 2 && dim0 === -2 && dim1 === -1) return x;
  const a = normAxis(dim0, x.ndim, 'transpose', x.shape), b = normAxis(dim1, x.ndim, 'transpose', x.shape);
  const dims = x.shape.map((_, i) => (i === a ? b : i === b ? a : i));
  return permute(x, dims);
});

export const squeeze = /* @__PURE__ */ defineOp({
  name: 'squeeze', family: 'shape', differentiable: true, primitive: false,
  summary: 'removes size-1 dimensions (all, or the given axes that have size 1)', grad: 'composite (reshape)',
}, (x: Tensor, axis?: Axis): Tensor => {
  expectTensor(x, 'squeeze');
  const axes = axis === undefined || axis === null ? null : normAxes(axis, x.shape, 'squeeze');
  return reshape(x, x.shape.filter((d, i) => d !== 1 || (axes !== null && !axes.includes(i))));
});

export const unsqueeze = /* @__PURE__ */ defineOp({
  name: 'unsqueeze', family: 'shape', differentiable: true, primitive: false,
  summary: 'inserts a size-1 dimension at axis (negative counts from the end of the result)', grad: 'composite (reshape)',
}, (x: Tensor, axis: number): Tensor => {
  expectTensor(x, 'unsqueeze');
  const a = normAxis(axis, x.ndim + 1, 'unsqueeze', x.shape);
  const shape = x.shape.slice();
  shape.splice(a, 0, 1);
  return reshape(x, shape);
});

export const expand = /* @__PURE__ */ defineOp({
  name: 'expand', family: 'shape', differentiable: true, primitive: true,
  summary: 'broadcasts to a larger shape (-1 keeps a dimension); `broadcastTo` is the same without -1', grad: 'g summed over the broadcast dimensions (by the engine)',
}, (x: Tensor, shape: readonly number[]): Tensor => {
  expectTensor(x, 'expand');
  if (!Array.isArray(shape)) throw new Error(`expand: shape must be an array, got ${String(shape)}`);
  const off = shape.length - x.ndim;
  const target = shape.map((d, i) => (d === -1 && i >= off ? x.shape[i - off] : d));
  if (off < 0 || target.some((d) => !Number.isInteger(d) || d < 0) || !broadcastsTo(x.shape, target)) {
    throw new Error(`expand: a tensor of shape ${fmtShape(x.shape)} cannot be expanded to ${fmtShape(shape)}`);
  }
  if (sameShape(target, x.shape)) return x;
  const out = Tensor.empty(target, x.dtype);
  stridedCopy(x.data, 0, broadcastStrides(x.shape, target), target, out.data, 0, stridesOf(target));
  return record('expand', out, [x], (g) => [g], []);
});

export const broadcastTo = /* @__PURE__ */ defineOp({
  name: 'broadcastTo', family: 'shape', differentiable: true, primitive: false,
  summary: 'broadcasts to shape (NumPy rules)', grad: 'composite (expand)',
}, (x: Tensor, shape: readonly number[]): Tensor => {
  expectTensor(x, 'broadcastTo');
  const valid = Array.isArray(shape) && shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0);
  if (!valid || shape.length < x.ndim || !broadcastsTo(x.shape, shape)) {
    throw new Error(`broadcastTo: a tensor of shape ${fmtShape(x.shape)} cannot be broadcast to ${describeValue(shape)}${valid ? '' : ' (sizes must be non-negative integers)'}`);
  }
  return expand(x, shape);
});

interface Ranges { starts: number[]; steps: number[]; shape: number[]; drop: number[] }

function parseSlice(x: Tensor, spec: readonly SliceSpec[]): Ranges {
  if (!Array.isArray(spec)) throw new Error(`slice: spec must be an array with one entry per leading axis, got ${describeValue(spec)}`);
  spec.forEach((s, d) => {
    const ok = s === null || s === undefined || typeof s === 'number' || (Array.isArray(s) && s.length <= 3 && s.every((v) => v === null || v === undefined || typeof v === 'number'));
    if (!ok) throw new Error(`slice: entry ${d} must be an index, null, or [start?, stop?, step?] with numbers or null, got ${describeValue(s)}`);
  });
  if (spec.length > x.ndim) throw new Error(`slice: ${spec.length} entries given for a tensor of shape ${fmtShape(x.shape)}`);
  const starts: number[] = [], steps: number[] = [], shape: number[] = [], drop: number[] = [];
  for (let d = 0; d < x.ndim; d++) {
    const n = x.shape[d];
    const s = spec[d];
    if (typeof s === 'number') {
      if (!Number.isInteger(s) || s < -n || s >= n) throw new Error(`slice: index ${s} is out of range for axis ${d} of size ${n} (shape ${fmtShape(x.shape)})`);
      starts.push(s < 0 ? s + n : s); steps.push(1); shape.push(1); drop.push(d);
      continue;
    }
    const [start, stop, step] = s ?? [];
    const st = step ?? 1;
    if (!Number.isInteger(st) || st <= 0) throw new Error(`slice: step must be a positive integer, got ${st} for axis ${d}`);
    const clampIdx = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
    for (const v of [start, stop]) {
      if (v !== undefined && v !== null && !Number.isInteger(v)) throw new Error(`slice: bounds must be integers, got ${v} for axis ${d}`);
    }
    const b = start === undefined || start === null ? 0 : clampIdx(start);
    const e = stop === undefined || stop === null ? n : clampIdx(stop);
    starts.push(b); steps.push(st); shape.push(Math.max(0, Math.ceil((e - b) / st)));
  }
  return { starts, steps, shape, drop };
}

/** Copies the region described by `r` out of a tensor of `fullShape` (or, with `scatter`, into zeros of that shape). */
function regionCopy(src: Tensor, r: Ranges, fullShape: readonly number[], scatter: boolean): Tensor {
  const fullStrides = stridesOf(fullShape);
  const offset = r.starts.reduce((acc, s, d) => acc + s * fullStrides[d], 0);
  const regionStrides = fullStrides.map((s, d) => s * r.steps[d]);
  if (!scatter) {
    const out = Tensor.empty(r.shape, src.dtype);
    stridedCopy(src.data, offset, regionStrides, r.shape, out.data, 0, stridesOf(r.shape));
    return out;
  }
  const out = Tensor.empty(fullShape, src.dtype);
  stridedCopy(src.data, 0, stridesOf(r.shape), r.shape, out.data, offset, regionStrides);
  return out;
}

/** The vjp of slice: places g into zeros of the input's shape. Its own vjp is slice again. */
function sliceScatter(g: Tensor, r: Ranges, fullShape: readonly number[]): Tensor {
  const out = regionCopy(g, r, fullShape, true);
  return record('sliceBackward', out, [g], (gg) => [sliceRegion(gg, r)], []);
}

function sliceRegion(x: Tensor, r: Ranges): Tensor {
  const out = regionCopy(x, r, x.shape, false);
  return record('slice', out, [x], (g) => [sliceScatter(g, r, x.shape)], []);
}

export const slice = /* @__PURE__ */ defineOp({
  name: 'slice', family: 'shape', differentiable: true, primitive: true,
  summary: 'per-axis [start, stop, step] ranges (negatives from the end, null = whole axis); a number selects one index and drops the axis',
  grad: 'g scattered into zeros of the input shape',
}, (x: Tensor, spec: readonly SliceSpec[]): Tensor => {
  expectTensor(x, 'slice');
  const r = parseSlice(x, spec);
  const out = sliceRegion(x, r);
  return r.drop.length > 0 ? reshape(out, out.shape.filter((_, d) => !r.drop.includes(d))) : out;
});

export const narrow = /* @__PURE__ */ defineOp({
  name: 'narrow', family: 'shape', differentiable: true, primitive: false,
  summary: 'length elements of axis from start', grad: 'composite (slice)',
}, (x: Tensor, axis: number, start: number, length: number): Tensor => {
  expectTensor(x, 'narrow');
  const a = normAxis(axis, x.ndim, 'narrow', x.shape);
  const n = x.shape[a];
  const s = start < 0 ? start + n : start;
  if (!Number.isInteger(s) || !Number.isInteger(length) || s < 0 || length < 0 || s + length > n) {
    throw new Error(`narrow: start ${start} with length ${length} is out of range for axis ${axis} of size ${n} (shape ${fmtShape(x.shape)})`);
  }
  const spec: SliceSpec[] = x.shape.map(() => null);
  spec[a] = [s, s + length];
  return slice(x, spec);
});

export const split = /* @__PURE__ */ defineOp({
  name: 'split', family: 'shape', differentiable: true, primitive: false,
  summary: 'pieces of a given size (the last may be smaller) or of the listed sizes along axis', grad: 'composite (narrow)',
}, (x: Tensor, sizeOrSections: number | readonly number[], axis = 0): Tensor[] => {
  expectTensor(x, 'split');
  const a = normAxis(axis, x.ndim, 'split', x.shape);
  const n = x.shape[a];
  let sizes: number[];
  if (typeof sizeOrSections !== 'number' && !(Array.isArray(sizeOrSections) && sizeOrSections.every((v) => typeof v === 'number'))) {
    throw new Error(`split: sizeOrSections must be a positive integer or an array of integers, got ${describeValue(sizeOrSections)}`);
  }
  if (typeof sizeOrSections === 'number') {
    if (!Number.isInteger(sizeOrSections) || sizeOrSections <= 0) throw new Error(`split: split size must be a positive integer, got ${sizeOrSections}`);
    sizes = [];
    for (let s = 0; s < n; s += sizeOrSections) sizes.push(Math.min(sizeOrSections, n - s));
  } else {
    sizes = sizeOrSections.slice();
    const total = sizes.reduce((p, q) => p + q, 0);
    if (total !== n || sizes.some((s) => !Number.isInteger(s) || s < 0)) {
      throw new Error(`split: sections [${sizes.join(', ')}] must be non-negative integers summing to ${n}, the size of axis ${axis} of shape ${fmtShape(x.shape)}`);
    }
  }
  let start = 0;
  return sizes.map((len) => {
    const piece = narrow(x, a, start, len);
    start += len;
    return piece;
  });
});

export const chunk = /* @__PURE__ */ defineOp({
  name: 'chunk', family: 'shape', differentiable: true, primitive: false,
  summary: 'splits into `chunks` pieces of size ⌈n/chunks⌉ (fewer if they run out)', grad: 'composite (split)',
}, (x: Tensor, chunks: number, axis = 0): Tensor[] => {
  expectTensor(x, 'chunk');
  if (!Number.isInteger(chunks) || chunks <= 0) throw new Error(`chunk: chunks must be a positive integer, got ${chunks}`);
  const a = normAxis(axis, x.ndim, 'chunk', x.shape);
  return split(x, Math.max(1, Math.ceil(x.shape[a] / chunks)), a);
});

export const concat = /* @__PURE__ */ defineOp({
  name: 'concat', family: 'shape', differentiable: true, primitive: true,
  summary: 'joins tensors along an existing axis (`cat` is an alias); dtypes promote like PyTorch\'s', grad: 'each input gets its slice of g',
}, (tensors: readonly Tensor[], axis = 0): Tensor => joined(tensors, axis, 'concat'));

/** concat's body; `op` is the function the user called (concat or stack) for error messages. */
function joined(tensors: readonly Tensor[], axis: number, op: string): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new Error(`${op}: expected a non-empty array of tensors, got ${describeValue(tensors)}`);
  tensors.forEach((t, i) => expectTensor(t, op, `tensors[${i}]`));
  const first = tensors[0];
  if (first.ndim === 0) throw new Error(`${op}: zero-dimensional tensors cannot be concatenated (use stack)`);
  const a = normAxis(axis, first.ndim, op, first.shape);
  tensors.forEach((t, i) => {
    if (t.ndim !== first.ndim || t.shape.some((d: number, k: number) => k !== a && d !== first.shape[k])) {
      throw new Error(`${op}: tensor ${i} has shape ${fmtShape(t.shape)}, which does not match ${fmtShape(first.shape)} outside axis ${axis}`);
    }
  });
  // PyTorch's promotion over all inputs: cat([int32, float32]) is float32, and the float input keeps its gradient.
  const dtype = tensors.reduce<DType>((d, t) => promoteTypes(d, t.dtype), first.dtype);
  const inputs = tensors.map((t) => (t.dtype === dtype ? t : cast(t, dtype)));
  const shape = first.shape.slice();
  shape[a] = inputs.reduce((acc, t) => acc + t.shape[a], 0);
  const out = Tensor.empty(shape, dtype);
  const outStrides = stridesOf(shape);
  let offset = 0;
  for (const t of inputs) {
    stridedCopy(t.data, 0, stridesOf(t.shape), t.shape, out.data, offset * outStrides[a], outStrides);
    offset += t.shape[a];
  }
  return record('concat', out, inputs, (g, needs) => {
    let start = 0;
    return inputs.map((t, i) => {
      const piece = needs[i] ? narrow(g, a, start, t.shape[a]) : null;
      start += t.shape[a];
      return piece;
    });
  }, []);
}

export const stack = /* @__PURE__ */ defineOp({
  name: 'stack', family: 'shape', differentiable: true, primitive: false,
  summary: 'joins same-shape tensors along a new axis', grad: 'composite (unsqueeze + concat)',
}, (tensors: readonly Tensor[], axis = 0): Tensor => {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new Error(`stack: expected a non-empty array of tensors, got ${describeValue(tensors)}`);
  tensors.forEach((t, i) => {
    expectTensor(t, 'stack', `tensors[${i}]`);
    if (!sameShape(t.shape, tensors[0].shape)) throw new Error(`stack: tensor ${i} has shape ${fmtShape(t.shape)}, expected ${fmtShape(tensors[0].shape)} like tensor 0`);
  });
  const a = normAxis(axis, tensors[0].ndim + 1, 'stack', tensors[0].shape);
  return joined(tensors.map((t) => unsqueeze(t, a)), a, 'stack');
});

export const pad = /* @__PURE__ */ defineOp({
  name: 'pad', family: 'shape', differentiable: true, primitive: true,
  summary: 'pads with a constant; pads = [lastLeft, lastRight, prevLeft, prevRight, …] like torch.nn.functional.pad', grad: 'the unpadded slice of g',
}, (x: Tensor, pads: readonly number[], value = 0): Tensor => {
  expectTensor(x, 'pad');
  if (!Array.isArray(pads) || pads.length % 2 !== 0 || pads.length / 2 > x.ndim || pads.some((p) => !Number.isInteger(p) || p < 0)) {
    throw new Error(`pad: pads ${describeValue(pads)} must be pairs of non-negative integers, at most ${x.ndim} pairs for shape ${fmtShape(x.shape)}`);
  }
  expectNumber(value, 'pad', 'value');
  if (x.dtype === 'int32') checkInt32(value, 'pad');
  const starts = x.shape.map(() => 0);
  const shape = x.shape.slice();
  for (let k = 0; k < pads.length / 2; k++) {
    const d = x.ndim - 1 - k;
    starts[d] = pads[2 * k];
    shape[d] += pads[2 * k] + pads[2 * k + 1];
  }
  const r: Ranges = { starts, steps: x.shape.map(() => 1), shape: x.shape.slice(), drop: [] };
  const out = Tensor.empty(shape, x.dtype);
  if (value !== 0) out.data.fill(value);
  const strides = stridesOf(shape);
  stridedCopy(x.data, 0, stridesOf(x.shape), x.shape, out.data, starts.reduce((acc, s, d) => acc + s * strides[d], 0), strides);
  return record('pad', out, [x], (g) => [sliceRegion(g, r)], []);
});
