/**
 * `pnpm bench`: every row of cases.ts for tensorgrad, PyTorch (one thread, a separate Python process), TensorFlow.js's
 * cpu backend and its wasm backend, interleaved round by round in one run. Prints a Markdown table with each peer's
 * figure and tensorgrad's time ratio to PyTorch and to tfjs-wasm, and writes everything (per-round samples included)
 * to results/latest-bench.json (and results/NAME.json with --save NAME).
 *
 * Each row runs in a child process of its own, which measures tensorgrad itself and drives the other peers, each in a
 * process of its own too (peer.ts): no library shares a process or a heap with another, and garbage left by one row
 * does not tax the garbage collector of the next.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cases, type Case } from './cases.js';
import { formatTable, measureInterleaved, roundRatios, type Clock, type Implementation, type Measurement, type Options, type RatioSummary } from './harness.js';
import { DEFAULT_PYTHON, PeerProcess, startTfjs, startTorch } from './peer.js';

export const PEERS = ['tensorgrad', 'torch', 'tfjs-cpu', 'tfjs-wasm'] as const;
export type Peer = (typeof PEERS)[number];
const PEER_TITLES: Record<Peer, string> = { tensorgrad: 'tensorgrad', torch: 'PyTorch', 'tfjs-cpu': 'tfjs-cpu', 'tfjs-wasm': 'tfjs-wasm' };

const USAGE = `usage: pnpm bench [-- options]
  --only LIST     rows or groups to run, comma-separated (e.g. W1,W2 or W1-512,GPT); default all
  --peers LIST    peers to run, comma-separated, from ${PEERS.join(', ')}; default all
  --rounds N      interleaved rounds per row (default 7; 3 with --quick)
  --quick         fewer and shorter rounds
  --clock CLOCK   wall (default) or cpu: each process's CPU time, steadier when other programs load the machine
  --save NAME     also write results/NAME.json
  --python PATH   the Python with torch (default ${DEFAULT_PYTHON})
  --threads N     threads tensorgrad's kernels may use (setNumThreads; default: its own default, 2 on 2+ cores)
  --list          list the rows and exit
  --help          this text`;

export interface Args {
  quick: boolean;
  only: string[] | null;
  peers: Peer[];
  rounds: number | null;
  clock: Clock;
  save: string | null;
  python: string;
  threads: number | null;
  list: boolean;
  help: boolean;
  row: number | null;
}

/** Parses the command line strictly: an unknown flag or a bad value throws an Error that names it. */
export function parseBenchArgs(argv: readonly string[]): Args {
  // `pnpm bench -- --only W1` hands the `--` on to the script: a leading one only separates pnpm's options from ours.
  const { values, positionals } = parseArgs({
    args: argv[0] === '--' ? argv.slice(1) : [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      peers: { type: 'string' },
      rounds: { type: 'string' },
      clock: { type: 'string', default: 'wall' },
      save: { type: 'string' },
      python: { type: 'string', default: DEFAULT_PYTHON },
      threads: { type: 'string' },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      row: { type: 'string' },
    },
  });
  if (positionals.length > 0) throw new Error(`bench: unexpected argument '${positionals[0]}'\n${USAGE}`);
  const list = (v: string | undefined): string[] | null => (v === undefined ? null : v.split(',').map((s) => s.trim()).filter((s) => s !== ''));
  const integer = (name: string, v: string | undefined, min: number): number | null => {
    if (v === undefined) return null;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`bench: --${name} needs an integer >= ${min}, got '${v}'`);
    return n;
  };
  const only = list(values.only);
  if (only) {
    const known = new Set(cases.flatMap((c) => [c.id.toLowerCase(), c.group.toLowerCase()]));
    const unknown = only.filter((o) => !known.has(o.toLowerCase()));
    if (unknown.length) throw new Error(`bench: unknown row '${unknown[0]}' in --only; rows: ${cases.map((c) => c.id).join(', ')}`);
  }
  const peers = list(values.peers) ?? [...PEERS];
  for (const p of peers) if (!(PEERS as readonly string[]).includes(p)) throw new Error(`bench: unknown peer '${p}' in --peers; peers: ${PEERS.join(', ')}`);
  if (!peers.includes('tensorgrad')) throw new Error('bench: --peers must include tensorgrad (every ratio is against it)');
  if (values.clock !== 'wall' && values.clock !== 'cpu') throw new Error(`bench: --clock must be wall or cpu, got '${values.clock}'`);
  return {
    quick: values.quick as boolean, only, peers: peers as Peer[], rounds: integer('rounds', values.rounds, 1), clock: values.clock,
    save: values.save ?? null, python: values.python as string, threads: integer('threads', values.threads, 1),
    list: values.list as boolean, help: values.help as boolean,
    row: integer('row', values.row, 0),
  };
}

