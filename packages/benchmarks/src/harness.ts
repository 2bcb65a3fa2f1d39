/**
 * Timing harness: every implementation of a workload is measured in the same run, interleaved round by round (with
 * the order rotated each round) so drifting clocks, GC and other load on the machine hit all of them alike. Each round
 * times enough iterations to last `minSeconds`; a workload's figure is the median round, and a ratio between two
 * implementations is the median of their per-round ratios (each round's pair was measured back to back).
 */

export type Clock = 'wall' | 'cpu';
let clock: Clock = 'wall';

/** Selects what `now()` reads: wall time (the default), or this process's CPU time, steadier on a busy machine. */
export function setClock(c: Clock): void {
  clock = c;
}

/**
 * Seconds on the selected clock. CPU time counts every thread of the process (garbage collector, compiler and worker
 * threads included) and not the time the process waits for a core, so it suits comparisons on a loaded machine.
 */
export function now(): number {
  if (clock === 'wall') return performance.now() / 1000;
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

export interface Runner {
  /** Called before each batch of iterations, e.g. to switch the TensorFlow.js backend. */
  activate?(): Promise<void>;
  /**
   * One iteration of the workload, run in this process. It may return the seconds of the part being measured (W5 times
   * backward only); otherwise the whole call is timed.
   */
  run?(): number | void;
  /** `iterations` iterations run elsewhere (a peer process); resolves to the seconds they took on `clock`, in total. */
  runBatch?(iterations: number, clock: Clock): Promise<number>;
  /** Called once after the last round (TensorFlow.js tensors must be disposed by hand). */
  dispose?(): void | Promise<void>;
}

export interface Implementation {
  name: string;
  /** Builds the workload's inputs for this implementation; called once per workload. */
  setup(): Promise<Runner>;
}

export interface Options {
  /** Interleaved rounds; every implementation is timed once per round. */
  rounds: number;
  /** Each round times at least this long per implementation (at least one iteration). */
  minSeconds: number;
  /** Untimed iterations first (JIT tiers, caches): at least `warmup` of them and `warmupSeconds` of running. */
  warmup: number;
  warmupSeconds: number;
  /** What is timed (default wall). */
  clock?: Clock;
}

export interface Measurement {
  name: string;
  /** Seconds per iteration, one per round (empty when the implementation could not run). */
  samples: number[];
  /** Median of `samples` (NaN when empty). */
  median: number;
  /** Iterations timed per round. */
  iterations: number;
  /** Why the implementation did not run, if it did not. */
  error?: string;
}

/** Seconds per iteration of each implementation, per round, in the order given. */
export async function measureInterleaved(impls: readonly Implementation[], opts: Options): Promise<Measurement[]> {
  setClock(opts.clock ?? 'wall');
  const results: Measurement[] = impls.map((impl) => ({ name: impl.name, samples: [], median: NaN, iterations: 0 }));
  const runners: (Runner | null)[] = [];
  for (const [i, impl] of impls.entries()) {
    try {
      runners.push(await impl.setup());
    } catch (err) {
      runners.push(null);
      results[i].error = err instanceof Error ? err.message : String(err);
    }
  }
  // Warm-up: at least `warmup` iterations and `warmupSeconds` of running (JIT tiers settle only after thousands of
  // iterations of a small step), in batches that double while they are short. It also sizes each round: enough
  // iterations to last minSeconds at the fastest rate seen.
  for (const [i, r] of runners.entries()) {
    if (r === null) continue;
    await r.activate?.();
    let fastest = Infinity, spent = 0, count = 0, batch = 1;
    while (count < opts.warmup || spent < opts.warmupSeconds) {
      const s = await timeBatch(r, batch);
      fastest = Math.min(fastest, s.total / batch);
      spent += s.total;
      count += batch;
      if (count >= 1 && s.total > opts.warmupSeconds) break;
      if (s.total < 0.05) batch *= 2;
    }
    results[i].iterations = Math.max(1, Math.ceil(opts.minSeconds / Math.max(fastest, 1e-9)));
  }
  const live = runners.map((r, i) => i).filter((i) => runners[i] !== null);
  for (let round = 0; round < opts.rounds; round++) {
    for (let j = 0; j < live.length; j++) {
      const idx = live[(j + round) % live.length];
      const r = runners[idx] as Runner;
      await r.activate?.();
      const n = results[idx].iterations;
      results[idx].samples.push((await timeBatch(r, n)).measured / n);
    }
  }
  for (const r of runners) {
    if (r === null) continue;
    await r.activate?.();
    await r.dispose?.();
  }
  for (const m of results) m.median = m.samples.length ? median(m.samples) : NaN;
  return results;
}

/** Seconds of `n` iterations and of their measured part (equal unless the runner reports a part), on the clock. */
export async function timeBatch(r: Runner, n: number): Promise<{ total: number; measured: number }> {
  if (r.runBatch) {
    // This process only waits meanwhile, so its clock says nothing (its CPU time barely moves): the peer's figure
    // sizes the rounds too.
    const measured = await r.runBatch(n, clock);
    return { total: measured, measured };
  }
  const run = r.run as () => number | void;
  let measured = 0;
  const t0 = now();
  for (let i = 0; i < n; i++) {
    const s = now();
    const part = run();
    measured += typeof part === 'number' ? part : now() - s;
  }
  return { total: now() - t0, measured };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export interface RatioSummary {
  median: number;
  min: number;
  max: number;
}

/**
 * Time ratio a/b per round (a measured right next to b), summarised as median and range; null if either side has no
 * samples. Rounds pair up by index because both lists come from the same interleaved run.
 */
export function roundRatios(a: readonly number[], b: readonly number[]): RatioSummary | null {
  const n = Math.min(a.length, b.length);
  if (n === 0) return null;
  const ratios = Array.from({ length: n }, (_, i) => a[i] / b[i]);
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}

/** Formats a table with right-aligned columns after the first. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: readonly string[]): string =>
    '| ' + cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(' | ') + ' |';
  const rule = '|' + widths.map((w, c) => (c === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|';
  return [line(header), rule, ...rows.map(line)].join('\n');
}
