/** Stochastic gradient descent with optional (Nesterov) momentum, dampening and L2 weight decay (torch.optim.SGD). */
import type { Tensor } from '@tensorgrad/core';
import { Optimizer, checkBoolean, checkNumber } from './optimizer.js';
import type { ParamState, ParamUpdate, ParamsInput, StateLayout } from './optimizer.js';

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
  constructor(params: ParamsInput<SGDOptions>, options?: Partial<SGDOptions>) {
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

  protected update(param: Tensor, grad: Tensor, state: ParamState, g: SGDOptions): ParamUpdate {
    let d = g.maximize ? grad.neg() : grad;
    if (g.weightDecay !== 0) d = d.add(param.mul(g.weightDecay));
    const next: ParamState = { ...state };
    if (g.momentum !== 0) {
      const prev = state.momentumBuffer as Tensor | undefined;
      // The first step seeds the buffer with the raw direction, undampened, as PyTorch does.
      const buf = prev === undefined ? d.clone() : prev.mul(g.momentum).add(d.mul(1 - g.dampening));
      next.momentumBuffer = buf;
      d = g.nesterov ? d.add(buf.mul(g.momentum)) : buf;
    }
    return { value: param.sub(d.mul(g.lr)), state: next };
  }
}
