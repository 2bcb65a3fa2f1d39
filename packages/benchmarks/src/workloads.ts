/** Definitions shared by both libraries' implementations of workloads W1–W5 (issue "Performance") and the LSTM row. */

/** W2: a 784-256-256-10 ReLU MLP trained with softmax cross-entropy and Adam on batches of 128. */
export const MLP = { inputs: 784, hidden: [256, 256], classes: 10, batch: 128, learningRate: 1e-3 } as const;

/** W3/W5: chains cycle through add, mul and tanh so values stay bounded at any depth. */
export type ChainOp = 'add' | 'mul' | 'tanh';
const CYCLE: readonly ChainOp[] = ['add', 'mul', 'tanh'];
export const chainOp = (i: number): ChainOp => CYCLE[i % CYCLE.length];
export const CHAIN_CONSTANTS = { add: 0.5, mul: 1.5 } as const;

export const W1_SIZES = [128, 256, 512, 1024] as const;
export const W3 = { ops: 10_000, size: 4 } as const;
export const W4 = { size: 1_000_000 } as const;
export const W5 = { nodes: 100_000, size: 4 } as const;

/** LSTM row: one training step of a one-layer LSTM (32 inputs, 128 hidden) on 32 sequences of 32 steps, a linear head on
 * the last hidden state, mean squared error and Adam. */
export const LSTM_STEP = { batch: 32, seq: 32, inputs: 32, hidden: 128, learningRate: 1e-3 } as const;

/**
 * CNN row: one training step of a LeNet-style CNN on 28×28 single-channel images (the MNIST digit shape): conv 1→6 5×5,
 * ReLU, 2×2 max pool, conv 6→16 5×5, ReLU, 2×2 max pool, flatten (16·4·4 = 256), fully connected 256→120→84→10
 * with ReLUs, softmax cross-entropy, Adam; batch 64.
 */
export const CNN = { batch: 64, image: 28, channels: [1, 6, 16], kernel: 5, hidden: [256, 120, 84], classes: 10, learningRate: 1e-3 } as const;
