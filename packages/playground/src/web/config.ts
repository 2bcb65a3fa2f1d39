/**
 * The playground's whole configuration: what each control can be set to, the defaults, and the URL form
 * (`#dataset=spiral&hidden=8,8,6&…`) that makes a configuration shareable. No DOM and no tensors here, so the page,
 * the worker and Node tests all share it.
 */

/** The datasets, as written in the URL. */
export const DATASETS = ['circle', 'xor', 'gauss', 'spiral', 'moons'] as const;
/** The input features in their canonical order (the network's input columns follow it). */
export const FEATURES = ['x', 'y', 'x2', 'y2', 'xy', 'sinx', 'siny'] as const;
/** Activations after each hidden layer. */
export const ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'gelu'] as const;
/** Optimizers: plain SGD, SGD with momentum 0.9, Adam. */
export const OPTIMIZERS = ['sgd', 'momentum', 'adam'] as const;
/** Weight penalties added to the loss. */
export const REGULARIZATIONS = ['none', 'l1', 'l2'] as const;

export type DatasetName = (typeof DATASETS)[number];
export type FeatureName = (typeof FEATURES)[number];
export type ActivationName = (typeof ACTIVATIONS)[number];
export type OptimizerName = (typeof OPTIMIZERS)[number];
export type RegularizationName = (typeof REGULARIZATIONS)[number];

/** The values the learning-rate menu offers (a URL may carry any positive number). */
export const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
/** The values the regularisation-rate menu offers. */
export const REGULARIZATION_RATES = [0, 0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1];

/** Human-readable description of each dataset, for labels and docs. */
export const DATASET_INFO: Record<DatasetName, { title: string; description: string }> = {
  circle: { title: 'Circle', description: 'A disc of one class inside a ring of the other' },
  xor: { title: 'XOR', description: 'Four clusters at the corners; diagonal corners share a class' },
  gauss: { title: 'Two Gaussians', description: 'Two round clusters, separable by a straight line' },
  spiral: { title: 'Spiral', description: 'Two interleaved spiral arms, one turn and a half each' },
  moons: { title: 'Two moons', description: 'Two interlocking half circles' },
};

/** Half the side of the square the data lives in: points and the output map cover [-DOMAIN, DOMAIN]². */
export const DOMAIN = 6;

/** What each input feature computes from a point (x, y), and how it is written (x₁ is x, x₂ is y). */
export const FEATURE_INFO: Record<FeatureName, { label: string; fn: (x: number, y: number) => number }> = {
  x: { label: 'x₁', fn: (x) => x },
  y: { label: 'x₂', fn: (_x, y) => y },
  x2: { label: 'x₁²', fn: (x) => x * x },
  y2: { label: 'x₂²', fn: (_x, y) => y * y },
  xy: { label: 'x₁x₂', fn: (x, y) => x * y },
  sinx: { label: 'sin(x₁)', fn: (x) => Math.sin(x) },
  siny: { label: 'sin(x₂)', fn: (_x, y) => Math.sin(y) },
};

/** An evenly spaced `size`×`size` grid over the domain as interleaved (x, y), row by row from the top (y = +DOMAIN) down. */
export function gridPoints(size: number): Float32Array {
  const xy = new Float32Array(2 * size * size);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const i = r * size + c;
      xy[2 * i] = -DOMAIN + ((c + 0.5) * 2 * DOMAIN) / size;
      xy[2 * i + 1] = DOMAIN - ((r + 0.5) * 2 * DOMAIN) / size;
    }
  }
  return xy;
}

/** Most hidden layers the page offers. */
export const MAX_HIDDEN_LAYERS = 6;
/** Most neurons per hidden layer. */
export const MAX_NEURONS = 8;
/** Training speeds offered, in epochs per second; 0 trains as fast as the machine can. */
export const SPEEDS = [1, 3, 10, 30, 100, 300, 0];
/** Points generated per dataset, before the train/test split. */
export const POINTS = 400;

