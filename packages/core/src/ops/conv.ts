/**
 * Convolutions (torch.nn.functional.conv1d/conv2d/conv_transpose1d/conv_transpose2d). One bilinear map y = conv(x, w)
 * has three faces, each a recorded op whose vjp is written with the other two, so the family is closed under
 * differentiation and gradients of any order work:
 *
 *   conv(x, w)         vjp: x̄ = convT(ȳ, w),  w̄ = convW(x, ȳ)
 *   convT(ȳ, w)        vjp: ȳ̄ = conv(u, w),   w̄ = convW(u, ȳ)      (u: the upstream gradient, shaped like x)
 *   convW(x, ȳ)        vjp: x̄ = convT(ȳ, u),  ȳ̄ = conv(x, u)       (u shaped like w)
 *
 * convT is exactly the transposed convolution, exposed as convTranspose1d/2d. A 1-D convolution is the 2-D one on a
 * height-1 image; the kernels (kernels/conv.ts) see only the 2-D geometry.
 */
import { Tensor } from '../tensor.js';
import { record } from '../autograd/node.js';
import { convForward, convInputGrad, convWeightGrad, type ConvGeometry } from '../kernels/conv.js';
import type { FloatArray } from '../kernels/types.js';
import { floatDType, promoteTypes } from '../dtype.js';
import { fmtShape } from '../shape.js';
import { checkOptionKeys, describeValue } from '../validate.js';
import { defineOp } from './registry.js';
import { cast } from './cast.js';
import { sum } from './reduce.js';
import { reshape } from './shape.js';

/** Options of conv1d / conv2d; sizes are a number (every spatial dimension) or one number per spatial dimension. */
export interface ConvOptions {
  /** Step between windows. Default 1. */
  stride?: number | readonly number[];
  /**
   * Zero padding on both sides of each spatial dimension, or `'valid'` (none) or `'same'` (output as large as the
   * input; stride 1 only; when the total padding dilation·(k−1) is odd, the extra element goes at the end, as in
   * PyTorch). Default 0.
   */
  padding?: number | readonly number[] | 'valid' | 'same';
  /** Spacing between kernel elements. Default 1. */
  dilation?: number | readonly number[];
  /** Split channels into this many independent groups; input and output channels must divide by it. Default 1. */
  groups?: number;
}

/** Options of convTranspose1d / convTranspose2d (PyTorch's conv_transpose: padding is removed from the output). */
export interface ConvTransposeOptions {
  /** Step between windows of the convolution this one transposes. Default 1. */
  stride?: number | readonly number[];
  /** dilation·(k−1) − padding zeros are added around the input; padding is trimmed from the output. Default 0. */
  padding?: number | readonly number[];
  /** Extra size added to one side of the output (to pick among the sizes a strided conv maps to the same size). Default 0. */
  outputPadding?: number | readonly number[];
  groups?: number;
  dilation?: number | readonly number[];
}

/** Everything the three faces need: the kernel geometry, the tensor shapes and the op names for 1-D or 2-D. */
interface ConvPlan {
  g: ConvGeometry;
  xShape: number[];
  wShape: number[];
  yShape: number[];
  /** x / y viewed as [N, C, positions] (or [C, positions]) and the axes a bias gradient sums over in that view. */
  xBias: BiasView;
  yBias: BiasView;
  names: { conv: string; transpose: string; weight: string };
}

interface BiasView {
  shape: number[];
  axes: number[];
}

/** The gradient of a per-channel bias: g summed over samples and positions (viewed 3-D, two passes at most). */
function biasGrad(g: Tensor, v: BiasView): Tensor {
  return sum(reshape(g, v.shape), v.axes);
}

const names = (dims: number) => ({ conv: `conv${dims}d`, transpose: `convTranspose${dims}d`, weight: `conv${dims}dWeight` });

function data(t: Tensor): FloatArray {
  return t.data as FloatArray;
}

