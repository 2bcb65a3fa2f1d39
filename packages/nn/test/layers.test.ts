/**
 * Every layer against PyTorch 1.13 (fixtures/layers-reference.json, made by layers-generate.py): same initial state,
 * same inputs, then outputs, input gradients, parameter gradients and running statistics must agree in float64.
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
  inputGrad?: Nested;
  paramGrads: Record<string, Nested | null>;
}

interface LayerCase {
  name: string;
  type: string;
  args: unknown[];
  state: Record<string, Nested>;
  steps: Step[];
  finalState: Record<string, Nested>;
}

const cases = (JSON.parse(readFileSync(join(__dirname, 'fixtures', 'layers-reference.json'), 'utf8')) as { cases: LayerCase[] }).cases;

/** Builds the layer from the fixture's constructor arguments; every options object gets dtype float64 (GELU takes none). */
function build(c: LayerCase): Module {
  if (c.type === 'Sequential') return new nn.Sequential(new nn.Linear(4, 8, { dtype: 'float64' }), new nn.ReLU(), new nn.Linear(8, 3, { dtype: 'float64' }));
  const ctor = (nn as unknown as Record<string, new (...args: unknown[]) => Module>)[c.type];
  const args = c.args.map((a) => (a !== null && typeof a === 'object' && !Array.isArray(a) && c.type !== 'GELU' ? { ...a, dtype: 'float64' } : a));
  return new ctor(...args);
}

describe('layers match PyTorch', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const layer = build(c);
    expect(Object.keys(layer.stateDict()).sort()).toEqual(Object.keys(c.state).sort());
    layer.loadStateDict(stateRecord(c.state, layer));
    const integerInput = c.type === 'Embedding';
    for (const [i, step] of c.steps.entries()) {
      layer.train(step.mode === 'train');
      layer.zeroGrad();
      const x = integerInput ? tensor(step.input as number[], { dtype: 'int32' }) : tensor(step.input as number[], { dtype: 'float64', requiresGrad: true });
      const y: Tensor = layer.forward(x);
      expectClose(y, step.output, { what: `step ${i} output` });
      y.mul(tensor(step.upstream as number[], { dtype: 'float64' })).sum().backward();
      if (step.inputGrad !== undefined) expectClose(x.grad as Tensor, step.inputGrad, { what: `step ${i} input grad` });
      const params = Object.fromEntries(layer.namedParameters());
      expect(Object.keys(params).sort()).toEqual(Object.keys(step.paramGrads).sort());
      for (const [name, g] of Object.entries(step.paramGrads)) {
        if (g === null) expect(params[name].grad).toBeNull();
        else expectClose(params[name].grad as Tensor, g, { what: `step ${i} grad of ${name}` });
      }
    }
    const final = layer.stateDict();
    for (const [name, v] of Object.entries(c.finalState)) expectClose(final[name], v, { what: `final ${name}` });
  });

  test('the fixture covers every layer class', () => {
    const covered = new Set(cases.map((c) => c.type));
    for (const name of ['Linear', 'ReLU', 'Tanh', 'Sigmoid', 'LeakyReLU', 'GELU', 'Softmax', 'LogSoftmax', 'LayerNorm', 'BatchNorm1d', 'Embedding', 'Flatten', 'Sequential', 'MLP']) {
      expect(covered).toContain(name);
    }
  });
});
