/**
 * In-place arithmetic (PyTorch's trailing-underscore methods) for optimizer and buffer updates. They are not
 * differentiable: Tensor allows them only on tensors outside a graph, and on leaves that require grad only under
 * noGrad. They exist so an optimizer step updates its state without allocating a fresh array per operation.
 */
import { Tensor } from '../tensor.js';
import type { FloatArray } from '../kernels/types.js';
import * as K from '../kernels/inplace.js';
import { fmtShape, sameShape, broadcastsTo } from '../shape.js';
import { broadcastTo } from './shape.js';
import { cast } from './cast.js';

/** `y` as a contiguous array of x's shape and dtype (broadcast and cast if needed); shared with Tensor.assign. */
export function inPlaceOperand(x: Tensor, y: Tensor, op: string): FloatArray {
  if (!(y instanceof Tensor)) throw new Error(`${op}: operand must be a Tensor or a number`);
  if (!sameShape(x.shape, y.shape)) {
    if (!broadcastsTo(y.shape, x.shape)) throw new Error(`${op}: operand of shape ${fmtShape(y.shape)} cannot be broadcast to the updated tensor's shape ${fmtShape(x.shape)}`);
    y = broadcastTo(y.detach(), x.shape);
  }
  if (y.dtype !== x.dtype) y = cast(y.detach(), x.dtype);
  return y.data as FloatArray;
}

function target(x: Tensor, op: string): FloatArray {
  if (x.dtype === 'int32') throw new Error(`${op}: in-place arithmetic needs a float tensor, got int32`);
  x._checkInPlace(op);
  return x.data as FloatArray;
}

export function addInPlace(x: Tensor, y: Tensor | number, alpha: number, op: string): void {
  const d = target(x, op);
  if (typeof y === 'number') K.addScalarK(d, alpha * y);
  else K.axpyK(d, inPlaceOperand(x, y, op), alpha);
}

export function mulInPlace(x: Tensor, y: Tensor | number): void {
  const d = target(x, 'mul_');
  if (typeof y === 'number') K.mulScalarK(d, y);
  else K.mulK(d, inPlaceOperand(x, y, 'mul_'));
}

export function divInPlace(x: Tensor, y: Tensor | number): void {
  const d = target(x, 'div_');
  if (typeof y === 'number') K.mulScalarK(d, 1 / y);
  else K.divK(d, inPlaceOperand(x, y, 'div_'));
}

export function addcmulInPlace(x: Tensor, a: Tensor, b: Tensor, value: number): void {
  const d = target(x, 'addcmul_');
  K.addcmulK(d, inPlaceOperand(x, a, 'addcmul_'), inPlaceOperand(x, b, 'addcmul_'), value);
}

export function addcdivInPlace(x: Tensor, a: Tensor, b: Tensor, value: number): void {
  const d = target(x, 'addcdiv_');
  K.addcdivK(d, inPlaceOperand(x, a, 'addcdiv_'), inPlaceOperand(x, b, 'addcdiv_'), value);
}

export function lerpInPlace(x: Tensor, end: Tensor, weight: number): void {
  const d = target(x, 'lerp_');
  K.lerpK(d, inPlaceOperand(x, end, 'lerp_'), weight);
}