/** Whether the row says a TensorFlow.js backend cannot run it (its `tfjsBackends`); tensorgrad and torch always run. */
function excludes(c: Case, peer: Peer): boolean {
  if (peer !== 'tfjs-cpu' && peer !== 'tfjs-wasm') return false;
  return c.tfjsBackends !== undefined && !c.tfjsBackends.only.includes(peer === 'tfjs-cpu' ? 'cpu' : 'wasm');
}

function baseOptions(args: Args): Options {
  const base: Options = args.quick
    ? { rounds: 3, minSeconds: 0.1, warmup: 1, warmupSeconds: 0.5 }
    : { rounds: 7, minSeconds: 0.25, warmup: 3, warmupSeconds: 1 };
  return { ...base, clock: args.clock, ...(args.rounds !== null ? { rounds: args.rounds } : {}) };
}

/** A row's options: the run's, with the row's own overrides (e.g. one iteration per round for long workloads). */
function optionsFor(args: Args, c: Case): Options {
  return { ...baseOptions(args), ...c.options, ...(args.rounds !== null ? { rounds: args.rounds } : {}) };
}

/** What the PyTorch process reported about itself. */
interface TorchInfo {
  torch: string;
  threads: number;
  /** OpenBLAS's kernel family (e.g. 'Cooperlake'), or null if it could not be read. */
  blas: string | null;
}

interface RowResult {
  measurements: Measurement[];
  torch: TorchInfo | null;
  tfjs: string | null;
  /** Peers that could not start, with the reason. */
  unavailable: Partial<Record<Peer, string>>;
}

