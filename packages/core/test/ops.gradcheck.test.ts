/**
 * The gradient-check table: one row per differentiable op and per broadcasting/axis variant, checked in float64 at
 * PyTorch's default tolerances (eps 1e-6, atol 1e-5, rtol 1e-3), first and second order. Inputs are seeded and kept
 * away from kinks (relu/abs at 0, clamp bounds, ties in max/min/maximum).
 */
import * as tg from '@tensorgrad/core';
import { Generator, Tensor, gradcheck, gradgradcheck, listOps } from '@tensorgrad/core';

interface Row {
  /** The op under test (its registry name). */
  op: string;
  /** Variant label. */
  variant?: string;
  inputs: Tensor[];
  fn: (...xs: Tensor[]) => Tensor | Tensor[];
  opts?: tg.GradcheckOptions;
}

let seed = 1;
/** Uniform float64 input in [lo, hi), optionally kept at least `gap` away from zero. */
function u(shape: number[], lo = -2, hi = 2, gap = 0): Tensor {
  const g = new Generator(seed++);
  const t = tg.zeros(shape, { dtype: 'float64' });
  for (let i = 0; i < t.size; i++) {
    let v = lo + (hi - lo) * g.random();
    if (gap > 0 && Math.abs(v) < gap) v = v < 0 ? -gap - Math.abs(v) : gap + v;
    t.data[i] = v;
  }
  t.requiresGrad = true;
  return t;
}
const pos = (shape: number[]) => u(shape, 0.5, 2.5);
const c = (data: tg.NestedArray) => tg.tensor(data, { dtype: 'float64' });

// Constant multipliers, so shape ops are checked against a non-trivial upstream pattern.
const k423 = u([4, 2, 3]).detach(), k234 = u([2, 3, 4]).detach(), k34 = u([3, 4]).detach();

