/**
 * Pooling and resampling over the trailing spatial dimensions (torch.nn.functional.max_pool1d/2d, avg_pool2d,
 * adaptive_avg_pool2d, interpolate). Leading dimensions ([N, C] or just [C]) are independent planes.
 *
 * Max pooling picks one input element per window: its vjp scatters g back to those elements (scatterAddAt, whose vjp
 * is the gather at the same positions). Average pooling, adaptive average pooling and interpolation are linear
 * maps that are separable along height and width; they share one primitive pair (a map and its adjoint, each the
 * other's vjp) built from per-axis tap lists.
 */
import { Tensor } from '../tensor.js';
import { record } from '../autograd/node.js';
import { maxPoolPlanes, separableAdjoint, separableForward, type AxisTaps, type PoolWindow } from '../kernels/pool.js';
import type { FloatArray } from '../kernels/types.js';
import { fmtShape, sizeOf } from '../shape.js';
import { checkOptionKeys, describeValue } from '../validate.js';
import { defineOp } from './registry.js';
import { asFloat } from './cast.js';
import { scatterAddAt } from './index-ops.js';

type Sizes = number | readonly number[];

/** Options of maxPool1d / maxPool2d. */
export interface MaxPoolOptions {
  /** Step between windows. Default: the kernel size. */
  stride?: Sizes;
  /** Implicit −∞ padding on both sides; at most half the kernel size. Default 0. */
  padding?: Sizes;
  /** Spacing between window elements. Default 1. */
  dilation?: Sizes;
  /** Round the output size up instead of down (a last window may hang over the end, never start in the padding). Default false. */
  ceilMode?: boolean;
  /** Also return, for each output, the flat index of the chosen element within its input plane (int32). Default false. */
  returnIndices?: boolean;
}

/** maxPool1d / maxPool2d: the pooled tensor, or `[values, indices]` with `returnIndices: true`. */
export interface MaxPoolFn {
  (x: Tensor, kernelSize: Sizes, opts?: MaxPoolOptions & { returnIndices?: false }): Tensor;
  (x: Tensor, kernelSize: Sizes, opts: MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
  (x: Tensor, kernelSize: Sizes, opts?: MaxPoolOptions): Tensor | [Tensor, Tensor];
}

/** Options of avgPool2d. */
export interface AvgPoolOptions {
  /** Step between windows. Default: the kernel size. */
  stride?: Sizes;
  /** Implicit zero padding on both sides; at most half the kernel size. Default 0. */
  padding?: Sizes;
  /** Round the output size up instead of down. Default false. */
  ceilMode?: boolean;
  /** Count padded zeros in the divisor. Default true (as in PyTorch). */
  countIncludePad?: boolean;
  /** Divide every window's sum by this instead of its size. */
  divisorOverride?: number;
}

/** Options of interpolate: give exactly one of `size` and `scaleFactor`. */
export interface InterpolateOptions {
  /** Output spatial size (a number for every spatial dimension, or one per dimension). */
  size?: Sizes;
  /** Multiplier of the spatial size; the output size is ⌊input · scaleFactor⌋ and the sampling uses 1 / scaleFactor. */
  scaleFactor?: number | readonly number[];
  /** 'nearest' (default), 'linear' (3-D input) or 'bilinear' (4-D input). */
  mode?: 'nearest' | 'linear' | 'bilinear';
  /** Linear modes only: align the centres of the corner pixels of input and output (PyTorch's align_corners). Default false. */
  alignCorners?: boolean;
}

// ---------------------------------------------------------------- argument parsing

function sizes(value: unknown, dims: number, option: string, fn: string, min: number): number[] {
  const list = typeof value === 'number' ? new Array<number>(dims).fill(value) : Array.isArray(value) ? (value as number[]) : null;
  if (list === null || list.length !== dims || !list.every((v) => Number.isInteger(v) && v >= min)) {
    const what = dims === 1 ? 'an integer' : `an integer or ${dims} integers`;
    throw new Error(`${fn}: ${option} must be ${what} ≥ ${min}, got ${describeValue(value)}`);
  }
  return list.slice();
}

function checkFlag(value: unknown, option: string, fn: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new Error(`${fn}: ${option} must be a boolean, got ${describeValue(value)}`);
  return value;
}

function checkOptions(opts: unknown, keys: readonly string[], fn: string): void {
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) throw new Error(`${fn}: options must be an object, got ${describeValue(opts)}`);
  checkOptionKeys(opts, keys, fn);
}

