/** Gradient clipping (torch.nn.utils.clip_grad_norm_ / clip_grad_value_), applied in place to `.grad` under noGrad. */
import { Tensor, noGrad, stack } from '@tensorgrad/core';
import { describeValue } from '../util.js';

function gradsOf(where: string, params: Iterable<Tensor> | Tensor): Tensor[] {
  const iterable = params !== null && typeof params === 'object' && typeof (params as Iterable<Tensor>)[Symbol.iterator] === 'function';
  if (!(params instanceof Tensor) && !iterable) throw new Error(`${where}: params must be a Tensor or an iterable of Tensors, got ${describeValue(params)}`);
  const list = params instanceof Tensor ? [params] : [...params];
  const grads: Tensor[] = [];
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new Error(`${where}: params[${i}] is not a Tensor (got ${describeValue(p)})`);
    if (p.grad !== null) grads.push(p.grad);
  });
  return grads;
}

/**
 * Rescales the gradients so that their joint `normType`-norm (all gradients viewed as one vector) is at most
 * `maxNorm`, and returns that norm as measured before clipping. `normType` is any p > 0, or Infinity / 'inf' for
 * the largest absolute value. Parameters without a gradient are ignored; with none at all the norm is 0.
 */
export function clipGradNorm(params: Iterable<Tensor> | Tensor, maxNorm: number, normType: number | 'inf' = 2): number {
  const where = 'clipGradNorm';
  const p = normType === 'inf' ? Infinity : normType;
  if (typeof p !== 'number' || Number.isNaN(p) || p <= 0) throw new Error(`${where}: normType must be a positive number or Infinity, got ${String(normType)}`);
  if (typeof maxNorm !== 'number' || Number.isNaN(maxNorm) || maxNorm < 0) throw new Error(`${where}: maxNorm must be a number >= 0, got ${String(maxNorm)}`);
  const grads = gradsOf(where, params);
  if (grads.length === 0) return 0;
  return noGrad(() => {
    let total: Tensor;
    if (p === Infinity) {
      total = stack(grads.map((g) => g.detach().abs().max())).max();
    } else {
      // Per-gradient norms first, then the norm of those norms, exactly as PyTorch composes them.
      const norms = grads.map((g) => g.detach().norm(p));
      total = stack(norms).norm(p);
    }
    // The 1e-6 guards against division by zero; the clamp makes the scale a no-op when the norm is already small.
    const scale = total.add(1e-6).reciprocal().mul(maxNorm).clamp(undefined, 1);
    for (const g of grads) g.assign(g.mul(scale));
    return total.item();
  });
}

/** Clamps every gradient element into [-clipValue, clipValue]. */
export function clipGradValue(params: Iterable<Tensor> | Tensor, clipValue: number): void {
  const where = 'clipGradValue';
  if (typeof clipValue !== 'number' || Number.isNaN(clipValue) || clipValue < 0) throw new Error(`${where}: clipValue must be a number >= 0, got ${String(clipValue)}`);
  const grads = gradsOf(where, params);
  noGrad(() => {
    for (const g of grads) g.assign(g.clamp(-clipValue, clipValue));
  });
}
