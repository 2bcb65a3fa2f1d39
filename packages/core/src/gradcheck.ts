/**
 * Gradient checking by central finite differences, in float64. The analytical side is a vector-Jacobian product with a
 * random (seeded) upstream gradient v; the numerical side differentiates ⟨v, f(x)⟩ one input element at a time. This checks
 * the whole vjp, not just a sum of outputs, at the cost of two evaluations of f per input element.
 */
import { Tensor } from './tensor.js';
import { grad } from './autograd/engine.js';
import { enableGrad } from './autograd/grad-mode.js';
import { randn } from './creation.js';
import { Generator } from './random.js';
import { fmtShape, stridesOf } from './shape.js';
import { checkOptions, describeValue, expectBoolean, expectNumber } from './validate.js';

export interface GradcheckOptions {
  /** Finite-difference step. Default 1e-6 (PyTorch's). */
  eps?: number;
  /** Absolute tolerance. Default 1e-5 (PyTorch's). */
  atol?: number;
  /** Relative tolerance. Default 1e-3 (PyTorch's). */
  rtol?: number;
  /** Seed of the random upstream gradient. Default 0. */
  seed?: number;
  /** Throw an Error describing the first failures instead of returning ok: false. Default false. */
  raiseException?: boolean;
}

export interface GradcheckFailure {
  /** Which input (position in `inputs`). */
  input: number;
  /** Multi-index of the element within that input. */
  index: number[];
  analytical: number;
  numerical: number;
  absError: number;
  relError: number;
}

export interface GradcheckResult {
  ok: boolean;
  /** Elements checked (over all inputs that require grad). */
  checked: number;
  failures: GradcheckFailure[];
  maxAbsError: number;
  maxRelError: number;
  /** A readable summary: "passed …" or the first failures with both values and errors. */
  message: string;
}

type Fn = (...inputs: Tensor[]) => Tensor | Tensor[];

function outputsOf(fn: Fn, inputs: Tensor[], label = 'gradcheck'): Tensor[] {
  const r = fn(...inputs);
  const outs = Array.isArray(r) ? r : [r];
  outs.forEach((o, i) => {
    if (!(o instanceof Tensor)) throw new Error(`${label}: output ${i} of the function is not a Tensor (got ${describeValue(o)})`);
  });
  return outs;
}

function zerosOf(x: Tensor): Tensor {
  return new Tensor(new Float64Array(x.size), x.shape, 'float64');
}

function multiIndex(flat: number, shape: readonly number[]): number[] {
  return stridesOf(shape).map((s, d) => Math.floor(flat / s) % shape[d]);
}

function checkInputs(fn: unknown, inputs: Tensor[], opts: GradcheckOptions, op: string): void {
  if (typeof fn !== 'function') throw new Error(`${op}: fn must be a function of the inputs, got ${describeValue(fn)}`);
  if (!Array.isArray(inputs)) throw new Error(`${op}: inputs must be an array of Tensors, got ${describeValue(inputs)}`);
  const o = checkOptions(opts, ['eps', 'atol', 'rtol', 'seed', 'raiseException'], op);
  if (o.eps !== undefined) expectNumber(o.eps, op, 'eps', { finite: true, above: 0 });
  if (o.atol !== undefined) expectNumber(o.atol, op, 'atol', { min: 0 });
  if (o.rtol !== undefined) expectNumber(o.rtol, op, 'rtol', { min: 0 });
  if (o.seed !== undefined) expectNumber(o.seed, op, 'seed', { finite: true });
  if (o.raiseException !== undefined) expectBoolean(o.raiseException, op, 'raiseException');
  inputs.forEach((x, i) => {
    if (!(x instanceof Tensor)) throw new Error(`${op}: input ${i} is not a Tensor (got ${describeValue(x)})`);
    if (x.requiresGrad && x.dtype !== 'float64') {
      throw new Error(`${op}: input ${i} (shape ${fmtShape(x.shape)}) is ${x.dtype}; finite differences need float64 inputs (create them with { dtype: 'float64' })`);
    }
    if (x.requiresGrad && !x.isLeaf) throw new Error(`${op}: input ${i} must be a leaf tensor`);
  });
  if (!inputs.some((x) => x.requiresGrad)) throw new Error(`${op}: no input requires grad, so there is nothing to check`);
}

export function gradcheck(fn: Fn, inputs: Tensor[], opts: GradcheckOptions = {}): GradcheckResult {
  return check(fn, inputs, opts, 'gradcheck');
}

