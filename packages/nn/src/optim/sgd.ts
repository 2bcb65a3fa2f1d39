/** Stochastic gradient descent with optional (Nesterov) momentum, dampening and L2 weight decay (torch.optim.SGD). */
import { fusedSgdStep_, zerosLike } from '@tensorgrad/core';
import type { FusedSgdOptions, Tensor } from '@tensorgrad/core';
import { Optimizer, checkBoolean, checkNumber } from './optimizer.js';
import type { OptimizerOptions, ParamState, ParamsInput, StateLayout } from './optimizer.js';

export interface SGDOptions {
  /** Learning rate; required (as in PyTorch) unless every parameter group sets its own. */
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  /** L2 penalty, added to the gradient as `weightDecay * param`. */
  weightDecay: number;
  /** Ascend the objective instead of descending it. */
  maximize: boolean;
}

export class SGD extends Optimizer<SGDOptions> {
  constructor(params: ParamsInput<SGDOptions>, options?: Partial<SGDOptions> & OptimizerOptions) {
    super('SGD', params, { lr: undefined, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false }, options);
  }

  protected validateGroup(where: string, g: SGDOptions): void {
    checkNumber(where, 'lr', g.lr, 0);
    checkNumber(where, 'momentum', g.momentum, 0);
    checkNumber(where, 'dampening', g.dampening);
    checkNumber(where, 'weightDecay', g.weightDecay, 0);
    checkBoolean(where, 'nesterov', g.nesterov);
    checkBoolean(where, 'maximize', g.maximize);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) {
      throw new Error(`${where}: nesterov momentum requires momentum > 0 and dampening = 0, got momentum ${g.momentum}, dampening ${g.dampening}`);
    }
  }

  protected stateLayout(): StateLayout {
    // The buffer is created on the first step with momentum, so a state may lack it.
    return { required: [], optional: ['momentumBuffer'], counters: [] };
  }

  /**
   * With d = ±grad (+ weightDecay · param) and μ the momentum:
   *
   *     b ← d on the buffer's first step, else μ · b + (1 − dampening) · d      (momentumBuffer, if μ ≠ 0)
   *     step = d + μ · b (Nesterov), b (momentum), or d (none)
   *     param ← param − lr · step
   */
  protected update(param: Tensor, grad: Tensor, state: ParamState, g: SGDOptions): ParamState {
    const prev = state.momentumBuffer as Tensor | undefined;
    const buf = g.momentum !== 0 ? prev ?? zerosLike(param) : null;
    const options: FusedSgdOptions = {
      lr: g.lr, momentum: g.momentum, dampening: g.dampening, nesterov: g.nesterov, weightDecay: g.weightDecay, maximize: g.maximize,
      firstStep: prev === undefined,
    };
    if (this.fused) fusedSgdStep_(param, grad, buf, options);
    else sgdReference_(param, grad, buf, options);
    return buf ? { ...state, momentumBuffer: buf } : state;
  }
}

/** The rule above as separate in-place tensor ops (what `fused: false` runs). */
function sgdReference_(param: Tensor, grad: Tensor, buf: Tensor | null, o: FusedSgdOptions): void {
  const momentum = o.momentum ?? 0;
  let d = o.maximize ? grad.neg() : grad;
  if (o.weightDecay) d = d.add(param.mul(o.weightDecay));
  if (buf) {
    if (o.firstStep) buf.assign(d);
    else buf.mul_(momentum).add_(d, 1 - (o.dampening ?? 0));
    d = o.nesterov ? d.add(buf.mul(momentum)) : buf;
  }
  param.add_(d, -o.lr);
}
