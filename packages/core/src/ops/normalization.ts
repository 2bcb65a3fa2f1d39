/**
 * layerNorm as one primitive: a fused kernel computes each row's mean and 1/std in one pass and the normalised output in
 * a second, and saves both statistics for the backward. The vjp is written with tensor ops; the saved statistics enter it
 * through `statistic` nodes whose own vjps express their dependence on x, so gradients of gradients stay exact.
 */
import { Tensor } from '../tensor.js';
import { record } from '../autograd/node.js';
import { layerNormBackwardF32K, layerNormK } from '../kernels/layer-norm.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import type { FloatArray } from '../kernels/types.js';
import { fmtShape, sameShape, sizeOf } from '../shape.js';
import { describeValue } from '../validate.js';
import { defineOp } from './registry.js';
import { asFloat } from './cast.js';
import { broadcastTo } from './shape.js';
import { mul, sub } from './binary.js';
import { mean as meanOp } from './reduce.js';

/**
 * The saved mean and 1/std of layerNorm's rows as functions of x, without recomputing them: under an ordinary backward
 * (grad mode off) these are the saved tensors themselves; under `createGraph` they become graph nodes whose vjps
 * (∂μ/∂x = 1/n, ∂r/∂x = −r³·(x − μ)/n) are again written with these nodes, so any order of derivative is right.
 */
function statistics(x: Tensor, mu: Tensor, rstd: Tensor, axes: readonly number[], n: number): [Tensor, Tensor] {
  const muNode = record('layerNormMean', mu._view(mu.shape), [x], (g) => [broadcastTo(g, x.shape).div(n)], []);
  const rNode: Tensor = record('layerNormRstd', rstd._view(rstd.shape), [x], (g) => {
    const [m, r] = statistics(x, mu, rstd, axes, n);
    return [mul(mul(g, r.pow(3)).mul(-1 / n), sub(x, m))];
  }, [x, mu, rstd]);
  return [muNode, rNode];
}

/**
 * Layer normalisation over the trailing dimensions `normalizedShape` (torch.nn.functional.layer_norm): per row,
 * (x − mean) / √(var + eps) with the biased variance, then · weight + bias when given (both of shape normalizedShape).
 */
export const layerNorm = /* @__PURE__ */ defineOp({
  name: 'layerNorm', family: 'nn', differentiable: true, primitive: true,
  summary: '(x − mean) / √(var + eps) · weight + bias over the trailing dims `normalizedShape` (biased var, eps = 1e-5); fused kernel',
  grad: 'x: rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ · x̂)) with ĝ = g · weight, x̂ = (x − mean) · rstd; weight: g · x̂; bias: g',
}, (x: Tensor, normalizedShape: number | readonly number[], weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor => {
  if (!(x instanceof Tensor)) throw new Error(`layerNorm: input must be a Tensor, got ${describeValue(x)}`);
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : Array.isArray(normalizedShape) ? [...normalizedShape] : null;
  if (shape === null || shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`layerNorm: normalizedShape must be a positive integer or a non-empty list of them, got ${describeValue(normalizedShape)}`);
  }
  const k = shape.length;
  if (x.ndim < k || !sameShape(x.shape.slice(x.ndim - k), shape)) {
    throw new Error(`layerNorm: input of shape ${fmtShape(x.shape)} does not end with normalizedShape ${fmtShape(shape)}`);
  }
  if (typeof eps !== 'number' || !(eps >= 0) || !Number.isFinite(eps)) throw new Error(`layerNorm: eps must be a finite number >= 0, got ${describeValue(eps)}`);
  x = asFloat(x, 'layerNorm');
  for (const [name, p] of [['weight', weight], ['bias', bias]] as const) {
    if (p === undefined || p === null) continue;
    if (!(p instanceof Tensor)) throw new Error(`layerNorm: ${name} must be a Tensor or null, got ${describeValue(p)}`);
    if (!sameShape(p.shape, shape)) throw new Error(`layerNorm: ${name} of shape ${fmtShape(p.shape)} must have normalizedShape ${fmtShape(shape)}`);
    if (p.dtype !== x.dtype) throw new Error(`layerNorm: ${name} is ${p.dtype} but the input is ${x.dtype}`);
  }
  const w = weight ?? null, b = bias ?? null;
  const n = sizeOf(shape), rows = x.size / n;
  const statShape = [...x.shape.slice(0, x.ndim - k), ...shape.map(() => 1)];
  const out = Tensor.empty(x.shape, x.dtype);
  const mu = Tensor.empty(statShape, x.dtype), rstd = Tensor.empty(statShape, x.dtype);
  layerNormK(x.data as FloatArray, rows, n, eps, w && (w.data as FloatArray), b && (b.data as FloatArray), out.data as FloatArray,
    mu.data as FloatArray, rstd.data as FloatArray);
  const axes = shape.map((_, i) => x.ndim - k + i);
  const inputs = [x, ...(w ? [w] : []), ...(b ? [b] : [])];
  return record('layerNorm', out, inputs, (g, needs) => {
    // An ordinary backward of float32 (no graph of the gradient being built) runs the fused SIMD kernel: one pass per
    // row instead of a dozen tensor ops. Under createGraph the formula below records ops, so its gradients are exact.
    if (!isGradEnabled() && x.dtype === 'float32' && g.dtype === 'float32') {
      const dx = needs[0] ? Tensor.empty(x.shape, x.dtype) : null;
      const dw = w && needs[1] ? Tensor.empty(shape, x.dtype) : null;
      const db = b && needs[inputs.length - 1] ? Tensor.empty(shape, x.dtype) : null;
      const f32 = (t: Tensor | null) => (t === null ? null : (t.data as Float32Array));
      if (layerNormBackwardF32K(f32(g)!, f32(x)!, rows, n, f32(mu)!, f32(rstd)!, f32(w), f32(dx), f32(dw), f32(db))) {
        return [dx, ...(w ? [dw] : []), ...(b ? [db] : [])];
      }
    }
    const [m, r] = statistics(x, mu, rstd, axes, n);
    const xhat = mul(sub(x, m), r);
    const grads: (Tensor | null)[] = [null];
    if (needs[0]) {
      const gh = w ? mul(g, w) : g;
      grads[0] = mul(r, sub(sub(gh, meanOp(gh, axes, true)), mul(xhat, meanOp(mul(gh, xhat), axes, true))));
    }
    if (w) grads.push(needs[1] ? mul(g, xhat) : null);
    if (b) grads.push(needs[inputs.length - 1] ? g : null);
    return grads;
  }, w ? [x, w, mu, rstd] : [x, mu, rstd]);
});
