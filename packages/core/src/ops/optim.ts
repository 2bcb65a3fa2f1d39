/**
 * Fused optimizer steps: each updates one parameter and its optimizer state in place, in a single pass, with the rules
 * of PyTorch's Adam/AdamW, SGD, RMSprop and Adagrad. @tensorgrad/nn's optimizers call them (and keep the same rules
 * written as separate tensor ops, the reference these kernels are tested against, behind `fused: false`).
 *
 * float32 runs the WebAssembly SIMD kernels when the engine has SIMD (kernels/wasm/optim-f32-simd.ts), else plain JS
 * loops that round every step to float32 the same way, so results do not depend on SIMD support; float64 runs plain
 * JS loops in double precision. Like the in-place tensor methods, these are not differentiable: they refuse tensors
 * that are part of a graph, and leaves that require grad unless grad mode is off (`noGrad`). Every argument is checked
 * before anything is written, so a call that throws changes nothing.
 */
import { Tensor } from '../tensor.js';
import type { FloatArray } from '../kernels/types.js';
import * as K from '../kernels/optim.js';
import { runOptimF32 } from '../kernels/wasm/optim-f32.js';
import { adagradSpec, adamSpec, rmspropSpec, sgdSpec } from '../kernels/wasm/optim-f32-simd.js';
import { fmtShape, sameShape } from '../shape.js';
import { checkOptionKeys, describeValue } from '../validate.js';

/** Below this many elements the JS loop beats copying into WebAssembly memory (both give identical results). */
const SIMD_MIN = 32;

/** Checks the tensors of one update: float, same dtype and shape, distinct storage, updatable in place. */
function checkTensors(fn: string, param: Tensor, grad: Tensor, state: ReadonlyArray<[string, Tensor | null]>): void {
  const all: Array<[string, Tensor | null]> = [['param', param], ['grad', grad], ...state];
  for (const [name, t] of all) {
    if (t === null) continue;
    if (!(t instanceof Tensor)) throw new Error(`${fn}: ${name} must be a Tensor, got ${describeValue(t)}`);
    if (t.dtype === 'int32') throw new Error(`${fn}: ${name} must be a float tensor, got int32`);
    if (t.dtype !== param.dtype) throw new Error(`${fn}: ${name} has dtype ${t.dtype} but param has dtype ${param.dtype}`);
    if (!sameShape(t.shape, param.shape)) throw new Error(`${fn}: ${name} has shape ${fmtShape(t.shape)} but param has shape ${fmtShape(param.shape)}`);
  }
  const seen = new Map<unknown, string>();
  for (const [name, t] of all) {
    if (t === null) continue;
    const other = seen.get(t._storage);
    if (other !== undefined) throw new Error(`${fn}: ${name} and ${other} share storage; each must have its own`);
    seen.set(t._storage, name);
  }
  param._checkInPlace(fn);
  for (const [, t] of state) t?._checkInPlace(fn);
}

function checkOptions(fn: string, opts: object, known: readonly string[]): void {
  if (opts === null || typeof opts !== 'object') throw new Error(`${fn}: options must be an object, got ${describeValue(opts)}`);
  checkOptionKeys(opts, known, fn);
}

function num(fn: string, name: string, v: unknown, min = -Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw new Error(`${fn}: ${name} must be a finite number${min > -Infinity ? ` >= ${min}` : ''}, got ${describeValue(v)}`);
  return v;
}

function flag(fn: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new Error(`${fn}: ${name} must be a boolean, got ${describeValue(v)}`);
  return v;
}

function stepCount(fn: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new Error(`${fn}: step must be a positive integer (the count including this update), got ${describeValue(v)}`);
  return v;
}

/** Counts the change of every updated tensor (the versions autograd checks). */
function bump(tensors: ReadonlyArray<Tensor | null>): void {
  for (const t of tensors) t?._bumpVersion();
}

