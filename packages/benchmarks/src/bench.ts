/**
 * `pnpm bench`: workloads W1–W5, an LSTM and a CNN training step for tensorgrad, TensorFlow.js (cpu backend) and TensorFlow.js (wasm backend) in one
 * process, interleaved, median of several repetitions. Prints a Markdown table with tensorgrad's speed-up over each
 * peer and writes the numbers to results/latest-bench.json (and results/NAME.json with --save NAME).
 *
 * Each row runs in a child process of its own (all three libraries together in it), so garbage and heap growth left
 * by one row, for instance TensorFlow.js's 1024² matmuls, do not tax the garbage collector of the next.
 *
 * Flags: --quick (fewer, shorter repetitions), --only W1,LSTM (a subset), --save NAME.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { formatTable, measureInterleaved, type Implementation, type Options, type Runner } from './harness.js';
import * as tg from './tensorgrad.js';
import * as tfjs from './tfjs.js';
import { CNN, LSTM_STEP, W1_SIZES, W3, W4, W5 } from './workloads.js';

interface Case {
  workload: string;
  label: string;
  unit: string;
  higherIsBetter: boolean;
  /** Converts median seconds per iteration into the reported unit. */
  fromSeconds: (s: number) => number;
  tensorgrad: () => Promise<Runner>;
  tfjs: (backend: tfjs.Backend) => Promise<Runner>;
  /** TensorFlow.js backends that can run the workload (default both; its wasm backend cannot train a CNN). */
  backends?: readonly tfjs.Backend[];
  options?: Partial<Options>;
}

const cases: Case[] = [
  ...W1_SIZES.map((n): Case => ({
    workload: 'W1', label: `W1 matmul ${n}×${n}`, unit: 'GFLOP/s', higherIsBetter: true,
    fromSeconds: (s) => (2 * n ** 3) / s / 1e9,
    tensorgrad: () => tg.matmul(n), tfjs: (b) => tfjs.matmul(b, n),
    options: n >= 1024 ? { minSeconds: 0 } : undefined,
  })),
  {
    workload: 'W2', label: 'W2 MLP train step', unit: 'ms/step', higherIsBetter: false,
    fromSeconds: (s) => s * 1e3, tensorgrad: tg.mlpStep, tfjs: tfjs.mlpStep,
  },
  {
    workload: 'W3', label: `W3 ${W3.ops} ops on [${W3.size}], fwd+bwd`, unit: 'µs/op', higherIsBetter: false,
    fromSeconds: (s) => (s * 1e6) / W3.ops,
    tensorgrad: () => tg.smallOps(W3.ops, W3.size), tfjs: (b) => tfjs.smallOps(b, W3.ops, W3.size),
  },
  {
    workload: 'W4', label: 'W4 tanh(a*b+c), 1M floats', unit: 'Melem/s', higherIsBetter: true,
    fromSeconds: (s) => W4.size / s / 1e6,
    tensorgrad: () => tg.fusedElementwise(W4.size), tfjs: (b) => tfjs.fusedElementwise(b, W4.size),
  },
  {
    workload: 'W5', label: `W5 backward, ${W5.nodes / 1000}k-node chain`, unit: 'ms', higherIsBetter: false,
    fromSeconds: (s) => s * 1e3,
    tensorgrad: () => tg.deepBackward(W5.nodes, W5.size), tfjs: (b) => tfjs.deepBackward(b, W5.nodes, W5.size),
    options: { minSeconds: 0, warmup: 1 },
  },
  {
    workload: 'LSTM', label: `LSTM train step, batch ${LSTM_STEP.batch}, seq ${LSTM_STEP.seq}, ${LSTM_STEP.inputs}→${LSTM_STEP.hidden}`, unit: 'ms/step', higherIsBetter: false,
    fromSeconds: (s) => s * 1e3, tensorgrad: tg.lstmStep, tfjs: tfjs.lstmStep,
  },
  {
    workload: 'CNN', label: `CNN train step, LeNet, batch ${CNN.batch}`, unit: 'ms/step', higherIsBetter: false,
    fromSeconds: (s) => s * 1e3, tensorgrad: tg.cnnStep, tfjs: tfjs.cnnStep,
    // tfjs-backend-wasm 4.22 registers no Conv2DBackpropFilter kernel, so it cannot compute this step's gradients.
    backends: ['cpu'],
  },
];

