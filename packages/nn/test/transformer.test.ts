/**
 * MultiheadAttention, the Transformer layers, RMSNorm, SiLU and Embedding (padding index) against PyTorch
 * (fixtures/transformer-reference.json, made by transformer-generate.py with torch 1.13; RMSNorm as PyTorch 2.4 defines
 * it): each case loads the PyTorch state_dict exactly as PyTorch names it with loadStateDict, runs the same forward
 * (masks, padding, needWeights, batchFirst, pre/post-norm, relu/gelu, stacks) and compares outputs, input gradients and
 * every parameter gradient in float64.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor, tensor } from '@tensorgrad/core';
import {
  Embedding, LayerNorm, Module, MultiheadAttention, RMSNorm, SiLU, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder,
  TransformerEncoderLayer,
} from '../src/index.js';

interface Encoded {
  shape: number[];
  data: (number | 'Infinity' | '-Infinity')[];
  dtype?: 'bool' | 'int64';
}

interface TransformerCase {
  name: string;
  type: string;
  args: unknown[];
  state: Record<string, Encoded>;
  inputs: Encoded[];
  call: number[];
  options: Record<string, Encoded | boolean>;
  outputs: (Encoded | null)[];
  upstream: (Encoded | null)[];
  inputGrads: (Encoded | null)[];
  paramGrads: Record<string, Encoded | null>;
}

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'transformer-reference.json'), 'utf8')) as { torch: string; cases: TransformerCase[] };

/** float64 tensor, or int32 for PyTorch bool masks (1 = True) and integer (index) inputs. */
function decode(e: Encoded): Tensor {
  const values = e.data.map((v) => (v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v));
  return e.dtype !== undefined ? tensor(Int32Array.from(values), { dtype: 'int32', shape: e.shape }) : tensor(Float64Array.from(values), { dtype: 'float64', shape: e.shape });
}

function build(c: TransformerCase): Module {
  const [d, h, opts, stack] = c.args as [number, number, Record<string, unknown>, { numLayers: number; norm?: boolean }?];
  const o = { ...opts, dtype: 'float64' as const };
  switch (c.type) {
    case 'RMSNorm': return new RMSNorm(c.args[0] as number | number[], { ...(c.args[1] as object), dtype: 'float64' });
    case 'SiLU': return new SiLU();
    case 'Embedding': return new Embedding(d, h, o);
    case 'MultiheadAttention': return new MultiheadAttention(d, h, o);
    case 'TransformerEncoderLayer': return new TransformerEncoderLayer(d, h, o);
    case 'TransformerDecoderLayer': return new TransformerDecoderLayer(d, h, o);
    case 'TransformerEncoder':
      return new TransformerEncoder(new TransformerEncoderLayer(d, h, o), stack!.numLayers, { norm: stack!.norm ? new LayerNorm(d, { dtype: 'float64' }) : null });
    case 'TransformerDecoder':
      return new TransformerDecoder(new TransformerDecoderLayer(d, h, o), stack!.numLayers, { norm: stack!.norm ? new LayerNorm(d, { dtype: 'float64' }) : null });
    default: throw new Error(`unknown type ${c.type}`);
  }
}

function expectClose(got: Tensor | null, want: Encoded, what: string, tol = 1e-10): void {
  if (got === null) throw new Error(`${what}: missing`);
  const w = decode(want);
  expect({ what, shape: got.shape }).toEqual({ what, shape: w.shape });
  let worst = 0, at = -1;
  for (let i = 0; i < w.size; i++) {
    const err = Math.abs(got.data[i] - w.data[i]) / (1 + Math.abs(w.data[i]));
    if (!(err <= worst)) [worst, at] = [err, i];
  }
  if (worst > tol) throw new Error(`${what}: element ${at} is ${got.data[at]}, PyTorch ${w.data[at]}`);
}

describe(`attention and Transformer layers vs PyTorch ${fixture.torch}`, () => {
  test.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const module = build(c);
    // The state dict names are PyTorch's, in PyTorch's order, and load unchanged.
    expect(Object.keys(module.stateDict())).toEqual(Object.keys(c.state));
    module.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, decode(v)])));
    const inputs = c.inputs.map((e) => (e.dtype === 'int64' ? decode(e) : decode(e).requiresGrad_()));
    const args = c.call.map((i) => inputs[i]);
    const options = Object.fromEntries(Object.entries(c.options).map(([k, v]) => [k, typeof v === 'boolean' ? v : decode(v)]));
    const result = (module.forward as (...a: unknown[]) => Tensor | [Tensor, Tensor | null])(...args, options);
    const outputs = Array.isArray(result) ? result : [result];
    expect(outputs.length).toBe(c.outputs.length);
    let loss: Tensor | null = null;
    c.outputs.forEach((want, i) => {
      if (want === null) {
        expect(outputs[i]).toBeNull();
        return;
      }
      expectClose(outputs[i], want, `output ${i}`);
      const term = (outputs[i] as Tensor).mul(decode(c.upstream[i] as Encoded)).sum();
      loss = loss === null ? term : loss.add(term);
    });
    (loss as unknown as Tensor).backward();
    c.inputGrads.forEach((want, i) => (want === null ? expect(inputs[i].grad).toBeNull() : expectClose(inputs[i].grad, want, `grad of input ${i}`)));
    const params = Object.fromEntries(module.namedParameters());
    expect(Object.keys(params).sort()).toEqual(Object.keys(c.paramGrads).sort());
    for (const [name, want] of Object.entries(c.paramGrads)) {
      if (want === null) expect(params[name].grad).toBeNull();
      else expectClose(params[name].grad, want, `grad of ${name}`);
    }
  });

  test('the fixture covers every attention and Transformer class and the other new layers', () => {
    expect([...new Set(fixture.cases.map((c) => c.type))].sort()).toEqual([
      'Embedding', 'MultiheadAttention', 'RMSNorm', 'SiLU', 'TransformerDecoder', 'TransformerDecoderLayer', 'TransformerEncoder',
      'TransformerEncoderLayer']);
  });
});
