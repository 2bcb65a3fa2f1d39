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
import { describeValue } from '../describe.js';

/** `y` as a contiguous array of x's shape and dtype (broadcast and cast if needed); shared with Tensor.assign. */
export function inPlaceOperand(x: Tensor, y: Tensor, op: string): FloatArray {
  if (!(y instanceof Tensor)) throw new Error(`${op}: operand must be a Tensor or a number, got ${describeValue(y)}`);
  if (!sameShape(x.shape, y.shape)) {
    if (!broadcastsTo(y.shape, x.shape)) throw new Error(`${op}: operand of shape ${fmtShape(y.shape)} cannot be broadcast to the updated tensor's shape ${fmtShape(x.shape)}`);
    y = broadcastTo(y.detach(), x.shape);
  }
  if (y.dtype !== x.dtype) {
    try {
      y = cast(y.detach(), x.dtype);
    } catch (e) {
      throw new Error(`${op}: ${(e as Error).message}`);
    }
  }
  return y.data as FloatArray;
}

/** Checks that `x` may be updated in place; the caller validates its operands next, then calls `modified`. */
function target(x: Tensor, op: string): FloatArray {
  if (x.dtype === 'int32') throw new Error(`${op}: in-place arithmetic needs a float tensor, got int32`);
  x._checkInPlace(op);
  return x.data as FloatArray;
}

function scalar(v: number, op: string, what = 'operand'): number {
  if (typeof v !== 'number') throw new Error(`${op}: ${what} must be a number, got ${describeValue(v)}`);
  return v;
}

/** Every operand is valid: count the change in x's version and hand back its values to update. */
function modified(x: Tensor, d: FloatArray): FloatArray {
  x._bumpVersion();
  return d;
}

/** x += sign · alpha · y (sign -1 for sub_, so alpha is checked as the user passed it). */
export function addInPlace(x: Tensor, y: Tensor | number, alpha: number, sign: 1 | -1, op: string): void {
  const d = target(x, op);
  alpha = sign * scalar(alpha, op, 'alpha');
  if (typeof y === 'number') K.addScalarK(modified(x, d), alpha * y);
  else {
    const v = inPlaceOperand(x, y, op);
    K.axpyK(modified(x, d), v, alpha);
  }
}

export function mulInPlace(x: Tensor, y: Tensor | number): void {
  const d = target(x, 'mul_');
  if (typeof y === 'number') K.mulScalarK(modified(x, d), x.dtype === 'float32' ? Math.fround(y) : y);
  else {
    const v = inPlaceOperand(x, y, 'mul_');
    K.mulK(modified(x, d), v);
  }
}

export function divInPlace(x: Tensor, y: Tensor | number): void {
  const d = target(x, 'div_');
  if (typeof y === 'number') K.divScalarK(modified(x, d), x.dtype === 'float32' ? Math.fround(y) : y);
  else {
    const v = inPlaceOperand(x, y, 'div_');
    K.divK(modified(x, d), v);
  }
}

export function addcmulInPlace(x: Tensor, a: Tensor, b: Tensor, value: number): void {
  const d = target(x, 'addcmul_');
  scalar(value, 'addcmul_', 'value');
  const va = inPlaceOperand(x, a, 'addcmul_'), vb = inPlaceOperand(x, b, 'addcmul_');
  K.addcmulK(modified(x, d), va, vb, value);
}

export function addcdivInPlace(x: Tensor, a: Tensor, b: Tensor, value: number): void {
  const d = target(x, 'addcdiv_');
  scalar(value, 'addcdiv_', 'value');
  const va = inPlaceOperand(x, a, 'addcdiv_'), vb = inPlaceOperand(x, b, 'addcdiv_');
  K.addcdivK(modified(x, d), va, vb, value);
}

export function lerpInPlace(x: Tensor, end: Tensor, weight: number): void {
  const d = target(x, 'lerp_');
  scalar(weight, 'lerp_', 'weight');
  const v = inPlaceOperand(x, end, 'lerp_');
  K.lerpK(modified(x, d), v, weight);
}