/** y = conv(x, w) + b, shapes from the plan. */
function conv(x: Tensor, w: Tensor, b: Tensor | null, plan: ConvPlan): Tensor {
  const y = Tensor.empty(plan.yShape, x.dtype);
  convForward(plan.g, data(x), data(w), b ? data(b) : null, data(y));
  return record(plan.names.conv, y, b ? [x, w, b] : [x, w], (u, needs) => [
    needs[0] ? convT(u, w, null, plan) : null,
    needs[1] ? convW(x, u, plan) : null,
    needs[2] ? biasGrad(u, plan.yBias) : null,
  ], [x, w]);
}

/** The adjoint of conv in x: shaped like x, from a y-shaped gy; + b per channel of x (the transposed conv's bias). */
function convT(gy: Tensor, w: Tensor, b: Tensor | null, plan: ConvPlan): Tensor {
  const dx = Tensor.empty(plan.xShape, gy.dtype);
  convInputGrad(plan.g, data(gy), data(w), b ? data(b) : null, data(dx));
  return record(plan.names.transpose, dx, b ? [gy, w, b] : [gy, w], (u, needs) => [
    needs[0] ? conv(u, w, null, plan) : null,
    needs[1] ? convW(u, gy, plan) : null,
    needs[2] ? biasGrad(u, plan.xBias) : null,
  ], [gy, w]);
}

/** The adjoint of conv in w: shaped like w, from x and a y-shaped gy. */
function convW(x: Tensor, gy: Tensor, plan: ConvPlan): Tensor {
  const dw = Tensor.empty(plan.wShape, x.dtype);
  convWeightGrad(plan.g, data(x), data(gy), data(dw));
  return record(plan.names.weight, dw, [x, gy], (u, needs) => [
    needs[0] ? convT(gy, u, null, plan) : null,
    needs[1] ? conv(x, u, null, plan) : null,
  ], [x, gy]);
}

// ---------------------------------------------------------------- argument parsing

/** A size option as one integer per spatial dimension (≥ min), or an error naming the function and the option. */
function sizes(value: unknown, dims: number, option: string, fn: string, min: number, fallback: number): number[] {
  if (value === undefined) return new Array<number>(dims).fill(fallback);
  const list = typeof value === 'number' ? new Array<number>(dims).fill(value) : Array.isArray(value) ? (value as number[]) : null;
  if (list === null || list.length !== dims || !list.every((v) => Number.isInteger(v) && v >= min)) {
    const what = dims === 1 ? `an integer` : `an integer or ${dims} integers`;
    throw new Error(`${fn}: ${option} must be ${what} ≥ ${min}, got ${describeValue(value)}`);
  }
  return list.slice();
}

function checkTensor(t: unknown, what: string, fn: string): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new Error(`${fn}: ${what} must be a Tensor, got ${describeValue(t)}`);
}

function checkGroups(groups: unknown, fn: string): number {
  if (groups === undefined) return 1;
  if (!Number.isInteger(groups) || (groups as number) < 1) throw new Error(`${fn}: groups must be a positive integer, got ${describeValue(groups)}`);
  return groups as number;
}

/** Brings x, w (and b) to one float dtype, as matmul and linear do. */
function unify(x: Tensor, w: Tensor, b: Tensor | null): [Tensor, Tensor, Tensor | null] {
  // Convolutions compute in a float dtype (int32 operands in float32), promoted like matmul's operands.
  const dt = floatDType(b ? promoteTypes(promoteTypes(x.dtype, w.dtype), b.dtype) : promoteTypes(x.dtype, w.dtype));
  const to = (t: Tensor) => (t.dtype === dt ? t : cast(t, dt));
  return [to(x), to(w), b ? to(b) : null];
}

/** Checks x is [N, C, ...spatial] or [C, ...spatial]; returns whether it is batched. */
function batchedInput(x: Tensor, dims: number, fn: string): boolean {
  if (x.ndim !== dims + 1 && x.ndim !== dims + 2) {
    const sp = dims === 1 ? 'L' : 'H, W';
    throw new Error(`${fn}: expected input [N, C, ${sp}] or unbatched [C, ${sp}], got shape ${fmtShape(x.shape)}`);
  }
  return x.ndim === dims + 2;
}

