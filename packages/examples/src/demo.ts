/** A quick tour (well under a minute): XOR, then two moons. */
import { runIfMain, type Log } from './common.js';
import { runMoons } from './moons.js';
import { runXor } from './xor.js';

export function runDemo(log: Log = console.log): { xor: ReturnType<typeof runXor>; moons: ReturnType<typeof runMoons> } {
  const start = performance.now();
  log('=== 1. XOR ===');
  const xor = runXor({ epochs: 500, every: 100, log });
  log('\n=== 2. Two moons ===');
  const moons = runMoons({ epochs: 30, log });
  log(`\nDemo finished in ${((performance.now() - start) / 1000).toFixed(1)} s: XOR ${(100 * xor.mlpAccuracy).toFixed(0)}% with a 2-4-1 MLP ` +
    `(${(100 * xor.linearAccuracy).toFixed(0)}% without a hidden layer), two moons ${(100 * moons.trainAccuracy).toFixed(0)}% train accuracy.`);
  return { xor, moons };
}

runIfMain(module, () => runDemo());
