/**
 * A tiny GPT that writes names: a character-level Transformer trained on the 8,403 English first names of
 * `@tensorgrad/data` (seeded 80/10/10 split), in the spirit of Karpathy's makemore and nanoGPT.
 *
 * Each name is one row: a start/end token '.', its letters, '.', then padding that the loss ignores. The model reads
 * the row left to right and predicts every next character; causal self-attention keeps position t from seeing
 * anything after t. It is built only from @tensorgrad/nn layers, with PyTorch's state-dict names, so the PyTorch twin in
 * packages/examples/python/names_gpt.py loads the saved safetensors file unchanged and computes the same logits:
 *
 *   tok, pos      token and position embeddings (Embedding)
 *   blocks.i      pre-norm TransformerEncoderLayer: x + attn(norm1(x)) with isCausal, then x + mlp(norm2(x)), GELU MLP
 *   ln, head      final LayerNorm and a bias-free linear head to the 27 logits
 *
 * Training: AdamW with weight decay on the matrices only (two parameter groups), gradients clipped to norm 1, a linear
 * warmup then cosine decay of the learning rate (LinearLR + CosineAnnealingLR in a SequentialLR, as in PyTorch), a
 * progress bar with step, loss and time left. Then the train and dev loss, names sampled at a few temperatures with
 * top-k through core's `topk` and `multinomial`, and the model saved as safetensors (with `run.json`, which the PyTorch
 * script reads to train its twin on the same split and batches).
 */
import { mkdir, writeFile } from 'fs/promises';
import { join } from 'path';
import {
  Generator, multinomial, noGrad, softmax, tensor, topk, type Tensor,
} from '@tensorgrad/core';
import { loadNames, trainDevTestSplit } from '@tensorgrad/data';
import {
  AdamW, CosineAnnealingLR, Embedding, LayerNorm, Linear, LinearLR, Module, ModuleList, SequentialLR, TransformerEncoderLayer,
  clipGradNorm, crossEntropy, save,
} from '@tensorgrad/nn';
import { ProgressBar, clock, duration, runIfMain, type Log } from './common.js';

/** The 27 tokens: '.' (start and end of a name) and the letters a–z. */
export const CHARS = '.abcdefghijklmnopqrstuvwxyz';
const VOCAB = CHARS.length;
/** Target value of the padding after a name's end token: crossEntropy's ignoreIndex. */
const IGNORE = -1;

/** Size of the model. */
export interface GptConfig {
  /** Tokens (default 27). */
  vocab: number;
  /** Longest context, in tokens: a name of up to block − 1 letters fits in one row. */
  block: number;
  layers: number;
  /** Width of the residual stream (embedding size). */
  dim: number;
  heads: number;
}

/**
 * The GPT: token + position embeddings, `layers` pre-norm Transformer blocks with causal self-attention and a 4×
 * GELU MLP (nn's TransformerEncoderLayer with normFirst, dropout 0), a final LayerNorm and a bias-free head. Its
 * state-dict names are those of the PyTorch twin (`tok.weight`, `blocks.0.self_attn.in_proj_weight`, …,
 * `head.weight`), whose blocks are torch.nn.TransformerEncoderLayer(norm_first=True, batch_first=True).
 */
export class NamesGpt extends Module {
  readonly tok: Embedding;
  readonly pos: Embedding;
  readonly blocks: ModuleList;
  readonly ln: LayerNorm;
  readonly head: Linear;

  constructor(readonly config: GptConfig, { generator }: { generator?: Generator } = {}) {
    super();
    const { vocab, block, layers, dim, heads } = config;
    this.tok = new Embedding(vocab, dim, { generator });
    this.pos = new Embedding(block, dim, { generator });
    this.blocks = new ModuleList(Array.from({ length: layers }, () => new TransformerEncoderLayer(dim, heads, {
      dimFeedforward: 4 * dim, dropout: 0, activation: 'gelu', normFirst: true, batchFirst: true, generator,
    })));
    this.ln = new LayerNorm(dim);
    this.head = new Linear(dim, vocab, { bias: false, generator });
  }

  /** Logits [B, T, vocab] for token ids [B, T] (int32), T ≤ block. */
  forward(idx: Tensor): Tensor {
    const t = idx.shape[1];
    if (t > this.config.block) throw new Error(`NamesGpt: sequences of ${t} tokens are longer than the block size ${this.config.block}`);
    let x = this.tok.forward(idx).add(this.pos.forward(Int32Array.from({ length: t }, (_, i) => i)));
    for (const layer of this.blocks) x = (layer as TransformerEncoderLayer).forward(x, { isCausal: true });
    return this.head.forward(this.ln.forward(x));
  }

