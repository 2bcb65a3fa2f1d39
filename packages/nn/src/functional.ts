/**
 * Functional forms of layers (torch.nn.functional names in camelCase), for forwards written by hand. The losses live in
 * losses.ts; `layerNorm` is core's fused primitive, re-exported so `F.layer_norm` users find it here.
 */
import { Tensor, rand, type Generator } from '@tensorgrad/core';
import { checkOptions, describeValue, expectGenerator, expectTensor, floatOf, shapeStr } from './util.js';

export { layerNorm } from '@tensorgrad/core';

/**
 * Zeroes each element with probability `p` and scales the survivors by 1/(1 − p) when `training` (F.dropout); the
 * identity otherwise. The mask is `rand(x.shape, { generator }) ≥ p`, so a seeded generator repeats it exactly.
 */
export function dropout(x: Tensor, p = 0.5, training = true, options: { generator?: Generator } = {}): Tensor {
  expectTensor(x, 'dropout');
  const { generator } = checkOptions(options, ['generator'], 'dropout');
  expectGenerator(generator, 'dropout');
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new Error(`dropout: probability p must be in [0, 1], got ${describeValue(p)}`);
  if (typeof training !== 'boolean') throw new Error(`dropout: training must be a boolean, got ${describeValue(training)}`);
  if (!training || p === 0) return x;
  if (p === 1) return x.mul(0);
  // The comparison gives int32 0/1; in x's float dtype the scale 1/(1 − p) is not rounded to float32 for float64 x.
  const keep = rand(x.shape, { dtype: floatOf(x), generator }).ge(p).to(floatOf(x));
  return x.mul(keep.mul(1 / (1 - p)));
}

/**
 * Root-mean-square normalisation over the trailing dims `normalizedShape` (F.rms_norm, PyTorch ≥ 2.4):
 * x / √(mean(x²) + eps) · weight. eps defaults to the machine epsilon of x's dtype, as in PyTorch.
 */
export function rmsNorm(x: Tensor, normalizedShape: number | readonly number[], weight?: Tensor | null, eps?: number | null): Tensor {
  expectTensor(x, 'rmsNorm');
  if (weight !== undefined && weight !== null) expectTensor(weight, 'rmsNorm', 'weight');
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : Array.isArray(normalizedShape) ? [...normalizedShape] : null;
  if (shape === null || !shape.every((d) => Number.isInteger(d) && d > 0)) throw new Error(`rmsNorm: normalizedShape must be positive integers, got ${describeValue(normalizedShape)}`);
  const k = shape.length;
  if (k === 0 || x.ndim < k || shape.some((d, i) => d !== x.shape[x.ndim - k + i])) {
    throw new Error(`rmsNorm: input of shape ${shapeStr(x.shape)} does not end with normalizedShape ${shapeStr(shape)}`);
  }
  if (weight && (weight.ndim !== k || weight.shape.some((d, i) => d !== shape[i]))) {
    throw new Error(`rmsNorm: weight of shape ${shapeStr(weight.shape)} must have normalizedShape ${shapeStr(shape)}`);
  }
  const e = eps ?? (floatOf(x) === 'float64' ? 2 ** -52 : 2 ** -23);
  if (typeof e !== 'number' || !(e >= 0) || !Number.isFinite(e)) throw new Error(`rmsNorm: eps must be a finite number >= 0, got ${describeValue(e)}`);
  const axes = Array.from({ length: k }, (_, i) => x.ndim - k + i);
  const y = x.mul(x.square().mean(axes, true).add(e).rsqrt());
  return weight ? y.mul(weight) : y;
}
