/**
 * Loss functions (torch.nn.functional names in camelCase). Each is a composite of core ops, so its gradient comes from
 * core's engine; each checks its inputs' shapes and throws an Error naming the loss and the shapes on a mismatch.
 */
import { Tensor, tensor } from '@tensorgrad/core';
import { expectTensor, floatOf, indexTensor, readIndices, sameShape, shapeStr, checkOptions, describeValue, expectNumber } from './util.js';

export type Reduction = 'mean' | 'sum' | 'none';

/** A target given as a tensor, a number or (nested) array of numbers. */
export type TargetLike = Tensor | number | number[] | number[][];

function checkReduction(reduction: unknown, fnName: string): asserts reduction is Reduction {
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    throw new Error(`${fnName}: reduction must be 'mean', 'sum' or 'none', got ${describeValue(reduction)}`);
  }
}

function reduce(loss: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'mean') return loss.mean();
  if (reduction === 'sum') return loss.sum();
  return loss;
}

/** The target as a tensor of the input's float dtype and exactly the input's shape (no silent broadcasting). */
function elementwiseTarget(input: Tensor, target: TargetLike, fnName: string): Tensor {
  expectTensor(input, fnName);
  let t: Tensor;
  try {
    t = target instanceof Tensor ? target : tensor(target, { dtype: floatOf(input) });
  } catch (e) {
    throw new Error(`${fnName}: target must be a Tensor, a number or (nested) arrays of numbers: ${(e as Error).message.replace(/^tensor: /, '')}`);
  }
  if (!sameShape(t.shape, input.shape)) {
    throw new Error(`${fnName}: input ${shapeStr(input.shape)} and target ${shapeStr(t.shape)} must have the same shape`);
  }
  return t;
}

/** A per-element weight: a tensor broadcastable to `shape`. */
function checkBroadcastable(w: Tensor, shape: readonly number[], fnName: string, argName: string): void {
  expectTensor(w, fnName, argName);
  const ok = w.ndim <= shape.length && w.shape.every((d, i) => d === 1 || d === shape[shape.length - w.ndim + i]);
  if (!ok) throw new Error(`${fnName}: ${argName} ${shapeStr(w.shape)} is not broadcastable to input ${shapeStr(shape)}`);
}

export interface ReductionOptions {
  reduction?: Reduction;
}

/** Mean squared error: (input - target)². */
export function mseLoss(input: Tensor, target: TargetLike, options: ReductionOptions = {}): Tensor {
  const { reduction = 'mean' } = checkOptions(options, ['reduction'], 'mseLoss');
  checkReduction(reduction, 'mseLoss');
  const t = elementwiseTarget(input, target, 'mseLoss');
  return reduce(input.sub(t).square(), reduction);
}

/** Mean absolute error: |input - target|. */
export function l1Loss(input: Tensor, target: TargetLike, options: ReductionOptions = {}): Tensor {
  const { reduction = 'mean' } = checkOptions(options, ['reduction'], 'l1Loss');
  checkReduction(reduction, 'l1Loss');
  const t = elementwiseTarget(input, target, 'l1Loss');
  return reduce(input.sub(t).abs(), reduction);
}

/**
 * Huber loss: ½d² where |d| < delta, delta·(|d| - ½delta) beyond (d = input - target). Written as ½q² + delta·(|d| - q) with
 * q = min(|d|, delta), which is the same function without a branch.
 */
export function huberLoss(input: Tensor, target: TargetLike, options: ReductionOptions & { delta?: number } = {}): Tensor {
  const { delta = 1, reduction = 'mean' } = checkOptions(options, ['delta', 'reduction'], 'huberLoss');
  checkReduction(reduction, 'huberLoss');
  expectNumber(delta, 'huberLoss', 'delta', { above: 0 });
  const t = elementwiseTarget(input, target, 'huberLoss');
  const ad = input.sub(t).abs();
  const q = ad.clamp(undefined, delta);
  return reduce(q.square().mul(0.5).add(ad.sub(q).mul(delta)), reduction);
}

