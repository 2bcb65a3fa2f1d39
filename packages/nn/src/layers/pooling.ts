/**
 * Pooling and resampling layers (torch.nn.MaxPool1d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Upsample): no
 * parameters, each a thin wrapper over the core op of the same name that keeps its options.
 */
import {
  Tensor, adaptiveAvgPool2d, avgPool2d, interpolate, maxPool1d, maxPool2d, type AvgPoolOptions, type InterpolateOptions,
  type MaxPoolOptions,
} from '@tensorgrad/core';
import { Module } from '../module.js';
import { expectTensor, sizeTuple } from '../util.js';

type Size = number | number[];

export interface MaxPoolLayerOptions<I extends boolean = boolean> {
  /** Step between windows. Default: the kernel size. */
  stride?: Size;
  /** Implicit −∞ padding on both sides, at most half the kernel. Default 0. */
  padding?: Size;
  dilation?: Size;
  /** Round the output size up. Default false. */
  ceilMode?: boolean;
  /** forward returns [values, indices] (indices flat within each plane, int32). Default false. */
  returnIndices?: I;
}

const show = (v: Size | undefined): string => (Array.isArray(v) ? `[${v.join(', ')}]` : String(v));

/** Checks window options when the layer is built, so mistakes are reported by the layer's name before any forward. */
function checkWindow(layer: string, dims: number, kernelSize: Size, o: { stride?: Size; padding?: Size; dilation?: Size; ceilMode?: boolean }): void {
  const k = sizeTuple(kernelSize, dims, 'kernelSize', layer, 1);
  if (o.stride !== undefined) sizeTuple(o.stride, dims, 'stride', layer, 1);
  if (o.dilation !== undefined) sizeTuple(o.dilation, dims, 'dilation', layer, 1);
  if (o.padding !== undefined) {
    const p = sizeTuple(o.padding, dims, 'padding', layer, 0);
    if (p.some((v, i) => v > Math.floor(k[i] / 2))) throw new Error(`${layer}: padding ${show(o.padding)} must be at most half the kernel size ${show(kernelSize)}`);
  }
  for (const flag of ['ceilMode', 'returnIndices', 'countIncludePad'] as const) {
    const v = (o as Record<string, unknown>)[flag];
    if (v !== undefined && typeof v !== 'boolean') throw new Error(`${layer}: ${flag} must be a boolean, got ${JSON.stringify(v)}`);
  }
}

abstract class MaxPoolNd<I extends boolean> extends Module {
  constructor(private readonly layerName: string, dims: number, readonly kernelSize: Size, readonly options: MaxPoolLayerOptions<I>) {
    super();
    checkWindow(layerName, dims, kernelSize, options);
  }

  protected abstract pool(x: Tensor, opts: MaxPoolOptions): Tensor | [Tensor, Tensor];

  forward(x: Tensor): I extends true ? [Tensor, Tensor] : Tensor {
    expectTensor(x, this.layerName);
    return this.pool(x, this.options) as I extends true ? [Tensor, Tensor] : Tensor;
  }

  override extraRepr(): string {
    const o = this.options;
    return `kernelSize=${show(this.kernelSize)}, stride=${show(o.stride ?? this.kernelSize)}, padding=${show(o.padding ?? 0)}, dilation=${show(o.dilation ?? 1)}, ceilMode=${o.ceilMode ?? false}`;
  }
}

/** Max over windows of the last axis of [N, C, L] or [C, L] (torch.nn.MaxPool1d). */
export class MaxPool1d<I extends boolean = false> extends MaxPoolNd<I> {
  constructor(kernelSize: Size, options: MaxPoolLayerOptions<I> = {}) {
    super('MaxPool1d', 1, kernelSize, { ...options });
  }

  protected pool(x: Tensor, opts: MaxPoolOptions): Tensor | [Tensor, Tensor] {
    return maxPool1d(x, this.kernelSize, opts);
  }
}

/** Max over windows of the last two axes of [N, C, H, W] or [C, H, W] (torch.nn.MaxPool2d). */
export class MaxPool2d<I extends boolean = false> extends MaxPoolNd<I> {
  constructor(kernelSize: Size, options: MaxPoolLayerOptions<I> = {}) {
    super('MaxPool2d', 2, kernelSize, { ...options });
  }

  protected pool(x: Tensor, opts: MaxPoolOptions): Tensor | [Tensor, Tensor] {
    return maxPool2d(x, this.kernelSize, opts);
  }
}

/** Mean over windows of the last two axes of [N, C, H, W] or [C, H, W] (torch.nn.AvgPool2d). */
export class AvgPool2d extends Module {
  readonly options: AvgPoolOptions;

  constructor(readonly kernelSize: Size, options: AvgPoolOptions = {}) {
    super();
    checkWindow('AvgPool2d', 2, kernelSize, options as { stride?: Size; padding?: Size });
    this.options = { ...options };
  }

  forward(x: Tensor): Tensor {
    expectTensor(x, 'AvgPool2d');
    return avgPool2d(x, this.kernelSize, this.options);
  }

  override extraRepr(): string {
    const o = this.options;
    return `kernelSize=${show(this.kernelSize)}, stride=${show((o.stride as Size | undefined) ?? this.kernelSize)}, padding=${show((o.padding as Size | undefined) ?? 0)}`;
  }
}

/**
 * Average pooling to a fixed output size whatever the input size (torch.nn.AdaptiveAvgPool2d): `outputSize` is a
 * number, or [h, w] where null keeps that input dimension. `AdaptiveAvgPool2d(1)` is global average pooling.
 */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: number | (number | null)[]) {
    super();
  }

  forward(x: Tensor): Tensor {
    expectTensor(x, 'AdaptiveAvgPool2d');
    return adaptiveAvgPool2d(x, this.outputSize);
  }

  override extraRepr(): string {
    return `outputSize=${Array.isArray(this.outputSize) ? `[${this.outputSize.join(', ')}]` : this.outputSize}`;
  }
}

/**
 * Resizes [N, C, L] or [N, C, H, W] to `size` or by `scaleFactor` (torch.nn.Upsample): mode 'nearest' (default),
 * 'linear' or 'bilinear', with alignCorners for the linear modes. See `interpolate` in core.
 */
export class Upsample extends Module {
  readonly options: InterpolateOptions;

  constructor(options: InterpolateOptions) {
    super();
    if (options === null || typeof options !== 'object') throw new Error('Upsample: expected options { size | scaleFactor, mode?, alignCorners? }');
    if ((options.size === undefined) === (options.scaleFactor === undefined)) throw new Error('Upsample: give exactly one of size and scaleFactor');
    this.options = { ...options };
  }

  forward(x: Tensor): Tensor {
    expectTensor(x, 'Upsample');
    return interpolate(x, this.options);
  }

  override extraRepr(): string {
    const o = this.options;
    const what = o.size !== undefined ? `size=${show(o.size as Size)}` : `scaleFactor=${show(o.scaleFactor as Size)}`;
    return `${what}, mode='${o.mode ?? 'nearest'}'${o.alignCorners !== undefined ? `, alignCorners=${o.alignCorners}` : ''}`;
  }
}
