/**
 * OneCycleLR and SequentialLR against PyTorch 1.13 (fixtures/schedulers-reference.json, made by schedulers-generate.py):
 * every group's lr and cycled momentum after construction and after each step; plus state dicts and validation.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tensor } from '@tensorgrad/core';
import {
  Adam, AdamW, Adagrad, CosineAnnealingLR, ExponentialLR, LambdaLR, LinearLR, MultiStepLR, OneCycleLR, SGD, SequentialLR, StepLR,
  type LRScheduler, type Optimizer,
} from '../src/index.js';

interface Spec {
  kind: string;
  options: Record<string, unknown>;
}

interface ScheduleCase {
  name: string;
  optimizer: 'SGD' | 'Adam' | 'AdamW';
  optimizerOptions: { lr: number; momentum?: number };
  groupLrs: number[] | null;
  scheduler: Spec;
  trace: { lrs: number[]; momenta: number[] }[];
}

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'schedulers-reference.json'), 'utf8')) as { cases: ScheduleCase[] };
const LAMBDAS: Record<string, (epoch: number) => number> = { halve: (epoch) => 0.5 ** epoch };

function makeOptimizer(c: ScheduleCase): Optimizer<{ lr: number }> {
  const groups = [0, 1].map((i) => ({ params: [tensor([0], { requiresGrad: true })], ...(c.groupLrs ? { lr: c.groupLrs[i] } : {}) }));
  if (c.optimizer === 'SGD') return new SGD(groups, c.optimizerOptions) as unknown as Optimizer<{ lr: number }>;
  return new (c.optimizer === 'Adam' ? Adam : AdamW)(groups, { lr: c.optimizerOptions.lr }) as unknown as Optimizer<{ lr: number }>;
}

function build(opt: Optimizer<{ lr: number }>, spec: Spec): LRScheduler | SequentialLR {
  const o = spec.options as never;
  switch (spec.kind) {
    case 'OneCycleLR': return new OneCycleLR(opt, o);
    case 'SequentialLR': {
      const { schedulers, milestones } = spec.options as { schedulers: Spec[]; milestones: number[] };
      return new SequentialLR(opt, { schedulers: schedulers.map((s) => build(opt, s) as LRScheduler), milestones });
    }
    case 'LinearLR': return new LinearLR(opt, o);
    case 'CosineAnnealingLR': return new CosineAnnealingLR(opt, o);
    case 'ExponentialLR': return new ExponentialLR(opt, o);
    case 'StepLR': return new StepLR(opt, o);
    case 'MultiStepLR': return new MultiStepLR(opt, o);
    case 'LambdaLR': return new LambdaLR(opt, { lrLambda: LAMBDAS[(spec.options as { lrLambda: string }).lrLambda] });
    default: throw new Error(`unknown scheduler ${spec.kind}`);
  }
}

function momenta(opt: Optimizer<{ lr: number }>): number[] {
  return opt.paramGroups.map((g) => {
    const group = g as unknown as { betas?: [number, number]; momentum?: number };
    return group.betas ? group.betas[0] : group.momentum ?? 0;
  });
}

function expectNear(got: number[], want: number[], what: string): void {
  got.forEach((v, i) => {
    if (!(Math.abs(v - want[i]) <= 1e-12 * Math.max(1, Math.abs(want[i])))) throw new Error(`${what}, group ${i}: ${v}, PyTorch ${want[i]}`);
  });
}

describe('OneCycleLR and SequentialLR follow PyTorch', () => {
  test.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const opt = makeOptimizer(c);
    const s = build(opt, c.scheduler);
    c.trace.forEach((point, step) => {
      if (step > 0) {
        opt.step();
        s.step();
      }
      expectNear(opt.paramGroups.map((g) => g.lr), point.lrs, `lr after ${step} step(s)`);
      expectNear(s.getLastLr(), point.lrs, `getLastLr after ${step} step(s)`);
      expectNear(momenta(opt), point.momenta, `momentum after ${step} step(s)`);
    });
  });
});

describe('OneCycleLR', () => {
  const params = () => [tensor([1], { requiresGrad: true })];

  test('stepping past totalSteps throws (as PyTorch, after one step beyond the cycle) and leaves the schedule as it was', () => {
    const opt = new SGD(params(), { lr: 1, momentum: 0.9 });
    const s = new OneCycleLR(opt, { maxLr: 1, totalSteps: 5 });
    for (let i = 0; i < 5; i++) s.step();
    const last = s.getLastLr();
    expect(() => s.step()).toThrow(/OneCycleLR.step: tried to step 7 times; the schedule has totalSteps 5/);
    expect(s.getLastLr()).toEqual(last);
    expect(s.lastEpoch).toBe(5);
  });

  test('state dicts resume the cycle exactly (JSON round trip)', () => {
    const a = new Adam(params(), { lr: 1 });
    const sa = new OneCycleLR(a, { maxLr: 0.3, totalSteps: 12, threePhase: true });
    for (let i = 0; i < 5; i++) sa.step();
    const b = new Adam(params(), { lr: 1 });
    const sb = new OneCycleLR(b, { maxLr: 0.9, totalSteps: 30 });
    sb.loadStateDict(JSON.parse(JSON.stringify(sa.stateDict())));
    b.paramGroups[0].initialLr = a.paramGroups[0].initialLr;
    for (let i = 0; i < 6; i++) {
      sa.step();
      sb.step();
      expect(sb.getLastLr()).toEqual(sa.getLastLr());
      expect(b.paramGroups[0].betas).toEqual(a.paramGroups[0].betas);
    }
  });

  test.each([
    ['no length', () => new OneCycleLR(new SGD(params(), { lr: 1 }), { maxLr: 1 }), /give totalSteps, or epochs and stepsPerEpoch/],
    ['a phase without steps', () => new OneCycleLR(new SGD(params(), { lr: 1 }), { maxLr: 1, totalSteps: 3, pctStart: 0.3 }), /leaves a phase without steps/],
    ['momentum cycling without momentum', () => new OneCycleLR(new Adagrad(params(), { lr: 1 }) as never, { maxLr: 1, totalSteps: 10 }), /cycleMomentum needs an optimizer with a momentum or betas option/],
    ['a bad strategy', () => new OneCycleLR(new SGD(params(), { lr: 1 }), { maxLr: 1, totalSteps: 10, annealStrategy: 'exp' as never }), /annealStrategy must be 'cos' or 'linear'/],
    ['an unknown option', () => new OneCycleLR(new SGD(params(), { lr: 1 }), { maxLr: 1, totalSteps: 10, max_lr: 1 } as never), /unknown option 'max_lr'/],
    ['maxLr per group of the wrong length', () => new OneCycleLR(new SGD(params(), { lr: 1 }), { maxLr: [1, 2], totalSteps: 10 }), /expected 1 values for maxLr/],
  ])('%s throws', (_name, make, message) => expect(make).toThrow(message));
});

describe('SequentialLR', () => {
  const opt = () => new SGD([tensor([1], { requiresGrad: true })], { lr: 1 });

  test('state dicts carry every scheduler\'s state and resume exactly', () => {
    const make = (o: SGD) => new SequentialLR(o, {
      schedulers: [new LinearLR(o, { startFactor: 0.2, totalIters: 4 }), new CosineAnnealingLR(o, { tMax: 6, etaMin: 0.05 })],
      milestones: [4],
    });
    const a = opt(), sa = make(a);
    for (let i = 0; i < 5; i++) sa.step();
    const saved = JSON.parse(JSON.stringify(sa.stateDict()));
    expect(Object.keys(saved)).toContain('schedulers.1.tMax');
    const b = opt(), sb = make(b);
    sb.loadStateDict(saved);
    b.paramGroups[0].lr = a.paramGroups[0].lr;
    for (let i = 0; i < 5; i++) {
      sa.step();
      sb.step();
      expect(sb.getLastLr()).toEqual(sa.getLastLr());
    }
  });

  test('a bad part of a state dict changes nothing', () => {
    const o = opt();
    const s = new SequentialLR(o, { schedulers: [new LinearLR(o, { totalIters: 2 }), new ExponentialLR(o, { gamma: 0.5 })], milestones: [2] });
    s.step();
    const before = JSON.stringify(s.stateDict());
    const bad = { ...s.stateDict(), 'schedulers.1.gamma': -1 };
    expect(() => s.loadStateDict(bad)).toThrow(/gamma/);
    expect(JSON.stringify(s.stateDict())).toBe(before);
    expect(() => s.loadStateDict({ ...s.stateDict(), 'schedulers.5.gamma': 1 })).toThrow(/unexpected key 'schedulers.5.gamma'/);
  });

  test.each([
    ['milestones of the wrong count', (o: SGD) => new SequentialLR(o, { schedulers: [new LinearLR(o), new ExponentialLR(o, { gamma: 0.9 })], milestones: [] }), /expected 1 milestone\(s\) for 2 schedulers/],
    ['decreasing milestones', (o: SGD) => new SequentialLR(o, { schedulers: [new LinearLR(o), new LinearLR(o), new LinearLR(o)], milestones: [4, 2] }), /milestones must increase/],
    ['a scheduler of another optimizer', (o: SGD) => new SequentialLR(o, { schedulers: [new LinearLR(opt())], milestones: [] }), /belongs to a different optimizer/],
  ])('%s throws', (_name, make, message) => expect(() => make(opt())).toThrow(message));
});
