import { noGrad, tensor } from '@tensorgrad/core';
import { bceWithLogitsLoss, deserialize, serialize } from '@tensorgrad/nn';
import { DATASETS, DEFAULT_CONFIG, DOMAIN, POINTS, cloneConfig, gridPoints, type Config } from '../src/web/config';
import { Trainer, buildNetwork, featurize, generateDataset, linearLayers, predict, splitPoints } from '../src/web/model';
import { layoutGraph, parseDot } from '../src/web/views/graph-layout';

const config = (over: Partial<Config> = {}): Config => ({ ...cloneConfig(DEFAULT_CONFIG), ...over });

describe('datasets', () => {
  test.each(DATASETS)('%s: 400 points, both classes, on the plane, the same for the same seed', (name) => {
    const { xy, labels } = generateDataset(name, 0, 3);
    expect(labels.length).toBe(POINTS);
    expect(xy.length).toBe(2 * POINTS);
    const blue = labels.reduce((a, b) => a + b, 0);
    expect(blue).toBeGreaterThanOrEqual(POINTS / 2 - 2);
    expect(blue).toBeLessThanOrEqual(POINTS / 2 + 2);
    expect(labels.every((l) => l === 0 || l === 1)).toBe(true);
    // Without noise every dataset stays inside the plotted square.
    expect(Math.max(...xy.map(Math.abs))).toBeLessThan(DOMAIN);
    expect(generateDataset(name, 0, 3)).toEqual({ xy, labels });
    expect(generateDataset(name, 0, 4).xy).not.toEqual(xy);
  });

  test.each(DATASETS)('%s: the default split gives train and test points of both classes from every part of the data', (name) => {
    const { train, test } = splitPoints(generateDataset(name, 0, 1), 50);
    for (const part of [train, test]) {
      const blue = part.labels.reduce((a, b) => a + b, 0);
      expect(blue / part.labels.length).toBeGreaterThan(0.4);
      expect(blue / part.labels.length).toBeLessThan(0.6);
      // Every quadrant of the plane that holds data holds training and test points alike.
      const quadrants = new Set<number>();
      for (let i = 0; i < part.labels.length; i++) quadrants.add((part.xy[2 * i] > 0 ? 1 : 0) + (part.xy[2 * i + 1] > 0 ? 2 : 0));
      for (const q of name === 'gauss' ? [0, 3] : [0, 1, 2, 3]) expect(quadrants.has(q)).toBe(true);
    }
  });

  test('noise widens the Gaussian clusters', () => {
    // Root-mean-square distance of each point to the nearer of the two centers.
    const spread = (noise: number) => {
      const { xy } = generateDataset('gauss', noise, 1);
      let s = 0;
      for (let i = 0; i < xy.length; i += 2) s += Math.min(Math.hypot(xy[i] - 2, xy[i + 1] - 2), Math.hypot(xy[i] + 2, xy[i + 1] + 2)) ** 2;
      return Math.sqrt(s / (xy.length / 2));
    };
    expect(spread(0)).toBeLessThan(1.2);
    expect(spread(50)).toBeGreaterThan(2 * spread(0));
  });

  test('the spiral has two opposite arms: a point and its mirror image through the origin have opposite labels', () => {
    const { xy, labels } = generateDataset('spiral', 0, 1);
    const mirrored = Array.from({ length: labels.length }, (_, i) => {
      let best = 0;
      let bestD = Infinity;
      for (let j = 0; j < labels.length; j++) {
        const d = Math.hypot(xy[2 * j] + xy[2 * i], xy[2 * j + 1] + xy[2 * i + 1]);
        if (d < bestD) [best, bestD] = [j, d];
      }
      return { d: bestD, same: labels[best] === labels[i] };
    }).filter((m) => Math.hypot(0, m.d) < 0.1);
    expect(mirrored.length).toBeGreaterThan(POINTS / 2);
    expect(mirrored.filter((m) => m.same).length).toBeLessThan(mirrored.length * 0.05);
  });

  test('splitPoints keeps the order: the first share trains, the rest tests', () => {
    const points = generateDataset('moons', 10, 2);
    const { train, test } = splitPoints(points, 30);
    expect(train.labels.length).toBe(120);
    expect(test.labels.length).toBe(280);
    expect(Array.from(train.xy)).toEqual(Array.from(points.xy.slice(0, 240)));
    expect(Array.from(test.labels)).toEqual(Array.from(points.labels.slice(120)));
  });
});

