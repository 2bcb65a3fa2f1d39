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
