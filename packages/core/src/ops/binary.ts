/**
 * Broadcasting binary ops, comparisons and `where`. The vjps below return gradients at the broadcast (output) shape;
 * the engine sums them back to each input's shape, so no formula here deals with broadcasting.
 */
import { Tensor, type Operand } from '../tensor.js';
import { record } from '../autograd/node.js';
import { BinaryCode, binaryKernel, scalarKernel, whereKernel } from '../kernels/binary.js';
import type { FloatArray } from '../kernels/types.js';
import { allocate, floatDType, promote } from '../dtype.js';
import { broadcastShapes } from '../shape.js';
import { defineOp } from './registry.js';
import { cast } from './cast.js';
import { log } from './unary.js';

/** Brings both operands to one float dtype; a number takes the tensor's dtype. */
function operands(a: Operand, b: Operand, op: string): [Tensor, Tensor] {
  if (typeof a === 'number' && typeof b === 'number') throw new Error(`${op}: at least one operand must be a Tensor`);
  for (const v of [a, b]) {
    if (typeof v !== 'number' && !(v instanceof Tensor)) throw new Error(`${op}: operands must be Tensors or numbers, got ${v === null ? 'null' : typeof v}`);
  }
  const dt = typeof a === 'number' ? floatDType((b as Tensor).dtype)
    : typeof b === 'number' ? floatDType(a.dtype) : promote(a.dtype, b.dtype);
  return [toTensor(a, dt), toTensor(b, dt)];
}

function toTensor(v: Operand, dtype: 'float32' | 'float64'): Tensor {
  if (typeof v === 'number') {
    const d = allocate(dtype, 1);
    d[0] = v;
    return new Tensor(d, [], dtype);
  }
  return v.dtype === dtype ? v : cast(v, dtype);
}

function compute(code: BinaryCode, a: Tensor, b: Tensor, op: string): Tensor {
  const shape = broadcastShapes(a.shape, b.shape, op);
  const out = Tensor.empty(shape, a.dtype);
  binaryKernel(code, a.data as FloatArray, a.shape, b.data as FloatArray, b.shape, out.data as FloatArray, shape);
  return out;
}

/** One input's vjp. `b` is a plain number when the op ran on the scalar fast path (then only a's vjp is used). */
type BinaryVjp = (g: Tensor, a: Tensor, b: Operand, out: Tensor) => Tensor;

/** Which values the vjps read, as letters: 'a', 'b', 'o' (the output); '' for none. */
type Saves = '' | 'a' | 'b' | 'ab' | 'bo' | 'abo';

/** Declares a differentiable broadcasting op: its kernel code, one vjp formula per input, and what those read. */
function binary(name: string, summary: string, grads: [string, string], code: BinaryCode, saves: Saves, vjpA: BinaryVjp, vjpB: BinaryVjp): (a: Operand, b: Operand) => Tensor {
  const scalarOk = code === BinaryCode.Add || code === BinaryCode.Sub || code === BinaryCode.Mul || code === BinaryCode.Div;
  return defineOp({ name, family: 'binary', differentiable: true, primitive: true, summary, grad: `a: ${grads[0]}; b: ${grads[1]}` }, (x: Operand, y: Operand): Tensor => {
    // Tensor-op-number skips wrapping the number in a tensor: the common case in small-tensor chains.
    if (scalarOk && typeof y === 'number' && x instanceof Tensor && x.dtype !== 'int32') {
      const out = Tensor.empty(x.shape, x.dtype);
      scalarKernel(code, x.data as FloatArray, y, out.data as FloatArray);
      // With b a number, a's vjp (g, g, g·b, g/b) reads no tensor.
      return record(name, out, [x], (g) => [vjpA(g, x, y, out)], []);
    }
    const [a, b] = operands(x, y, name);
    const out = compute(code, a, b, name);
    const saved: Tensor[] = [];
    if (saves.includes('a')) saved.push(a);
    if (saves.includes('b')) saved.push(b);
    if (saves.includes('o')) saved.push(out);
    return record(name, out, [a, b], (g, needs) => [needs[0] ? vjpA(g, a, b, out) : null, needs[1] ? vjpB(g, a, b, out) : null], saved);
  });
}

