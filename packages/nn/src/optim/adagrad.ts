/** Adagrad: per-coordinate steps scaled by the root of the summed squared gradients (torch.optim.Adagrad). */
import { fullLike } from '@tensorgrad/core';
import type { Tensor } from '@tensorgrad/core';
import { Optimizer, checkBoolean, checkNumber } from './optimizer.js';
import type { ParamState, ParamUpdate, ParamsInput, StateLayout } from './optimizer.js';

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
  constructor(params: ParamsInput<AdagradOptions>, options?: Partial<AdagradOptions>) {
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

  protected update(param: Tensor, grad: Tensor, state: ParamState, g: AdagradOptions): ParamUpdate {
    let d = g.maximize ? grad.neg() : grad;
    if (g.weightDecay !== 0) d = d.add(param.mul(g.weightDecay));
    const step = ((state.step as number | undefined) ?? 0) + 1;
    const clr = g.lr / (1 + (step - 1) * g.lrDecay);
    const sum = ((state.sum as Tensor | undefined) ?? fullLike(param, g.initialAccumulatorValue)).add(d.mul(d));
    const std = sum.sqrt().add(g.eps);
    return { value: param.sub(d.div(std).mul(clr)), state: { ...state, step, sum } };
  }
}
