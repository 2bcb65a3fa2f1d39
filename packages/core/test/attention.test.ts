/**
 * scaledDotProductAttention and attentionWeights beyond the gradcheck table and the PyTorch fixtures: agreement with the
 * composite softmax(q·kᵀ·scale + mask)·v in both dtypes and across the kernel's row blocks, causal masks of every aspect,
 * dropout (seeded, saved for backward), fully blocked rows, and the errors of each misuse.
 */
import * as tg from '@tensorgrad/core';
import { Generator, Tensor, tensor, zeros, rand } from '@tensorgrad/core';

const gen = new Generator(42);
const randn = (shape: number[], dtype: 'float32' | 'float64' = 'float64') => tg.randn(shape, { dtype, generator: gen });

/** The composite reference; `blocked` is an additive 0/−∞ matrix for causal masks. */
function reference(q: Tensor, k: Tensor, v: Tensor, { mask, causal = false, scale, keep }: { mask?: Tensor; causal?: boolean; scale?: number; keep?: Tensor } = {}): Tensor {
  const L = q.shape[q.ndim - 2], S = k.shape[k.ndim - 2];
  let s = q.matmul(k.mT).mul(scale ?? 1 / Math.sqrt(q.shape[q.ndim - 1]));
  if (causal) {
    const blocked = zeros([L, S], { dtype: q.dtype });
    for (let i = 0; i < L; i++) for (let j = i + 1; j < S; j++) blocked.data[i * S + j] = -Infinity;
    s = s.add(blocked);
  }
  if (mask) s = s.add(mask);
  let w = s.softmax(-1);
  if (keep) w = w.mul(keep);
  return w.matmul(v);
}

function maxDiff(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  let m = 0;
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
}

describe('scaledDotProductAttention forward', () => {
  test.each([
    ['float64, L = S = 5', [2, 5, 4], [2, 5, 4], [2, 5, 3], 'float64'],
    ['float64, more rows than one kernel block (150 × 70)', [150, 8], [70, 8], [70, 6], 'float64'],
    ['float32, heads and blocks (2 × 3 × 130 × 16)', [2, 3, 130, 16], [2, 3, 130, 16], [2, 3, 130, 16], 'float32'],
    ['float32, broadcast batch', [2, 1, 40, 8], [3, 40, 8], [1, 3, 40, 4], 'float32'],
  ] as const)('%s: equals the composite, with and without isCausal', (_name, qs, ks, vs, dtype) => {
    const q = randn([...qs], dtype), k = randn([...ks], dtype), v = randn([...vs], dtype);
    const tol = dtype === 'float32' ? 2e-6 : 1e-13;
    expect(maxDiff(tg.scaledDotProductAttention(q, k, v), reference(q, k, v))).toBeLessThan(tol);
    expect(maxDiff(tg.scaledDotProductAttention(q, k, v, { isCausal: true }), reference(q, k, v, { causal: true }))).toBeLessThan(tol);
  });

  test('short sequences of many entries (one batched product per step) equal entry-by-entry runs, dropout draws included', () => {
    const q = randn([3, 4, 20, 8], 'float32'), k = randn([3, 4, 24, 8], 'float32'), v = randn([3, 4, 24, 5], 'float32');
    const mask = randn([20, 24], 'float32');
    for (const options of [{ isCausal: true, dropoutP: 0.3 }, { attnMask: mask }, { isCausal: true }] as const) {
      const whole = tg.scaledDotProductAttention(q, k, v, { ...options, generator: new Generator(5) });
      const g = new Generator(5);
      const pieces: Tensor[] = [];
      for (let b = 0; b < 3; b++) {
        for (let h = 0; h < 4; h++) {
          const at = (t: Tensor) => t.slice([b, h]);
          // Batch 1: the kernel's block-by-block path.
          pieces.push(tg.scaledDotProductAttention(at(q), at(k), at(v), { ...options, generator: g }));
        }
      }
      expect(maxDiff(whole, tg.stack(pieces).reshape([3, 4, 20, 5]))).toBeLessThan(1e-6);
    }
  });

  test('isCausal is top-left aligned as in PyTorch: with L > S the extra rows see every key, with L < S later keys are never seen', () => {
    const long = tg.attentionWeights(randn([5, 2]), randn([3, 2]), { isCausal: true });
    const w = long.toArray() as number[][];
    expect(w[0].slice(1)).toEqual([0, 0]);
    expect(w[1][2]).toBe(0);
    for (const row of w.slice(2)) expect(row.every((p) => p > 0)).toBe(true);
    const short = tg.attentionWeights(randn([2, 2]), randn([4, 2]), { isCausal: true }).toArray() as number[][];
    expect(short.map((r) => r.slice(2))).toEqual([[0, 0], [0, 0]]);
    expect(short[1][0] + short[1][1]).toBeCloseTo(1, 14);
  });

  test('isCausal gives what the int32 mask tril(ones([L, S])) gives', () => {
    const q = randn([2, 5, 3]), k = randn([2, 7, 3]), v = randn([2, 7, 2]);
    const causal = tg.tril(tg.ones([5, 7], { dtype: 'int32' }));
    expect(maxDiff(tg.scaledDotProductAttention(q, k, v, { isCausal: true }), tg.scaledDotProductAttention(q, k, v, { attnMask: causal }))).toBe(0);
  });

  test('an int32 mask blocks its zeros (1 = attend); a float mask is added; both broadcast over batch and rows', () => {
    const q = randn([2, 4, 3]), k = randn([2, 6, 3]), v = randn([2, 6, 2]);
    const keepCols = tensor([[1, 0, 1, 1, 0, 1]], { dtype: 'int32' });
    const additive = tensor([[0, -Infinity, 0, 0, -Infinity, 0]], { dtype: 'float64' });
    expect(maxDiff(tg.scaledDotProductAttention(q, k, v, { attnMask: keepCols }), reference(q, k, v, { mask: additive }))).toBeLessThan(1e-14);
    const bias = randn([4, 6]);
    expect(maxDiff(tg.scaledDotProductAttention(q, k, v, { attnMask: bias, scale: 0.3 }), reference(q, k, v, { mask: bias, scale: 0.3 }))).toBeLessThan(1e-14);
  });

  test('float32 operands with a float64 additive mask compute in float32 and still pass the mask its gradient', () => {
    const q = randn([3, 4], 'float32'), k = randn([5, 4], 'float32'), v = randn([5, 2], 'float32');
    const bias = randn([3, 5]).requiresGrad_();
    const out = tg.scaledDotProductAttention(q, k, v, { attnMask: bias });
    expect(out.dtype).toBe('float32');
    out.sum().backward();
    expect(bias.grad?.dtype).toBe('float64');
    expect(bias.grad?.shape).toEqual([3, 5]);
  });
});

