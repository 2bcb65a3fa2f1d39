/**
 * Convolution layers (torch.nn.Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d): a weight, an optional bias, and the
 * core op. Weights start as in PyTorch: kaiming-uniform with a = √5, which is U(−1/√fanIn, 1/√fanIn), and the bias
 * from the same bound, with fanIn = weight.shape[1] · kernel size (for the transposed layers that is
 * outChannels / groups · kernel size, as PyTorch computes it from their [in, out / groups, …] weight).
 */
import {
  Tensor, conv1d, conv2d, convTranspose1d, convTranspose2d, zeros, type ConvOptions as CoreConvOptions,
  type ConvTransposeOptions as CoreConvTransposeOptions, type DType, type Generator,
} from '@tensorgrad/core';
import { Module, parameter } from '../module.js';
import { calculateFans, kaimingUniform, uniform } from '../init.js';
import { checkOptions, expectBoolean, expectDType, expectGenerator, expectTensor, shapeStr, sizeTuple } from '../util.js';

export interface ConvLayerOptions {
  /** Step between windows: a number or one per spatial dimension. Default 1. */
  stride?: number | number[];
  /** Zero padding (a number or one per spatial dimension), `'valid'` or `'same'` (stride 1 only). Default 0. */
  padding?: number | number[] | 'valid' | 'same';
  /** Spacing between kernel elements. Default 1. */
  dilation?: number | number[];
  /** Independent channel groups; inChannels and outChannels must divide by it. Default 1. */
  groups?: number;
  /** Add a learned bias per output channel. Default true. */
  bias?: boolean;
  dtype?: DType;
  /** Generator for the initial weights (default: core's default generator). */
  generator?: Generator;
}

export interface ConvTransposeLayerOptions {
  stride?: number | number[];
  /** Removed from both sides of the output (dilation·(k−1) − padding zeros around the input). Default 0. */
  padding?: number | number[];
  /** Added to one side of the output, to choose among the sizes a strided conv maps to the same size. Default 0. */
  outputPadding?: number | number[];
  groups?: number;
  bias?: boolean;
  dilation?: number | number[];
  dtype?: DType;
  generator?: Generator;
}

/** The options every conv layer shares, checked under the layer's name. */
function checkCommon(layer: string, bias: unknown, dtype: unknown, generator: unknown): void {
  expectBoolean(bias, layer, 'bias');
  expectDType(dtype, layer, 'dtype', { float: true });
  expectGenerator(generator, layer);
}

function checkChannels(layer: string, inChannels: number, outChannels: number, groups: number): void {
  for (const [name, v] of [['inChannels', inChannels], ['outChannels', outChannels], ['groups', groups]] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`${layer}: ${name} must be a positive integer, got ${v}`);
  }
  if (inChannels % groups !== 0) throw new Error(`${layer}: inChannels ${inChannels} must be divisible by groups ${groups}`);
  if (outChannels % groups !== 0) throw new Error(`${layer}: outChannels ${outChannels} must be divisible by groups ${groups}`);
}

/** PyTorch's reset_parameters for every conv layer: kaiming-uniform(a = √5) weight, bias U(±1/√fanIn). */
function initialise(weightShape: number[], bias: boolean, biasSize: number, dtype: DType, generator: Generator | undefined): [Tensor, Tensor | null] {
  const weight = kaimingUniform(zeros(weightShape, { dtype }), { a: Math.sqrt(5), generator });
  const bound = 1 / Math.sqrt(calculateFans(weight).fanIn);
  return [parameter(weight), bias ? parameter(uniform(zeros([biasSize], { dtype }), -bound, bound, { generator })) : null];
}

abstract class ConvNd extends Module {
  weight: Tensor;
  bias: Tensor | null;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[] | 'valid' | 'same';
  readonly dilation: number[];
  readonly groups: number;

  constructor(
    private readonly layerName: string, dims: number, readonly inChannels: number, readonly outChannels: number,
    kernelSize: number | number[], options: ConvLayerOptions,
  ) {
    super();
    const { stride = 1, padding = 0, dilation = 1, groups = 1, bias = true, dtype = 'float32', generator } =
      checkOptions(options, ['stride', 'padding', 'dilation', 'groups', 'bias', 'dtype', 'generator'], layerName);
    checkCommon(layerName, bias, dtype, generator);
    checkChannels(layerName, inChannels, outChannels, groups);
    this.kernelSize = sizeTuple(kernelSize, dims, 'kernelSize', layerName, 1);
    this.stride = sizeTuple(stride, dims, 'stride', layerName, 1);
    this.dilation = sizeTuple(dilation, dims, 'dilation', layerName, 1);
    if (padding === 'same' || padding === 'valid') {
      if (padding === 'same' && this.stride.some((s) => s !== 1)) throw new Error(`${layerName}: padding 'same' needs stride 1, got stride ${shapeStr(this.stride)}`);
      this.padding = padding;
    } else {
      this.padding = sizeTuple(padding, dims, 'padding', layerName, 0);
    }
    this.groups = groups;
    [this.weight, this.bias] = initialise([outChannels, inChannels / groups, ...this.kernelSize], bias, outChannels, dtype, generator);
  }

  protected options(): CoreConvOptions {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups };
  }

  protected checkInput(x: Tensor, dims: number): void {
    checkConvInput(this.layerName, x, dims, this.inChannels);
  }

  override extraRepr(): string {
    const pad = typeof this.padding === 'string' ? `'${this.padding}'` : shapeStr(this.padding);
    return `${this.inChannels}, ${this.outChannels}, kernelSize=${shapeStr(this.kernelSize)}, stride=${shapeStr(this.stride)}, padding=${pad}` +
      `${this.dilation.some((d) => d !== 1) ? `, dilation=${shapeStr(this.dilation)}` : ''}${this.groups !== 1 ? `, groups=${this.groups}` : ''}, bias=${this.bias !== null}`;
  }
}

