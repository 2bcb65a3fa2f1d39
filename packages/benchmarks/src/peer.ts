/**
 * Peers in processes of their own, driven over JSON lines on stdin/stdout: PyTorch (python/torch_peer.py) and each
 * TensorFlow.js backend (tfjs-peer.ts). Keeping every library in its own process matters: TensorFlow.js defines
 * `Symbol.hasInstance` on its classes, which switches off V8's fast `instanceof` for the whole process and made
 * tensorgrad's per-op overhead 5–20× worse when both ran in one process.
 *
 * The protocol: the peer first prints `{"ready": true, ...info}` (or `{"ready": false, "error": ...}`); then each
 * request `{"cmd": "setup", ...}` / `{"cmd": "run", "iterations": n, "clock": "wall" | "cpu"}` gets one reply line, `{"ok": true}` /
 * `{"seconds": s}` or `{"error": msg}`; `{"cmd": "exit"}` ends it. Timing happens inside the peer.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Runner } from './harness.js';

export const DEFAULT_PYTHON = '/usr/bin/python3';

type Reply = Record<string, unknown>;

/**
 * The environment of the PyTorch process: one BLAS/OpenMP thread and OpenBLAS free to pick its kernels for this CPU
 * (the OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE overrides some environments set are removed, for that process only).
 */
export function torchEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

export class PeerProcess {
  private readonly waiting: Array<(reply: Reply) => void> = [];
  private exited: string | null = null;

  private constructor(private readonly child: ChildProcessWithoutNullStreams, readonly info: Reply) {}

  /** Starts a peer; resolves to the reason when it cannot run here (no python, no torch, a crash at start). */
  static start(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<PeerProcess | { error: string }> {
    return new Promise((resolve) => {
      let child: ChildProcessWithoutNullStreams;
      try {
        child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
      } catch (err) {
        resolve({ error: `cannot start ${command}: ${(err as Error).message}` });
        return;
      }
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
      let peer: PeerProcess | null = null;
      createInterface({ input: child.stdout }).on('line', (line) => {
        let reply: Reply;
        try {
          reply = JSON.parse(line) as Reply;
        } catch {
          return; // stray output of a library; protocol lines are JSON
        }
        if (peer !== null) {
          peer.waiting.shift()?.(reply);
        } else if (reply.ready === true) {
          peer = new PeerProcess(child, reply);
          resolve(peer);
        } else {
          resolve({ error: String(reply.error ?? `${command} did not start`) });
          child.stdin.end();
        }
      });
      child.on('error', (err) => resolve({ error: `cannot start ${command}: ${err.message}` }));
      child.on('exit', (code) => {
        const why = `${command} exited (code ${code})${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' / ')}` : ''}`;
        if (peer === null) resolve({ error: why });
        else {
          peer.exited = why;
          for (const w of peer.waiting.splice(0)) w({ error: why });
        }
      });
    });
  }

  private request(msg: Record<string, unknown>): Promise<Reply> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    return new Promise((resolve, reject) => {
      this.waiting.push((reply) => (typeof reply.error === 'string' ? reject(new Error(reply.error)) : resolve(reply)));
      this.child.stdin.write(JSON.stringify(msg) + '\n');
    });
  }

  /** Builds a workload in the peer (`what` says which, in the peer's terms) and returns a runner that times it there. */
  async setup(what: Record<string, unknown>): Promise<Runner> {
    await this.request({ cmd: 'setup', ...what });
    return { runBatch: async (iterations, clock) => Number((await this.request({ cmd: 'run', iterations, clock })).seconds) };
  }

  close(): void {
    if (this.exited) return;
    this.child.stdin.write(JSON.stringify({ cmd: 'exit' }) + '\n');
    this.child.stdin.end();
  }
}

export function startTorch(python: string): Promise<PeerProcess | { error: string }> {
  return PeerProcess.start(python, [join(__dirname, '..', 'python', 'torch_peer.py')], torchEnv());
}

export function startTfjs(backend: 'cpu' | 'wasm'): Promise<PeerProcess | { error: string }> {
  return PeerProcess.start(process.execPath, [join(__dirname, 'tfjs-peer.js'), backend]);
}
