/**
 * A second thread for large matrix products: a Node worker thread with its own instance of the gemm module on the
 * same shared memory. A block's product is cut into a few tasks (column ranges, or row ranges when the block is taller
 * than wide, so each task repacks only the smaller operand); this thread and the worker claim tasks from a shared
 * counter, so neither waits for the other while work is left.
 *
 * It must never make a product slower than one thread on a busy machine, where the worker may not get a core in time:
 * - it runs only while the machine's CPU time over the last quarter second, less this process's own, leaves a core
 *   free: on a machine other programs keep busy the worker would be descheduled in the middle of tasks this thread then
 *   waits for;
 * - this thread claims the first task at once; if the worker has claimed nothing when it is done, it takes all the
 *   remaining tasks as one range (no extra packing), so an absent worker costs one task's worth of repacking;
 * - after several products in a row where the worker did not help, or made this thread wait longer than half of its
 *   own computing time, threading pauses for a second and then tries again;
 * - `setNumThreads(1)` turns it off.
 * Browsers (no worker_threads) and engines without shared WebAssembly memory run single-threaded.
 */
import type { WasmMemory, WasmModule } from './wasm/wasm-runtime.js';

/** One block's product, as the gemm export takes it (byte addresses and strides in the shared memory). */
export interface GemmJob {
  m: number; n: number; k: number;
  a: number; aRs: number; aCs: number;
  b: number; bRs: number; bCs: number;
  c: number; ldc: number; accumulate: number;
  kcMax: number; mcMax: number;
}

/** A thread's packing buffers in the shared memory. */
export interface PackRegion { scratch: number; packA: number; packB: number }

const JOB_FIELDS = ['m', 'n', 'k', 'a', 'aRs', 'aCs', 'b', 'bRs', 'bCs', 'c', 'ldc', 'accumulate', 'kcMax', 'mcMax'] as const;

/**
 * Slots of the control block (an Int32Array on a SharedArrayBuffer). TICKET packs the job's generation (high 16 bits)
 * and the next unclaimed task (low 16 bits); 0xffff there means "closed", set while a job's parameters are written.
 */
const SLOT = { TICKET: 0, DONE: 1, WORKER_DONE: 2, ERROR: 3, TASKS: 4, SPLIT: 5, SIZE: 6, JOB: 7 } as const;
const CLOSED = 0xffff;

/** Products below this many multiply-adds stay on one thread: a task would not outlast waking the worker. */
const PARALLEL_WORK = 1 << 22;
/** Tasks per product: enough to rebalance when one thread is slower, few enough that repacking stays cheap. */
const TASKS_PER_JOB = 4;
/** After this many products in a row where the worker was absent or late, threading pauses for PAUSE_MS. */
const MISSES_BEFORE_PAUSE = 3;
const PAUSE_MS = 1000;
/** A worker that finishes nothing for this long has died or hung: fail loudly rather than wait forever. */
const STALL_MS = 30_000;

