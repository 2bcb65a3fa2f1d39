/**
 * Parameter initialisers (torch.nn.init). Each fills its tensor in place under `noGrad` and returns it, and, like
 * PyTorch's, carries a trailing underscore for that (`normal_`); the old names are deprecated aliases. Random ones draw
 * from `opts.generator`, or from core's default generator (seeded by `manualSeed`).
 */
import { Generator, Tensor, noGrad, rand, randn } from '@tensorgrad/core';
import { checkOptions, describeValue, expectNumber, expectTensor } from './util.js';

export interface InitOptions {
  generator?: Generator;
}

export type Nonlinearity =
  | 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'convTranspose1d' | 'convTranspose2d' | 'convTranspose3d'
  | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'selu';

const LINEAR_LIKE = new Set(['linear', 'conv1d', 'conv2d', 'conv3d', 'convTranspose1d', 'convTranspose2d', 'convTranspose3d', 'sigmoid']);

/**
 * The recommended gain for a nonlinearity (torch.nn.init.calculate_gain): 1 for linear/sigmoid, 5/3 for tanh, √2 for relu,
 * √(2/(1+slope²)) for leakyRelu (`param` = negative slope, default 0.01), 3/4 for selu.
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  if (LINEAR_LIKE.has(nonlinearity)) return 1;
  switch (nonlinearity) {
    case 'tanh': return 5 / 3;
    case 'relu': return Math.SQRT2;
    case 'leakyRelu': {
      const slope = param ?? 0.01;
      if (typeof slope !== 'number' || !Number.isFinite(slope)) throw new Error(`calculateGain: negative slope ${describeValue(param)} is not a finite number`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu': return 3 / 4;
    default:
      throw new Error(`calculateGain: unsupported nonlinearity ${describeValue(nonlinearity)} (expected one of ${[...LINEAR_LIKE, 'tanh', 'relu', 'leakyRelu', 'selu'].join(', ')})`);
  }
}

/** Fan-in and fan-out of a weight shaped [out, in, ...kernel] (torch's _calculate_fan_in_and_fan_out). */
export function calculateFans(t: Tensor, fnName = 'calculateFans'): { fanIn: number; fanOut: number } {
  expectTensor(t, fnName);
  if (t.ndim < 2) throw new Error(`${fnName}: fan in and fan out need a tensor with at least 2 dimensions, got shape [${t.shape.join(', ')}]`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: t.shape[1] * receptive, fanOut: t.shape[0] * receptive };
}

function floatTarget(t: unknown, fnName: string): asserts t is Tensor {
  expectTensor(t, fnName, 'the tensor to fill');
  if (t.dtype === 'int32') throw new Error(`${fnName}: needs a float32 or float64 tensor, got int32`);
}

function generatorOption(opts: InitOptions | undefined, fnName: string, extra: readonly string[] = []): Generator | undefined {
  const { generator } = checkOptions(opts, ['generator', ...extra], fnName) as InitOptions;
  if (generator !== undefined && !(generator instanceof Generator)) throw new Error(`${fnName}: generator must be a Generator, got ${describeValue(generator)}`);
  return generator;
}

function fillUniform(t: Tensor, low: number, high: number, generator?: Generator): Tensor {
  noGrad(() => t.assign(rand(t.shape, { dtype: t.dtype, generator }).mul(high - low).add(low)));
  return t;
}

function fillNormal(t: Tensor, mean: number, std: number, generator?: Generator): Tensor {
  noGrad(() => t.assign(randn(t.shape, { dtype: t.dtype, generator }).mul(std).add(mean)));
  return t;
}

/** Fills with U(a, b). */
export function uniform_(t: Tensor, a = 0, b = 1, opts: InitOptions = {}): Tensor {
  floatTarget(t, 'uniform_');
  expectNumber(a, 'uniform_', 'a', { finite: true });
  expectNumber(b, 'uniform_', 'b', { finite: true });
  if (!(a <= b)) throw new Error(`uniform_: expected a <= b, got a=${a}, b=${b}`);
  return fillUniform(t, a, b, generatorOption(opts, 'uniform_'));
}

/** Fills with N(mean, std²). */
export function normal_(t: Tensor, mean = 0, std = 1, opts: InitOptions = {}): Tensor {
  floatTarget(t, 'normal_');
  expectNumber(mean, 'normal_', 'mean', { finite: true });
  expectNumber(std, 'normal_', 'std', { finite: true, min: 0 });
  return fillNormal(t, mean, std, generatorOption(opts, 'normal_'));
}

/** Fills with `value`. */
export function constant_(t: Tensor, value: number): Tensor {
  return constantAs(t, value, 'constant_');
}