export const add = binary('add', 'a + b', ['g', 'g'], BinaryCode.Add, '', (g) => g, (g) => g);
export const sub = binary('sub', 'a - b', ['g', '-g'], BinaryCode.Sub, '', (g) => g, (g) => g.neg());
export const mul = binary('mul', 'a · b', ['g · b', 'g · a'], BinaryCode.Mul, 'ab', (g, _a, b) => mul(g, b), (g, a) => mul(g, a));
export const div = binary('div', 'a / b', ['g / b', '-g · out / b'], BinaryCode.Div, 'bo',
  (g, _a, b) => div(g, b), (g, _a, b, out) => div(mul(g, out), b).neg());
export const pow = binary('pow', 'aᵇ', ['g · b · a^(b-1)', 'g · out · log(a) (0 where a = 0)'], BinaryCode.Pow, 'abo',
  (g, a, b) => mul(g, mul(b, pow(a, sub(b, 1)))),
  // log(0) = -inf would turn 0·(-inf) into NaN; the limit of aᵇ·log(a) at a = 0 (b > 0) is 0, as PyTorch uses.
  (g, a, _b, out) => mul(g, where(eq(a, 0), 0, mul(out, log(a)))));
// Ties split the gradient evenly between a and b, as PyTorch does for maximum/minimum.
export const maximum = binary('maximum', 'elementwise max(a, b)', ['g · ((a > b) + ½(a = b))', 'g · ((b > a) + ½(a = b))'], BinaryCode.Maximum, 'ab',
  (g, a, b) => mul(g, add(gt(a, b), mul(eq(a, b), 0.5))), (g, a, b) => mul(g, add(lt(a, b), mul(eq(a, b), 0.5))));
export const minimum = binary('minimum', 'elementwise min(a, b)', ['g · ((a < b) + ½(a = b))', 'g · ((b < a) + ½(a = b))'], BinaryCode.Minimum, 'ab',
  (g, a, b) => mul(g, add(lt(a, b), mul(eq(a, b), 0.5))), (g, a, b) => mul(g, add(gt(a, b), mul(eq(a, b), 0.5))));

function comparison(name: string, symbol: string, code: BinaryCode): (a: Operand, b: Operand) => Tensor {
  return defineOp({ name, family: 'comparison', differentiable: false, primitive: true, summary: `1 where a ${symbol} b, else 0`, grad: '' },
    (x: Operand, y: Operand): Tensor => {
      const [a, b] = operands(x, y, name);
      return compute(code, a, b, name);
    });
}

export const eq = comparison('eq', '=', BinaryCode.Eq);
export const ne = comparison('ne', '≠', BinaryCode.Ne);
export const lt = comparison('lt', '<', BinaryCode.Lt);
export const le = comparison('le', '≤', BinaryCode.Le);
export const gt = comparison('gt', '>', BinaryCode.Gt);
export const ge = comparison('ge', '≥', BinaryCode.Ge);

/** Picks a where cond is non-zero, else b; all three broadcast together. Differentiable in a and b. */
export const where = defineOp({
  name: 'where', family: 'binary', differentiable: true, primitive: true,
  summary: 'a where cond ≠ 0, else b (broadcasting)', grad: 'a: where(cond, g, 0); b: where(cond, 0, g)',
}, (cond: Tensor, x: Operand, y: Operand): Tensor => {
  if (!(cond instanceof Tensor)) throw new Error('where: cond must be a Tensor');
  // Two numbers are fine here: the condition supplies the shape (and, if it is float, the dtype).
  const [a, b] = typeof x === 'number' && typeof y === 'number'
    ? [toTensor(x, floatDType(cond.dtype)), toTensor(y, floatDType(cond.dtype))] : operands(x, y, 'where');
  const shape = broadcastShapes(broadcastShapes(cond.shape, a.shape, 'where'), b.shape, 'where');
  const out = Tensor.empty(shape, a.dtype);
  whereKernel(cond.data, cond.shape, a.data as FloatArray, a.shape, b.data as FloatArray, b.shape, out.data as FloatArray, shape);
  return record('where', out, [a, b], (g, needs) => [
    needs[0] ? where(cond, g, 0) : null,
    needs[1] ? where(cond, 0, g) : null,
  ], [cond]);
});
