/**
 * Definitions shared by every library's implementation of the workloads (issues "Performance" and "Performance,
 * round 2"). The PyTorch peer (python/torch_peer.py) receives these same numbers from bench.ts, so the three libraries
 * always run the same sizes.
 */

/** W2: a 784-256-256-10 ReLU MLP trained with softmax cross-entropy and Adam on batches of 128. */
export const MLP = { inputs: 784, hidden: [256, 256], classes: 10, batch: 128, learningRate: 1e-3 } as const;

/**
 * One epoch over an MNIST-sized training set: 8,000 synthetic 784-pixel images in [0, 1) with random labels, a 784-128-10
 * ReLU MLP, batches of 64 in a fresh shuffled order each epoch, Adam. (Random data trains at the same speed as digits.)
 */
export const MNIST = { samples: 8000, inputs: 784, hidden: 128, classes: 10, batch: 64, learningRate: 1e-3 } as const;

/**
 * makemore's character MLP: 3 previous characters (27 symbols) embedded in 10 dimensions each, a 30-200-27 tanh MLP,
 * batches of 32 drawn at random from a training set of `samples` contexts each step, Adam.
 */
export const CHAR_MLP = { vocab: 27, context: 3, embedding: 10, hidden: 200, batch: 32, samples: 20_000, learningRate: 1e-3 } as const;

/**
 * A tiny GPT (nanoGPT's layout): token and position embeddings, `layers` pre-norm blocks of causal multi-head
 * self-attention and a 4× GELU MLP, a final LayerNorm and a bias-free head; one AdamW training step on `batch`
 * sequences of `block` tokens.
 */
export const GPT = { vocab: 65, block: 16, layers: 2, dim: 64, heads: 4, batch: 32, learningRate: 1e-3, weightDecay: 0.1 } as const;

/**
 * One training step of `pnpm names` (packages/examples/src/names.ts): its NamesGpt (nn's TransformerEncoderLayer,
 * pre-norm, causal) and its recipe: AdamW with decay on matrices only, warmup + cosine schedule, gradients clipped to
 * norm 1, crossEntropy ignoring the padding. Each step draws `batch` rows from a pool of `pool` random names of
 * `minLetters`–`maxLetters` letters (shaped like the real names; the timing does not depend on which letters).
 */
export const NAMES_GPT = {
  vocab: 27, block: 16, layers: 2, dim: 64, heads: 4, batch: 32,
  lr: 2e-3, minLr: 2e-4, warmup: 100, steps: 2000, weightDecay: 0.1, clip: 1,
  pool: 2048, minLetters: 2, maxLetters: 12,
} as const;

/** W3/W5: chains cycle through add, mul and tanh so values stay bounded at any depth. */
export type ChainOp = 'add' | 'mul' | 'tanh';
const CYCLE: readonly ChainOp[] = ['add', 'mul', 'tanh'];
export const chainOp = (i: number): ChainOp => CYCLE[i % CYCLE.length];
export const CHAIN_CONSTANTS = { add: 0.5, mul: 1.5 } as const;

export const W1_SIZES = [128, 512, 1024] as const;
export const W3 = { ops: 10_000, size: 4 } as const;
export const W4 = { size: 1_000_000 } as const;
export const W5 = { nodes: 100_000, size: 4 } as const;

/**
 * LSTM row: one training step of a one-layer LSTM (32 inputs, 128 hidden) on 32 sequences of 32 steps, a linear head
 * on the last hidden state, mean squared error and Adam.
 */
export const LSTM_STEP = { batch: 32, seq: 32, inputs: 32, hidden: 128, learningRate: 1e-3 } as const;

/**
 * CNN row: one training step of a LeNet-style CNN on 28×28 single-channel images (the MNIST digit shape): conv 1→6 5×5,
 * ReLU, 2×2 max pool, conv 6→16 5×5, ReLU, 2×2 max pool, flatten (16·4·4 = 256), fully connected 256→120→84→10
 * with ReLUs, softmax cross-entropy, Adam; batch 64.
 */
export const CNN = { batch: 64, image: 28, channels: [1, 6, 16], kernel: 5, hidden: [256, 120, 84], classes: 10, learningRate: 1e-3 } as const;
