/**
 * Recurrent layers: `RNN`, `LSTM` and `GRU` over whole sequences, and the single-step cells `RNNCell`, `LSTMCell` and
 * `GRUCell`. Parameter names, shapes, gate order and initialisation are PyTorch's, so a PyTorch state dict loads with
 * `loadStateDict` unchanged and gives the same outputs.
 *
 * Everything is a composite of core ops, so backpropagation through time is core's ordinary backward over the unrolled
 * graph, and a sequence layer runs exactly the computation of its cell at every step: x_t · W_ihᵀ and h · W_hhᵀ, then the
 * gates. The input is cut into its steps once, on its narrow feature axis. (Projecting the whole sequence first, in one
 * matrix product, and cutting the 4·hidden-wide result into steps measured about 1.4× slower per LSTM training step: each
 * cut-out step's gradient is scattered into zeros of the whole projection's shape, a cost that the wide rows multiply.)
 */
import { Tensor, concat, linear, rand, stack, zeros, type DType, type Generator } from '@tensorgrad/core';
import { Module, parameter } from '../module.js';
import { checkOptions as checkOptionsOf, describeValue, expectBoolean, expectDType, expectGenerator, expectTensor, shapeStr } from '../util.js';

/** Options shared by `RNN`, `LSTM` and `GRU` (PyTorch's arguments in camelCase). */
export interface RecurrentOptions {
  /** Stacked layers: layer k > 0 reads the outputs of layer k − 1 (default 1). */
  numLayers?: number;
  /** Learn the biases `bias_ih_lk` and `bias_hh_lk` (default true). */
  bias?: boolean;
  /** Input and output are `[batch, seq, feature]` instead of `[seq, batch, feature]` (default false; states are unaffected). */
  batchFirst?: boolean;
  /** Dropout probability on the outputs of every layer but the last, in training mode (default 0). */
  dropout?: number;
  /** Run a second set of layers over the reversed sequence and concatenate both directions' outputs (default false). */
  bidirectional?: boolean;
  /** Parameter dtype (default 'float32'). */
  dtype?: DType;
  /** Generator for the initial weights and the dropout masks (default: core's default generator). */
  generator?: Generator;
}

/** Options of `RNN`: the shared ones plus the nonlinearity. */
export interface RNNOptions extends RecurrentOptions {
  /** h' = tanh(…) (default) or relu(…). */
  nonlinearity?: 'tanh' | 'relu';
}

/** Options of `LSTM`: the shared ones plus an optional projection of the hidden state. */
export interface LSTMOptions extends RecurrentOptions {
  /**
   * When > 0, each step's hidden state o ⊙ tanh(c) is projected to this size by `weight_hr_lk` [projSize, hiddenSize]
   * (PyTorch's proj_size); h, the output and `weight_hh_lk`'s second dimension then have this size. Default 0: none.
   */
  projSize?: number;
}

/** Options of the cells. */
export interface RNNCellOptions {
  /** Learn `bias_ih` and `bias_hh` (default true). */
  bias?: boolean;
  /** Parameter dtype (default 'float32'). */
  dtype?: DType;
  /** Generator for the initial weights (default: core's default generator). */
  generator?: Generator;
}

type Kind = 'tanh' | 'relu' | 'lstm' | 'gru';

/** Rows of the stacked gate weights per hidden unit: PyTorch's i,f,g,o for the LSTM and r,z,n for the GRU. */
const GATES: Record<Kind, number> = { tanh: 1, relu: 1, lstm: 4, gru: 3 };

interface StepWeights {
  /** W_ih [gates·hidden, input] and the bias added to x · W_ihᵀ (b_ih, or b_ih + b_hh where they can be folded). */
  ih: Tensor;
  ihBias: Tensor | null;
  /** W_hh [gates·hidden, hiddenOut] and the bias added to h · W_hhᵀ (only the GRU's, whose b_hn sits inside r ⊙ (…)). */
  hh: Tensor;
  hhBias: Tensor | null;
  /** The LSTM projection [projSize, hidden], or null. */
  hr: Tensor | null;
}

