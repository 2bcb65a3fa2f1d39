/**
 * Broadcasting binary ops, comparisons and `where`. The vjps below return gradients at the broadcast (output) shape;
 * the engine sums them back to each input's shape, so no formula here deals with broadcasting.
 */
import { Tensor, type Operand } from '../tensor.js';
import { record } from '../autograd/node.js';
import { BinaryCode, binaryKernel, scalarKernel, whereKernel } from '../kernels/binary.js';
import type { FloatArray } from '../kernels/types.js';
import { allocate, checkInt32, floatDType, resultType, type DType } from '../dtype.js';
import { broadcastPair } from '../shape.js';
import { describeValue } from '../describe.js';
import { defineOp } from './registry.js';
import { cast } from './cast.js';
import { log } from './unary.js';

function checkOperand(v: unknown, op: string, which: string): asserts v is Operand {
  if (!(v instanceof Tensor) && typeof v !== 'number') throw new Error(`${op}: ${which} must be a Tensor or a number, got ${describeValue(v)}`);
}

/**
 * Both operands as tensors of the promoted dtype (PyTorch's result_type, see dtype.ts) — or of its float dtype with
 * `float`, for ops whose result is never an integer (true division).
 */
function operands(a: unknown, b: unknown, op: string, float = false): [Tensor, Tensor] {
  checkOperand(a, op, 'the first operand');
  checkOperand(b, op, 'the second operand');
  if (typeof a === 'number' && typeof b === 'number') throw new Error(`${op}: at least one operand must be a Tensor, got two numbers (${a}, ${b})`);
  const promoted = resultType([a, b]);
  const dt = float ? floatDType(promoted) : promoted;
  return [toTensor(a, dt, op), toTensor(b, dt, op)];
}

/** A tensor operand cast to `dtype` (casts are recorded, so gradients flow back), or a number as a 0-d tensor. */
function toTensor(v: Operand, dtype: DType, op: string): Tensor {
  if (typeof v === 'number') {
    // An integer-valued number takes an int32 tensor's dtype; PyTorch wraps one that does not fit, tensorgrad refuses.
    if (dtype === 'int32') checkInt32(v, op);
    const d = allocate(dtype, 1);
    d[0] = v;
    return new Tensor(d, [], dtype);
  }
  return v.dtype === dtype ? v : cast(v, dtype);
}

/** The kernel code for `code` on operands of `dtype`: int32 products have their own exact loops. */
function codeFor(code: BinaryCode, dtype: DType): BinaryCode {
  if (dtype !== 'int32') return code;
  return code === BinaryCode.Mul ? BinaryCode.IMul : code === BinaryCode.Pow ? BinaryCode.IPow : code;
}

function compute(code: BinaryCode, a: Tensor, b: Tensor, op: string, outDType: DType = a.dtype): Tensor {
  const shape = broadcastPair(a.shape, b.shape, op);
  if (code === BinaryCode.Pow && a.dtype === 'int32') {
    for (let i = 0; i < b.size; i++) {
      if (b.data[i] < 0) throw new Error(`${op}: integers to negative integer powers are not allowed (exponent ${b.data[i]}); cast the base to float first`);
    }
  }
  const out = Tensor.empty(shape, outDType);
  binaryKernel(codeFor(code, a.dtype), a.data, a.shape, b.data, b.shape, out.data, shape);
  return out;
}

/** One input's vjp. `b` is a plain number when the op ran on the scalar fast path (then only a's vjp is used). */
type BinaryVjp = (g: Tensor, a: Tensor, b: Operand, out: Tensor) => Tensor;

/** Which values the vjps read, as letters: 'a', 'b', 'o' (the output); '' for none. */
type Saves = '' | 'a' | 'b' | 'ab' | 'bo' | 'abo';

/**
 * Declares a differentiable broadcasting op: its kernel code, one vjp formula per input, and what those read. Operands
 * are promoted like PyTorch's; `float` ops (div) compute in the promoted dtype's float type.
 */
function binary(name: string, summary: string, grads: [string, string], code: BinaryCode, saves: Saves, vjpA: BinaryVjp, vjpB: BinaryVjp, float = false): (a: Operand, b: Operand) => Tensor {
  const scalarOk = code === BinaryCode.Add || code === BinaryCode.Sub || code === BinaryCode.Mul || code === BinaryCode.Div;
  return defineOp({ name, family: 'binary', differentiable: true, primitive: true, summary, grad: `a: ${grads[0]}; b: ${grads[1]}` }, (x: Operand, y: Operand): Tensor => {
    // Float tensor op number skips wrapping the number in a tensor (a number never changes a float tensor's dtype):
    // the common case in small-tensor chains.
    if (scalarOk && typeof y === 'number' && x instanceof Tensor && x.dtype !== 'int32') {
      const out = Tensor.empty(x.shape, x.dtype);
      // The number takes the tensor's dtype first, as PyTorch's wrapped scalars do (x/5e-324 is 0/0 in float32).
      scalarKernel(code, x.data as FloatArray, x.dtype === 'float32' ? Math.fround(y) : y, out.data as FloatArray);
      // With b a number, a's vjp (g, g, g·b, g/b) reads no tensor.
      return record(name, out, [x], (g) => [vjpA(g, x, y, out)], []);
    }
    const [a, b] = operands(x, y, name, float);
    const out = compute(code, a, b, name);
    const saved: Tensor[] = [];
    if (saves.includes('a')) saved.push(a);
    if (saves.includes('b')) saved.push(b);
    if (saves.includes('o')) saved.push(out);
    return record(name, out, [a, b], (g, needs) => [needs[0] ? vjpA(g, a, b, out) : null, needs[1] ? vjpB(g, a, b, out) : null], saved);
  });
}

