/**
 * Finite-difference checks (core's gradcheck, float64) of every layer with respect to its input and all its parameters,
 * and of every loss with respect to its input (and differentiable targets). Layers and losses are composites of core
 * ops, so this checks that they are wired into the graph correctly — no gradient in nn is written by hand.
 */
import * as tg from '@tensorgrad/core';
import { Generator, Tensor, concat, gradcheck, gradgradcheck, randn, rand, tensor } from '@tensorgrad/core';
import * as nn from '../src/index.js';
import type { Module } from '../src/index.js';

const gen = new Generator(7);
const f64 = (shape: number[], scale = 1) => randn(shape, { dtype: 'float64', generator: gen }).mul(scale).detach();
const leaf = (t: Tensor) => {
  t.requiresGrad = true;
  return t;
};

function expectGradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  const result = gradcheck(fn, inputs);
  if (!result.ok) throw new Error(result.message);
  expect(result.checked).toBeGreaterThan(0);
}

/** Checks d layer(x) / d(x, parameters...). The parameters are perturbed in place by gradcheck, so the layer sees them. */
function checkLayer(layer: Module, x: Tensor, mode: 'train' | 'eval' = 'train'): void {
  layer.to('float64').train(mode === 'train');
  const params = layer.parameters();
  const inputs = x.dtype === 'int32' ? params : [leaf(x), ...params];
  expectGradcheck(() => layer.forward(x), inputs);
}

