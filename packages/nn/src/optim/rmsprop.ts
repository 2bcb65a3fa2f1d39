/** RMSprop, optionally centered and with momentum (torch.optim.RMSprop). */
import { zerosLike } from '@tensorgrad/core';
import type { Tensor } from '@tensorgrad/core';
import { Optimizer, checkBoolean, checkNumber } from './optimizer.js';
import type { ParamState, ParamUpdate, ParamsInput, StateLayout } from './optimizer.js';

export interface RMSpropOptions {
  lr: number;
  /** Smoothing constant of the running average of the squared gradient. */
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  /** Normalise by an estimate of the gradient's variance instead of its raw second moment. */
  centered: boolean;
  maximize: boolean;
}

export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: ParamsInput<RMSpropOptions>, options?: Partial<RMSpropOptions>) {
    super('RMSprop', params, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false }, options);
  }

  protected validateGroup(where: string, g: RMSpropOptions): void {
    checkNumber(where, 'lr', g.lr, 0);
    checkNumber(where, 'alpha', g.alpha, 0);
    checkNumber(where, 'eps', g.eps, 0);
    checkNumber(where, 'weightDecay', g.weightDecay, 0);
    checkNumber(where, 'momentum', g.momentum, 0);
    checkBoolean(where, 'centered', g.centered);
    checkBoolean(where, 'maximize', g.maximize);
  }

  protected stateLayout(g: RMSpropOptions): StateLayout {
    const required = ['squareAvg'];
    const optional: string[] = [];
    (g.momentum > 0 ? required : optional).push('momentumBuffer');
    (g.centered ? required : optional).push('gradAvg');
    return { required, optional, counters: ['step'], nonNegative: ['squareAvg'] };
  }

  protected update(param: Tensor, grad: Tensor, state: ParamState, g: RMSpropOptions): ParamUpdate {
    let d = g.maximize ? grad.neg() : grad;
    if (g.weightDecay !== 0) d = d.add(param.mul(g.weightDecay));
    const squareAvg = ((state.squareAvg as Tensor | undefined) ?? zerosLike(param)).mul(g.alpha).add(d.mul(d).mul(1 - g.alpha));
    const next: ParamState = { ...state, step: ((state.step as number | undefined) ?? 0) + 1, squareAvg };
    let avg: Tensor;
    if (g.centered) {
      const gradAvg = ((state.gradAvg as Tensor | undefined) ?? zerosLike(param)).mul(g.alpha).add(d.mul(1 - g.alpha));
      next.gradAvg = gradAvg;
      avg = squareAvg.sub(gradAvg.mul(gradAvg)).sqrt();
    } else {
      avg = squareAvg.sqrt();
    }
    avg = avg.add(g.eps);
    if (g.momentum > 0) {
      const buf = ((state.momentumBuffer as Tensor | undefined) ?? zerosLike(param)).mul(g.momentum).add(d.div(avg));
      next.momentumBuffer = buf;
      return { value: param.sub(buf.mul(g.lr)), state: next };
    }
    return { value: param.sub(d.div(avg).mul(g.lr)), state: next };
  }
}