/** The input as float, after checking it is [N, C, ...spatial] or [C, ...spatial] with non-empty planes. */
function spatialInput(x: unknown, dims: number, fn: string, batchedOnly = false): Tensor {
  if (!(x instanceof Tensor)) throw new Error(`${fn}: input must be a Tensor, got ${describeValue(x)}`);
  const sp = dims === 1 ? 'L' : 'H, W';
  if (batchedOnly ? x.ndim !== dims + 2 : x.ndim !== dims + 1 && x.ndim !== dims + 2) {
    throw new Error(`${fn}: expected input [N, C, ${sp}]${batchedOnly ? '' : ` or unbatched [C, ${sp}]`}, got shape ${fmtShape(x.shape)}`);
  }
  if (x.shape.slice(x.ndim - dims).some((d) => d === 0)) throw new Error(`${fn}: input of shape ${fmtShape(x.shape)} has an empty spatial dimension`);
  return asFloat(x, fn);
}

/** PyTorch's pooling output size, with the ceil-mode rule that the last window must start inside the input or left padding. */
function pooledSize(len: number, k: number, pad: number, stride: number, dilation: number, ceil: boolean): number {
  let out = Math.floor((len + 2 * pad - dilation * (k - 1) - 1 + (ceil ? stride - 1 : 0)) / stride) + 1;
  if (ceil && (out - 1) * stride >= len + pad) out--;
  return out;
}

interface Window {
  kernel: number[];
  stride: number[];
  padding: number[];
  dilation: number[];
  out: number[];
}

function poolWindow(fn: string, x: Tensor, dims: number, kernelSize: unknown, opts: { stride?: Sizes; padding?: Sizes; dilation?: Sizes }, ceil: boolean): Window {
  const kernel = sizes(kernelSize, dims, 'kernelSize', fn, 1);
  const stride = opts.stride === undefined ? kernel.slice() : sizes(opts.stride, dims, 'stride', fn, 1);
  const padding = opts.padding === undefined ? new Array<number>(dims).fill(0) : sizes(opts.padding, dims, 'padding', fn, 0);
  const dilation = opts.dilation === undefined ? new Array<number>(dims).fill(1) : sizes(opts.dilation, dims, 'dilation', fn, 1);
  if (padding.some((p, i) => p > Math.floor(kernel[i] / 2))) {
    throw new Error(`${fn}: padding ${fmtShape(padding)} must be at most half the kernel size ${fmtShape(kernel)}`);
  }
  const spatial = x.shape.slice(x.ndim - dims);
  const out = spatial.map((len, i) => pooledSize(len, kernel[i], padding[i], stride[i], dilation[i], ceil));
  if (out.some((o) => o < 1)) {
    throw new Error(`${fn}: input of shape ${fmtShape(x.shape)} is too small for kernel ${fmtShape(kernel)} (padding ${fmtShape(padding)}, dilation ${fmtShape(dilation)}): the output size would be ${fmtShape(out)}`);
  }
  return { kernel, stride, padding, dilation, out };
}

/** Spatial values padded to 2-D: a 1-D [L] becomes [one, L]. */
const as2d = (v: readonly number[], one: number): [number, number] => (v.length === 1 ? [one, v[0]] : [v[0], v[1]]);

// ---------------------------------------------------------------- max pooling

function maxPool(fn: string, dims: number, xIn: Tensor, kernelSize: Sizes, opts: MaxPoolOptions): Tensor | [Tensor, Tensor] {
  checkOptions(opts, ['stride', 'padding', 'dilation', 'ceilMode', 'returnIndices'], fn);
  const ceil = checkFlag(opts.ceilMode, 'ceilMode', fn), withIndices = checkFlag(opts.returnIndices, 'returnIndices', fn);
  const x = spatialInput(xIn, dims, fn);
  const win = poolWindow(fn, x, dims, kernelSize, opts, ceil);
  const spatial = x.shape.slice(x.ndim - dims);
  const [h, w] = as2d(spatial, 1), [oh, ow] = as2d(win.out, 1);
  const [kh, kw] = as2d(win.kernel, 1), [sh, sw] = as2d(win.stride, 1), [ph, pw] = as2d(win.padding, 0), [dh, dw] = as2d(win.dilation, 1);
  const g: PoolWindow = { h, w, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw };
  const outShape = [...x.shape.slice(0, x.ndim - dims), ...win.out];
  const planes = sizeOf(x.shape.slice(0, x.ndim - dims));
  const out = Tensor.empty(outShape, x.dtype);
  const offsets = new Int32Array(out.size);
  if (!maxPoolPlanes(x.data as FloatArray, planes, g, out.data as FloatArray, offsets)) {
    throw new Error(`${fn}: with padding ${fmtShape(win.padding)} and dilation ${fmtShape(win.dilation)}, a window of kernel ${fmtShape(win.kernel)} covers no element of input ${fmtShape(x.shape)}`);
  }
  const values = record(fn, out, [x], (gy) => [scatterAddAt(gy, offsets, outShape, x.shape)], []);
  if (!withIndices) return values;
  const indices = Tensor.empty(outShape, 'int32');
  const per = sizeOf(spatial), idx = indices.data;
  for (let i = 0; i < offsets.length; i++) idx[i] = offsets[i] % per;
  return [values, indices];
}