describe('fully blocked rows', () => {
  test('give zero weights, zero output and finite (zero) gradients instead of NaN', () => {
    const q = randn([3, 4]).requiresGrad_(), k = randn([4, 4]).requiresGrad_(), v = randn([4, 2]).requiresGrad_();
    const bias = tensor([[0, 0, -Infinity, 0], [-Infinity, -Infinity, -Infinity, -Infinity], [0, 1.5, 0, -2]], { dtype: 'float64', requiresGrad: true });
    const out = tg.scaledDotProductAttention(q, k, v, { attnMask: bias });
    expect((out.toArray() as number[][])[1]).toEqual([0, 0]);
    out.square().sum().backward();
    for (const t of [q, k, v, bias]) expect(Array.from(t.grad!.data).every(Number.isFinite)).toBe(true);
    expect((q.grad!.toArray() as number[][])[1]).toEqual([0, 0, 0, 0]);
    expect((bias.grad!.toArray() as number[][])[1]).toEqual([0, 0, 0, 0]);
    // The rows that attend somewhere get exactly the composite's gradients.
    const [q2, k2, v2] = [q, k, v].map((t) => t.detach().requiresGrad_());
    const finite = tensor([[0, 0, -Infinity, 0], [0, 0, 0, 0], [0, 1.5, 0, -2]], { dtype: 'float64' });
    const keepRows = tensor([[1], [0], [1]], { dtype: 'float64' });
    reference(q2, k2, v2, { mask: finite }).mul(keepRows).square().sum().backward();
    expect(maxDiff(k.grad!, k2.grad!)).toBeLessThan(1e-14);
    expect(maxDiff(v.grad!, v2.grad!)).toBeLessThan(1e-14);
  });

  test('attentionWeights returns an all-zero row for a row with every key blocked by an int32 mask', () => {
    const w = tg.attentionWeights(randn([2, 3]), randn([3, 3]), { attnMask: tensor([[1, 1, 0], [0, 0, 0]], { dtype: 'int32' }) });
    expect((w.toArray() as number[][])[1]).toEqual([0, 0, 0]);
  });
});

