/**
 * Attention and Transformer layers beyond the PyTorch fixtures: initialisation, deep copies, dropout in training and
 * eval, the fused path against the weights path, gradcheck in float64, and the errors of each misuse. Also RMSNorm,
 * SiLU, Embedding's padding row and the functional dropout / layerNorm / rmsNorm.
 */
import { Generator, Tensor, gradcheck, gradgradcheck, noGrad, randn, tensor, zeros } from '@tensorgrad/core';
import * as nn from '../src/index.js';
import {
  Embedding, LayerNorm, Linear, Module, MultiheadAttention, RMSNorm, SiLU, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder,
  TransformerEncoderLayer, deepCopy,
} from '../src/index.js';

const gen = new Generator(17);
const f64 = (shape: number[]) => randn(shape, { dtype: 'float64', generator: gen });

function maxDiff(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  let m = 0;
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
}

function expectGradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  const r = gradcheck(fn, inputs);
  if (!r.ok) throw new Error(r.message);
}

describe('MultiheadAttention', () => {
  test('initialisation as PyTorch: xavier-uniform in_proj_weight, zero biases, names and shapes', () => {
    const m = new MultiheadAttention(16, 4, { generator: new Generator(1) });
    const shapes = Object.fromEntries(Object.entries(m.stateDict()).map(([k, v]) => [k, v.shape]));
    expect(shapes).toEqual({ in_proj_weight: [48, 16], in_proj_bias: [48], 'out_proj.weight': [16, 16], 'out_proj.bias': [16] });
    const bound = Math.sqrt(6 / (16 + 48));
    const w = Array.from(m.in_proj_weight!.data);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.9 * bound);
    expect(Array.from(m.in_proj_bias!.data).every((v) => v === 0)).toBe(true);
    expect(Array.from(m.out_proj.bias!.data).every((v) => v === 0)).toBe(true);
    const separate = new MultiheadAttention(8, 2, { kdim: 3, vdim: 5, bias: false, addBiasKV: true });
    expect(Object.keys(separate.stateDict())).toEqual(['q_proj_weight', 'k_proj_weight', 'v_proj_weight', 'bias_k', 'bias_v', 'out_proj.weight']);
    expect(separate.k_proj_weight!.shape).toEqual([8, 3]);
  });

  test('needWeights false (fused scaledDotProductAttention) gives the output of the weights path', () => {
    const m = new MultiheadAttention(8, 2, { dtype: 'float64', batchFirst: true });
    const x = f64([2, 5, 8]), kpm = tensor([[0, 0, 0, 1, 1], [0, 0, 0, 0, 1]], { dtype: 'int32' });
    const [fused, none] = m.forward(x, x, x, { needWeights: false, keyPaddingMask: kpm, isCausal: true });
    const [plain, w] = m.forward(x, x, x, { keyPaddingMask: kpm, isCausal: true, averageAttnWeights: false });
    expect(none).toBeNull();
    expect(maxDiff(fused, plain)).toBeLessThan(1e-14);
    expect(w!.shape).toEqual([2, 2, 5, 5]);
    // Padded keys and future positions get no weight; each row sums to 1.
    const wa = w!.toArray() as number[][][][];
    expect(wa[0][1][4].slice(3)).toEqual([0, 0]);
    expect(wa[1][0][1].slice(2)).toEqual([0, 0, 0]);
    for (const row of wa[1][1]) expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 14);
  });

  test('dropout on the weights applies in training only, repeats with a seeded generator, and is saved for backward', () => {
    const make = () => new MultiheadAttention(4, 2, { dropout: 0.5, dtype: 'float64', generator: new Generator(3) });
    const x = f64([3, 1, 4]);
    const a = make(), b = make();
    const [ya] = a.forward(x, x, x, { needWeights: false });
    const [yb] = b.forward(x, x, x, { needWeights: false });
    expect(Array.from(ya.data)).toEqual(Array.from(yb.data));
    const [yEval] = a.eval().forward(x, x, x, { needWeights: false });
    const [yTrainNoDrop] = new MultiheadAttention(4, 2, { dtype: 'float64' }).forward(x, x, x);
    expect(maxDiff(ya, yEval)).toBeGreaterThan(1e-3);
    expect(yTrainNoDrop.shape).toEqual([3, 1, 4]);
    const [, wTrain] = b.forward(x, x, x);
    expect(Array.from(wTrain!.data).some((v) => v === 0)).toBe(true);
  });

  test('gradcheck (float64) w.r.t. inputs and every parameter, with masks, bias key/value and zero attention', () => {
    const m = new MultiheadAttention(4, 2, { dtype: 'float64', addBiasKV: true, addZeroAttn: true, kdim: 3 });
    const q = f64([3, 2, 4]).requiresGrad_(), k = f64([2, 2, 3]).requiresGrad_(), v = f64([2, 2, 4]).requiresGrad_();
    const kpm = tensor([[0, 1], [0, 0]], { dtype: 'int32' });
    const am = tensor([[0, -1.5], [0.5, 0], [-Infinity, 0]], { dtype: 'float64' });
    expectGradcheck((a, b, c) => m.forward(a, b, c, { keyPaddingMask: kpm, attnMask: am })[0], [q, k, v, ...m.parameters()]);
    const self = new MultiheadAttention(4, 1, { dtype: 'float64', batchFirst: true });
    const x = f64([2, 3, 4]).requiresGrad_();
    expectGradcheck((a) => { const [y, w] = self.forward(a, a, a, { isCausal: true }); return y.sum().add(w!.square().sum()); }, [x, ...self.parameters()]);
  });

  test.each([
    ['embedDim not divisible by numHeads', () => new MultiheadAttention(10, 3), /embedDim 10 must be divisible by numHeads 3/],
    ['an unknown option', () => new MultiheadAttention(4, 2, { batch_first: true } as never), /unknown option 'batch_first'/],
    ['a query of the wrong width', () => new MultiheadAttention(4, 2).forward(zeros([3, 1, 5]), zeros([3, 1, 4]), zeros([3, 1, 4])), /query \[3, 1, 5\] must have 4 features/],
    ['a 2-D attnMask of the wrong shape', () => new MultiheadAttention(4, 2).forward(zeros([3, 1, 4]), zeros([2, 1, 4]), zeros([2, 1, 4]), { attnMask: zeros([3, 3]) }),
      /the 2-D attnMask is \[3, 3\], but should be \[3, 2\]/],
    ['a float 0/1 keyPaddingMask', () => new MultiheadAttention(4, 2).forward(zeros([3, 1, 4]), zeros([2, 1, 4]), zeros([2, 1, 4]), { keyPaddingMask: tensor([[0, 1]]) }),
      /keyPaddingMask is a float32 tensor of only 0s and 1s.*1 = blocked.*\.to\('int32'\)/],
    ['an unknown forward option', () => new MultiheadAttention(4, 2).forward(zeros([3, 1, 4]), zeros([3, 1, 4]), zeros([3, 1, 4]), { key_padding_mask: null } as never),
      /MultiheadAttention.forward: unknown option 'key_padding_mask'/],
  ])('%s throws', (_name, call, message) => expect(call).toThrow(message));
});

