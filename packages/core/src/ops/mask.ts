/**
 * Masks and triangles: tril/triu keep one triangle of the last two dimensions, maskedFill overwrites the elements a mask
 * selects. Each op's vjp is the same op applied to the gradient (kept elements pass g through, the others get zero),
 * so second derivatives stay inside this file.
 */
import { Tensor } from '../tensor.js';
import { record } from '../autograd/node.js';
import { maskedFillK, triangleK } from '../kernels/mask.js';
import { stridedCopy } from '../kernels/copy.js';
import { broadcastPair, broadcastStrides, fmtShape, sizeOf, stridesOf } from '../shape.js';
import { describeValue } from '../validate.js';
import { defineOp } from './registry.js';
import { expectInt, expectTensor } from './args.js';

function triangle(name: 'tril' | 'triu', lower: boolean) {
  const kept = lower ? 'j - i ≤ diagonal' : 'j - i ≥ diagonal';
  const op = defineOp({
    name, family: 'indexing', differentiable: true, primitive: true,
    summary: `keeps the ${lower ? 'lower' : 'upper'} triangle (${kept}) of the last two dimensions, zeros elsewhere; diagonal defaults to 0`,
    grad: `${name}(g, diagonal)`,
  }, (x: Tensor, diagonal = 0): Tensor => {
    expectTensor(x, name);
    expectInt(diagonal, name, 'diagonal');
    if (x.ndim < 2) throw new Error(`${name}: expected a tensor with at least 2 dimensions (matrices), got shape ${fmtShape(x.shape)}`);
    const rows = x.shape[x.ndim - 2], cols = x.shape[x.ndim - 1];
    const out = Tensor.empty(x.shape, x.dtype);
    triangleK(x.data, out.data, sizeOf(x.shape.slice(0, -2)), rows, cols, diagonal, lower);
    return record(name, out, [x], (g) => [op(g, diagonal)], []);
  });
  return op;
}

/** The lower triangle of the last two dimensions (elements with j − i ≤ diagonal), zeros above it (torch.tril). */
export const tril = /* @__PURE__ */ triangle('tril', true);
/** The upper triangle of the last two dimensions (elements with j − i ≥ diagonal), zeros below it (torch.triu). */
export const triu = /* @__PURE__ */ triangle('triu', false);

/**
 * `value` where `mask` is non-zero, else x (torch.masked_fill). The mask is 0/1 of any dtype and broadcasts with x; the
 * result keeps x's dtype, and its gradient is zero at the filled positions. Typical use: `scores.maskedFill(causal, -Infinity)`.
 */
export const maskedFill = /* @__PURE__ */ defineOp({
  name: 'maskedFill', family: 'indexing', differentiable: true, primitive: true,
  summary: 'value where mask ≠ 0, else x; the mask (0/1 of any dtype) broadcasts with x, the result keeps x’s dtype',
  grad: 'x: g where mask = 0, else 0',
}, (x: Tensor, mask: Tensor, value: number): Tensor => {
  expectTensor(x, 'maskedFill');
  expectTensor(mask, 'maskedFill', 'mask');
  if (typeof value !== 'number') {
    throw new Error(`maskedFill: value must be a number, got ${describeValue(value)} (for a tensor value use where(mask, value, x))`);
  }
  if (x.dtype === 'int32' && !(Number.isInteger(value) && value >= -2147483648 && value <= 2147483647)) {
    throw new Error(`maskedFill: value ${value} cannot be stored in an int32 tensor (shape ${fmtShape(x.shape)})`);
  }
  const shape = broadcastPair(x.shape, mask.shape, 'maskedFill');
  const out = Tensor.empty(shape, x.dtype);
  stridedCopy(x.data, 0, broadcastStrides(x.shape, shape), shape, out.data, 0, stridesOf(shape));
  maskedFillK(mask.data, mask.shape, out.data, shape, value);
  return record('maskedFill', out, [x], (g) => [maskedFill(g, mask, 0)], [mask]);
});