describe('features and network', () => {
  test('featurize computes the selected features in canonical order', () => {
    const x = featurize(Float32Array.from([2, -3, 0.5, 1]), ['siny', 'x', 'xy', 'y2']);
    expect(x.shape).toEqual([2, 4]);
    const expected = [[2, 9, -6, Math.sin(-3)], [0.5, 1, 0.5, Math.sin(1)]];
    (x.toArray() as number[][]).forEach((row, i) => row.forEach((v, k) => expect(v).toBeCloseTo(expected[i][k], 6)));
  });

  test('the network is an nn.Sequential with PyTorch names; same seed, same weights', () => {
    const model = buildNetwork({ features: ['x', 'y', 'sinx'], hidden: [5, 4], activation: 'gelu', seed: 3 });
    const shapes = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, t.shape]));
    expect(shapes).toEqual({ '0.weight': [5, 3], '0.bias': [5], '2.weight': [4, 5], '2.bias': [4], '4.weight': [1, 4], '4.bias': [1] });
    expect(String(model)).toContain('GELU');
    const again = buildNetwork({ features: ['x', 'y', 'sinx'], hidden: [5, 4], activation: 'gelu', seed: 3 });
    expect(again.stateDict()['2.weight'].toArray()).toEqual(model.stateDict()['2.weight'].toArray());
    expect(linearLayers(buildNetwork({ features: ['x'], hidden: [], activation: 'relu', seed: 0 }))).toHaveLength(1);
  });
});

