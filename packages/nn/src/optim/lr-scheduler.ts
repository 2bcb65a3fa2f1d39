/**
 * Learning-rate schedulers (torch.optim.lr_scheduler). Each writes `lr` into the optimizer's parameter groups on
 * `step()`. The epoch-based ones use PyTorch's recursive ("chainable") formulas, so they compose with other
 * changes to `lr` exactly as PyTorch's do. Call `optimizer.step()` before `scheduler.step()`.
 */
import { Tensor } from '@tensorgrad/core';
import { Optimizer, checkNumber } from './optimizer.js';
import { describeValue, isPlainObject } from '../util.js';

/** A scheduler's state: plain numbers, arrays and strings (safe to JSON.stringify). */
export type SchedulerStateDict = Record<string, number | string | number[] | null>;

export type AnyOptimizer = Optimizer<{ lr: number }>;

/** @internal Shared with the schedulers in sequential-lr.ts and one-cycle-lr.ts. */
export function checkOptimizer(where: string, optimizer: unknown): AnyOptimizer {
  if (!(optimizer instanceof Optimizer)) throw new Error(`${where}: expected an Optimizer, got ${String(optimizer)}`);
  return optimizer as AnyOptimizer;
}

/** @internal Shared with the schedulers in sequential-lr.ts and one-cycle-lr.ts. */
export function checkInteger(where: string, name: string, value: unknown, min: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new Error(`${where}: ${name} must be an integer >= ${min}, got ${String(value)}`);
  }
}

/** Learning rates (one per parameter group) must be finite and >= 0, like the lr option itself. */
export function checkLrArray(where: string, name: string, value: unknown, length: number): void {
  if (!Array.isArray(value) || value.length !== length || value.some((v) => typeof v !== 'number' || !Number.isFinite(v) || v < 0)) {
    throw new Error(`${where}: ${name} must be an array of ${length} finite numbers >= 0 (one per parameter group), got ${describeValue(value)}`);
  }
}

/** @internal Shared with the schedulers in sequential-lr.ts and one-cycle-lr.ts. */
export function checkNumberArray(where: string, name: string, value: unknown, length: number): void {
  if (!Array.isArray(value) || value.length !== length || value.some((v) => typeof v !== 'number' || Number.isNaN(v))) {
    throw new Error(`${where}: ${name} must be an array of ${length} numbers (one per parameter group), got ${describeValue(value)}`);
  }
}

/** @internal Shared with the schedulers in sequential-lr.ts and one-cycle-lr.ts. */
export function rejectUnknownOptions(where: string, options: unknown, known: string[], what = 'option'): void {
  if (!isPlainObject(options)) throw new Error(`${where}: expected ${what === 'key' ? 'a state dict' : 'options'} { ${known.join(', ')} }, got ${describeValue(options)}`);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new Error(`${where}: unknown ${what} '${key}'; expected ${known.join(', ')}`);
  }
}

/** Base class of the epoch-based schedulers; subclasses give the next learning rates from the current ones. */
export abstract class LRScheduler {
  readonly optimizer: AnyOptimizer;
  /** Each group's `initialLr`: the lr the schedule is relative to. */
  baseLrs: number[];
  /** Number of `step()` calls so far minus one (the constructor's initial step sets it to 0). */
  lastEpoch = -1;
  protected stepCount = 0;
  protected lastLr: number[] = [];

  protected constructor(protected readonly name: string, optimizer: Optimizer<{ lr: number }>) {
    this.optimizer = checkOptimizer(name, optimizer);
    this.baseLrs = this.optimizer.paramGroups.map((g) => g.initialLr ?? g.lr);
  }

  /**
   * The constructor's initial step, run once the subclass has validated its options; only then does the optimizer
   * learn each group's `initialLr`, so a constructor that throws leaves the optimizer untouched.
   */
  protected start(): void {
    this.step();
    this.optimizer.paramGroups.forEach((g, i) => {
      if (g.initialLr === undefined) g.initialLr = this.baseLrs[i];
    });
  }

