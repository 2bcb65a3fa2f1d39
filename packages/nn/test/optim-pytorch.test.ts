/**
 * Replays every PyTorch 1.13 trajectory of fixtures/optim-trajectories.json (made by gen-optim.py) in tensorgrad:
 * same weights, data, optimizer, scheduler and clipping, 50 steps, in float32 and in float64, with the fused kernels
 * (the default) and with the tensor-op reference (`fused: false`). Losses, learning rates, gradient norms and final
 * parameters must agree to the dtype's round-off.
 */
import type { Tensor } from '@tensorgrad/core';
import {
  Adagrad,
  Adam,
  AdamW,
  CosineAnnealingLR,
  ExponentialLR,
  LambdaLR,
  LRScheduler,
  LinearLR,
  MultiStepLR,
  RMSprop,
  ReduceLROnPlateau,
  SGD,
  StepLR,
  clipGradNorm,
  clipGradValue,
} from '../src/optim/index.js';
import type { Optimizer } from '../src/optim/index.js';
import { PARAM_NAMES, fixture, makeParams, maxRelativeDeviation, objective, paramList, tensorDeviation } from './fixtures/optim-problem.js';
import type { FixtureCase, FloatDType, Params } from './fixtures/optim-problem.js';

// Round-off compounds over 50 steps of a non-linear problem, and kernels may sum in different orders. In float32
// PyTorch's own float32 run differs from its float64 run by up to ~1e-6 on these cases; in float64 any formula
// difference (a missing bias correction, eps inside instead of outside the sqrt) would show far above 1e-12.
const TOLERANCE = { float32: 1e-5, float64: 1e-12 };
const LAMBDAS: Record<string, (epoch: number) => number> = { inverseTime: (epoch) => 1 / (1 + 0.1 * epoch) };

type AnyOptimizer = Optimizer<{ lr: number }>;

function makeOptimizer(c: FixtureCase, p: Params, fused: boolean): AnyOptimizer {
  const ctor = { SGD, Adam, AdamW, RMSprop, Adagrad }[c.optimizer] as unknown as new (params: unknown, options: unknown) => AnyOptimizer;
  const params = c.groups ? c.groups.map((g) => ({ params: g.params.map((n) => p[n]), ...g.options })) : paramList(p);
  return new ctor(params, { ...c.options, fused });
}

function makeScheduler(c: FixtureCase, opt: AnyOptimizer): LRScheduler | ReduceLROnPlateau | undefined {
  if (!c.scheduler) return undefined;
  const o = c.scheduler.options as never;
  switch (c.scheduler.kind) {
    case 'StepLR': return new StepLR(opt, o);
    case 'MultiStepLR': return new MultiStepLR(opt, o);
    case 'ExponentialLR': return new ExponentialLR(opt, o);
    case 'CosineAnnealingLR': return new CosineAnnealingLR(opt, o);
    case 'LinearLR': return new LinearLR(opt, o);
    case 'LambdaLR': return new LambdaLR(opt, { lrLambda: LAMBDAS[(c.scheduler.options as { lrLambda: string }).lrLambda] });
    case 'ReduceLROnPlateau': return new ReduceLROnPlateau(opt, o);
    default: throw new Error(`unknown scheduler ${c.scheduler.kind}`);
  }
}

interface Replay {
  losses: number[];
  lrs: number[][];
  gradNorms: number[];
  params: Params;
}

function replay(c: FixtureCase, dtype: FloatDType, fused: boolean): Replay {
  const p = makeParams(c.frozen, dtype);
  const opt = makeOptimizer(c, p, fused);
  const scheduler = makeScheduler(c, opt);
  const out: Replay = { losses: [], lrs: [], gradNorms: [], params: p };
  for (let step = 0; step < fixture.steps; step++) {
    opt.zeroGrad();
    const loss: Tensor = objective(p, c.objective);
    loss.backward();
    if (c.clip?.kind === 'norm') out.gradNorms.push(clipGradNorm(paramList(p), c.clip.maxNorm, c.clip.normType));
    if (c.clip?.kind === 'value') clipGradValue(paramList(p), c.clip.clipValue);
    opt.step();
    if (scheduler instanceof ReduceLROnPlateau) scheduler.step(loss.item());
    else scheduler?.step();
    if (scheduler) out.lrs.push(scheduler.getLastLr());
    out.losses.push(loss.item());
  }
  return out;
}

const deviations: Array<{ name: string; deviation: number }> = [];
const CASES = fixture.cases.flatMap((c) => (['float32', 'float64'] as const).flatMap((dtype) =>
  [true, false].map((fused) => [`${c.name} (${dtype}, ${fused ? 'fused' : 'reference'})`, c, dtype, fused] as const)));

describe.each(CASES)('PyTorch trajectory: %s', (name, c, dtype, fused) => {
  let r: Replay;
  beforeAll(() => {
    r = replay(c, dtype, fused);
  });
  const expected = c[dtype];
  const tolerance = TOLERANCE[dtype];

  test('losses match at every step', () => {
    const d = maxRelativeDeviation(r.losses, expected.losses);
    deviations.push({ name: `${name} losses`, deviation: d });
    expect(d).toBeLessThan(tolerance);
  });

  test('final parameters match', () => {
    for (const n of PARAM_NAMES) {
      const d = tensorDeviation(r.params[n].data, expected.finalParams[n]);
      deviations.push({ name: `${name} ${n}`, deviation: d });
      expect(d).toBeLessThan(tolerance);
    }
    // A frozen parameter has no gradient, so it must come out bit-for-bit unchanged.
    for (const n of c.frozen ?? []) expect(Array.from(r.params[n].data)).toEqual(Array.from(makeParams([], dtype)[n].data));
  });

  if (expected.lrs) {
    test('learning rates match at every step', () => {
      expect(r.lrs).toHaveLength(expected.lrs!.length);
      r.lrs.forEach((lrs, i) => expect(maxRelativeDeviation(lrs, expected.lrs![i])).toBeLessThan(1e-12));
    });
  }

  if (expected.gradNorms) {
    test('clipGradNorm returns the same total norms', () => {
      const d = maxRelativeDeviation(r.gradNorms, expected.gradNorms!);
      deviations.push({ name: `${name} gradNorms`, deviation: d });
      expect(d).toBeLessThan(tolerance);
    });
  }
});

test('every optimizer and scheduler is covered by the fixtures', () => {
  const optimizers = new Set(fixture.cases.map((c) => c.optimizer));
  const schedulers = new Set(fixture.cases.flatMap((c) => (c.scheduler ? [c.scheduler.kind] : [])));
  expect([...optimizers].sort()).toEqual(['Adagrad', 'Adam', 'AdamW', 'RMSprop', 'SGD']);
  expect([...schedulers].sort()).toEqual(['CosineAnnealingLR', 'ExponentialLR', 'LambdaLR', 'LinearLR', 'MultiStepLR', 'ReduceLROnPlateau', 'StepLR']);
  expect(fixture.torch).toMatch(/^1\.13/);
  if (process.env.OPTIM_DEVIATION_REPORT) {
    for (const dtype of ['float32', 'float64']) {
      const worst = deviations.filter((d) => d.name.includes(dtype)).sort((a, b) => b.deviation - a.deviation).slice(0, 3);
      process.stdout.write(`max relative deviation from PyTorch (${dtype}):\n${worst.map((w) => `  ${w.deviation.toExponential(2)}  ${w.name}`).join('\n')}\n`);
    }
  }
});
