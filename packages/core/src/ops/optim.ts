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
import { adagradSpec, adamSpec, rmspropSpec, sgdSpec, type OptimKernelSpec } from '../kernels/wasm/optim-f32-simd.js';
import { fmtShape, sameShape } from '../shape.js';
import { checkOptionKeys, describeValue } from '../validate.js';

/**
 * Checks the tensors of one update (`names[i]` names `tensors[i]`; param first, grad second, then the state, null where
 * absent): float, same dtype and shape, distinct storage, updatable in place.
 */
function checkTensors(fn: string, names: readonly string[], tensors: ReadonlyArray<Tensor | null>): void {
  const param = tensors[0] as Tensor;
  for (let i = 0; i < tensors.length; i++) {
    const t = tensors[i];
    if (t === null) continue;
    const name = names[i];
    if (!(t instanceof Tensor)) throw new Error(`${fn}: ${name} must be a Tensor, got ${describeValue(t)}`);
    if (t.dtype === 'int32') throw new Error(`${fn}: ${name} must be a float tensor, got int32`);
    if (t.dtype !== param.dtype) throw new Error(`${fn}: ${name} has dtype ${t.dtype} but param has dtype ${param.dtype}`);
    if (!sameShape(t.shape, param.shape)) throw new Error(`${fn}: ${name} has shape ${fmtShape(t.shape)} but param has shape ${fmtShape(param.shape)}`);
    for (let j = 0; j < i; j++) {
      if (tensors[j] !== null && (tensors[j] as Tensor)._storage === t._storage) throw new Error(`${fn}: ${name} and ${names[j]} share storage; each must have its own`);
    }
  }
  for (let i = 0; i < tensors.length; i++) if (i !== 1) tensors[i]?._checkInPlace(fn);
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

/** Counts the change of every updated tensor (the versions autograd checks); tensors[1] is the gradient, only read. */
function bump(tensors: ReadonlyArray<Tensor | null>): void {
  for (let i = 0; i < tensors.length; i++) if (i !== 1) tensors[i]?._bumpVersion();
}

const arr = (t: Tensor | null): FloatArray | null => (t === null ? null : (t.data as FloatArray));

/**
 * Runs a kernel's SIMD version on the tensors given (nulls skipped, in slot order) when they are float32 and the module
 * can run; false otherwise (the caller then runs the JS kernel, which gives the same values).
 */
function simd(spec: OptimKernelSpec, tensors: ReadonlyArray<Tensor | null>, scalars: readonly number[]): boolean {
  if (tensors[0]?.dtype !== 'float32') return false;
  const arrays: Float32Array[] = [];
  for (const t of tensors) if (t !== null) arrays.push(t.data as Float32Array);
  return runOptimF32(spec, arrays, scalars);
}

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
const ADAM_NAMES = ['param', 'grad', 'expAvg', 'expAvgSq', 'maxExpAvgSq'];

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
  const tensors = [param, grad, expAvg, expAvgSq, maxExpAvgSq];
  checkTensors(fn, ADAM_NAMES, tensors);
  const l2 = !decoupled && wd !== 0;
  // In the order of ADAM_SCALARS.
  const s = [maximize ? -1 : 1, l2 ? wd : 0, decoupled ? 1 - lr * wd : 1, 1 - beta1, beta2, 1 - beta2, Math.sqrt(1 - beta2 ** step), eps, -lr / (1 - beta1 ** step)];
  bump(tensors);
  if (simd(adamSpec({ amsgrad: maxExpAvgSq !== null, l2 }), tensors, s)) return;
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
const SGD_NAMES = ['param', 'grad', 'momentumBuffer'];

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
  const tensors = [param, grad, momentumBuffer];
  checkTensors(fn, SGD_NAMES, tensors);
  const l2 = wd !== 0;
  const s = [maximize ? -1 : 1, wd, momentum, 1 - dampening, -lr]; // SGD_SCALARS
  bump(tensors);
  const mode = momentumBuffer === null ? 'none' : firstStep ? 'first' : 'running';
  if (simd(sgdSpec({ momentum: mode, nesterov, l2 }), tensors, s)) return;
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
const RMSPROP_NAMES = ['param', 'grad', 'squareAvg', 'gradAvg', 'momentumBuffer'];

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
  const tensors = [param, grad, squareAvg, gradAvg, momentumBuffer];
  checkTensors(fn, RMSPROP_NAMES, tensors);
  const l2 = wd !== 0;
  const s = [maximize ? -1 : 1, wd, alpha, 1 - alpha, eps, momentum, -lr]; // RMSPROP_SCALARS
  bump(tensors);
  if (simd(rmspropSpec({ centered: gradAvg !== null, momentum: momentumBuffer !== null, l2 }), tensors, s)) return;
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
const ADAGRAD_NAMES = ['param', 'grad', 'sum'];

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
  const tensors = [param, grad, sum];
  checkTensors(fn, ADAGRAD_NAMES, tensors);
  const l2 = wd !== 0;
  const s = [maximize ? -1 : 1, wd, eps, -lr / (1 + (step - 1) * lrDecay)]; // ADAGRAD_SCALARS
  bump(tensors);
  if (simd(adagradSpec({ l2 }), tensors, s)) return;
  K.adagradK(param.data as FloatArray, grad.data as FloatArray, sum.data as FloatArray, l2, s);
}