describe('Transformer layers', () => {
  test('state-dict names are PyTorch\'s, in PyTorch\'s order', () => {
    expect(Object.keys(new TransformerEncoderLayer(8, 2, { dimFeedforward: 16 }).stateDict())).toEqual([
      'self_attn.in_proj_weight', 'self_attn.in_proj_bias', 'self_attn.out_proj.weight', 'self_attn.out_proj.bias',
      'linear1.weight', 'linear1.bias', 'linear2.weight', 'linear2.bias', 'norm1.weight', 'norm1.bias', 'norm2.weight', 'norm2.bias',
    ]);
    const dec = Object.keys(new TransformerDecoderLayer(8, 2, { dimFeedforward: 16, bias: false }).stateDict());
    expect(dec).toEqual(['self_attn.in_proj_weight', 'self_attn.out_proj.weight', 'multihead_attn.in_proj_weight', 'multihead_attn.out_proj.weight',
      'linear1.weight', 'linear2.weight', 'norm1.weight', 'norm2.weight', 'norm3.weight']);
  });

  test('TransformerEncoder stacks deep copies: equal at the start, independent afterwards, layers.0.* names', () => {
    const layer = new TransformerEncoderLayer(4, 2, { dimFeedforward: 8, dropout: 0 });
    const enc = new TransformerEncoder(layer, 3, { norm: new LayerNorm(4) });
    const sd = enc.stateDict();
    expect(Object.keys(sd).filter((k) => k.startsWith('layers.2.') || k.startsWith('norm.')).length).toBe(14);
    expect(Array.from(sd['layers.0.linear1.weight'].data)).toEqual(Array.from(sd['layers.2.linear1.weight'].data));
    const l0 = enc.layers.get(0) as TransformerEncoderLayer, l1 = enc.layers.get(1) as TransformerEncoderLayer;
    expect(l0.linear1.weight).not.toBe(l1.linear1.weight);
    expect(l0.linear1.weight).not.toBe(layer.linear1.weight);
    noGrad(() => l0.linear1.weight.fill(0));
    expect(l1.linear1.weight.data[0]).not.toBe(0);
    expect(enc.parameters()).toHaveLength(3 * 12 + 2);
  });

  test('dropout 0.1 by default: training and eval differ, eval is deterministic', () => {
    const layer = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dtype: 'float64', generator: new Generator(2) });
    const x = f64([4, 2, 8]);
    const train = layer.forward(x);
    layer.eval();
    const e1 = layer.forward(x), e2 = layer.forward(x);
    expect(Array.from(e1.data)).toEqual(Array.from(e2.data));
    expect(maxDiff(train, e1)).toBeGreaterThan(1e-6);
  });

  test('gradcheck (float64) of an encoder layer and a decoder stack, pre-norm with gelu, with masks', () => {
    const enc = new TransformerEncoderLayer(4, 2, { dimFeedforward: 6, dropout: 0, activation: 'gelu', normFirst: true, dtype: 'float64' });
    const x = f64([3, 2, 4]).requiresGrad_();
    const kpm = tensor([[0, 0, 1], [0, 0, 0]], { dtype: 'int32' });
    expectGradcheck((a) => enc.forward(a, { srcKeyPaddingMask: kpm, isCausal: true }), [x, ...enc.parameters()]);
    const dec = new TransformerDecoder(new TransformerDecoderLayer(4, 1, { dimFeedforward: 5, dropout: 0, batchFirst: true, dtype: 'float64' }), 2);
    const t = f64([1, 3, 4]).requiresGrad_(), mem = f64([1, 2, 4]).requiresGrad_();
    expectGradcheck((a, b) => dec.forward(a, b, { tgtIsCausal: true }), [t, mem, ...dec.parameters()]);
  });

  test('second derivatives through a pre-norm gelu encoder layer (gradgradcheck: fused attention, layerNorm and gelu)', () => {
    const enc = new TransformerEncoderLayer(4, 2, { dimFeedforward: 3, dropout: 0, activation: 'gelu', normFirst: true, dtype: 'float64' });
    const x = f64([3, 1, 4]).requiresGrad_();
    const r = gradgradcheck((a) => enc.forward(a, { isCausal: true }), [x, enc.linear1.weight, enc.norm1.weight as Tensor]);
    if (!r.ok) throw new Error(r.message);
  });

  test('a custom activation function is used', () => {
    const layer = new TransformerEncoderLayer(4, 2, { dimFeedforward: 4, dropout: 0, activation: (x) => x.tanh(), dtype: 'float64' });
    const same = deepCopy(layer);
    const x = f64([2, 1, 4]);
    const y = layer.forward(x);
    const manual = (() => {
      const h = layer.norm1.forward(x.add(layer.self_attn.forward(x, x, x, { needWeights: false })[0]));
      return layer.norm2.forward(h.add(layer.linear2.forward(layer.linear1.forward(h).tanh())));
    })();
    expect(maxDiff(y, manual)).toBeLessThan(1e-14);
    expect(maxDiff(same.forward(x), y)).toBeLessThan(1e-14);
  });

  test.each([
    ['a bad activation', () => new TransformerEncoderLayer(4, 2, { activation: 'swish' as never }), /activation must be 'relu', 'gelu' or a function/],
    ['an unknown option', () => new TransformerDecoderLayer(4, 2, { norm_first: true } as never), /unknown option 'norm_first'/],
    ['a stack of the wrong layer', () => new TransformerEncoder(new TransformerDecoderLayer(4, 2) as never, 2), /expected a TransformerEncoderLayer/],
    ['zero layers', () => new TransformerDecoder(new TransformerDecoderLayer(4, 2), 0), /numLayers must be a positive integer/],
    ['a misspelt forward option', () => new TransformerEncoderLayer(4, 2).forward(zeros([2, 1, 4]), { mask: null } as never), /unknown option 'mask'/],
  ])('%s throws', (_name, call, message) => expect(call).toThrow(message));
});

