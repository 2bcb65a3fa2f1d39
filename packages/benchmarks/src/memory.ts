/**
 * `pnpm --filter @tensorgrad/benchmarks run bench:memory`: trains the W2 model (784-256-256-10 MLP, batch 128, Adam)
 * for 5,000 steps with no dispose() anywhere and samples the resident set size, to show that memory stays flat once
 * warmed up. Writes results/latest-memory.json. Flags: --steps N (default 5000), --every N (default 250).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Mlp, mlpBatch } from './tensorgrad.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`bench:memory: ${name} needs a positive integer, got ${process.argv[i + 1]}`);
  return v;
}

const MB = 1024 * 1024;

function main(): void {
  const steps = flag('--steps', 5000), every = flag('--every', 250);
  const model = new Mlp();
  const { x, labels } = mlpBatch();
  const samples: Array<{ step: number; rssMB: number; heapUsedMB: number; externalMB: number; loss: number }> = [];
  const started = performance.now();
  for (let step = 1; step <= steps; step++) {
    const loss = model.step(x, labels);
    if (step % every === 0 || step === 1) {
      const m = process.memoryUsage();
      const sample = { step, rssMB: m.rss / MB, heapUsedMB: m.heapUsed / MB, externalMB: (m.external + m.arrayBuffers) / MB, loss: loss.item() };
      samples.push(sample);
      console.log(`step ${String(step).padStart(5)}  rss ${sample.rssMB.toFixed(1).padStart(6)} MB  heap ${sample.heapUsedMB.toFixed(1).padStart(6)} MB  ` +
        `external+arrayBuffers ${sample.externalMB.toFixed(1).padStart(6)} MB  loss ${sample.loss.toFixed(4)}`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  // Warm-up: the first 10% of steps (JIT tiers, wasm memory growth, heap sizing).
  const after = samples.filter((s) => s.step >= steps / 10);
  const rss = after.map((s) => s.rssMB);
  const summary = {
    steps, seconds, msPerStep: (seconds * 1000) / steps,
    rssAfterWarmupMB: { min: Math.min(...rss), max: Math.max(...rss), first: rss[0], last: rss[rss.length - 1] },
  };
  console.log(`\n${steps} steps in ${seconds.toFixed(1)} s (${summary.msPerStep.toFixed(2)} ms/step); RSS after warm-up: ` +
    `min ${summary.rssAfterWarmupMB.min.toFixed(1)} MB, max ${summary.rssAfterWarmupMB.max.toFixed(1)} MB, ` +
    `first ${summary.rssAfterWarmupMB.first.toFixed(1)} MB, last ${summary.rssAfterWarmupMB.last.toFixed(1)} MB`);
  const dir = join(__dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest-memory.json'),
    JSON.stringify({ date: new Date().toISOString(), node: process.version, summary, samples }, null, 2) + '\n');
}

main();
