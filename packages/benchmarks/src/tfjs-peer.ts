/**
 * One TensorFlow.js backend as a peer process of `pnpm bench` (see peer.ts for the protocol): `node tfjs-peer.js cpu`
 * or `… wasm`. It builds the TensorFlow.js side of a row of cases.ts on request and times batches of it here.
 */
import { createInterface } from 'node:readline';
import { cases } from './cases.js';
import { setClock, timeBatch, type Clock, type Runner } from './harness.js';
import * as tfjs from './tfjs.js';

const reply = (obj: object): void => void process.stdout.write(JSON.stringify(obj) + '\n');
const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

async function main(): Promise<void> {
  const backend = process.argv[2];
  if (backend !== 'cpu' && backend !== 'wasm') return reply({ ready: false, error: `tfjs-peer: backend must be cpu or wasm, got '${backend}'` });
  try {
    await tfjs.initTfjs(backend);
  } catch (err) {
    return reply({ ready: false, error: message(err) });
  }
  reply({ ready: true, tfjs: tfjs.version(), backend });
  let runner: Runner | null = null;
  for await (const line of createInterface({ input: process.stdin })) {
    const msg = JSON.parse(line) as { cmd: string; row?: number; iterations?: number; clock?: Clock };
    try {
      if (msg.cmd === 'setup') {
        await runner?.dispose?.();
        runner = null;
        const c = cases[msg.row as number];
        if (c === undefined) throw new Error(`tfjs-peer: no row ${msg.row}`);
        runner = await c.tfjs(backend);
        reply({ ok: true });
      } else if (msg.cmd === 'run') {
        if (runner === null) throw new Error('tfjs-peer: run before setup');
        setClock(msg.clock ?? 'wall');
        reply({ seconds: (await timeBatch(runner, msg.iterations as number)).measured });
      } else if (msg.cmd === 'exit') {
        await runner?.dispose?.();
        return;
      } else {
        throw new Error(`tfjs-peer: unknown command '${msg.cmd}'`);
      }
    } catch (err) {
      reply({ error: message(err) });
    }
  }
}

void main();
