/**
 * Everything the playground trains, with no DOM: the datasets (nn's seeded generators placed on the [-6, 6]² plane),
 * the input features, the network (an nn `MLP`, so its state dict is PyTorch's `nn.Sequential`), and a `Trainer` that
 * runs epochs and reports what the views draw. The Web Worker drives it; Node tests and scripts use it directly.
 */
import { Generator, Tensor, abs, noGrad, tensor, toDot } from '@tensorgrad/core';
import {
  Adam, DataLoader, Linear, MLP, SGD, TensorDataset, bceWithLogitsLoss, blobs, circles, moons, spirals, xor,
  type Classification, type Optimizer,
} from '@tensorgrad/nn';
import { FEATURES, FEATURE_INFO, POINTS, gridPoints, type Config, type DatasetName, type FeatureName } from './config.js';

/** Points as interleaved (x, y) pairs and labels 0 or 1. */
export interface Points {
  xy: Float32Array;
  labels: Float32Array;
}

/** Places a generator's output on the plane: p ↦ (p - center) · scale. */
function place({ x, y }: Classification, center: [number, number], scale: number): Points {
  const raw = x.data;
  const xy = new Float32Array(raw.length);
  for (let i = 0; i < raw.length; i += 2) {
    xy[i] = (raw[i] - center[0]) * scale;
    xy[i + 1] = (raw[i + 1] - center[1]) * scale;
  }
  return { xy, labels: Float32Array.from(y.data) };
}

/**
 * The `n` points of a dataset, from nn's generators, in a seeded random order (so any prefix is a fair sample: nn's
 * `xor` lists its corners in order). `noise` is in percent (0–50); it widens clusters and blurs curves, scaled per
 * dataset so that 50% makes every problem hard but not hopeless.
 */
export function generateDataset(name: DatasetName, noise: number, seed: number, n = POINTS): Points {
  return shuffle(placeDataset(name, noise / 100, seed, n), new Generator(seed + 1));
}

function shuffle({ xy, labels }: Points, g: Generator): Points {
  const n = labels.length;
  const outXy = new Float32Array(xy.length);
  const outLabels = new Float32Array(n);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = g.integer(0, i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  order.forEach((src, dst) => {
    outXy[2 * dst] = xy[2 * src];
    outXy[2 * dst + 1] = xy[2 * src + 1];
    outLabels[dst] = labels[src];
  });
  return { xy: outXy, labels: outLabels };
}

function placeDataset(name: DatasetName, f: number, seed: number, n: number): Points {
  switch (name) {
    case 'circle':
      return place(circles({ n, noise: 0.4 * f, factor: 0.5, seed }), [0, 0], 5);
    case 'xor':
      // nn's xor puts exact copies on the corners; a base spread turns them into clusters.
      return place(xor({ samplesPerCorner: Math.ceil(n / 4), noise: 0.12 + 0.5 * f, seed }), [0.5, 0.5], 6);
    case 'gauss':
      return place(blobs({ n, centers: [[2, 2], [-2, -2]], clusterStd: 0.7 + 2.6 * f, seed }), [0, 0], 1);
    case 'spiral':
      return place(spirals({ nPerClass: Math.ceil(n / 2), classes: 2, sweep: 3 * Math.PI, noise: 0.6 * f, seed }), [0, 0], 5.5);
    case 'moons':
      return place(moons({ n, noise: 0.4 * f, seed }), [0.5, 0.25], 3.5);
  }
}

/** Splits shuffled points: the first `trainPercent`% train, the rest test (at least one point each). */
export function splitPoints({ xy, labels }: Points, trainPercent: number): { train: Points; test: Points } {
  const n = labels.length;
  const nTrain = Math.min(n - 1, Math.max(1, Math.round((n * trainPercent) / 100)));
  return {
    train: { xy: xy.slice(0, 2 * nTrain), labels: labels.slice(0, nTrain) },
    test: { xy: xy.slice(2 * nTrain), labels: labels.slice(nTrain) },
  };
}

/** The network's input: one row per point, one column per selected feature (in FEATURES order), float32. */
export function featurize(xy: Float32Array, features: readonly FeatureName[]): Tensor {
  const fns = FEATURES.filter((f) => features.includes(f)).map((f) => FEATURE_INFO[f].fn);
  const n = xy.length / 2;
  const out = new Float32Array(n * fns.length);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < fns.length; k++) out[i * fns.length + k] = fns[k](xy[2 * i], xy[2 * i + 1]);
  }
  return tensor(out, { shape: [n, fns.length] });
}