/** Smooth L1 loss (huberLoss / beta; plain l1Loss when beta = 0), as torch.nn.functional.smooth_l1_loss. */
export function smoothL1Loss(input: Tensor, target: TargetLike, options: ReductionOptions & { beta?: number } = {}): Tensor {
  const { beta = 1, reduction = 'mean' } = checkOptions(options, ['beta', 'reduction'], 'smoothL1Loss');
  checkReduction(reduction, 'smoothL1Loss');
  expectNumber(beta, 'smoothL1Loss', 'beta', { min: 0 });
  const t = elementwiseTarget(input, target, 'smoothL1Loss');
  if (beta === 0) return l1Loss(input, t, { reduction });
  return reduce(huberLoss(input, t, { delta: beta, reduction: 'none' }).div(beta), reduction);
}

/** log(x) clamped below at -100 like PyTorch's binary_cross_entropy, with a finite (zero) gradient at x = 0. */
function clampedLog(x: Tensor): Tensor {
  // Clamping x at 1e-45 first (log(1e-45) ≈ -103.6 < -100) changes no value after the outer clamp, but keeps log's vjp
  // (g / x) from computing 0 / 0 = NaN where x is exactly 0.
  return x.clamp(1e-45).log().clamp(-100);
}

export interface BceOptions extends ReductionOptions {
  /** Per-element rescaling weight, broadcastable to the input. */
  weight?: Tensor;
}

/** Binary cross-entropy on probabilities in [0, 1]: -(t·log p + (1-t)·log(1-p)), each log clamped at -100 as in PyTorch. */
export function bceLoss(input: Tensor, target: TargetLike, options: BceOptions = {}): Tensor {
  const { weight, reduction = 'mean' } = checkOptions(options, ['weight', 'reduction'], 'bceLoss');
  checkReduction(reduction, 'bceLoss');
  const t = elementwiseTarget(input, target, 'bceLoss');
  const data = input.data;
  for (let i = 0; i < data.length; i++) {
    if (!(data[i] >= 0 && data[i] <= 1)) {
      throw new Error(`bceLoss: input must hold probabilities in [0, 1] (apply sigmoid, or use bceWithLogitsLoss), got ${data[i]} at flat position ${i} of ${shapeStr(input.shape)}`);
    }
  }
  let loss = t.mul(clampedLog(input)).add(t.neg().add(1).mul(clampedLog(input.neg().add(1)))).neg();
  if (weight !== undefined) {
    checkBroadcastable(weight, input.shape, 'bceLoss', 'weight');
    loss = loss.mul(weight);
  }
  return reduce(loss, reduction);
}

export interface BceWithLogitsOptions extends BceOptions {
  /** Weight of the positive examples, broadcast along the last (class) dimension, e.g. [numClasses]. */
  posWeight?: Tensor;
}

/**
 * Sigmoid + binary cross-entropy in one numerically stable expression, for logits of any size:
 * (1 - t)·x + (1 + (posWeight - 1)·t)·softplus(-x), where softplus(-x) = -log σ(x) never overflows.
 */
export function bceWithLogitsLoss(input: Tensor, target: TargetLike, options: BceWithLogitsOptions = {}): Tensor {
  const { weight, posWeight, reduction = 'mean' } = checkOptions(options, ['weight', 'posWeight', 'reduction'], 'bceWithLogitsLoss');
  checkReduction(reduction, 'bceWithLogitsLoss');
  const t = elementwiseTarget(input, target, 'bceWithLogitsLoss');
  const negLogSigmoid = input.neg().softplus();
  const logWeight = posWeight === undefined ? null : posWeightFactor(posWeight, t, input.shape);
  let loss = t.neg().add(1).mul(input).add(logWeight ? logWeight.mul(negLogSigmoid) : negLogSigmoid);
  if (weight !== undefined) {
    checkBroadcastable(weight, input.shape, 'bceWithLogitsLoss', 'weight');
    loss = loss.mul(weight);
  }
  return reduce(loss, reduction);
}

function posWeightFactor(posWeight: Tensor, t: Tensor, shape: readonly number[]): Tensor {
  checkBroadcastable(posWeight, shape, 'bceWithLogitsLoss', 'posWeight');
  return posWeight.sub(1).mul(t).add(1);
}

