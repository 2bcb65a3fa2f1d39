/**
 * The training worker: owns the Trainer, trains in time slices of at most ~30 ms so messages (pause, new settings,
 * predictions) are answered between slices, and posts a Progress snapshot after each slice. The page's thread never
 * runs a tensor op, which is what keeps it responsive while training.
 */
import { serialize } from '@tensorgrad/nn';
import { DATASETS, configToQuery, type Config, type DatasetName } from './config.js';
import { Trainer, generateDataset, predict, type EpochStats, type Points } from './model.js';
import type { FromWorker, Progress, ToWorker } from './protocol.js';

/** Side of the grid the neuron thumbnails are computed on, and of the finer one behind the output map. */
const THUMB_SIZE = 24;
const OUTPUT_SIZE = 80;
/** Longest stretch of training before the worker looks at its messages again. */
const SLICE_MS = 30;

interface WorkerScope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
}
const scope = self as unknown as WorkerScope;

let trainer: Trainer | null = null;
let config: Config | null = null;
let generation = 0;
let running = false;
let timer: ReturnType<typeof setTimeout> | undefined;
/** Epochs owed at the chosen speed (fractional), and when that was last brought up to date. */
let credit = 0;
let lastTick = 0;

function snapshot(epochs: EpochStats[]): Progress {
  const t = trainer!;
  const probe = t.probe(THUMB_SIZE);
  const { trainLoss, testLoss } = epochs.length > 0 ? epochs[epochs.length - 1] : t.losses();
  return { generation, epoch: t.epoch, trainLoss, testLoss, epochs, probe, output: t.outputMap(OUTPUT_SIZE), outputSize: OUTPUT_SIZE, weights: t.weights() };
}

function transfers(p: Progress): Transferable[] {
  return [
    p.output.buffer, p.probe.output.buffer,
    ...p.probe.features.map((f) => f.buffer), ...p.probe.hidden.flat().map((h) => h.buffer),
    ...p.weights.weights.map((w) => w.buffer), ...p.weights.biases.map((b) => b.buffer),
  ] as Transferable[];
}

function post(message: FromWorker, transfer: Transferable[] = []): void {
  scope.postMessage(message, transfer);
}

function sendProgress(epochs: EpochStats[]): void {
  const p = snapshot(epochs);
  post({ type: 'progress', ...p }, transfers(p));
}

function schedule(): void {
  if (timer === undefined && running) timer = setTimeout(tick, config!.speed === 0 ? 0 : 16);
}

function tick(): void {
  timer = undefined;
  if (!running || trainer === null || config === null) return;
  const now = performance.now();
  const deadline = now + SLICE_MS;
  const epochs: EpochStats[] = [];
  if (config.speed === 0) {
    do epochs.push(trainer.step());
    while (performance.now() < deadline);
  } else {
    credit += ((now - lastTick) * config.speed) / 1000;
    while (credit >= 1 && performance.now() < deadline) {
      epochs.push(trainer.step());
      credit -= 1;
    }
    // A machine that cannot keep up trains as fast as it can, without a backlog to catch up on later.
    credit = Math.min(credit, 1);
  }
  lastTick = now;
  if (epochs.length > 0) sendProgress(epochs);
  schedule();
}

function setRunning(on: boolean): void {
  running = on;
  credit = 1;
  lastTick = performance.now();
  if (on) schedule();
  else if (timer !== undefined) {
    clearTimeout(timer);
    timer = undefined;
  }
}

function handle(msg: ToWorker): void {
  switch (msg.type) {
    case 'reset': {
      setRunning(false);
      generation = msg.generation;
      config = msg.config;
      trainer = new Trainer(msg.config);
      const progress = snapshot([]);
      const { train, test } = trainer;
      post(
        { type: 'ready', generation, train, test, graph: trainer.graphDot(), parameters: trainer.model.numParameters(), progress },
        transfers(progress),
      );
      break;
    }
    case 'update':
      config = msg.config;
      trainer?.update(msg.config);
      break;
    case 'play':
      setRunning(true);
      sendProgress([]);
      break;
    case 'pause':
      setRunning(false);
      sendProgress([]);
      break;
    case 'step':
      setRunning(false);
      if (trainer) sendProgress([trainer.step()]);
      break;
    case 'download': {
      const t = trainer!;
      const c = config!;
      const bytes = serialize(t.model, {
        metadata: {
          format: 'pt',
          'tensorgrad.playground': configToQuery(c),
          features: c.features.join(','),
          activation: c.activation,
          epoch: String(t.epoch),
        },
      });
      post({ type: 'model', id: msg.id, bytes, filename: `tensorgrad-playground-${c.dataset}-epoch${t.epoch}.safetensors` }, [bytes.buffer as ArrayBuffer]);
      break;
    }
    case 'thumbnails': {
      const datasets = Object.fromEntries(DATASETS.map((d) => [d, generateDataset(d, 0, 1, 160)])) as Record<DatasetName, Points>;
      post({ type: 'thumbnails', datasets });
      break;
    }
    case 'predict': {
      const values = predict(trainer!.model, config!.features, msg.xy);
      post({ type: 'prediction', id: msg.id, values }, [values.buffer as ArrayBuffer]);
      break;
    }
  }
}

scope.onmessage = (event) => {
  try {
    handle(event.data);
  } catch (e) {
    setRunning(false);
    post({ type: 'error', message: (e as Error).stack ?? String(e) });
  }
};
