/** softmax and logSoftmax: composites, made stable by the max shift inside logsumexp. */
import type { Tensor } from '../tensor.js';
import { defineOp } from './registry.js';
import { exp } from './unary.js';
import { sub } from './binary.js';
import { logsumexp } from './reduce.js';
import { asFloat } from './cast.js';

export const logSoftmax = defineOp({
  name: 'logSoftmax', family: 'activation', differentiable: true, primitive: false,
  summary: 'x - logsumexp(x) along axis (default -1); finite for logits of any size', grad: 'composite',
}, (x: Tensor, axis = -1): Tensor => {
  x = asFloat(x, 'logSoftmax');
  return sub(x, logsumexp(x, axis, true));
});

export const softmax = defineOp({
  name: 'softmax', family: 'activation', differentiable: true, primitive: false,
  summary: 'exp(logSoftmax(x)) along axis (default -1)', grad: 'composite',
}, (x: Tensor, axis = -1): Tensor => exp(logSoftmax(x, axis)));
