/**
 * Behaviour of the convolutional layers that a PyTorch reference cannot pin down: PyTorch's initialisation bounds
 * (random streams differ), Dropout2d's channel masks, max-pool indices, argument errors, printing, and a short
 * training run of a LeNet-style network.
 */
import { Generator, Tensor, manualSeed, randn, randint, tensor } from '@tensorgrad/core';
import * as nn from '../src/index.js';

function stats(t: Tensor): { min: number; max: number; mean: number; variance: number } {
  const v = Array.from(t.data);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return { min: Math.min(...v), max: Math.max(...v), mean, variance: v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length };
}

describe("PyTorch's initialisation: U(±1/√fanIn) for weight and bias", () => {
  test.each<[string, () => nn.Module & { weight: Tensor; bias: Tensor | null }, number]>([
    ['Conv2d: fanIn = inChannels · kH · kW', () => new nn.Conv2d(16, 64, 3), 16 * 9],
    ['Conv2d with groups: fanIn = inChannels / groups · kH · kW', () => new nn.Conv2d(16, 64, [3, 2], { groups: 4 }), 4 * 6],
    ['Conv1d', () => new nn.Conv1d(8, 128, 5), 8 * 5],
    // PyTorch computes the fan-in from the [in, out / groups, k…] weight, i.e. from outChannels / groups.
    ['ConvTranspose2d: fanIn = outChannels / groups · kH · kW', () => new nn.ConvTranspose2d(64, 12, 3, { groups: 2 }), 6 * 9],
    ['ConvTranspose1d', () => new nn.ConvTranspose1d(32, 3, 4), 3 * 4],
  ])('%s', (_name, make, fanIn) => {
    manualSeed(5);
    const layer = make();
    const bound = 1 / Math.sqrt(fanIn);
    const w = stats(layer.weight);
    expect(w.min).toBeGreaterThanOrEqual(-bound);
    expect(w.max).toBeLessThanOrEqual(bound);
    // Thousands of draws: the extremes come close to the bound, the variance is bound²/3.
    expect(w.max).toBeGreaterThan(0.97 * bound);
    expect(w.variance).toBeGreaterThan(0.9 * (bound * bound) / 3);
    expect(w.variance).toBeLessThan(1.1 * (bound * bound) / 3);
    const b = stats(layer.bias as Tensor);
    expect(Math.max(-b.min, b.max)).toBeLessThanOrEqual(bound);
  });

  test('a generator makes the initial weights reproducible; bias: false has no bias', () => {
    const a = new nn.Conv2d(2, 3, 3, { generator: new Generator(1) }), b = new nn.Conv2d(2, 3, 3, { generator: new Generator(1) });
    expect(a.weight.toArray()).toEqual(b.weight.toArray());
    expect(new nn.Conv2d(2, 3, 3, { bias: false }).bias).toBeNull();
    expect(Object.keys(new nn.ConvTranspose2d(2, 3, 3, { bias: false }).stateDict())).toEqual(['weight']);
    expect(new nn.Conv2d(2, 3, 3, { dtype: 'float64' }).weight.dtype).toBe('float64');
  });
});

describe('Dropout2d', () => {
  test('training zeroes whole channels and scales the rest by 1/(1−p); the gradient follows the same mask; eval is the identity', () => {
    const x = randn([4, 6, 3, 3], { generator: new Generator(2), requiresGrad: true });
    const drop = new nn.Dropout2d(0.5, { generator: new Generator(3) });
    const y = drop.forward(x);
    y.sum().backward();
    let dropped = 0;
    for (let ch = 0; ch < 24; ch++) {
      const ratios = Array.from({ length: 9 }, (_, k) => y.data[ch * 9 + k] / x.data[ch * 9 + k]);
      const grads = Array.from({ length: 9 }, (_, k) => (x.grad as Tensor).data[ch * 9 + k]);
      const kept = ratios[0] !== 0;
      if (!kept) dropped++;
      for (const r of ratios) expect(r).toBeCloseTo(kept ? 2 : 0, 6);
      for (const g of grads) expect(g).toBe(kept ? 2 : 0);
    }
    expect(dropped).toBeGreaterThan(4);
    expect(dropped).toBeLessThan(20);
    drop.eval();
    expect(drop.forward(x)).toBe(x);
  });

  test('unbatched [C, H, W] input drops channels; other ranks and bad p throw', () => {
    const y = new nn.Dropout2d(0.5, { generator: new Generator(4) }).forward(tensor(Array.from({ length: 8 }, () => [[1, 1], [1, 1]])));
    const perChannel = Array.from({ length: 8 }, (_, c) => new Set(Array.from(y.data.slice(c * 4, c * 4 + 4))).size);
    expect(perChannel.every((n) => n === 1)).toBe(true);
    expect(() => new nn.Dropout2d().forward(randn([2, 3]))).toThrow('Dropout2d: expected input [N, C, H, W] or [C, H, W], got [2, 3]');
    expect(() => new nn.Dropout2d(-0.1)).toThrow('Dropout2d: probability p must be a number in [0, 1], got -0.1');
  });
});