describe('gradcheck of every layer (input and parameters)', () => {
  const cases: Array<[string, () => Module, () => Tensor, 'train' | 'eval']> = [
    ['Linear', () => new nn.Linear(3, 4), () => f64([5, 3]), 'train'],
    ['Linear without bias, 3-d input', () => new nn.Linear(3, 2, { bias: false }), () => f64([2, 4, 3]), 'train'],
    ['ReLU', () => new nn.ReLU(), () => f64([4, 3]).add(f64([4, 3]).sign().mul(0.1)), 'train'],
    ['Tanh', () => new nn.Tanh(), () => f64([4, 3]), 'train'],
    ['Sigmoid', () => new nn.Sigmoid(), () => f64([4, 3], 2), 'train'],
    ['LeakyReLU', () => new nn.LeakyReLU(0.1), () => f64([4, 3]).add(f64([4, 3]).sign().mul(0.1)), 'train'],
    ['GELU', () => new nn.GELU(), () => f64([4, 3], 2), 'train'],
    ['GELU tanh', () => new nn.GELU({ approximate: 'tanh' }), () => f64([4, 3], 2), 'train'],
    ['Softmax', () => new nn.Softmax(1), () => f64([3, 4], 2), 'train'],
    ['LogSoftmax', () => new nn.LogSoftmax(0), () => f64([3, 4], 2), 'train'],
    ['Identity', () => new nn.Identity(), () => f64([2, 2]), 'train'],
    ['Flatten', () => new nn.Flatten(), () => f64([2, 3, 2]), 'train'],
    ['LayerNorm', () => randomized(new nn.LayerNorm([2, 3])), () => f64([4, 2, 3]), 'train'],
    ['LayerNorm without affine', () => new nn.LayerNorm(4, { elementwiseAffine: false }), () => f64([3, 4]), 'train'],
    ['BatchNorm1d [N, C] train', () => randomized(new nn.BatchNorm1d(3)), () => f64([5, 3], 2), 'train'],
    ['BatchNorm1d [N, C, L] train', () => randomized(new nn.BatchNorm1d(2)), () => f64([3, 2, 4]), 'train'],
    ['BatchNorm1d eval', () => randomized(new nn.BatchNorm1d(3)), () => f64([4, 3]), 'eval'],
    ['Sequential', () => new nn.Sequential(new nn.Linear(3, 4), new nn.Tanh(), new nn.Linear(4, 2)), () => f64([5, 3]), 'train'],
    ['MLP with LayerNorm and GELU', () => new nn.MLP([3, 5, 4, 2], { activation: 'gelu', norm: 'layer' }), () => f64([4, 3]), 'train'],
    ['MLP with BatchNorm and sigmoid output', () => new nn.MLP([3, 5, 1], { norm: 'batch', activation: 'tanh', outputActivation: 'sigmoid' }), () => f64([6, 3]), 'train'],
    // convolutional layers
    ['Conv1d', () => new nn.Conv1d(2, 3, 3, { padding: 1 }), () => f64([2, 2, 5]), 'train'],
    ['Conv2d groups, stride', () => new nn.Conv2d(4, 2, 3, { groups: 2, stride: 2, padding: 1 }), () => f64([2, 4, 5, 4]), 'train'],
    ['ConvTranspose2d', () => new nn.ConvTranspose2d(2, 3, 2, { stride: 2 }), () => f64([1, 2, 3, 3]), 'train'],
    ['ConvTranspose1d', () => new nn.ConvTranspose1d(2, 2, 3, { padding: 1, bias: false }), () => f64([2, 2, 4]), 'train'],
    ['MaxPool2d', () => new nn.MaxPool2d(2, { stride: 1 }), () => f64([1, 2, 4, 4]), 'train'],
    ['MaxPool1d', () => new nn.MaxPool1d(3, { stride: 2, padding: 1 }), () => f64([2, 2, 7]), 'train'],
    ['AvgPool2d', () => new nn.AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }), () => f64([1, 2, 5, 5]), 'train'],
    ['AdaptiveAvgPool2d', () => new nn.AdaptiveAvgPool2d([2, 3]), () => f64([2, 1, 5, 4]), 'train'],
    ['Upsample bilinear', () => new nn.Upsample({ scaleFactor: 2, mode: 'bilinear' }), () => f64([1, 2, 2, 3]), 'train'],
    ['BatchNorm2d train', () => randomized(new nn.BatchNorm2d(2)), () => f64([2, 2, 3, 3], 2), 'train'],
    ['BatchNorm2d eval', () => randomized(new nn.BatchNorm2d(2)), () => f64([2, 2, 2, 2]), 'eval'],
    ['GroupNorm', () => randomized(new nn.GroupNorm(2, 4)), () => f64([2, 4, 3, 2], 2), 'train'],
    ['Unflatten', () => new nn.Unflatten(1, [2, -1]), () => f64([2, 6]), 'train'],
    ['LeNet-style Sequential', () => new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(8, 3)),
      () => f64([2, 1, 6, 6]), 'train'],
  ];
  test.each(cases)('%s', (_name, make, input, mode) => checkLayer(make(), input(), mode));

  test('Dropout (with a fixed mask)', () => {
    const g = new Generator(0);
    const dropout = new nn.Dropout(0.4, { generator: g });
    // gradcheck calls the function many times; re-seeding keeps the mask fixed, as the finite differences require.
    expectGradcheck((x) => {
      g.manualSeed(3);
      return dropout.forward(x);
    }, [leaf(f64([4, 5]))]);
  });

  test('Embedding (weight), with and without paddingIdx', () => {
    checkLayer(new nn.Embedding(5, 3), tensor([[0, 4, 2], [2, 2, 1]], { dtype: 'int32' }));
    // As in PyTorch, the padding row's gradient is 0 by definition, not the derivative (its values do reach the
    // output); the finite differences are taken over the other rows only, and the padding row is checked to get 0.
    const padded = new nn.Embedding(5, 2, { paddingIdx: 1 }).to('float64');
    const idx = tensor([1, 3, 1, 0], { dtype: 'int32' });
    const w = padded.weight.detach();
    const weightAround = (before: Tensor, after: Tensor) => tg.concat([before, w.slice([[1, 2]]), after]);
    expectGradcheck((before, after) => nn.functionalCall(padded, { weight: weightAround(before, after) }, idx),
      [leaf(w.slice([[0, 1]])), leaf(w.slice([[2, 5]]))]);
    padded.forward(idx).sum().backward();
    expect((padded.weight.grad!.toArray() as number[][])[1]).toEqual([0, 0]);
  });

  test('second derivatives through a small CNN (gradgradcheck)', () => {
    const cnn = new nn.Sequential(new nn.Conv2d(1, 2, 2), new nn.Tanh(), new nn.AvgPool2d(2), new nn.Flatten(), new nn.Linear(8, 1)).to('float64');
    const result = gradgradcheck((x) => cnn.forward(x), [leaf(f64([2, 1, 5, 5])), ...cnn.parameters()]);
    if (!result.ok) throw new Error(result.message);
  });

  test('second derivatives through an MLP (gradgradcheck)', () => {
    const mlp = new nn.MLP([2, 3, 1], { activation: 'tanh' }).to('float64');
    const result = gradgradcheck((x) => mlp.forward(x), [leaf(f64([3, 2])), ...mlp.parameters()]);
    if (!result.ok) throw new Error(result.message);
  });
});

