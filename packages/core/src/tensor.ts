/**
 * The Tensor class: contiguous typed-array storage, a shape, a dtype, and the autograd fields. Every op is also a
 * method here that forwards to the function of the same name in ops/ — the ops hold the math, this file holds none.
 */
import type { Storage } from './kernels/types.js';
import { allocate, checkInt32, type DType } from './dtype.js';
import { fmtShape, sizeOf, type Shape } from './shape.js';
import { checkOptionKeys, describeValue } from './validate.js';
import type { GradNode } from './autograd/node.js';
import { isGradEnabled } from './autograd/grad-mode.js';
import { backward as runBackward, type BackwardOptions } from './autograd/engine.js';
import { formatTensor } from './format.js';
import * as U from './ops/unary.js';
import * as B from './ops/binary.js';
import * as R from './ops/reduce.js';
import * as S from './ops/shape.js';
import * as I from './ops/index-ops.js';
import { matmul } from './ops/matmul.js';
import { cast, clone } from './ops/cast.js';
import { softmax, logSoftmax } from './ops/softmax.js';
import * as IP from './ops/inplace.js';
import * as M from './ops/mask.js';
import * as SC from './ops/scan.js';
import * as SO from './ops/sort.js';
import * as RA from './ops/rearrange.js';
import * as D from './ops/diagonal.js';
import * as L from './ops/logical.js';
import * as SA from './ops/sample.js';
import { outer } from './ops/einsum.js';

export type Hook = (grad: Tensor) => Tensor | void | undefined;
export type Operand = Tensor | number;
export type Axis = number | readonly number[] | undefined | null;
export type SliceSpec = number | null | undefined | readonly [(number | null)?, (number | null)?, (number | null)?];

/**
 * The identity of a tensor's memory: every tensor that shares values with another (`detach()`, `reshape` views, a custom
 * op's output) shares this object too. `version` counts in-place changes; a vjp that saved a tensor checks it before use.
 */
export class TensorStorage {
  /** Bumped by every in-place change of the values (`add_`, `assign`, `fill`, optimizer steps, `loadStateDict`, …). */
  version = 0;
  constructor(readonly data: Storage) {}
}

export class Tensor {
  /** Contiguous values in row-major order. Read-only by convention: use `assign`/`fill` to change a tensor in place. */
  readonly data: Storage;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly size: number;
  /** The gradient accumulated by `backward`, or null. Settable (`x.grad = null` clears it). */
  grad: Tensor | null = null;
  /** Optional label, shown by `toDot` and in printing (nn names parameters with it). */
  name: string | undefined = undefined;
  /** @internal The op that produced this tensor, when it is part of a graph. */
  _node: GradNode | null = null;
  /** @internal */
  _requiresGrad = false;
  /** @internal */
  _hooks: Hook[] | null = null;
  /** @internal */
  _retainGrad = false;
  /** @internal Epoch of the last graph walk that visited this tensor (engine bookkeeping, replaces a Set). */
  _mark = 0;
  /** @internal Position in that walk's topological order. */
  _topo = 0;
  /** @internal Shared with every tensor viewing the same values (see TensorStorage). */
  readonly _storage: TensorStorage;

  /**
   * @internal Use `tensor()`, `zeros()` and friends to create tensors. Pass `storage` when `data` is another tensor's
   * (a view), so both see the same version counter.
   */
  constructor(data: Storage, shape: readonly number[], dtype: DType, storage?: TensorStorage) {
    if (storage !== undefined && storage.data !== data) throw new Error('Tensor: storage does not hold the given data');
    this.data = data;
    this.shape = shape;
    this.dtype = dtype;
    this.size = data.length;
    this._storage = storage ?? new TensorStorage(data);
  }

  /** How many times the values have been changed in place (PyTorch's `_version`); views share the count. */
  get version(): number {
    return this._storage.version;
  }

  /** @internal A tensor of another shape over the same values and version counter (reshape, detach). */
  _view(shape: readonly number[]): Tensor {
    return new Tensor(this.data, shape, this.dtype, this._storage);
  }

  /**
   * @internal A fresh tensor of the given shape whose values are all zero (typed arrays start zeroed, so unlike
   * `torch.empty` the contents are defined). Kernels write their results into such tensors. A shape too large to
   * allocate throws an AllocationError naming the shape; the op that asked renames it (see defineOp).
   */
  static empty(shape: Shape, dtype: DType): Tensor {
    return new Tensor(allocate(dtype, sizeOf(shape), shape), shape.slice(), dtype);
  }

