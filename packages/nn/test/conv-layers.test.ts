/**
 * The convolutional layers against PyTorch 1.13 (fixtures/conv-layers-generate.py): each layer is built from the
 * fixture's constructor arguments, loaded with PyTorch's state dict under PyTorch's own names, and must reproduce the
 * outputs, input gradients, parameter gradients and running statistics in float64. Then a float32 PyTorch checkpoint
 * (safetensors) of a small CNN loads unchanged with loadStateDict and reproduces PyTorch's eval-mode output.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor, tensor } from '@tensorgrad/core';
import * as nn from '../src/index.js';
import { Module } from '../src/index.js';
import { expectClose, stateRecord, type Nested } from './helpers.js';

interface Step {
  mode: 'train' | 'eval';
  input: Nested;
  upstream: Nested;
  output: Nested;
  inputGrad: Nested;
  paramGrads: Record<string, Nested>;
}

interface LayerCase {
  name: string;
  type: string;
  args: unknown[];
  state: Record<string, Nested>;
  steps: Step[];
  finalState: Record<string, Nested>;
}

const fixtures = join(__dirname, 'fixtures');
const cases = (JSON.parse(readFileSync(join(fixtures, 'conv-layers-reference.json'), 'utf8')) as { cases: LayerCase[] }).cases;

/** Layers with parameters or buffers take a dtype option; the fixture is float64. */
const HAS_STATE = new Set(['Conv1d', 'Conv2d', 'ConvTranspose1d', 'ConvTranspose2d', 'BatchNorm2d', 'GroupNorm']);

function build(c: LayerCase): Module {
  const ctor = (nn as unknown as Record<string, new (...args: unknown[]) => Module>)[c.type];
  const args = c.args.map((a) => (HAS_STATE.has(c.type) && a !== null && typeof a === 'object' && !Array.isArray(a) ? { ...a, dtype: 'float64' } : a));
  return new ctor(...args);
}

describe('convolutional layers match PyTorch', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const layer = build(c);
    expect(Object.keys(layer.stateDict())).toEqual(Object.keys(c.state));
    layer.loadStateDict(stateRecord(c.state, layer));
    for (const [i, step] of c.steps.entries()) {
      layer.train(step.mode === 'train');
      layer.zeroGrad();
      const x = tensor(step.input as number[], { dtype: 'float64', requiresGrad: true });
      const y: Tensor = layer.forward(x);
      expectClose(y, step.output, { what: `step ${i} output` });
      y.mul(tensor(step.upstream as number[], { dtype: 'float64' })).sum().backward();
      expectClose(x.grad as Tensor, step.inputGrad, { what: `step ${i} input grad` });
      const params = Object.fromEntries(layer.namedParameters());
      expect(Object.keys(params).sort()).toEqual(Object.keys(step.paramGrads).sort());
      for (const [name, g] of Object.entries(step.paramGrads)) expectClose(params[name].grad as Tensor, g, { what: `step ${i} grad of ${name}` });
    }
    const final = layer.stateDict();
    for (const [name, v] of Object.entries(c.finalState)) expectClose(final[name], v, { what: `final ${name}` });
  });

  test('the fixture covers every convolutional layer', () => {
    const covered = new Set(cases.map((c) => c.type));
    for (const name of ['Conv1d', 'Conv2d', 'ConvTranspose1d', 'ConvTranspose2d', 'MaxPool1d', 'MaxPool2d', 'AvgPool2d', 'AdaptiveAvgPool2d',
      'Upsample', 'BatchNorm2d', 'GroupNorm', 'Flatten', 'Unflatten', 'Dropout2d']) {
      expect(covered).toContain(name);
    }
  });
});

/** The CNN of conv-layers-generate.py, written with @tensorgrad/nn: same structure, so the same state-dict names. */
class SmallCnn extends Module {
  features = new nn.Sequential(
    new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(4, 8, 3, { padding: 'same' }), new nn.GroupNorm(2, 8), new nn.ReLU(),
    new nn.ConvTranspose2d(8, 4, 2, { stride: 2 }), new nn.Upsample({ scaleFactor: 0.5, mode: 'bilinear' }),
    new nn.AdaptiveAvgPool2d(3), new nn.Flatten(),
  );
  head = new nn.Linear(36, 5);

  forward(x: Tensor): Tensor {
    return this.head.forward(this.features.forward(x));
  }
}

describe('a PyTorch checkpoint loads unchanged', () => {
  test('safetensors state_dict of a float32 CNN → loadStateDict → the same eval-mode output', async () => {
    const expected = JSON.parse(readFileSync(join(fixtures, 'conv-checkpoint.json'), 'utf8')) as { keys: string[]; input: Nested; output: Nested };
    const record = await nn.load(join(fixtures, 'conv-checkpoint.safetensors'));
    const model = new SmallCnn();
    expect(Object.keys(model.stateDict())).toEqual(expected.keys);
    expect(model.loadStateDict(record)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(model.stateDict()['features.1.num_batches_tracked'].item()).toBe(3);
    model.eval();
    const y = model.forward(tensor(expected.input as number[]));
    expectClose(y, expected.output, { atol: 1e-5, rtol: 1e-4, what: 'CNN output' });
  });
});