describe('deepCopy', () => {
  test('copies parameters and buffers (kept as such), keeps shared modules shared, shares plain fields', () => {
    class Tied extends Module {
      a = new Linear(2, 2);
      b = this.a;
      bn = new nn.BatchNorm1d(2);
      options = { note: 'x' };
      forward(x: Tensor): Tensor {
        return this.b.forward(this.a.forward(x));
      }
    }
    const m = new Tied();
    const c = deepCopy(m);
    expect(c).toBeInstanceOf(Tied);
    expect(c.a).toBe(c.b);
    expect(c.a).not.toBe(m.a);
    expect(c.options).toBe(m.options);
    expect(Object.keys(c.stateDict())).toEqual(Object.keys(m.stateDict()));
    expect(c.parameters().every((p) => p.requiresGrad)).toBe(true);
    expect(c.buffers()).toHaveLength(m.buffers().length);
    expect(c.buffers()[0]).not.toBe(m.buffers()[0]);
  });
});

describe('RMSNorm, SiLU, Embedding padding, functional forms', () => {
  test('RMSNorm: x / √(mean(x²) + eps) · weight with eps the dtype\'s machine epsilon by default; gradcheck', () => {
    const x = f64([3, 4]);
    const y = new RMSNorm(4, { dtype: 'float64' }).forward(x);
    const ref = x.div(x.square().mean(-1, true).add(2 ** -52).sqrt());
    expect(maxDiff(y, ref)).toBeLessThan(1e-15);
    const m = new RMSNorm([2, 3], { dtype: 'float64', eps: 0.1 });
    noGrad(() => m.weight!.assign(f64([2, 3])));
    const xi = f64([2, 2, 3]).requiresGrad_();
    expectGradcheck((a) => m.forward(a), [xi, m.weight!]);
    expect(() => new RMSNorm(4).forward(zeros([2, 3]))).toThrow(/RMSNorm: expected input \[\.\.\., 4\], got \[2, 3\]/);
  });

  test('SiLU is x·σ(x) and differentiable twice', () => {
    const x = f64([5]).requiresGrad_();
    expect(maxDiff(new SiLU().forward(x), x.mul(x.sigmoid()))).toBeLessThan(1e-15);
    expectGradcheck((a) => new SiLU().forward(a), [x]);
  });

  test('Embedding: a loaded non-zero padding row is output as is but receives no gradient (PyTorch semantics)', () => {
    const e = new Embedding(4, 2, { paddingIdx: 1, dtype: 'float64' });
    expect(Array.from(e.weight.data.slice(2, 4))).toEqual([0, 0]);
    e.loadStateDict({ weight: tensor([[1, 2], [3, 4], [5, 6], [7, 8]], { dtype: 'float64' }) });
    const y = e.forward([1, 2, 1]);
    expect(y.toArray()).toEqual([[3, 4], [5, 6], [3, 4]]);
    y.sum().backward();
    expect(e.weight.grad!.toArray()).toEqual([[0, 0], [0, 0], [1, 1], [0, 0]]);
  });

  test('functional dropout, layerNorm and rmsNorm', () => {
    const x = f64([4, 6]);
    expect(nn.dropout(x, 0.5, false)).toBe(x);
    const a = nn.dropout(x, 0.5, true, { generator: new Generator(4) }), b = nn.dropout(x, 0.5, true, { generator: new Generator(4) });
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(a.data).every((v, i) => v === 0 || Math.abs(v - 2 * x.data[i]) < 1e-15)).toBe(true);
    expect(() => nn.dropout(x, 2)).toThrow(/dropout: probability p must be in \[0, 1\], got 2/);
    expect(maxDiff(nn.layerNorm(x, 6), new LayerNorm(6, { dtype: 'float64' }).forward(x))).toBe(0);
    expect(maxDiff(nn.rmsNorm(x, [6], null, 1e-6), x.div(x.square().mean(-1, true).add(1e-6).sqrt()))).toBeLessThan(1e-14);
  });
});
