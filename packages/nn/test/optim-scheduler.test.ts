/** LR scheduler behaviour beyond the PyTorch trajectories: exact schedules, resuming, validation. */
import { noGrad, tensor } from '@tensorgrad/core';
import {
  Adam,
  CosineAnnealingLR,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  MultiStepLR,
  ReduceLROnPlateau,
  SGD,
  StepLR,
} from '../src/optim/index.js';
import type { LRScheduler, SchedulerStateDict } from '../src/optim/index.js';
import { makeParams, objective, paramList, snapshot } from './fixtures/optim-problem.js';
import type { Params } from './fixtures/optim-problem.js';

function sgd(lr = 1, groups = 1): SGD {
  const w = [tensor([1], { requiresGrad: true }), tensor([2], { requiresGrad: true })];
  return groups === 1 ? new SGD([w[0]], { lr }) : new SGD([{ params: [w[0]] }, { params: [w[1]], lr: lr / 2 }], { lr });
}

/** The lr of group 0 after the constructor and after each of `steps` scheduler steps. */
function schedule(make: (opt: SGD) => LRScheduler, steps: number, lr = 1): number[] {
  const opt = sgd(lr);
  const s = make(opt);
  const out = [s.getLastLr()[0]];
  for (let i = 0; i < steps; i++) {
    s.step();
    out.push(s.getLastLr()[0]);
  }
  return out;
}

describe('schedules', () => {
  test('StepLR decays every stepSize epochs', () => {
    expect(schedule((o) => new StepLR(o, { stepSize: 3, gamma: 0.5 }), 7)).toEqual([1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25]);
  });

  test('MultiStepLR decays at each milestone, twice for a repeated one', () => {
    expect(schedule((o) => new MultiStepLR(o, { milestones: [4, 2, 4], gamma: 0.5 }), 5)).toEqual([1, 1, 0.5, 0.5, 0.125, 0.125]);
  });

  test('ExponentialLR multiplies by gamma every epoch', () => {
    expect(schedule((o) => new ExponentialLR(o, { gamma: 0.5 }), 3)).toEqual([1, 0.5, 0.25, 0.125]);
  });

  test('CosineAnnealingLR follows the closed form and rises again after tMax', () => {
    const lrs = schedule((o) => new CosineAnnealingLR(o, { tMax: 4, etaMin: 0.2 }), 8);
    const closed = lrs.map((_, t) => 0.2 + (0.8 * (1 + Math.cos((Math.PI * t) / 4))) / 2);
    lrs.forEach((lr, t) => expect(lr).toBeCloseTo(closed[t], 14));
    expect(lrs[4]).toBeCloseTo(0.2, 14);
    expect(lrs[8]).toBeCloseTo(1, 14);
  });

  test('LinearLR warms up linearly from startFactor to endFactor, then holds', () => {
    const lrs = schedule((o) => new LinearLR(o, { startFactor: 0.25, endFactor: 1, totalIters: 3 }), 5);
    [0.25, 0.5, 0.75, 1, 1, 1].forEach((want, i) => expect(lrs[i]).toBeCloseTo(want, 14));
  });

  test('LambdaLR takes one function per group and ignores the current lr', () => {
    const opt = sgd(1, 2);
    const s = new LambdaLR(opt, { lrLambda: [(e) => e + 1, (e) => 0.5 ** e] });
    s.step();
    s.step();
    expect(s.getLastLr()).toEqual([3, 0.125]);
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([3, 0.125]);
  });

  test('schedulers chain: a second one starts from the lr the first has set', () => {
    const opt = sgd(1);
    const warm = new LinearLR(opt, { startFactor: 0.5, totalIters: 2 });
    const decay = new ExponentialLR(opt, { gamma: 0.9 });
    expect(opt.paramGroups[0].initialLr).toBe(1);
    warm.step();
    decay.step();
    expect(opt.paramGroups[0].lr).toBeCloseTo(0.75 * 0.9, 14);
  });

  test('getLastLr returns a copy', () => {
    const s = new StepLR(sgd(1), { stepSize: 1 });
    s.getLastLr()[0] = 42;
    expect(s.getLastLr()).toEqual([1]);
  });
});

