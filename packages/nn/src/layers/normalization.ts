/**
 * Normalisation layers: LayerNorm and RMSNorm (per sample), BatchNorm1d/BatchNorm2d (per channel, over the batch, with
 * running statistics) and GroupNorm (per sample, over groups of channels).
 */
import { Tensor, layerNorm, noGrad, ones, zeros, type DType } from '@tensorgrad/core';
import { Module, parameter } from '../module.js';
import { rmsNorm } from '../functional.js';
import { expectTensor, shapeStr, checkOptions, describeValue, expectBoolean, expectDType, expectNumber } from '../util.js';

export interface LayerNormOptions {
  eps?: number;
  /** Learn a per-element scale (weight, init 1) and shift (bias, init 0). Default true. */
  elementwiseAffine?: boolean;
  /** With elementwiseAffine, whether to learn the shift too. Default true. */
  bias?: boolean;
  dtype?: DType;
}

/**
 * Normalises over the last dimensions (`normalizedShape`) of each sample: (x - mean) / √(var + eps), biased variance,
 * then · weight + bias. Runs core's fused `layerNorm` primitive.
 */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  weight: Tensor | null;
  bias: Tensor | null;

  constructor(normalizedShape: number | number[], options: LayerNormOptions = {}) {
    super();
    const { eps = 1e-5, elementwiseAffine = true, bias = true, dtype = 'float32' } = checkOptions(options, ['eps', 'elementwiseAffine', 'bias', 'dtype'], 'LayerNorm');
    expectBoolean(elementwiseAffine, 'LayerNorm', 'elementwiseAffine');
    expectBoolean(bias, 'LayerNorm', 'bias');
    expectDType(dtype, 'LayerNorm', 'dtype', { float: true });
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : Array.isArray(normalizedShape) ? [...normalizedShape] : [];
    if (shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new Error(`LayerNorm: normalizedShape must be positive integers, got ${describeValue(normalizedShape)}`);
    }
    expectNumber(eps, 'LayerNorm', 'eps', { finite: true, above: 0 });
    this.normalizedShape = shape;
    this.eps = eps;
    this.weight = elementwiseAffine ? parameter(ones(shape, { dtype })) : null;
    this.bias = elementwiseAffine && bias ? parameter(zeros(shape, { dtype })) : null;
  }

  forward(x: Tensor): Tensor {
    expectTensor(x, 'LayerNorm');
    const k = this.normalizedShape.length;
    const trailing = x.shape.slice(x.ndim - k);
    if (x.ndim < k || trailing.some((d, i) => d !== this.normalizedShape[i])) {
      throw new Error(`LayerNorm: expected input [..., ${this.normalizedShape.join(', ')}], got ${shapeStr(x.shape)}`);
    }
    if (this.weight && x.dtype !== this.weight.dtype) {
      throw new Error(`LayerNorm: the input is ${x.dtype} but the layer's parameters are ${this.weight.dtype}; convert one (module.to('${x.dtype}') or x.to('${this.weight.dtype}'))`);
    }
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${shapeStr(this.normalizedShape)}, eps=${this.eps}, elementwiseAffine=${this.weight !== null}`;
  }
}

export interface RMSNormOptions {
  /** Added to the mean square; default null: the machine epsilon of the input's dtype, as PyTorch. */
  eps?: number | null;
  /** Learn a per-element scale (weight, init 1). Default true. */
  elementwiseAffine?: boolean;
  dtype?: DType;
}

/**
 * Root-mean-square normalisation (torch.nn.RMSNorm, PyTorch ≥ 2.4): x / √(mean(x²) + eps) · weight over the trailing
 * dimensions `normalizedShape`. No mean is subtracted and there is no bias. State dict: `weight`.
 */
export class RMSNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number | null;
  weight: Tensor | null;

  constructor(normalizedShape: number | number[], options: RMSNormOptions = {}) {
    super();
    const { eps = null, elementwiseAffine = true, dtype = 'float32' } = checkOptions(options, ['eps', 'elementwiseAffine', 'dtype'], 'RMSNorm');
    expectBoolean(elementwiseAffine, 'RMSNorm', 'elementwiseAffine');
    expectDType(dtype, 'RMSNorm', 'dtype', { float: true });
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : Array.isArray(normalizedShape) ? [...normalizedShape] : [];
    if (shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new Error(`RMSNorm: normalizedShape must be positive integers, got ${describeValue(normalizedShape)}`);
    }
    if (eps !== null && (typeof eps !== 'number' || !(eps >= 0 && Number.isFinite(eps)))) throw new Error(`RMSNorm: eps must be a finite number >= 0 or null, got ${describeValue(eps)}`);
    this.normalizedShape = shape;
    this.eps = eps;
    this.weight = elementwiseAffine ? parameter(ones(shape, { dtype })) : null;
  }

  forward(x: Tensor): Tensor {
    expectTensor(x, 'RMSNorm');
    const k = this.normalizedShape.length;
    if (x.ndim < k || x.shape.slice(x.ndim - k).some((d, i) => d !== this.normalizedShape[i])) {
      throw new Error(`RMSNorm: expected input [..., ${this.normalizedShape.join(', ')}], got ${shapeStr(x.shape)}`);
    }
    return rmsNorm(x, this.normalizedShape, this.weight, this.eps);
  }

  override extraRepr(): string {
    return `${shapeStr(this.normalizedShape)}, eps=${this.eps}, elementwiseAffine=${this.weight !== null}`;
  }
}

export interface BatchNormOptions {
  eps?: number;
  /** Weight of the newest batch in the running averages; null means a cumulative average over all batches. Default 0.1. */
  momentum?: number | null;
  /** Learn a per-channel scale and shift. Default true. */
  affine?: boolean;
  /** Keep running mean/variance for eval mode; without them eval mode normalises with batch statistics. Default true. */
  trackRunningStats?: boolean;
  dtype?: DType;
}

/**
 * Batch normalisation per channel (axis 1), over the batch and every axis after the channels. In training it normalises
 * with the batch mean and the biased batch variance and updates the buffers `running_mean` / `running_var` (the latter
 * with the unbiased variance, as PyTorch does) and `num_batches_tracked`; in eval mode it uses the running statistics.
 * Buffers carry PyTorch's names so its checkpoints load unchanged; `runningMean`, `runningVar` and `numBatchesTracked`
 * read the same tensors.
 */
abstract class BatchNorm extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  weight: Tensor | null;
  bias: Tensor | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;

  /** `ranks`: the input ranks the layer accepts; `layout` describes them in errors. */
  constructor(
    private readonly layerName: string, private readonly ranks: readonly number[], private readonly layout: (c: number) => string,
    numFeatures: number, options: BatchNormOptions,
  ) {
    super();
    const { eps = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true, dtype = 'float32' } =
      checkOptions(options, ['eps', 'momentum', 'affine', 'trackRunningStats', 'dtype'], layerName);
    expectBoolean(affine, layerName, 'affine');
    expectBoolean(trackRunningStats, layerName, 'trackRunningStats');
    expectDType(dtype, layerName, 'dtype', { float: true });
    if (!Number.isInteger(numFeatures) || numFeatures <= 0) throw new Error(`${layerName}: numFeatures must be a positive integer, got ${describeValue(numFeatures)}`);
    expectNumber(eps, layerName, 'eps', { finite: true, above: 0 });
    if (momentum !== null && (typeof momentum !== 'number' || !(momentum >= 0 && momentum <= 1))) throw new Error(`${layerName}: momentum must be in [0, 1] or null, got ${describeValue(momentum)}`);
    this.numFeatures = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    this.weight = affine ? parameter(ones([numFeatures], { dtype })) : null;
    this.bias = affine ? parameter(zeros([numFeatures], { dtype })) : null;
    this.registerBuffer('running_mean', trackRunningStats ? zeros([numFeatures], { dtype }) : null);
    this.registerBuffer('running_var', trackRunningStats ? ones([numFeatures], { dtype }) : null);
    this.registerBuffer('num_batches_tracked', trackRunningStats ? zeros([], { dtype: 'int32' }) : null);
  }

  /** The running mean (the `running_mean` buffer), or null without running statistics. */
  get runningMean(): Tensor | null {
    return this.running_mean;
  }

  /** The running variance (the `running_var` buffer). */
  get runningVar(): Tensor | null {
    return this.running_var;
  }

  /** How many training batches updated the running statistics (the int32 `num_batches_tracked` buffer). */
  get numBatchesTracked(): Tensor | null {
    return this.num_batches_tracked;
  }

  /** Files saved before the buffers took PyTorch's names still load. */
  protected override legacyStateDictNames(): Record<string, string> {
    return { runningMean: 'running_mean', runningVar: 'running_var', numBatchesTracked: 'num_batches_tracked' };
  }

  forward(x: Tensor): Tensor {
    expectTensor(x, this.layerName);
    if (!this.ranks.includes(x.ndim) || x.shape[1] !== this.numFeatures) {
      throw new Error(`${this.layerName}: expected input ${this.layout(this.numFeatures)}, got ${shapeStr(x.shape)}`);
    }
    const axes = Array.from({ length: x.ndim }, (_, i) => i).filter((i) => i !== 1);
    const statShape = x.shape.map((d, i) => (i === 1 ? d : 1));
    const tracking = this.running_mean !== null && this.running_var !== null;
    let mean: Tensor;
    let variance: Tensor;
    if (this.training || !tracking) {
      const count = x.size / this.numFeatures;
      if (this.training && count <= 1) {
        throw new Error(`${this.layerName}: expected more than 1 value per channel when training, got input ${shapeStr(x.shape)}`);
      }
      mean = x.mean(axes, true);
      variance = x.sub(mean).square().mean(axes, true);
      if (this.training && tracking) this.updateRunningStats(mean, variance, count);
    } else {
      mean = (this.running_mean as Tensor).reshape(statShape);
      variance = (this.running_var as Tensor).reshape(statShape);
    }
    let y = x.sub(mean).div(variance.add(this.eps).sqrt());
    if (this.weight) y = y.mul(this.weight.reshape(statShape));
    if (this.bias) y = y.add(this.bias.reshape(statShape));
    return y;
  }

  private updateRunningStats(mean: Tensor, biasedVar: Tensor, count: number): void {
    noGrad(() => {
      const counter = this.num_batches_tracked as Tensor;
      counter.assign(counter.item() + 1);
      const f = this.momentum ?? 1 / counter.item();
      const runningMean = this.running_mean as Tensor;
      const runningVar = this.running_var as Tensor;
      runningMean.assign(runningMean.mul(1 - f).add(mean.detach().reshape([this.numFeatures]).mul(f)));
      const unbiased = biasedVar.detach().reshape([this.numFeatures]).mul(count / (count - 1));
      runningVar.assign(runningVar.mul(1 - f).add(unbiased.mul(f)));
    });
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.weight !== null}, trackRunningStats=${this.running_mean !== null}`;
  }

  /** Running statistics must be usable: finite means, finite non-negative variances, a non-negative batch count. */
  override validateStateValue(name: string, value: Tensor): string | null {
    const rule = BATCHNORM_BUFFER_RULES[name];
    if (rule === undefined) return null;
    for (let i = 0; i < value.size; i++) {
      const v = value.data[i];
      if (!Number.isFinite(v) || (rule === 'nonNegative' && v < 0)) {
        return `has ${v} at flat index ${i}; BatchNorm's ${name} must be ${rule === 'nonNegative' ? 'finite and >= 0' : 'finite'}`;
      }
    }
    return null;
  }
}

