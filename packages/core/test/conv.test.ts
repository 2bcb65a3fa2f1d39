/**
 * Convolution and pooling ops beyond the PyTorch reference values and the gradcheck table: argument errors, dtypes,
 * float32 against float64, saved-tensor versions, the graph a second derivative builds, and max-pool indices.
 */
import * as tg from '@tensorgrad/core';
import { Generator, Tensor, noGrad } from '@tensorgrad/core';

function rnd(shape: number[], seed: number, dtype: 'float32' | 'float64' = 'float64'): Tensor {
  return tg.randn(shape, { dtype, generator: new Generator(seed) });
}

describe('argument errors name the function, the shapes and the option', () => {
  const x = rnd([2, 3, 6, 6], 1), w = rnd([4, 3, 3, 3], 2);
  test.each<[string, () => unknown, RegExp]>([
    ['input rank', () => tg.conv2d(rnd([6, 6], 1), w), /conv2d: expected input \[N, C, H, W\] or unbatched \[C, H, W\], got shape \[6, 6\]/],
    ['weight rank', () => tg.conv2d(x, rnd([4, 3, 3], 2)), /conv2d: expected a 4-D weight .* got shape \[4, 3, 3\]/],
    ['channels', () => tg.conv2d(x, rnd([4, 2, 3, 3], 2)), /conv2d: given groups=1, weight of shape \[4, 2, 3, 3\] expects input with 2 channels, but input of shape \[2, 3, 6, 6\] has 3/],
    ['input channels vs groups', () => tg.conv2d(x, rnd([4, 1, 3, 3], 2), null, { groups: 2 }), /conv2d: 3 input channels \(input \[2, 3, 6, 6\]\) are not divisible by groups=2/],
    ['output channels vs groups', () => tg.conv2d(rnd([1, 4, 5, 5], 1), rnd([3, 2, 3, 3], 2), null, { groups: 2 }), /conv2d: 3 output channels \(weight \[3, 2, 3, 3\]\) are not divisible by groups=2/],
    ['kernel larger than the padded input', () => tg.conv2d(rnd([1, 3, 4, 4], 1), rnd([2, 3, 7, 7], 2), null, { padding: 1 }),
      /conv2d: kernel \[7, 7\] \(dilation \[1, 1\]\) is larger than the padded input \[6, 6\] of input shape \[1, 3, 4, 4\]/],
    ['dilated kernel larger than the input', () => tg.conv1d(rnd([1, 1, 5], 1), rnd([1, 1, 3], 2), null, { dilation: 3 }), /conv1d: kernel \[3\] \(dilation \[3\]\) is larger than the padded input \[5\]/],
    ["'same' with a stride", () => tg.conv2d(x, w, null, { padding: 'same', stride: 2 }), /conv2d: padding 'same' needs stride 1, got stride \[2, 2\]/],
    ['unknown padding string', () => tg.conv2d(x, w, null, { padding: 'full' as 'same' }), /conv2d: padding must be a number, a pair, 'valid' or 'same', got "full"/],
    ['unknown option', () => tg.conv2d(x, w, null, { strides: 2 } as tg.ConvOptions), /conv2d: unknown option 'strides' \(known: stride, padding, dilation, groups\)/],
    ['bias shape', () => tg.conv2d(x, w, rnd([3], 3)), /conv2d: bias of shape \[3\] does not match the 4 output channels \(expected \[4\]\)/],
    ['stride 0', () => tg.conv2d(x, w, null, { stride: 0 }), /conv2d: stride must be an integer or 2 integers ≥ 1, got 0/],
    ['padding pair of the wrong length', () => tg.conv2d(x, w, null, { padding: [1, 1, 1] }), /conv2d: padding must be an integer or 2 integers ≥ 0, got \[1, 1, 1\]/],
    ['not a tensor', () => tg.conv2d([[1]] as unknown as Tensor, w), /conv2d: input must be a Tensor, got \[…\]/],
    ['transposed weight channels', () => tg.convTranspose2d(x, rnd([4, 2, 3, 3], 2)), /convTranspose2d: weight of shape \[4, 2, 3, 3\] expects input with 4 channels, but input of shape \[2, 3, 6, 6\] has 3/],
    ['output padding', () => tg.convTranspose2d(x, rnd([3, 2, 3, 3], 2), null, { stride: 2, outputPadding: 2 }),
      /convTranspose2d: outputPadding \[2, 2\] must be smaller than either stride \[2, 2\] or dilation \[1, 1\]/],
    ['transposed output empty', () => tg.convTranspose1d(rnd([1, 1, 2], 1), rnd([1, 1, 2], 2), null, { padding: 2 }), /convTranspose1d: input of shape \[1, 1, 2\] with weight \[1, 1, 2\] gives an empty output \[-1\]/],
    ['pool padding over half the kernel', () => tg.maxPool2d(x, 2, { padding: 2 }), /maxPool2d: padding \[2, 2\] must be at most half the kernel size \[2, 2\]/],
    ['pool output too small', () => tg.maxPool2d(rnd([1, 1, 2, 2], 1), 3), /maxPool2d: input of shape \[1, 1, 2, 2\] is too small for kernel \[3, 3\] .* the output size would be \[0, 0\]/],
    ['pool input rank', () => tg.maxPool1d(rnd([4], 1), 2), /maxPool1d: expected input \[N, C, L\] or unbatched \[C, L\], got shape \[4\]/],
    ['pool option', () => tg.maxPool2d(x, 2, { ceil: true } as tg.MaxPoolOptions), /maxPool2d: unknown option 'ceil'/],
    ['pool flag type', () => tg.maxPool2d(x, 2, { ceilMode: 1 as unknown as boolean }), /maxPool2d: ceilMode must be a boolean, got 1/],
    ['divisor 0', () => tg.avgPool2d(x, 2, { divisorOverride: 0 }), /avgPool2d: divisorOverride must be a non-zero integer, got 0/],
    ['adaptive size', () => tg.adaptiveAvgPool2d(x, [0, 2]), /adaptiveAvgPool2d: outputSize must be a positive integer or a pair/],
    ['interpolate size and scale', () => tg.interpolate(x, { size: 4, scaleFactor: 2 }), /interpolate: give exactly one of size and scaleFactor/],
    ['interpolate alignCorners with nearest', () => tg.interpolate(x, { size: 4, alignCorners: true }), /interpolate: alignCorners can only be set with mode 'linear' or 'bilinear'/],
    ['interpolate bilinear on 3-D input', () => tg.interpolate(rnd([1, 2, 5], 1), { size: 4, mode: 'bilinear' }), /interpolate: mode 'bilinear' needs a 4-D input \[N, C, H, W\], got shape \[1, 2, 5\]/],
    ['interpolate unbatched', () => tg.interpolate(rnd([2, 5], 1), { size: 4 }), /interpolate: expected input \[N, C, L\] or \[N, C, H, W\], got shape \[2, 5\]/],
  ])('%s', (_name, call, message) => {
    expect(call).toThrow(message);
  });
});