  /** Attention weights [B, heads, T, T] of every block for `idx`, as the model computes them (for plots). */
  attentionMaps(idx: Tensor): Tensor[] {
    return noGrad(() => {
      const t = idx.shape[1];
      let x = this.tok.forward(idx).add(this.pos.forward(Int32Array.from({ length: t }, (_, i) => i)));
      const maps: Tensor[] = [];
      for (const layer of this.blocks) {
        const l = layer as TransformerEncoderLayer;
        const h = l.norm1.forward(x);
        maps.push(l.self_attn.forward(h, h, h, { isCausal: true, averageAttnWeights: false })[1] as Tensor);
        x = l.forward(x, { isCausal: true });
      }
      return maps;
    });
  }
}

/**
 * Names as rows of `block` tokens: x = '.' + letters (+ padding), y = letters + '.' (+ IGNORE): y[t] is the token that
 * follows x[0..t]. Throws if a name does not fit (block − 1 letters at most) or has a character outside a–z.
 */
export function encodeNames(names: readonly string[], block: number): { x: Tensor; y: Tensor } {
  const x = new Int32Array(names.length * block), y = new Int32Array(names.length * block).fill(IGNORE);
  names.forEach((name, r) => {
    if (name.length > block - 1) throw new Error(`encodeNames: '${name}' has ${name.length} letters; a block of ${block} tokens holds at most ${block - 1}`);
    const tokens = [0];
    for (const ch of name) {
      const id = CHARS.indexOf(ch);
      if (id <= 0) throw new Error(`encodeNames: '${name}' contains '${ch}'; names must be lowercase a–z`);
      tokens.push(id);
    }
    tokens.push(0);
    for (let t = 0; t + 1 < tokens.length; t++) {
      x[r * block + t] = tokens[t];
      y[r * block + t] = tokens[t + 1];
    }
  });
  const shape = [names.length, block];
  return { x: tensor(x, { dtype: 'int32', shape }), y: tensor(y, { dtype: 'int32', shape }) };
}

/** Mean cross-entropy per predicted character (padding ignored) of `model` on encoded rows, in batches. */
export function meanLoss(model: NamesGpt, data: { x: Tensor; y: Tensor }, batchSize = 1024): number {
  return noGrad(() => {
    const n = data.x.shape[0];
    let total = 0, count = 0;
    for (let start = 0; start < n; start += batchSize) {
      const rows = [[start, Math.min(n, start + batchSize)]] as [[number, number]];
      const y = data.y.slice(rows).reshape([-1]);
      const logits = model.forward(data.x.slice(rows));
      total += crossEntropy(logits.reshape([-1, model.config.vocab]), y, { ignoreIndex: IGNORE, reduction: 'sum' }).item();
      for (const v of y.data) if (v !== IGNORE) count++;
    }
    return total / count;
  });
}

export interface SampleOptions {
  /** Divides the logits: below 1 sharper (more common names), above 1 flatter (more unusual ones). Default 1. */
  temperature?: number;
  /** Draw only among the k most likely next characters (default: all 27). */
  topK?: number;
  generator?: Generator;
}

/**
 * Writes `count` names at once: every row starts with '.', and at each step the model's last logits are divided by the
 * temperature, cut to the top k, turned into probabilities and sampled with `multinomial`, until each row has drawn
 * the end token '.' (or filled the block).
 */
export function sampleNames(model: NamesGpt, count: number, { temperature = 1, topK = VOCAB, generator }: SampleOptions = {}): string[] {
  if (!(temperature > 0)) throw new Error(`sampleNames: temperature must be > 0, got ${temperature}`);
  if (!Number.isInteger(topK) || topK < 1) throw new Error(`sampleNames: topK must be a positive integer, got ${topK}`);
  if (!Number.isInteger(count) || count < 1) throw new Error(`sampleNames: count must be a positive integer, got ${count}`);
  return noGrad(() => {
    const { block } = model.config;
    const rows: number[][] = Array.from({ length: count }, () => [0]);
    const done = new Array<boolean>(count).fill(false);
    for (let t = 1; t < block && done.includes(false); t++) {
      const idx = tensor(rows.flat(), { dtype: 'int32', shape: [count, t] });
      const last = model.forward(idx).slice([null, -1]).div(temperature); // [count, vocab]
      const [values, indices] = topk(last, Math.min(topK, VOCAB), -1);
      const pick = multinomial(softmax(values, -1), 1, { generator }); // position within the top k
      const next = indices.gather(1, pick).data;
      for (let r = 0; r < count; r++) {
        rows[r].push(done[r] ? 0 : next[r]);
        if (next[r] === 0) done[r] = true;
      }
    }
    return rows.map((r) => {
      const end = r.indexOf(0, 1);
      return r.slice(1, end === -1 ? undefined : end).map((id) => CHARS[id]).join('');
    });
  });
}