export interface NllOptions extends ReductionOptions {
  /** Per-class weight [C]. With 'mean' the result is divided by the summed weights of the targets, as in PyTorch. */
  weight?: Tensor;
  /** Target value that contributes neither loss nor gradient (default -100). */
  ignoreIndex?: number;
}

export interface CrossEntropyOptions extends NllOptions {
  /** Mixes the target with the uniform distribution: (1 - ε)·target + ε/C. Default 0. */
  labelSmoothing?: number;
}

/** Class indices: a tensor (any dtype holding integers), an Int32Array, a (nested) number array, or a number for unbatched input. */
export type ClassTarget = Tensor | Int32Array | number[] | number[][] | number;

/** Logits [C] (unbatched), [N, C] or [N, C, d1, ...]: the class axis is 0 for 1-D input and 1 otherwise. */
function classLayout(input: Tensor, fnName: string): { classes: number; targetShape: number[] } {
  expectTensor(input, fnName);
  if (input.ndim === 0) throw new Error(`${fnName}: input must be [C], [N, C] or [N, C, d1, ...], got a scalar`);
  if (input.ndim === 1) return { classes: input.shape[0], targetShape: [] };
  return { classes: input.shape[1], targetShape: [input.shape[0], ...input.shape.slice(2)] };
}

function checkClassWeight(weight: Tensor | undefined, classes: number, fnName: string, input: Tensor): void {
  if (weight === undefined) return;
  expectTensor(weight, fnName, 'weight');
  if (weight.ndim !== 1 || weight.shape[0] !== classes) {
    throw new Error(`${fnName}: weight must be [${classes}] (one per class of input ${shapeStr(input.shape)}), got ${shapeStr(weight.shape)}`);
  }
}

/** Reads class-index targets and checks their shape and range; ignored positions map to class 0 plus a 0 in `valid`. */
function readClassTarget(target: ClassTarget, input: Tensor, classes: number, targetShape: number[], ignoreIndex: number, fnName: string): { safe: Int32Array; valid: Float64Array } {
  const { values, shape } = typeof target === 'number' ? { values: Int32Array.of(checkInt(target, fnName)), shape: [] as number[] } : readIndices(target, fnName, 'target');
  if (!sameShape(shape, targetShape)) {
    throw new Error(`${fnName}: target ${shapeStr(shape)} does not match input ${shapeStr(input.shape)}: class indices must be ${shapeStr(targetShape)}` +
      (fnName === 'crossEntropy' ? ` (or class probabilities ${shapeStr(input.shape)})` : ''));
  }
  const safe = new Int32Array(values.length);
  const valid = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === ignoreIndex) continue;
    if (v < 0 || v >= classes) {
      throw new Error(`${fnName}: target class ${v} out of range [0, ${classes}) at position ${i} (input ${shapeStr(input.shape)}, target ${shapeStr(targetShape)})`);
    }
    safe[i] = v;
    valid[i] = 1;
  }
  return { safe, valid };
}

function checkInt(v: number, fnName: string): number {
  if (!Number.isInteger(v) || Math.abs(v) > 2147483647) throw new Error(`${fnName}: target must be an integer class index, got ${v}`);
  return v;
}

/**
 * Negative log-likelihood given log-probabilities: -Σ w[y]·logp[y] over non-ignored positions, divided by Σ w[y] for
 * 'mean'. Returns the per-position losses and their coefficients so crossEntropy can add label smoothing.
 */
function nllCore(logp: Tensor, target: ClassTarget, { weight, ignoreIndex = -100 }: NllOptions, fnName: string) {
  const { classes, targetShape } = classLayout(logp, fnName);
  expectNumber(ignoreIndex, fnName, 'ignoreIndex', { integer: true });
  checkClassWeight(weight, classes, fnName, logp);
  const { safe, valid } = readClassTarget(target, logp, classes, targetShape, ignoreIndex, fnName);
  // Unbatched [C] input is handled as a batch of one.
  const batched = logp.ndim === 1 ? logp.reshape([1, classes]) : logp;
  const shape = targetShape.length === 0 ? [1] : targetShape;
  const picked = batched.gather(1, indexTensor(safe, [shape[0], 1, ...shape.slice(1)])).reshape(shape);
  const validMask = tensor(valid, { shape, dtype: floatOf(logp) });
  const coef = weight === undefined ? validMask : weight.indexSelect(0, indexTensor(safe, [safe.length])).reshape(shape).mul(validMask);
  return { losses: picked.neg().mul(coef), coef, validMask, targetShape };
}