export const add = /* @__PURE__ */ binary('add', 'a + b', ['g', 'g'], BinaryCode.Add, '', (g) => g, (g) => g);
export const sub = /* @__PURE__ */ binary('sub', 'a - b', ['g', '-g'], BinaryCode.Sub, '', (g) => g, (g) => g.neg());
export const mul = /* @__PURE__ */ binary('mul', 'a · b', ['g · b', 'g · a'], BinaryCode.Mul, 'ab', (g, _a, b) => mul(g, b), (g, a) => mul(g, a));
export const div = /* @__PURE__ */ binary('div', 'a / b (true division: int32 / int32 is float32)', ['g / b', '-g · out / b'], BinaryCode.Div, 'bo',
  (g, _a, b) => div(g, b), (g, _a, b, out) => div(mul(g, out), b).neg(), true);
export const pow = /* @__PURE__ */ binary('pow', 'aᵇ', ['g · b · a^(b-1)', 'g · out · log(a) (0 where a = 0)'], BinaryCode.Pow, 'abo',
  (g, a, b) => mul(g, mul(b, pow(a, sub(b, 1)))),
  // log(0) = -inf would turn 0·(-inf) into NaN; the limit of aᵇ·log(a) at a = 0 (b > 0) is 0, as PyTorch uses.
  (g, a, _b, out) => mul(g, where(eq(a, 0), 0, mul(out, log(a)))));
// Ties split the gradient evenly between a and b, as PyTorch does for maximum/minimum.
export const maximum = /* @__PURE__ */ binary('maximum', 'elementwise max(a, b)', ['g · ((a > b) + ½(a = b))', 'g · ((b > a) + ½(a = b))'], BinaryCode.Maximum, 'ab',
  (g, a, b) => mul(g, add(gt(a, b), mul(eq(a, b), 0.5))), (g, a, b) => mul(g, add(lt(a, b), mul(eq(a, b), 0.5))));
export const minimum = /* @__PURE__ */ binary('minimum', 'elementwise min(a, b)', ['g · ((a < b) + ½(a = b))', 'g · ((b < a) + ½(a = b))'], BinaryCode.Minimum, 'ab',
  (g, a, b) => mul(g, add(lt(a, b), mul(eq(a, b), 0.5))), (g, a, b) => mul(g, add(gt(a, b), mul(eq(a, b), 0.5))));

/**
 * Comparisons compare in the promoted dtype (exactly, for int32 operands) and return an int32 tensor of 0/1:
 * tensorgrad has no bool dtype, and int32 is the closest to it (it is the lowest dtype in promotion, so
 * `x.mul(mask)` keeps x's dtype, and `mask.sum()` counts exactly).
 */
function comparison(name: string, symbol: string, code: BinaryCode): (a: Operand, b: Operand) => Tensor {
  return defineOp({ name, family: 'comparison', differentiable: false, primitive: true, summary: `1 where a ${symbol} b, else 0 (int32)`, grad: '' },
    (x: Operand, y: Operand): Tensor => {
      const [a, b] = operands(x, y, name);
      return compute(code, a, b, name, 'int32');
    });
}

export const eq = /* @__PURE__ */ comparison('eq', '=', BinaryCode.Eq);
export const ne = /* @__PURE__ */ comparison('ne', '≠', BinaryCode.Ne);
export const lt = /* @__PURE__ */ comparison('lt', '<', BinaryCode.Lt);
export const le = /* @__PURE__ */ comparison('le', '≤', BinaryCode.Le);
export const gt = /* @__PURE__ */ comparison('gt', '>', BinaryCode.Gt);
export const ge = /* @__PURE__ */ comparison('ge', '≥', BinaryCode.Ge);

/**
 * Picks a where cond is non-zero, else b; all three broadcast together. a and b are promoted like a binary op's
 * operands; two numbers are fine (the condition supplies the shape). Differentiable in a and b.
 */
export const where = /* @__PURE__ */ defineOp({
  name: 'where', family: 'binary', differentiable: true, primitive: true,
  summary: 'a where cond ≠ 0, else b (broadcasting)', grad: 'a: where(cond, g, 0); b: where(cond, 0, g)',
}, (cond: Tensor, x: Operand, y: Operand): Tensor => {
  if (!(cond instanceof Tensor)) throw new Error(`where: cond must be a Tensor, got ${describeValue(cond)}`);
  checkOperand(x, 'where', 'the second argument');
  checkOperand(y, 'where', 'the third argument');
  const dt = resultType([x, y]);
  const a = toTensor(x, dt, 'where'), b = toTensor(y, dt, 'where');
  const shape = broadcastPair(broadcastPair(cond.shape, a.shape, 'where'), b.shape, 'where');
  const out = Tensor.empty(shape, dt);
  whereKernel(cond.data, cond.shape, a.data, a.shape, b.data, b.shape, out.data, shape);
  return record('where', out, [a, b], (g, needs) => [
    needs[0] ? where(cond, g, 0) : null,
    needs[1] ? where(cond, 0, g) : null,
  ], [cond]);
});
