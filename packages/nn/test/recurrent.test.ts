/**
 * RNN, LSTM, GRU and their cells against PyTorch 1.13 (fixtures/recurrent-reference.json, made by recurrent-generate.py):
 * the PyTorch state dict loads unchanged, and outputs, final states, and the gradients of the input, the initial states
 * and every parameter agree in float64. Then the behaviour PyTorch's fixtures cannot show: dropout between layers,
 * state-dict names, initialisation bounds, and error messages.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Generator, Tensor, randn, tensor } from '@tensorgrad/core';
import * as nn from '../src/index.js';
import { GRU, GRUCell, LSTM, LSTMCell, Module, RNN, RNNCell } from '../src/index.js';
import { expectClose, type Nested } from './helpers.js';

interface RecurrentCase {
  name: string;
  type: 'RNN' | 'LSTM' | 'GRU' | 'RNNCell' | 'LSTMCell' | 'GRUCell';
  args: [number, number, Record<string, unknown>];
  state: Record<string, Nested>;
  input: Nested;
  states: Nested[] | null;
  output: Nested | null;
  upstream: Nested | null;
  final: Nested[];
  finalUpstream: Nested[];
  inputGrad: Nested;
  stateGrads: Nested[] | null;
  paramGrads: Record<string, Nested>;
}

const cases = (JSON.parse(readFileSync(join(__dirname, 'fixtures', 'recurrent-reference.json'), 'utf8')) as { cases: RecurrentCase[] }).cases;

const f64 = (v: Nested, requiresGrad = false) => tensor(v as number[], { dtype: 'float64', requiresGrad });

/** Runs a layer or cell the way PyTorch's call was made; returns the output (null for cells) and the final states. */
function run(layer: Module, type: RecurrentCase['type'], x: Tensor, states: Tensor[] | null): { output: Tensor | null; final: Tensor[] } {
  const lstm = type === 'LSTM' || type === 'LSTMCell';
  const init = states === null ? undefined : lstm ? [states[0], states[1]] : states[0];
  if (type.endsWith('Cell')) {
    const r = layer.forward(x, init) as Tensor | [Tensor, Tensor];
    return { output: null, final: lstm ? (r as Tensor[]) : [r as Tensor] };
  }
  const [output, hidden] = layer.forward(x, init) as [Tensor, Tensor | [Tensor, Tensor]];
  return { output, final: lstm ? (hidden as Tensor[]) : [hidden as Tensor] };
}

describe('recurrent layers match PyTorch', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const [inputSize, hiddenSize, options] = c.args;
    const Ctor = (nn as unknown as Record<string, new (i: number, h: number, o: object) => Module>)[c.type];
    const layer = new Ctor(inputSize, hiddenSize, { ...options, dtype: 'float64' });
    // The PyTorch state dict, names and order included, is the layer's own.
    expect(Object.keys(layer.stateDict())).toEqual(Object.keys(c.state));
    layer.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, f64(v)])));
    const x = f64(c.input, true);
    const states = c.states?.map((s) => f64(s, true)) ?? null;
    const { output, final } = run(layer, c.type, x, states);
    let loss = final.map((s, i) => s.mul(f64(c.finalUpstream[i])).sum()).reduce((a, b) => a.add(b));
    if (c.output !== null) {
      expectClose(output as Tensor, c.output, { what: 'output' });
      loss = loss.add((output as Tensor).mul(f64(c.upstream as Nested)).sum());
    }
    expect(final).toHaveLength(c.final.length);
    final.forEach((s, i) => expectClose(s, c.final[i], { what: `final state ${i}` }));
    loss.backward();
    expectClose(x.grad as Tensor, c.inputGrad, { what: 'input grad' });
    states?.forEach((s, i) => expectClose(s.grad as Tensor, (c.stateGrads as Nested[])[i], { what: `initial state ${i} grad` }));
    const params = Object.fromEntries(layer.namedParameters());
    expect(Object.keys(params)).toEqual(Object.keys(c.paramGrads));
    for (const [name, g] of Object.entries(c.paramGrads)) expectClose(params[name].grad as Tensor, g, { what: `grad of ${name}` });
  });

  test('the fixture covers every class and option', () => {
    expect(new Set(cases.map((c) => c.type))).toEqual(new Set(['RNN', 'LSTM', 'GRU', 'RNNCell', 'LSTMCell', 'GRUCell']));
    for (const type of ['RNN', 'LSTM', 'GRU']) {
      const mine = cases.filter((c) => c.type === type);
      const has = (pred: (o: Record<string, unknown>) => boolean) => mine.some((c) => pred(c.args[2]));
      expect([has((o) => o.numLayers === 2), has((o) => o.bidirectional === true), has((o) => o.batchFirst === true), has((o) => o.bias === false)]).toEqual([true, true, true, true]);
      expect(mine.some((c) => c.states !== null) && mine.some((c) => c.states === null)).toBe(true);
      expect(mine.some((c) => (c.input as Nested[]).length > 8 || ((c.input as Nested[][])[0]?.length ?? 0) > 8)).toBe(true);
    }
  });
});