function check(fn: Fn, inputs: Tensor[], opts: GradcheckOptions, label: string): GradcheckResult {
  checkInputs(fn, inputs, opts, label);
  const eps = opts.eps ?? 1e-6, atol = opts.atol ?? 1e-5, rtol = opts.rtol ?? 1e-3;
  const outs = enableGrad(() => outputsOf(fn, inputs));
  const gen = new Generator(opts.seed ?? 0);
  const vs = outs.map((o) => randn(o.shape, { dtype: 'float64', generator: gen }));
  const wrt = inputs.filter((x) => x.requiresGrad);
  const diffOuts = outs.map((o, i) => [o, vs[i]] as const).filter(([o]) => o.requiresGrad);
  // An input the outputs do not depend on has a zero derivative.
  const analytical = diffOuts.length === 0 ? wrt.map(zerosOf)
    : grad(diffOuts.map(([o]) => o), wrt, diffOuts.map(([, v]) => v), { allowUnused: true }).map((g, i) => g ?? zerosOf(wrt[i]));

  const project = (): number => {
    // Graph recording stays on: for gradgradcheck the function itself calls grad().
    const ys = enableGrad(() => outputsOf(fn, inputs));
    let s = 0;
    ys.forEach((y, k) => {
      const vd = vs[k].data;
      for (let i = 0; i < y.size; i++) s += y.data[i] * vd[i];
    });
    return s;
  };

  const failures: GradcheckFailure[] = [];
  let checked = 0, maxAbsError = 0, maxRelError = 0;
  wrt.forEach((x, w) => {
    const inputIndex = inputs.indexOf(x);
    const d = x.data;
    const a = analytical[w].data;
    for (let j = 0; j < x.size; j++) {
      const orig = d[j];
      d[j] = orig + eps;
      const fp = project();
      d[j] = orig - eps;
      const fm = project();
      d[j] = orig;
      const numerical = (fp - fm) / (2 * eps);
      const absError = Math.abs(a[j] - numerical);
      const relError = absError / Math.max(Math.abs(numerical), 1e-300);
      checked++;
      if (Number.isFinite(absError)) maxAbsError = Math.max(maxAbsError, absError);
      if (Number.isFinite(relError) && absError > 0) maxRelError = Math.max(maxRelError, relError);
      if (!(absError <= atol + rtol * Math.abs(numerical))) {
        failures.push({ input: inputIndex, index: multiIndex(j, x.shape), analytical: a[j], numerical, absError, relError });
      }
    }
  });
  const ok = failures.length === 0;
  const message = ok
    ? `${label} passed: ${checked} elements, max abs error ${maxAbsError.toExponential(2)}`
    : `${label} failed at ${failures.length} of ${checked} elements:\n` + failures.slice(0, 10).map((f) =>
      `  input ${f.input} index [${f.index.join(', ')}]: analytical ${f.analytical}, numerical ${f.numerical} (abs error ${f.absError.toExponential(3)}, rel error ${f.relError.toExponential(3)}, atol ${atol}, rtol ${rtol})`).join('\n');
  if (!ok && opts.raiseException) throw new Error(message);
  return { ok, checked, failures, maxAbsError, maxRelError, message };
}

/**
 * Checks second derivatives: the vjp of `fn` (built with createGraph) is itself gradient-checked, w.r.t. the inputs and
 * the upstream gradient. Every op whose vjp is written with differentiable ops passes.
 */
export function gradgradcheck(fn: Fn, inputs: Tensor[], opts: GradcheckOptions = {}): GradcheckResult {
  checkInputs(fn, inputs, opts, 'gradgradcheck');
  const outs = enableGrad(() => outputsOf(fn, inputs, 'gradgradcheck'));
  const gen = new Generator((opts.seed ?? 0) + 1);
  const diffIdx = outs.map((o, i) => (o.requiresGrad ? i : -1)).filter((i) => i >= 0);
  const vs = diffIdx.map((i) => randn(outs[i].shape, { dtype: 'float64', generator: gen, requiresGrad: true }));
  const wrtIdx = inputs.map((x, i) => (x.requiresGrad ? i : -1)).filter((i) => i >= 0);
  const firstOrder = (...all: Tensor[]): Tensor[] => {
    const xs = all.slice(0, inputs.length), gs = all.slice(inputs.length);
    const ys = outputsOf(fn, xs, 'gradgradcheck');
    const roots = diffIdx.map((i) => ys[i]).filter((y) => y.requiresGrad);
    const wrt = wrtIdx.map((i) => xs[i]);
    if (roots.length === 0) return wrt.map(zerosOf);
    const gradients = grad(roots, wrt, gs.filter((_, k) => ys[diffIdx[k]].requiresGrad), { createGraph: true, allowUnused: true });
    return gradients.map((g, k) => g ?? zerosOf(wrt[k]));
  };
  return check(firstOrder, [...inputs, ...vs], opts, 'gradgradcheck');
}