/** Child process: measures one row with every selected peer, prints a RowResult as JSON on stdout. */
async function measureRow(index: number, args: Args): Promise<void> {
  const c = cases[index];
  if (args.threads !== null) (require('@tensorgrad/core') as typeof import('@tensorgrad/core')).setNumThreads(args.threads);
  const processes = new Map<Peer, PeerProcess>();
  const unavailable: RowResult['unavailable'] = {};
  // Peers start before any timing, so their start-up (importing torch, compiling tfjs-wasm) overlaps nothing measured.
  await Promise.all(args.peers.filter((p) => p !== 'tensorgrad').map(async (p) => {
    const started = await (p === 'torch' ? startTorch(args.python) : startTfjs(p === 'tfjs-cpu' ? 'cpu' : 'wasm'));
    if (started instanceof PeerProcess) processes.set(p, started);
    else unavailable[p] = started.error;
  }));
  const impls: Implementation[] = args.peers.map((p) => ({
    name: p,
    setup: () => {
      if (p === 'tensorgrad') return c.tensorgrad();
      const peer = processes.get(p);
      if (!peer) return Promise.reject(new Error(`not available: ${unavailable[p]}`));
      if (excludes(c, p)) return Promise.reject(new Error(c.tfjsBackends!.why));
      return peer.setup(p === 'torch' ? { workload: c.torch.workload, params: c.torch.params } : { row: index });
    },
  }));
  const measurements = await measureInterleaved(impls, optionsFor(args, c));
  for (const peer of processes.values()) peer.close();
  const torchInfo = processes.get('torch')?.info;
  const tfjsInfo = (processes.get('tfjs-wasm') ?? processes.get('tfjs-cpu'))?.info;
  const result: RowResult = {
    measurements,
    torch: torchInfo ? { torch: String(torchInfo.torch), threads: Number(torchInfo.threads), blas: (torchInfo.blas as string | null) ?? null } : null,
    tfjs: tfjsInfo ? String(tfjsInfo.tfjs) : null,
    unavailable,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

const fmt = (v: number): string =>
  !Number.isFinite(v) ? '–' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toPrecision(2);
const fmtRatio = (r: RatioSummary | null): string => (r === null ? '–' : `${fmt(r.median)} (${fmt(r.min)}–${fmt(r.max)})`);

function childArgs(args: Args, index: number): string[] {
  const out = [__filename, '--row', String(index), '--peers', args.peers.join(','), '--python', args.python, '--clock', args.clock];
  if (args.quick) out.push('--quick');
  if (args.rounds !== null) out.push('--rounds', String(args.rounds));
  if (args.threads !== null) out.push('--threads', String(args.threads));
  return out;
}

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  if (args.help) return void console.log(USAGE);
  if (args.list) return void console.log(cases.map((c) => `${c.id.padEnd(8)} ${c.group.padEnd(6)} ${c.label}`).join('\n'));
  if (args.row !== null) {
    if (args.row >= cases.length) throw new Error(`bench: --row ${args.row} out of range`);
    return measureRow(args.row, args);
  }
  const started = performance.now();
  const loadBefore = loadavg();
  const selected = cases.map((c, i) => [c, i] as const)
    .filter(([c]) => !args.only || args.only.some((o) => [c.id.toLowerCase(), c.group.toLowerCase()].includes(o.toLowerCase())));
  const rows: object[] = [];
  const table: string[][] = [];
  const notes = new Set<string>();
  let torch: TorchInfo | null = null;
  let tfjsVersion: string | null = null;
  for (const [c, index] of selected) {
    let result: RowResult;
    try {
      result = JSON.parse(execFileSync(process.execPath, childArgs(args, index), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 })) as RowResult;
    } catch (err) {
      console.error(`  ${c.label}: failed (${(err as Error).message.split('\n')[0]})`);
      table.push([c.label, c.unit, ...args.peers.map(() => 'failed'), '–', '–']);
      continue;
    }
    torch ??= result.torch;
    tfjsVersion ??= result.tfjs;
    for (const [p, why] of Object.entries(result.unavailable)) notes.add(`${PEER_TITLES[p as Peer]} not available: ${why}`);
    const byPeer = new Map(result.measurements.map((m) => [m.name as Peer, m]));
    for (const m of result.measurements) {
      if (!m.error || m.name in result.unavailable) continue;
      notes.add(`${PEER_TITLES[m.name as Peer]} ${excludes(c, m.name as Peer) ? 'does not run' : 'failed on'} ${c.id}: ${m.error}`);
    }
    const tgSamples = byPeer.get('tensorgrad')?.samples ?? [];
    const ratio = (p: Peer): RatioSummary | null => roundRatios(tgSamples, byPeer.get(p)?.samples ?? []);
    const value = (p: Peer): number => c.fromSeconds(byPeer.get(p)?.median ?? NaN);
    table.push([
      c.label, c.unit, ...args.peers.map((p) => (byPeer.get(p)?.error ? 'n/a' : fmt(value(p)))),
      fmtRatio(ratio('torch')), fmtRatio(ratio('tfjs-wasm')),
    ]);
    rows.push({
      id: c.id, label: c.label, unit: c.unit,
      peers: Object.fromEntries(result.measurements.map((m) => [m.name, {
        value: value(m.name as Peer), secondsPerIteration: m.samples, iterationsPerRound: m.iterations, ...(m.error ? { error: m.error } : {}),
      }])),
      timeRatio: { torch: ratio('torch'), tfjsCpu: ratio('tfjs-cpu'), tfjsWasm: ratio('tfjs-wasm') },
    });
    console.error(`  ${c.label}: done`);
  }
  const header = ['workload', 'unit', ...args.peers.map((p) => PEER_TITLES[p]), 'tg/PyTorch', 'tg/tfjs-wasm'];
  console.log(formatTable(header, table));
  const env = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, platform: `${process.platform}-${process.arch}` };
  const seconds = (performance.now() - started) / 1000;
  const loadAfter = loadavg();
  const base = baseOptions(args);
  console.log(`\nRatios are tensorgrad's time / the peer's time (below 1: tensorgrad is faster): the median of per-round ratios, ` +
    `with their range over the ${base.rounds} interleaved rounds${args.clock === 'cpu' ? '; times are CPU times' : ''}.`);
  console.log(`${env.node}, ${env.cpu}, ${env.cores} cores; ` +
    (torch ? `PyTorch ${torch.torch} (${torch.threads} thread, OpenBLAS ${torch.blas ?? '?'}); ` : '') +
    (tfjsVersion ? `TensorFlow.js ${tfjsVersion}; ` : '') +
    `load average ${loadBefore[0].toFixed(2)} before, ${loadAfter[0].toFixed(2)} after; ${seconds.toFixed(0)} s`);
  for (const n of notes) console.log(`note: ${n}`);
  const result = { date: new Date().toISOString(), env, torch, tfjs: tfjsVersion, options: base, peers: args.peers, loadAverage: { before: loadBefore, after: loadAfter }, seconds, rows, notes: [...notes] };
  const dir = join(__dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest-bench.json'), JSON.stringify(result, null, 2) + '\n');
  if (args.save) writeFileSync(join(dir, `${args.save}.json`), JSON.stringify(result, null, 2) + '\n');
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