describe('dropout', () => {
  const q = randn([2, 4, 3]), k = randn([2, 5, 3]), v = randn([2, 5, 2]);

  test('the keep mask is generator.random() ≥ p for every score in row-major order, survivors scaled by 1/(1 − p)', () => {
    const out = tg.scaledDotProductAttention(q, k, v, { dropoutP: 0.4, generator: new Generator(9), isCausal: true });
    const keep = rand([2, 4, 5], { dtype: 'float64', generator: new Generator(9) }).ge(0.4).to('float64').mul(1 / 0.6);
    expect(maxDiff(out, reference(q, k, v, { causal: true, keep }))).toBeLessThan(1e-14);
  });

  test('seeded runs repeat exactly, dropoutP 0 is no dropout and dropoutP 1 drops everything', () => {
    const a = tg.scaledDotProductAttention(q, k, v, { dropoutP: 0.5, generator: new Generator(3) });
    const b = tg.scaledDotProductAttention(q, k, v, { dropoutP: 0.5, generator: new Generator(3) });
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(maxDiff(tg.scaledDotProductAttention(q, k, v, { dropoutP: 0 }), reference(q, k, v))).toBeLessThan(1e-14);
    expect(Array.from(tg.scaledDotProductAttention(q, k, v, { dropoutP: 1 }).data).every((x) => x === 0)).toBe(true);
  });

  test('backward uses the mask of the forward (saved), not a new draw', () => {
    const [q1, k1, v1] = [q, k, v].map((t) => t.detach().requiresGrad_());
    const gen1 = new Generator(5);
    tg.scaledDotProductAttention(q1, k1, v1, { dropoutP: 0.3, generator: gen1 }).square().sum().backward();
    const [q2, k2, v2] = [q, k, v].map((t) => t.detach().requiresGrad_());
    const keep = rand([2, 4, 5], { dtype: 'float64', generator: new Generator(5) }).ge(0.3).to('float64').mul(1 / 0.7);
    reference(q2, k2, v2, { keep }).square().sum().backward();
    for (const [a, b] of [[q1, q2], [k1, k2], [v1, v2]]) expect(maxDiff(a.grad!, b.grad!)).toBeLessThan(1e-13);
  });
});

describe('saved values and graph', () => {
  test('changing the output or an input in place after the forward makes backward throw', () => {
    const q = randn([3, 2]).requiresGrad_(), k = randn([3, 2]), v = randn([3, 2]);
    const out = tg.scaledDotProductAttention(q, k, v);
    k.mul_(2);
    expect(() => out.sum().backward()).toThrow(/'scaledDotProductAttention' saved its input 1/);
    const w = tg.attentionWeights(q, randn([3, 2]));
    w.detach().mul_(0);
    expect(() => w.sum().backward()).toThrow(/'attentionWeights' saved/);
  });

  test('the output records one node named after the op (no per-call mask or softmax nodes)', () => {
    const q = randn([3, 2]).requiresGrad_();
    const out = tg.scaledDotProductAttention(q, randn([4, 2]), randn([4, 2]), { isCausal: true });
    expect(out.op).toBe('scaledDotProductAttention');
  });
});

describe('argument errors name the function and change nothing', () => {
  const q = randn([2, 3, 4]), k = randn([2, 5, 4]), v = randn([2, 5, 3]);
  test.each([
    ['attnMask together with isCausal', () => tg.scaledDotProductAttention(q, k, v, { isCausal: true, attnMask: zeros([3, 5], { dtype: 'float64' }) }), /either attnMask or isCausal/],
    ['a float mask of 0s and 1s', () => tg.scaledDotProductAttention(q, k, v, { attnMask: tensor([[1, 0, 1, 1, 1]], { dtype: 'float64' }) }), /only 0s and 1s.*\.to\('int32'\)/],
    ['an int32 mask holding 2', () => tg.attentionWeights(q, k, { attnMask: tensor([[1, 2, 1, 1, 1]], { dtype: 'int32' }) }), /must hold 0 \(blocked\) and 1 \(attend\), got 2/],
    ['a mask that does not broadcast', () => tg.scaledDotProductAttention(q, k, v, { attnMask: zeros([4, 5], { dtype: 'float64' }) }), /attnMask of shape \[4, 5\] does not broadcast to the scores' shape \[2, 3, 5\]/],
    ['mismatched feature sizes', () => tg.scaledDotProductAttention(q, randn([2, 5, 3]), v), /same last dimension/],
    ['mismatched key and value lengths', () => tg.scaledDotProductAttention(q, k, randn([2, 4, 3])), /same length/],
    ['mixed dtypes', () => tg.scaledDotProductAttention(q, k, randn([2, 5, 3], 'float32')), /query is float64 but value is float32/],
    ['a 1-D query', () => tg.attentionWeights(randn([4]), k), /query must have at least 2 dimensions/],
    ['an unknown option', () => tg.scaledDotProductAttention(q, k, v, { causal: true } as never), /unknown option 'causal'/],
    ['dropoutP out of range', () => tg.scaledDotProductAttention(q, k, v, { dropoutP: 1.5 }), /dropoutP must be a number in \[0, 1\]/],
    ['dropout options on attentionWeights', () => tg.attentionWeights(q, k, { dropoutP: 0.1 } as never), /attentionWeights: unknown option 'dropoutP'/],
    ['a non-finite scale', () => tg.attentionWeights(q, k, { scale: NaN }), /scale must be a finite number/],
  ])('%s', (_name, call, message) => {
    expect(call).toThrow(message);
    expect(call).toThrow(/^(scaledDotProductAttention|attentionWeights)/);
  });
});