  get ndim(): number {
    return this.shape.length;
  }

  get requiresGrad(): boolean {
    return this._requiresGrad;
  }

  set requiresGrad(value: boolean) {
    this._setRequiresGrad(value, 'requiresGrad');
  }

  /** @internal */
  private _setRequiresGrad(value: unknown, op: string): void {
    if (typeof value !== 'boolean') throw new Error(`${op}: expected true or false, got ${describeValue(value)}`);
    if (this._node) {
      throw new Error(`${op}: requiresGrad can only be set on leaf tensors; this one was produced by '${this._node.op}'. Use detach() to get a leaf.`);
    }
    if (value && this.dtype === 'int32') throw new Error(`${op}: only float32/float64 tensors can require gradients (this one is int32)`);
    this._requiresGrad = value;
  }

  /** True for tensors created by the user (not by a recorded op). */
  get isLeaf(): boolean {
    return this._node === null;
  }

  /** Name of the op that produced this tensor in the graph, or null for leaves. */
  get op(): string | null {
    return this._node ? this._node.op : null;
  }

  /** Sets requiresGrad and returns this tensor (chainable, like PyTorch's requires_grad_()). */
  requiresGrad_(value = true): this {
    this._setRequiresGrad(value, 'requiresGrad_');
    return this;
  }

  // ----- reading -----

  item(): number {
    if (this.size !== 1) throw new Error(`item: only a tensor with one element can be converted to a number, this one has shape ${fmtShape(this.shape)}`);
    return this.data[0];
  }

  /** Values as nested arrays (a number for a 0-d tensor). */
  toArray(): NestedArray {
    const { data, shape } = this;
    if (shape.length === 0) return data[0];
    const build = (dim: number, off: number, stride: number): NestedArray => {
      const n = shape[dim];
      const out: NestedArray[] = new Array(n);
      if (dim === shape.length - 1) {
        for (let i = 0; i < n; i++) out[i] = data[off + i];
        return out;
      }
      const sub = stride / (n || 1);
      for (let i = 0; i < n; i++) out[i] = build(dim + 1, off + i * sub, sub);
      return out;
    };
    return build(0, 0, this.size);
  }