export const maxPool1d = /* @__PURE__ */ defineOp({
  name: 'maxPool1d', family: 'pooling', differentiable: true, primitive: true,
  summary: 'max over windows of the last axis of [N, C, L] or [C, L]; kernelSize, stride (default kernel), padding, dilation, ceilMode, returnIndices',
  grad: 'g scattered to the chosen element of each window (first maximum)',
}, (x: Tensor, kernelSize: Sizes, opts: MaxPoolOptions = {}): Tensor | [Tensor, Tensor] => maxPool('maxPool1d', 1, x, kernelSize, opts)) as MaxPoolFn;

export const maxPool2d = /* @__PURE__ */ defineOp({
  name: 'maxPool2d', family: 'pooling', differentiable: true, primitive: true,
  summary: 'max over windows of the last two axes of [N, C, H, W] or [C, H, W]; kernelSize, stride (default kernel), padding, dilation, ceilMode, returnIndices',
  grad: 'g scattered to the chosen element of each window (first maximum)',
}, (x: Tensor, kernelSize: Sizes, opts: MaxPoolOptions = {}): Tensor | [Tensor, Tensor] => maxPool('maxPool2d', 2, x, kernelSize, opts)) as MaxPoolFn;

// ---------------------------------------------------------------- separable linear maps

/** A map out = Rows · x · Colsᵀ on each of `planes` h × w images, with the name its forward face is recorded under. */
interface SeparableMap {
  rows: AxisTaps;
  cols: AxisTaps;
  name: string;
  planes: number;
  h: number;
  w: number;
  inShape: number[];
  outShape: number[];
}

function applyMap(x: Tensor, m: SeparableMap): Tensor {
  const out = Tensor.empty(m.outShape, x.dtype);
  separableForward(x.data as FloatArray, m.planes, m.h, m.w, m.rows, m.cols, out.data as FloatArray);
  return record(m.name, out, [x], (g) => [applyAdjoint(g, m)], []);
}

/** The adjoint (transpose) of the map: its vjp, and the map is the adjoint's vjp. */
function applyAdjoint(g: Tensor, m: SeparableMap): Tensor {
  const dx = Tensor.empty(m.inShape, g.dtype);
  separableAdjoint(g.data as FloatArray, m.planes, m.h, m.w, m.rows, m.cols, dx.data as FloatArray);
  return record(`${m.name}Backward`, dx, [g], (gg) => [applyMap(gg, m)], []);
}

/** Tap lists from per-output (index, weight) lists. */
function taps(lists: readonly (readonly [number, number])[][]): AxisTaps {
  const ptr = new Int32Array(lists.length + 1);
  lists.forEach((l, t) => { ptr[t + 1] = ptr[t] + l.length; });
  const index = new Int32Array(ptr[lists.length]), weight = new Float64Array(ptr[lists.length]);
  lists.forEach((l, t) => l.forEach(([i, wt], k) => { index[ptr[t] + k] = i; weight[ptr[t] + k] = wt; }));
  return { ptr, index, weight };
}

/** The identity along a missing (height-1) axis of a 1-D map. */
const UNIT = taps([[[0, 1]]]);

function separable(name: string, x: Tensor, dims: number, rows: AxisTaps, cols: AxisTaps, out: number[]): Tensor {
  const spatial = x.shape.slice(x.ndim - dims), lead = x.shape.slice(0, x.ndim - dims);
  const [h, w] = as2d(spatial, 1);
  return applyMap(x, { rows, cols, name, planes: sizeOf(lead), h, w, inShape: x.shape.slice(), outShape: [...lead, ...out] });
}

// ---------------------------------------------------------------- average pooling

