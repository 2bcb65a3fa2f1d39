/** OneCycleLR (torch.optim.lr_scheduler.OneCycleLR): the 1cycle policy, stepped once per batch. */
import { LRScheduler, checkInteger, checkLrArray, checkNumberArray, checkOptimizer, rejectUnknownOptions } from './lr-scheduler.js';
import { checkNumber, type Optimizer } from './optimizer.js';

export interface OneCycleLROptions {
  /** Peak learning rate, for all groups or one per group. */
  maxLr: number | number[];
  /** Length of the cycle in steps; or give `epochs` and `stepsPerEpoch`. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent increasing the rate. Default 0.3. */
  pctStart?: number;
  /** 'cos' (default) or 'linear' annealing between the phase end points. */
  annealStrategy?: 'cos' | 'linear';
  /** Cycle the momentum inversely to the rate: SGD/RMSprop's `momentum`, or Adam's first beta. Default true. */
  cycleMomentum?: boolean;
  /** Momentum at the peak rate. Default 0.85. */
  baseMomentum?: number | number[];
  /** Momentum at the start and end. Default 0.95. */
  maxMomentum?: number | number[];
  /** The starting rate is maxLr / divFactor. Default 25. */
  divFactor?: number;
  /** The final rate is the starting rate / finalDivFactor. Default 1e4. */
  finalDivFactor?: number;
  /** Three phases (up, back down to the start, then to the minimum) instead of two (up, down to the minimum). */
  threePhase?: boolean;
}

const KEYS = ['maxLr', 'totalSteps', 'epochs', 'stepsPerEpoch', 'pctStart', 'annealStrategy', 'cycleMomentum', 'baseMomentum',
  'maxMomentum', 'divFactor', 'finalDivFactor', 'threePhase'];

type Point = 'initial' | 'max' | 'min';

interface Phase {
  endStep: number;
  lr: [Point, Point];
  /** Momentum from → to, as 'max' or 'base'. */
  momentum: ['max' | 'base', 'max' | 'base'];
}

function perGroup(where: string, name: string, v: number | number[], groups: number, min = 0): number[] {
  const list = Array.isArray(v) ? [...v] : Array.from({ length: groups }, () => v);
  if (list.length !== groups) throw new Error(`${where}: expected ${groups} values for ${name} (one per parameter group), got ${list.length}`);
  list.forEach((x, i) => checkNumber(where, `${name}[${i}]`, x, min));
  return list;
}

/**
 * The 1cycle policy as PyTorch computes it: from maxLr/divFactor up to maxLr over the first pctStart of `totalSteps`,
 * then down to maxLr/(divFactor·finalDivFactor) (cosine or linear), with the momentum (SGD, RMSprop) or Adam's first
 * beta cycled the other way between maxMomentum and baseMomentum. It sets each group's `initialLr` to maxLr/divFactor.
 * Stepping past `totalSteps` throws, as in PyTorch.
 */
export class OneCycleLR extends LRScheduler {
  /** Steps in the cycle. */
  totalSteps: number;
  /** Fraction of the cycle spent increasing the rate. */
  pctStart: number;
  annealStrategy: 'cos' | 'linear';
  /** Which group option the momentum cycle writes: 'momentum', 'betas' (its first entry) or 'none'. */
  momentumKey: 'momentum' | 'betas' | 'none';
  /** 1 for the three-phase schedule, 0 for two phases (a number, so the state dict stays plain numbers). */
  threePhase: number;
  /** Per group: the peak rate and the final rate. */
  maxLrs: number[];
  minLrs: number[];
  /** Per group: momentum at the start and end, and at the peak rate (empty without momentum cycling). */
  maxMomentums: number[];
  baseMomentums: number[];

