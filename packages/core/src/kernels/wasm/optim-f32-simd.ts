/**
 * Fused optimizer updates in float32 WebAssembly SIMD: one pass over a parameter, its gradient and its state per step,
 * four elements at a time, written with the assembler in wasm-builder.ts.
 *
 * Each function works on one chunk of at most OPTIM_CHUNK elements held in fixed slots of linear memory (slot s starts
 * at byte s·OPTIM_CHUNK·4); optim-f32.ts copies a chunk of every array in, calls the function, and copies the updated
 * arrays out. Arithmetic is float32 IEEE (no fused multiply-add), in the same order as PyTorch's single-tensor
 * implementations, so the plain-JS float32 kernels in ../optim.ts, which round every step with Math.fround, give
 * bit-identical results (the tests check this).
 *
 * Options that change which arrays are read or written (amsgrad, momentum, centered, nesterov, the first momentum
 * step) and L2 weight decay (whose 0·param would turn an infinite parameter into NaN) are compiled into separate
 * functions; `maximize` and AdamW's decoupled decay are multiplications by a scalar (±1, 1 − lr·wd), exact when they
 * are 1.
 */
import { encodeModule, f32x4, forLoop, FunctionBuilder, F32, I32, i32, local, v128, V128, type Code, type ValType } from './wasm-builder.js';

/** Elements per slot: 64 KiB per array keeps a chunk of every operand in L2 between the copy in and the copy out. */
export const OPTIM_CHUNK = 16384;

/** What a kernel function needs from the runner: its slots (in order) and its scalar parameters (in order). */
export interface OptimKernelSpec {
  name: string;
  /** Arrays, one slot each; `written` ones are copied back after the call. */
  slots: readonly string[];
  written: readonly string[];
  /** Names of the scalar parameters, in the order the function takes them. */
  scalars: readonly string[];
}

interface Ops {
  get(slot: string): Code;
  set(slot: string, value: Code): Code;
  s(scalar: string): Code;
  /** Stores `value` in a fresh local and returns code that reads it. */
  let(value: Code, into: Code[]): Code;
}

type Rule = (o: Ops, code: Code[]) => void;

/**
 * Builds `name(count, ...scalars)`: the rule applied to `count` elements (a multiple of 4) of the slots. Scalars are
 * splatted into vectors once, before the loop.
 */
function kernel(spec: OptimKernelSpec, rule: Rule): FunctionBuilder {
  const f = new FunctionBuilder(spec.name, [I32, ...spec.scalars.map((): ValType => F32)]);
  const count = 0;
  const i = f.local(I32), end = f.local(I32);
  const splats = spec.scalars.map(() => f.local(V128));
  const offset = (slot: string): number => {
    const k = spec.slots.indexOf(slot);
    if (k < 0) throw new Error(`optim kernel ${spec.name}: unknown slot '${slot}'`);
    return k * OPTIM_CHUNK * 4;
  };
  const ops: Ops = {
    get: (slot) => v128.load(local.get(i), offset(slot)),
    set: (slot, value) => v128.store(local.get(i), value, offset(slot)),
    s: (scalar) => {
      const k = spec.scalars.indexOf(scalar);
      if (k < 0) throw new Error(`optim kernel ${spec.name}: unknown scalar '${scalar}'`);
      return local.get(splats[k]);
    },
    let: (value, into) => {
      const t = f.local(V128);
      into.push(local.set(t, value));
      return local.get(t);
    },
  };
  const body: Code[] = [];
  rule(ops, body);
  f.body = [
    ...splats.map((v, k) => local.set(v, f32x4.splat(local.get(1 + k)))),
    local.set(end, i32.shl(local.get(count), i32.const(2))),
    forLoop(i, i32.const(0), local.get(end), i32.const(16), ...body),
  ];
  return f;
}

const { add, sub, mul, div, sqrt, max } = f32x4;

/** The direction: ±grad, plus weightDecay·param for L2 decay (PyTorch's grad.add(param, alpha=weight_decay)). */
function direction(o: Ops, code: Code[], l2: boolean): Code {
  const d = mul(o.get('grad'), o.s('gradScale'));
  return o.let(l2 ? add(d, mul(o.s('weightDecay'), o.get('param'))) : d, code);
}

