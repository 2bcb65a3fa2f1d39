/**
 * Parameter initialisers (torch.nn.init). Each fills its tensor in place under `noGrad` and returns it; random ones draw from
 * `opts.generator`, or from core's default generator (seeded by `manualSeed`).
 */
import { Tensor, noGrad, rand, randn, type Generator } from '@tensorgrad/core';

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
      if (!Number.isFinite(slope)) throw new Error(`calculateGain: negative slope ${param} is not a valid number`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu': return 3 / 4;
    default:
      throw new Error(`calculateGain: unsupported nonlinearity '${String(nonlinearity)}' (expected one of ${[...LINEAR_LIKE, 'tanh', 'relu', 'leakyRelu', 'selu'].join(', ')})`);
  }
}

/** Fan-in and fan-out of a weight shaped [out, in, ...kernel] (torch's _calculate_fan_in_and_fan_out). */
export function calculateFans(t: Tensor, fnName = 'calculateFans'): { fanIn: number; fanOut: number } {
  if (t.ndim < 2) throw new Error(`${fnName}: fan in and fan out need a tensor with at least 2 dimensions, got shape [${t.shape.join(', ')}]`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: t.shape[1] * receptive, fanOut: t.shape[0] * receptive };
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
export function uniform(t: Tensor, a = 0, b = 1, { generator }: InitOptions = {}): Tensor {
  if (!(a <= b)) throw new Error(`uniform: expected a <= b, got a=${a}, b=${b}`);
  return fillUniform(t, a, b, generator);
}

/** Fills with N(mean, std²). */
export function normal(t: Tensor, mean = 0, std = 1, { generator }: InitOptions = {}): Tensor {
  if (!(std >= 0)) throw new Error(`normal: std must be >= 0, got ${std}`);
  return fillNormal(t, mean, std, generator);
}

export function constant(t: Tensor, value: number): Tensor {
  noGrad(() => t.fill(value));
  return t;
}

export function zeros(t: Tensor): Tensor {
  return constant(t, 0);
}

export function ones(t: Tensor): Tensor {
  return constant(t, 1);
}

/** Glorot/Xavier uniform: U(-b, b) with b = gain·√(6 / (fanIn + fanOut)). */
export function xavierUniform(t: Tensor, gain = 1, { generator }: InitOptions = {}): Tensor {
  const { fanIn, fanOut } = calculateFans(t, 'xavierUniform');
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return fillUniform(t, -bound, bound, generator);
}

/** Glorot/Xavier normal: N(0, std²) with std = gain·√(2 / (fanIn + fanOut)). */
export function xavierNormal(t: Tensor, gain = 1, { generator }: InitOptions = {}): Tensor {
  const { fanIn, fanOut } = calculateFans(t, 'xavierNormal');
  return fillNormal(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), generator);
}

export interface KaimingOptions extends InitOptions {
  /** Negative slope of the leaky ReLU that follows (only used with nonlinearity 'leakyRelu'). Default 0. */
  a?: number;
  /** 'fanIn' preserves the forward activations' variance, 'fanOut' the backward gradients'. Default 'fanIn'. */
  mode?: 'fanIn' | 'fanOut';
  /** Default 'leakyRelu' (with a = 0 that is ReLU's gain √2), as in PyTorch. */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, { a = 0, mode = 'fanIn', nonlinearity = 'leakyRelu' }: KaimingOptions, fnName: string): number {
  if (mode !== 'fanIn' && mode !== 'fanOut') throw new Error(`${fnName}: mode must be 'fanIn' or 'fanOut', got '${String(mode)}'`);
  const fans = calculateFans(t, fnName);
  return calculateGain(nonlinearity, a) / Math.sqrt(mode === 'fanIn' ? fans.fanIn : fans.fanOut);
}

/** He/Kaiming uniform: U(-b, b) with b = gain·√(3 / fan). */
export function kaimingUniform(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, opts, 'kaimingUniform');
  return fillUniform(t, -bound, bound, opts.generator);
}

/** He/Kaiming normal: N(0, std²) with std = gain / √fan. */
export function kaimingNormal(t: Tensor, opts: KaimingOptions = {}): Tensor {
  return fillNormal(t, 0, kaimingStd(t, opts, 'kaimingNormal'), opts.generator);
}
