/**
 * The tensorgrad side of every workload, written as a user would: no dispose() anywhere, tensors are freed by the
 * garbage collector.
 */
import { Generator, rand, randint, randn, type Tensor } from '@tensorgrad/core';
import * as nn from '@tensorgrad/nn';
import { TinyGpt } from './gpt.js';
import { now, type Runner } from './harness.js';
import { CHARS, NamesGpt, encodeNames, namesTrainer } from '@tensorgrad/examples/names';
import { chainOp, CHAIN_CONSTANTS, CHAR_MLP, CNN, GPT, LSTM_STEP, MLP, MNIST, NAMES_GPT } from './workloads.js';

const generator = new Generator(0);

export function matmul(n: number): Promise<Runner> {
  const a = randn([n, n], { generator }), b = randn([n, n], { generator });
  return Promise.resolve({ run: () => { a.matmul(b); } });
}

/** The W2 model written with @tensorgrad/nn exactly as a user would: an MLP, crossEntropy and Adam. */
export class Mlp {
  readonly model = new nn.MLP([MLP.inputs, ...MLP.hidden, MLP.classes], { activation: 'relu', generator });
  readonly optimizer = new nn.Adam(this.model.parameters(), { lr: MLP.learningRate });

  step(x: Tensor, labels: Tensor): Tensor {
    this.optimizer.zeroGrad();
    const loss = nn.crossEntropy(this.model.forward(x), labels);
    loss.backward();
    this.optimizer.step();
    return loss;
  }
}

export function mlpBatch(): { x: Tensor; labels: Tensor } {
  return {
    x: randn([MLP.batch, MLP.inputs], { generator }),
    labels: randint(0, MLP.classes, [MLP.batch], { generator }),
  };
}

export function mlpStep(): Promise<Runner> {
  const model = new Mlp();
  const { x, labels } = mlpBatch();
  return Promise.resolve({ run: () => { model.step(x, labels); } });
}

/** One epoch of MNIST-sized training: DataLoader with shuffling, an MLP, crossEntropy and Adam. */
export function mnistEpoch(): Promise<Runner> {
  const images = rand([MNIST.samples, MNIST.inputs], { generator });
  const labels = randint(0, MNIST.classes, [MNIST.samples], { generator });
  const loader = new nn.DataLoader(new nn.TensorDataset(images, labels), { batchSize: MNIST.batch, shuffle: true, seed: 0 });
  const model = new nn.MLP([MNIST.inputs, MNIST.hidden, MNIST.classes], { generator });
  const optimizer = new nn.Adam(model.parameters(), { lr: MNIST.learningRate });
  return Promise.resolve({
    run: () => {
      for (const [x, y] of loader) {
        optimizer.zeroGrad();
        nn.crossEntropy(model.forward(x), y).backward();
        optimizer.step();
      }
    },
  });
}

/** makemore's character MLP: a random batch of contexts each step, Embedding → Flatten → Linear → tanh → Linear, Adam. */
export function charMlpStep(): Promise<Runner> {
  const { vocab, context, embedding, hidden, batch, samples } = CHAR_MLP;
  const xs = randint(0, vocab, [samples, context], { generator });
  const ys = randint(0, vocab, [samples], { generator });
  const model = new nn.Sequential(
    new nn.Embedding(vocab, embedding, { generator }), new nn.Flatten(),
    new nn.Linear(context * embedding, hidden, { generator }), new nn.Tanh(), new nn.Linear(hidden, vocab, { generator }));
  const optimizer = new nn.Adam(model.parameters(), { lr: CHAR_MLP.learningRate });
  return Promise.resolve({
    run: () => {
      const ix = randint(0, samples, [batch], { generator });
      optimizer.zeroGrad();
      nn.crossEntropy(model.forward(xs.indexSelect(0, ix)), ys.indexSelect(0, ix)).backward();
      optimizer.step();
    },
  });
}

/** One AdamW step of the tiny GPT (gpt.ts) on a batch of random token sequences, next-token cross-entropy. */
export function gptStep(): Promise<Runner> {
  const model = new TinyGpt(GPT, generator);
  const optimizer = new nn.AdamW(model.parameters(), { lr: GPT.learningRate, weightDecay: GPT.weightDecay });
  const tokens = randint(0, GPT.vocab, [GPT.batch, GPT.block + 1], { generator });
  const x = tokens.slice([null, [0, GPT.block]]).clone(), y = tokens.slice([null, [1, GPT.block + 1]]).reshape([-1]);
  return Promise.resolve({
    run: () => {
      optimizer.zeroGrad();
      nn.crossEntropy(model.forward(x).reshape([-1, GPT.vocab]), y).backward();
      optimizer.step();
    },
  });
}

