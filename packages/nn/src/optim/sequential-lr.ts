/**
 * SequentialLR (torch.optim.lr_scheduler.SequentialLR): schedulers that take turns, switching at milestone epochs. The
 * usual use is a linear warmup followed by cosine decay:
 *
 *   const warmup = new LinearLR(opt, { startFactor: 0.01, totalIters: 100 });
 *   const decay = new CosineAnnealingLR(opt, { tMax: 900, etaMin: 1e-5 });
 *   const schedule = new SequentialLR(opt, { schedulers: [warmup, decay], milestones: [100] });
 */
import { LRScheduler, checkInteger, checkLrArray, checkOptimizer, rejectUnknownOptions, type AnyOptimizer, type SchedulerStateDict } from './lr-scheduler.js';
import type { Optimizer } from './optimizer.js';

export interface SequentialLROptions {
  /** The schedulers in the order they run; all built on this optimizer. */
  schedulers: LRScheduler[];
  /** The epochs at which the next scheduler takes over: one fewer than the schedulers, increasing. */
  milestones: number[];
}

/**
 * Runs `schedulers[0]` until epoch `milestones[0]`, then restarts `schedulers[1]` at its epoch 0, and so on — PyTorch's
 * numbers exactly (its construction resets the rates to the initial ones and replays the first scheduler's first step;
 * at a milestone the next scheduler is restarted with its closed form, as PyTorch's `step(0)`).
 */
export class SequentialLR {
  readonly optimizer: AnyOptimizer;
  readonly schedulers: LRScheduler[];
  readonly milestones: number[];
  lastEpoch: number;
  private lastLr: number[];

  constructor(optimizer: Optimizer<{ lr: number }>, options: SequentialLROptions) {
    const where = 'SequentialLR';
    this.optimizer = checkOptimizer(where, optimizer);
    if (options === null || typeof options !== 'object') throw new Error(`${where}: expected options { schedulers, milestones }`);
    rejectUnknownOptions(where, options, ['schedulers', 'milestones']);
    const { schedulers, milestones } = options;
    if (!Array.isArray(schedulers) || schedulers.length === 0) throw new Error(`${where}: schedulers must be a non-empty array of schedulers`);
    schedulers.forEach((s, i) => {
      if (!(s instanceof LRScheduler)) throw new Error(`${where}: schedulers[${i}] must be an epoch-based LRScheduler (not ReduceLROnPlateau or a SequentialLR)`);
      if (s.optimizer !== this.optimizer) throw new Error(`${where}: schedulers[${i}] belongs to a different optimizer than the one passed in`);
    });
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1) {
      throw new Error(`${where}: expected ${schedulers.length - 1} milestone(s) for ${schedulers.length} schedulers, got ${JSON.stringify(milestones)}`);
    }
    milestones.forEach((m, i) => {
      checkInteger(where, `milestones[${i}]`, m, 1);
      if (i > 0 && m <= milestones[i - 1]) throw new Error(`${where}: milestones must increase, got ${JSON.stringify(milestones)}`);
    });
    this.schedulers = [...schedulers];
    this.milestones = [...milestones];
    this.lastEpoch = 0;
    // As PyTorch: undo the steps the schedulers took when they were built, then take the first one's first step again.
    for (const g of this.optimizer.paramGroups) g.lr = g.initialLr as number;
    for (const s of this.schedulers) s.lastEpoch -= 1;
    this.schedulers[0].step();
    this.lastLr = this.schedulers[0].getLastLr();
  }

  /** Moves on one epoch: the scheduler whose turn it is steps, or restarts at its epoch 0 on a milestone. */
  step(): void {
    const epoch = this.lastEpoch + 1;
    let idx = 0;
    while (idx < this.milestones.length && this.milestones[idx] <= epoch) idx++;
    const scheduler = this.schedulers[idx];
    if (idx > 0 && this.milestones[idx - 1] === epoch) scheduler.restart();
    else scheduler.step();
    this.lastEpoch = epoch;
    this.lastLr = scheduler.getLastLr();
  }

  /** The learning rates the last step set, one per parameter group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Its own fields plus every scheduler's state under `schedulers.<i>.<key>` (flat and JSON-safe). */
  stateDict(): SchedulerStateDict {
    const out: SchedulerStateDict = { lastEpoch: this.lastEpoch, milestones: [...this.milestones], lastLr: [...this.lastLr] };
    this.schedulers.forEach((s, i) => {
      for (const [k, v] of Object.entries(s.stateDict())) out[`schedulers.${i}.${k}`] = v;
    });
    return out;
  }

  /** Restores `stateDict()` output; every part is checked (including each scheduler's) before anything changes. */
  loadStateDict(stateDict: SchedulerStateDict): void {
    const where = 'SequentialLR.loadStateDict';
    if (typeof stateDict !== 'object' || stateDict === null) throw new Error(`${where}: expected an object, got ${String(stateDict)}`);
    const own = ['lastEpoch', 'milestones', 'lastLr'];
    for (const key of own) if (!(key in stateDict)) throw new Error(`${where}: missing '${key}'`);
    const parts: SchedulerStateDict[] = this.schedulers.map(() => ({}));
    for (const [k, v] of Object.entries(stateDict)) {
      if (own.includes(k)) continue;
      const m = /^schedulers\.(\d+)\.(.+)$/.exec(k);
      if (m === null || Number(m[1]) >= parts.length) throw new Error(`${where}: unexpected key '${k}'`);
      parts[Number(m[1])][m[2]] = v;
    }
    checkInteger(where, 'lastEpoch', stateDict.lastEpoch, 0);
    checkLrArray(where, 'lastLr', stateDict.lastLr, this.optimizer.paramGroups.length);
    if (JSON.stringify(stateDict.milestones) !== JSON.stringify(this.milestones)) {
      throw new Error(`${where}: milestones ${JSON.stringify(stateDict.milestones)} differ from this scheduler's ${JSON.stringify(this.milestones)}`);
    }
    // Each scheduler validates its own part; keep their previous states to put back if a later one refuses.
    const previous = this.schedulers.map((s) => s.stateDict());
    try {
      this.schedulers.forEach((s, i) => s.loadStateDict(parts[i]));
    } catch (e) {
      this.schedulers.forEach((s, i) => s.loadStateDict(previous[i]));
      throw e;
    }
    this.lastEpoch = stateDict.lastEpoch as number;
    this.lastLr = [...(stateDict.lastLr as number[])];
  }
}