/**
 * One time step from the input x [N, input] and the previous state, written with core ops only. Returns the new state: [h]
 * or, for the LSTM, [h, c].
 */
function step(kind: Kind, x: Tensor, state: readonly Tensor[], w: StepWeights, hidden: number): Tensor[] {
  const h = state[0];
  const xp = linear(x, w.ih, w.ihBias), hp = linear(h, w.hh, w.hhBias);
  switch (kind) {
    case 'tanh':
      return [xp.add(hp).tanh()];
    case 'relu':
      return [xp.add(hp).relu()];
    case 'lstm': {
      const [i, f, g, o] = xp.add(hp).split(hidden, 1);
      const c = f.sigmoid().mul(state[1]).add(i.sigmoid().mul(g.tanh()));
      const out = o.sigmoid().mul(c.tanh());
      return [w.hr ? linear(out, w.hr) : out, c];
    }
    case 'gru': {
      // PyTorch's GRU: r and z from both projections, n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h.
      const [xr, xz, xn] = xp.split(hidden, 1);
      const [hr, hz, hn] = hp.split(hidden, 1);
      const r = xr.add(hr).sigmoid(), z = xz.add(hz).sigmoid();
      const n = xn.add(r.mul(hn)).tanh();
      return [n.add(z.mul(h.sub(n)))];
    }
  }
}

/**
 * RNN and LSTM add b_ih and b_hh side by side, so they are summed once per forward and added to x · W_ihᵀ; the GRU's b_hn
 * is multiplied by r, so its b_hh stays with h · W_hhᵀ.
 */
function foldBiases(kind: Kind, ih: Tensor, hh: Tensor, bIh: Tensor | null, bHh: Tensor | null, hr: Tensor | null): StepWeights {
  if (kind !== 'gru' && bIh && bHh) return { ih, ihBias: bIh.add(bHh), hh, hhBias: null, hr };
  return { ih, ihBias: bIh, hh, hhBias: bHh, hr };
}

/**
 * The steps of a `[T, ...]` tensor as T tensors of shape `[...]`. A piece's gradient is scattered into zeros of its
 * parent's shape, so cutting T steps out of one tensor would cost O(T²) in backward; cutting √T chunks first, then
 * steps out of each chunk, costs O(T^1.5).
 */
function unbindSteps(x: Tensor): Tensor[] {
  const n = x.shape[0];
  if (n <= 8) return x.split(1, 0).map((p) => p.squeeze(0));
  return x.split(Math.ceil(Math.sqrt(n)), 0).flatMap(unbindSteps);
}

/** Option keys and the values every recurrent layer and cell shares (bias, dtype, generator), checked under `who`. */
function checkOptions(who: string, options: object, known: readonly string[]): void {
  const o = checkOptionsOf(options as Record<string, unknown>, known, who);
  if (o.bias !== undefined) expectBoolean(o.bias, who, 'bias');
  if (o.dtype !== undefined) expectDType(o.dtype, who, 'dtype', { float: true });
  expectGenerator(o.generator, who);
  for (const flag of ['batchFirst', 'bidirectional'] as const) if (o[flag] !== undefined) expectBoolean(o[flag], who, flag);
}

function checkSize(who: string, name: string, v: number, min = 1): void {
  if (!Number.isInteger(v) || v < min) throw new Error(`${who}: ${name} must be ${min === 0 ? 'a non-negative' : 'a positive'} integer, got ${describeValue(v)}`);
}

/** A [gates·rows, cols] or [rows] parameter drawn from U(−1/√hidden, 1/√hidden), PyTorch's initialisation for every RNN weight. */
function uniformParameter(shape: number[], hidden: number, dtype: DType, generator: Generator | undefined): Tensor {
  const bound = 1 / Math.sqrt(hidden);
  return parameter(rand(shape, { dtype, generator }).mul(2 * bound).sub(bound).detach());
}

const SHARED_OPTIONS = ['numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional', 'dtype', 'generator'] as const;

/**
 * The multi-layer, optionally bidirectional sequence loop shared by `RNN`, `LSTM` and `GRU`. Parameters are own fields named
 * as in PyTorch (`weight_ih_l0`, …, `_reverse` for the backward direction), created in PyTorch's order.
 */