describe('Trainer', () => {
  test('the default network learns the spiral: test loss below 0.1 within 200 epochs', () => {
    const t = new Trainer(config({ dataset: 'spiral' }));
    const first = t.losses();
    expect(first.testLoss).toBeGreaterThan(0.5);
    let stats = t.step();
    while (stats.testLoss >= 0.1 && t.epoch < 200) stats = t.step();
    expect(stats.testLoss).toBeLessThan(0.1);
    expect(stats.gradNorms).toHaveLength(4);
    expect(stats.gradNorms.every((g) => g > 0 && Number.isFinite(g))).toBe(true);
  });

  test('an epoch is one pass in mini-batches; losses are the mean BCE on each split', () => {
    const t = new Trainer(config({ dataset: 'gauss', trainPercent: 40, batchSize: 30 }));
    const stats = t.step();
    expect(t.epoch).toBe(1);
    const { trainLoss, testLoss } = t.losses();
    expect(stats.trainLoss).toBeCloseTo(trainLoss, 6);
    const direct = noGrad(() => bceWithLogitsLoss(t.model.forward(featurize(t.test.xy, DEFAULT_CONFIG.features)), tensor(t.test.labels, { shape: [t.test.labels.length, 1] })).item());
    expect(testLoss).toBeCloseTo(direct, 6);
  });

  test('the L2 and L1 penalties are rate·Σw²/2 and rate·Σ|w| over the weights, not the biases', () => {
    const x = featurize(Float32Array.from([1, 2, -1, 0.5]), DEFAULT_CONFIG.features);
    const y = tensor([[1], [0]]);
    const plain = new Trainer(config({ regularization: 'none' })).objective(x, y).item();
    for (const [reg, f] of [['l2', (w: number) => (w * w) / 2], ['l1', Math.abs]] as const) {
      const t = new Trainer(config({ regularization: reg, regularizationRate: 0.1 }));
      const penalty = linearLayers(t.model).reduce((s, l) => s + Array.from(l.weight.data).reduce((a, w) => a + f(w), 0), 0);
      expect(t.objective(x, y).item()).toBeCloseTo(plain + 0.1 * penalty, 5);
    }
  });

  test('live settings change without a restart; a new optimizer starts from the current weights', () => {
    const t = new Trainer(config({ dataset: 'circle' }));
    t.step();
    const before = t.model.stateDict()['0.weight'].toArray();
    t.update(config({ dataset: 'circle', learningRate: 0, optimizer: 'sgd' }));
    t.step();
    expect(t.model.stateDict()['0.weight'].toArray()).toEqual(before);
    t.update(config({ dataset: 'circle', learningRate: 0.1, optimizer: 'sgd', batchSize: 20 }));
    t.step();
    expect(t.model.stateDict()['0.weight'].toArray()).not.toEqual(before);
    expect(t.epoch).toBe(3);
  });

  test('probe reports every feature and hidden neuron over the grid, and the same output as predict', () => {
    const c = config({ hidden: [3, 2], activation: 'relu' });
    const t = new Trainer(c);
    const p = t.probe(6);
    expect(p.features).toHaveLength(6);
    expect(p.hidden.map((layer) => layer.length)).toEqual([3, 2]);
    expect(p.hidden[0][0]).toHaveLength(36);
    expect(Array.from(p.hidden[0][1]).every((v) => v >= 0)).toBe(true);
    const grid = gridPoints(6);
    // Features in canonical order: x, y, x², y², sin x, sin y; grid point 7 is (grid[14], grid[15]).
    expect(p.features[2][7]).toBeCloseTo(grid[14] ** 2, 5);
    expect(p.features[4][7]).toBeCloseTo(Math.sin(grid[14]), 6);
    const output = predict(t.model, c.features, grid);
    Array.from(p.output).forEach((v, i) => expect(v).toBeCloseTo(output[i], 6));
    Array.from(t.outputMap(6)).forEach((v, i) => expect(v).toBeCloseTo(output[i], 6));
  });

  test('the saved model reloads into a network that predicts the same', () => {
    const t = new Trainer(config({ dataset: 'xor' }));
    for (let i = 0; i < 3; i++) t.step();
    const bytes = serialize(t.model, { metadata: { features: DEFAULT_CONFIG.features.join(',') } });
    const copy = buildNetwork({ ...DEFAULT_CONFIG, seed: 99 });
    copy.loadStateDict(deserialize(bytes));
    const grid = gridPoints(10);
    expect(Array.from(predict(copy, DEFAULT_CONFIG.features, grid))).toEqual(Array.from(predict(t.model, DEFAULT_CONFIG.features, grid)));
  });
});

describe('the computation graph', () => {
  test('toDot output parses into named parameters, ops and one root, layered from inputs to loss', () => {
    const t = new Trainer(config({ hidden: [3], regularization: 'l2', regularizationRate: 0.01 }));
    const graph = parseDot(t.graphDot());
    const params = graph.nodes.filter((n) => n.kind === 'parameter').map((n) => n.title).sort();
    expect(params).toEqual(['0.bias', '0.weight', '2.bias', '2.weight']);
    // The labels enter as 1 - labels, computed without grad, so that constant is an unnamed leaf.
    expect(graph.nodes.filter((n) => n.kind === 'data').map((n) => `${n.title}${n.shape}`).sort()).toEqual(['[2, 1]', 'features[2, 6]']);
    expect(graph.nodes.filter((n) => n.root)).toHaveLength(1);
    expect(graph.nodes.some((n) => n.kind === 'op' && n.title === 'matmul' && n.shape === '[2, 3]')).toBe(true);
    const placed = new Map(layoutGraph(graph).map((p) => [p.id, p]));
    for (const [from, to] of graph.edges) expect(placed.get(from)!.rank).toBeLessThan(placed.get(to)!.rank);
    const root = graph.nodes.find((n) => n.root)!;
    expect(placed.get(root.id)!.rank).toBe(Math.max(...[...placed.values()].map((p) => p.rank)));
    // Orders within a rank are a permutation 0..k-1.
    const byRank = new Map<number, number[]>();
    for (const p of placed.values()) byRank.set(p.rank, [...(byRank.get(p.rank) ?? []), p.order]);
    for (const orders of byRank.values()) expect(orders.sort((a, b) => a - b)).toEqual(orders.map((_, i) => i));
  });
});