describe('gradcheck of the recurrent layers (input, initial states and parameters)', () => {
  /** Output and final states flattened into one tensor, so gradcheck covers every Jacobian at once. */
  const flatOut = (r: Tensor | [Tensor, Tensor | Tensor[]] | Tensor[]): Tensor => {
    const parts = (Array.isArray(r) ? r.flat() : [r]) as Tensor[];
    return concat(parts.map((t) => t.flatten()));
  };
  const cases: Array<[string, () => Module, number[], number[][]]> = [
    ['RNN tanh, 2 layers, h0', () => new nn.RNN(2, 3, { numLayers: 2 }), [4, 2, 2], [[2, 2, 3]]],
    ['RNN relu, bidirectional, batchFirst', () => new nn.RNN(2, 3, { nonlinearity: 'relu', bidirectional: true, batchFirst: true }), [2, 4, 2], []],
    ['LSTM, 2 layers, bidirectional, [h0, c0]', () => new nn.LSTM(2, 2, { numLayers: 2, bidirectional: true }), [3, 2, 2], [[4, 2, 2], [4, 2, 2]]],
    ['LSTM with projection, unbatched', () => new nn.LSTM(2, 3, { projSize: 2 }), [4, 2], []],
    ['GRU, 2 layers, h0', () => new nn.GRU(2, 3, { numLayers: 2 }), [4, 2, 2], [[2, 2, 3]]],
    ['GRU without bias, bidirectional', () => new nn.GRU(2, 3, { bias: false, bidirectional: true }), [3, 2, 2], []],
    ['RNNCell', () => new nn.RNNCell(3, 4), [2, 3], [[2, 4]]],
    ['LSTMCell', () => new nn.LSTMCell(3, 4), [2, 3], [[2, 4], [2, 4]]],
    ['GRUCell', () => new nn.GRUCell(3, 4), [2, 3], [[2, 4]]],
  ];
  test.each(cases)('%s', (name, make, xShape, stateShapes) => {
    const layer = make().to('float64');
    const x = leaf(f64(xShape));
    const states = stateShapes.map((s) => leaf(f64(s)));
    const isLstm = name.startsWith('LSTM');
    const init = states.length === 0 ? undefined : isLstm ? states : states[0];
    expectGradcheck(() => flatOut(layer.forward(x, init)), [x, ...states, ...layer.parameters()]);
  });

  test('LSTM with dropout between layers (with a fixed mask)', () => {
    const g = new Generator(0);
    const lstm = new nn.LSTM(2, 2, { numLayers: 2, dropout: 0.4, generator: g }).to('float64');
    expectGradcheck((x) => {
      g.manualSeed(5);
      return flatOut(lstm.forward(x));
    }, [leaf(f64([3, 2, 2])), ...lstm.parameters()]);
  });
});

function randomized<M extends Module>(m: M): M {
  m.to('float64');
  for (const p of m.parameters()) nn.init.normal_(p, 0, 1, { generator: gen });
  return m;
}

describe('gradcheck of every loss', () => {
  const a = () => f64([4, 3]);
  const probs = () => rand([4, 3], { dtype: 'float64', generator: gen }).mul(0.8).add(0.1).detach();
  const logits = () => f64([4, 3], 2);
  const target = () => f64([4, 3]);
  const idx = [2, 0, 1, 2];
  const weight = tensor([0.5, 2, 1], { dtype: 'float64' });
  const cases: Array<[string, (x: Tensor, t: Tensor) => Tensor, () => Tensor, () => Tensor, boolean]> = [
    ['mseLoss', (x, t) => nn.mseLoss(x, t), a, target, true],
    ['l1Loss', (x, t) => nn.l1Loss(x, t, { reduction: 'sum' }), a, target, true],
    ['huberLoss', (x, t) => nn.huberLoss(x, t, { delta: 0.7, reduction: 'none' }), a, target, true],
    ['smoothL1Loss', (x, t) => nn.smoothL1Loss(x, t, { beta: 0.5 }), a, target, true],
    ['bceLoss', (x, t) => nn.bceLoss(x, t, { weight: tensor([1, 2, 3], { dtype: 'float64' }) }), probs, probs, true],
    ['bceWithLogitsLoss', (x, t) => nn.bceWithLogitsLoss(x, t, { posWeight: tensor([1, 3, 0.5], { dtype: 'float64' }) }), logits, probs, true],
    ['crossEntropy (indices, weight, smoothing)', (x) => nn.crossEntropy(x, idx, { weight, labelSmoothing: 0.1 }), logits, target, false],
    ['crossEntropy (indices, ignoreIndex, none)', (x) => nn.crossEntropy(x, [2, -100, 1, 0], { reduction: 'none' }), logits, target, false],
    ['crossEntropy (probabilities)', (x, t) => nn.crossEntropy(x, t.softmax(1), { labelSmoothing: 0.2 }), logits, target, true],
    ['crossEntropy [N, C, d]', (x) => nn.crossEntropy(x.reshape([2, 3, 2]), tensor([[0, 2], [1, 1]], { dtype: 'int32' })), logits, target, false],
    ['nllLoss', (x) => nn.nllLoss(x.logSoftmax(1), idx, { weight }), logits, target, false],
  ];
  test.each(cases)('%s', (_name, loss, input, tgt, targetDifferentiable) => {
    // Index targets are constants inside the loss function; probability/value targets are checked too.
    expectGradcheck(loss, targetDifferentiable ? [leaf(input()), leaf(tgt())] : [leaf(input())]);
  });
});