/** The network for a configuration: features → hidden layers → one logit. Same seed, same initial weights. */
export function buildNetwork(config: Pick<Config, 'features' | 'hidden' | 'activation' | 'seed'>): MLP {
  return new MLP([config.features.length, ...config.hidden, 1], { activation: config.activation, generator: new Generator(config.seed) });
}

/** The Linear layers of a network, input side first. */
export function linearLayers(model: MLP): Linear[] {
  return [...model].filter((m): m is Linear => m instanceof Linear);
}

/** Probability of class 1 for each point (interleaved x, y), with the features the network was built for. */
export function predict(model: MLP, features: readonly FeatureName[], xy: Float32Array): Float32Array {
  return noGrad(() => Float32Array.from(model.forward(featurize(xy, features)).sigmoid().data));
}

/** One epoch's summary. */
export interface EpochStats {
  epoch: number;
  trainLoss: number;
  testLoss: number;
  /** Mean over the epoch's steps of the gradient norm ‖∂loss/∂W‖ of each Linear layer's weight, input side first. */
  gradNorms: number[];
}

/** What every neuron computes over a grid: features, then each hidden layer after its activation, then the output. */
export interface Probe {
  size: number;
  /** [feature][size·size] */
  features: Float32Array[];
  /** [layer][neuron][size·size] */
  hidden: Float32Array[][];
  /** Probability of class 1, [size·size]. */
  output: Float32Array;
}

/** Weights of each Linear layer ([out, in] row-major) and its biases, input side first. */
export interface Weights {
  shapes: Array<[number, number]>;
  weights: Float32Array[];
  biases: Float32Array[];
}

function columns(t: Tensor, size: number): Float32Array[] {
  const [n, k] = t.shape;
  const data = t.data;
  return Array.from({ length: k }, (_, j) => {
    const col = new Float32Array(size);
    for (let i = 0; i < n; i++) col[i] = data[i * k + j];
    return col;
  });
}

/**
 * Data, network and optimizer of one training run. `step()` trains one epoch (one pass over the training points in
 * shuffled mini-batches); settings marked 'live' in KEY_EFFECT change through `update()` without a restart.
 */
export class Trainer {
  readonly model: MLP;
  readonly train: Points;
  readonly test: Points;
  epoch = 0;
  private config: Config;
  private optimizer!: Optimizer<{ lr: number }>;
  private loader!: DataLoader;
  private readonly xTrain: Tensor;
  private readonly yTrain: Tensor;
  private readonly xTest: Tensor;
  private readonly yTest: Tensor;

  constructor(config: Config) {
    this.config = { ...config, hidden: [...config.hidden], features: [...config.features] };
    const { train, test } = splitPoints(generateDataset(config.dataset, config.noise, config.seed), config.trainPercent);
    this.train = train;
    this.test = test;
    this.xTrain = featurize(train.xy, config.features);
    this.yTrain = tensor(train.labels, { shape: [train.labels.length, 1] });
    this.xTest = featurize(test.xy, config.features);
    this.yTest = tensor(test.labels, { shape: [test.labels.length, 1] });
    this.model = buildNetwork(config);
    // Named parameters label the leaves of the computation graph drawing.
    for (const [name, p] of this.model.namedParameters()) p.name = name;
    this.makeOptimizer();
    this.makeLoader();
  }

  /** Applies new values of the live settings (learning rate, optimizer, regularisation, batch size). */
  update(config: Config): void {
    const old = this.config;
    this.config = { ...config, hidden: [...config.hidden], features: [...config.features] };
    if (config.optimizer !== old.optimizer) this.makeOptimizer();
    else for (const group of this.optimizer.paramGroups) group.lr = config.learningRate;
    if (config.batchSize !== old.batchSize) this.makeLoader();
  }

