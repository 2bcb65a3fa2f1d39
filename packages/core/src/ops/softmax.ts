/** softmax and logSoftmax: composites, made stable by the max shift inside logsumexp. */
import type { Tensor } from '../tensor.js';
import { defineOp } from './registry.js';
import { exp } from './unary.js';
import { sub } from './binary.js';
import { logsumexp } from './reduce.js';
import { reshape } from './shape.js';
import { asFloat } from './cast.js';
import { normAxis } from '../shape.js';

/**
 * x - logsumexp(x) along `axis`, checked under `op` (the function the user called). A 0-d tensor is a single class:
 * axis 0 or -1, as in PyTorch, and the result is 0 (softmax 1).
 */
function logSoftmaxOf(x: Tensor, axis: number, op: string): Tensor {
  x = asFloat(x, op);
  if (x.ndim === 0) {
    normAxis(axis, 1, op, x.shape);
    return reshape(logSoftmaxOf(reshape(x, [1]), 0, op), []);
  }
  const a = normAxis(axis, x.ndim, op, x.shape);
  return sub(x, logsumexp(x, a, true));
}

export const logSoftmax = /* @__PURE__ */ defineOp({
  name: 'logSoftmax', family: 'activation', differentiable: true, primitive: false,
  summary: 'x - logsumexp(x) along axis (default -1); finite for logits of any size', grad: 'composite',
}, (x: Tensor, axis = -1): Tensor => logSoftmaxOf(x, axis, 'logSoftmax'));

export const softmax = /* @__PURE__ */ defineOp({
  name: 'softmax', family: 'activation', differentiable: true, primitive: false,
  summary: 'exp(logSoftmax(x)) along axis (default -1)', grad: 'composite',
}, (x: Tensor, axis = -1): Tensor => exp(logSoftmaxOf(x, axis, 'softmax')));