/** One spec object per variant name, so callers can key caches on it. */
const specs = new Map<string, OptimKernelSpec>();
function cached(spec: OptimKernelSpec): OptimKernelSpec {
  const known = specs.get(spec.name);
  if (known) return known;
  specs.set(spec.name, spec);
  return spec;
}

export interface AdamVariant { amsgrad: boolean; l2: boolean }

/** Scalar parameters of the Adam kernels, in order. */
export const ADAM_SCALARS = ['gradScale', 'weightDecay', 'paramScale', 'oneMinusBeta1', 'beta2', 'oneMinusBeta2', 'biasCorrection2Sqrt', 'eps', 'negStepSize'] as const;

export function adamSpec({ amsgrad, l2 }: AdamVariant): OptimKernelSpec {
  const slots = ['param', 'grad', 'expAvg', 'expAvgSq', ...(amsgrad ? ['maxExpAvgSq'] : [])];
  return cached({
    name: `adam${amsgrad ? '_amsgrad' : ''}${l2 ? '_l2' : ''}`, slots, written: slots.filter((s) => s !== 'grad'),
    scalars: ADAM_SCALARS,
  });
}

/**
 * m ← m + (1−β1)(d − m); v ← β2·v + (1−β2)·d·d; v̂ ← max(v̂, v) with amsgrad;
 * p ← p·paramScale − stepSize · m / (√v / √bc2 + eps).
 */
function adamRule(v: AdamVariant): Rule {
  return (o, code) => {
    const d = direction(o, code, v.l2);
    const p = o.let(mul(o.get('param'), o.s('paramScale')), code);
    const m = o.let(add(o.get('expAvg'), mul(o.s('oneMinusBeta1'), sub(d, o.get('expAvg')))), code);
    const sq = o.let(add(mul(o.get('expAvgSq'), o.s('beta2')), mul(mul(o.s('oneMinusBeta2'), d), d)), code);
    code.push(o.set('expAvg', m), o.set('expAvgSq', sq));
    let second = sq;
    if (v.amsgrad) {
      second = o.let(max(o.get('maxExpAvgSq'), sq), code);
      code.push(o.set('maxExpAvgSq', second));
    }
    const denom = add(div(sqrt(second), o.s('biasCorrection2Sqrt')), o.s('eps'));
    code.push(o.set('param', add(p, mul(o.s('negStepSize'), div(m, denom)))));
  };
}

export type SgdMomentum = 'none' | 'first' | 'running';
export const SGD_SCALARS = ['gradScale', 'weightDecay', 'momentum', 'oneMinusDampening', 'negLr'] as const;

export interface SgdVariant { momentum: SgdMomentum; nesterov: boolean; l2: boolean }

export function sgdSpec({ momentum, nesterov, l2 }: SgdVariant): OptimKernelSpec {
  const slots = ['param', 'grad', ...(momentum !== 'none' ? ['momentumBuffer'] : [])];
  return cached({
    name: `sgd_${momentum}${nesterov ? '_nesterov' : ''}${l2 ? '_l2' : ''}`, slots, written: slots.filter((s) => s !== 'grad'),
    scalars: SGD_SCALARS,
  });
}

/** b ← d on the first step, else μ·b + (1−dampening)·d; step d + μ·b (Nesterov) or b; p ← p − lr·step. */
function sgdRule(v: SgdVariant): Rule {
  return (o, code) => {
    const d = direction(o, code, v.l2);
    let stepDir = d;
    if (v.momentum !== 'none') {
      const buf = v.momentum === 'first' ? d : o.let(add(mul(o.get('momentumBuffer'), o.s('momentum')), mul(o.s('oneMinusDampening'), d)), code);
      code.push(o.set('momentumBuffer', buf));
      stepDir = v.nesterov ? add(d, mul(o.s('momentum'), buf)) : buf;
    }
    code.push(o.set('param', add(o.get('param'), mul(o.s('negLr'), stepDir))));
  };
}

export const RMSPROP_SCALARS = ['gradScale', 'weightDecay', 'alpha', 'oneMinusAlpha', 'eps', 'momentum', 'negLr'] as const;

export interface RmspropVariant { centered: boolean; momentum: boolean; l2: boolean }