/** Every setting of the playground; `configToQuery`/`parseConfig` map it to and from the URL fragment. */
export interface Config {
  dataset: DatasetName;
  /** Noise in percent, 0–50 (what it means depends on the dataset: spread of clusters, jitter of curves). */
  noise: number;
  /** Share of the points used for training, in percent (10–90); the rest is the test set. */
  trainPercent: number;
  /** Points per gradient step (1–30). */
  batchSize: number;
  /** Neurons per hidden layer (0–6 layers of 1–8 neurons). */
  hidden: number[];
  activation: ActivationName;
  learningRate: number;
  optimizer: OptimizerName;
  regularization: RegularizationName;
  regularizationRate: number;
  /** Input features fed to the network, in the order of FEATURES. At least one. */
  features: FeatureName[];
  /** Seed of the data, the split, the initial weights and the batch order. */
  seed: number;
  /** Epochs per second (one of SPEEDS; 0: as fast as possible). */
  speed: number;
  /** Draw the test points on the output map. */
  showTestData: boolean;
  /** Colour the output map by predicted class instead of by probability. */
  discretize: boolean;
}

/**
 * Defaults chosen so that every dataset, the spiral included, is learned in seconds and stays learned: the squares
 * and sines of the coordinates make round and rotating boundaries easy to express, Adam forgives the learning rate,
 * and a little L2 keeps the spiral's outer tips from overfitting (without it, some seeds' test loss climbs back up).
 */
export const DEFAULT_CONFIG: Readonly<Config> = Object.freeze({
  dataset: 'circle',
  noise: 0,
  trainPercent: 50,
  batchSize: 10,
  hidden: [8, 8, 6],
  activation: 'tanh',
  learningRate: 0.01,
  optimizer: 'adam',
  regularization: 'l2',
  regularizationRate: 0.001,
  features: ['x', 'y', 'x2', 'y2', 'sinx', 'siny'],
  seed: 1,
  speed: 30,
  showTestData: false,
  discretize: false,
} satisfies Config) as Readonly<Config>;

/** Which kind of change a key makes: new data (and a new network), a new network, or a setting applied while training. */
export const KEY_EFFECT: Record<keyof Config, 'data' | 'network' | 'live' | 'view'> = {
  dataset: 'data',
  noise: 'data',
  trainPercent: 'data',
  seed: 'data',
  hidden: 'network',
  activation: 'network',
  features: 'network',
  batchSize: 'live',
  learningRate: 'live',
  optimizer: 'live',
  regularization: 'live',
  regularizationRate: 'live',
  speed: 'live',
  showTestData: 'view',
  discretize: 'view',
};

/** URL parameter names, in the order they are written. */
const URL_KEYS: Record<keyof Config, string> = {
  dataset: 'dataset',
  noise: 'noise',
  trainPercent: 'train',
  batchSize: 'batch',
  hidden: 'hidden',
  activation: 'activation',
  learningRate: 'lr',
  optimizer: 'optimizer',
  regularization: 'reg',
  regularizationRate: 'regRate',
  features: 'features',
  seed: 'seed',
  speed: 'speed',
  showTestData: 'showTest',
  discretize: 'discretize',
};

/** Copies a configuration (its arrays too), so edits to the copy never reach the original. */
export function cloneConfig(c: Readonly<Config>): Config {
  return { ...c, hidden: [...c.hidden], features: [...c.features] };
}

/** The URL fragment (without '#') that encodes every setting; `parseConfig` turns it back into the same config. */
export function configToQuery(c: Readonly<Config>): string {
  const values: Record<keyof Config, string> = {
    dataset: c.dataset,
    noise: String(c.noise),
    trainPercent: String(c.trainPercent),
    batchSize: String(c.batchSize),
    hidden: c.hidden.join(','),
    activation: c.activation,
    learningRate: String(c.learningRate),
    optimizer: c.optimizer,
    regularization: c.regularization,
    regularizationRate: String(c.regularizationRate),
    features: c.features.join(','),
    seed: String(c.seed),
    speed: String(c.speed),
    showTestData: c.showTestData ? '1' : '0',
    discretize: c.discretize ? '1' : '0',
  };
  const params = new URLSearchParams();
  for (const key of Object.keys(URL_KEYS) as Array<keyof Config>) params.set(URL_KEYS[key], values[key]);
  // Commas are safe in a fragment and read better than %2C.
  return params.toString().replace(/%2C/g, ',');
}