/** The worker's program (plain JS run with `eval`, so it needs no file of its own next to the compiled sources). */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, pack, slot, fields } = workerData;
const gemm = new WebAssembly.Instance(module, { env: { memory } }).exports.gemm;
const ctl = new Int32Array(control);
const job = {};
let seen = Atomics.load(ctl, slot.TICKET);
for (;;) {
  Atomics.wait(ctl, slot.TICKET, seen);
  for (;;) {
    const t = Atomics.load(ctl, slot.TICKET), task = t & 0xffff;
    if (task >= Atomics.load(ctl, slot.TASKS)) break;
    if (Atomics.compareExchange(ctl, slot.TICKET, t, t + 1) !== t) continue;
    try {
      fields.forEach((f, i) => { job[f] = Atomics.load(ctl, slot.JOB + i); });
      const size = Atomics.load(ctl, slot.SIZE);
      let { m, n, a, b, c } = job;
      if (Atomics.load(ctl, slot.SPLIT)) { n = Math.min(size, n - task * size); b += task * size * job.bCs; c += task * size * 4; }
      else { m = Math.min(size, m - task * size); a += task * size * job.aRs; c += task * size * job.ldc; }
      gemm(m, n, job.k, a, job.aRs, job.aCs, b, job.bRs, job.bCs, c, job.ldc, job.accumulate, pack.packA, pack.packB, pack.scratch, job.kcMax, job.mcMax);
    } catch (e) {
      Atomics.store(ctl, slot.ERROR, 1);
    }
    Atomics.add(ctl, slot.WORKER_DONE, 1);
    Atomics.add(ctl, slot.DONE, 1);
    Atomics.notify(ctl, slot.DONE);
  }
  seen = Atomics.load(ctl, slot.TICKET);
}
`;

interface NodeWorkerThreads {
  Worker: new (source: string, options: { eval: true; workerData: unknown }) => { unref(): void; on(event: string, fn: (x: unknown) => void): void };
}

/** worker_threads when running in Node (process.getBuiltinModule keeps bundlers for browsers from resolving it). */
function workerThreads(): NodeWorkerThreads | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    return (proc?.getBuiltinModule?.('node:worker_threads') as NodeWorkerThreads | undefined) ?? null;
  } catch {
    return null;
  }
}

interface CpuTimes { user: number; nice: number; sys: number; idle: number; irq: number }
interface NodeOs { availableParallelism?: () => number; cpus(): Array<{ times: CpuTimes }> }
interface NodeProcess { getBuiltinModule?: (id: string) => unknown; cpuUsage(): { user: number; system: number } }

function nodeOs(): NodeOs | null {
  const proc = (globalThis as { process?: NodeProcess }).process;
  try {
    return (proc?.getBuiltinModule?.('node:os') as NodeOs | undefined) ?? null;
  } catch {
    return null;
  }
}

function defaultThreads(): number {
  return Math.min(2, nodeOs()?.availableParallelism?.() ?? 1);
}

/**
 * @internal Whether another core is free: over the last check interval (at least 250 ms), the machine's busy CPU time
 * (os.cpus) less this process's own (process.cpuUsage, every thread) must leave at least one and a half cores, so the
 * worker gets one without taking it from another program. The first check, with nothing to compare yet, says yes.
 */
export class LoadMonitor {
  private checked = -Infinity;
  private free = true;
  private busyMs = -1;
  private totalMs = 0;
  private oursMs = 0;

  constructor(private readonly os: NodeOs, private readonly proc: NodeProcess) {}

  secondCoreFree(): boolean {
    const now = performance.now();
    if (now - this.checked < 250) return this.free;
    this.checked = now;
    const cpus = this.os.cpus();
    let busy = 0, total = 0;
    for (const { times: t } of cpus) {
      busy += t.user + t.nice + t.sys + t.irq;
      total += t.user + t.nice + t.sys + t.irq + t.idle;
    }
    const u = this.proc.cpuUsage(), ours = (u.user + u.system) / 1000;
    if (this.busyMs >= 0 && total > this.totalMs) {
      const window = (total - this.totalMs) / cpus.length;
      const others = (busy - this.busyMs - (ours - this.oursMs)) / window;
      this.free = others < cpus.length - 1.5;
    }
    [this.busyMs, this.totalMs, this.oursMs] = [busy, total, ours];
    return this.free;
  }
}

let numThreads = defaultThreads();

/**
 * Sets how many threads tensorgrad's kernels may use (like torch.set_num_threads). Today only large float32 matrix
 * products use more than one, and at most two: the caller's thread and one worker (Node only). 1 turns threading off.
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`setNumThreads: n must be a positive integer, got ${String(n)}`);
  numThreads = n;
}

/** How many threads the kernels may use (see setNumThreads). */
export function getNumThreads(): number {
  return numThreads;
}

const roundUp = (x: number, to: number): number => Math.ceil(x / to) * to;

export class GemmThreads {
  private readonly ctl = new Int32Array(new SharedArrayBuffer(4 * (SLOT.JOB + JOB_FIELDS.length)));
  private worker: { unref(): void } | null = null;
  private failed = false;
  private generation = 0;
  private misses = 0;
  private pausedUntil = 0;
  private readonly load: LoadMonitor | null;
  /** Tasks the worker has finished, over all products (for tests and diagnostics). */
  workerTasks = 0;

  /** Whether this engine can share a WebAssembly memory with a worker thread. */
  static supported(): boolean {
    return typeof SharedArrayBuffer === 'function' && typeof Atomics === 'object' && workerThreads() !== null;
  }

  /**
   * `pack` is the worker's packing region in `memory`; the worker starts on the first product large enough. With
   * `watchLoad` false (tests) the load average is not consulted.
   */
  constructor(private readonly module: WasmModule, private readonly memory: WasmMemory, private readonly pack: PackRegion, watchLoad = true) {
    this.ctl[SLOT.TICKET] = CLOSED;
    const os = nodeOs(), proc = (globalThis as { process?: NodeProcess }).process;
    this.load = watchLoad && os && proc ? new LoadMonitor(os, proc) : null;
  }

  /**
   * Runs `job` split into tasks between this thread (through `call`, with thread index 0) and the worker (thread 1).
   * Returns false, having done nothing, when the job should run on one thread: too small, threads off or paused.
   */
  run(job: GemmJob, call: (job: GemmJob, thread: number) => void): boolean {
    if (numThreads < 2 || this.failed || job.m * job.n * job.k < PARALLEL_WORK || performance.now() < this.pausedUntil) return false;
    if (this.load !== null && !this.load.secondCoreFree()) return false;
    if (this.worker === null && !this.startWorker()) return false;
    // Split the larger dimension, so each task repacks the smaller operand: columns in multiples of the 16-wide
    // register tile, rows in multiples of its 2 rows.
    const split = job.n >= job.m ? 1 : 0;
    const size = split ? roundUp(Math.ceil(job.n / TASKS_PER_JOB), 16) : roundUp(Math.ceil(job.m / TASKS_PER_JOB), 2);
    const tasks = Math.ceil((split ? job.n : job.m) / size);
    if (tasks < 2) return false;
    const ctl = this.ctl;
    JOB_FIELDS.forEach((f, i) => { ctl[SLOT.JOB + i] = job[f]; });
    ctl[SLOT.SIZE] = size;
    ctl[SLOT.SPLIT] = split;
    ctl[SLOT.TASKS] = tasks;
    ctl[SLOT.DONE] = 0;
    ctl[SLOT.WORKER_DONE] = 0;
    this.generation = (this.generation + 1) & 0x7fff;
    Atomics.store(ctl, SLOT.TICKET, this.generation << 16);
    Atomics.notify(ctl, SLOT.TICKET);

    let mine = 0;
    const started = performance.now();
    for (;;) {
      const t = Atomics.load(ctl, SLOT.TICKET), task = t & 0xffff;
      if (task >= tasks) break;
      // After the first task, if the worker has joined in nothing, it is not getting a core: do the rest as one range.
      const take = mine > 0 && task === mine ? tasks - task : 1;
      if (Atomics.compareExchange(ctl, SLOT.TICKET, t, t + take) !== t) continue;
      mine += take;
      call(this.subJob(job, split, size, task, take), 0);
      Atomics.add(ctl, SLOT.DONE, take);
    }
    const computed = performance.now() - started;
    let last = performance.now();
    for (let done = Atomics.load(ctl, SLOT.DONE); done < tasks; done = Atomics.load(ctl, SLOT.DONE)) {
      if (Atomics.wait(ctl, SLOT.DONE, done, 1000) !== 'timed-out') last = performance.now();
      else if (performance.now() - last > STALL_MS) this.fail('the gemm worker thread stopped responding');
    }
    Atomics.store(ctl, SLOT.TICKET, (this.generation << 16) | CLOSED);
    if (ctl[SLOT.ERROR]) this.fail('the gemm worker thread failed');
    this.workerTasks += ctl[SLOT.WORKER_DONE];
    // On a busy machine the worker may get a core late: this thread then idles, and one thread would have been faster.
    const waited = performance.now() - started - computed;
    this.misses = ctl[SLOT.WORKER_DONE] > 0 && waited <= computed / 2 ? 0 : this.misses + 1;
    if (this.misses >= MISSES_BEFORE_PAUSE) {
      this.misses = 0;
      this.pausedUntil = performance.now() + PAUSE_MS;
    }
    return true;
  }

  /** Tasks [task, task + count) of `job` as one product. */
  private subJob(job: GemmJob, split: number, size: number, task: number, count: number): GemmJob {
    const start = task * size;
    if (split) return { ...job, n: Math.min(count * size, job.n - start), b: job.b + start * job.bCs, c: job.c + start * 4 };
    return { ...job, m: Math.min(count * size, job.m - start), a: job.a + start * job.aRs, c: job.c + start * job.ldc };
  }

  private startWorker(): boolean {
    const wt = workerThreads();
    if (wt === null) return false;
    try {
      const worker = new wt.Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module: this.module, memory: this.memory, control: this.ctl.buffer, pack: this.pack, slot: SLOT, fields: JOB_FIELDS },
      });
      // The worker never keeps the process alive; if it dies, products go back to one thread.
      worker.unref();
      worker.on('error', () => { this.failed = true; });
      worker.on('exit', () => { this.failed = true; });
      this.worker = worker;
      return true;
    } catch {
      this.failed = true;
      return false;
    }
  }

  private fail(message: string): never {
    this.failed = true;
    throw new Error(`matmul: ${message}; products now run on one thread`);
  }
}