  toString(): string {
    return formatTensor(this);
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  // ----- autograd -----

  /**
   * Backpropagates from this tensor. A scalar needs no gradient (`backward()` or `backward({ retainGraph })`); any other
   * shape needs `gradient` of the same shape. Gradients accumulate into `.grad` of leaves that require grad.
   */
  backward(gradient?: Tensor | BackwardOptions, opts?: BackwardOptions): void {
    if (gradient !== undefined && !(gradient instanceof Tensor)) {
      if (!isOptionsObject(gradient) || opts !== undefined) {
        throw new Error(`backward: gradient must be a Tensor of shape ${fmtShape(this.shape)} (or omitted for a scalar), got ${describeValue(gradient)}`);
      }
      opts = gradient;
      gradient = undefined;
    }
    if (opts !== undefined && !isOptionsObject(opts)) throw new Error(`backward: options must be an object like { retainGraph, createGraph }, got ${describeValue(opts)}`);
    checkOptionKeys(opts ?? {}, ['retainGraph', 'createGraph'], 'backward');
    runBackward([this], gradient === undefined ? undefined : [gradient], opts ?? {});
  }

  /** Keeps the gradient of this non-leaf tensor in `.grad` after backward. */
  retainGrad(): this {
    if (!this.requiresGrad) throw new Error('retainGrad: this tensor does not require grad');
    this._retainGrad = true;
    return this;
  }

  /**
   * Registers `fn`, called with this tensor's gradient during backward. If it returns a tensor, that replaces the gradient.
   * Returns a handle whose `remove()` unregisters the hook.
   */
  registerHook(fn: Hook): { remove(): void } {
    if (typeof fn !== 'function') throw new Error(`registerHook: expected a function (grad) => Tensor | undefined, got ${describeValue(fn)}`);
    if (!this.requiresGrad) throw new Error('registerHook: cannot register a hook on a tensor that does not require grad');
    (this._hooks ??= []).push(fn);
    return { remove: () => { this._hooks = this._hooks?.filter((h) => h !== fn) ?? null; } };
  }

  /** A tensor sharing this one's values but cut from the graph (a leaf that does not require grad). */
  detach(): Tensor {
    return this._view(this.shape);
  }

  // ----- in-place updates (for parameters and buffers, typically under noGrad) -----

  /** @internal Throws if an in-place update of this tensor could corrupt a graph. Changes nothing. */
  _checkInPlace(op: string): void {
    if (this._node) throw new Error(`${op}: cannot modify in place a tensor produced by '${this._node.op}' that is part of a graph; detach() it first`);
    if (this._requiresGrad && isGradEnabled()) {
      throw new Error(`${op}: in-place update of a leaf tensor that requires grad (shape ${fmtShape(this.shape)}); wrap it in noGrad(() => ...)`);
    }
  }

  /**
   * @internal Counts an in-place change of the values in the storage's version, so a vjp that saved this tensor (or a
   * view of it) refuses to run on the changed values. Every in-place path calls it once its operands are validated.
   */
  _bumpVersion(): void {
    this._storage.version++;
  }

  /** Copies `src` (broadcast to this shape, cast to this dtype) into this tensor's storage. */
  assign(src: Operand): this {
    this._checkInPlace('assign');
    if (typeof src === 'number') return this._fill(src, 'assign');
    if (!(src instanceof Tensor)) throw new Error(`assign: source must be a Tensor or a number, got ${describeValue(src)}`);
    if (src.data === this.data) return this;
    const values = IP.inPlaceOperand(this, src, 'assign');
    this._bumpVersion();
    this.data.set(values);
    return this;
  }

  /** Sets every element to `value` (an integer in range for an int32 tensor). */
  fill(value: number): this {
    return this._fill(value, 'fill');
  }

  /** Sets every element to 0. */
  zero(): this {
    return this._fill(0, 'zero');
  }

  /** @internal fill, with errors naming `op` (fill, zero or assign). */
  private _fill(value: unknown, op: string): this {
    this._checkInPlace(op);
    if (typeof value !== 'number') throw new Error(`${op}: value must be a number, got ${describeValue(value)}`);
    if (this.dtype === 'int32') checkInt32(value, op);
    this._bumpVersion();
    this.data.fill(value);
    return this;
  }

  /** this += alpha · other (other broadcasts to this shape). */
  add_(other: Operand, alpha = 1): this { IP.addInPlace(this, other, alpha, 1, 'add_'); return this; }
  /** this -= alpha · other */
  sub_(other: Operand, alpha = 1): this { IP.addInPlace(this, other, alpha, -1, 'sub_'); return this; }
  mul_(other: Operand): this { IP.mulInPlace(this, other); return this; }
  div_(other: Operand): this { IP.divInPlace(this, other); return this; }
  /** this += value · a · b */
  addcmul_(a: Tensor, b: Tensor, value = 1): this { IP.addcmulInPlace(this, a, b, value); return this; }
  /** this += weight · (end - this): a moving average in one pass (PyTorch's lerp_ with a scalar weight). */
  lerp_(end: Tensor, weight: number): this { IP.lerpInPlace(this, end, weight); return this; }
  /** this += value · a / b */
  addcdiv_(a: Tensor, b: Tensor, value = 1): this { IP.addcdivInPlace(this, a, b, value); return this; }

  // ----- dtype -----

  to(dtype: DType): Tensor { return cast(this, dtype); }
  cast(dtype: DType): Tensor { return cast(this, dtype); }
  clone(): Tensor { return clone(this); }

  // ----- elementwise unary -----

  neg(): Tensor { return U.neg(this); }
  exp(): Tensor { return U.exp(this); }
  log(): Tensor { return U.log(this); }
  log1p(): Tensor { return U.log1p(this); }
  sqrt(): Tensor { return U.sqrt(this); }
  abs(): Tensor { return U.abs(this); }
  sign(): Tensor { return U.sign(this); }
  sin(): Tensor { return U.sin(this); }
  cos(): Tensor { return U.cos(this); }
  tanh(): Tensor { return U.tanh(this); }
  sigmoid(): Tensor { return U.sigmoid(this); }
  relu(): Tensor { return U.relu(this); }
  leakyRelu(negativeSlope = 0.01): Tensor { return U.leakyRelu(this, negativeSlope); }
  /** GELU, exact by default; `{ approximate: 'tanh' }` for PyTorch's tanh form. */
  gelu(options?: U.GeluOptions): Tensor { return U.gelu(this, options); }
  softplus(): Tensor { return U.softplus(this); }
  erf(): Tensor { return U.erf(this); }
  reciprocal(): Tensor { return U.reciprocal(this); }
  square(): Tensor { return U.square(this); }
  clamp(min?: number | null, max?: number | null): Tensor { return U.clamp(this, min, max); }
  rsqrt(): Tensor { return U.rsqrt(this); }
  silu(): Tensor { return U.silu(this); }
  /** 1 where the value is NaN, else 0. */
  isnan(): Tensor { return L.isnan(this); }
  /** 1 where the value is neither NaN nor ±Infinity, else 0. */
  isfinite(): Tensor { return L.isfinite(this); }

  // ----- binary (broadcasting) -----

  add(other: Operand): Tensor { return B.add(this, other); }
  sub(other: Operand): Tensor { return B.sub(this, other); }
  mul(other: Operand): Tensor { return B.mul(this, other); }
  div(other: Operand): Tensor { return B.div(this, other); }
  pow(exponent: Operand): Tensor { return B.pow(this, exponent); }
  maximum(other: Operand): Tensor { return B.maximum(this, other); }
  minimum(other: Operand): Tensor { return B.minimum(this, other); }
  eq(other: Operand): Tensor { return B.eq(this, other); }
  ne(other: Operand): Tensor { return B.ne(this, other); }
  lt(other: Operand): Tensor { return B.lt(this, other); }
  le(other: Operand): Tensor { return B.le(this, other); }
  gt(other: Operand): Tensor { return B.gt(this, other); }
  ge(other: Operand): Tensor { return B.ge(this, other); }

  // ----- reductions -----

  sum(axis?: Axis, keepdim = false): Tensor { return R.sum(this, axis, keepdim); }
  mean(axis?: Axis, keepdim = false): Tensor { return R.mean(this, axis, keepdim); }
  max(axis?: Axis, keepdim = false): Tensor { return R.max(this, axis, keepdim); }
  min(axis?: Axis, keepdim = false): Tensor { return R.min(this, axis, keepdim); }
  var(axis?: Axis, keepdim = false, correction = 1): Tensor { return R.variance(this, axis, keepdim, correction); }
  std(axis?: Axis, keepdim = false, correction = 1): Tensor { return R.std(this, axis, keepdim, correction); }
  logsumexp(axis?: Axis, keepdim = false): Tensor { return R.logsumexp(this, axis, keepdim); }
  argmax(axis?: number, keepdim = false): Tensor { return R.argmax(this, axis, keepdim); }
  argmin(axis?: number, keepdim = false): Tensor { return R.argmin(this, axis, keepdim); }
  norm(p: number = 2, axis?: Axis, keepdim = false): Tensor { return R.norm(this, p, axis, keepdim); }
  prod(axis?: Axis, keepdim = false): Tensor { return SC.prod(this, axis, keepdim); }
  /** 1 if every element (over axes) is non-zero. */
  all(axis?: Axis, keepdim = false): Tensor { return L.all(this, axis, keepdim); }
  /** 1 if some element (over axes) is non-zero. */
  any(axis?: Axis, keepdim = false): Tensor { return L.any(this, axis, keepdim); }

  // ----- scans, sorting and selection -----

  cumsum(axis: number): Tensor { return SC.cumsum(this, axis); }
  cumprod(axis: number): Tensor { return SC.cumprod(this, axis); }
  /** `[values, indices]` sorted along axis (default -1); `{ descending }`. Stable; NaN sorts as the largest value. */
  sort(axis?: number | SO.SortOptions, opts?: SO.SortOptions): [Tensor, Tensor] { return SO.sort(this, axis, opts); }
  argsort(axis?: number | SO.SortOptions, opts?: SO.SortOptions): Tensor { return SO.argsort(this, axis, opts); }
  /** `[values, indices]` of the k largest (or `{ largest: false }` smallest) along axis (default -1). */
  topk(k: number, axis?: number | SO.TopkOptions, opts?: SO.TopkOptions): [Tensor, Tensor] { return SO.topk(this, k, axis, opts); }

  // ----- linear algebra -----

  matmul(other: Tensor): Tensor { return matmul(this, other); }

  // ----- shape -----

  reshape(shape: readonly number[]): Tensor { return S.reshape(this, shape); }
  view(shape: readonly number[]): Tensor { return S.reshape(this, shape); }
  flatten(startDim = 0, endDim = -1): Tensor { return S.flatten(this, startDim, endDim); }
  transpose(dim0 = -2, dim1 = -1): Tensor { return S.transpose(this, dim0, dim1); }
  /** The matrix transpose of the last two dimensions (PyTorch's `.mT`). */
  get mT(): Tensor { return S.transpose(this, -2, -1); }
  /**
   * All dimensions reversed: the transpose of a matrix, the tensor itself below 2-D. For 3-D and more this follows
   * PyTorch 1.13, which reverses every dimension (and warns that it is deprecated there); prefer `mT` or `permute`.
   */
  get T(): Tensor { return this.ndim < 2 ? this : S.permute(this, this.shape.map((_, i) => this.ndim - 1 - i)); }
  permute(dims: readonly number[]): Tensor { return S.permute(this, dims); }
  squeeze(axis?: Axis): Tensor { return S.squeeze(this, axis); }
  unsqueeze(axis: number): Tensor { return S.unsqueeze(this, axis); }
  expand(shape: readonly number[]): Tensor { return S.expand(this, shape); }
  broadcastTo(shape: readonly number[]): Tensor { return S.broadcastTo(this, shape); }
  expandAs(other: Tensor): Tensor {
    if (!(other instanceof Tensor)) throw new Error(`expandAs: other must be a Tensor, got ${describeValue(other)}`);
    return S.broadcastTo(this, other.shape);
  }
  slice(spec: readonly SliceSpec[]): Tensor { return S.slice(this, spec); }
  narrow(axis: number, start: number, length: number): Tensor { return S.narrow(this, axis, start, length); }
  split(sizeOrSections: number | readonly number[], axis = 0): Tensor[] { return S.split(this, sizeOrSections, axis); }
  chunk(chunks: number, axis = 0): Tensor[] { return S.chunk(this, chunks, axis); }
  pad(pads: readonly number[], value = 0): Tensor { return S.pad(this, pads, value); }
  indexSelect(axis: number, indices: IndexLike): Tensor { return I.indexSelect(this, axis, indices); }
  gather(axis: number, index: Tensor | NestedArray): Tensor { return I.gather(this, axis, index); }
  /** A copy with `src` (or a number) written at `index` along axis (torch.scatter). */
  scatter(axis: number, index: Tensor | NestedArray, src: Tensor | number): Tensor { return I.scatter(this, axis, index, src); }
  /** A copy with `src` added at `index` along axis; repeated indices accumulate (torch.scatter_add). */
  scatterAdd(axis: number, index: Tensor | NestedArray, src: Tensor): Tensor { return I.scatterAdd(this, axis, index, src); }
  flip(axes: number | readonly number[]): Tensor { return RA.flip(this, axes); }
  roll(shifts: number | readonly number[], axes?: number | readonly number[] | null): Tensor { return RA.roll(this, shifts, axes); }
  /** Tiles the tensor `sizes[d]` times along each dimension (PyTorch's Tensor.repeat, sizes as an array). */
  repeat(sizes: readonly number[]): Tensor { return RA.repeat(this, sizes); }
  tile(dims: readonly number[]): Tensor { return RA.tile(this, dims); }
  unbind(axis = 0): Tensor[] { return RA.unbind(this, axis); }

  // ----- masks, triangles and diagonals -----

  tril(diagonal = 0): Tensor { return M.tril(this, diagonal); }
  triu(diagonal = 0): Tensor { return M.triu(this, diagonal); }
  /** `value` where `mask` is non-zero, else this tensor's values (mask broadcasts). */
  maskedFill(mask: Tensor, value: number): Tensor { return M.maskedFill(this, mask, value); }
  diag(diagonal = 0): Tensor { return D.diag(this, diagonal); }
  diagonal(offset = 0, dim1 = 0, dim2 = 1): Tensor { return D.diagonal(this, offset, dim1, dim2); }
  diagEmbed(offset = 0, dim1 = -2, dim2 = -1): Tensor { return D.diagEmbed(this, offset, dim1, dim2); }
  outer(other: Tensor): Tensor { return outer(this, other); }

  // ----- sampling -----

  /** `numSamples` int32 category indices per row of these non-negative weights; `{ replacement, generator }`. */
  multinomial(numSamples: number, opts?: SA.MultinomialOptions): Tensor { return SA.multinomial(this, numSamples, opts); }
  /** 1 with probability given by each element (in [0, 1]), else 0; `{ generator }`. */
  bernoulli(opts?: SA.BernoulliOptions): Tensor { return SA.bernoulli(this, opts); }

  // ----- softmax -----

  softmax(axis = -1): Tensor { return softmax(this, axis); }
  logSoftmax(axis = -1): Tensor { return logSoftmax(this, axis); }
}

export type NestedArray = number | NestedArray[];

function isOptionsObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Tensor || ArrayBuffer.isView(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
export type IndexLike = Tensor | readonly number[] | Int32Array;
export type { BackwardOptions };