  private makeOptimizer(): void {
    const { optimizer, learningRate: lr } = this.config;
    const params = this.model.parameters();
    this.optimizer = optimizer === 'adam' ? new Adam(params, { lr }) : new SGD(params, { lr, momentum: optimizer === 'momentum' ? 0.9 : 0 });
  }

  private makeLoader(): void {
    // The batch order continues from the run's seed and epoch, so a restart with the same settings repeats itself.
    this.loader = new DataLoader(new TensorDataset(this.xTrain, this.yTrain), { batchSize: this.config.batchSize, shuffle: true, seed: this.config.seed + 7919 * this.epoch });
  }

  /** The L1 or L2 penalty on the weights (not the biases), as TensorFlow Playground applies it; null when off. */
  private penalty(): Tensor | null {
    const { regularization, regularizationRate: rate } = this.config;
    if (regularization === 'none' || rate === 0) return null;
    const terms = linearLayers(this.model).map((l) => (regularization === 'l1' ? abs(l.weight).sum() : l.weight.square().sum().mul(0.5)));
    return terms.reduce((a, b) => a.add(b)).mul(rate);
  }

  /** The training objective for a batch: mean binary cross-entropy on the logits plus the penalty. */
  objective(x: Tensor, y: Tensor): Tensor {
    const loss = bceWithLogitsLoss(this.model.forward(x), y);
    const penalty = this.penalty();
    return penalty === null ? loss : loss.add(penalty);
  }

  /** Trains one epoch and returns its losses and gradient norms. */
  step(): EpochStats {
    const layers = linearLayers(this.model);
    const norms = new Array<number>(layers.length).fill(0);
    let steps = 0;
    for (const [x, y] of this.loader) {
      this.optimizer.zeroGrad();
      this.objective(x, y).backward();
      layers.forEach((l, i) => {
        const g = l.weight.grad!.data;
        let s = 0;
        for (let k = 0; k < g.length; k++) s += g[k] * g[k];
        norms[i] += Math.sqrt(s);
      });
      this.optimizer.step();
      steps++;
    }
    this.epoch++;
    return { epoch: this.epoch, ...this.losses(), gradNorms: norms.map((s) => s / steps) };
  }

  /** Mean binary cross-entropy (without the penalty) on the training and test points. */
  losses(): { trainLoss: number; testLoss: number } {
    return noGrad(() => ({
      trainLoss: bceWithLogitsLoss(this.model.forward(this.xTrain), this.yTrain).item(),
      testLoss: bceWithLogitsLoss(this.model.forward(this.xTest), this.yTest).item(),
    }));
  }

  /** What every feature and neuron outputs over a `size`×`size` grid of the domain (see `gridPoints`). */
  probe(size: number): Probe {
    const cells = size * size;
    return noGrad(() => {
      const x = featurize(gridPoints(size), this.config.features);
      const hidden: Float32Array[][] = [];
      let h = x;
      const modules = [...this.model];
      modules.forEach((m, i) => {
        h = m.forward(h);
        // A hidden layer's output is the activation that follows a Linear (the last Linear has none).
        if (!(m instanceof Linear) && i < modules.length - 1) hidden.push(columns(h, cells));
      });
      return { size, features: columns(x, cells), hidden, output: Float32Array.from(h.sigmoid().data) };
    });
  }

  /** Probability of class 1 over a `size`×`size` grid of the domain (see `gridPoints`). */
  outputMap(size: number): Float32Array {
    return predict(this.model, this.config.features, gridPoints(size));
  }

  /** Copies of the current weights and biases. */
  weights(): Weights {
    const layers = linearLayers(this.model);
    return {
      shapes: layers.map((l) => [l.outFeatures, l.inFeatures]),
      weights: layers.map((l) => Float32Array.from(l.weight.data)),
      biases: layers.map((l) => Float32Array.from(l.bias!.data)),
    };
  }

  /** Graphviz DOT of the autograd graph of the objective on two training points (what backward walks through). */
  graphDot(): string {
    const x = this.xTrain.narrow(0, 0, 2);
    x.name = 'features';
    return toDot(this.objective(x, this.yTrain.narrow(0, 0, 2)));
  }
}