/** Taps of average pooling along one axis; `scale` multiplies every weight (the divisor override goes on one axis). */
function averageTaps(len: number, out: number, k: number, stride: number, pad: number, includePad: boolean, override: number | null): AxisTaps {
  const lists: [number, number][][] = [];
  for (let t = 0; t < out; t++) {
    const start = t * stride - pad, endPadded = Math.min(start + k, len + pad);
    const lo = Math.max(start, 0), hi = Math.min(endPadded, len);
    const count = override ?? (includePad ? endPadded - start : hi - lo);
    const list: [number, number][] = [];
    for (let i = lo; i < hi; i++) list.push([i, 1 / count]);
    lists.push(list);
  }
  return taps(lists);
}

export const avgPool2d = /* @__PURE__ */ defineOp({
  name: 'avgPool2d', family: 'pooling', differentiable: true, primitive: true,
  summary: 'mean over windows of the last two axes of [N, C, H, W] or [C, H, W]; kernelSize, stride (default kernel), padding, ceilMode, countIncludePad (default true), divisorOverride',
  grad: 'g / divisor spread back over each window (the adjoint map)',
}, (x: Tensor, kernelSize: Sizes, opts: AvgPoolOptions = {}): Tensor => {
  const fn = 'avgPool2d';
  checkOptions(opts, ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride'], fn);
  const ceil = checkFlag(opts.ceilMode, 'ceilMode', fn);
  const includePad = opts.countIncludePad === undefined ? true : checkFlag(opts.countIncludePad, 'countIncludePad', fn);
  const override = opts.divisorOverride ?? null;
  if (override !== null && (!Number.isInteger(override) || override === 0)) throw new Error(`${fn}: divisorOverride must be a non-zero integer, got ${describeValue(override)}`);
  const xf = spatialInput(x, 2, fn);
  const win = poolWindow(fn, xf, 2, kernelSize, { stride: opts.stride, padding: opts.padding }, ceil);
  const [h, w] = xf.shape.slice(xf.ndim - 2);
  const rows = averageTaps(h, win.out[0], win.kernel[0], win.stride[0], win.padding[0], includePad, override);
  const cols = averageTaps(w, win.out[1], win.kernel[1], win.stride[1], win.padding[1], includePad, override === null ? null : 1);
  return separable(fn, xf, 2, rows, cols, win.out);
});

/** PyTorch's adaptive windows: output t of `out` averages input [⌊t·len/out⌋, ⌈(t+1)·len/out⌉). */
function adaptiveTaps(len: number, out: number): AxisTaps {
  const lists: [number, number][][] = [];
  for (let t = 0; t < out; t++) {
    const lo = Math.floor((t * len) / out), hi = Math.ceil(((t + 1) * len) / out);
    const list: [number, number][] = [];
    for (let i = lo; i < hi; i++) list.push([i, 1 / (hi - lo)]);
    lists.push(list);
  }
  return taps(lists);
}

export const adaptiveAvgPool2d = /* @__PURE__ */ defineOp({
  name: 'adaptiveAvgPool2d', family: 'pooling', differentiable: true, primitive: true,
  summary: 'mean over the windows that split H × W into outputSize (a number, or [h, w] with null keeping that size), for [N, C, H, W] or [C, H, W]',
  grad: 'g / window size spread back over each window (the adjoint map)',
}, (x: Tensor, outputSize: number | readonly (number | null)[]): Tensor => {
  const fn = 'adaptiveAvgPool2d';
  const xf = spatialInput(x, 2, fn);
  const [h, w] = xf.shape.slice(xf.ndim - 2);
  const given = typeof outputSize === 'number' ? [outputSize, outputSize] : Array.isArray(outputSize) ? outputSize : null;
  if (given === null || given.length !== 2 || !given.every((v) => v === null || (Number.isInteger(v) && (v as number) >= 1))) {
    throw new Error(`${fn}: outputSize must be a positive integer or a pair of positive integers (or null to keep a dimension), got ${describeValue(outputSize)}`);
  }
  const out = [given[0] ?? h, given[1] ?? w];
  return separable(fn, xf, 2, adaptiveTaps(h, out[0]), adaptiveTaps(w, out[1]), out);
});

// ---------------------------------------------------------------- interpolation

/** PyTorch's legacy 'nearest' source index, computed in float32 as ATen does (nearest_idx). */
function nearestTaps(len: number, out: number, scale: number | null): AxisTaps {
  const lists: [number, number][][] = [];
  const ratio = Math.fround(scale !== null && scale > 0 ? 1 / scale : len / out);
  for (let t = 0; t < out; t++) {
    const src = out === len ? t : out === 2 * len ? t >> 1 : Math.min(Math.floor(Math.fround(t * ratio)), len - 1);
    lists.push([[src, 1]]);
  }
  return taps(lists);
}

/** Linear interpolation between the two nearest inputs (ATen's area_pixel_compute_source_index and lambdas). */
function linearTaps(len: number, out: number, scale: number | null, alignCorners: boolean): AxisTaps {
  const lists: [number, number][][] = [];
  const ratio = alignCorners ? (out > 1 ? (len - 1) / (out - 1) : 0) : scale !== null && scale > 0 ? 1 / scale : len / out;
  for (let t = 0; t < out; t++) {
    if (out === len) {
      lists.push([[t, 1]]);
      continue;
    }
    const src = alignCorners ? ratio * t : Math.max(ratio * (t + 0.5) - 0.5, 0);
    const i0 = Math.trunc(src), i1 = i0 + (i0 < len - 1 ? 1 : 0), l1 = src - i0;
    lists.push([[i0, 1 - l1], [i1, l1]]);
  }
  return taps(lists);
}

export const interpolate = /* @__PURE__ */ defineOp({
  name: 'interpolate', family: 'pooling', differentiable: true, primitive: true,
  summary: "resizes [N, C, L] or [N, C, H, W] to size or by scaleFactor; mode 'nearest' (PyTorch's legacy rule), 'linear' or 'bilinear' with alignCorners",
  grad: 'g spread back to the sampled inputs with the same weights (the adjoint map)',
}, (x: Tensor, opts: InterpolateOptions): Tensor => {
  const fn = 'interpolate';
  checkOptions(opts, ['size', 'scaleFactor', 'mode', 'alignCorners'], fn);
  if (!(x instanceof Tensor) || (x.ndim !== 3 && x.ndim !== 4)) {
    throw new Error(`${fn}: expected input [N, C, L] or [N, C, H, W], got ${x instanceof Tensor ? `shape ${fmtShape(x.shape)}` : describeValue(x)}`);
  }
  const dims = x.ndim - 2;
  const mode = opts.mode ?? 'nearest';
  if (mode !== 'nearest' && mode !== 'linear' && mode !== 'bilinear') throw new Error(`${fn}: mode must be 'nearest', 'linear' or 'bilinear', got ${describeValue(mode)}`);
  if (mode === 'linear' && dims !== 1) throw new Error(`${fn}: mode 'linear' needs a 3-D input [N, C, L], got shape ${fmtShape(x.shape)} (use 'bilinear')`);
  if (mode === 'bilinear' && dims !== 2) throw new Error(`${fn}: mode 'bilinear' needs a 4-D input [N, C, H, W], got shape ${fmtShape(x.shape)}`);
  if (mode === 'nearest' && opts.alignCorners !== undefined) throw new Error(`${fn}: alignCorners can only be set with mode 'linear' or 'bilinear'`);
  const alignCorners = checkFlag(opts.alignCorners, 'alignCorners', fn);
  const xf = spatialInput(x, dims, fn, true);
  const spatial = xf.shape.slice(2);
  if ((opts.size === undefined) === (opts.scaleFactor === undefined)) throw new Error(`${fn}: give exactly one of size and scaleFactor`);
  let out: number[], scales: (number | null)[];
  if (opts.size !== undefined) {
    out = sizes(opts.size, dims, 'size', fn, 1);
    scales = out.map(() => null);
  } else {
    const sf = opts.scaleFactor;
    const list = typeof sf === 'number' ? new Array<number>(dims).fill(sf) : Array.isArray(sf) ? (sf as number[]) : null;
    if (list === null || list.length !== dims || !list.every((v) => typeof v === 'number' && v > 0 && Number.isFinite(v))) {
      throw new Error(`${fn}: scaleFactor must be a positive number${dims === 1 ? '' : ` or ${dims} positive numbers`}, got ${describeValue(sf)}`);
    }
    out = spatial.map((len, i) => Math.floor(len * list[i]));
    if (out.some((o) => o < 1)) throw new Error(`${fn}: scaleFactor ${describeValue(sf)} shrinks input of shape ${fmtShape(x.shape)} to an empty output ${fmtShape(out)}`);
    scales = list.slice();
  }
  const axis = (i: number) => (mode === 'nearest' ? nearestTaps(spatial[i], out[i], scales[i]) : linearTaps(spatial[i], out[i], scales[i], alignCorners));
  return dims === 1 ? separable(fn, xf, 1, UNIT, axis(0), out) : separable(fn, xf, 2, axis(0), axis(1), out);
});
