/**
 * Elementwise unary ops. Each primitive states its kernel and its vjp side by side; the vjp is written with tensor ops
 * (and reuses the op's result where that is cheaper: exp, tanh, sigmoid, sqrt, reciprocal), so it is differentiable again.
 */
import { Tensor } from '../tensor.js';
import { record } from '../autograd/node.js';
import * as K from '../kernels/unary.js';
import type { FloatArray } from '../kernels/types.js';
import { defineOp, type OpFamily } from './registry.js';
import { add, mul, sub, where, gt, ge, le } from './binary.js';
import { expectNumber } from '../validate.js';
import { asFloat } from './cast.js';
import { zerosLike } from '../creation.js';
import { geluGradK, geluK, type GeluApproximate } from '../kernels/gelu.js';
import { checkOptions, describeValue } from '../validate.js';

type UnaryVjp = (g: Tensor, x: Tensor, out: Tensor) => Tensor;

interface UnarySpec {
  summary: string;
  grad: string;
  /** Which values the vjp reads: the input x, the result out, or neither (the engine checks they were not modified). */
  saves: 'x' | 'out' | 'none';
  family?: OpFamily;
  /** For ops whose result on integers is an integer in PyTorch (neg, abs, square, relu): int32 in, int32 out. */
  int?: K.IntKernel;
}

/** Declares a differentiable elementwise op from its kernel and its vjp. Without `spec.int`, int32 input computes in float32. */
function unary(name: string, spec: UnarySpec, kernel: K.UnaryKernel, vjp: UnaryVjp): (x: Tensor) => Tensor {
  return defineOp({ name, family: spec.family ?? 'unary', differentiable: true, primitive: true, summary: spec.summary, grad: spec.grad }, (x: Tensor): Tensor => {
    if (spec.int && x instanceof Tensor && x.dtype === 'int32') return intUnary(x, spec.int);
    x = asFloat(x, name);
    const out = Tensor.empty(x.shape, x.dtype);
    kernel(x.data as FloatArray, out.data as FloatArray);
    return record(name, out, [x], (g) => [vjp(g, x, out)], spec.saves === 'x' ? [x] : spec.saves === 'out' ? [out] : []);
  });
}

/** An int32 result of an int32 input; integer tensors never require grad, so nothing is recorded. */
function intUnary(x: Tensor, kernel: K.IntKernel): Tensor {
  const out = Tensor.empty(x.shape, 'int32');
  kernel(x.data as Int32Array, out.data as Int32Array);
  return out;
}

/**
 * A fused vjp op g ⊙ f'(y) for the hot activations: one kernel pass instead of three ops. It is itself a recorded op with
 * its own vjp (w.r.t. g and y), so second derivatives still work.
 */
function gradOp(name: string, kernel: K.GradKernel, vjp: (gg: Tensor, g: Tensor, y: Tensor) => [Tensor, Tensor | null]) {
  const op = (g: Tensor, y: Tensor): Tensor => {
    const out = Tensor.empty(y.shape, y.dtype);
    kernel(g.data as FloatArray, y.data as FloatArray, out.data as FloatArray);
    return record(name, out, [g, y], (gg, needs) => {
      const [dg, dy] = vjp(gg, g, y);
      return [needs[0] ? dg : null, needs[1] ? dy : null];
    }, [g, y]);
  };
  return op;
}

const tanhGrad: (g: Tensor, y: Tensor) => Tensor = gradOp('tanhBackward', K.tanhGradK,
  (gg, g, y) => [tanhGrad(gg, y), mul(mul(gg, g), mul(y, -2))]);
const sigmoidGrad: (g: Tensor, y: Tensor) => Tensor = gradOp('sigmoidBackward', K.sigmoidGradK,
  (gg, g, y) => [sigmoidGrad(gg, y), mul(mul(gg, g), sub(1, mul(y, 2)))]);
// relu' is piecewise constant: its derivative w.r.t. x is zero (not "unused"), as in PyTorch.
const reluGrad: (g: Tensor, x: Tensor) => Tensor = gradOp('reluBackward', K.reluGradK, (gg, _g, x) => [reluGrad(gg, x), zerosLike(x)]);