function constantAs(t: Tensor, value: number, fnName: string): Tensor {
  expectTensor(t, fnName, 'the tensor to fill');
  expectNumber(value, fnName, 'value');
  try {
    noGrad(() => t.fill(value));
  } catch (e) {
    throw new Error(`${fnName}: ${(e as Error).message}`);
  }
  return t;
}

/** Fills with 0. */
export function zeros_(t: Tensor): Tensor {
  return constantAs(t, 0, 'zeros_');
}

/** Fills with 1. */
export function ones_(t: Tensor): Tensor {
  return constantAs(t, 1, 'ones_');
}

/** Glorot/Xavier uniform: U(-b, b) with b = gain·√(6 / (fanIn + fanOut)). */
export function xavierUniform_(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  floatTarget(t, 'xavierUniform_');
  expectNumber(gain, 'xavierUniform_', 'gain', { finite: true });
  const { fanIn, fanOut } = calculateFans(t, 'xavierUniform_');
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return fillUniform(t, -bound, bound, generatorOption(opts, 'xavierUniform_'));
}

/** Glorot/Xavier normal: N(0, std²) with std = gain·√(2 / (fanIn + fanOut)). */
export function xavierNormal_(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  floatTarget(t, 'xavierNormal_');
  expectNumber(gain, 'xavierNormal_', 'gain', { finite: true });
  const { fanIn, fanOut } = calculateFans(t, 'xavierNormal_');
  return fillNormal(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), generatorOption(opts, 'xavierNormal_'));
}

export interface KaimingOptions extends InitOptions {
  /** Negative slope of the leaky ReLU that follows (only used with nonlinearity 'leakyRelu'). Default 0. */
  a?: number;
  /** 'fanIn' preserves the forward activations' variance, 'fanOut' the backward gradients'. Default 'fanIn'. */
  mode?: 'fanIn' | 'fanOut';
  /** Default 'leakyRelu' (with a = 0 that is ReLU's gain √2), as in PyTorch. */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, opts: KaimingOptions, fnName: string): number {
  floatTarget(t, fnName);
  const { a = 0, mode = 'fanIn', nonlinearity = 'leakyRelu' } = checkOptions(opts, ['a', 'mode', 'nonlinearity', 'generator'], fnName);
  expectNumber(a, fnName, 'a', { finite: true });
  if (mode !== 'fanIn' && mode !== 'fanOut') throw new Error(`${fnName}: mode must be 'fanIn' or 'fanOut', got ${describeValue(mode)}`);
  const fans = calculateFans(t, fnName);
  const fan = mode === 'fanIn' ? fans.fanIn : fans.fanOut;
  if (fan === 0) throw new Error(`${fnName}: cannot initialise a tensor with a zero-size dimension (shape [${t.shape.join(', ')}])`);
  let gain: number;
  try {
    gain = calculateGain(nonlinearity, a);
  } catch (e) {
    throw new Error(`${fnName}: ${(e as Error).message}`);
  }
  return gain / Math.sqrt(fan);
}

/** He/Kaiming uniform: U(-b, b) with b = gain·√(3 / fan). */
export function kaimingUniform_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, opts, 'kaimingUniform_');
  return fillUniform(t, -bound, bound, generatorOption(opts, 'kaimingUniform_', ['a', 'mode', 'nonlinearity']));
}

/** He/Kaiming normal: N(0, std²) with std = gain / √fan. */
export function kaimingNormal_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const std = kaimingStd(t, opts, 'kaimingNormal_');
  return fillNormal(t, 0, std, generatorOption(opts, 'kaimingNormal_', ['a', 'mode', 'nonlinearity']));
}

// The names without the trailing underscore, kept for existing code. PyTorch renamed its in-place initialisers the
// same way (torch.nn.init.normal → normal_); the underscore says the tensor is modified.
/** @deprecated Use `uniform_`: it fills the tensor in place. */
export const uniform = uniform_;
/** @deprecated Use `normal_`: it fills the tensor in place. */
export const normal = normal_;
/** @deprecated Use `constant_`: it fills the tensor in place. */
export const constant = constant_;
/** @deprecated Use `zeros_`: it fills the tensor in place. */
export const zeros = zeros_;
/** @deprecated Use `ones_`: it fills the tensor in place. */
export const ones = ones_;
/** @deprecated Use `xavierUniform_`: it fills the tensor in place. */
export const xavierUniform = xavierUniform_;
/** @deprecated Use `xavierNormal_`: it fills the tensor in place. */
export const xavierNormal = xavierNormal_;
/** @deprecated Use `kaimingUniform_`: it fills the tensor in place. */
export const kaimingUniform = kaimingUniform_;
/** @deprecated Use `kaimingNormal_`: it fills the tensor in place. */
export const kaimingNormal = kaimingNormal_;
