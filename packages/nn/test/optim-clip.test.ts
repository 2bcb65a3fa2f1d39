/** clipGradNorm / clipGradValue on hand-checkable gradients (the PyTorch trajectories cover them in training). */
import { Tensor, tensor } from '@tensorgrad/core';
import { clipGradNorm, clipGradValue } from '../src/optim/index.js';

function withGrad(values: number[], grad: number[] | null, dtype: 'float32' | 'float64' = 'float32'): Tensor {
  const t = tensor(values, { requiresGrad: true, dtype });
  t.grad = grad === null ? null : tensor(grad, { dtype });
  return t;
}

describe('clipGradNorm', () => {
  test('returns the joint 2-norm and rescales every gradient in place to maxNorm', () => {
    const a = withGrad([0, 0], [3, 4], 'float64');
    const b = withGrad([0], [12], 'float64');
    const gradA = a.grad!;
    expect(clipGradNorm([a, b], 6.5)).toBeCloseTo(13, 12);
    expect(a.grad).toBe(gradA); // modified in place, like PyTorch's clip_grad_norm_
    const scale = 6.5 / (13 + 1e-6);
    expect(Array.from(a.grad!.data)).toEqual([3 * scale, 4 * scale].map((v) => expect.closeTo(v, 14)));
    expect(b.grad!.data[0]).toBeCloseTo(12 * scale, 14);
  });

  test('leaves gradients untouched when the norm is already below maxNorm', () => {
    const a = withGrad([0, 0], [0.3, -0.4]);
    expect(clipGradNorm(a, 1)).toBeCloseTo(0.5, 6);
    expect(Array.from(a.grad!.data)).toEqual([Math.fround(0.3), Math.fround(-0.4)]);
  });

  test.each<[number | 'inf', number]>([
    [1, 3 + 4 + 12],
    [3, Math.cbrt(27 + 64 + 1728)],
    [Infinity, 12],
    ['inf', 12],
  ])('normType %p', (normType, expected) => {
    const a = withGrad([0, 0], [3, -4], 'float64');
    const b = withGrad([0], [-12], 'float64');
    expect(clipGradNorm([a, b], 1, normType)).toBeCloseTo(expected, 12);
    const scale = 1 / (expected + 1e-6);
    expect(b.grad!.data[0]).toBeCloseTo(-12 * scale, 14);
  });

  test('skips parameters without gradients and returns 0 when none has one', () => {
    const none = withGrad([1, 2], null);
    expect(clipGradNorm([none], 1)).toBe(0);
    const some = withGrad([1], [10]);
    expect(clipGradNorm([none, some], 1)).toBeCloseTo(10, 5);
    expect(none.grad).toBeNull();
  });

  test.each<[string, () => unknown, RegExp]>([
    ['normType 0', () => clipGradNorm([withGrad([1], [1])], 1, 0), /clipGradNorm: normType must be a positive number or Infinity, got 0/],
    ['normType NaN', () => clipGradNorm([withGrad([1], [1])], 1, NaN), /normType must be a positive number or Infinity, got NaN/],
    ['a negative maxNorm', () => clipGradNorm([withGrad([1], [1])], -1), /clipGradNorm: maxNorm must be a number >= 0, got -1/],
    ['a non-tensor', () => clipGradNorm([1 as never], 1), /clipGradNorm: params\[0\] is not a Tensor/],
  ])('rejects %s', (_what, call, message) => {
    expect(call).toThrow(message);
  });
});

describe('clipGradValue', () => {
  test('clamps every element into [-clipValue, clipValue] in place', () => {
    const a = withGrad([0, 0, 0], [-3, 0.25, 2]);
    const b = withGrad([0], [-0.5]);
    const gradA = a.grad!;
    clipGradValue([a, b], 0.5);
    expect(a.grad).toBe(gradA);
    expect(Array.from(a.grad!.data)).toEqual([-0.5, 0.25, 0.5]);
    expect(Array.from(b.grad!.data)).toEqual([-0.5]);
  });

  test('accepts a single tensor and rejects a negative clipValue', () => {
    const a = withGrad([0], [7]);
    clipGradValue(a, 1);
    expect(Array.from(a.grad!.data)).toEqual([1]);
    expect(() => clipGradValue(a, -1)).toThrow(/clipGradValue: clipValue must be a number >= 0, got -1/);
  });
});
