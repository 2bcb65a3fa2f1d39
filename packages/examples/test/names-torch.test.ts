/**
 * A GPT trained by PyTorch loads into names.ts's NamesGpt unchanged and computes PyTorch's numbers. The fixtures come
 * from `/usr/bin/python3 packages/examples/python/names_gpt.py fixture` (torch 1.13): a 2-block, 16-dim GPT built from
 * torch.nn.TransformerEncoderLayer(norm_first=True) trained 100 AdamW steps on the training names, its state_dict()
 * as safetensors, and an input with PyTorch's logits, loss and the gradient of that loss for every parameter.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import type { Tensor } from '@tensorgrad/core';
import { crossEntropy, deserialize, readMetadata } from '@tensorgrad/nn';
import { NamesGpt, type GptConfig } from '../src/names.js';

const fixtures = join(__dirname, 'fixtures');
const stateBytes = readFileSync(join(fixtures, 'names-gpt-torch.safetensors'));
const state = deserialize(stateBytes);
const io = deserialize(readFileSync(join(fixtures, 'names-gpt-torch-io.safetensors')));
const config = JSON.parse(readMetadata(stateBytes).config) as GptConfig;

function expectClose(actual: Tensor, expected: Tensor, atol: number, what: string): void {
  expect({ what, shape: actual.shape }).toEqual({ what, shape: expected.shape });
  let worst = 0;
  for (let i = 0; i < expected.size; i++) worst = Math.max(worst, Math.abs(actual.data[i] - expected.data[i]) - atol * Math.abs(expected.data[i]));
  expect({ what, worst: worst <= atol }).toEqual({ what, worst: true });
}

describe('a PyTorch-trained names GPT', () => {
  const model = new NamesGpt(config);

  it("loads with loadStateDict as PyTorch saved it: the same names and shapes, nothing renamed", () => {
    expect(Object.keys(state).sort()).toEqual(Object.keys(model.stateDict()).sort());
    expect(Object.keys(state)).toContain('blocks.1.self_attn.in_proj_weight');
    const result = model.loadStateDict(state);
    expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(Array.from(model.head.weight.data)).toEqual(Array.from(state['head.weight'].data));
  });

  it("gives PyTorch's logits, loss and parameter gradients", () => {
    model.zeroGrad();
    const logits = model.forward(io.input);
    expectClose(logits, io.logits, 2e-5, 'logits');
    const loss = crossEntropy(logits.reshape([-1, config.vocab]), io.target.reshape([-1]), { ignoreIndex: -1 });
    expect(loss.item()).toBeCloseTo(io.loss.item(), 5);
    loss.backward();
    const named = [...model.namedParameters()];
    expect(named.length).toBe(Object.keys(state).length);
    for (const [name, p] of named) expectClose(p.grad as Tensor, io[`grad.${name}`], 1e-4, `grad of ${name}`);
  });
});