function checkBias(b: Tensor | null, channels: number, fn: string): void {
  if (b !== null && (b.ndim !== 1 || b.shape[0] !== channels)) {
    throw new Error(`${fn}: bias of shape ${fmtShape(b.shape)} does not match the ${channels} output channels (expected [${channels}])`);
  }
}

function biasView(batched: boolean, n: number, channels: number, spatial: number[]): BiasView {
  const positions = spatial.reduce((a, b) => a * b, 1);
  return batched ? { shape: [n, channels, positions], axes: [0, 2] } : { shape: [channels, positions], axes: [1] };
}

/** Spatial sizes padded to 2-D: a 1-D size becomes [1, L]. */
const as2d = (v: number[], one: number): [number, number] => (v.length === 1 ? [one, v[0]] : [v[0], v[1]]);

function planOf(
  dims: number, batched: boolean, n: number, c: number, spatialIn: number[], o: number, kernel: number[], spatialOut: number[],
  stride: number[], padBefore: number[], dilation: number[], groups: number, wShape: number[],
): ConvPlan {
  const [h, w] = as2d(spatialIn, 1), [kh, kw] = as2d(kernel, 1), [oh, ow] = as2d(spatialOut, 1);
  const [sh, sw] = as2d(stride, 1), [ph, pw] = as2d(padBefore, 0), [dh, dw] = as2d(dilation, 1);
  const lead = batched ? [n] : [];
  const xShape = [...lead, c, ...spatialIn], yShape = [...lead, o, ...spatialOut];
  return {
    g: { n, c, h, w, o, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, groups },
    xShape, wShape, yShape,
    xBias: biasView(batched, n, c, spatialIn), yBias: biasView(batched, n, o, spatialOut),
    names: names(dims),
  };
}

const CONV_KEYS = ['stride', 'padding', 'dilation', 'groups'];

function convolution(fn: string, dims: number, xIn: Tensor, wIn: Tensor, bIn: Tensor | null | undefined, opts: ConvOptions): Tensor {
  checkTensor(xIn, 'input', fn);
  checkTensor(wIn, 'weight', fn);
  if (bIn !== undefined && bIn !== null) checkTensor(bIn, 'bias', fn);
  if (opts === null || typeof opts !== 'object') throw new Error(`${fn}: options must be an object, got ${describeValue(opts)}`);
  checkOptionKeys(opts, CONV_KEYS, fn);
  const batched = batchedInput(xIn, dims, fn);
  if (wIn.ndim !== dims + 2) throw new Error(`${fn}: expected a ${dims + 2}-D weight [out, in / groups, ${dims === 1 ? 'k' : 'kH, kW'}], got shape ${fmtShape(wIn.shape)}`);
  const groups = checkGroups(opts.groups, fn);
  const stride = sizes(opts.stride, dims, 'stride', fn, 1, 1);
  const dilation = sizes(opts.dilation, dims, 'dilation', fn, 1, 1);
  const n = batched ? xIn.shape[0] : 1, c = xIn.shape[batched ? 1 : 0], spatial = xIn.shape.slice(batched ? 2 : 1);
  const o = wIn.shape[0], kernel = wIn.shape.slice(2);
  if (c % groups !== 0) throw new Error(`${fn}: ${c} input channels (input ${fmtShape(xIn.shape)}) are not divisible by groups=${groups}`);
  if (wIn.shape[1] * groups !== c) {
    throw new Error(`${fn}: given groups=${groups}, weight of shape ${fmtShape(wIn.shape)} expects input with ${wIn.shape[1] * groups} channels, but input of shape ${fmtShape(xIn.shape)} has ${c}`);
  }
  if (o % groups !== 0) throw new Error(`${fn}: ${o} output channels (weight ${fmtShape(wIn.shape)}) are not divisible by groups=${groups}`);
  const b = bIn ?? null;
  checkBias(b, o, fn);
  let before: number[], after: number[];
  if (opts.padding === 'same' || opts.padding === 'valid') {
    if (opts.padding === 'same' && stride.some((s) => s !== 1)) throw new Error(`${fn}: padding 'same' needs stride 1, got stride ${fmtShape(stride)}`);
    const total = kernel.map((k, i) => (opts.padding === 'same' ? dilation[i] * (k - 1) : 0));
    before = total.map((t) => Math.floor(t / 2));
    after = total.map((t, i) => t - before[i]);
  } else {
    if (typeof opts.padding === 'string') throw new Error(`${fn}: padding must be a number, ${dims === 1 ? '' : 'a pair, '}'valid' or 'same', got ${describeValue(opts.padding)}`);
    before = sizes(opts.padding, dims, 'padding', fn, 0, 0);
    after = before;
  }
  const out = spatial.map((len, i) => {
    const padded = len + before[i] + after[i], span = dilation[i] * (kernel[i] - 1) + 1;
    if (span > padded) {
      throw new Error(`${fn}: kernel ${fmtShape(kernel)} (dilation ${fmtShape(dilation)}) is larger than the padded input ${fmtShape(spatial.map((l, k) => l + before[k] + after[k]))} of input shape ${fmtShape(xIn.shape)}`);
    }
    return Math.floor((padded - span) / stride[i]) + 1;
  });
  const [x, w, bias] = unify(xIn, wIn, b);
  return conv(x, w, bias, planOf(dims, batched, n, c, spatial, o, kernel, out, stride, before, dilation, groups, w.shape.slice()));
}

