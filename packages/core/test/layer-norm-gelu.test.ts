/** The fused layerNorm and gelu primitives against their composite definitions, in both dtypes, and their errors. */
import * as tg from '@tensorgrad/core';
import { Generator, Tensor, tensor } from '@tensorgrad/core';

const gen = new Generator(8);
const randn = (shape: number[], dtype: 'float32' | 'float64' = 'float64') => tg.randn(shape, { dtype, generator: gen });

function maxDiff(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  let m = 0;
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
}

/** (x − mean) / √(var + eps) · w + b over the last `k` axes, from composites. */
function composite(x: Tensor, k: number, w?: Tensor, b?: Tensor, eps = 1e-5): Tensor {
  const axes = Array.from({ length: k }, (_, i) => x.ndim - k + i);
  const c = x.sub(x.mean(axes, true));
  let y = c.div(c.square().mean(axes, true).add(eps).sqrt());
  if (w) y = y.mul(w);
  if (b) y = y.add(b);
  return y;
}

describe('layerNorm', () => {
  test('forward and gradients equal the composite definition (affine, two normalised dims)', () => {
    const x = randn([4, 3, 5]).requiresGrad_(), w = randn([3, 5]).requiresGrad_(), b = randn([3, 5]).requiresGrad_();
    const y = tg.layerNorm(x, [3, 5], w, b);
    const [x2, w2, b2] = [x, w, b].map((t) => t.detach().requiresGrad_());
    const y2 = composite(x2, 2, w2, b2);
    expect(maxDiff(y, y2)).toBeLessThan(1e-13);
    const up = randn([4, 3, 5]);
    y.mul(up).sum().backward();
    y2.mul(up).sum().backward();
    for (const [a, c] of [[x, x2], [w, w2], [b, b2]]) expect(maxDiff(a.grad!, c.grad!)).toBeLessThan(1e-12);
  });

  test('float32 input keeps float32 and is accurate for rows with a large mean (statistics in double precision)', () => {
    const x64 = randn([6, 64]).mul(0.01).add(1000);
    const y = tg.layerNorm(x64.to('float32'), 64);
    expect(y.dtype).toBe('float32');
    // The float32 input itself is the rounded x64: compare with the exact normalisation of those float32 values.
    expect(maxDiff(y.to('float64'), composite(x64.to('float32').to('float64'), 1))).toBeLessThan(2e-6);
  });

  test('a constant row normalises to 0, and eps enters as in PyTorch', () => {
    expect(Array.from(tg.layerNorm(tensor([[2, 2, 2]], { dtype: 'float64' }), 3).data)).toEqual([0, 0, 0]);
    const y = tg.layerNorm(tensor([[1, 3]], { dtype: 'float64' }), 2, null, null, 1);
    expect(Array.from(y.data)).toEqual([-1 / Math.sqrt(2), 1 / Math.sqrt(2)]);
  });

  test('the backward reads the saved input: modifying it in place after the forward throws', () => {
    const x = randn([2, 4]).requiresGrad_();
    const w = randn([4]);
    const y = tg.layerNorm(x.mul(1), 4, w);
    w.mul_(2);
    expect(() => y.sum().backward()).toThrow(/'layerNorm' saved its input 1 \(shape \[4\]\)/);
  });

  test.each([
    ['a shape that does not end the input', () => tg.layerNorm(randn([2, 3]), [2]), /input of shape \[2, 3\] does not end with normalizedShape \[2\]/],
    ['a bad normalizedShape', () => tg.layerNorm(randn([2, 3]), [0]), /normalizedShape must be a positive integer/],
    ['a weight of the wrong shape', () => tg.layerNorm(randn([2, 3]), 3, randn([2])), /weight of shape \[2\] must have normalizedShape \[3\]/],
    ['a bias of another dtype', () => tg.layerNorm(randn([2, 3]), 3, null, randn([3], 'float32')), /bias is float32 but the input is float64/],
    ['a negative eps', () => tg.layerNorm(randn([2, 3]), 3, null, null, -1), /eps must be a finite number >= 0/],
  ])('%s throws', (_name, call, message) => {
    expect(call).toThrow(message);
  });
});

describe('gelu', () => {
  const B = Math.sqrt(2 / Math.PI);

  test('exact and tanh forms equal their composite definitions, with gradients', () => {
    const x = randn([50]).mul(3).requiresGrad_();
    const x2 = x.detach().requiresGrad_();
    const exact = x.gelu(), ref = x2.mul(0.5).mul(x2.mul(Math.SQRT1_2).erf().add(1));
    expect(maxDiff(exact, ref)).toBeLessThan(1e-15);
    exact.sum().backward();
    ref.sum().backward();
    expect(maxDiff(x.grad!, x2.grad!)).toBeLessThan(1e-14);
    const x3 = x.detach().requiresGrad_(), x4 = x.detach().requiresGrad_();
    const approx = tg.gelu(x3, { approximate: 'tanh' });
    const ref2 = x4.mul(0.5).mul(x4.add(x4.pow(3).mul(0.044715)).mul(B).tanh().add(1));
    expect(maxDiff(approx, ref2)).toBeLessThan(1e-15);
    approx.sum().backward();
    ref2.sum().backward();
    expect(maxDiff(x3.grad!, x4.grad!)).toBeLessThan(1e-14);
  });

  test('float32 (SIMD kernel) agrees with float64 to float32 precision, forward and backward', () => {
    const x = randn([4096]).mul(4);
    for (const approximate of ['none', 'tanh'] as const) {
      const a = x.to('float32').requiresGrad_(), b = x.detach().requiresGrad_();
      const ya = a.gelu({ approximate }), yb = b.gelu({ approximate });
      expect(maxDiff(ya.to('float64'), yb)).toBeLessThan(3e-6);
      ya.sum().backward();
      yb.sum().backward();
      expect(maxDiff(a.grad!.to('float64'), b.grad!)).toBeLessThan(3e-6);
    }
  });

  test('the backward is one fused op whose own gradient gives the second derivative', () => {
    const x = tensor([-1.5, 0.3, 2], { dtype: 'float64', requiresGrad: true });
    const [d1] = tg.grad(x.gelu().sum(), [x], null, { createGraph: true });
    expect(d1.op).toBe('geluBackward');
    const [d2] = tg.grad(d1.sum(), [x]);
    const phi = (v: number) => Math.exp(-v * v / 2) / Math.sqrt(2 * Math.PI);
    [-1.5, 0.3, 2].forEach((v, i) => expect(d2.data[i]).toBeCloseTo(phi(v) * (2 - v * v), 14));
  });

  test('options are checked', () => {
    const x = randn([2]);
    expect(() => x.gelu({ approximate: 'fast' as never })).toThrow(/gelu: approximate must be 'none' or 'tanh', got "fast"/);
    expect(() => x.gelu({ approx: 'tanh' } as never)).toThrow(/gelu: unknown option 'approx'/);
  });
});