export const neg = /* @__PURE__ */ unary('neg', { summary: '-x', grad: '-g', saves: 'none', int: K.negIntK }, K.negK, (g) => neg(g));
export const exp = /* @__PURE__ */ unary('exp', { summary: 'eˣ', grad: 'g · out', saves: 'out' }, K.expK, (g, _x, out) => mul(g, out));
export const log = /* @__PURE__ */ unary('log', { summary: 'natural logarithm', grad: 'g / x', saves: 'x' }, K.logK, (g, x) => g.div(x));
export const log1p = /* @__PURE__ */ unary('log1p', { summary: 'log(1 + x), accurate near 0', grad: 'g / (1 + x)', saves: 'x' }, K.log1pK, (g, x) => g.div(add(x, 1)));
export const sqrt = /* @__PURE__ */ unary('sqrt', { summary: '√x', grad: 'g / (2 · out)', saves: 'out' }, K.sqrtK, (g, _x, out) => g.div(mul(out, 2)));
export const abs = /* @__PURE__ */ unary('abs', { summary: '|x|', grad: 'g · sign(x) (0 at x = 0)', saves: 'x', int: K.absIntK }, K.absK, (g, x) => mul(g, sign(x)));
export const sin = /* @__PURE__ */ unary('sin', { summary: 'sine', grad: 'g · cos(x)', saves: 'x' }, K.sinK, (g, x) => mul(g, cos(x)));
export const cos = /* @__PURE__ */ unary('cos', { summary: 'cosine', grad: '-g · sin(x)', saves: 'x' }, K.cosK, (g, x) => neg(mul(g, sin(x))));
export const tanh = /* @__PURE__ */ unary('tanh', { summary: 'hyperbolic tangent', grad: 'g · (1 - out²)', saves: 'out', family: 'activation' }, K.tanhK,
  (g, _x, out) => tanhGrad(g, out));
export const sigmoid = /* @__PURE__ */ unary('sigmoid', { summary: '1 / (1 + e⁻ˣ), computed without overflow', grad: 'g · out · (1 - out)', saves: 'out', family: 'activation' }, K.sigmoidK,
  (g, _x, out) => sigmoidGrad(g, out));
export const relu = /* @__PURE__ */ unary('relu', { summary: 'max(x, 0)', grad: 'g · (x > 0)', saves: 'x', family: 'activation', int: K.reluIntK }, K.reluK, (g, x) => reluGrad(g, x));
export const softplus = /* @__PURE__ */ unary('softplus', { summary: 'log(1 + eˣ), stable; x for x > 20 like PyTorch', grad: 'g · sigmoid(x) (g for x > 20)', saves: 'x', family: 'activation' }, K.softplusK,
  (g, x) => mul(g, where(gt(x, 20), 1, sigmoid(x))));
export const erf = /* @__PURE__ */ unary('erf', { summary: 'error function', grad: 'g · 2/√π · e^(-x²)', saves: 'x' }, K.erfK,
  (g, x) => mul(g, exp(neg(square(x)))).mul(2 / Math.sqrt(Math.PI)));
export const reciprocal = /* @__PURE__ */ unary('reciprocal', { summary: '1 / x', grad: '-g · out²', saves: 'out' }, K.reciprocalK, (g, _x, out) => neg(mul(g, square(out))));
export const square = /* @__PURE__ */ unary('square', { summary: 'x²', grad: '2 · g · x', saves: 'x', int: K.squareIntK }, K.squareK, (g, x) => mul(g, mul(x, 2)));
/** 1 / √x (torch.rsqrt). */
export const rsqrt = /* @__PURE__ */ unary('rsqrt', { summary: '1 / √x', grad: '-g · out³ / 2', saves: 'out' }, K.rsqrtK, (g, _x, out) => mul(g, mul(out, square(out))).mul(-0.5));
/** x · sigmoid(x), the SiLU or swish activation (torch.nn.functional.silu). */
export const silu = /* @__PURE__ */ unary('silu', { summary: 'x · sigmoid(x) (also called swish)', grad: 'g · s · (1 + x · (1 - s)), s = sigmoid(x)', saves: 'x', family: 'activation' }, K.siluK,
  (g, x) => {
    const s = sigmoid(x);
    return mul(g, mul(s, add(mul(x, sub(1, s)), 1)));
  });

/** sign(x) ∈ {-1, 0, 1}; its derivative is zero almost everywhere, so it records no graph. */
export const sign = /* @__PURE__ */ defineOp({ name: 'sign', family: 'unary', differentiable: false, primitive: true, summary: 'sign of x: -1, 0 or 1', grad: '' }, (x: Tensor): Tensor => {
  if (x instanceof Tensor && x.dtype === 'int32') return intUnary(x, K.signIntK);
  x = asFloat(x, 'sign');
  const out = Tensor.empty(x.shape, x.dtype);
  K.signK(x.data as FloatArray, out.data as FloatArray);
  return out;
});

export const leakyRelu = /* @__PURE__ */ defineOp({
  name: 'leakyRelu', family: 'activation', differentiable: true, primitive: true,
  summary: 'x for x > 0, negativeSlope · x otherwise (default slope 0.01)', grad: 'g · (x > 0 ? 1 : negativeSlope)',
}, (x: Tensor, negativeSlope = 0.01): Tensor => {
  x = asFloat(x, 'leakyRelu');
  expectNumber(negativeSlope, 'leakyRelu', 'negativeSlope', { finite: true });
  const out = Tensor.empty(x.shape, x.dtype);
  K.leakyReluK(x.data as FloatArray, out.data as FloatArray, negativeSlope);
  return record('leakyRelu', out, [x], (g) => [where(gt(x, 0), g, mul(g, negativeSlope))], [x]);
});

