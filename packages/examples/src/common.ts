/** Helpers shared by the examples: accuracy, timing, and printing that tests can silence. */
import { Tensor } from '@tensorgrad/core';

/** Where an example writes its progress; tests pass a function that collects or drops lines. */
export type Log = (line: string) => void;

export const silent: Log = () => {};

/** Fraction of rows whose predicted class equals the label. Logits [N, C] use argmax; [N, 1] logits use logit > 0. */
export function accuracy(logits: Tensor, labels: Tensor): number {
  const n = logits.shape[0];
  const y = labels.data;
  let correct = 0;
  if (logits.shape[1] === 1) {
    for (let i = 0; i < n; i++) if ((logits.data[i] > 0 ? 1 : 0) === y[i]) correct++;
  } else {
    const pred = logits.argmax(1).data;
    for (let i = 0; i < n; i++) if (pred[i] === y[i]) correct++;
  }
  return correct / n;
}

export function percent(x: number): string {
  return `${(100 * x).toFixed(2)}%`;
}

/** A duration for humans: milliseconds below one second, seconds above. */
export function duration(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** Labels [N] (int32) as float targets [N, 1] for a binary classifier trained with bceWithLogitsLoss. */
export function binaryTargets(labels: Tensor): Tensor {
  return labels.to('float32').reshape([-1, 1]);
}

/** Runs `main` when the file is executed directly (node dist/xor.js), not when a test imports it. */
export function runIfMain(mod: NodeModule, main: () => unknown): void {
  if (require.main === mod) {
    Promise.resolve(main()).catch((e: unknown) => {
      console.error(e);
      process.exit(1);
    });
  }
}

export interface ProgressOptions {
  /** Shown before the bar, e.g. 'epoch 3/10' or 'train'. */
  label?: string;
  /** Where finished lines go (default console.log). Tests pass a collector or `silent`. */
  log?: Log;
  /**
   * Redraw one line in place with '\r' (default: whether stdout is a terminal and `log` is the default). Off, the bar
   * prints a line at every tenth of the way instead, which reads well in CI logs and piped output.
   */
  live?: boolean;
  /** Bar width in characters (default 24). */
  width?: number;
  /** Clock in milliseconds (tests pass a fake one). */
  now?: () => number;
}

/** Formats seconds as m:ss (or h:mm:ss). */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(r).padStart(2, '0')}`;
}

/**
 * A progress bar for training loops: `update(done, fields)` after each step shows the bar, the count, the given
 * fields (e.g. `{ loss: '1.234' }`) and the elapsed and remaining time, estimated from the average step so far.
 */
export class ProgressBar {
  private readonly start: number;
  private readonly live: boolean;
  private readonly log: Log;
  private readonly now: () => number;
  private nextTenth = 1;
  private lastLine = '';

  constructor(private readonly total: number, private readonly opts: ProgressOptions = {}) {
    if (!Number.isInteger(total) || total <= 0) throw new Error(`ProgressBar: total must be a positive integer, got ${total}`);
    this.now = opts.now ?? (() => performance.now());
    this.start = this.now();
    this.log = opts.log ?? ((line) => console.log(line));
    this.live = opts.live ?? (opts.log === undefined && process.stdout.isTTY === true);
  }

  /** The line the bar shows after `done` of `total` steps. */
  render(done: number, fields: Record<string, string> = {}): string {
    const width = this.opts.width ?? 24;
    const frac = Math.min(1, Math.max(0, done / this.total));
    const filled = Math.round(frac * width);
    const elapsed = (this.now() - this.start) / 1000;
    const left = done > 0 ? (elapsed / done) * (this.total - done) : NaN;
    const info = Object.entries(fields).map(([k, v]) => `${k} ${v}`).join('  ');
    const label = this.opts.label ? `${this.opts.label} ` : '';
    const digits = String(this.total).length;
    return `${label}[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(done).padStart(digits)}/${this.total}` +
      `${info ? `  ${info}` : ''}  ${clock(elapsed)} elapsed, ${Number.isNaN(left) ? '?' : clock(left)} left`;
  }

  update(done: number, fields: Record<string, string> = {}): void {
    const line = this.render(done, fields);
    this.lastLine = line;
    if (this.live) {
      process.stdout.write(`\r${line}\x1b[K`);
    } else if (done >= (this.nextTenth * this.total) / 10) {
      while (done >= (this.nextTenth * this.total) / 10) this.nextTenth++;
      this.log(line);
    }
  }

  /** Ends the bar: a live bar moves to the next line; otherwise the last state is printed unless it already was. */
  finish(): void {
    if (this.live) process.stdout.write('\n');
    else if (this.nextTenth <= 10 && this.lastLine) this.log(this.lastLine);
  }
}
