/**
 * Seeded synthetic datasets for examples and tests (sklearn's make_moons / make_circles / make_blobs, the CS231n spirals,
 * XOR and noisy polynomials). Features come back as float32 [n, d] tensors, class labels as int32 [n] tensors; the same
 * seed always gives the same data.
 */
import { Generator, Tensor, tensor } from '@tensorgrad/core';
import { checkOptions, describeValue, expectBoolean, expectNumber } from '../util.js';

export interface Classification {
  /** Features [n, nFeatures], float32. */
  x: Tensor;
  /** Class labels [n], int32. */
  y: Tensor;
}

interface Builder {
  x: number[];
  y: number[];
}

function positiveInt(v: number, what: string, fnName: string, min = 1): void {
  expectNumber(v, fnName, what, { integer: true, min });
}

function nonNegative(v: number, what: string, fnName: string): void {
  expectNumber(v, fnName, what, { finite: true, min: 0 });
}

/** The options every generator shares: a finite seed and, where it shuffles, a boolean. */
function common(fnName: string, seed: unknown, shuffle: unknown = true): void {
  expectNumber(seed, fnName, 'seed', { finite: true });
  expectBoolean(shuffle, fnName, 'shuffle');
}

/** Finishes a dataset: optional seeded shuffle of the rows, then tensors. */
function finish(b: Builder, nFeatures: number, shuffle: boolean, g: Generator): Classification {
  const n = b.y.length;
  const order = Array.from({ length: n }, (_, i) => i);
  if (shuffle) {
    for (let i = n - 1; i > 0; i--) {
      const j = g.integer(0, i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
  }
  const x = new Float32Array(n * nFeatures);
  const y = new Int32Array(n);
  order.forEach((src, dst) => {
    for (let k = 0; k < nFeatures; k++) x[dst * nFeatures + k] = b.x[src * nFeatures + k];
    y[dst] = b.y[src];
  });
  return { x: tensor(x, { shape: [n, nFeatures] }), y: tensor(y, { shape: [n], dtype: 'int32' }) };
}

export interface XorOptions {
  /** Points drawn around each of the 4 corners (default 1: exactly the 4 XOR inputs). */
  samplesPerCorner?: number;
  /** Standard deviation of Gaussian jitter added to the points (default 0). */
  noise?: number;
  seed?: number;
}

/** XOR: inputs at the corners (0,0), (0,1), (1,0), (1,1) with labels 0, 1, 1, 0 (corner order, no shuffle). */
export function xor(options: XorOptions = {}): Classification {
  const { samplesPerCorner = 1, noise = 0, seed = 0 } = checkOptions(options, ['samplesPerCorner', 'noise', 'seed'], 'xor');
  common('xor', seed);
  positiveInt(samplesPerCorner, 'samplesPerCorner', 'xor');
  nonNegative(noise, 'noise', 'xor');
  const g = new Generator(seed);
  const b: Builder = { x: [], y: [] };
  for (const [a, c] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
    for (let i = 0; i < samplesPerCorner; i++) {
      b.x.push(a + noise * g.normal(), c + noise * g.normal());
      b.y.push(a ^ c);
    }
  }
  return finish(b, 2, false, g);
}

export interface MoonsOptions {
  /** Total number of points (default 200), split as evenly as possible between the two moons. */
  n?: number;
  /** Standard deviation of Gaussian noise (default 0.1). */
  noise?: number;
  shuffle?: boolean;
  seed?: number;
}

/** Two interleaving half circles (sklearn make_moons): label 0 on the upper moon, 1 on the lower. */
export function moons(options: MoonsOptions = {}): Classification {
  const { n = 200, noise = 0.1, shuffle = true, seed = 0 } = checkOptions(options, ['n', 'noise', 'shuffle', 'seed'], 'moons');
  common('moons', seed, shuffle);
  positiveInt(n, 'n', 'moons', 2);
  nonNegative(noise, 'noise', 'moons');
  const g = new Generator(seed);
  const nOut = Math.floor(n / 2);
  const nIn = n - nOut;
  const b: Builder = { x: [], y: [] };
  for (let i = 0; i < nOut; i++) {
    const t = nOut === 1 ? 0 : (Math.PI * i) / (nOut - 1);
    b.x.push(Math.cos(t), Math.sin(t));
    b.y.push(0);
  }
  for (let i = 0; i < nIn; i++) {
    const t = nIn === 1 ? 0 : (Math.PI * i) / (nIn - 1);
    b.x.push(1 - Math.cos(t), 1 - Math.sin(t) - 0.5);
    b.y.push(1);
  }
  for (let i = 0; i < b.x.length; i++) b.x[i] += noise * g.normal();
  return finish(b, 2, shuffle, g);
}

export interface CirclesOptions extends MoonsOptions {
  /** Radius of the inner circle relative to the outer one, in (0, 1) (default 0.5). */
  factor?: number;
}

/** A small circle inside a large one (sklearn make_circles): label 0 outside, 1 inside. */
export function circles(options: CirclesOptions = {}): Classification {
  const { n = 200, noise = 0.05, factor = 0.5, shuffle = true, seed = 0 } = checkOptions(options, ['n', 'noise', 'factor', 'shuffle', 'seed'], 'circles');
  common('circles', seed, shuffle);
  positiveInt(n, 'n', 'circles', 2);
  nonNegative(noise, 'noise', 'circles');
  if (typeof factor !== 'number' || !(factor > 0 && factor < 1)) throw new Error(`circles: factor must be in (0, 1), got ${describeValue(factor)}`);
  const g = new Generator(seed);
  const nOut = Math.floor(n / 2);
  const nIn = n - nOut;
  const b: Builder = { x: [], y: [] };
  for (const [count, radius, label] of [[nOut, 1, 0], [nIn, factor, 1]]) {
    for (let i = 0; i < count; i++) {
      const t = (2 * Math.PI * i) / count;
      b.x.push(radius * Math.cos(t), radius * Math.sin(t));
      b.y.push(label);
    }
  }
  for (let i = 0; i < b.x.length; i++) b.x[i] += noise * g.normal();
  return finish(b, 2, shuffle, g);
}

export interface SpiralsOptions {
  /** Points per class (default 100). */
  nPerClass?: number;
  /** Number of spiral arms / classes (default 2). */
  classes?: number;
  /** Standard deviation of the noise added to the angle (default 0.2). */
  noise?: number;
  /**
   * Radians each arm turns through while its radius grows from 0 to 1 (default 4, the CS231n data); arm c starts at
   * angle c·sweep, so with two classes a sweep of 3π gives two opposite arms of one and a half turns each.
   */
  sweep?: number;
  shuffle?: boolean;
  seed?: number;
}

/** Spiral arms, one per class (the CS231n spiral data): radius from 0 to 1 while the angle sweeps `sweep` radians per class. */
export function spirals(options: SpiralsOptions = {}): Classification {
  const { nPerClass = 100, classes = 2, noise = 0.2, sweep = 4, shuffle = true, seed = 0 } =
    checkOptions(options, ['nPerClass', 'classes', 'noise', 'sweep', 'shuffle', 'seed'], 'spirals');
  common('spirals', seed, shuffle);
  positiveInt(nPerClass, 'nPerClass', 'spirals', 2);
  positiveInt(classes, 'classes', 'spirals', 2);
  nonNegative(noise, 'noise', 'spirals');
  if (typeof sweep !== 'number' || !(sweep > 0 && Number.isFinite(sweep))) throw new Error(`spirals: sweep must be a positive number of radians, got ${describeValue(sweep)}`);
  const g = new Generator(seed);
  const b: Builder = { x: [], y: [] };
  for (let c = 0; c < classes; c++) {
    for (let i = 0; i < nPerClass; i++) {
      const r = i / (nPerClass - 1);
      const t = c * sweep + (sweep * i) / (nPerClass - 1) + noise * g.normal();
      b.x.push(r * Math.sin(t), r * Math.cos(t));
      b.y.push(c);
    }
  }
  return finish(b, 2, shuffle, g);
}

export interface BlobsOptions {
  /** Total number of points (default 300), spread evenly over the centers. */
  n?: number;
  /** Number of centers drawn uniformly in centerBox, or the centers themselves (default 3). */
  centers?: number | number[][];
  /** Dimensions of each point when centers is a number (default 2). */
  nFeatures?: number;
  /** Standard deviation of each cluster (default 1). */
  clusterStd?: number;
  /** Range the random centers are drawn from (default [-10, 10]). */
  centerBox?: [number, number];
  shuffle?: boolean;
  seed?: number;
}

/** Isotropic Gaussian clusters (sklearn make_blobs); the label is the cluster index. Also returns the centers used. */
export function blobs(options: BlobsOptions = {}): Classification & { centers: number[][] } {
  const { n = 300, centers = 3, nFeatures = 2, clusterStd = 1, centerBox = [-10, 10], shuffle = true, seed = 0 } =
    checkOptions(options, ['n', 'centers', 'nFeatures', 'clusterStd', 'centerBox', 'shuffle', 'seed'], 'blobs');
  common('blobs', seed, shuffle);
  positiveInt(n, 'n', 'blobs');
  nonNegative(clusterStd, 'clusterStd', 'blobs');
  const g = new Generator(seed);
  let centerList: number[][];
  if (typeof centers === 'number') {
    positiveInt(centers, 'centers', 'blobs');
    positiveInt(nFeatures, 'nFeatures', 'blobs');
    if (!Array.isArray(centerBox) || centerBox.length !== 2 || !centerBox.every(Number.isFinite) || !(centerBox[0] <= centerBox[1])) {
      throw new Error(`blobs: centerBox must be [low, high] with finite low <= high, got ${describeValue(centerBox)}`);
    }
    const [lo, hi] = centerBox;
    centerList = Array.from({ length: centers }, () => Array.from({ length: nFeatures }, () => lo + (hi - lo) * g.random()));
  } else {
    if (!Array.isArray(centers) || centers.length === 0 || centers.some((c) => !Array.isArray(c) || c.length !== centers[0].length || c.length === 0 || !c.every(Number.isFinite))) {
      throw new Error('blobs: centers must be a positive count or a non-empty array of equally long coordinate arrays');
    }
    centerList = centers.map((c) => [...c]);
  }
  const d = centerList[0].length;
  const b: Builder = { x: [], y: [] };
  centerList.forEach((center, c) => {
    const count = Math.floor(n / centerList.length) + (c < n % centerList.length ? 1 : 0);
    for (let i = 0; i < count; i++) {
      for (let k = 0; k < d; k++) b.x.push(center[k] + clusterStd * g.normal());
      b.y.push(c);
    }
  });
  return { ...finish(b, d, shuffle, g), centers: centerList };
}

export interface PolynomialOptions {
  /** Number of points (default 100). */
  n?: number;
  /** Coefficients from the constant term up: [c0, c1, c2] is c0 + c1·x + c2·x² (default [0.5, -1, -1.5, 2], a cubic). */
  coefficients?: number[];
  /** Standard deviation of Gaussian noise added to y (default 0.1). */
  noise?: number;
  /** Interval x is drawn uniformly from (default [-1, 1]). */
  xRange?: [number, number];
  seed?: number;
}

/** Noisy samples of a polynomial: x [n, 1] uniform in xRange, y [n, 1] = p(x) + noise, and `clean` [n, 1] = p(x). */
export function polynomialRegression(options: PolynomialOptions = {}): { x: Tensor; y: Tensor; clean: Tensor } {
  const { n = 100, coefficients = [0.5, -1, -1.5, 2], noise = 0.1, xRange = [-1, 1], seed = 0 } =
    checkOptions(options, ['n', 'coefficients', 'noise', 'xRange', 'seed'], 'polynomialRegression');
  common('polynomialRegression', seed);
  positiveInt(n, 'n', 'polynomialRegression');
  nonNegative(noise, 'noise', 'polynomialRegression');
  if (!Array.isArray(coefficients) || coefficients.length === 0 || !coefficients.every(Number.isFinite)) {
    throw new Error(`polynomialRegression: coefficients must be a non-empty array of finite numbers, got ${describeValue(coefficients)}`);
  }
  if (!Array.isArray(xRange) || xRange.length !== 2 || !xRange.every(Number.isFinite) || !(xRange[0] < xRange[1])) {
    throw new Error(`polynomialRegression: xRange must be [low, high] with finite low < high, got ${describeValue(xRange)}`);
  }
  const [lo, hi] = xRange;
  const g = new Generator(seed);
  const xs = new Float32Array(n);
  const clean = new Float32Array(n);
  const ys = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const x = lo + (hi - lo) * g.random();
    let p = 0;
    for (let k = coefficients.length - 1; k >= 0; k--) p = p * x + coefficients[k];
    xs[i] = x;
    clean[i] = p;
    ys[i] = p + noise * g.normal();
  }
  return { x: tensor(xs, { shape: [n, 1] }), y: tensor(ys, { shape: [n, 1] }), clean: tensor(clean, { shape: [n, 1] }) };
}
