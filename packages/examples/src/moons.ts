/** Two moons: a 2-16-16-1 MLP learns the curved boundary between two interleaving half circles (100% train accuracy). */
import { manualSeed, noGrad } from '@tensorgrad/core';
import { Adam, DataLoader, MLP, TensorDataset, bceWithLogitsLoss, moons } from '@tensorgrad/nn';
import { accuracy, binaryTargets, percent, runIfMain, duration, type Log } from './common.js';

export interface MoonsOptions {
  n?: number;
  noise?: number;
  epochs?: number;
  batchSize?: number;
  seed?: number;
  log?: Log;
}

export interface MoonsResult {
  trainAccuracy: number;
  finalLoss: number;
  /** First epoch after which every training point was classified correctly (null if never). */
  perfectAt: number | null;
}

export function runMoons({ n = 200, noise = 0.1, epochs = 60, batchSize = 16, seed = 0, log = console.log }: MoonsOptions = {}): MoonsResult {
  manualSeed(seed);
  const { x, y } = moons({ n, noise, seed });
  const loader = new DataLoader(new TensorDataset(x, binaryTargets(y)), { batchSize, shuffle: true, seed });
  const model = new MLP([2, 16, 16, 1]);
  const opt = new Adam(model.parameters(), { lr: 0.01 });
  log(`Two moons: ${n} points, noise ${noise}; model:\n${model}`);
  let perfectAt: number | null = null;
  let finalLoss = Infinity;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const start = performance.now();
    let total = 0;
    for (const [xb, yb] of loader) {
      opt.zeroGrad();
      const loss = bceWithLogitsLoss(model.forward(xb), yb);
      loss.backward();
      opt.step();
      total += loss.item() * xb.shape[0];
    }
    finalLoss = total / n;
    const acc = noGrad(() => accuracy(model.forward(x), y));
    if (acc === 1 && perfectAt === null) perfectAt = epoch;
    log(`epoch ${String(epoch).padStart(3)}  loss ${finalLoss.toFixed(4)}  train accuracy ${percent(acc)}  time ${duration(performance.now() - start)}`);
  }
  const trainAccuracy = noGrad(() => accuracy(model.forward(x), y));
  log(`Summary: train accuracy ${percent(trainAccuracy)}, final loss ${finalLoss.toFixed(4)}` + (perfectAt !== null ? `, 100% first reached at epoch ${perfectAt}` : ''));
  return { trainAccuracy, finalLoss, perfectAt };
}

runIfMain(module, () => runMoons());