export const clamp = /* @__PURE__ */ defineOp({
  name: 'clamp', family: 'unary', differentiable: true, primitive: true,
  summary: 'limits x to [min, max] (either bound may be omitted)', grad: 'g · (min ≤ x ≤ max)',
}, (x: Tensor, min?: number | null, max?: number | null): Tensor => {
  const lo = min === undefined || min === null ? -Infinity : expectNumber(min, 'clamp', 'min');
  const hi = max === undefined || max === null ? Infinity : expectNumber(max, 'clamp', 'max');
  // An int32 tensor clamped to integer bounds stays int32 (PyTorch's promotion with the bounds as scalars).
  const intBounds = (min === undefined || min === null || Number.isInteger(lo)) && (max === undefined || max === null || Number.isInteger(hi));
  if (x instanceof Tensor && x.dtype === 'int32' && intBounds) {
    const out = Tensor.empty(x.shape, 'int32');
    K.clampK(x.data as Int32Array, out.data as Int32Array, lo, hi);
    return out;
  }
  x = asFloat(x, 'clamp');
  const out = Tensor.empty(x.shape, x.dtype);
  K.clampK(x.data as FloatArray, out.data as FloatArray, lo, hi);
  return record('clamp', out, [x], (g) => {
    let mask = g;
    if (lo > -Infinity) mask = mul(mask, ge(x, lo));
    if (hi < Infinity) mask = mul(mask, le(x, hi));
    return [mask];
  }, [x]);
});

export interface GeluOptions {
  /** 'none' (default): the exact x·Φ(x); 'tanh': PyTorch's approximation x/2·(1 + tanh(√(2/π)·(x + 0.044715x³))). */
  approximate?: GeluApproximate;
}

/** √(2/π) and its cubic term, as in the tanh form: 2u = x·(2β + 2βκ·x²). */
const GELU_BETA = Math.sqrt(2 / Math.PI), GELU_KAPPA = 0.044715;

/** gelu''(x), written with tensor ops so that third derivatives work too. */
function geluSecond(x: Tensor, approximate: GeluApproximate): Tensor {
  const x2 = square(x);
  if (approximate === 'none') return mul(exp(mul(x2, -0.5)), sub(2, x2)).mul(1 / Math.sqrt(2 * Math.PI));
  // With v = 2u and s = σ(v): gelu' = s + x·v'·s(1 − s), so gelu'' = s(1 − s)·(2v' + x·v'' + x·v'²·(1 − 2s)).
  const k1 = 2 * GELU_BETA, k3 = k1 * GELU_KAPPA;
  const s = sigmoid(mul(x, add(mul(x2, k3), k1)));
  const dv = add(mul(x2, 3 * k3), k1);
  const inner = add(add(mul(dv, 2), mul(x2, 6 * k3)), mul(mul(x, square(dv)), sub(1, mul(s, 2))));
  return mul(mul(s, sub(1, s)), inner);
}

const geluGradExact: (g: Tensor, x: Tensor) => Tensor = gradOp('geluBackward', (g, x, o) => geluGradK(g, x, o, 'none'),
  (gg, g, x) => [geluGradExact(gg, x), mul(mul(gg, g), geluSecond(x, 'none'))]);
const geluGradTanh: (g: Tensor, x: Tensor) => Tensor = gradOp('geluTanhBackward', (g, x, o) => geluGradK(g, x, o, 'tanh'),
  (gg, g, x) => [geluGradTanh(gg, x), mul(mul(gg, g), geluSecond(x, 'tanh'))]);

/**
 * GELU as one primitive with fused kernels (float32 runs a SIMD kernel), like PyTorch's F.gelu: the exact x·Φ(x) by
 * default, or the tanh approximation with `{ approximate: 'tanh' }`. Its backward is a fused op too (geluBackward),
 * itself differentiable, so second derivatives work.
 */
export const gelu = /* @__PURE__ */ defineOp({
  name: 'gelu', family: 'activation', differentiable: true, primitive: true,
  summary: "x · Φ(x) = x/2 · (1 + erf(x/√2)); `{ approximate: 'tanh' }`: x/2 · (1 + tanh(√(2/π)(x + 0.044715x³)))",
  grad: "g · (Φ(x) + x · φ(x)) (tanh form: its exact derivative); fused kernel",
}, (x: Tensor, options: GeluOptions = {}): Tensor => {
  const approximate = checkOptions(options, ['approximate'], 'gelu').approximate ?? 'none';
  if (approximate !== 'none' && approximate !== 'tanh') throw new Error(`gelu: approximate must be 'none' or 'tanh', got ${describeValue(approximate)}`);
  x = asFloat(x, 'gelu');
  const out = Tensor.empty(x.shape, x.dtype);
  geluK(x.data as FloatArray, out.data as FloatArray, approximate);
  const grad = approximate === 'none' ? geluGradExact : geluGradTanh;
  return record('gelu', out, [x], (g) => [grad(g, x)], [x]);
});