  /** The learning rates for epoch `lastEpoch`, computed from the groups' current ones. */
  protected abstract computeLr(): number[];

  /** Names of the subclass's own fields saved by stateDict(). */
  protected abstract ownStateKeys(): string[];

  /** Throws unless the subclass's own fields in `values` are valid (used by the constructor and loadStateDict). */
  protected abstract checkOwnState(where: string, values: Record<string, unknown>): void;

  /**
   * Moves the schedule on by one epoch and writes the new lrs into the optimizer. All or nothing: when a new rate is
   * invalid (not finite, or negative, e.g. from a LambdaLR function), it throws and the epoch, the step count and the
   * optimizer's rates stay as they were.
   */
  step(): void {
    this.stepCount += 1;
    this.lastEpoch += 1;
    let lrs: number[];
    try {
      lrs = this.computeLr();
      if (!Array.isArray(lrs) || lrs.length !== this.optimizer.paramGroups.length) throw new Error(`${this.name}.step: expected one lr per parameter group`);
      lrs.forEach((lr, i) => {
        if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
          throw new Error(`${this.name}.step: computed lr ${describeValue(lr)} for group ${i} at epoch ${this.lastEpoch}; nothing was changed (lastEpoch stays ${this.lastEpoch - 1})`);
        }
      });
    } catch (e) {
      this.stepCount -= 1;
      this.lastEpoch -= 1;
      throw e;
    }
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = lrs[i]));
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /**
   * The rates of epoch 0 computed from `baseLrs` alone (PyTorch's closed form, what its `step(0)` sets): where the
   * schedule starts over when SequentialLR switches to it. Schedules that do not start at their base rate override it.
   */
  protected startLrs(): number[] {
    return [...this.baseLrs];
  }

  /** Starts the schedule over at epoch 0 and writes its epoch-0 rates (PyTorch's `step(0)`); SequentialLR uses it. */
  restart(): void {
    const lrs = this.startLrs();
    lrs.forEach((lr, i) => {
      if (!Number.isFinite(lr) || lr < 0) throw new Error(`${this.name}.restart: computed lr ${lr} for group ${i} at epoch 0`);
    });
    this.stepCount += 1;
    this.lastEpoch = 0;
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = lrs[i]));
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The learning rates the last `step()` set, one per parameter group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  protected groupLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  stateDict(): SchedulerStateDict {
    const self = this as unknown as Record<string, number | string | number[]>;
    const out: SchedulerStateDict = {
      lastEpoch: this.lastEpoch,
      stepCount: this.stepCount,
      baseLrs: [...this.baseLrs],
      lastLr: [...this.lastLr],
    };
    for (const key of this.ownStateKeys()) {
      const v = self[key];
      out[key] = Array.isArray(v) ? [...v] : v;
    }
    return out;
  }

  /** Restores `stateDict()` output; everything is checked before anything changes. */
  loadStateDict(stateDict: SchedulerStateDict): void {
    const where = `${this.name}.loadStateDict`;
    if (!isPlainObject(stateDict)) throw new Error(`${where}: expected the object stateDict() returns, got ${describeValue(stateDict)}`);
    const groups = this.optimizer.paramGroups.length;
    const known = ['lastEpoch', 'stepCount', 'baseLrs', 'lastLr', ...this.ownStateKeys()];
    for (const key of known) if (!(key in stateDict)) throw new Error(`${where}: missing '${key}'`);
    rejectUnknownOptions(where, stateDict, known, 'key');
    checkInteger(where, 'lastEpoch', stateDict.lastEpoch, -1);
    checkInteger(where, 'stepCount', stateDict.stepCount, 0);
    checkLrArray(where, 'baseLrs', stateDict.baseLrs, groups);
    checkLrArray(where, 'lastLr', stateDict.lastLr, groups);
    this.checkOwnState(where, stateDict);
    const self = this as unknown as Record<string, unknown>;
    this.lastEpoch = stateDict.lastEpoch as number;
    this.stepCount = stateDict.stepCount as number;
    this.baseLrs = [...(stateDict.baseLrs as number[])];
    this.lastLr = [...(stateDict.lastLr as number[])];
    for (const key of this.ownStateKeys()) {
      const v = stateDict[key];
      self[key] = Array.isArray(v) ? [...v] : v;
    }
  }
}