export function rmspropSpec({ centered, momentum, l2 }: RmspropVariant): OptimKernelSpec {
  const slots = ['param', 'grad', 'squareAvg', ...(centered ? ['gradAvg'] : []), ...(momentum ? ['momentumBuffer'] : [])];
  return cached({
    name: `rmsprop${centered ? '_centered' : ''}${momentum ? '_momentum' : ''}${l2 ? '_l2' : ''}`, slots, written: slots.filter((s) => s !== 'grad'),
    scalars: RMSPROP_SCALARS,
  });
}

/**
 * s ← α·s + (1−α)·d·d; centered: g ← α·g + (1−α)·d and avg = √(s − g·g), else avg = √s; avg += eps;
 * momentum: b ← μ·b + d/avg, p ← p − lr·b; otherwise p ← p − lr·d/avg.
 */
function rmspropRule(v: RmspropVariant): Rule {
  return (o, code) => {
    const d = direction(o, code, v.l2);
    const sq = o.let(add(mul(o.get('squareAvg'), o.s('alpha')), mul(mul(o.s('oneMinusAlpha'), d), d)), code);
    code.push(o.set('squareAvg', sq));
    let inner = sq;
    if (v.centered) {
      const ga = o.let(add(mul(o.get('gradAvg'), o.s('alpha')), mul(o.s('oneMinusAlpha'), d)), code);
      code.push(o.set('gradAvg', ga));
      inner = sub(sq, mul(ga, ga));
    }
    const avg = o.let(add(sqrt(inner), o.s('eps')), code);
    if (v.momentum) {
      const buf = o.let(add(mul(o.get('momentumBuffer'), o.s('momentum')), div(d, avg)), code);
      code.push(o.set('momentumBuffer', buf), o.set('param', add(o.get('param'), mul(o.s('negLr'), buf))));
    } else {
      code.push(o.set('param', add(o.get('param'), mul(o.s('negLr'), div(d, avg)))));
    }
  };
}

export const ADAGRAD_SCALARS = ['gradScale', 'weightDecay', 'eps', 'negClr'] as const;

export interface AdagradVariant { l2: boolean }

export function adagradSpec({ l2 }: AdagradVariant): OptimKernelSpec {
  return cached({ name: `adagrad${l2 ? '_l2' : ''}`, slots: ['param', 'grad', 'sum'], written: ['param', 'sum'], scalars: ADAGRAD_SCALARS });
}

/** sum ← sum + d·d; p ← p − clr · d / (√sum + eps). */
function adagradRule(v: AdagradVariant): Rule {
  return (o, code) => {
    const d = direction(o, code, v.l2);
    const sum = o.let(add(o.get('sum'), mul(d, d)), code);
    code.push(o.set('sum', sum), o.set('param', add(o.get('param'), mul(o.s('negClr'), div(d, add(sqrt(sum), o.s('eps')))))));
  };
}

const bools = [false, true];

/** Every variant's spec and rule, in module order. */
function allKernels(): Array<[OptimKernelSpec, Rule]> {
  const out: Array<[OptimKernelSpec, Rule]> = [];
  for (const amsgrad of bools) for (const l2 of bools) out.push([adamSpec({ amsgrad, l2 }), adamRule({ amsgrad, l2 })]);
  for (const momentum of ['none', 'first', 'running'] as const) {
    for (const nesterov of momentum === 'none' ? [false] : bools) {
      for (const l2 of bools) out.push([sgdSpec({ momentum, nesterov, l2 }), sgdRule({ momentum, nesterov, l2 })]);
    }
  }
  for (const centered of bools) for (const momentum of bools) for (const l2 of bools) out.push([rmspropSpec({ centered, momentum, l2 }), rmspropRule({ centered, momentum, l2 })]);
  for (const l2 of bools) out.push([adagradSpec({ l2 }), adagradRule({ l2 })]);
  return out;
}

/** Most slots any kernel uses (RMSprop centered with momentum: param, grad, squareAvg, gradAvg, momentumBuffer). */
export const OPTIM_SLOTS = 5;

/** The module's bytes: one exported function per variant, plus a memory of OPTIM_SLOTS chunks. */
export function buildOptimF32Module(): Uint8Array {
  const pages = Math.ceil((OPTIM_SLOTS * OPTIM_CHUNK * 4) / 65536);
  return encodeModule(allKernels().map(([spec, rule]) => kernel(spec, rule)), pages);
}