function intIn(text: string, lo: number, hi: number): number | undefined {
  if (!/^-?\d+$/.test(text)) return undefined;
  const v = Number(text);
  return v >= lo && v <= hi ? v : undefined;
}

function oneOf<T extends string>(text: string, options: readonly T[]): T | undefined {
  return (options as readonly string[]).includes(text) ? (text as T) : undefined;
}

function positiveNumber(text: string, max: number): number | undefined {
  const v = Number(text);
  return text.trim() !== '' && Number.isFinite(v) && v > 0 && v <= max ? v : undefined;
}

function flag(text: string): boolean | undefined {
  return text === '1' || text === 'true' ? true : text === '0' || text === 'false' ? false : undefined;
}

const PARSERS: { [K in keyof Config]: (text: string) => Config[K] | undefined } = {
  dataset: (t) => oneOf(t, DATASETS),
  noise: (t) => intIn(t, 0, 50),
  trainPercent: (t) => intIn(t, 10, 90),
  batchSize: (t) => intIn(t, 1, 30),
  hidden: (t) => {
    if (t === '') return [];
    const sizes = t.split(',').map((s) => intIn(s, 1, MAX_NEURONS));
    return sizes.length <= MAX_HIDDEN_LAYERS && sizes.every((s) => s !== undefined) ? (sizes as number[]) : undefined;
  },
  activation: (t) => oneOf(t, ACTIVATIONS),
  learningRate: (t) => positiveNumber(t, 100),
  optimizer: (t) => oneOf(t, OPTIMIZERS),
  regularization: (t) => oneOf(t, REGULARIZATIONS),
  regularizationRate: (t) => (t === '0' ? 0 : positiveNumber(t, 100)),
  features: (t) => {
    const names = t.split(',');
    if (!names.every((n) => oneOf(n, FEATURES) !== undefined)) return undefined;
    // Keep the canonical order and drop repeats, so equal sets give equal URLs.
    const picked = FEATURES.filter((f) => names.includes(f));
    return picked.length > 0 ? picked : undefined;
  },
  seed: (t) => intIn(t, 0, 2 ** 31 - 1),
  speed: (t) => {
    const v = intIn(t, 0, 1000);
    return v !== undefined && SPEEDS.includes(v) ? v : undefined;
  },
  showTestData: flag,
  discretize: flag,
};

export interface ParsedConfig {
  config: Config;
  /** One sentence per parameter that was present but invalid or unknown (those fall back to the default). */
  problems: string[];
}

/**
 * Reads a configuration from a URL fragment or query (`#a=1&b=2`, `?a=1&b=2` or `a=1&b=2`). Missing parameters take
 * their defaults; invalid or unknown ones are reported in `problems` and also take their defaults, so a hand-edited
 * or old link still opens.
 */
export function parseConfig(text: string): ParsedConfig {
  const params = new URLSearchParams(text.replace(/^[#?]/, ''));
  const config = cloneConfig(DEFAULT_CONFIG);
  const problems: string[] = [];
  const byUrlKey = new Map(Object.entries(URL_KEYS).map(([key, urlKey]) => [urlKey, key as keyof Config]));
  for (const [urlKey, value] of params) {
    const key = byUrlKey.get(urlKey);
    if (key === undefined) {
      problems.push(`unknown setting '${urlKey}'`);
      continue;
    }
    const parsed = PARSERS[key](value);
    if (parsed === undefined) problems.push(`invalid ${urlKey} '${value}' (kept the default)`);
    else (config as unknown as Record<string, unknown>)[key] = parsed;
  }
  return { config, problems };
}

/** The keys whose values differ between two configurations. */
export function changedKeys(a: Readonly<Config>, b: Readonly<Config>): Array<keyof Config> {
  return (Object.keys(URL_KEYS) as Array<keyof Config>).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}
