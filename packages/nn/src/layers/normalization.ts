/** Normalisation layers: LayerNorm (per sample) and BatchNorm1d (per channel, over the batch, with running statistics). */
import { Tensor, noGrad, ones, zeros, type DType } from '@tensorgrad/core';
import { Module, parameter } from '../module.js';
import { expectTensor, shapeStr, checkOptions, describeValue, expectBoolean, expectDType, expectNumber } from '../util.js';

export interface LayerNormOptions {
  eps?: number;
  /** Learn a per-element scale (weight, init 1) and shift (bias, init 0). Default true. */
  elementwiseAffine?: boolean;
  /** With elementwiseAffine, whether to learn the shift too. Default true. */
  bias?: boolean;
  dtype?: DType;
}

/** Normalises over the last dimensions (`normalizedShape`) of each sample: (x - mean) / √(var + eps), biased variance. */
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
    const axes = Array.from({ length: k }, (_, i) => x.ndim - k + i);
    const centered = x.sub(x.mean(axes, true));
    const variance = centered.square().mean(axes, true);
    let y = centered.div(variance.add(this.eps).sqrt());
    if (this.weight) y = y.mul(this.weight);
    if (this.bias) y = y.add(this.bias);
    return y;
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
 * Batch normalisation over inputs [N, C] or [N, C, L], per channel C. In training it normalises with the batch mean and the
 * biased batch variance and updates `runningMean` / `runningVar` (the latter with the unbiased variance, as PyTorch does);
 * in eval mode it uses the running statistics.
 */
export class BatchNorm1d extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  weight: Tensor | null;
  bias: Tensor | null;
  declare runningMean: Tensor | null;
  declare runningVar: Tensor | null;
  declare numBatchesTracked: Tensor | null;

  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super();
    const { eps = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true, dtype = 'float32' } = checkOptions(options, ['eps', 'momentum', 'affine', 'trackRunningStats', 'dtype'], 'BatchNorm1d');
    expectBoolean(affine, 'BatchNorm1d', 'affine');
    expectBoolean(trackRunningStats, 'BatchNorm1d', 'trackRunningStats');
    expectDType(dtype, 'BatchNorm1d', 'dtype', { float: true });
    if (!Number.isInteger(numFeatures) || numFeatures <= 0) throw new Error(`BatchNorm1d: numFeatures must be a positive integer, got ${numFeatures}`);
    expectNumber(eps, 'BatchNorm1d', 'eps', { finite: true, above: 0 });
    if (momentum !== null && !(momentum >= 0 && momentum <= 1)) throw new Error(`BatchNorm1d: momentum must be in [0, 1] or null, got ${momentum}`);
    this.numFeatures = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    this.weight = affine ? parameter(ones([numFeatures], { dtype })) : null;
    this.bias = affine ? parameter(zeros([numFeatures], { dtype })) : null;
    this.registerBuffer('runningMean', trackRunningStats ? zeros([numFeatures], { dtype }) : null);
    this.registerBuffer('runningVar', trackRunningStats ? ones([numFeatures], { dtype }) : null);
    this.registerBuffer('numBatchesTracked', trackRunningStats ? zeros([], { dtype: 'int32' }) : null);
  }

  forward(x: Tensor): Tensor {
    expectTensor(x, 'BatchNorm1d');
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[1] !== this.numFeatures) {
      throw new Error(`BatchNorm1d: expected input [N, ${this.numFeatures}] or [N, ${this.numFeatures}, L], got ${shapeStr(x.shape)}`);
    }
    const axes = x.ndim === 2 ? [0] : [0, 2];
    const statShape = x.ndim === 2 ? [1, this.numFeatures] : [1, this.numFeatures, 1];
    const tracking = this.runningMean !== null && this.runningVar !== null;
    let mean: Tensor;
    let variance: Tensor;
    if (this.training || !tracking) {
      const count = x.size / this.numFeatures;
      if (this.training && count <= 1) {
        throw new Error(`BatchNorm1d: expected more than 1 value per channel when training, got input ${shapeStr(x.shape)}`);
      }
      mean = x.mean(axes, true);
      variance = x.sub(mean).square().mean(axes, true);
      if (this.training && tracking) this.updateRunningStats(mean, variance, count);
    } else {
      mean = (this.runningMean as Tensor).reshape(statShape);
      variance = (this.runningVar as Tensor).reshape(statShape);
    }
    let y = x.sub(mean).div(variance.add(this.eps).sqrt());
    if (this.weight) y = y.mul(this.weight.reshape(statShape));
    if (this.bias) y = y.add(this.bias.reshape(statShape));
    return y;
  }

  private updateRunningStats(mean: Tensor, biasedVar: Tensor, count: number): void {
    noGrad(() => {
      const counter = this.numBatchesTracked as Tensor;
      counter.assign(counter.item() + 1);
      const f = this.momentum ?? 1 / counter.item();
      const runningMean = this.runningMean as Tensor;
      const runningVar = this.runningVar as Tensor;
      runningMean.assign(runningMean.mul(1 - f).add(mean.detach().reshape([this.numFeatures]).mul(f)));
      const unbiased = biasedVar.detach().reshape([this.numFeatures]).mul(count / (count - 1));
      runningVar.assign(runningVar.mul(1 - f).add(unbiased.mul(f)));
    });
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.weight !== null}, trackRunningStats=${this.runningMean !== null}`;
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

/** The buffers loadStateDict checks, by field name. */
const BATCHNORM_BUFFER_RULES: Record<string, 'finite' | 'nonNegative'> = {
  runningMean: 'finite',
  runningVar: 'nonNegative',
  numBatchesTracked: 'nonNegative',
};