export interface StepLROptions {
  /** Epochs between decays. */
  stepSize: number;
  /** Multiplicative decay. Default 0.1. */
  gamma?: number;
}

/** Multiplies the lr by `gamma` every `stepSize` epochs. */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;

  constructor(optimizer: Optimizer<{ lr: number }>, options: StepLROptions) {
    super('StepLR', optimizer);
    rejectUnknownOptions('StepLR', options, ['stepSize', 'gamma']);
    const own = { stepSize: options.stepSize, gamma: options.gamma ?? 0.1 };
    this.checkOwnState('StepLR', own);
    this.stepSize = own.stepSize;
    this.gamma = own.gamma;
    this.start();
  }

  protected checkOwnState(where: string, v: Record<string, unknown>): void {
    checkInteger(where, 'stepSize', v.stepSize, 1);
    checkNumber(where, 'gamma', v.gamma, 0);
  }

  protected computeLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma);
  }

  protected ownStateKeys(): string[] {
    return ['stepSize', 'gamma'];
  }
}

export interface MultiStepLROptions {
  /** Epochs at which to decay; a milestone listed twice decays by gamma twice. */
  milestones: number[];
  gamma?: number;
}

/** Multiplies the lr by `gamma` at each milestone epoch. */
export class MultiStepLR extends LRScheduler {
  milestones: number[];
  gamma: number;

  constructor(optimizer: Optimizer<{ lr: number }>, options: MultiStepLROptions) {
    super('MultiStepLR', optimizer);
    rejectUnknownOptions('MultiStepLR', options, ['milestones', 'gamma']);
    const own = { milestones: options.milestones, gamma: options.gamma ?? 0.1 };
    this.checkOwnState('MultiStepLR', own);
    this.milestones = [...own.milestones].sort((a, b) => a - b);
    this.gamma = own.gamma;
    this.start();
  }

  protected checkOwnState(where: string, v: Record<string, unknown>): void {
    if (!Array.isArray(v.milestones)) throw new Error(`${where}: milestones must be an array of epochs, got ${String(v.milestones)}`);
    v.milestones.forEach((m: unknown, i: number) => checkInteger(where, `milestones[${i}]`, m, 0));
    checkNumber(where, 'gamma', v.gamma, 0);
  }

  protected computeLr(): number[] {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (hits === 0) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma ** hits);
  }

  protected override startLrs(): number[] {
    const hits = this.milestones.filter((m) => m === 0).length;
    return this.baseLrs.map((lr) => lr * this.gamma ** hits);
  }

  protected ownStateKeys(): string[] {
    return ['milestones', 'gamma'];
  }
}

/** Multiplies the lr by `gamma` every epoch. */
export class ExponentialLR extends LRScheduler {
  gamma: number;

  constructor(optimizer: Optimizer<{ lr: number }>, options: { gamma: number }) {
    super('ExponentialLR', optimizer);
    rejectUnknownOptions('ExponentialLR', options, ['gamma']);
    this.checkOwnState('ExponentialLR', options);
    this.gamma = options.gamma;
    this.start();
  }

  protected checkOwnState(where: string, v: Record<string, unknown>): void {
    checkNumber(where, 'gamma', v.gamma, 0);
  }

  protected computeLr(): number[] {
    if (this.lastEpoch === 0) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma);
  }

  protected ownStateKeys(): string[] {
    return ['gamma'];
  }
}

export interface CosineAnnealingLROptions {
  /** Half-period, in epochs: the lr goes from its initial value down to etaMin over tMax epochs, then back up. */
  tMax: number;
  etaMin?: number;
}

/** Cosine annealing from the initial lr to `etaMin` over `tMax` epochs (SGDR without restarts). */
export class CosineAnnealingLR extends LRScheduler {
  tMax: number;
  etaMin: number;

