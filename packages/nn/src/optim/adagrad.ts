/** Adagrad: per-coordinate steps scaled by the root of the summed squared gradients (torch.optim.Adagrad). */
import { fullLike, fusedAdagradStep_ } from '@tensorgrad/core';
import type { FusedAdagradOptions, Tensor } from '@tensorgrad/core';
import { Optimizer, checkBoolean, checkNumber } from './optimizer.js';
import type { OptimizerOptions, ParamState, ParamsInput, StateLayout } from './optimizer.js';

export interface AdagradOptions {
  lr: number;
  /** The step-t learning rate is `lr / (1 + (t - 1) * lrDecay)`. */
  lrDecay: number;
  weightDecay: number;
  /** Starting value of the sum of squared gradients. */
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: ParamsInput<AdagradOptions>, options?: Partial<AdagradOptions> & OptimizerOptions) {
    super('Adagrad', params, { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false }, options);
  }

  protected validateGroup(where: string, g: AdagradOptions): void {
    checkNumber(where, 'lr', g.lr, 0);
    checkNumber(where, 'lrDecay', g.lrDecay, 0);
    checkNumber(where, 'weightDecay', g.weightDecay, 0);
    checkNumber(where, 'initialAccumulatorValue', g.initialAccumulatorValue, 0);
    checkNumber(where, 'eps', g.eps, 0);
    checkBoolean(where, 'maximize', g.maximize);
  }

  protected stateLayout(): StateLayout {
    return { required: ['sum'], optional: [], counters: ['step'], nonNegative: ['sum'] };
  }

  /**
   * With d = ±grad (+ weightDecay · param) and t the step count:
   *
   *     sum ← sum + d²
   *     param ← param − lr / (1 + (t − 1) · lrDecay) · d / (√sum + eps)
   */
  protected update(param: Tensor, grad: Tensor, state: ParamState, g: AdagradOptions): ParamState {
    const step = ((state.step as number | undefined) ?? 0) + 1;
    const sum = (state.sum as Tensor | undefined) ?? fullLike(param, g.initialAccumulatorValue);
    const options: FusedAdagradOptions = { lr: g.lr, eps: g.eps, step, lrDecay: g.lrDecay, weightDecay: g.weightDecay, maximize: g.maximize };
    if (this.fused) fusedAdagradStep_(param, grad, sum, options);
    else adagradReference_(param, grad, sum, options);
    return { ...state, step, sum };
  }
}

/** The rule above as separate in-place tensor ops (what `fused: false` runs). */
function adagradReference_(param: Tensor, grad: Tensor, sum: Tensor, o: FusedAdagradOptions): void {
  let d = o.maximize ? grad.neg() : grad;
  if (o.weightDecay) d = d.add(param.mul(o.weightDecay));
  sum.addcmul_(d, d);
  param.addcdiv_(d, sum.sqrt().add_(o.eps), -o.lr / (1 + (o.step - 1) * (o.lrDecay ?? 0)));
}
