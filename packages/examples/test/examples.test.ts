/**
 * Small, seeded versions of the examples in packages/examples/ (the same code the `pnpm --filter @tensorgrad/examples run …`
 * scripts execute, with fewer epochs or less data) must reach their targets.
 */
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { noGrad } from '@tensorgrad/core';
import { loadInto } from '@tensorgrad/nn';
import { silent } from '../src/common.js';
import { runDemo } from '../src/demo.js';
import { runLstm } from '../src/lstm.js';
import { runMnist } from '../src/mnist.js';
import { exportSplit, mnistImages, runMnistCnn } from '../src/mnist-cnn.js';
import { runMoons } from '../src/moons.js';
import { NamesGpt, encodeNames, runNames, sampleNames } from '../src/names.js';
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

test('names: a small GPT learns far below the uniform guess, writes lowercase names, and saves a model that loads back', async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'tensorgrad-names-'));
  try {
    const r = await runNames({ dim: 32, heads: 4, layers: 1, steps: 150, lr: 3e-3, warmup: 20, samples: 8, temperatures: [0.8, 1.2], outDir, log: silent });
    expect(r.uniformLoss).toBeCloseTo(Math.log(27), 10);
    // The first steps sit near (or above) ln 27 ≈ 3.30; 150 steps bring the dev loss to ≈ 2.37, a bigram model's level.
    expect(r.losses.slice(0, 5).every((l) => l > 3)).toBe(true);
    expect(r.devLoss).toBeLessThan(2.5);
    expect(r.trainLoss).toBeLessThan(2.5);
    expect(r.losses).toHaveLength(150);
    expect(r.cpuMsPerStep).toBeGreaterThan(0);
    expect(r.stepsPerSecond).toBeCloseTo(150 / (r.trainMs / 1000), 6);
    expect(r.samples.map((s) => s.temperature)).toEqual([0.8, 1.2]);
    for (const { names } of r.samples) {
      expect(names).toHaveLength(8);
      for (const name of names) expect(name).toMatch(/^[a-z]{1,15}$/);
    }
    // The saved safetensors file loads into a fresh model with PyTorch's names and gives the same logits.
    const back = new NamesGpt(r.config);
    await loadInto(back, join(outDir, 'gpt.safetensors'));
    const x = encodeNames(['emma', 'olivia'], r.config.block).x;
    const [a, b] = noGrad(() => [r.model.forward(x), back.forward(x)]);
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
    // One [2, heads, 16, 16] map per block: rows sum to 1, nothing above the diagonal (causal).
    const maps = r.model.attentionMaps(x);
    expect(maps.map((m) => m.shape)).toEqual([[2, 4, 16, 16]]);
    const w = maps[0].toArray() as number[][][][];
    for (const row of w[1][3]) expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    expect(w[0][2][5].slice(6).every((v) => v === 0)).toBe(true);
    const run = JSON.parse(readFileSync(join(outDir, 'run.json'), 'utf8'));
    expect(run.split.train).toHaveLength(6723);
    expect(run.tensorgrad.devLoss).toBe(r.devLoss);
    expect(run.probe.logits).toHaveLength(4 * 16 * 27);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}, 120_000);

test('names: encodeNames puts each name in one row, next-character targets, padding ignored', () => {
  const { x, y } = encodeNames(['ab', 'c'], 4);
  expect(x.toArray()).toEqual([[0, 1, 2, 0], [0, 3, 0, 0]]);
  expect(y.toArray()).toEqual([[1, 2, 0, -1], [3, 0, -1, -1]]);
  expect(() => encodeNames(['abcd'], 4)).toThrow(/'abcd' has 4 letters; a block of 4 tokens holds at most 3/);
  expect(() => encodeNames(['a-b'], 4)).toThrow(/contains '-'/);
});

test('names: sampleNames rejects bad settings with its own name', () => {
  const model = new NamesGpt({ vocab: 27, block: 8, layers: 1, dim: 8, heads: 2 });
  expect(() => sampleNames(model, 2, { temperature: 0 })).toThrow(/sampleNames: temperature must be > 0/);
  expect(() => sampleNames(model, 2, { topK: 0 })).toThrow(/sampleNames: topK must be a positive integer, got 0/);
  expect(() => sampleNames(model, 1.5)).toThrow(/sampleNames: count must be a positive integer/);
  // An untrained model still writes lowercase strings of at most block − 1 letters.
  for (const name of sampleNames(model, 5, { topK: 5 })) expect(name).toMatch(/^[a-z]{0,7}$/);
});