  constructor(optimizer: Optimizer<{ lr: number }>, options: OneCycleLROptions) {
    super('OneCycleLR', OneCycleLR.prepare(optimizer, options));
    const o = options;
    const groups = this.optimizer.paramGroups;
    this.totalSteps = o.totalSteps ?? (o.epochs as number) * (o.stepsPerEpoch as number);
    this.pctStart = o.pctStart ?? 0.3;
    this.annealStrategy = o.annealStrategy ?? 'cos';
    this.threePhase = o.threePhase ? 1 : 0;
    this.maxLrs = perGroup('OneCycleLR', 'maxLr', o.maxLr, groups.length);
    const divFactor = o.divFactor ?? 25, finalDivFactor = o.finalDivFactor ?? 1e4;
    this.minLrs = this.maxLrs.map((m) => m / divFactor / finalDivFactor);
    const cycle = o.cycleMomentum ?? true;
    const defaults = this.optimizer.defaults as Record<string, unknown>;
    this.momentumKey = !cycle ? 'none' : 'betas' in defaults ? 'betas' : 'momentum';
    this.maxMomentums = cycle ? perGroup('OneCycleLR', 'maxMomentum', o.maxMomentum ?? 0.95, groups.length) : [];
    this.baseMomentums = cycle ? perGroup('OneCycleLR', 'baseMomentum', o.baseMomentum ?? 0.85, groups.length) : [];
    this.step();
  }

  /** Validates the options and writes each group's initialLr (before the base class reads it), as PyTorch does. */
  private static prepare(optimizer: Optimizer<{ lr: number }>, o: OneCycleLROptions): Optimizer<{ lr: number }> {
    const where = 'OneCycleLR';
    const opt = checkOptimizer(where, optimizer);
    if (o === null || typeof o !== 'object') throw new Error(`${where}: expected options with at least maxLr and totalSteps`);
    rejectUnknownOptions(where, o, KEYS);
    let total: number;
    if (o.totalSteps !== undefined) {
      checkInteger(where, 'totalSteps', o.totalSteps, 1);
      total = o.totalSteps;
    } else if (o.epochs !== undefined && o.stepsPerEpoch !== undefined) {
      checkInteger(where, 'epochs', o.epochs, 1);
      checkInteger(where, 'stepsPerEpoch', o.stepsPerEpoch, 1);
      total = o.epochs * o.stepsPerEpoch;
    } else {
      throw new Error(`${where}: give totalSteps, or epochs and stepsPerEpoch`);
    }
    const pct = o.pctStart ?? 0.3;
    checkNumber(where, 'pctStart', pct, 0, 1);
    const phases = OneCycleLR.phases(total, pct, o.threePhase ?? false);
    let start = 0;
    for (const p of phases) {
      if (!(p.endStep > start)) throw new Error(`${where}: pctStart ${pct} with totalSteps ${total} leaves a phase without steps (each phase needs at least one step)`);
      start = p.endStep;
    }
    if (o.annealStrategy !== undefined && o.annealStrategy !== 'cos' && o.annealStrategy !== 'linear') {
      throw new Error(`${where}: annealStrategy must be 'cos' or 'linear', got ${String(o.annealStrategy)}`);
    }
    const divFactor = o.divFactor ?? 25, finalDivFactor = o.finalDivFactor ?? 1e4;
    checkNumber(where, 'divFactor', divFactor, 0);
    checkNumber(where, 'finalDivFactor', finalDivFactor, 0);
    if (divFactor === 0 || finalDivFactor === 0) throw new Error(`${where}: divFactor and finalDivFactor must be > 0`);
    const groups = opt.paramGroups;
    const maxLrs = perGroup(where, 'maxLr', o.maxLr, groups.length);
    if ((o.cycleMomentum ?? true)) {
      const defaults = opt.defaults as Record<string, unknown>;
      if (!('momentum' in defaults) && !('betas' in defaults)) {
        throw new Error(`${where}: cycleMomentum needs an optimizer with a momentum or betas option; pass cycleMomentum: false`);
      }
      const maxM = perGroup(where, 'maxMomentum', o.maxMomentum ?? 0.95, groups.length);
      perGroup(where, 'baseMomentum', o.baseMomentum ?? 0.85, groups.length);
      groups.forEach((g, i) => {
        const group = g as unknown as Record<string, unknown>;
        if ('betas' in defaults) group.betas = [maxM[i], (group.betas as readonly [number, number])[1]];
        else group.momentum = maxM[i];
      });
    }
    groups.forEach((g, i) => (g.initialLr = maxLrs[i] / divFactor));
    return opt;
  }

