/** Preprocessing: one-hot encoding and feature standardisation. */
import { Tensor, tensor, type DType } from '@tensorgrad/core';
import { expectTensor, readIndices, shapeStr, type IndicesLike, checkOptions, describeValue, expectDType } from '../util.js';

/**
 * One-hot encoding: integer indices of shape S become S + [numClasses] of 0/1. `numClasses` defaults to max index + 1
 * (PyTorch's -1).
 */
export function oneHot(indices: IndicesLike, numClasses = -1, options: { dtype?: DType } = {}): Tensor {
  const { dtype = 'float32' } = checkOptions(options, ['dtype'], 'oneHot');
  expectDType(dtype, 'oneHot');
  const { values, shape } = readIndices(indices, 'oneHot');
  let classes = numClasses;
  if (classes === -1) classes = values.reduce((m, v) => Math.max(m, v), -1) + 1;
  if (!Number.isSafeInteger(classes) || classes <= 0) throw new Error(`oneHot: numClasses must be a positive integer or -1, got ${describeValue(numClasses)}`);
  const out = new Float64Array(values.length * classes);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < 0 || v >= classes) throw new Error(`oneHot: index ${v} at flat position ${i} is out of range [0, ${classes})`);
    out[i * classes + v] = 1;
  }
  return tensor(out, { shape: [...shape, classes], dtype });
}

/**
 * Per-feature standardisation like sklearn's StandardScaler: `fit` learns each column's mean and (population) standard
 * deviation over the rows of [N, F]; `transform` maps x to (x - mean) / std. Constant columns get std 1, so they become 0
 * instead of NaN.
 */
export class StandardScaler {
  mean: Tensor | null = null;
  std: Tensor | null = null;

  fit(x: Tensor): this {
    expectTensor(x, 'StandardScaler.fit');
    if (x.ndim !== 2 || x.shape[0] === 0) throw new Error(`StandardScaler.fit: expected a non-empty [N, F] tensor, got ${shapeStr(x.shape)}`);
    const data = x.detach();
    const mean = data.mean(0);
    const std = data.sub(mean).square().mean(0).sqrt();
    this.mean = mean;
    this.std = std.add(std.eq(0));
    return this;
  }

  transform(x: Tensor): Tensor {
    const { mean, std } = this.fitted('transform', x);
    return x.sub(mean).div(std);
  }

  inverseTransform(x: Tensor): Tensor {
    const { mean, std } = this.fitted('inverseTransform', x);
    return x.mul(std).add(mean);
  }

  fitTransform(x: Tensor): Tensor {
    return this.fit(x).transform(x);
  }

  private fitted(fnName: string, x: Tensor): { mean: Tensor; std: Tensor } {
    if (!this.mean || !this.std) throw new Error(`StandardScaler.${fnName}: call fit() first`);
    expectTensor(x, `StandardScaler.${fnName}`);
    const f = this.mean.shape[0];
    if (x.ndim !== 2 || x.shape[1] !== f) throw new Error(`StandardScaler.${fnName}: expected [N, ${f}] (the shape fitted on), got ${shapeStr(x.shape)}`);
    return { mean: this.mean.to(x.dtype === 'float64' ? 'float64' : 'float32'), std: this.std.to(x.dtype === 'float64' ? 'float64' : 'float32') };
  }
}

/**
 * Standardises `fitOn` with its own column statistics and every other tensor with those same statistics (so test data
 * never leaks into them): `const [xTrain, xTest] = standardize(xTrainRaw, xTestRaw)`.
 */
export function standardize(fitOn: Tensor, ...others: Tensor[]): Tensor[] {
  const scaler = new StandardScaler().fit(fitOn);
  return [fitOn, ...others].map((t) => scaler.transform(t));
}