/** Negative log-likelihood loss on log-probabilities [C], [N, C] or [N, C, d1, ...] with class-index targets. */
export function nllLoss(input: Tensor, target: ClassTarget, options: NllOptions = {}): Tensor {
  const { weight, ignoreIndex = -100, reduction = 'mean' } = checkOptions(options, ['weight', 'ignoreIndex', 'reduction'], 'nllLoss');
  checkReduction(reduction, 'nllLoss');
  const { losses, coef, targetShape } = nllCore(input, target, { weight, ignoreIndex }, 'nllLoss');
  if (reduction === 'mean') return losses.sum().div(coef.sum());
  if (reduction === 'sum') return losses.sum();
  return losses.reshape(targetShape);
}

/**
 * Cross-entropy between logits [C], [N, C] or [N, C, d1, ...] and either class indices ([N, d1, ...], number[],
 * Int32Array, or a number for 1-D logits) or class probabilities (same shape as the logits). Computed as
 * log-softmax (x - logsumexp x) + pick/weighted sum, which is stable for logits of any magnitude.
 */
export function crossEntropy(input: Tensor, target: ClassTarget, options: CrossEntropyOptions = {}): Tensor {
  const { weight, ignoreIndex = -100, labelSmoothing = 0, reduction = 'mean' } = checkOptions(options, ['weight', 'ignoreIndex', 'labelSmoothing', 'reduction'], 'crossEntropy');
  const fnName = 'crossEntropy';
  checkReduction(reduction, fnName);
  expectNumber(labelSmoothing, fnName, 'labelSmoothing', { min: 0, max: 1 });
  const { classes, targetShape } = classLayout(input, fnName);
  checkClassWeight(weight, classes, fnName, input);
  const classAxis = input.ndim === 1 ? 0 : 1;
  const logp = input.sub(input.logsumexp(classAxis, true));
  // Class-weight vector shaped to broadcast along the class axis: [C] for 1-D input, [1, C, 1, ...] otherwise.
  const weightAlongClasses = weight === undefined ? null : weight.reshape(input.ndim === 1 ? [classes] : [1, classes, ...input.shape.slice(2).map(() => 1)]);

  if (target instanceof Tensor && target.dtype !== 'int32' && sameShape(target.shape, input.shape)) {
    // Class probabilities: -Σ_c w_c·t_c·logp_c per position; 'mean' divides by the number of positions.
    const t = labelSmoothing > 0 ? target.mul(1 - labelSmoothing).add(labelSmoothing / classes) : target;
    const weighted = weightAlongClasses ? logp.mul(t).mul(weightAlongClasses) : logp.mul(t);
    const losses = weighted.sum(classAxis).neg();
    if (reduction === 'mean') return losses.sum().div(input.size / classes);
    return reduce(losses, reduction);
  }

  const { losses, coef, validMask } = nllCore(logp, target, { weight, ignoreIndex }, fnName);
  const nll = reduction === 'mean' ? losses.sum().div(coef.sum()) : reduction === 'sum' ? losses.sum() : losses.reshape(targetShape);
  if (labelSmoothing === 0) return nll;
  // PyTorch's label smoothing for index targets: add ε/C · Σ_c -w_c·logp_c, normalised like the nll term.
  const perPosition = (weightAlongClasses ? logp.mul(weightAlongClasses) : logp).sum(classAxis).neg().reshape(validMask.shape).mul(validMask);
  const smooth = reduction === 'mean' ? perPosition.sum().div(weight === undefined ? validMask.sum() : coef.sum())
    : reduction === 'sum' ? perPosition.sum() : perPosition.reshape(targetShape);
  return nll.mul(1 - labelSmoothing).add(smooth.mul(labelSmoothing / classes));
}