  constructor(optimizer: Optimizer<{ lr: number }>, options: CosineAnnealingLROptions) {
    super('CosineAnnealingLR', optimizer);
    rejectUnknownOptions('CosineAnnealingLR', options, ['tMax', 'etaMin']);
    const own = { tMax: options.tMax, etaMin: options.etaMin ?? 0 };
    this.checkOwnState('CosineAnnealingLR', own);
    this.tMax = own.tMax;
    this.etaMin = own.etaMin;
    this.start();
  }

  protected checkOwnState(where: string, v: Record<string, unknown>): void {
    checkInteger(where, 'tMax', v.tMax, 1);
    checkNumber(where, 'etaMin', v.etaMin, 0);
  }

  protected computeLr(): number[] {
    const { lastEpoch: t, tMax, etaMin } = this;
    if (t === 0) return this.groupLrs();
    if ((t - 1 - tMax) % (2 * tMax) === 0) {
      // At the bottom of the cosine the recursive ratio below is 0/0, so PyTorch steps by the closed-form increment.
      return this.groupLrs().map((lr, i) => lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    }
    return this.groupLrs().map(
      (lr) => ((1 + Math.cos((Math.PI * t) / tMax)) / (1 + Math.cos((Math.PI * (t - 1)) / tMax))) * (lr - etaMin) + etaMin,
    );
  }

  protected ownStateKeys(): string[] {
    return ['tMax', 'etaMin'];
  }
}

export interface LinearLROptions {
  /** Factor applied to the lr at epoch 0. Default 1/3. */
  startFactor?: number;
  /** Factor reached at epoch `totalIters` and kept afterwards. Default 1. */
  endFactor?: number;
  totalIters?: number;
}

/** Scales the lr by a factor moving linearly from startFactor to endFactor over totalIters epochs (warmup). */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;

  constructor(optimizer: Optimizer<{ lr: number }>, options: LinearLROptions = {}) {
    super('LinearLR', optimizer);
    rejectUnknownOptions('LinearLR', options, ['startFactor', 'endFactor', 'totalIters']);
    const own = { startFactor: options.startFactor ?? 1 / 3, endFactor: options.endFactor ?? 1, totalIters: options.totalIters ?? 5 };
    this.checkOwnState('LinearLR', own);
    this.startFactor = own.startFactor;
    this.endFactor = own.endFactor;
    this.totalIters = own.totalIters;
    this.start();
  }

  protected checkOwnState(where: string, v: Record<string, unknown>): void {
    checkNumber(where, 'startFactor', v.startFactor, 0, 1);
    // A zero start factor makes the recursive update 0 * Infinity at epoch 1; PyTorch silently produces NaN there.
    if (v.startFactor === 0) throw new Error(`${where}: startFactor must be > 0, got 0`);
    checkNumber(where, 'endFactor', v.endFactor, 0, 1);
    checkInteger(where, 'totalIters', v.totalIters, 1);
  }

  protected computeLr(): number[] {
    const { lastEpoch: t, startFactor: s, endFactor: e, totalIters: n } = this;
    if (t === 0) return this.groupLrs().map((lr) => lr * s);
    if (t > n) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * (1 + (e - s) / (n * s + (t - 1) * (e - s))));
  }

  protected override startLrs(): number[] {
    return this.baseLrs.map((lr) => lr * this.startFactor);
  }

  protected ownStateKeys(): string[] {
    return ['startFactor', 'endFactor', 'totalIters'];
  }
}

/** lr = initial lr × lrLambda(epoch); one function for all groups or one per group. */
export class LambdaLR extends LRScheduler {
  readonly lrLambdas: Array<(epoch: number) => number>;