function chain(x: Tensor, length: number): Tensor {
  let y = x;
  for (let i = 0; i < length; i++) {
    const op = chainOp(i);
    y = op === 'add' ? y.add(CHAIN_CONSTANTS.add) : op === 'mul' ? y.mul(CHAIN_CONSTANTS.mul) : y.tanh();
  }
  return y.sum();
}

/** W3: forward and backward of the chain; one iteration is the whole chain. */
export function smallOps(length: number, size: number): Promise<Runner> {
  const x = randn([size], { generator, requiresGrad: true });
  return Promise.resolve({
    run: () => {
      x.grad = null;
      chain(x, length).backward();
    },
  });
}

/** W5: the chain is built untimed; only backward() is timed. */
export function deepBackward(length: number, size: number): Promise<Runner> {
  const x = randn([size], { generator, requiresGrad: true });
  return Promise.resolve({
    run: () => {
      x.grad = null;
      const y = chain(x, length);
      const t0 = now();
      y.backward();
      return now() - t0;
    },
  });
}

export function fusedElementwise(size: number): Promise<Runner> {
  const a = randn([size], { generator }), b = randn([size], { generator }), c = randn([size], { generator });
  return Promise.resolve({ run: () => { a.mul(b).add(c).tanh(); } });
}

/** LSTM row: nn.LSTM (time-major input, as PyTorch's default), a Linear head on the final hidden state, mseLoss, Adam. */
export function lstmStep(): Promise<Runner> {
  const { batch, seq, inputs, hidden, learningRate } = LSTM_STEP;
  const lstm = new nn.LSTM(inputs, hidden, { generator });
  const head = new nn.Linear(hidden, 1, { generator });
  const optimizer = new nn.Adam([...lstm.parameters(), ...head.parameters()], { lr: learningRate });
  const x = randn([seq, batch, inputs], { generator }), y = randn([batch, 1], { generator });
  return Promise.resolve({
    run: () => {
      optimizer.zeroGrad();
      const [, [hN]] = lstm.forward(x);
      nn.mseLoss(head.forward(hN.squeeze(0)), y).backward();
      optimizer.step();
    },
  });
}

/** CNN row: the LeNet-style CNN written with @tensorgrad/nn layers as a user would, trained with crossEntropy and Adam. */
export function cnnStep(): Promise<Runner> {
  const [c0, c1, c2] = CNN.channels, k = CNN.kernel;
  const model = new nn.Sequential(
    new nn.Conv2d(c0, c1, k, { generator }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(c1, c2, k, { generator }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(CNN.hidden[0], CNN.hidden[1], { generator }), new nn.ReLU(),
    new nn.Linear(CNN.hidden[1], CNN.hidden[2], { generator }), new nn.ReLU(),
    new nn.Linear(CNN.hidden[2], CNN.classes, { generator }),
  );
  const optimizer = new nn.Adam(model.parameters(), { lr: CNN.learningRate });
  const x = randn([CNN.batch, c0, CNN.image, CNN.image], { generator });
  const labels = randint(0, CNN.classes, [CNN.batch], { generator });
  return Promise.resolve({
    run: () => {
      optimizer.zeroGrad();
      nn.crossEntropy(model.forward(x), labels).backward();
      optimizer.step();
    },
  });
}

/** One step of `pnpm names`' training loop, with its own model and trainer (see NAMES_GPT). */
export function namesGptStep(): Promise<Runner> {
  const { vocab, block, layers, dim, heads, batch, pool, minLetters, maxLetters } = NAMES_GPT;
  const names = Array.from({ length: pool }, () => {
    const letters = generator.integer(minLetters, maxLetters + 1);
    return Array.from({ length: letters }, () => CHARS[generator.integer(1, CHARS.length)]).join('');
  });
  const { x, y } = encodeNames(names, block);
  const model = new NamesGpt({ vocab, block, layers, dim, heads }, { generator });
  const trainer = namesTrainer(model, NAMES_GPT);
  return Promise.resolve({
    run: () => {
      const rows = randint(0, pool, [batch], { generator });
      trainer.step(x.indexSelect(0, rows), y.indexSelect(0, rows));
    },
  });
}