/** Scalars as the kernels see them: float32 values for float32 tensors (what the SIMD kernels receive). */
function scalarsFor<T extends object>(param: Tensor, s: T): T {
  if (param.dtype !== 'float32') return s;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(s)) out[k] = Math.fround(v as number);
  return out as T;
}

const f32 = (t: Tensor | null): Float32Array => (t as Tensor).data as Float32Array;
const arr = (t: Tensor | null): FloatArray | null => (t === null ? null : (t.data as FloatArray));

export interface FusedAdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** The number of this update, counting from 1 (drives the bias corrections). */
  step: number;
  /** L2 penalty added to the gradient (Adam), or decoupled decay `param *= 1 - lr·weightDecay` (AdamW). Default 0. */
  weightDecay?: number;
  /** AdamW's decoupled weight decay instead of Adam's L2 penalty. Default false. */
  decoupledWeightDecay?: boolean;
  /** Ascend instead of descend. Default false. */
  maximize?: boolean;
}

const ADAM_KEYS = ['lr', 'beta1', 'beta2', 'eps', 'step', 'weightDecay', 'decoupledWeightDecay', 'maximize'];

/**
 * One Adam / AdamW step of `param`, in place, with its moments `expAvg` and `expAvgSq` (and `maxExpAvgSq` for AMSGrad,
 * else null), as torch.optim.Adam/AdamW compute it: with d = ±grad (+ weightDecay·param for Adam's L2 penalty),
 * m ← m + (1−β1)(d − m), v ← β2·v + (1−β2)·d², v̂ ← max(v̂, v), and
 * param ← param·(1 − lr·wd if decoupled) − lr/(1−β1ᵗ) · m / (√v̂ / √(1−β2ᵗ) + eps).
 */
export function fusedAdamStep_(param: Tensor, grad: Tensor, expAvg: Tensor, expAvgSq: Tensor, maxExpAvgSq: Tensor | null, options: FusedAdamOptions): void {
  const fn = 'fusedAdamStep_';
  checkOptions(fn, options, ADAM_KEYS);
  const lr = num(fn, 'lr', options.lr, 0), beta1 = num(fn, 'beta1', options.beta1, 0), beta2 = num(fn, 'beta2', options.beta2, 0);
  if (beta1 >= 1 || beta2 >= 1) throw new Error(`${fn}: beta1 and beta2 must be in [0, 1), got ${beta1}, ${beta2}`);
  const eps = num(fn, 'eps', options.eps, 0), step = stepCount(fn, options.step);
  const wd = num(fn, 'weightDecay', options.weightDecay ?? 0, 0);
  const decoupled = flag(fn, 'decoupledWeightDecay', options.decoupledWeightDecay ?? false), maximize = flag(fn, 'maximize', options.maximize ?? false);
  checkTensors(fn, param, grad, [['expAvg', expAvg], ['expAvgSq', expAvgSq], ['maxExpAvgSq', maxExpAvgSq]]);
  const l2 = !decoupled && wd !== 0;
  const s = scalarsFor(param, {
    gradScale: maximize ? -1 : 1, weightDecay: l2 ? wd : 0, paramScale: decoupled ? 1 - lr * wd : 1,
    oneMinusBeta1: 1 - beta1, beta2, oneMinusBeta2: 1 - beta2, biasCorrection2Sqrt: Math.sqrt(1 - beta2 ** step), eps,
    negStepSize: -lr / (1 - beta1 ** step),
  });
  bump([param, expAvg, expAvgSq, maxExpAvgSq]);
  const amsgrad = maxExpAvgSq !== null;
  if (param.dtype === 'float32' && param.size >= SIMD_MIN &&
      runOptimF32(adamSpec({ amsgrad, l2 }), { param: f32(param), grad: f32(grad), expAvg: f32(expAvg), expAvgSq: f32(expAvgSq), ...(amsgrad ? { maxExpAvgSq: f32(maxExpAvgSq) } : {}) }, s)) return;
  K.adamK(param.data as FloatArray, grad.data as FloatArray, expAvg.data as FloatArray, expAvgSq.data as FloatArray, arr(maxExpAvgSq), l2, s);
}

