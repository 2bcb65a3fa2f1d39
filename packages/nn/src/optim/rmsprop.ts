/** RMSprop, optionally centered and with momentum (torch.optim.RMSprop). */
import { fusedRmspropStep_, zerosLike } from '@tensorgrad/core';
import type { FusedRmspropOptions, Tensor } from '@tensorgrad/core';
import { Optimizer, checkBoolean, checkNumber } from './optimizer.js';
import type { OptimizerOptions, ParamState, ParamsInput, StateLayout } from './optimizer.js';

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
  constructor(params: ParamsInput<RMSpropOptions>, options?: Partial<RMSpropOptions> & OptimizerOptions) {
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

  /**
   * With d = ±grad (+ weightDecay · param):
   *
   *     s ← α · s + (1 − α) · d²                               (squareAvg)
   *     ḡ ← α · ḡ + (1 − α) · d,  avg = √(s − ḡ²) + eps        (gradAvg, centered only; else avg = √s + eps)
   *     b ← μ · b + d / avg,  param ← param − lr · b           (momentumBuffer, if μ > 0)
   *     param ← param − lr · d / avg                           (without momentum)
   */
  protected update(param: Tensor, grad: Tensor, state: ParamState, g: RMSpropOptions): ParamState {
    const squareAvg = (state.squareAvg as Tensor | undefined) ?? zerosLike(param);
    const gradAvg = g.centered ? (state.gradAvg as Tensor | undefined) ?? zerosLike(param) : null;
    const buf = g.momentum > 0 ? (state.momentumBuffer as Tensor | undefined) ?? zerosLike(param) : null;
    const options: FusedRmspropOptions = { lr: g.lr, alpha: g.alpha, eps: g.eps, weightDecay: g.weightDecay, momentum: g.momentum, maximize: g.maximize };
    if (this.fused) fusedRmspropStep_(param, grad, squareAvg, gradAvg, buf, options);
    else rmspropReference_(param, grad, squareAvg, gradAvg, buf, options);
    return {
      ...state, step: ((state.step as number | undefined) ?? 0) + 1, squareAvg,
      ...(gradAvg ? { gradAvg } : {}), ...(buf ? { momentumBuffer: buf } : {}),
    };
  }
}

/** The rule above as separate in-place tensor ops (what `fused: false` runs). */
function rmspropReference_(param: Tensor, grad: Tensor, squareAvg: Tensor, gradAvg: Tensor | null, buf: Tensor | null, o: FusedRmspropOptions): void {
  let d = o.maximize ? grad.neg() : grad;
  if (o.weightDecay) d = d.add(param.mul(o.weightDecay));
  squareAvg.mul_(o.alpha).addcmul_(d, d, 1 - o.alpha);
  let avg: Tensor;
  if (gradAvg) {
    gradAvg.mul_(o.alpha).add_(d, 1 - o.alpha);
    avg = squareAvg.sub(gradAvg.square()).sqrt();
  } else {
    avg = squareAvg.sqrt();
  }
  avg.add_(o.eps);
  if (buf) {
    buf.mul_(o.momentum ?? 0).addcdiv_(d, avg);
    param.add_(buf, -o.lr);
  } else {
    param.addcdiv_(d, avg, -o.lr);
  }
}