describe('ReduceLROnPlateau', () => {
  test('reduces after patience bad epochs, honours cooldown, and stops at minLr', () => {
    const opt = sgd(1);
    const s = new ReduceLROnPlateau(opt, { factor: 0.5, patience: 1, cooldown: 1, minLr: 0.3 });
    const lrs = [5, 4, 4, 4, 4, 4, 4, 4].map((metric) => {
      s.step(metric);
      return s.getLastLr()[0];
    });
    // epochs 3-4 are bad -> reduce; epoch 5 is cooldown; 6-7 bad -> reduce to max(0.25, minLr 0.3)
    expect(lrs).toEqual([1, 1, 1, 0.5, 0.5, 0.5, 0.3, 0.3]);
  });

  test("mode 'max' with an absolute threshold, a tensor metric and per-group minLr", () => {
    const opt = sgd(1, 2);
    const s = new ReduceLROnPlateau(opt, { mode: 'max', thresholdMode: 'abs', threshold: 0.1, factor: 0.5, patience: 0, minLr: [0.5, 0.1] });
    s.step(tensor(1));
    s.step(tensor([1.05])); // not better by more than 0.1
    expect(s.getLastLr()).toEqual([0.5, 0.25]);
    s.step(1.2);
    expect(s.getLastLr()).toEqual([0.5, 0.25]);
    s.step(1.2);
    expect(s.getLastLr()).toEqual([0.5, 0.125]);
  });

  test('reductions smaller than eps are skipped', () => {
    const opt = sgd(1e-9);
    const s = new ReduceLROnPlateau(opt, { patience: 0, eps: 1e-8 });
    s.step(1);
    s.step(1);
    expect(s.getLastLr()).toEqual([1e-9]);
  });

  test('rejects bad options and metrics', () => {
    expect(() => new ReduceLROnPlateau(sgd(), { factor: 1 })).toThrow(/ReduceLROnPlateau: factor must be < 1/);
    expect(() => new ReduceLROnPlateau(sgd(), { mode: 'up' as never })).toThrow(/mode must be 'min' or 'max', got up/);
    expect(() => new ReduceLROnPlateau(sgd(1, 2), { minLr: [0.1] })).toThrow(/minLr must be an array of 2 finite numbers >= 0/);
    expect(() => new ReduceLROnPlateau(sgd(), { patience: 1.5 })).toThrow(/patience must be an integer >= 0, got 1.5/);
    expect(() => new ReduceLROnPlateau(sgd(), { min_lr: 0.1 } as never)).toThrow(/unknown option 'min_lr'/);
    expect(() => new ReduceLROnPlateau(sgd()).step(tensor([1, 2]))).toThrow(/ReduceLROnPlateau.step: metric must be a number or a one-element tensor, got shape \[2\]/);
  });
});

describe('construction errors', () => {
  test.each<[string, () => unknown, RegExp]>([
    ['a non-optimizer', () => new StepLR({} as never, { stepSize: 1 }), /StepLR: expected an Optimizer/],
    ['stepSize 0', () => new StepLR(sgd(), { stepSize: 0 }), /StepLR: stepSize must be an integer >= 1, got 0/],
    ['a negative gamma', () => new ExponentialLR(sgd(), { gamma: -0.5 }), /ExponentialLR: gamma must be a finite number >= 0, got -0.5/],
    ['a misspelt option', () => new StepLR(sgd(), { stepSize: 1, step_size: 2 } as never), /StepLR: unknown option 'step_size'/],
    ['a fractional milestone', () => new MultiStepLR(sgd(), { milestones: [1.5] }), /milestones\[0\] must be an integer >= 0, got 1.5/],
    ['tMax 0', () => new CosineAnnealingLR(sgd(), { tMax: 0 }), /tMax must be an integer >= 1/],
    ['startFactor 0', () => new LinearLR(sgd(), { startFactor: 0 }), /LinearLR: startFactor must be > 0/],
    ['endFactor 2', () => new LinearLR(sgd(), { endFactor: 2 }), /endFactor must be a finite number in \[0, 1\], got 2/],
    ['too few lambdas', () => new LambdaLR(sgd(1, 2), { lrLambda: [(e) => e] }), /LambdaLR: expected 2 lrLambda functions/],
  ])('rejects %s', (_what, make, message) => {
    expect(make).toThrow(message);
  });

  test('a schedule that produces a non-finite lr throws instead of writing it', () => {
    const opt = sgd(1);
    const s = new LambdaLR(opt, { lrLambda: (e) => (e === 2 ? NaN : 1) });
    s.step();
    expect(() => s.step()).toThrow(/LambdaLR.step: computed lr NaN for group 0 at epoch 2/);
    expect(opt.paramGroups[0].lr).toBe(1);
  });
});

type Run = { opt: Adam; sched: LRScheduler | ReduceLROnPlateau; p: Params };