/** Batch normalisation of inputs [N, C] or [N, C, L], per channel C (torch.nn.BatchNorm1d). */
export class BatchNorm1d extends BatchNorm {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super('BatchNorm1d', [2, 3], (c) => `[N, ${c}] or [N, ${c}, L]`, numFeatures, options);
  }
}

/** Batch normalisation of images [N, C, H, W], per channel C over N, H and W (torch.nn.BatchNorm2d). */
export class BatchNorm2d extends BatchNorm {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super('BatchNorm2d', [4], (c) => `[N, ${c}, H, W]`, numFeatures, options);
  }
}

export interface GroupNormOptions {
  eps?: number;
  /** Learn a per-channel scale (weight, init 1) and shift (bias, init 0). Default true. */
  affine?: boolean;
  dtype?: DType;
}

/**
 * Group normalisation (torch.nn.GroupNorm): the channels of each sample of [N, C, ...] are split into `numGroups`
 * groups of C / numGroups consecutive channels, each normalised over its channels and positions with the biased
 * variance; then a per-channel scale and shift. Independent of the batch size, so it behaves the same in training and
 * eval. numGroups = 1 normalises each sample as a whole; numGroups = C is instance normalisation.
 */
export class GroupNorm extends Module {
  readonly eps: number;
  weight: Tensor | null;
  bias: Tensor | null;