abstract class RecurrentBase extends Module {
  // Every layer's and direction's parameters are fields named as in PyTorch (see allWeights); layer 0's are typed here.
  /** Layer 0's input weights [gates·hiddenSize, inputSize]. */
  declare weight_ih_l0: Tensor;
  /** Layer 0's hidden weights [gates·hiddenSize, projSize || hiddenSize]. */
  declare weight_hh_l0: Tensor;
  /** Layer 0's input bias [gates·hiddenSize] (absent with `bias: false`). */
  declare bias_ih_l0?: Tensor;
  /** Layer 0's hidden bias [gates·hiddenSize] (absent with `bias: false`). */
  declare bias_hh_l0?: Tensor;
  /** Layer 0's projection [projSize, hiddenSize] (LSTM with `projSize` only). */
  declare weight_hr_l0?: Tensor;
  /** Features per input step. */
  readonly inputSize: number;
  /** Units of the hidden (and, for the LSTM, cell) state. */
  readonly hiddenSize: number;
  /** Stacked layers. */
  readonly numLayers: number;
  /** Whether the layers have biases. */
  readonly bias: boolean;
  /** Whether input and output are `[N, T, features]`. */
  readonly batchFirst: boolean;
  /** Dropout probability between layers, in training mode. */
  readonly dropout: number;
  /** Whether a second set of layers reads the sequence backwards. */
  readonly bidirectional: boolean;
  /** Size of the LSTM's projected hidden state (0: no projection; always 0 for RNN and GRU). */
  readonly projSize: number;
  private readonly kind: Kind;
  private readonly generator: Generator | undefined;

  constructor(who: string, kind: Kind, inputSize: number, hiddenSize: number, options: LSTMOptions & RNNOptions, known: readonly string[]) {
    super();
    checkOptions(who, options, known);
    const { numLayers = 1, bias = true, batchFirst = false, dropout = 0, bidirectional = false, dtype = 'float32', generator, projSize = 0 } = options;
    checkSize(who, 'inputSize', inputSize);
    checkSize(who, 'hiddenSize', hiddenSize);
    checkSize(who, 'numLayers', numLayers);
    checkSize(who, 'projSize', projSize, 0);
    if (projSize >= hiddenSize && projSize > 0) throw new Error(`${who}: projSize must be smaller than hiddenSize, got projSize ${projSize} and hiddenSize ${hiddenSize}`);
    if (typeof dropout !== 'number' || !(dropout >= 0 && dropout <= 1)) throw new Error(`${who}: dropout must be a probability in [0, 1], got ${describeValue(dropout)}`);
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = numLayers;
    this.bias = bias;
    this.batchFirst = batchFirst;
    this.dropout = dropout;
    this.bidirectional = bidirectional;
    this.projSize = projSize;
    this.kind = kind;
    this.generator = generator;
    const rows = GATES[kind] * hiddenSize, out = projSize || hiddenSize;
    const fields = this as unknown as Record<string, Tensor>;
    for (let layer = 0; layer < numLayers; layer++) {
      for (let dir = 0; dir < this.directions; dir++) {
        const name = (base: string) => `${base}_l${layer}${dir ? '_reverse' : ''}`;
        const init = (shape: number[]) => uniformParameter(shape, hiddenSize, dtype, generator);
        fields[name('weight_ih')] = init([rows, layer === 0 ? inputSize : out * this.directions]);
        fields[name('weight_hh')] = init([rows, out]);
        if (bias) {
          fields[name('bias_ih')] = init([rows]);
          fields[name('bias_hh')] = init([rows]);
        }
        if (projSize > 0) fields[name('weight_hr')] = init([projSize, hiddenSize]);
      }
    }
  }

  private get directions(): number {
    return this.bidirectional ? 2 : 1;
  }