  private static phases(total: number, pct: number, three: boolean): Phase[] {
    return three
      ? [
        { endStep: pct * total - 1, lr: ['initial', 'max'], momentum: ['max', 'base'] },
        { endStep: 2 * pct * total - 2, lr: ['max', 'initial'], momentum: ['base', 'max'] },
        { endStep: total - 1, lr: ['initial', 'min'], momentum: ['max', 'max'] },
      ]
      : [
        { endStep: pct * total - 1, lr: ['initial', 'max'], momentum: ['max', 'base'] },
        { endStep: total - 1, lr: ['max', 'min'], momentum: ['base', 'max'] },
      ];
  }

  private anneal(start: number, end: number, pct: number): number {
    return this.annealStrategy === 'cos' ? end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1) : (end - start) * pct + start;
  }

  /** Throws, without moving the schedule, once `totalSteps` steps have been taken. */
  override step(): void {
    if (this.lastEpoch + 1 > this.totalSteps) {
      throw new Error(`OneCycleLR.step: tried to step ${this.lastEpoch + 2} times; the schedule has totalSteps ${this.totalSteps}`);
    }
    super.step();
  }

  protected computeLr(): number[] {
    const step = this.lastEpoch;
    const phases = OneCycleLR.phases(this.totalSteps, this.pctStart, this.threePhase === 1);
    return this.optimizer.paramGroups.map((g, i) => {
      const point = { initial: this.baseLrs[i], max: this.maxLrs[i], min: this.minLrs[i] };
      const mom = { max: this.maxMomentums[i], base: this.baseMomentums[i] };
      let start = 0;
      for (let k = 0; k < phases.length; k++) {
        const p = phases[k];
        if (step <= p.endStep || k === phases.length - 1) {
          const pct = (step - start) / (p.endStep - start);
          if (this.momentumKey !== 'none') {
            const m = this.anneal(mom[p.momentum[0]], mom[p.momentum[1]], pct);
            const group = g as unknown as Record<string, unknown>;
            if (this.momentumKey === 'betas') group.betas = [m, (group.betas as readonly [number, number])[1]];
            else group.momentum = m;
          }
          return this.anneal(point[p.lr[0]], point[p.lr[1]], pct);
        }
        start = p.endStep;
      }
      throw new Error('OneCycleLR: unreachable');
    });
  }

  protected ownStateKeys(): string[] {
    return ['totalSteps', 'pctStart', 'annealStrategy', 'momentumKey', 'threePhase', 'maxLrs', 'minLrs', 'maxMomentums', 'baseMomentums'];
  }

  protected checkOwnState(where: string, v: Record<string, unknown>): void {
    const groups = this.optimizer.paramGroups.length;
    checkInteger(where, 'totalSteps', v.totalSteps, 1);
    checkNumber(where, 'pctStart', v.pctStart, 0, 1);
    if (v.annealStrategy !== 'cos' && v.annealStrategy !== 'linear') throw new Error(`${where}: annealStrategy must be 'cos' or 'linear'`);
    if (v.momentumKey !== 'momentum' && v.momentumKey !== 'betas' && v.momentumKey !== 'none') throw new Error(`${where}: momentumKey must be 'momentum', 'betas' or 'none'`);
    if (v.threePhase !== 0 && v.threePhase !== 1) throw new Error(`${where}: threePhase must be 0 or 1`);
    checkLrArray(where, 'maxLrs', v.maxLrs, groups);
    checkLrArray(where, 'minLrs', v.minLrs, groups);
    const momenta = v.momentumKey === 'none' ? 0 : groups;
    checkNumberArray(where, 'maxMomentums', v.maxMomentums, momenta);
    checkNumberArray(where, 'baseMomentums', v.baseMomentums, momenta);
  }
}
