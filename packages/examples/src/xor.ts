/**
 * XOR: the classic problem a network without a hidden layer cannot solve (the classes are not linearly separable),
 * while a 2-4-1 MLP gets all four points right.
 */
import { manualSeed, noGrad } from '@tensorgrad/core';
import { Adam, Linear, MLP, Module, bceWithLogitsLoss, xor } from '@tensorgrad/nn';
import { accuracy, binaryTargets, duration, percent, runIfMain, type Log } from './common.js';

export interface XorOptions {
  epochs?: number;
  seed?: number;
  /** Print a progress line (loss, accuracy, time since the previous line) every this many epochs. */
  every?: number;
  log?: Log;
}

export interface XorResult {
  linearAccuracy: number;
  mlpAccuracy: number;
  mlpLoss: number;
  /** Epoch at which the MLP first classified all four points correctly (null if it never did). */
  solvedAt: number | null;
}

function train(name: string, model: Module, epochs: number, every: number, log: Log): { acc: number; loss: number; solvedAt: number | null } {
  const { x, y } = xor();
  const target = binaryTargets(y);
  const opt = new Adam(model.parameters(), { lr: 0.05 });
  let solvedAt: number | null = null;
  let loss = Infinity;
  let start = performance.now();
  for (let epoch = 1; epoch <= epochs; epoch++) {
    opt.zeroGrad();
    const logits = model.forward(x);
    const l = bceWithLogitsLoss(logits, target);
    l.backward();
    opt.step();
    loss = l.item();
    const acc = accuracy(logits, y);
    if (acc === 1 && solvedAt === null) solvedAt = epoch;
    if (epoch % every === 0 || epoch === epochs) {
      log(`[${name}] epoch ${String(epoch).padStart(4)}  loss ${loss.toFixed(4)}  accuracy ${percent(acc)}  time ${duration(performance.now() - start)}`);
      start = performance.now();
    }
  }
  const acc = noGrad(() => accuracy(model.forward(x), y));
  return { acc, loss, solvedAt };
}

export function runXor({ epochs = 1000, seed = 0, every = 100, log = console.log }: XorOptions = {}): XorResult {
  manualSeed(seed);
  log('XOR with no hidden layer: Linear(2, 1) — a line cannot separate (0,1),(1,0) from (0,0),(1,1)');
  const linear = train('linear', new Linear(2, 1), epochs, every, log);
  log('XOR with a 2-4-1 MLP (tanh hidden layer)');
  const mlp = train('2-4-1 ', new MLP([2, 4, 1], { activation: 'tanh' }), epochs, every, log);
  log(`Summary: no hidden layer ${percent(linear.acc)} (at most 3 of 4 points), 2-4-1 MLP ${percent(mlp.acc)}` +
    (mlp.solvedAt !== null ? ` (all 4 correct from epoch ${mlp.solvedAt}), final loss ${mlp.loss.toFixed(4)}` : ''));
  return { linearAccuracy: linear.acc, mlpAccuracy: mlp.acc, mlpLoss: mlp.loss, solvedAt: mlp.solvedAt };
}

runIfMain(module, () => runXor());