describe('pooling layers', () => {
  test('MaxPool2d with returnIndices returns values and per-plane indices', () => {
    const pool = new nn.MaxPool2d(2, { returnIndices: true });
    const [values, indices] = pool.forward(tensor([[[[1, 2, 0, 9], [3, 0, 4, 1]]]]));
    expect(values.toArray()).toEqual([[[[3, 9]]]]);
    expect(indices.toArray()).toEqual([[[[4, 3]]]]);
  });

  test('AdaptiveAvgPool2d(1) is global average pooling', () => {
    const x = randn([2, 3, 5, 4], { generator: new Generator(6) });
    const y = new nn.AdaptiveAvgPool2d(1).forward(x);
    expect(y.shape).toEqual([2, 3, 1, 1]);
    const mean = x.mean([2, 3], true);
    for (let i = 0; i < 6; i++) expect(y.data[i]).toBeCloseTo(mean.data[i], 6);
  });
});

describe('errors name the layer', () => {
  test.each<[string, () => unknown, string]>([
    ['groups', () => new nn.Conv2d(3, 4, 3, { groups: 2 }), 'Conv2d: inChannels 3 must be divisible by groups 2'],
    ['out groups', () => new nn.Conv1d(4, 3, 3, { groups: 2 }), 'Conv1d: outChannels 3 must be divisible by groups 2'],
    ['kernel', () => new nn.Conv2d(3, 4, [3, 0]), 'Conv2d: kernelSize must be an integer or 2 integers ≥ 1, got [3, 0]'],
    ["'same' with a stride", () => new nn.Conv2d(3, 4, 3, { padding: 'same', stride: 2 }), "Conv2d: padding 'same' needs stride 1, got stride [2, 2]"],
    ['input channels', () => new nn.Conv2d(3, 4, 3).forward(randn([2, 4, 5, 5])), 'Conv2d: expected input [N, 3, H, W] or [3, H, W], got [2, 4, 5, 5]'],
    ['transposed output padding', () => new nn.ConvTranspose2d(3, 4, 3, { stride: 2, outputPadding: 2 }),
      'ConvTranspose2d: outputPadding [2, 2] must be smaller than either stride [2, 2] or dilation [1, 1]'],
    ['pool padding', () => new nn.MaxPool2d(2, { padding: 2 }), 'MaxPool2d: padding 2 must be at most half the kernel size 2'],
    ['pool flag', () => new nn.AvgPool2d(2, { ceilMode: 'yes' as unknown as boolean }), 'AvgPool2d: ceilMode must be a boolean, got "yes"'],
    ['group norm', () => new nn.GroupNorm(3, 4), 'GroupNorm: numChannels 4 must be divisible by numGroups 3'],
    ['group norm input', () => new nn.GroupNorm(2, 4).forward(randn([2, 3, 5])), 'GroupNorm: expected input [N, 4, ...], got [2, 3, 5]'],
    ['batch norm 2d input', () => new nn.BatchNorm2d(3).forward(randn([2, 3, 5])), 'BatchNorm2d: expected input [N, 3, H, W], got [2, 3, 5]'],
    ['unflatten', () => new nn.Unflatten(1, [4, 4]).forward(randn([2, 12])), 'Unflatten: dimension 1 of input [2, 12] has size 12, which cannot be split into [4, 4]'],
    ['upsample', () => new nn.Upsample({ size: 4, scaleFactor: 2 }), 'Upsample: give exactly one of size and scaleFactor'],
  ])('%s', (_name, call, message) => {
    expect(call).toThrow(message);
  });
});

describe('printing', () => {
  test('a LeNet prints its layers with their options and parameter counts', () => {
    const lenet = new nn.Sequential(
      new nn.Conv2d(1, 6, 5), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Conv2d(6, 16, 5, { padding: 'same', groups: 2 }), new nn.BatchNorm2d(16), new nn.AdaptiveAvgPool2d([4, 4]), new nn.Flatten(),
      new nn.Linear(256, 10),
    );
    const text = lenet.toString();
    expect(text).toContain('(0): Conv2d(1, 6, kernelSize=[5, 5], stride=[1, 1], padding=[0, 0], bias=true)  # 156 params');
    expect(text).toContain("(3): Conv2d(6, 16, kernelSize=[5, 5], stride=[1, 1], padding='same', groups=2, bias=true)  # 1,216 params");
    expect(text).toContain('(2): MaxPool2d(kernelSize=2, stride=2, padding=0, dilation=1, ceilMode=false)');
    expect(text).toContain('(5): AdaptiveAvgPool2d(outputSize=[4, 4])');
  });
});

describe('training', () => {
  test('a LeNet-style network fits a small batch (Adam, cross-entropy) and its loss falls', () => {
    manualSeed(11);
    const model = new nn.Sequential(
      new nn.Conv2d(1, 4, 3), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Conv2d(4, 8, 3), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(8 * 2 * 2, 3),
    );
    const x = randn([12, 1, 14, 14]), labels = randint(0, 3, [12]);
    const opt = new nn.Adam(model.parameters(), { lr: 0.01 });
    const losses: number[] = [];
    for (let step = 0; step < 60; step++) {
      opt.zeroGrad();
      const loss = nn.crossEntropy(model.forward(x) as Tensor, labels);
      loss.backward();
      opt.step();
      losses.push(loss.item());
    }
    expect(losses[0]).toBeGreaterThan(0.9);
    expect(losses[59]).toBeLessThan(0.1 * losses[0]);
  });
});