describe('dtypes', () => {
  test('float32 convolution (through the SIMD gemm) agrees with float64 to float32 precision', () => {
    const x = rnd([3, 4, 9, 8], 4), w = rnd([6, 2, 3, 3], 5), b = rnd([6], 6);
    const opts = { stride: [2, 1], padding: 1, groups: 2 };
    const y64 = tg.conv2d(x, w, b, opts), y32 = tg.conv2d(x.to('float32'), w.to('float32'), b.to('float32'), opts);
    expect(y32.dtype).toBe('float32');
    let worst = 0;
    for (let i = 0; i < y64.size; i++) worst = Math.max(worst, Math.abs(y64.data[i] - y32.data[i]));
    expect(worst).toBeLessThan(1e-5);
    expect(worst).toBeGreaterThan(0);
  });

  test('mixed float32/float64 operands promote to float64; int32 input computes in float32', () => {
    const w = rnd([1, 1, 2, 2], 7, 'float32');
    expect(tg.conv2d(rnd([1, 1, 3, 3], 8), w).dtype).toBe('float64');
    const xi = tg.tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]], { dtype: 'int32' });
    const ones = tg.ones([1, 1, 2, 2]);
    expect(tg.conv2d(xi, ones).toArray()).toEqual([[[[12, 16], [24, 28]]]]);
    expect(tg.maxPool2d(xi, 2, { stride: 1 }).dtype).toBe('float32');
  });
});