export interface FusedSgdOptions {
  lr: number;
  /** Momentum factor; with momentum ≠ 0 a `momentumBuffer` is required. Default 0. */
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay?: number;
  maximize?: boolean;
  /** True on the momentum buffer's first step: it is set to the direction instead of updated (PyTorch clones it). */
  firstStep?: boolean;
}

const SGD_KEYS = ['lr', 'momentum', 'dampening', 'nesterov', 'weightDecay', 'maximize', 'firstStep'];

/**
 * One SGD step of `param`, in place, as torch.optim.SGD computes it: with d = ±grad (+ weightDecay·param), the buffer
 * b ← d on its first step, else b ← momentum·b + (1 − dampening)·d; the step is d + momentum·b with Nesterov, b
 * otherwise (d without momentum); param ← param − lr·step. `momentumBuffer` is null when momentum is 0.
 */
export function fusedSgdStep_(param: Tensor, grad: Tensor, momentumBuffer: Tensor | null, options: FusedSgdOptions): void {
  const fn = 'fusedSgdStep_';
  checkOptions(fn, options, SGD_KEYS);
  const lr = num(fn, 'lr', options.lr, 0), momentum = num(fn, 'momentum', options.momentum ?? 0, 0), dampening = num(fn, 'dampening', options.dampening ?? 0);
  const nesterov = flag(fn, 'nesterov', options.nesterov ?? false), wd = num(fn, 'weightDecay', options.weightDecay ?? 0, 0);
  const maximize = flag(fn, 'maximize', options.maximize ?? false), firstStep = flag(fn, 'firstStep', options.firstStep ?? false);
  if ((momentum !== 0) !== (momentumBuffer !== null)) throw new Error(`${fn}: a momentumBuffer is needed exactly when momentum is non-zero (momentum ${momentum}, buffer ${momentumBuffer === null ? 'null' : 'given'})`);
  if (nesterov && momentum === 0) throw new Error(`${fn}: nesterov needs a non-zero momentum`);
  checkTensors(fn, param, grad, [['momentumBuffer', momentumBuffer]]);
  const l2 = wd !== 0;
  const s = scalarsFor(param, { gradScale: maximize ? -1 : 1, weightDecay: wd, momentum, oneMinusDampening: 1 - dampening, negLr: -lr });
  bump([param, momentumBuffer]);
  const mode = momentumBuffer === null ? 'none' : firstStep ? 'first' : 'running';
  if (param.dtype === 'float32' && param.size >= SIMD_MIN &&
      runOptimF32(sgdSpec({ momentum: mode, nesterov, l2 }), { param: f32(param), grad: f32(grad), ...(momentumBuffer ? { momentumBuffer: f32(momentumBuffer) } : {}) }, s)) return;
  K.sgdK(param.data as FloatArray, grad.data as FloatArray, arr(momentumBuffer), firstStep, nesterov, l2, s);
}

export interface FusedRmspropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay?: number;
  /** Momentum factor; with momentum > 0 a `momentumBuffer` is required. Default 0. */
  momentum?: number;
  maximize?: boolean;
}

const RMSPROP_KEYS = ['lr', 'alpha', 'eps', 'weightDecay', 'momentum', 'maximize'];

/**
 * One RMSprop step of `param`, in place, as torch.optim.RMSprop computes it: with d = ±grad (+ weightDecay·param),
 * s ← α·s + (1−α)·d²; centered (a `gradAvg` given): g ← α·g + (1−α)·d and avg = √(s − g²), else avg = √s; avg += eps;
 * with momentum b ← momentum·b + d/avg and param ← param − lr·b, else param ← param − lr·d/avg.
 */