interface Args { quick: boolean; only: Set<string> | null; save: string | null; row: number | null }

function parseArgs(argv: readonly string[]): Args {
  const value = (flag: string): string | null => {
    const i = argv.indexOf(flag);
    if (i < 0) return null;
    if (i + 1 >= argv.length) throw new Error(`bench: ${flag} needs a value`);
    return argv[i + 1];
  };
  const only = value('--only'), row = value('--row');
  return { quick: argv.includes('--quick'), only: only ? new Set(only.split(',')) : null, save: value('--save'), row: row === null ? null : Number(row) };
}

const fmt = (v: number): string => (Number.isNaN(v) ? 'n/a' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toPrecision(2));

const optionsFor = (args: Args): Options =>
  args.quick ? { repetitions: 3, minSeconds: 0.1, warmup: 1 } : { repetitions: 7, minSeconds: 0.3, warmup: 2 };

/** Child process: measures one row and prints its medians (seconds per iteration) as JSON. */
async function measureRow(c: Case, args: Args): Promise<void> {
  await tfjs.initTfjs();
  const backends = c.backends ?? ['cpu', 'wasm'];
  const impls: Implementation[] = [
    { name: 'tensorgrad', setup: c.tensorgrad },
    ...backends.map((b) => ({ name: `tfjs-${b}`, setup: () => c.tfjs(b) })),
  ];
  const seconds = await measureInterleaved(impls, { ...optionsFor(args), ...c.options });
  // One entry per column (tensorgrad, tfjs-cpu, tfjs-wasm); NaN where a backend cannot run the workload.
  console.log(JSON.stringify([seconds[0], ...(['cpu', 'wasm'] as const).map((b) => (backends.includes(b) ? seconds[1 + backends.indexOf(b)] : null))]));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.row !== null) return measureRow(cases[args.row], args);
  const base = optionsFor(args);
  const started = performance.now();
  const rows: Array<Record<string, string | number>> = [];
  const table: string[][] = [];
  for (const [index, c] of cases.entries()) {
    if (args.only && !args.only.has(c.workload)) continue;
    const childArgs = [__filename, '--row', String(index), ...(args.quick ? ['--quick'] : [])];
    const seconds = JSON.parse(execFileSync(process.execPath, childArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })) as (number | null)[];
    const [tg, cpu, wasm] = seconds.map((s) => (s === null ? NaN : c.fromSeconds(s)));
    // Speed-up of tensorgrad over the peer: > 1 means tensorgrad is faster, whichever way the unit runs.
    const speedup = (peer: number): number => (c.higherIsBetter ? tg / peer : peer / tg);
    rows.push({ workload: c.label, unit: c.unit, tensorgrad: tg, tfjsCpu: cpu, tfjsWasm: wasm, speedupVsCpu: speedup(cpu), speedupVsWasm: speedup(wasm) });
    const times = (v: number): string => (Number.isNaN(v) ? 'n/a' : `${fmt(v)}×`);
    table.push([c.label, c.unit, fmt(tg), fmt(cpu), fmt(wasm), times(speedup(cpu)), times(speedup(wasm))]);
    console.error(`  ${c.label}: done`);
  }
  const header = ['workload', 'unit', 'tensorgrad', 'tfjs-cpu', 'tfjs-wasm', 'speed-up vs cpu', 'speed-up vs wasm'];
  console.log(formatTable(header, table));
  const env = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, platform: `${process.platform}-${process.arch}` };
  console.log(`\n${env.node}, ${env.cpu}, ${env.cores} cores; ${base.repetitions} interleaved repetitions, medians; ${((performance.now() - started) / 1000).toFixed(0)} s`);
  const result = { date: new Date().toISOString(), env, options: base, rows };
  const dir = join(__dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest-bench.json'), JSON.stringify(result, null, 2) + '\n');
  if (args.save) writeFileSync(join(dir, `${args.save}.json`), JSON.stringify(result, null, 2) + '\n');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