const CONV_T_KEYS = ['stride', 'padding', 'outputPadding', 'groups', 'dilation'];

function transposed(fn: string, dims: number, xIn: Tensor, wIn: Tensor, bIn: Tensor | null | undefined, opts: ConvTransposeOptions): Tensor {
  checkTensor(xIn, 'input', fn);
  checkTensor(wIn, 'weight', fn);
  if (bIn !== undefined && bIn !== null) checkTensor(bIn, 'bias', fn);
  if (opts === null || typeof opts !== 'object') throw new Error(`${fn}: options must be an object, got ${describeValue(opts)}`);
  checkOptionKeys(opts, CONV_T_KEYS, fn);
  const batched = batchedInput(xIn, dims, fn);
  if (wIn.ndim !== dims + 2) throw new Error(`${fn}: expected a ${dims + 2}-D weight [in, out / groups, ${dims === 1 ? 'k' : 'kH, kW'}], got shape ${fmtShape(wIn.shape)}`);
  const groups = checkGroups(opts.groups, fn);
  const stride = sizes(opts.stride, dims, 'stride', fn, 1, 1);
  const dilation = sizes(opts.dilation, dims, 'dilation', fn, 1, 1);
  const padding = sizes(opts.padding, dims, 'padding', fn, 0, 0);
  const outputPadding = sizes(opts.outputPadding, dims, 'outputPadding', fn, 0, 0);
  outputPadding.forEach((p, i) => {
    if (p >= stride[i] && p >= dilation[i]) {
      throw new Error(`${fn}: outputPadding ${fmtShape(outputPadding)} must be smaller than either stride ${fmtShape(stride)} or dilation ${fmtShape(dilation)}`);
    }
  });
  const n = batched ? xIn.shape[0] : 1, cin = xIn.shape[batched ? 1 : 0], spatial = xIn.shape.slice(batched ? 2 : 1);
  const kernel = wIn.shape.slice(2);
  if (wIn.shape[0] !== cin) throw new Error(`${fn}: weight of shape ${fmtShape(wIn.shape)} expects input with ${wIn.shape[0]} channels, but input of shape ${fmtShape(xIn.shape)} has ${cin}`);
  if (cin % groups !== 0) throw new Error(`${fn}: ${cin} input channels (input ${fmtShape(xIn.shape)}) are not divisible by groups=${groups}`);
  const cout = wIn.shape[1] * groups;
  const b = bIn ?? null;
  checkBias(b, cout, fn);
  const out = spatial.map((len, i) => (len - 1) * stride[i] - 2 * padding[i] + dilation[i] * (kernel[i] - 1) + outputPadding[i] + 1);
  if (out.some((len) => len < 1)) {
    throw new Error(`${fn}: input of shape ${fmtShape(xIn.shape)} with weight ${fmtShape(wIn.shape)} gives an empty output ${fmtShape(out)} (padding ${fmtShape(padding)} is too large)`);
  }
  const [x, w, bias] = unify(xIn, wIn, b);
  // The transposed op's output is the input of the convolution it transposes, and its input that conv's output.
  const plan = planOf(dims, batched, n, cout, out, cin, kernel, spatial, stride, padding, dilation, groups, w.shape.slice());
  return convT(x, w, bias, plan);
}