describe('saved tensors', () => {
  test('modifying the weight in place after the forward makes backward throw, naming conv2d', () => {
    const x = rnd([1, 1, 4, 4], 9).requiresGrad_();
    const w = rnd([1, 1, 2, 2], 10).requiresGrad_();
    const loss = tg.conv2d(x, w).sum();
    noGrad(() => w.add_(1));
    expect(() => loss.backward()).toThrow(/'conv2d' saved its input 1 \(shape \[1, 1, 2, 2\]\) at version 0, and it is now at version 1/);
  });

  test('pooling saves nothing: changing the input after max pooling leaves its gradient valid', () => {
    const x = tg.tensor([[[1, 5, 2, 0]]], { requiresGrad: true });
    const y = tg.maxPool1d(x, 2);
    noGrad(() => x.mul_(0));
    y.sum().backward();
    expect(x.grad!.toArray()).toEqual([[[0, 1, 1, 0]]]);
  });
});

describe('graphs', () => {
  test("a conv's gradient graph is made of conv ops: the input gradient is a transposed conv, the weight gradient a conv2dWeight", () => {
    const x = rnd([1, 2, 4, 4], 11).requiresGrad_(), w = rnd([3, 2, 3, 3], 12).requiresGrad_();
    const y = tg.conv2d(x, w, null, { padding: 1 });
    const [gx, gw] = tg.grad(y.square().sum(), [x, w], null, { createGraph: true });
    expect(gx.op).toBe('convTranspose2d');
    expect(gw.op).toBe('conv2dWeight');
    // Hessian-vector product through both: finite, shaped like the inputs.
    const [hx, hw] = tg.grad(gx.sum().add(gw.sum()), [x, w]);
    expect(hx.shape).toEqual(x.shape);
    expect(hw.shape).toEqual(w.shape);
  });

  test('conv1d and convTranspose1d record their own names; max pooling records maxPool2d', () => {
    const x = rnd([1, 2, 5], 13).requiresGrad_();
    expect(tg.conv1d(x, rnd([1, 2, 2], 14)).op).toBe('conv1d');
    expect(tg.convTranspose1d(x, rnd([2, 1, 2], 15)).op).toBe('convTranspose1d');
    expect(tg.maxPool2d(rnd([1, 4, 4], 16).requiresGrad_(), 2).op).toBe('maxPool2d');
    expect(tg.interpolate(rnd([1, 1, 2, 2], 17).requiresGrad_(), { scaleFactor: 2 }).op).toBe('interpolate');
  });
});

describe('values', () => {
  test('maxPool2d returnIndices gives flat indices within each plane; ties go to the first maximum', () => {
    const x = tg.tensor([[[[1, 3, 3, 0], [2, 3, 1, 7], [0, 0, 4, 4], [9, 0, 4, 4]]]]);
    const [values, indices] = tg.maxPool2d(x, 2, { returnIndices: true });
    expect(values.toArray()).toEqual([[[[3, 7], [9, 4]]]]);
    expect(indices.dtype).toBe('int32');
    expect(indices.toArray()).toEqual([[[[1, 7], [12, 10]]]]);
  });

  test("'same' keeps the size for even kernels by padding one more at the end, as PyTorch does", () => {
    const x = tg.tensor([[[1, 2, 3, 4]]]);
    expect(tg.conv1d(x, tg.tensor([[[1, 10]]]), null, { padding: 'same' }).toArray()).toEqual([[[21, 32, 43, 4]]]);
  });

  test('convTranspose2d is the adjoint of conv2d: <conv(x, w), y> = <x, convT(y, w)>', () => {
    const x = rnd([2, 4, 7, 6], 18), w = rnd([6, 2, 3, 2], 19), opts = { stride: 2, padding: 1, dilation: [1, 2], groups: 2 };
    const y = tg.conv2d(x, w, null, opts);
    const u = rnd(y.shape as number[], 20);
    const back = tg.convTranspose2d(u, w, null, { ...opts, outputPadding: [0, 1] });
    expect(back.shape).toEqual(x.shape);
    expect(tg.sum(tg.mul(y, u)).item()).toBeCloseTo(tg.sum(tg.mul(x, back)).item(), 10);
  });
});