describe('recurrent layers: behaviour', () => {
  test('parameter names, shapes and order are PyTorch\'s', () => {
    const lstm = new LSTM(3, 5, { numLayers: 2, bidirectional: true, projSize: 2 });
    expect([...lstm.namedParameters()].slice(0, 6).map(([n, p]) => `${n} [${p.shape.join(', ')}]`)).toEqual([
      'weight_ih_l0 [20, 3]', 'weight_hh_l0 [20, 2]', 'bias_ih_l0 [20]', 'bias_hh_l0 [20]', 'weight_hr_l0 [2, 5]', 'weight_ih_l0_reverse [20, 3]',
    ]);
    expect(lstm.stateDict().weight_ih_l1.shape).toEqual([20, 4]);
    expect(lstm.allWeights.map((w) => w.length)).toEqual([5, 5, 5, 5]);
    expect(lstm.allWeights[3][0]).toBe((lstm as unknown as Record<string, Tensor>).weight_ih_l1_reverse);
    expect(lstm.allWeights[0]).toEqual([lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0, lstm.bias_hh_l0, lstm.weight_hr_l0]);
    expect(Object.keys(new GRU(2, 3, { bias: false }).stateDict())).toEqual(['weight_ih_l0', 'weight_hh_l0']);
    expect(Object.keys(new GRUCell(2, 3).stateDict())).toEqual(['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']);
    // Layer 0: 3·2 + 3·3 + 3 + 3; layers 1 and 2 read the 3 hidden units: 3·3 + 3·3 + 3 + 3 each.
    expect(new RNN(2, 3, { numLayers: 3 }).numParameters()).toBe(21 + 2 * 24);
  });

  test('initial weights are U(-1/√hidden, 1/√hidden), seeded by the generator', () => {
    const a = new LSTM(8, 16, { generator: new Generator(3) }), b = new LSTM(8, 16, { generator: new Generator(3) });
    for (const [name, p] of a.namedParameters()) {
      const values = Array.from(p.data);
      expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(0.25);
      expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(0.2);
      expect(Array.from((b.stateDict()[name]).data)).toEqual(values);
    }
  });

  test('toString shows the options that differ from the defaults', () => {
    expect(String(new LSTM(4, 5, { numLayers: 2, bidirectional: true, projSize: 3 }))).toMatch(/^LSTM\(4, 5, projSize=3, numLayers=2, bidirectional=true\)/);
    expect(String(new RNN(3, 4, { nonlinearity: 'relu', dropout: 0.2, numLayers: 2 }))).toMatch(/^RNN\(3, 4, numLayers=2, nonlinearity='relu', dropout=0.2\)/);
    expect(String(new GRUCell(2, 3, { bias: false }))).toMatch(/^GRUCell\(2, 3, bias=false\)/);
  });

  test('dropout between layers: random in training, off in eval, never after the last layer', () => {
    const x = randn([6, 3, 4], { generator: new Generator(1) });
    const lstm = new LSTM(4, 8, { numLayers: 2, dropout: 0.5, generator: new Generator(2) });
    const [a] = lstm.forward(x), [b] = lstm.forward(x);
    expect(Array.from(a.data)).not.toEqual(Array.from(b.data));
    lstm.eval();
    const [c] = lstm.forward(x), [d] = lstm.forward(x);
    expect(Array.from(c.data)).toEqual(Array.from(d.data));
    // The same weights without dropout give the eval output.
    const plain = new LSTM(4, 8, { numLayers: 2 });
    plain.loadStateDict(lstm.stateDict());
    expectClose(plain.forward(x)[0], c.toArray() as Nested, { atol: 1e-6, what: 'eval output' });
    // With one layer there is no layer to drop between: training output equals eval output.
    const single = new GRU(4, 8, { dropout: 0.9 });
    const [train] = single.forward(x);
    single.eval();
    expect(Array.from(single.forward(x)[0].data)).toEqual(Array.from(train.data));
  });

  test('a full dropout mask zeroes the second layer\'s input, so its output only depends on its biases', () => {
    const rnn = new RNN(2, 3, { numLayers: 2, dropout: 1 });
    const x1 = randn([4, 1, 2]), x2 = randn([4, 1, 2]);
    expect(Array.from(rnn.forward(x1)[0].data)).toEqual(Array.from(rnn.forward(x2)[0].data));
  });

  test('unbatched input gives unbatched output and states', () => {
    const gru = new GRU(3, 4, { numLayers: 2, bidirectional: true });
    const x = randn([5, 3]);
    const [out, h] = gru.forward(x);
    expect([out.shape, h.shape]).toEqual([[5, 8], [4, 4]]);
    const [outB, hB] = gru.forward(x.unsqueeze(1));
    expectClose(out, outB.squeeze(1).toArray() as Nested, { atol: 0, rtol: 0 });
    expectClose(h, hB.squeeze(1).toArray() as Nested, { atol: 0, rtol: 0 });
    const cell = new LSTMCell(3, 4);
    const [hc, cc] = cell.forward(randn([3]));
    expect([hc.shape, cc.shape]).toEqual([[4], [4]]);
  });

  test('a sequence layer equals its cell applied step by step', () => {
    const lstm = new LSTM(3, 4, { dtype: 'float64' });
    const cell = new LSTMCell(3, 4, { dtype: 'float64' });
    cell.loadStateDict({ weight_ih: lstm.weight_ih_l0, weight_hh: lstm.weight_hh_l0, bias_ih: lstm.bias_ih_l0 as Tensor, bias_hh: lstm.bias_hh_l0 as Tensor });
    const x = randn([12, 2, 3], { dtype: 'float64' });
    let state: [Tensor, Tensor] | undefined;
    const hs: Tensor[] = [];
    for (let t = 0; t < 12; t++) {
      state = cell.forward(x.slice([t]), state);
      hs.push(state[0]);
    }
    const [out, [hN, cN]] = lstm.forward(x);
    hs.forEach((h, t) => expectClose(out.slice([t]), h.toArray() as Nested, { what: `step ${t}` }));
    expectClose(hN.squeeze(0), state![0].toArray() as Nested);
    expectClose(cN.squeeze(0), state![1].toArray() as Nested);
  });

  test('errors name the layer and the shapes', () => {
    const lstm = new LSTM(3, 4, { numLayers: 2 });
    expect(() => lstm.forward(randn([5, 2, 2]))).toThrow('LSTM: expected input [T, N, 3] or unbatched [T, 3], got [5, 2, 2]');
    expect(() => new RNN(3, 4, { batchFirst: true }).forward(randn([2, 5]))).toThrow('RNN: expected input [N, T, 3] or unbatched [T, 3], got [2, 5]');
    expect(() => lstm.forward(randn([5, 2, 3]), [randn([2, 4]), randn([2, 4])])).toThrow('LSTM: expected h0 of shape [2, 2, 4] for input [5, 2, 3], got [2, 4]');
    expect(() => lstm.forward(randn([5, 2, 3]), [randn([2, 2, 4]), randn([1, 2, 4])])).toThrow('LSTM: expected c0 of shape [2, 2, 4] for input [5, 2, 3], got [1, 2, 4]');
    expect(() => lstm.forward(randn([5, 2, 3]), randn([2, 2, 4]) as never)).toThrow('LSTM: initial states must be a pair [h0, c0]');
    expect(() => new GRU(3, 4).forward(randn([0, 2, 3]))).toThrow('GRU: expected a sequence of length at least 1, got input [0, 2, 3]');
    expect(() => new GRU(3, 4, { numLayer: 2 } as never)).toThrow("GRU: unknown option 'numLayer'");
    expect(() => new RNN(3, 4, { nonlinearity: 'sigmoid' as never })).toThrow("RNN: nonlinearity must be 'tanh' or 'relu', got 'sigmoid'");
    expect(() => new LSTM(3, 4, { projSize: 4 })).toThrow('LSTM: projSize must be smaller than hiddenSize');
    expect(() => new RNN(3, 0)).toThrow('RNN: hiddenSize must be a positive integer, got 0');
    expect(() => new GRU(3, 4, { dropout: 1.5 })).toThrow('GRU: dropout must be a probability in [0, 1], got 1.5');
    expect(() => new RNNCell(3, 4).forward(randn([2, 4]))).toThrow('RNNCell: expected input [N, 3] or unbatched [3], got [2, 4]');
    expect(() => new GRUCell(3, 4).forward(randn([2, 3]), randn([3, 4]))).toThrow('GRUCell: expected h of shape [2, 4] for input [2, 3], got [3, 4]');
    expect(() => new LSTMCell(3, 4, { projSize: 2 } as never)).toThrow("LSTMCell: unknown option 'projSize'");
  });
});