const rows: Row[] = [
  // unary
  { op: 'neg', inputs: [u([3, 4])], fn: (x) => x.neg() },
  { op: 'exp', inputs: [u([3, 4])], fn: (x) => x.exp() },
  { op: 'log', inputs: [pos([3, 4])], fn: (x) => x.log() },
  { op: 'log1p', inputs: [pos([5])], fn: (x) => x.log1p() },
  { op: 'sqrt', inputs: [pos([3, 4])], fn: (x) => x.sqrt() },
  { op: 'abs', inputs: [u([3, 4], -2, 2, 0.1)], fn: (x) => x.abs() },
  { op: 'sin', inputs: [u([3, 4])], fn: (x) => x.sin() },
  { op: 'cos', inputs: [u([3, 4])], fn: (x) => x.cos() },
  { op: 'tanh', inputs: [u([3, 4])], fn: (x) => x.tanh() },
  { op: 'sigmoid', inputs: [u([3, 4], -5, 5)], fn: (x) => x.sigmoid() },
  { op: 'relu', inputs: [u([3, 4], -2, 2, 0.1)], fn: (x) => x.relu() },
  { op: 'leakyRelu', inputs: [u([3, 4], -2, 2, 0.1)], fn: (x) => x.leakyRelu(0.2) },
  { op: 'gelu', inputs: [u([3, 4], -3, 3)], fn: (x) => x.gelu() },
  { op: 'gelu', variant: "approximate: 'tanh'", inputs: [u([3, 4], -3, 3)], fn: (x) => x.gelu({ approximate: 'tanh' }) },
  { op: 'softplus', inputs: [u([3, 4], -5, 5)], fn: (x) => x.softplus() },
  { op: 'softplus', variant: 'linear region x > 20', inputs: [u([3], 21, 30)], fn: (x) => x.softplus() },
  { op: 'erf', inputs: [u([3, 4], -2.5, 2.5)], fn: (x) => x.erf() },
  { op: 'reciprocal', inputs: [u([3, 4], -2, 2, 0.5)], fn: (x) => x.reciprocal() },
  { op: 'square', inputs: [u([3, 4])], fn: (x) => x.square() },
  { op: 'clamp', inputs: [c([[-1.7, -0.3, 0.2], [0.6, 1.4, 0.9]]).requiresGrad_()], fn: (x) => x.clamp(-0.5, 1) },
  { op: 'clamp', variant: 'min only', inputs: [c([-1.7, -0.3, 0.2, 1.4]).requiresGrad_()], fn: (x) => x.clamp(0) },
  // A float32 round trip cannot be differenced at eps = 1e-6; the op is linear, so a wide step loses nothing.
  { op: 'cast', inputs: [u([2, 3])], fn: (x) => x.to('float32').mul(2).to('float64'), opts: { eps: 1e-2, atol: 1e-4 } },
  { op: 'clone', inputs: [u([2, 3])], fn: (x) => x.clone().mul(x) },
  // binary, with broadcasting variants
  { op: 'add', inputs: [u([3, 4]), u([3, 4])], fn: (a, b) => a.add(b) },
  { op: 'add', variant: '[3,1] + [1,4]', inputs: [u([3, 1]), u([1, 4])], fn: (a, b) => a.add(b) },
  { op: 'add', variant: '[2,3,4] + [4]', inputs: [u([2, 3, 4]), u([4])], fn: (a, b) => a.add(b) },
  { op: 'add', variant: 'tensor + number', inputs: [u([3])], fn: (a) => a.add(2.5) },
  { op: 'sub', inputs: [u([3, 4]), u([4])], fn: (a, b) => a.sub(b) },
  { op: 'sub', variant: 'number - tensor', inputs: [u([3])], fn: (a) => tg.sub(1, a) },
  { op: 'mul', inputs: [u([3, 4]), u([3, 4])], fn: (a, b) => a.mul(b) },
  { op: 'mul', variant: '[5] * []', inputs: [u([5]), u([])], fn: (a, b) => a.mul(b) },
  { op: 'mul', variant: 'x * x (same input twice)', inputs: [u([4])], fn: (a) => a.mul(a) },
  { op: 'div', inputs: [u([3, 4]), u([3, 1], -2, 2, 0.5)], fn: (a, b) => a.div(b) },
  { op: 'pow', inputs: [pos([3, 4]), u([3, 4])], fn: (a, b) => a.pow(b) },
  { op: 'pow', variant: 'number exponent', inputs: [pos([4])], fn: (a) => a.pow(3) },
  { op: 'pow', variant: 'number base', inputs: [u([4])], fn: (b) => tg.pow(2, b) },
  { op: 'maximum', inputs: [c([1, -2, 3, 0.5]).requiresGrad_(), c([0, 0.4, 4, -1]).requiresGrad_()], fn: (a, b) => a.maximum(b) },
  { op: 'minimum', inputs: [u([3, 4]), c([0.25]).requiresGrad_()], fn: (a, b) => a.minimum(b) },
  { op: 'where', inputs: [u([3, 4]), u([4])], fn: (a, b) => tg.where(c([[1, 0, 1, 0], [0, 0, 1, 1], [1, 1, 0, 0]]), a, b) },
  // reductions
  { op: 'sum', variant: 'all', inputs: [u([3, 4])], fn: (x) => x.sum() },
  { op: 'sum', variant: 'axis 1 keepdim', inputs: [u([3, 4])], fn: (x) => x.sum(1, true) },
  { op: 'sum', variant: 'axes [0, 2]', inputs: [u([2, 3, 4])], fn: (x) => x.sum([0, 2]) },
  { op: 'sum', variant: 'axis -1', inputs: [u([2, 3, 4])], fn: (x) => x.sum(-1) },
  { op: 'mean', inputs: [u([3, 4])], fn: (x) => x.mean(0) },
  { op: 'mean', variant: 'all', inputs: [u([3, 4])], fn: (x) => x.mean() },
  { op: 'max', variant: 'all', inputs: [u([3, 4])], fn: (x) => x.max() },
  { op: 'max', variant: 'axis 1', inputs: [u([3, 4])], fn: (x) => x.max(1) },
  { op: 'min', variant: 'axis 0 keepdim', inputs: [u([3, 4])], fn: (x) => x.min(0, true) },
  { op: 'var', inputs: [u([3, 4])], fn: (x) => x.var(1) },
  { op: 'var', variant: 'correction 0, all', inputs: [u([3, 4])], fn: (x) => x.var(null, false, 0) },
  { op: 'std', inputs: [u([3, 4])], fn: (x) => x.std(0, true) },
  { op: 'logsumexp', inputs: [u([3, 4])], fn: (x) => x.logsumexp(1) },
  { op: 'logsumexp', variant: 'axes [0, 1]', inputs: [u([2, 3, 2])], fn: (x) => x.logsumexp([0, 1]) },
  { op: 'norm', inputs: [u([3, 4])], fn: (x) => x.norm() },
  { op: 'norm', variant: 'p = 1, axis 1', inputs: [u([3, 4], -2, 2, 0.1)], fn: (x) => x.norm(1, 1) },
  { op: 'norm', variant: 'p = 3', inputs: [u([5], -2, 2, 0.1)], fn: (x) => x.norm(3) },
  // matmul
  { op: 'matmul', variant: '2-D · 2-D', inputs: [u([3, 4]), u([4, 2])], fn: (a, b) => a.matmul(b) },
  { op: 'matmul', variant: '1-D · 1-D', inputs: [u([4]), u([4])], fn: (a, b) => a.matmul(b) },
  { op: 'matmul', variant: '1-D · 2-D', inputs: [u([4]), u([4, 3])], fn: (a, b) => a.matmul(b) },
  { op: 'matmul', variant: '2-D · 1-D', inputs: [u([3, 4]), u([4])], fn: (a, b) => a.matmul(b) },
  { op: 'matmul', variant: 'batched [2,3,4] · [4,2]', inputs: [u([2, 3, 4]), u([4, 2])], fn: (a, b) => a.matmul(b) },
  { op: 'matmul', variant: 'broadcast batch [2,1,2,3] · [3,3,2]', inputs: [u([2, 1, 2, 3]), u([3, 3, 2])], fn: (a, b) => a.matmul(b) },
  { op: 'matmul', variant: 'transposed operand', inputs: [u([4, 3]), u([2, 4])], fn: (a, b) => a.mT.matmul(b.mT) },
  { op: 'linear', inputs: [u([3, 4]), u([5, 4]), u([5])], fn: (x, w, b) => tg.linear(x, w, b) },
  { op: 'linear', variant: '3-D input, no bias', inputs: [u([2, 3, 4]), u([5, 4])], fn: (x, w) => tg.linear(x, w) },
  // shape
  { op: 'reshape', inputs: [u([3, 4])], fn: (x) => x.reshape([2, -1]).mul(x.reshape([2, 6])) },
  { op: 'flatten', inputs: [u([2, 3, 2])], fn: (x) => x.flatten(1).square() },
  { op: 'permute', inputs: [u([2, 3, 4])], fn: (x) => x.permute([2, 0, 1]).mul(k423) },
  { op: 'transpose', inputs: [u([2, 3])], fn: (x) => x.transpose(0, 1).mul(c([[1, 2], [3, 4], [5, 6]])) },
  { op: 'squeeze', inputs: [u([2, 1, 3])], fn: (x) => x.squeeze().square() },
  { op: 'unsqueeze', inputs: [u([2, 3])], fn: (x) => x.unsqueeze(1).square() },
  { op: 'expand', inputs: [u([3, 1])], fn: (x) => x.expand([2, 3, 4]).mul(k234) },
  { op: 'broadcastTo', inputs: [u([4])], fn: (x) => x.broadcastTo([3, 4]).mul(k34) },
  { op: 'slice', inputs: [u([4, 5])], fn: (x) => x.slice([[1, null], [0, 5, 2]]).square() },
  { op: 'slice', variant: 'negative bounds and an index', inputs: [u([4, 5])], fn: (x) => x.slice([-1, [-4, -1]]).square() },
  { op: 'narrow', inputs: [u([4, 5])], fn: (x) => x.narrow(1, 1, 3).square() },
  { op: 'split', inputs: [u([5, 2])], fn: (x) => x.split(2).map((p, i) => p.mul(i + 1)) },
  { op: 'chunk', inputs: [u([2, 6])], fn: (x) => x.chunk(3, 1).map((p, i) => p.square().mul(i + 1)) },
  { op: 'concat', inputs: [u([2, 3]), u([1, 3])], fn: (a, b) => tg.concat([a, b, a], 0).square() },
  { op: 'stack', inputs: [u([2, 3]), u([2, 3])], fn: (a, b) => tg.stack([a, b], 1).square() },
  { op: 'pad', inputs: [u([2, 3])], fn: (x) => x.pad([1, 2, 0, 1], 0.5).square() },
  { op: 'indexSelect', inputs: [u([4, 3])], fn: (x) => x.indexSelect(0, [3, 0, 3]).square() },
  { op: 'gather', inputs: [u([3, 4])], fn: (x) => x.gather(1, [[0, 3], [2, 2], [1, 0]]).square() },
  // softmax
  { op: 'softmax', inputs: [u([3, 4])], fn: (x) => x.softmax(1) },
  { op: 'softmax', variant: 'axis 0', inputs: [u([3, 4])], fn: (x) => x.softmax(0) },
  { op: 'logSoftmax', inputs: [u([3, 4])], fn: (x) => x.logSoftmax() },
  // ops for sequence models
  { op: 'rsqrt', inputs: [pos([3, 4])], fn: (x) => x.rsqrt() },
  { op: 'silu', inputs: [u([3, 4], -4, 4)], fn: (x) => x.silu() },
  { op: 'tril', inputs: [u([3, 4])], fn: (x) => x.tril() },
  { op: 'tril', variant: 'diagonal -1, batched', inputs: [u([2, 3, 3])], fn: (x) => x.tril(-1) },
  { op: 'triu', inputs: [u([3, 4])], fn: (x) => x.triu(1) },
  { op: 'maskedFill', inputs: [u([2, 3])], fn: (x) => x.maskedFill(c([[1, 0, 1], [0, 0, 1]]), -0.5).square() },
  { op: 'maskedFill', variant: 'mask broadcasts over x', inputs: [u([2, 3, 3])], fn: (x) => x.maskedFill(tg.triu(tg.ones([3, 3]), 1), -1e9).softmax() },
  { op: 'maskedFill', variant: 'x broadcasts to the mask', inputs: [u([3])], fn: (x) => x.maskedFill(c([[1, 0, 0], [0, 1, 1]]), 2) },
  { op: 'cumsum', inputs: [u([3, 4])], fn: (x) => x.cumsum(1) },
  { op: 'cumsum', variant: 'axis 0 of 3-D', inputs: [u([3, 2, 2])], fn: (x) => x.cumsum(0).square() },
  { op: 'cumprod', inputs: [u([3, 4])], fn: (x) => x.cumprod(1) },
  { op: 'cumprod', variant: 'zeros in x', inputs: [c([[0.5, 0, 2, -1.5], [0, 1.5, 0, 0.7]]).requiresGrad_()], fn: (x) => x.cumprod(1) },
  { op: 'cumprod', variant: 'axis 0 with a zero', inputs: [c([[0.5, 1.2], [0, -0.8], [1.5, 2]]).requiresGrad_()], fn: (x) => x.cumprod(0) },
  { op: 'prod', variant: 'all', inputs: [u([2, 3], 0.5, 1.5)], fn: (x) => x.prod() },
  { op: 'prod', variant: 'axis 1', inputs: [u([3, 4])], fn: (x) => x.prod(1) },
  { op: 'prod', variant: 'axes [0, 2] keepdim', inputs: [u([2, 3, 2])], fn: (x) => x.prod([0, 2], true) },
  { op: 'prod', variant: 'one and two zeros', inputs: [c([[1.5, 0, -2, 0.5], [0, 0.7, 0, 1.3], [0.8, 1.1, -0.9, 1.2]]).requiresGrad_()], fn: (x) => x.prod(1) },
  { op: 'sort', inputs: [u([3, 5])], fn: (x) => x.sort(1) },
  { op: 'sort', variant: 'descending, axis 0', inputs: [u([4, 3])], fn: (x) => x.sort(0, { descending: true })[0].square() },
  { op: 'topk', inputs: [u([3, 6])], fn: (x) => x.topk(2) },
  { op: 'topk', variant: 'smallest, unsorted, axis 0', inputs: [u([5, 3])], fn: (x) => x.topk(3, 0, { largest: false, sorted: false })[0].square() },
  { op: 'scatter', inputs: [u([3, 4]), u([3, 2])], fn: (x, s) => x.scatter(1, [[0, 3], [2, 1], [1, 0]], s).square() },
  { op: 'scatter', variant: 'src larger than index, repeated index', inputs: [u([3, 2]), u([3, 3])], fn: (x, s) => x.scatter(0, [[2, 0], [2, 1]], s).square() },
  { op: 'scatter', variant: 'number src', inputs: [u([3, 4])], fn: (x) => x.scatter(1, [[0], [3], [1]], 0.5).square() },
  { op: 'scatterAdd', inputs: [u([3, 4]), u([3, 3])], fn: (x, s) => x.scatterAdd(1, [[0, 3, 0], [2, 2, 1], [1, 0, 1]], s).square() },
  { op: 'scatterAdd', variant: 'src larger than index', inputs: [u([2, 3]), u([3, 3])], fn: (x, s) => x.scatterAdd(0, [[1, 0], [1, 1]], s).square() },
  { op: 'flip', inputs: [u([2, 3, 4])], fn: (x) => x.flip([0, 2]).mul(k234) },
  { op: 'roll', inputs: [u([3, 4])], fn: (x) => x.roll([1, -3], [0, 1]).mul(k34) },
  { op: 'roll', variant: 'flattened', inputs: [u([3, 4])], fn: (x) => x.roll(5).mul(k34) },
  { op: 'repeat', inputs: [u([2, 3])], fn: (x) => x.repeat([2, 1, 2]).square() },
  { op: 'tile', inputs: [u([3])], fn: (x) => x.tile([2, 2]).square() },
  { op: 'unbind', inputs: [u([3, 2])], fn: (x) => x.unbind(1).map((p, i) => p.mul(i + 1)) },
  { op: 'diag', variant: '1-D → matrix, offset 1', inputs: [u([3])], fn: (x) => x.diag(1) },
  { op: 'diag', variant: 'matrix → 1-D, offset -1', inputs: [u([3, 4])], fn: (x) => x.diag(-1).square() },
  { op: 'diagonal', inputs: [u([2, 3, 4])], fn: (x) => x.diagonal(1, 0, 2).square() },
  { op: 'diagEmbed', inputs: [u([2, 3])], fn: (x) => x.diagEmbed(-1, 0, 2).square() },
  { op: 'outer', inputs: [u([3]), u([4])], fn: (a, b) => a.outer(b) },
  { op: 'einsum', variant: 'bij,bjk->bik', inputs: [u([2, 2, 3]), u([2, 3, 2])], fn: (a, b) => tg.einsum('bij,bjk->bik', a, b) },
  { op: 'einsum', variant: 'bhqd,bhkd->bhqk', inputs: [u([1, 2, 3, 2]), u([1, 2, 2, 2])], fn: (a, b) => tg.einsum('bhqd,bhkd->bhqk', a, b) },
  { op: 'einsum', variant: 'i,j->ij', inputs: [u([3]), u([2])], fn: (a, b) => tg.einsum('i,j->ij', a, b) },
  { op: 'einsum', variant: 'ii-> (trace)', inputs: [u([3, 3])], fn: (a) => tg.einsum('ii->', a) },
  { op: 'einsum', variant: 'ii->i (diagonal)', inputs: [u([3, 3])], fn: (a) => tg.einsum('ii->i', a).square() },
  { op: 'einsum', variant: 'ij->ji', inputs: [u([2, 3])], fn: (a) => tg.einsum('ij->ji', a) },
  { op: 'einsum', variant: 'bi,bi->b', inputs: [u([3, 4]), u([3, 4])], fn: (a, b) => tg.einsum('bi,bi->b', a, b) },
  { op: 'einsum', variant: '...ij,...jk->...ik broadcasting', inputs: [u([2, 2, 3]), u([3, 2])], fn: (a, b) => tg.einsum('...ij,...jk->...ik', a, b) },
  { op: 'einsum', variant: 'ij,jk,kl->il', inputs: [u([2, 3]), u([3, 2]), u([2, 2])], fn: (a, b, d) => tg.einsum('ij,jk,kl->il', a, b, d) },
  // nn blocks
  { op: 'layerNorm', inputs: [u([3, 2, 5]), u([2, 5]), u([2, 5])], fn: (x, w, b) => tg.layerNorm(x, [2, 5], w, b) },
  { op: 'layerNorm', variant: 'no affine, eps 0.1', inputs: [u([4, 3])], fn: (x) => tg.layerNorm(x, 3, null, null, 0.1) },
  { op: 'attentionWeights', inputs: [u([2, 3, 4]), u([2, 5, 4])], fn: (q, k) => tg.attentionWeights(q, k) },
  { op: 'attentionWeights', variant: 'float mask [3, 5], scale 0.5', inputs: [u([2, 3, 4]), u([5, 4]), u([3, 5])],
    fn: (q, k, m) => tg.attentionWeights(q, k, { attnMask: m, scale: 0.5 }) },
  { op: 'scaledDotProductAttention', inputs: [u([2, 3, 4]), u([2, 5, 4]), u([2, 5, 3])], fn: (q, k, v) => tg.scaledDotProductAttention(q, k, v) },
  { op: 'scaledDotProductAttention', variant: 'causal, 4-D heads', inputs: [u([2, 2, 4, 3]), u([2, 2, 4, 3]), u([2, 2, 4, 2])],
    fn: (q, k, v) => tg.scaledDotProductAttention(q, k, v, { isCausal: true }) },
  { op: 'scaledDotProductAttention', variant: 'float mask, broadcast batch', inputs: [u([2, 3, 4]), u([5, 4]), u([5, 2]), u([1, 3, 5])],
    fn: (q, k, v, m) => tg.scaledDotProductAttention(q, k, v, { attnMask: m }) },
  { op: 'scaledDotProductAttention', variant: 'int32 mask with a fully blocked row', inputs: [u([3, 4]), u([4, 4]), u([4, 2])],
    fn: (q, k, v) => tg.scaledDotProductAttention(q, k, v, { attnMask: tg.tensor([[1, 0, 1, 1], [0, 0, 0, 0], [0, 1, 1, 0]], { dtype: 'int32' }) }) },
  // gradcheck calls the function many times; a fresh generator of the same seed keeps the dropout mask fixed.
  { op: 'scaledDotProductAttention', variant: 'dropout 0.3 (fixed mask)', inputs: [u([2, 3, 4]), u([2, 5, 4]), u([2, 5, 3])],
    fn: (q, k, v) => tg.scaledDotProductAttention(q, k, v, { dropoutP: 0.3, generator: new Generator(11) }) },
  // convolution: each option on its own, then combined; the vjps are conv ops, so second order covers them too
  { op: 'conv2d', variant: 'bias', inputs: [u([2, 2, 4, 5]), u([3, 2, 3, 2]), u([3])], fn: (x, w, b) => tg.conv2d(x, w, b) },
  { op: 'conv2d', variant: 'stride 2, padding 1, no bias', inputs: [u([2, 2, 5, 5]), u([2, 2, 3, 3])], fn: (x, w) => tg.conv2d(x, w, null, { stride: 2, padding: 1 }) },
  { op: 'conv2d', variant: 'dilation 2, padding [1, 0], stride [1, 2]', inputs: [u([1, 2, 5, 6]), u([2, 2, 2, 3])], fn: (x, w) => tg.conv2d(x, w, null, { dilation: 2, padding: [1, 0], stride: [1, 2] }) },
  { op: 'conv2d', variant: 'groups 2, bias', inputs: [u([2, 4, 4, 4]), u([4, 2, 2, 2]), u([4])], fn: (x, w, b) => tg.conv2d(x, w, b, { groups: 2 }) },
  { op: 'conv2d', variant: "'same', even kernel, dilation [1, 2]", inputs: [u([1, 2, 4, 5]), u([2, 2, 2, 2])], fn: (x, w) => tg.conv2d(x, w, null, { padding: 'same', dilation: [1, 2] }) },
  { op: 'conv2d', variant: 'unbatched [C, H, W]', inputs: [u([2, 4, 4]), u([3, 2, 3, 3]), u([3])], fn: (x, w, b) => tg.conv2d(x, w, b, { padding: 1, stride: 2 }) },
  { op: 'conv1d', variant: 'bias', inputs: [u([2, 3, 7]), u([2, 3, 3]), u([2])], fn: (x, w, b) => tg.conv1d(x, w, b) },
  { op: 'conv1d', variant: 'stride 2, padding 2, dilation 2, groups 3', inputs: [u([2, 3, 9]), u([6, 1, 3])], fn: (x, w) => tg.conv1d(x, w, null, { stride: 2, padding: 2, dilation: 2, groups: 3 }) },
  { op: 'conv1d', variant: "'same', kernel 4, unbatched", inputs: [u([2, 6]), u([2, 2, 4]), u([2])], fn: (x, w, b) => tg.conv1d(x, w, b, { padding: 'same' }) },
  { op: 'convTranspose2d', variant: 'bias', inputs: [u([2, 3, 3, 3]), u([3, 2, 2, 3]), u([2])], fn: (x, w, b) => tg.convTranspose2d(x, w, b) },
  { op: 'convTranspose2d', variant: 'stride 2, padding 1, outputPadding 1', inputs: [u([1, 2, 3, 3]), u([2, 2, 3, 3])], fn: (x, w) => tg.convTranspose2d(x, w, null, { stride: 2, padding: 1, outputPadding: 1 }) },
  { op: 'convTranspose2d', variant: 'groups 2, dilation 2, stride [2, 1], unbatched', inputs: [u([4, 3, 2]), u([4, 1, 2, 2]), u([2])], fn: (x, w, b) => tg.convTranspose2d(x, w, b, { groups: 2, dilation: 2, stride: [2, 1] }) },
  { op: 'convTranspose1d', inputs: [u([2, 2, 4]), u([2, 3, 3]), u([3])], fn: (x, w, b) => tg.convTranspose1d(x, w, b, { stride: 3, padding: 1, outputPadding: 2 }) },
  // pooling; random inputs have no ties within a window, so max pooling is differentiable there
  { op: 'maxPool2d', inputs: [u([2, 2, 4, 4])], fn: (x) => tg.maxPool2d(x, 2) },
  { op: 'maxPool2d', variant: 'overlapping, padding 1, ceilMode', inputs: [u([1, 2, 5, 6])], fn: (x) => tg.maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }) },
  { op: 'maxPool2d', variant: 'dilation 2, unbatched', inputs: [u([2, 5, 5])], fn: (x) => tg.maxPool2d(x, [2, 2], { stride: 1, dilation: 2 }) },
  { op: 'maxPool1d', inputs: [u([2, 3, 7])], fn: (x) => tg.maxPool1d(x, 3, { stride: 2, padding: 1 }) },
  { op: 'avgPool2d', inputs: [u([2, 2, 4, 4])], fn: (x) => tg.avgPool2d(x, 2) },
  { op: 'avgPool2d', variant: 'padding 1, ceilMode, countIncludePad false', inputs: [u([1, 2, 5, 4])], fn: (x) => tg.avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }) },
  { op: 'avgPool2d', variant: 'divisorOverride 3, unbatched', inputs: [u([2, 4, 5])], fn: (x) => tg.avgPool2d(x, [2, 3], { stride: [2, 1], divisorOverride: 3 }) },
  { op: 'adaptiveAvgPool2d', inputs: [u([2, 2, 5, 7])], fn: (x) => tg.adaptiveAvgPool2d(x, [3, 4]) },
  { op: 'adaptiveAvgPool2d', variant: 'upsampling 3 → 5, null keeps a dimension', inputs: [u([2, 3, 4])], fn: (x) => tg.adaptiveAvgPool2d(x, [5, null]) },
  { op: 'interpolate', variant: 'nearest, size', inputs: [u([1, 2, 3, 4])], fn: (x) => tg.interpolate(x, { size: [5, 7] }) },
  { op: 'interpolate', variant: 'bilinear, scaleFactor 2', inputs: [u([1, 2, 3, 3])], fn: (x) => tg.interpolate(x, { scaleFactor: 2, mode: 'bilinear' }) },
  { op: 'interpolate', variant: 'bilinear, alignCorners, shrinking', inputs: [u([2, 1, 5, 4])], fn: (x) => tg.interpolate(x, { size: [3, 3], mode: 'bilinear', alignCorners: true }) },
  { op: 'interpolate', variant: 'linear, 1-D', inputs: [u([2, 2, 4])], fn: (x) => tg.interpolate(x, { size: 7, mode: 'linear' }) },
];