// ---------------------------------------------------------------- public ops

const CONV_GRAD = 'x: convTranspose(g, w); w: Σ g · x over the windows (itself a conv op); b: g summed over all but the channel axis';

/** torch.nn.functional.conv1d: x [N, C, L] (or [C, L]), weight [O, C / groups, k], bias [O]. */
export const conv1d = /* @__PURE__ */ defineOp({
  name: 'conv1d', family: 'convolution', differentiable: true, primitive: true,
  summary: '1-D cross-correlation of x [N, C, L] with weight [O, C/groups, k] (+ bias [O]); stride, padding (number, \'valid\', \'same\'), dilation, groups',
  grad: CONV_GRAD,
}, (x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions = {}): Tensor => convolution('conv1d', 1, x, weight, bias, opts));

/** torch.nn.functional.conv2d: x [N, C, H, W] (or [C, H, W]), weight [O, C / groups, kH, kW], bias [O]. */
export const conv2d = /* @__PURE__ */ defineOp({
  name: 'conv2d', family: 'convolution', differentiable: true, primitive: true,
  summary: '2-D cross-correlation of x [N, C, H, W] with weight [O, C/groups, kH, kW] (+ bias [O]); stride, padding (number, pair, \'valid\', \'same\'), dilation, groups',
  grad: CONV_GRAD,
}, (x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions = {}): Tensor => convolution('conv2d', 2, x, weight, bias, opts));

const CONV_T_GRAD = 'x: conv(g, w); w: Σ x · g over the windows (a conv op); b: g summed over all but the channel axis';

/** torch.nn.functional.conv_transpose1d: x [N, Cin, L], weight [Cin, Cout / groups, k], bias [Cout]. */
export const convTranspose1d = /* @__PURE__ */ defineOp({
  name: 'convTranspose1d', family: 'convolution', differentiable: true, primitive: true,
  summary: 'transposed 1-D convolution (the gradient of conv1d in its input) of x [N, Cin, L] with weight [Cin, Cout/groups, k]; stride, padding, outputPadding, groups, dilation',
  grad: CONV_T_GRAD,
}, (x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTransposeOptions = {}): Tensor => transposed('convTranspose1d', 1, x, weight, bias, opts));

/** torch.nn.functional.conv_transpose2d: x [N, Cin, H, W], weight [Cin, Cout / groups, kH, kW], bias [Cout]. */
export const convTranspose2d = /* @__PURE__ */ defineOp({
  name: 'convTranspose2d', family: 'convolution', differentiable: true, primitive: true,
  summary: 'transposed 2-D convolution (the gradient of conv2d in its input) of x [N, Cin, H, W] with weight [Cin, Cout/groups, kH, kW]; stride, padding, outputPadding, groups, dilation',
  grad: CONV_T_GRAD,
}, (x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTransposeOptions = {}): Tensor => transposed('convTranspose2d', 2, x, weight, bias, opts));