  constructor(readonly numGroups: number, readonly numChannels: number, options: GroupNormOptions = {}) {
    super();
    const { eps = 1e-5, affine = true, dtype = 'float32' } = checkOptions(options, ['eps', 'affine', 'dtype'], 'GroupNorm');
    expectBoolean(affine, 'GroupNorm', 'affine');
    expectDType(dtype, 'GroupNorm', 'dtype', { float: true });
    for (const [name, v] of [['numGroups', numGroups], ['numChannels', numChannels]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`GroupNorm: ${name} must be a positive integer, got ${v}`);
    }
    if (numChannels % numGroups !== 0) throw new Error(`GroupNorm: numChannels ${numChannels} must be divisible by numGroups ${numGroups}`);
    expectNumber(eps, 'GroupNorm', 'eps', { finite: true, above: 0 });
    this.eps = eps;
    this.weight = affine ? parameter(ones([numChannels], { dtype })) : null;
    this.bias = affine ? parameter(zeros([numChannels], { dtype })) : null;
  }

  forward(x: Tensor): Tensor {
    expectTensor(x, 'GroupNorm');
    if (x.ndim < 2 || x.shape[1] !== this.numChannels) {
      throw new Error(`GroupNorm: expected input [N, ${this.numChannels}, ...], got ${shapeStr(x.shape)}`);
    }
    const grouped = x.reshape([x.shape[0], this.numGroups, -1]);
    const centered = grouped.sub(grouped.mean(2, true));
    const variance = centered.square().mean(2, true);
    let y = centered.div(variance.add(this.eps).sqrt()).reshape(x.shape as number[]);
    const affineShape = x.shape.map((d, i) => (i === 1 ? d : 1));
    if (this.weight) y = y.mul(this.weight.reshape(affineShape));
    if (this.bias) y = y.add(this.bias.reshape(affineShape));
    return y;
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${this.eps}, affine=${this.weight !== null}`;
  }
}

/** The buffers loadStateDict checks, by field name. */
const BATCHNORM_BUFFER_RULES: Record<string, 'finite' | 'nonNegative'> = {
  running_mean: 'finite',
  running_var: 'nonNegative',
  num_batches_tracked: 'nonNegative',
};
