/**
 * Messages between the page and the training worker. Every message about a training run carries the run's
 * `generation` (bumped by each reset), so the page can drop progress from a run it has already replaced.
 */
import type { Config, DatasetName } from './config.js';
import type { EpochStats, Points, Probe, Weights } from './model.js';

export type ToWorker =
  /** Start a new run: new data, new network, epoch 0, paused. */
  | { type: 'reset'; generation: number; config: Config }
  /** New values for the settings that apply while training (learning rate, optimizer, regularisation, batch size, speed). */
  | { type: 'update'; config: Config }
  | { type: 'play' }
  | { type: 'pause' }
  /** Train exactly one epoch (pauses first). */
  | { type: 'step' }
  /** Serialize the current network as safetensors. */
  | { type: 'download'; id: number }
  /** Probability of class 1 at interleaved (x, y) points. */
  | { type: 'predict'; id: number; xy: Float32Array }
  /** Small samples of every dataset, for the dataset buttons. */
  | { type: 'thumbnails' };

export type FromWorker =
  | { type: 'ready'; generation: number; train: Points; test: Points; graph: string; parameters: number; progress: Progress }
  | ({ type: 'progress' } & Progress)
  | { type: 'model'; id: number; bytes: Uint8Array; filename: string }
  | { type: 'prediction'; id: number; values: Float32Array }
  | { type: 'thumbnails'; datasets: Record<DatasetName, Points> }
  | { type: 'error'; message: string };

/** A snapshot of training for the views: the epochs finished since the last one, and the network as it is now. */
export interface Progress {
  generation: number;
  epoch: number;
  trainLoss: number;
  testLoss: number;
  epochs: EpochStats[];
  /** Features and hidden neurons over a coarse grid (the thumbnails). */
  probe: Probe;
  /** Probability of class 1 over a fine grid (the output map), row by row from the top. */
  output: Float32Array;
  outputSize: number;
  weights: Weights;
}
