/**
 * Every loss against PyTorch 1.13 (fixtures/losses-reference.json, made by losses-generate.py): values and input
 * gradients in float64, including weights, ignoreIndex, label smoothing, probability targets and huge logits. Then the
 * errors a user gets for bad targets.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor, tensor } from '@tensorgrad/core';
import * as nn from '../src/index.js';
import { expectClose, flat, type Nested } from './helpers.js';

interface LossCase {
  name: string;
  loss: string;
  input: Nested;
  target: Nested;
  targetKind: 'float' | 'index' | 'probs';
  options: Record<string, unknown>;
  optionTensors: string[];
  upstream: Nested;
  output: Nested;
  inputGrad: Nested;
}

const cases = (JSON.parse(readFileSync(join(__dirname, 'fixtures', 'losses-reference.json'), 'utf8')) as { cases: LossCase[] }).cases;
type LossFn = (input: Tensor, target: unknown, opts?: Record<string, unknown>) => Tensor;
const f64 = (v: Nested) => tensor(v as number[], { dtype: 'float64' });

describe('losses match PyTorch', () => {
  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const fn = (nn as unknown as Record<string, LossFn>)[c.loss];
    const input = tensor(c.input as number[], { dtype: 'float64', requiresGrad: true });
    const target = c.targetKind === 'index' ? tensor(c.target as number[], { dtype: 'int32' }) : f64(c.target);
    const opts = Object.fromEntries(Object.entries(c.options).map(([k, v]) => [k, c.optionTensors.includes(k) ? f64(v as Nested) : v]));
    const out = fn(input, target, opts);
    expectClose(out, c.output, { what: 'loss' });
    out.mul(f64(c.upstream)).sum().backward();
    if (c.name.startsWith('bce saturated')) {
      // PyTorch's hand-written BCE backward divides by max(p(1-p), 1e-12), which gives 0 at p = 1, t = 1 and ±1e12 where
      // a log is clamped. Ours is the exact derivative of the clamped composite: -t/p + (1-t)/(1-p), each term 0 where
      // its log is clamped at -100. Away from saturation both agree.
      const [p, t, u, want] = [c.input, c.target, c.upstream, c.inputGrad].map(flat);
      const got = Array.from((input.grad as Tensor).data);
      const unclamped = (q: number) => Math.log(q) >= -100;
      p.forEach((pi, i) => {
        const exact = ((unclamped(pi) ? -t[i] / pi : 0) + (unclamped(1 - pi) ? (1 - t[i]) / (1 - pi) : 0)) * u[i];
        expect(got[i]).toBeCloseTo(pi * (1 - pi) > 1e-12 ? want[i] : exact, 10);
      });
    } else {
      expectClose(input.grad as Tensor, c.inputGrad, { what: 'input grad' });
    }
  });

  test('the fixture covers every loss, reduction and crossEntropy option', () => {
    const names = new Set(cases.map((c) => c.loss));
    for (const loss of ['mseLoss', 'l1Loss', 'huberLoss', 'smoothL1Loss', 'bceLoss', 'bceWithLogitsLoss', 'crossEntropy', 'nllLoss']) expect(names).toContain(loss);
    const ce = cases.filter((c) => c.loss === 'crossEntropy');
    for (const opt of ['weight', 'labelSmoothing', 'ignoreIndex', 'reduction']) expect(ce.some((c) => opt in c.options)).toBe(true);
    expect(ce.some((c) => c.targetKind === 'probs')).toBe(true);
  });
});

describe('losses in float32', () => {
  test('crossEntropy of huge float32 logits stays finite and exact', () => {
    const logits = tensor([[1e4, 0, -1e4], [3e4, 3e4, -3e4]], { requiresGrad: true });
    const loss = nn.crossEntropy(logits, [1, 0], { reduction: 'none' });
    expect(loss.data[0]).toBe(1e4);
    // 3e4 + ln 2 rounds to float32 spacing (~0.002) before 3e4 is subtracted back.
    expect(loss.data[1]).toBeCloseTo(Math.LN2, 2);
    loss.sum().backward();
    expect(Array.from((logits.grad as Tensor).data).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([1, -1, 0, -0.5, 0.5, 0]);
  });

  test('bceWithLogitsLoss of ±1000 in float32 is finite', () => {
    const loss = nn.bceWithLogitsLoss(tensor([1000, -1000, 1000]), tensor([1, 0, 0]), { reduction: 'none' });
    expect(Array.from(loss.data)).toEqual([0, 0, 1000]);
  });

  test('bceLoss at exact 0 and 1 is 100 with a zero (not NaN) gradient', () => {
    const p = tensor([0, 1], { requiresGrad: true });
    const loss = nn.bceLoss(p, tensor([1, 0]), { reduction: 'sum' });
    expect(loss.item()).toBeCloseTo(200, 4);
    loss.backward();
    expect(Array.from((p.grad as Tensor).data)).toEqual([0, 0]);
  });

  test('targets may be plain arrays', () => {
    expect(nn.mseLoss(tensor([1, 2, 3]), [1, 2, 5]).item()).toBeCloseTo(4 / 3, 6);
    expect(nn.crossEntropy(tensor([[0, 0]]), new Int32Array([1])).item()).toBeCloseTo(Math.LN2, 6);
    expect(nn.crossEntropy(tensor([0, 0, 0]), 2).item()).toBeCloseTo(Math.log(3), 6);
  });
});

describe('loss errors name the loss and the shapes', () => {
  const logits = tensor([[1, 2, 3], [4, 5, 6]]);
  test.each([
    ['class index too large', () => nn.crossEntropy(logits, [0, 3]), /crossEntropy: target class 3 out of range \[0, 3\) at position 1 \(input \[2, 3\]/],
    ['negative class index', () => nn.crossEntropy(logits, [-1, 0]), /crossEntropy: target class -1 out of range/],
    ['non-integer class index', () => nn.crossEntropy(logits, tensor([0.5, 1])), /crossEntropy: target must hold integers, got 0.5/],
    ['wrong number of targets', () => nn.crossEntropy(logits, [0, 1, 2]), /crossEntropy: target \[3\] does not match input \[2, 3\]: class indices must be \[2\] \(or class probabilities \[2, 3\]\)/],
    ['int32 targets shaped like logits', () => nn.crossEntropy(logits, tensor([[0, 1, 0], [1, 0, 0]], { dtype: 'int32' })), /crossEntropy: target \[2, 3\] does not match input \[2, 3\]/],
    ['wrong weight length', () => nn.crossEntropy(logits, [0, 1], { weight: tensor([1, 2]) }), /crossEntropy: weight must be \[3\].*got \[2\]/],
    ['bad labelSmoothing', () => nn.crossEntropy(logits, [0, 1], { labelSmoothing: 1.5 }), /crossEntropy: labelSmoothing must be a number in \[0, 1\], got 1.5/],
    ['bad reduction', () => nn.crossEntropy(logits, [0, 1], { reduction: 'avg' as never }), /crossEntropy: reduction must be 'mean', 'sum' or 'none', got "avg"/],
    ['scalar logits', () => nn.crossEntropy(tensor(1), [0]), /crossEntropy: input must be \[C\], \[N, C\] or \[N, C, d1, \.\.\.\], got a scalar/],
    ['nll out of range', () => nn.nllLoss(logits, [5, 0]), /nllLoss: target class 5 out of range \[0, 3\)/],
    ['nll shape', () => nn.nllLoss(logits, [[0, 1]]), /nllLoss: target \[1, 2\] does not match input \[2, 3\]: class indices must be \[2\]$/],
    ['ragged nested target', () => nn.nllLoss(logits, [[0], [1, 2]]), /nllLoss: target must be a number or a rectangular \(nested\) array of integers: ragged nested array at index \[1\]/],
    ['mse shape mismatch (no silent broadcasting)', () => nn.mseLoss(tensor([[1], [2]]), tensor([1, 2])), /mseLoss: input \[2, 1\] and target \[2\] must have the same shape/],
    ['l1 shape mismatch', () => nn.l1Loss(tensor([1, 2]), tensor([1, 2, 3])), /l1Loss: input \[2\] and target \[3\]/],
    ['huber bad delta', () => nn.huberLoss(tensor([1]), tensor([1]), { delta: 0 }), /huberLoss: delta must be a number > 0, got 0/],
    ['bce probabilities out of range', () => nn.bceLoss(tensor([0.5, 1.5]), tensor([1, 0])), /bceLoss: input must hold probabilities in \[0, 1\].*got 1.5 at flat position 1 of \[2\]/],
    ['bce shape', () => nn.bceLoss(tensor([0.5]), tensor([1, 0])), /bceLoss: input \[1\] and target \[2\] must have the same shape/],
    ['bce with logits posWeight shape', () => nn.bceWithLogitsLoss(logits, tensor([[1, 0, 1], [0, 1, 0]]), { posWeight: tensor([1, 2]) }), /bceWithLogitsLoss: posWeight \[2\] is not broadcastable to input \[2, 3\]/],
    ['input not a tensor', () => nn.mseLoss([1, 2] as unknown as Tensor, [1, 2]), /mseLoss: input must be a Tensor/],
  ])('%s', (_name, fn, message) => {
    expect(fn).toThrow(message);
  });
});