const KINDS: Array<[string, (opt: Adam) => LRScheduler | ReduceLROnPlateau]> = [
  ['StepLR', (o) => new StepLR(o, { stepSize: 4, gamma: 0.5 })],
  ['MultiStepLR', (o) => new MultiStepLR(o, { milestones: [3, 9, 15], gamma: 0.3 })],
  ['ExponentialLR', (o) => new ExponentialLR(o, { gamma: 0.9 })],
  ['CosineAnnealingLR', (o) => new CosineAnnealingLR(o, { tMax: 7, etaMin: 0.001 })],
  ['LinearLR', (o) => new LinearLR(o, { startFactor: 0.1, totalIters: 12 })],
  ['LambdaLR', (o) => new LambdaLR(o, { lrLambda: (e) => 1 / (1 + e) })],
  ['ReduceLROnPlateau', (o) => new ReduceLROnPlateau(o, { patience: 1, factor: 0.5, threshold: 0.05, cooldown: 1 })],
];

function train(run: Run, steps: number): void {
  for (let i = 0; i < steps; i++) {
    run.opt.zeroGrad();
    const loss = objective(run.p);
    loss.backward();
    run.opt.step();
    if (run.sched instanceof ReduceLROnPlateau) run.sched.step(loss.item());
    else run.sched.step();
  }
}

describe.each(KINDS)('%s state dict', (_kind, make) => {
  function start(): Run {
    const p = makeParams();
    const opt = new Adam([{ params: [p.w1, p.b1] }, { params: [p.w2, p.b2], lr: 0.02 }], { lr: 0.05 });
    return { opt, sched: make(opt), p };
  }

  test('save optimizer + scheduler after 10 steps, restore into fresh ones (through JSON), continue = uninterrupted', () => {
    const straight = start();
    train(straight, 20);

    const first = start();
    train(first, 10);
    const optState = first.opt.stateDict();
    const schedState = JSON.parse(JSON.stringify(first.sched.stateDict())) as SchedulerStateDict;
    const weights = snapshot(paramList(first.p));

    const resumed = start();
    noGrad(() => paramList(resumed.p).forEach((t, i) => t.assign(tensor(weights[i], { shape: t.shape }))));
    resumed.opt.loadStateDict(optState);
    resumed.sched.loadStateDict(schedState);
    expect(resumed.sched.getLastLr()).toEqual(first.sched.getLastLr());
    train(resumed, 10);
    expect(resumed.sched.getLastLr()).toEqual(straight.sched.getLastLr());
    expect(snapshot(paramList(resumed.p))).toEqual(snapshot(paramList(straight.p)));
  });

  test('a bad state dict is rejected and changes nothing', () => {
    const run = start();
    train(run, 3);
    const before = run.sched.stateDict();
    const good = run.sched.stateDict();
    const withoutKey = { ...good };
    delete withoutKey.lastEpoch;
    expect(() => run.sched.loadStateDict(withoutKey)).toThrow(/loadStateDict: missing 'lastEpoch'/);
    expect(() => run.sched.loadStateDict({ ...good, extra: 1 })).toThrow(/loadStateDict: unknown key 'extra'/);
    expect(() => run.sched.loadStateDict({ ...good, lastLr: [0.1] })).toThrow(/lastLr must be an array of 2 finite numbers >= 0/);
    expect(() => run.sched.loadStateDict({ ...good, lastEpoch: -5 })).toThrow(/lastEpoch must be an integer >= (-1|0), got -5/);
    expect(run.sched.stateDict()).toEqual(before);
  });
});

test('subclass fields are validated on load too', () => {
  const s = new StepLR(sgd(), { stepSize: 2 });
  expect(() => s.loadStateDict({ ...s.stateDict(), stepSize: 0 })).toThrow(/StepLR.loadStateDict: stepSize must be an integer >= 1, got 0/);
  const plateau = new ReduceLROnPlateau(sgd());
  expect(() => plateau.loadStateDict({ ...plateau.stateDict(), thresholdMode: 'relative' })).toThrow(/thresholdMode must be 'rel' or 'abs', got relative/);
  expect(plateau.thresholdMode).toBe('rel');
});

test('the optimizer state dict carries initialLr, so a resumed scheduler keeps its base', () => {
  const opt = sgd(0.4);
  const s = new StepLR(opt, { stepSize: 1, gamma: 0.5 });
  s.step();
  const saved = opt.stateDict();
  expect(saved.paramGroups[0]).toMatchObject({ lr: 0.2, initialLr: 0.4 });
  const other = sgd(9);
  other.loadStateDict(saved);
  expect(other.paramGroups[0].initialLr).toBe(0.4);
  expect(new StepLR(other, { stepSize: 1 }).baseLrs).toEqual([0.4]);
});
