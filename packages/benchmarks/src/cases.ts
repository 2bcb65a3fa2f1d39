/**
 * The rows of `pnpm bench`. A row names its workload for each peer: a tensorgrad runner (tensorgrad.ts), a
 * TensorFlow.js runner per backend (tfjs.ts) and a workload of the PyTorch process (python/torch_peer.py) with its
 * parameters. To add a row (say a CNN step): put its sizes in workloads.ts, write the three implementations, and append
 * a `Case` here; bench.ts needs no change. See docs/performance.md, "Adding a workload".
 */
import type { Options, Runner } from './harness.js';
import type { Backend } from './tfjs.js';
import { CHAIN_CONSTANTS, CHAR_MLP, CNN, GPT, LSTM_STEP, MLP, MNIST, NAMES_GPT, W1_SIZES, W3, W4, W5 } from './workloads.js';

/**
 * Each library is loaded only in the process that measures it (tensorgrad in the row process, TensorFlow.js in its peer
 * processes): see peer.ts for why they must not share one.
 */
const tg = (): typeof import('./tensorgrad.js') => require('./tensorgrad.js') as typeof import('./tensorgrad.js');
const tfjs = (): typeof import('./tfjs.js') => require('./tfjs.js') as typeof import('./tfjs.js');

export interface Case {
  /** Unique id, used by `--only` (case-insensitive), e.g. 'W1-512'. */
  id: string;
  /** Group id, also accepted by `--only` (e.g. 'W1' selects every matmul size). */
  group: string;
  label: string;
  unit: string;
  higherIsBetter: boolean;
  /** Converts seconds per iteration into the reported unit. */
  fromSeconds: (s: number) => number;
  tensorgrad: () => Promise<Runner>;
  tfjs: (backend: Backend) => Promise<Runner>;
  /** TensorFlow.js backends that can run the workload, with the reason for the others (default: both). */
  tfjsBackends?: { only: readonly Backend[]; why: string };
  torch: { workload: string; params: object };
  options?: Partial<Options>;
}

const time = (s: number): number => s * 1e3;

export const cases: Case[] = [
  ...W1_SIZES.map((n): Case => ({
    id: `W1-${n}`, group: 'W1', label: `W1 matmul ${n}×${n}`, unit: 'GFLOP/s', higherIsBetter: true,
    fromSeconds: (s) => (2 * n ** 3) / s / 1e9,
    tensorgrad: () => tg().matmul(n), tfjs: (b) => tfjs().matmul(b, n),
    torch: { workload: 'matmul', params: { n } },
  })),
  {
    id: 'W2', group: 'W2', label: 'W2 MLP 784-256-256-10 step, batch 128', unit: 'ms', higherIsBetter: false,
    fromSeconds: time, tensorgrad: () => tg().mlpStep(), tfjs: (b) => tfjs().mlpStep(b), torch: { workload: 'mlp', params: MLP },
  },
  {
    id: 'MNIST', group: 'MNIST', label: 'MNIST-size epoch, 8k×784, batch 64', unit: 'ms', higherIsBetter: false,
    fromSeconds: time, tensorgrad: () => tg().mnistEpoch(), tfjs: (b) => tfjs().mnistEpoch(b), torch: { workload: 'mnist', params: MNIST },
    options: { minSeconds: 0 },
  },
  {
    id: 'CHAR', group: 'CHAR', label: 'char-MLP step, batch 32', unit: 'ms', higherIsBetter: false,
    fromSeconds: time, tensorgrad: () => tg().charMlpStep(), tfjs: (b) => tfjs().charMlpStep(b), torch: { workload: 'charMlp', params: CHAR_MLP },
  },
  {
    id: 'GPT', group: 'GPT', label: 'tiny GPT step (2×64, T 16, batch 32)', unit: 'ms', higherIsBetter: false,
    fromSeconds: time, tensorgrad: () => tg().gptStep(), tfjs: (b) => tfjs().gptStep(b), torch: { workload: 'gpt', params: GPT },
  },
  {
    id: 'NAMES', group: 'GPT', label: 'names GPT step (pnpm names: 2×64, T 16, batch 32, clip)', unit: 'ms', higherIsBetter: false,
    fromSeconds: time, tensorgrad: () => tg().namesGptStep(), tfjs: () => Promise.reject(new Error('n/a')),
    tfjsBackends: { only: [], why: 'the TensorFlow.js twin of this model is the tiny GPT row above (the same layers in nanoGPT\'s layout)' },
    torch: { workload: 'namesGpt', params: NAMES_GPT },
  },
  {
    id: 'W3', group: 'W3', label: `W3 ${W3.ops} ops on [${W3.size}], fwd+bwd`, unit: 'µs/op', higherIsBetter: false,
    fromSeconds: (s) => (s * 1e6) / W3.ops,
    tensorgrad: () => tg().smallOps(W3.ops, W3.size), tfjs: (b) => tfjs().smallOps(b, W3.ops, W3.size),
    torch: { workload: 'smallOps', params: { length: W3.ops, size: W3.size, constants: CHAIN_CONSTANTS } },
  },
  {
    id: 'W4', group: 'W4', label: 'W4 tanh(a*b+c), 1M float32', unit: 'Melem/s', higherIsBetter: true,
    fromSeconds: (s) => W4.size / s / 1e6,
    tensorgrad: () => tg().fusedElementwise(W4.size), tfjs: (b) => tfjs().fusedElementwise(b, W4.size),
    torch: { workload: 'fusedElementwise', params: { size: W4.size } },
  },
  {
    id: 'W5', group: 'W5', label: `W5 backward, ${W5.nodes / 1000}k-node chain`, unit: 'ms', higherIsBetter: false,
    fromSeconds: time,
    tensorgrad: () => tg().deepBackward(W5.nodes, W5.size), tfjs: (b) => tfjs().deepBackward(b, W5.nodes, W5.size),
    torch: { workload: 'deepBackward', params: { length: W5.nodes, size: W5.size, constants: CHAIN_CONSTANTS } },
    options: { minSeconds: 0, warmup: 1 },
  },
  {
    id: 'LSTM', group: 'LSTM', label: `LSTM step, batch ${LSTM_STEP.batch}, seq ${LSTM_STEP.seq}, ${LSTM_STEP.inputs}→${LSTM_STEP.hidden}`, unit: 'ms',
    higherIsBetter: false, fromSeconds: time, tensorgrad: () => tg().lstmStep(), tfjs: (b) => tfjs().lstmStep(b),
    torch: { workload: 'lstm', params: LSTM_STEP },
  },
  {
    id: 'CNN', group: 'CNN', label: `CNN step, LeNet, batch ${CNN.batch}`, unit: 'ms', higherIsBetter: false,
    fromSeconds: time, tensorgrad: () => tg().cnnStep(), tfjs: (b) => tfjs().cnnStep(b),
    tfjsBackends: { only: ['cpu'], why: 'tfjs-backend-wasm 4.22 registers no Conv2DBackpropFilter kernel, so it cannot compute this step\'s gradients' },
    torch: { workload: 'cnn', params: CNN },
  },
];