  /**
   * The parameters of each layer and direction, in PyTorch's order: `[weight_ih, weight_hh, bias_ih, bias_hh, weight_hr]`
   * (biases and projection only when present), forward direction first (PyTorch's `all_weights`).
   */
  get allWeights(): Tensor[][] {
    const fields = this as unknown as Record<string, Tensor | undefined>;
    const out: Tensor[][] = [];
    for (let layer = 0; layer < this.numLayers; layer++) {
      for (let dir = 0; dir < this.directions; dir++) {
        const sfx = `_l${layer}${dir ? '_reverse' : ''}`;
        out.push(['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh', 'weight_hr'].map((b) => fields[b + sfx]).filter((t): t is Tensor => t !== undefined));
      }
    }
    return out;
  }

  /**
   * Runs the layers over `x` from the initial states (`[h0]`, or `[h0, c0]` for the LSTM; zeros when omitted) and returns
   * the last layer's outputs at every step and the final states of every layer and direction.
   */
  protected run(who: string, x: Tensor, initial: readonly (Tensor | undefined)[]): { output: Tensor; final: Tensor[] } {
    expectTensor(x, who);
    const D = this.directions, L = this.numLayers, H = this.hiddenSize, hOut = this.projSize || H;
    const layout = this.batchFirst ? '[N, T, inputSize]' : '[T, N, inputSize]';
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[x.ndim - 1] !== this.inputSize) {
      throw new Error(`${who}: expected input ${layout.replace('inputSize', String(this.inputSize))} or unbatched [T, ${this.inputSize}], got ${shapeStr(x.shape)}`);
    }
    const batched = x.ndim === 3;
    const seq = !batched ? x.unsqueeze(1) : this.batchFirst ? x.transpose(0, 1) : x;
    const [T, N] = seq.shape;
    if (T === 0) throw new Error(`${who}: expected a sequence of length at least 1, got input ${shapeStr(x.shape)}`);
    const stateSizes = this.kind === 'lstm' ? [hOut, H] : [H];
    const stateNames = this.kind === 'lstm' ? ['h0', 'c0'] : ['h0'];
    // Per state: one [N, size] tensor for each layer and direction (index layer·D + dir).
    const starts = stateSizes.map((size, s) => {
      const given = initial[s];
      if (given === undefined) return null;
      expectTensor(given, who, stateNames[s]);
      const want = batched ? [L * D, N, size] : [L * D, size];
      if (given.ndim !== want.length || given.shape.some((d, i) => d !== want[i])) {
        throw new Error(`${who}: expected ${stateNames[s]} of shape ${shapeStr(want)} for input ${shapeStr(x.shape)}, got ${shapeStr(given.shape)}`);
      }
      return unbindSteps(batched ? given : given.unsqueeze(1));
    });
    const final: Tensor[][] = stateSizes.map(() => []);
    let steps = unbindSteps(seq);
    for (let layer = 0; layer < L; layer++) {
      const outputs: Tensor[][] = [];
      for (let dir = 0; dir < D; dir++) {
        const sfx = `_l${layer}${dir ? '_reverse' : ''}`;
        const w = this.stepWeights(sfx);
        const k = layer * D + dir;
        let state = stateSizes.map((size, s) => starts[s]?.[k] ?? zeros([N, size], { dtype: w.ih.dtype === 'float64' || seq.dtype === 'float64' ? 'float64' : 'float32' }));
        const hs = new Array<Tensor>(T);
        for (let i = 0; i < T; i++) {
          const t = dir === 0 ? i : T - 1 - i;
          state = step(this.kind, steps[t], state, w, H);
          hs[t] = state[0];
        }
        outputs.push(hs);
        state.forEach((s, i) => final[i].push(s));
      }
      steps = D === 1 ? outputs[0] : outputs[0].map((h, t) => concat([h, outputs[1][t]], 1));
      if (layer < L - 1 && this.training && this.dropout > 0) steps = steps.map((h) => this.dropoutMask(h));
    }
    const out = stack(steps, 0);
    const output = !batched ? out.squeeze(1) : this.batchFirst ? out.transpose(0, 1) : out;
    return { output, final: final.map((list) => (batched ? stack(list, 0) : stack(list, 0).squeeze(1))) };
  }

  /** The weights of one layer and direction (`sfx` like `_l1_reverse`), read from the fields on every call. */
  private stepWeights(sfx: string): StepWeights {
    const fields = this as unknown as Record<string, Tensor | undefined>;
    return foldBiases(this.kind, fields[`weight_ih${sfx}`] as Tensor, fields[`weight_hh${sfx}`] as Tensor,
      fields[`bias_ih${sfx}`] ?? null, fields[`bias_hh${sfx}`] ?? null, fields[`weight_hr${sfx}`] ?? null);
  }

  private dropoutMask(x: Tensor): Tensor {
    if (this.dropout === 1) return x.mul(0);
    const keep = rand(x.shape, { dtype: x.dtype === 'float64' ? 'float64' : 'float32', generator: this.generator }).ge(this.dropout);
    return x.mul(keep.mul(1 / (1 - this.dropout)));
  }

  override extraRepr(): string {
    const parts = [`${this.inputSize}, ${this.hiddenSize}`];
    if (this.projSize > 0) parts.push(`projSize=${this.projSize}`);
    if (this.numLayers !== 1) parts.push(`numLayers=${this.numLayers}`);
    if (this.kind === 'relu') parts.push(`nonlinearity='relu'`);
    if (!this.bias) parts.push('bias=false');
    if (this.batchFirst) parts.push('batchFirst=true');
    if (this.dropout > 0) parts.push(`dropout=${this.dropout}`);
    if (this.bidirectional) parts.push('bidirectional=true');
    return parts.join(', ');
  }
}