/** Options of `runNames`: the model size (the vocabulary is always the 27 tokens of CHARS) and the training run. */
export interface NamesOptions extends Partial<Omit<GptConfig, 'vocab'>> {
  /** Names per step (default 32). */
  batchSize?: number;
  /** Training steps (default 2000). */
  steps?: number;
  /** Peak learning rate, reached after the warmup (default 2e-3). */
  lr?: number;
  /** Learning rate at the end of the cosine decay (default lr / 10). */
  minLr?: number;
  /** Steps of linear warmup from lr / 100 (default 100). */
  warmup?: number;
  /** AdamW's decoupled weight decay on the matrices (embeddings and Linear weights); biases and norms get none. */
  weightDecay?: number;
  /** Largest gradient norm (default 1). */
  clip?: number;
  /** Seed of the initial weights; the batches use seed + 1 and the samples seed + 2. Default 0. */
  seed?: number;
  /** How many names to sample at each temperature (default 12). */
  samples?: number;
  temperatures?: number[];
  /** Top-k for sampling (default 10). */
  topK?: number;
  /** Writes gpt.safetensors, init.safetensors and run.json (for the PyTorch twin) here; null writes nothing. */
  outDir?: string | null;
  log?: Log;
}

export interface NamesResult {
  config: GptConfig;
  parameters: number;
  /** ln 27: the loss of a model that knows nothing (every character equally likely). */
  uniformLoss: number;
  /** Loss of every training step. */
  losses: number[];
  trainLoss: number;
  devLoss: number;
  /** Sampled names for each temperature. */
  samples: { temperature: number; names: string[] }[];
  /** Training steps per second of wall-clock time (the training loop only). */
  stepsPerSecond: number;
  trainMs: number;
  /**
   * CPU time of the process per training step, in ms (user + system, all threads): on a shared machine it moves far
   * less with the load than wall-clock time does.
   */
  cpuMsPerStep: number;
  model: NamesGpt;
}

/** Hyper-parameters of one training run (`runNames` documents each; `minLr` defaults to lr / 10). */
export interface TrainerOptions {
  lr: number;
  minLr?: number;
  warmup: number;
  steps: number;
  weightDecay: number;
  clip: number;
}

/** The optimiser, its schedule and one training step of `pnpm names` (also `pnpm bench`'s names-GPT row). */
export interface NamesTrainer {
  optimizer: AdamW;
  schedule: SequentialLR;
  /** The learning rate at the end of the cosine decay. */
  minLr: number;
  /** One step on a batch of rows x, y ([B, block], int32): zeroGrad, loss, backward, clip, AdamW, schedule. Returns the loss. */
  step(x: Tensor, y: Tensor): Tensor;
}

/**
 * AdamW with weight decay on the matrices only (two parameter groups), a linear warmup from lr / 100 and a cosine decay
 * to `minLr` (LinearLR + CosineAnnealingLR in a SequentialLR, as in PyTorch), and gradients clipped to norm `clip`.
 */
export function namesTrainer(model: NamesGpt, { lr, minLr, warmup, steps, weightDecay, clip }: TrainerOptions): NamesTrainer {
  // Weight decay shrinks the matrices only: decaying LayerNorm gains and biases towards 0 just fights the model.
  const matrices = model.parameters().filter((p) => p.ndim >= 2), others = model.parameters().filter((p) => p.ndim < 2);
  const optimizer = new AdamW([{ params: matrices, weightDecay }, { params: others, weightDecay: 0 }], { lr });
  const floor = minLr ?? lr / 10;
  const schedule = new SequentialLR(optimizer, {
    schedulers: [new LinearLR(optimizer, { startFactor: 0.01, totalIters: warmup }), new CosineAnnealingLR(optimizer, { tMax: steps - warmup, etaMin: floor })],
    milestones: [warmup],
  });
  const { vocab } = model.config;
  return {
    optimizer, schedule, minLr: floor,
    step(x: Tensor, y: Tensor): Tensor {
      optimizer.zeroGrad();
      const loss = crossEntropy(model.forward(x).reshape([-1, vocab]), y.reshape([-1]), { ignoreIndex: IGNORE });
      loss.backward();
      clipGradNorm(model.parameters(), clip);
      optimizer.step();
      schedule.step();
      return loss;
    },
  };
}

