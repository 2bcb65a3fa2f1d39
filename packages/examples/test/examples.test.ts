/**
 * Small, seeded versions of the examples in packages/examples/ (the same code the `pnpm --filter @tensorgrad/examples run …`
 * scripts execute, with fewer epochs or less data) must reach their targets.
 */
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { silent } from '../src/common.js';
import { runDemo } from '../src/demo.js';
import { runLstm } from '../src/lstm.js';
import { runMnist } from '../src/mnist.js';
import { exportSplit, mnistImages, runMnistCnn } from '../src/mnist-cnn.js';
import { runMoons } from '../src/moons.js';
import { runRegression } from '../src/regression.js';
import { runXor } from '../src/xor.js';

test('xor: no hidden layer fails, a 2-4-1 MLP gets all four points', () => {
  const r = runXor({ epochs: 300, log: silent });
  expect(r.linearAccuracy).toBeLessThanOrEqual(0.75);
  expect(r.mlpAccuracy).toBe(1);
  expect(r.mlpLoss).toBeLessThan(0.05);
});

test('moons: 2-16-16-1 MLP reaches 100% training accuracy', () => {
  const r = runMoons({ epochs: 25, log: silent });
  expect(r.trainAccuracy).toBe(1);
  expect(r.finalLoss).toBeLessThan(0.02);
});

test('demo: xor and moons both solved, and the progress is printed', () => {
  const lines: string[] = [];
  const r = runDemo((line) => lines.push(line));
  expect(r.xor.mlpAccuracy).toBe(1);
  expect(r.moons.trainAccuracy).toBe(1);
  expect(lines.some((l) => /^epoch +1 +loss \d+\.\d{4} +train accuracy \d+\.\d\d% +time/.test(l))).toBe(true);
  expect(lines.at(-1)).toMatch(/^\nDemo finished in/);
});

test('mnist: a small MLP on 1,500 of the digits generalises to its held-out fifth', async () => {
  const r = await runMnist({ perDigit: 150, hidden: [64], epochs: 15, lr: 3e-3, maxShift: 1, log: silent });
  expect([r.trainSize, r.testSize]).toEqual([1200, 300]);
  expect(r.testAccuracy).toBeGreaterThanOrEqual(0.87);
  expect(r.epochMs).toHaveLength(15);
}, 30_000);

test('mnist-cnn: LeNet on 1,500 of the digits reaches 87% on their held-out fifth in 3 epochs (the MLP above takes 15), with a progress bar per epoch', async () => {
  const lines: string[] = [];
  const r = await runMnistCnn({ perDigit: 150, epochs: 3, batchSize: 32, lr: 3e-3, maxShift: 0, log: (l) => lines.push(l) });
  expect([r.trainSize, r.testSize]).toEqual([1200, 300]);
  expect(r.testAccuracy).toBeGreaterThanOrEqual(0.87);
  expect(r.epochLoss[2]).toBeLessThan(r.epochLoss[0] / 2);
  expect(r.epochMs).toHaveLength(3);
  // Without a terminal the bar prints every tenth of an epoch; its last line shows the whole epoch and the mean loss.
  expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^epoch 3/3 \\[#{24}\\] 38/38  loss ${r.epochLoss[2].toFixed(4)}  \\d+:\\d\\d elapsed, 0:00 left$`)));
  expect(lines.filter((l) => /^epoch +\d  loss \d\.\d{4}  test accuracy \d+\.\d\d%  time/.test(l))).toHaveLength(3);
}, 30_000);

test('mnist-cnn: the exported split holds the tensors the example trains on, for the PyTorch twin', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mnist-split-'));
  try {
    await exportSplit(dir, { perDigit: 20 });
    const { xTrain, yTest } = await mnistImages({ perDigit: 20 });
    const images = new Float32Array(new Uint8Array(readFileSync(join(dir, 'train-images.f32'))).buffer);
    const labels = new Int32Array(new Uint8Array(readFileSync(join(dir, 'test-labels.i32'))).buffer);
    expect(xTrain.shape).toEqual([160, 1, 28, 28]);
    expect(Array.from(images)).toEqual(Array.from(xTrain.data));
    expect(Array.from(labels)).toEqual(Array.from(yTest.data));
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('regression: line underfits, big MLP overfits, weight decay / dropout / early stopping cure it', () => {
  const { noiseVariance: v, fits } = runRegression({ epochs: 1500, width: 32, every: 1e9, log: silent });
  expect(fits.underfit.train).toBeGreaterThan(3 * v);
  expect(fits.underfit.val).toBeGreaterThan(3 * v);
  expect(fits.overfit.train).toBeLessThan(v / 2);
  expect(fits.overfit.val).toBeGreaterThan(2.5 * v);
  for (const cure of [fits.weightDecay, fits.dropout, fits.earlyStopping]) {
    expect(cure.val).toBeLessThan(0.75 * fits.overfit.val);
    expect(cure.test).toBeLessThan(0.75 * fits.overfit.test);
  }
  expect(fits.earlyStopping.epochs).toBeLessThan(1500);
}, 30_000);

test('lstm: on short sequences the LSTM learns to recall the marked symbol, the RNN does not, and gradients show why', () => {
  const { rnn, lstm } = runLstm({ seqLength: 12, steps: 150, testSize: 400, log: silent });
  expect(lstm.accuracy).toBeGreaterThanOrEqual(0.95);
  expect(rnn.accuracy).toBeLessThan(0.6);
  // The gradient reaching the first step relative to the last: vanishing at the start, and in the LSTM it grows with training.
  const ratio = (g: number[]) => g[0] / g[g.length - 1];
  expect(ratio(rnn.gradNormBefore)).toBeLessThan(1e-2);
  expect(ratio(lstm.gradNormBefore)).toBeLessThan(1e-1);
  expect(ratio(lstm.gradNormAfter)).toBeGreaterThan(10 * ratio(lstm.gradNormBefore));
  expect(lstm.gradNormBefore).toHaveLength(12);
}, 30_000);
