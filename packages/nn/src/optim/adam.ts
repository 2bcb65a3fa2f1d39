/** Adam (L2 weight decay folded into the gradient) and AdamW (decoupled weight decay), as torch.optim.Adam/AdamW. */
import { fusedAdamStep_, zerosLike } from '@tensorgrad/core';
import type { FusedAdamOptions, Tensor } from '@tensorgrad/core';
import { Optimizer, checkBoolean, checkNumber } from './optimizer.js';
import type { OptimizerOptions, ParamState, ParamsInput, StateLayout } from './optimizer.js';

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
 * The Adam step of one parameter, shared by Adam and AdamW, which differ only in how weight decay enters
 * (`decoupled`). The rule, as torch.optim.Adam computes it, with t the step count and d the direction:
 *
 *     d  = ±grad (+ weightDecay · param for Adam's L2 penalty)
 *     param ← param · (1 − lr · weightDecay)          (AdamW only)
 *     m  ← m + (1 − β1)(d − m)                        (expAvg)
 *     v  ← β2 · v + (1 − β2) · d²                     (expAvgSq)
 *     v̂  ← max(v̂, v)                                  (maxExpAvgSq, AMSGrad only; else v̂ = v)
 *     param ← param − lr / (1 − β1ᵗ) · m / (√v̂ / √(1 − β2ᵗ) + eps)
 *
 * Fused, core's fusedAdamStep_ does this in one pass; otherwise `adamReference_` spells it out with in-place tensor ops.
 */
function adamStep(param: Tensor, grad: Tensor, state: ParamState, g: AdamOptions, decoupled: boolean, fused: boolean): ParamState {
  const step = ((state.step as number | undefined) ?? 0) + 1;
  const expAvg = (state.expAvg as Tensor | undefined) ?? zerosLike(param);
  const expAvgSq = (state.expAvgSq as Tensor | undefined) ?? zerosLike(param);
  const maxExpAvgSq = g.amsgrad ? (state.maxExpAvgSq as Tensor | undefined) ?? zerosLike(param) : null;
  const [beta1, beta2] = g.betas;
  const options = { lr: g.lr, beta1, beta2, eps: g.eps, step, weightDecay: g.weightDecay, decoupledWeightDecay: decoupled, maximize: g.maximize };
  if (fused) fusedAdamStep_(param, grad, expAvg, expAvgSq, maxExpAvgSq, options);
  else adamReference_(param, grad, expAvg, expAvgSq, maxExpAvgSq, options);
  return { ...state, step, expAvg, expAvgSq, ...(maxExpAvgSq ? { maxExpAvgSq } : {}) };
}

/** The rule above as separate in-place tensor ops (what `fused: false` runs). */
function adamReference_(param: Tensor, grad: Tensor, expAvg: Tensor, expAvgSq: Tensor, maxExpAvgSq: Tensor | null, o: FusedAdamOptions): void {
  const wd = o.weightDecay ?? 0;
  let d = o.maximize ? grad.neg() : grad;
  if (wd !== 0 && !o.decoupledWeightDecay) d = d.add(param.mul(wd));
  if (wd !== 0 && o.decoupledWeightDecay) param.mul_(1 - o.lr * wd);
  expAvg.lerp_(d, 1 - o.beta1);
  expAvgSq.mul_(o.beta2).addcmul_(d, d, 1 - o.beta2);
  const second = maxExpAvgSq ? maxExpAvgSq.assign(maxExpAvgSq.maximum(expAvgSq)) : expAvgSq;
  const denom = second.sqrt().div_(Math.sqrt(1 - o.beta2 ** o.step)).add_(o.eps);
  param.addcdiv_(expAvg, denom, -o.lr / (1 - o.beta1 ** o.step));
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
  constructor(params: ParamsInput<AdamOptions>, options?: Partial<AdamOptions> & OptimizerOptions) {
    super('Adam', params, ADAM_DEFAULTS, options);
  }

  protected update(param: Tensor, grad: Tensor, state: ParamState, g: AdamOptions): ParamState {
    return adamStep(param, grad, state, g, false, this.fused);
  }
}

export class AdamW extends AdamFamily {
  constructor(params: ParamsInput<AdamOptions>, options?: Partial<AdamOptions> & OptimizerOptions) {
    super('AdamW', params, { ...ADAM_DEFAULTS, weightDecay: 1e-2 }, options);
  }

  /** Decoupled decay shrinks the weights directly instead of passing through the adaptive scaling. */
  protected update(param: Tensor, grad: Tensor, state: ParamState, g: AdamOptions): ParamState {
    return adamStep(param, grad, state, g, true, this.fused);
  }
}