export function fusedRmspropStep_(param: Tensor, grad: Tensor, squareAvg: Tensor, gradAvg: Tensor | null, momentumBuffer: Tensor | null, options: FusedRmspropOptions): void {
  const fn = 'fusedRmspropStep_';
  checkOptions(fn, options, RMSPROP_KEYS);
  const lr = num(fn, 'lr', options.lr, 0), alpha = num(fn, 'alpha', options.alpha, 0), eps = num(fn, 'eps', options.eps, 0);
  const wd = num(fn, 'weightDecay', options.weightDecay ?? 0, 0), momentum = num(fn, 'momentum', options.momentum ?? 0, 0);
  const maximize = flag(fn, 'maximize', options.maximize ?? false);
  if ((momentum > 0) !== (momentumBuffer !== null)) throw new Error(`${fn}: a momentumBuffer is needed exactly when momentum > 0 (momentum ${momentum}, buffer ${momentumBuffer === null ? 'null' : 'given'})`);
  checkTensors(fn, param, grad, [['squareAvg', squareAvg], ['gradAvg', gradAvg], ['momentumBuffer', momentumBuffer]]);
  const l2 = wd !== 0;
  const s = scalarsFor(param, { gradScale: maximize ? -1 : 1, weightDecay: wd, alpha, oneMinusAlpha: 1 - alpha, eps, momentum, negLr: -lr });
  bump([param, squareAvg, gradAvg, momentumBuffer]);
  const centered = gradAvg !== null, withMomentum = momentumBuffer !== null;
  if (param.dtype === 'float32' && param.size >= SIMD_MIN &&
      runOptimF32(rmspropSpec({ centered, momentum: withMomentum, l2 }), {
        param: f32(param), grad: f32(grad), squareAvg: f32(squareAvg),
        ...(centered ? { gradAvg: f32(gradAvg) } : {}), ...(withMomentum ? { momentumBuffer: f32(momentumBuffer) } : {}),
      }, s)) return;
  K.rmspropK(param.data as FloatArray, grad.data as FloatArray, squareAvg.data as FloatArray, arr(gradAvg), arr(momentumBuffer), l2, s);
}

export interface FusedAdagradOptions {
  lr: number;
  eps: number;
  /** The number of this update, counting from 1: the step size is lr / (1 + (step − 1)·lrDecay). */
  step: number;
  lrDecay?: number;
  weightDecay?: number;
  maximize?: boolean;
}

const ADAGRAD_KEYS = ['lr', 'eps', 'step', 'lrDecay', 'weightDecay', 'maximize'];

/**
 * One Adagrad step of `param`, in place, as torch.optim.Adagrad computes it: with d = ±grad (+ weightDecay·param),
 * sum ← sum + d² and param ← param − lr/(1 + (step−1)·lrDecay) · d / (√sum + eps).
 */
export function fusedAdagradStep_(param: Tensor, grad: Tensor, sum: Tensor, options: FusedAdagradOptions): void {
  const fn = 'fusedAdagradStep_';
  checkOptions(fn, options, ADAGRAD_KEYS);
  const lr = num(fn, 'lr', options.lr, 0), eps = num(fn, 'eps', options.eps, 0), step = stepCount(fn, options.step);
  const lrDecay = num(fn, 'lrDecay', options.lrDecay ?? 0, 0), wd = num(fn, 'weightDecay', options.weightDecay ?? 0, 0);
  const maximize = flag(fn, 'maximize', options.maximize ?? false);
  checkTensors(fn, param, grad, [['sum', sum]]);
  const l2 = wd !== 0;
  const s = scalarsFor(param, { gradScale: maximize ? -1 : 1, weightDecay: wd, eps, negClr: -lr / (1 + (step - 1) * lrDecay) });
  bump([param, sum]);
  if (param.dtype === 'float32' && param.size >= SIMD_MIN &&
      runOptimF32(adagradSpec({ l2 }), { param: f32(param), grad: f32(grad), sum: f32(sum) }, s)) return;
  K.adagradK(param.data as FloatArray, grad.data as FloatArray, sum.data as FloatArray, l2, s);
}