  constructor(optimizer: Optimizer<{ lr: number }>, options: { lrLambda: ((epoch: number) => number) | Array<(epoch: number) => number> }) {
    super('LambdaLR', optimizer);
    rejectUnknownOptions('LambdaLR', options, ['lrLambda']);
    const groups = this.optimizer.paramGroups.length;
    const fns = Array.isArray(options.lrLambda) ? options.lrLambda : Array.from({ length: groups }, () => options.lrLambda as (epoch: number) => number);
    if (fns.length !== groups) throw new Error(`LambdaLR: expected ${groups} lrLambda functions (one per parameter group), got ${fns.length}`);
    fns.forEach((f, i) => {
      if (typeof f !== 'function') throw new Error(`LambdaLR: lrLambda[${i}] must be a function, got ${String(f)}`);
    });
    this.lrLambdas = [...fns];
    this.start();
  }

  protected computeLr(): number[] {
    return this.baseLrs.map((base, i) => base * this.lrLambdas[i](this.lastEpoch));
  }

  protected override startLrs(): number[] {
    return this.baseLrs.map((base, i) => base * this.lrLambdas[i](0));
  }

  /** The functions themselves are not saved: recreate the scheduler with them, then load its state. */
  protected ownStateKeys(): string[] {
    return [];
  }

  protected checkOwnState(): void {
    // LambdaLR saves no fields of its own.
  }
}

export interface ReduceLROnPlateauOptions {
  /** 'min': the metric should go down (a loss); 'max': up (an accuracy). Default 'min'. */
  mode?: 'min' | 'max';
  /** lr multiplier on a plateau. Default 0.1. */
  factor?: number;
  /** Epochs without improvement tolerated before reducing. Default 10. */
  patience?: number;
  /** Minimum change counted as an improvement. Default 1e-4. */
  threshold?: number;
  /** 'rel': improvement relative to the best value; 'abs': absolute. Default 'rel'. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting bad epochs again. Default 0. */
  cooldown?: number;
  /** Lower bound on the lr, for all groups or per group. Default 0. */
  minLr?: number | number[];
  /** Reductions smaller than this are skipped. Default 1e-8. */
  eps?: number;
}

interface PlateauOptionValues {
  mode: 'min' | 'max';
  factor: number;
  patience: number;
  threshold: number;
  thresholdMode: 'rel' | 'abs';
  cooldown: number;
  minLrs: number[];
  eps: number;
}

function checkPlateauOptions(where: string, o: Record<string, unknown> | PlateauOptionValues, groups: number): void {
  const v = o as Record<string, unknown>;
  if (v.mode !== 'min' && v.mode !== 'max') throw new Error(`${where}: mode must be 'min' or 'max', got ${String(v.mode)}`);
  if (v.thresholdMode !== 'rel' && v.thresholdMode !== 'abs') throw new Error(`${where}: thresholdMode must be 'rel' or 'abs', got ${String(v.thresholdMode)}`);
  checkNumber(where, 'factor', v.factor, 0);
  if ((v.factor as number) >= 1) throw new Error(`${where}: factor must be < 1 (it multiplies the lr on a plateau), got ${String(v.factor)}`);
  checkInteger(where, 'patience', v.patience, 0);
  checkInteger(where, 'cooldown', v.cooldown, 0);
  checkNumber(where, 'threshold', v.threshold, 0);
  checkNumber(where, 'eps', v.eps, 0);
  checkLrArray(where, 'minLr', v.minLrs, groups);
}