/**
 * Elman RNN: h_t = tanh(x_t · W_ihᵀ + b_ih + h_{t−1} · W_hhᵀ + b_hh) (or relu), over whole sequences (torch.nn.RNN).
 *
 * Input `[T, N, inputSize]` (`[N, T, inputSize]` with `batchFirst`) or unbatched `[T, inputSize]`; `h0`
 * `[numLayers·D, N, hiddenSize]` (`[numLayers·D, hiddenSize]` unbatched), zeros when omitted, D = 2 if bidirectional.
 * `forward` returns `[output, hN]`: the last layer's h_t at every step, `[T, N, D·hiddenSize]` (both directions
 * concatenated), and the final hidden state of every layer and direction, shaped like `h0`.
 *
 * Parameters per layer k: `weight_ih_lk` [hiddenSize, inputSize (k = 0) or D·hiddenSize], `weight_hh_lk`
 * [hiddenSize, hiddenSize], `bias_ih_lk`, `bias_hh_lk` [hiddenSize], plus `…_reverse` copies when bidirectional; all start
 * as U(−1/√hiddenSize, 1/√hiddenSize).
 */
export class RNN extends RecurrentBase {
  /** The nonlinearity of every step. */
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    const nonlinearity = options?.nonlinearity ?? 'tanh';
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') throw new Error(`RNN: nonlinearity must be 'tanh' or 'relu', got '${String(nonlinearity)}'`);
    super('RNN', nonlinearity, inputSize, hiddenSize, options, [...SHARED_OPTIONS, 'nonlinearity']);
    this.nonlinearity = nonlinearity;
  }

  /** Runs the sequence; returns `[output, hN]`. */
  forward(x: Tensor, h0?: Tensor): [Tensor, Tensor] {
    const { output, final } = this.run('RNN', x, [h0]);
    return [output, final[0]];
  }
}

/**
 * Long short-term memory over whole sequences (torch.nn.LSTM). Per step, with gates stacked in PyTorch's order i, f, g, o:
 * i = σ(·), f = σ(·), g = tanh(·), o = σ(·) of x_t · W_ihᵀ + b_ih + h_{t−1} · W_hhᵀ + b_hh, then c_t = f ⊙ c_{t−1} + i ⊙ g
 * and h_t = o ⊙ tanh(c_t) (times `weight_hr_lk`ᵀ with `projSize`).
 *
 * Shapes as `RNN`, with states `[h0, c0]`: h0 `[numLayers·D, N, projSize || hiddenSize]`, c0 `[numLayers·D, N, hiddenSize]`.
 * `forward(x, [h0, c0]?)` returns `[output, [hN, cN]]`. Parameters: `weight_ih_lk` [4·hiddenSize, …], `weight_hh_lk`
 * [4·hiddenSize, projSize || hiddenSize], `bias_ih_lk`, `bias_hh_lk` [4·hiddenSize], `weight_hr_lk` [projSize, hiddenSize]
 * with a projection; U(−1/√hiddenSize, 1/√hiddenSize).
 */
