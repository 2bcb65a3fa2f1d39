/**
 * Timing harness: every implementation of a workload is measured in the same process, interleaved repetition by
 * repetition (with the order rotated each time) so drifting clocks, GC and other load hit all of them alike; each
 * repetition times enough iterations to last `minSeconds`, and the reported figure is the median repetition.
 */

export interface Runner {
  /** Called before each batch of iterations, e.g. to switch the TensorFlow.js backend. */
  activate?(): Promise<void>;
  /**
   * One iteration of the workload. It may return the seconds of the part being measured (W5 times backward only);
   * otherwise the whole call is timed.
   */
  run(): number | void;
  /** Called once after the last repetition (TensorFlow.js tensors must be disposed by hand). */
  dispose?(): void;
}

export interface Implementation {
  name: string;
  /** Builds the workload's inputs for this implementation; called once per workload. */
  setup(): Promise<Runner>;
}

export interface Options {
  repetitions: number;
  minSeconds: number;
  warmup: number;
}

/** Median seconds per iteration for each implementation, in the order given. */
export async function measureInterleaved(impls: readonly Implementation[], opts: Options): Promise<number[]> {
  const runners: Runner[] = [];
  for (const impl of impls) runners.push(await impl.setup());
  // Warm-up also sizes each repetition: enough iterations to last minSeconds, estimated from the slowest warm-up run.
  const iterations: number[] = [];
  for (const r of runners) {
    await r.activate?.();
    let slowest = 0;
    for (let i = 0; i < opts.warmup; i++) slowest = Math.max(slowest, timeOnce(r));
    iterations.push(Math.max(1, Math.ceil(opts.minSeconds / Math.max(slowest, 1e-9))));
  }
  const samples: number[][] = runners.map(() => []);
  for (let rep = 0; rep < opts.repetitions; rep++) {
    for (let j = 0; j < runners.length; j++) {
      const idx = (j + rep) % runners.length;
      const r = runners[idx];
      await r.activate?.();
      let total = 0;
      for (let i = 0; i < iterations[idx]; i++) total += timeOnce(r);
      samples[idx].push(total / iterations[idx]);
    }
  }
  for (const r of runners) {
    await r.activate?.();
    r.dispose?.();
  }
  return samples.map(median);
}

/** Seconds taken by one iteration, or the part of it the runner reports. */
function timeOnce(r: Runner): number {
  const t0 = performance.now();
  const part = r.run();
  const wall = (performance.now() - t0) / 1000;
  return typeof part === 'number' ? part : wall;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Formats a table with right-aligned columns after the first. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: readonly string[]): string =>
    '| ' + cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(' | ') + ' |';
  const rule = '|' + widths.map((w, c) => (c === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|';
  return [line(header), rule, ...rows.map(line)].join('\n');
}