/** 1-D convolution over [N, inChannels, L] (or [inChannels, L]); weight [outChannels, inChannels / groups, k]. */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], options: ConvLayerOptions = {}) {
    super('Conv1d', 1, inChannels, outChannels, kernelSize, options);
  }

  forward(x: Tensor): Tensor {
    this.checkInput(x, 1);
    return conv1d(x, this.weight, this.bias, this.options());
  }
}

/** 2-D convolution over [N, inChannels, H, W] (or [inChannels, H, W]); weight [outChannels, inChannels / groups, kH, kW]. */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], options: ConvLayerOptions = {}) {
    super('Conv2d', 2, inChannels, outChannels, kernelSize, options);
  }

  forward(x: Tensor): Tensor {
    this.checkInput(x, 2);
    return conv2d(x, this.weight, this.bias, this.options());
  }
}

/** Conv and ConvTranspose layers take [N, inChannels, ...spatial] or an unbatched [inChannels, ...spatial]. */
function checkConvInput(layerName: string, x: Tensor, dims: number, inChannels: number): void {
  expectTensor(x, layerName);
  if ((x.ndim !== dims + 1 && x.ndim !== dims + 2) || x.shape[x.ndim - dims - 1] !== inChannels) {
    const sp = dims === 1 ? 'L' : 'H, W';
    throw new Error(`${layerName}: expected input [N, ${inChannels}, ${sp}] or [${inChannels}, ${sp}], got ${shapeStr(x.shape)}`);
  }
}

abstract class ConvTransposeNd extends Module {
  weight: Tensor;
  bias: Tensor | null;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly outputPadding: number[];
  readonly dilation: number[];
  readonly groups: number;

  constructor(
    private readonly layerName: string, dims: number, readonly inChannels: number, readonly outChannels: number, kernelSize: number | number[],
    options: ConvTransposeLayerOptions,
  ) {
    super();
    const { stride = 1, padding = 0, outputPadding = 0, groups = 1, bias = true, dilation = 1, dtype = 'float32', generator } =
      checkOptions(options, ['stride', 'padding', 'outputPadding', 'groups', 'bias', 'dilation', 'dtype', 'generator'], layerName);
    checkCommon(layerName, bias, dtype, generator);
    checkChannels(layerName, inChannels, outChannels, groups);
    this.kernelSize = sizeTuple(kernelSize, dims, 'kernelSize', layerName, 1);
    this.stride = sizeTuple(stride, dims, 'stride', layerName, 1);
    this.padding = sizeTuple(padding, dims, 'padding', layerName, 0);
    this.outputPadding = sizeTuple(outputPadding, dims, 'outputPadding', layerName, 0);
    this.dilation = sizeTuple(dilation, dims, 'dilation', layerName, 1);
    if (this.outputPadding.some((p, i) => p >= this.stride[i] && p >= this.dilation[i])) {
      throw new Error(`${layerName}: outputPadding ${shapeStr(this.outputPadding)} must be smaller than either stride ${shapeStr(this.stride)} or dilation ${shapeStr(this.dilation)}`);
    }
    this.groups = groups;
    [this.weight, this.bias] = initialise([inChannels, outChannels / groups, ...this.kernelSize], bias, outChannels, dtype, generator);
  }

  protected options(): CoreConvTransposeOptions {
    return { stride: this.stride, padding: this.padding, outputPadding: this.outputPadding, groups: this.groups, dilation: this.dilation };
  }

  protected checkInput(x: Tensor, dims: number): void {
    checkConvInput(this.layerName, x, dims, this.inChannels);
  }

  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=${shapeStr(this.kernelSize)}, stride=${shapeStr(this.stride)}, padding=${shapeStr(this.padding)}` +
      `${this.outputPadding.some((p) => p !== 0) ? `, outputPadding=${shapeStr(this.outputPadding)}` : ''}` +
      `${this.dilation.some((d) => d !== 1) ? `, dilation=${shapeStr(this.dilation)}` : ''}${this.groups !== 1 ? `, groups=${this.groups}` : ''}, bias=${this.bias !== null}`;
  }
}

/**
 * Transposed 1-D convolution over [N, inChannels, L]: output length (L − 1)·stride − 2·padding + dilation·(k − 1) +
 * outputPadding + 1; weight [inChannels, outChannels / groups, k]. It is the gradient of Conv1d in its input.
 */
export class ConvTranspose1d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], options: ConvTransposeLayerOptions = {}) {
    super('ConvTranspose1d', 1, inChannels, outChannels, kernelSize, options);
  }

  forward(x: Tensor): Tensor {
    this.checkInput(x, 1);
    return convTranspose1d(x, this.weight, this.bias, this.options());
  }
}

/**
 * Transposed 2-D convolution over [N, inChannels, H, W] (the learned upsampling of decoders and autoencoders): each
 * output size is (in − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1; weight
 * [inChannels, outChannels / groups, kH, kW]. It is the gradient of Conv2d in its input.
 */
export class ConvTranspose2d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], options: ConvTransposeLayerOptions = {}) {
    super('ConvTranspose2d', 2, inChannels, outChannels, kernelSize, options);
  }

  forward(x: Tensor): Tensor {
    this.checkInput(x, 2);
    return convTranspose2d(x, this.weight, this.bias, this.options());
  }
}