export class LSTM extends RecurrentBase {
  constructor(inputSize: number, hiddenSize: number, options: LSTMOptions = {}) {
    super('LSTM', 'lstm', inputSize, hiddenSize, options, [...SHARED_OPTIONS, 'projSize']);
  }

  /** Runs the sequence; returns `[output, [hN, cN]]`. h0 and c0 are given together or not at all. */
  forward(x: Tensor, states?: [Tensor, Tensor]): [Tensor, [Tensor, Tensor]] {
    if (states !== undefined && (!Array.isArray(states) || states.length !== 2)) {
      throw new Error('LSTM: initial states must be a pair [h0, c0] (or omitted for zeros)');
    }
    const { output, final } = this.run('LSTM', x, states ?? []);
    return [output, [final[0], final[1]]];
  }
}

/**
 * Gated recurrent unit over whole sequences (torch.nn.GRU). Per step, with gates stacked in PyTorch's order r, z, n:
 * r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz), n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),
 * h' = (1 − z) ⊙ n + z ⊙ h.
 *
 * Shapes and `forward(x, h0?)` → `[output, hN]` as `RNN`; parameters `weight_ih_lk` [3·hiddenSize, …], `weight_hh_lk`
 * [3·hiddenSize, hiddenSize], `bias_ih_lk`, `bias_hh_lk` [3·hiddenSize]; U(−1/√hiddenSize, 1/√hiddenSize).
 */
export class GRU extends RecurrentBase {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super('GRU', 'gru', inputSize, hiddenSize, options, SHARED_OPTIONS);
  }

  /** Runs the sequence; returns `[output, hN]`. */
  forward(x: Tensor, h0?: Tensor): [Tensor, Tensor] {
    const { output, final } = this.run('GRU', x, [h0]);
    return [output, final[0]];
  }
}

/** Parameters and the one-step computation shared by the three cells. */
abstract class CellBase extends Module {
  /** Input weights [gates·hiddenSize, inputSize]. */
  weight_ih: Tensor;
  /** Hidden weights [gates·hiddenSize, hiddenSize]. */
  weight_hh: Tensor;
  /** Input bias [gates·hiddenSize], or null with `bias: false`. */
  bias_ih: Tensor | null;
  /** Hidden bias [gates·hiddenSize], or null with `bias: false`. */
  bias_hh: Tensor | null;
  private readonly kind: Kind;

  /** Features of the input. */
  readonly inputSize: number;
  /** Units of the hidden (and, for the LSTMCell, cell) state. */
  readonly hiddenSize: number;

  constructor(who: string, kind: Kind, inputSize: number, hiddenSize: number, options: RNNCellOptions & { nonlinearity?: unknown }, known: readonly string[]) {
    super();
    checkOptions(who, options, known);
    const { bias = true, dtype = 'float32', generator } = options;
    checkSize(who, 'inputSize', inputSize);
    checkSize(who, 'hiddenSize', hiddenSize);
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.kind = kind;
    const rows = GATES[kind] * hiddenSize;
    const init = (shape: number[]) => uniformParameter(shape, hiddenSize, dtype, generator);
    this.weight_ih = init([rows, inputSize]);
    this.weight_hh = init([rows, hiddenSize]);
    this.bias_ih = bias ? init([rows]) : null;
    this.bias_hh = bias ? init([rows]) : null;
  }