const label = (r: Row) => (r.variant ? `${r.op} (${r.variant})` : r.op);

describe('gradcheck table', () => {
  test.each(rows.map((r) => [label(r), r] as const))('%s: first derivatives', (_name, row) => {
    const res = gradcheck(row.fn, row.inputs, row.opts);
    expect(res.message).toMatch(/^gradcheck passed/);
    expect(res.checked).toBe(row.inputs.reduce((n, x) => n + x.size, 0));
  });

  test.each(rows.map((r) => [label(r), r] as const))('%s: second derivatives', (_name, row) => {
    expect(gradgradcheck(row.fn, row.inputs, row.opts).message).toMatch(/^gradgradcheck passed/);
  });

  test('every differentiable op has a row', () => {
    const covered = new Set(rows.map((r) => r.op));
    const missing = listOps().filter((o) => o.differentiable && !covered.has(o.name)).map((o) => o.name);
    expect(missing).toEqual([]);
  });

  test('every row names a registered op', () => {
    const known = new Set(listOps().map((o) => o.name));
    expect(rows.map((r) => r.op).filter((n) => !known.has(n))).toEqual([]);
  });
});

describe('gradcheck itself', () => {
  const wrongSquare = tg.customOp({
    name: 'wrongSquare',
    forward: (x) => x.square(),
    backward: (g, [x]) => [g.mul(x).mul(3)], // should be 2x
  });

  test('reports the input, index, both values and the errors when a vjp is wrong', () => {
    const x = tg.tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const res = gradcheck((a) => wrongSquare(a), [x]);
    expect(res.ok).toBe(false);
    expect(res.failures).toHaveLength(2);
    const f = res.failures[1];
    expect(f.input).toBe(0);
    expect(f.index).toEqual([1]);
    expect(f.analytical / f.numerical).toBeCloseTo(1.5, 6);
    expect(f.absError).toBeCloseTo(Math.abs(f.analytical - f.numerical), 12);
    expect(res.message).toContain('input 0 index [1]');
    expect(() => gradcheck((a) => wrongSquare(a), [x], { raiseException: true })).toThrow(/gradcheck failed/);
  });

  test('rejects float32 inputs with a message naming the input', () => {
    const x = tg.tensor([1, 2], { requiresGrad: true });
    expect(() => gradcheck((a) => a.exp(), [x])).toThrow(/input 0 .* float32/);
  });

  test('gradgradcheck catches a first derivative built from non-differentiable pieces', () => {
    // The vjp uses raw numbers, so its own derivative w.r.t. x is silently zero: first order passes, second order fails.
    const cube = tg.customOp({
      name: 'cubeRawVjp',
      forward: (x) => x.pow(3),
      backward: (g, [x]) => [g.mul(tg.tensor(Array.from(x.data, (v) => 3 * v * v), { dtype: 'float64' }))],
    });
    const x = tg.tensor([0.5, 1.5], { dtype: 'float64', requiresGrad: true });
    expect(gradcheck((a) => cube(a), [x]).ok).toBe(true);
    expect(gradgradcheck((a) => cube(a), [x]).ok).toBe(false);
  });
});