/** Reduces the lr by `factor` when a metric has stopped improving for `patience` epochs. */
export class ReduceLROnPlateau {
  readonly optimizer: AnyOptimizer;
  mode: 'min' | 'max';
  factor: number;
  patience: number;
  threshold: number;
  thresholdMode: 'rel' | 'abs';
  cooldown: number;
  minLrs: number[];
  eps: number;
  /** Best metric so far (±Infinity before the first step). */
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: Optimizer<{ lr: number }>, options: ReduceLROnPlateauOptions = {}) {
    const where = 'ReduceLROnPlateau';
    this.optimizer = checkOptimizer(where, optimizer);
    rejectUnknownOptions(where, options, ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps']);
    this.mode = options.mode ?? 'min';
    this.factor = options.factor ?? 0.1;
    this.patience = options.patience ?? 10;
    this.threshold = options.threshold ?? 1e-4;
    this.thresholdMode = options.thresholdMode ?? 'rel';
    this.cooldown = options.cooldown ?? 0;
    this.eps = options.eps ?? 1e-8;
    const groups = this.optimizer.paramGroups.length;
    const minLr = options.minLr ?? 0;
    this.minLrs = Array.isArray(minLr) ? [...minLr] : Array.from({ length: groups }, () => minLr);
    checkPlateauOptions(where, this, groups);
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private isBetter(a: number, best: number): boolean {
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - this.threshold) : a < best - this.threshold;
    return this.thresholdMode === 'rel' ? a > best * (1 + this.threshold) : a > best + this.threshold;
  }

  /** Records this epoch's metric (a number or a one-element tensor) and reduces the lr if it has plateaued. */
  step(metric: number | Tensor): void {
    const where = 'ReduceLROnPlateau.step';
    let current: number;
    if (metric instanceof Tensor) {
      if (metric.size !== 1) throw new Error(`${where}: metric must be a number or a one-element tensor, got shape [${metric.shape.join(', ')}]`);
      current = metric.item();
    } else if (typeof metric === 'number') {
      current = metric;
    } else {
      throw new Error(`${where}: metric must be a number or a one-element tensor, got ${String(metric)}`);
    }
    this.lastEpoch += 1;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // bad epochs during cooldown do not count
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((group, i) => {
        const newLr = Math.max(group.lr * this.factor, this.minLrs[i]);
        if (group.lr - newLr > this.eps) group.lr = newLr;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The scheduler's state; `best` is saved as null while it is still ±Infinity so the dict survives JSON. */
  stateDict(): SchedulerStateDict {
    return {
      mode: this.mode,
      factor: this.factor,
      patience: this.patience,
      threshold: this.threshold,
      thresholdMode: this.thresholdMode,
      cooldown: this.cooldown,
      minLrs: [...this.minLrs],
      eps: this.eps,
      best: Number.isFinite(this.best) ? this.best : null,
      numBadEpochs: this.numBadEpochs,
      cooldownCounter: this.cooldownCounter,
      lastEpoch: this.lastEpoch,
      lastLr: [...this.lastLr],
    };
  }

  /** Restores `stateDict()` output; everything is checked before anything changes. */
  loadStateDict(stateDict: SchedulerStateDict): void {
    const where = 'ReduceLROnPlateau.loadStateDict';
    if (!isPlainObject(stateDict)) throw new Error(`${where}: expected the object stateDict() returns, got ${describeValue(stateDict)}`);
    const keys = Object.keys(this.stateDict());
    for (const key of keys) if (!(key in stateDict)) throw new Error(`${where}: missing '${key}'`);
    rejectUnknownOptions(where, stateDict, keys, 'key');
    checkPlateauOptions(where, stateDict, this.optimizer.paramGroups.length);
    const saved = stateDict as unknown as PlateauOptionValues;
    const best = stateDict.best === null ? (saved.mode === 'min' ? Infinity : -Infinity) : stateDict.best;
    if (typeof best !== 'number' || Number.isNaN(best)) throw new Error(`${where}: best must be a number or null, got ${describeValue(stateDict.best)}`);
    checkInteger(where, 'numBadEpochs', stateDict.numBadEpochs, 0);
    checkInteger(where, 'cooldownCounter', stateDict.cooldownCounter, 0);
    checkInteger(where, 'lastEpoch', stateDict.lastEpoch, 0);
    checkLrArray(where, 'lastLr', stateDict.lastLr, this.optimizer.paramGroups.length);
    this.mode = saved.mode;
    this.factor = saved.factor;
    this.patience = saved.patience;
    this.threshold = saved.threshold;
    this.thresholdMode = saved.thresholdMode;
    this.cooldown = saved.cooldown;
    this.minLrs = [...saved.minLrs];
    this.eps = saved.eps;
    this.best = best;
    this.numBadEpochs = stateDict.numBadEpochs as number;
    this.cooldownCounter = stateDict.cooldownCounter as number;
    this.lastEpoch = stateDict.lastEpoch as number;
    this.lastLr = [...(stateDict.lastLr as number[])];
  }
}