  /** One step from x [N, inputSize] or [inputSize] and the states (zeros when omitted); returns the new states. */
  protected cellStep(who: string, x: Tensor, states: readonly (Tensor | undefined)[]): Tensor[] {
    expectTensor(x, who);
    const H = this.hiddenSize;
    if ((x.ndim !== 1 && x.ndim !== 2) || x.shape[x.ndim - 1] !== this.inputSize) {
      throw new Error(`${who}: expected input [N, ${this.inputSize}] or unbatched [${this.inputSize}], got ${shapeStr(x.shape)}`);
    }
    const batched = x.ndim === 2;
    const xb = batched ? x : x.unsqueeze(0);
    const N = xb.shape[0];
    const names = this.kind === 'lstm' ? ['h', 'c'] : ['h'];
    const state = names.map((name, s) => {
      const given = states[s];
      if (given === undefined) return zeros([N, H], { dtype: this.weight_ih.dtype === 'float64' || xb.dtype === 'float64' ? 'float64' : 'float32' });
      expectTensor(given, who, name);
      const want = batched ? [N, H] : [H];
      if (given.ndim !== want.length || given.shape.some((d, i) => d !== want[i])) {
        throw new Error(`${who}: expected ${name} of shape ${shapeStr(want)} for input ${shapeStr(x.shape)}, got ${shapeStr(given.shape)}`);
      }
      return batched ? given : given.unsqueeze(0);
    });
    const next = step(this.kind, xb, state, foldBiases(this.kind, this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh, null), H);
    return batched ? next : next.map((t) => t.squeeze(0));
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}` + (this.bias_ih ? '' : ', bias=false') + (this.kind === 'relu' ? `, nonlinearity='relu'` : '');
  }
}

/**
 * One step of an Elman RNN (torch.nn.RNNCell): h' = tanh(x · W_ihᵀ + b_ih + h · W_hhᵀ + b_hh) (or relu). `forward(x, h?)`
 * takes x `[N, inputSize]` (or unbatched `[inputSize]`) and h `[N, hiddenSize]` (zeros when omitted) and returns h'.
 * Parameters `weight_ih` [hiddenSize, inputSize], `weight_hh` [hiddenSize, hiddenSize], `bias_ih`, `bias_hh` [hiddenSize].
 */
export class RNNCell extends CellBase {
  /** The nonlinearity of the step. */
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(inputSize: number, hiddenSize: number, options: RNNCellOptions & { nonlinearity?: 'tanh' | 'relu' } = {}) {
    const nonlinearity = options?.nonlinearity ?? 'tanh';
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') throw new Error(`RNNCell: nonlinearity must be 'tanh' or 'relu', got '${String(nonlinearity)}'`);
    super('RNNCell', nonlinearity, inputSize, hiddenSize, options, ['bias', 'dtype', 'generator', 'nonlinearity']);
    this.nonlinearity = nonlinearity;
  }

  /** Returns the next hidden state. */
  forward(x: Tensor, h?: Tensor): Tensor {
    return this.cellStep('RNNCell', x, [h])[0];
  }
}

/**
 * One LSTM step (torch.nn.LSTMCell), gates in PyTorch's order i, f, g, o. `forward(x, [h, c]?)` returns `[h', c']`; weights
 * `weight_ih` [4·hiddenSize, inputSize], `weight_hh` [4·hiddenSize, hiddenSize], biases [4·hiddenSize].
 */
export class LSTMCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, options: RNNCellOptions = {}) {
    super('LSTMCell', 'lstm', inputSize, hiddenSize, options, ['bias', 'dtype', 'generator']);
  }

  /** Returns the next `[h, c]`; h and c are given together or not at all (zeros). */
  forward(x: Tensor, states?: [Tensor, Tensor]): [Tensor, Tensor] {
    if (states !== undefined && (!Array.isArray(states) || states.length !== 2)) {
      throw new Error('LSTMCell: states must be a pair [h, c] (or omitted for zeros)');
    }
    const [h, c] = this.cellStep('LSTMCell', x, states ?? []);
    return [h, c];
  }
}

/**
 * One GRU step (torch.nn.GRUCell), gates in PyTorch's order r, z, n with n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)).
 * `forward(x, h?)` returns h'; weights `weight_ih` [3·hiddenSize, inputSize], `weight_hh` [3·hiddenSize, hiddenSize],
 * biases [3·hiddenSize].
 */
export class GRUCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, options: RNNCellOptions = {}) {
    super('GRUCell', 'gru', inputSize, hiddenSize, options, ['bias', 'dtype', 'generator']);
  }

  /** Returns the next hidden state. */
  forward(x: Tensor, h?: Tensor): Tensor {
    return this.cellStep('GRUCell', x, [h])[0];
  }
}
