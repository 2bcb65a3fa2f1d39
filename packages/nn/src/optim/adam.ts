/** Adam (L2 weight decay folded into the gradient) and AdamW (decoupled weight decay), as torch.optim.Adam/AdamW. */
import { zerosLike } from '@tensorgrad/core';
import type { Tensor } from '@tensorgrad/core';
import { Optimizer, checkBoolean, checkNumber } from './optimizer.js';
import type { ParamState, ParamUpdate, ParamsInput, StateLayout } from './optimizer.js';

export interface AdamOptions {
  lr: number;
  /** Decay rates of the running averages of the gradient and of its square. */
  betas: readonly [number, number];
  /** Added to the denominator for numerical stability. */
  eps: number;
  /** Adam: L2 penalty added to the gradient. AdamW: decoupled decay, `param *= 1 - lr * weightDecay`. */
  weightDecay: number;
  /** Normalise by the running maximum of the second moment (AMSGrad). */
  amsgrad: boolean;
  maximize: boolean;
}

function validateAdamGroup(where: string, g: AdamOptions): void {
  checkNumber(where, 'lr', g.lr, 0);
  if (!Array.isArray(g.betas) || g.betas.length !== 2) throw new Error(`${where}: betas must be a pair [beta1, beta2], got ${String(g.betas)}`);
  checkNumber(where, 'betas[0]', g.betas[0], 0, 1);
  checkNumber(where, 'betas[1]', g.betas[1], 0, 1);
  // beta == 1 would make the bias correction 1 - beta^t zero and the update a division by zero.
  if (g.betas[0] === 1 || g.betas[1] === 1) throw new Error(`${where}: betas must be in [0, 1), got [${g.betas.join(', ')}]`);
  checkNumber(where, 'eps', g.eps, 0);
  checkNumber(where, 'weightDecay', g.weightDecay, 0);
  checkBoolean(where, 'amsgrad', g.amsgrad);
  checkBoolean(where, 'maximize', g.maximize);
}

function adamLayout(g: AdamOptions): StateLayout {
  return g.amsgrad
    ? { required: ['expAvg', 'expAvgSq', 'maxExpAvgSq'], optional: [], counters: ['step'], nonNegative: ['expAvgSq', 'maxExpAvgSq'] }
    : { required: ['expAvg', 'expAvgSq'], optional: ['maxExpAvgSq'], counters: ['step'], nonNegative: ['expAvgSq', 'maxExpAvgSq'] };
}

/**
 * The moment updates and bias-corrected step shared by Adam and AdamW (PyTorch's algorithm, passes fused). Runs after
 * step() has validated every group and gradient, and updates the moments and the parameter in place: a step of a large
 * model then allocates one temporary (the denominator) per parameter instead of a dozen.
 */
function adamStep(param: Tensor, grad: Tensor, state: ParamState, g: AdamOptions): ParamUpdate {
  const [beta1, beta2] = g.betas;
  const step = ((state.step as number | undefined) ?? 0) + 1;
  const expAvg = (state.expAvg as Tensor | undefined) ?? zerosLike(param);
  const expAvgSq = (state.expAvgSq as Tensor | undefined) ?? zerosLike(param);
  expAvg.lerp_(grad, 1 - beta1);
  expAvgSq.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
  const next: ParamState = { ...state, step, expAvg, expAvgSq };
  const biasCorrection1 = 1 - beta1 ** step;
  const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** step);
  const stepSize = g.lr / biasCorrection1;
  let second = expAvgSq;
  if (g.amsgrad) {
    const prevMax = state.maxExpAvgSq as Tensor | undefined;
    second = prevMax ? prevMax.assign(prevMax.maximum(expAvgSq)) : expAvgSq.clone();
    next.maxExpAvgSq = second;
  }
  // PyTorch's denom = √v / bc2 + eps, with bc2 folded into the step size instead: one pass fewer per parameter.
  const denom = second.sqrt().add_(g.eps * biasCorrection2Sqrt);
  param.addcdiv_(expAvg, denom, -stepSize * biasCorrection2Sqrt);
  return { value: param, state: next };
}

/** What Adam and AdamW share: options, their validation and the state layout. They differ only in weight decay. */
abstract class AdamFamily extends Optimizer<AdamOptions> {
  protected validateGroup(where: string, g: AdamOptions): void {
    validateAdamGroup(where, g);
  }

  protected stateLayout(g: AdamOptions): StateLayout {
    return adamLayout(g);
  }
}

const ADAM_DEFAULTS: AdamOptions = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false };

export class Adam extends AdamFamily {
  constructor(params: ParamsInput<AdamOptions>, options?: Partial<AdamOptions>) {
    super('Adam', params, ADAM_DEFAULTS, options);
  }

  protected update(param: Tensor, grad: Tensor, state: ParamState, g: AdamOptions): ParamUpdate {
    let d = g.maximize ? grad.neg() : grad;
    if (g.weightDecay !== 0) d = d.add(param.mul(g.weightDecay));
    return adamStep(param, d, state, g);
  }
}

export class AdamW extends AdamFamily {
  constructor(params: ParamsInput<AdamOptions>, options?: Partial<AdamOptions>) {
    super('AdamW', params, { ...ADAM_DEFAULTS, weightDecay: 1e-2 }, options);
  }

  protected update(param: Tensor, grad: Tensor, state: ParamState, g: AdamOptions): ParamUpdate {
    const d = g.maximize ? grad.neg() : grad;
    // Decoupled decay shrinks the weights directly instead of passing through the adaptive scaling.
    if (g.weightDecay !== 0) param.mul_(1 - g.lr * g.weightDecay);
    return adamStep(param, d, state, g);
  }
}