/** Trains the GPT on the training names (a random batch of rows per step), reports losses and samples, saves it. */
export async function runNames({
  block = 16, layers = 2, dim = 64, heads = 4,
  batchSize = 32, steps = 2000, lr = 2e-3, minLr, warmup = 100, weightDecay = 0.1, clip = 1, seed = 0,
  samples = 12, temperatures = [0.5, 1, 1.5], topK = 10, outDir = join(__dirname, '..', 'out', 'names'), log = console.log,
}: NamesOptions = {}): Promise<NamesResult> {
  if (!(Number.isInteger(warmup) && warmup >= 1 && warmup < steps)) throw new Error(`runNames: warmup must be an integer in [1, steps), got ${warmup} with steps ${steps}`);
  const vocab = VOCAB;
  const config: GptConfig = { vocab, block, layers, dim, heads };
  const names = await loadNames();
  const split = trainDevTestSplit(names, { seed });
  const train = encodeNames(split.train, block), dev = encodeNames(split.dev, block);
  log(`${names.length} names from @tensorgrad/data: ${split.train.length} to train on, ${split.dev.length} dev, ${split.test.length} test ` +
    `(e.g. ${split.train.slice(0, 5).join(', ')})`);

  const model = new NamesGpt(config, { generator: new Generator(seed) });
  const parameters = model.parameters().reduce((n, p) => n + p.size, 0);
  log(`GPT: ${layers} blocks, ${dim} dims, ${heads} heads, context ${block}, vocabulary ${vocab}: ${parameters.toLocaleString('en-US')} parameters`);
  // The starting weights, copied before training changes them: the PyTorch twin starts from the same ones.
  const initial = Object.fromEntries(Object.entries(model.stateDict()).map(([k, v]) => [k, v.clone()]));

  const trainer = namesTrainer(model, { lr, minLr, warmup, steps, weightDecay, clip });
  const opt = trainer.optimizer;

  const batches = new Generator(seed + 1);
  const nTrain = split.train.length;
  const losses: number[] = [];
  const bar = new ProgressBar(steps, { label: 'train', log: log === console.log ? undefined : log });
  const start = performance.now(), cpuStart = process.cpuUsage();
  for (let step = 1; step <= steps; step++) {
    const rows = tensor(Array.from({ length: batchSize }, () => batches.integer(0, nTrain)), { dtype: 'int32' });
    const x = train.x.indexSelect(0, rows), y = train.y.indexSelect(0, rows);
    losses.push(trainer.step(x, y).item());
    if (step % 10 === 0 || step === steps) {
      const recent = losses.slice(-50);
      bar.update(step, { loss: (recent.reduce((a, b) => a + b, 0) / recent.length).toFixed(3), lr: opt.paramGroups[0].lr.toExponential(1) });
    }
  }
  bar.finish();
  const trainMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const cpuMsPerStep = (cpu.user + cpu.system) / 1000 / steps;
  const stepsPerSecond = steps / (trainMs / 1000);

  const uniformLoss = Math.log(vocab);
  const trainLoss = meanLoss(model, train), devLoss = meanLoss(model, dev);
  log(`\n${steps} steps in ${clock(trainMs / 1000)} (${stepsPerSecond.toFixed(1)} steps/s, ${duration(trainMs / steps)} per step; ` +
    `${cpuMsPerStep.toFixed(1)} ms of CPU time per step)`);
  log(`loss per character: train ${trainLoss.toFixed(4)}, dev ${devLoss.toFixed(4)} (uniform guess ln 27 = ${uniformLoss.toFixed(4)})`);

  const generator = new Generator(seed + 2);
  const known = new Set(split.train);
  const drawn = temperatures.map((temperature) => ({ temperature, names: sampleNames(model, samples, { temperature, topK, generator }) }));
  for (const { temperature, names: s } of drawn) {
    const fresh = s.filter((n) => n.length > 0 && !known.has(n)).length;
    log(`\nsampled at temperature ${temperature} (top-${topK}), ${fresh} of ${s.length} not in the training set:\n  ${s.join(', ')}`);
  }

  if (outDir !== null) {
    await mkdir(outDir, { recursive: true });
    const metadata = { config: JSON.stringify(config), format: 'tensorgrad names GPT' };
    await save(model, join(outDir, 'gpt.safetensors'), { metadata });
    await save(initial, join(outDir, 'init.safetensors'), { metadata });
    // A fixed input for the PyTorch twin to reproduce: the first four dev names.
    const probe = dev.x.slice([[0, 4]]);
    const probeLogits = noGrad(() => model.forward(probe));
    const run = {
      config, seed, batchSize, steps, lr, minLr: trainer.minLr, warmup, weightDecay, clip,
      split: { train: split.train, dev: split.dev, test: split.test },
      tensorgrad: { trainLoss, devLoss, stepsPerSecond, cpuMsPerStep, losses },
      probe: { input: Array.from(probe.data), shape: probe.shape, logits: Array.from(probeLogits.data) },
    };
    await writeFile(join(outDir, 'run.json'), JSON.stringify(run));
    log(`\nsaved ${join(outDir, 'gpt.safetensors')} (and init.safetensors, run.json for packages/examples/python/names_gpt.py)`);
  }
  return { config, parameters, uniformLoss, losses, trainLoss, devLoss, samples: drawn, stepsPerSecond, trainMs, cpuMsPerStep, model };
}

runIfMain(module, () => runNames());
