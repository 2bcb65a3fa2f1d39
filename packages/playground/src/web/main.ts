/**
 * The page: keeps the configuration (mirrored in the URL fragment), wires the controls, talks to the training worker
 * and draws what it reports, at most once per animation frame. No tensor code runs on this thread.
 */
import {
  DATASET_INFO, DEFAULT_CONFIG, FEATURES, KEY_EFFECT, LEARNING_RATES, MAX_HIDDEN_LAYERS, REGULARIZATION_RATES, SPEEDS,
  changedKeys, cloneConfig, configToQuery, parseConfig, type Config, type DatasetName, type FeatureName,
} from './config.js';
import type { EpochStats, Points } from './model.js';
import type { FromWorker, Progress, ToWorker } from './protocol.js';
import { LineChart } from './views/charts.js';
import { LAYER_COLORS } from './views/colors.js';
import { drawGraph } from './views/graph.js';
import { drawPoints, fitCanvas, paintGrid, probabilityScale, symmetricScale } from './views/heatmap.js';
import { NetworkView, type NodeRef } from './views/network.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const e = document.getElementById(id);
  if (!e) throw new Error(`playground: the page has no #${id}`);
  return e as T;
};

// ---- state -------------------------------------------------------------------------------------------------------
const parsed = parseConfig(location.hash);
let config: Config = parsed.config;
let generation = 0;
let running = false;
/** Every finished epoch of the current run, from epoch 0 (the untrained network). */
let epochLog: EpochStats[] = [];
let data: { train: Points; test: Points } | null = null;
let latest: Progress | null = null;
let hovered: NodeRef | null = null;
let frameRequested = false;
let requestId = 0;
const pending = new Map<number, (message: FromWorker) => void>();

const worker = new Worker('worker.js');
const send = (message: ToWorker, transfer: Transferable[] = []) => worker.postMessage(message, transfer);

// ---- controls ----------------------------------------------------------------------------------------------------
const playButton = $<HTMLButtonElement>('play');
const selects = {
  learningRate: $<HTMLSelectElement>('learning-rate'),
  activation: $<HTMLSelectElement>('activation'),
  optimizer: $<HTMLSelectElement>('optimizer'),
  regularization: $<HTMLSelectElement>('regularization'),
  regularizationRate: $<HTMLSelectElement>('regularization-rate'),
  speed: $<HTMLSelectElement>('speed'),
};
const sliders = {
  trainPercent: { input: $<HTMLInputElement>('train-ratio'), output: $('train-ratio-value'), format: (v: number) => `${v}%` },
  noise: { input: $<HTMLInputElement>('noise'), output: $('noise-value'), format: String },
  batchSize: { input: $<HTMLInputElement>('batch-size'), output: $('batch-size-value'), format: String },
};
const checks = { showTestData: $<HTMLInputElement>('show-test'), discretize: $<HTMLInputElement>('discretize') };
const datasetButtons = [...document.querySelectorAll<HTMLButtonElement>('.dataset')];
const mapCanvas = $<HTMLCanvasElement>('output-map');
/** The data points sit on a canvas of their own over the map, redrawn only when the points or their size change. */
const pointsCanvas = $<HTMLCanvasElement>('points-layer');
let pointsSize = 300;
let pointsDrawn = '';
new ResizeObserver(([entry]) => {
  pointsSize = Math.round(entry.contentRect.width) || pointsSize;
  requestFrame();
}).observe(pointsCanvas);

/** Fills a numeric menu with `values`, plus `current` if a URL asked for a value the menu does not offer. */
function fillSelect(select: HTMLSelectElement, values: readonly number[], current: number, label: (v: number) => string): void {
  const all = values.includes(current) ? values : [...values, current].sort((a, b) => (a === 0 ? Infinity : a) - (b === 0 ? Infinity : b));
  if (select.options.length !== all.length || all.some((v, i) => select.options[i].value !== String(v))) {
    select.replaceChildren(...all.map((v) => new Option(label(v), String(v))));
  }
  select.value = String(current);
}

/** Makes every control show `config`. */
function syncControls(): void {
  fillSelect(selects.learningRate, LEARNING_RATES, config.learningRate, String);
  fillSelect(selects.regularizationRate, REGULARIZATION_RATES, config.regularizationRate, String);
  fillSelect(selects.speed, SPEEDS, config.speed, (v) => (v === 0 ? 'Maximum' : `${v} / s`));
  selects.activation.value = config.activation;
  selects.optimizer.value = config.optimizer;
  selects.regularization.value = config.regularization;
  selects.regularizationRate.disabled = config.regularization === 'none';
  for (const [key, s] of Object.entries(sliders) as Array<[keyof typeof sliders, (typeof sliders)[keyof typeof sliders]]>) {
    s.input.value = String(config[key]);
    s.output.textContent = s.format(config[key]);
  }
  checks.showTestData.checked = config.showTestData;
  checks.discretize.checked = config.discretize;
  for (const b of datasetButtons) b.setAttribute('aria-pressed', String(b.dataset.dataset === config.dataset));
  $('dataset-description').textContent = `${DATASET_INFO[config.dataset].description}.`;
  $('layer-count').textContent = String(config.hidden.length);
  $('layer-word').textContent = config.hidden.length === 1 ? 'hidden layer' : 'hidden layers';
  $<HTMLButtonElement>('add-layer').disabled = config.hidden.length >= MAX_HIDDEN_LAYERS;
  $<HTMLButtonElement>('remove-layer').disabled = config.hidden.length === 0;
}

function announce(text: string): void {
  $('status').textContent = text;
}

function showNotice(text: string | null): void {
  const notice = $('notice');
  notice.hidden = text === null;
  notice.textContent = text ?? '';
}

/**
 * Moves to a new configuration: new data or a new network restart training (and keep it playing if it was), other
 * settings reach the worker while it trains, view settings only redraw. The URL always shows the result.
 */
function apply(next: Config): void {
  const changed = changedKeys(config, next);
  config = cloneConfig(next);
  const effects = new Set(changed.map((k) => KEY_EFFECT[k]));
  if (effects.has('data') || effects.has('network')) restart(running);
  else if (effects.has('live')) send({ type: 'update', config });
  syncControls();
  writeUrl();
  requestFrame();
}

function edit(change: (c: Config) => void): void {
  const next = cloneConfig(config);
  change(next);
  apply(next);
}

function writeUrl(): void {
  const hash = `#${configToQuery(config)}`;
  if (location.hash !== hash) history.replaceState(null, '', hash);
}

/** A fresh run of the current configuration (same seed: same data, same initial weights). */
function restart(play: boolean): void {
  generation++;
  epochLog = [];
  latest = null;
  data = null;
  send({ type: 'reset', generation, config });
  network.setArchitecture(config.features, config.hidden);
  running = play;
  showPlaying();
  if (play) send({ type: 'play' });
  requestFrame();
}

/** The play button shows the page's intent at once; the worker follows with its next message. */
function showPlaying(): void {
  playButton.classList.toggle('playing', running);
  playButton.setAttribute('aria-label', running ? 'Pause' : 'Play');
}

function setPlaying(play: boolean): void {
  running = play;
  showPlaying();
  send({ type: play ? 'play' : 'pause' });
  announce(play ? 'Training' : `Paused at epoch ${latest?.epoch ?? 0}`);
  requestFrame();
}

const network = new NetworkView($('network'), {
  toggleFeature: (f: FeatureName) => {
    const on = config.features.includes(f);
    if (on && config.features.length === 1) {
      announce('The network needs at least one input feature');
      return;
    }
    edit((c) => { c.features = FEATURES.filter((g) => (g === f ? !on : c.features.includes(g))); });
  },
  addNeuron: (l) => edit((c) => { c.hidden[l] = Math.min(8, c.hidden[l] + 1); }),
  removeNeuron: (l) => edit((c) => { c.hidden[l] = Math.max(1, c.hidden[l] - 1); }),
  hover: (node) => {
    hovered = node;
    requestFrame();
  },
});

playButton.addEventListener('click', () => setPlaying(!running));
$('step').addEventListener('click', () => {
  running = false;
  showPlaying();
  send({ type: 'step' });
  requestFrame();
});
$('reset').addEventListener('click', () => {
  restart(false);
  announce('Reset to the initial weights');
});
$('regenerate').addEventListener('click', () => edit((c) => { c.seed = Math.floor(Math.random() * 1_000_000); }));
$('add-layer').addEventListener('click', () => edit((c) => { if (c.hidden.length < MAX_HIDDEN_LAYERS) c.hidden.push(c.hidden[c.hidden.length - 1] ?? 4); }));
$('remove-layer').addEventListener('click', () => edit((c) => { c.hidden.pop(); }));
for (const b of datasetButtons) {
  const info = DATASET_INFO[b.dataset.dataset as DatasetName];
  b.title = `${info.title}: ${info.description.toLowerCase()}`;
  b.addEventListener('click', () => edit((c) => { c.dataset = b.dataset.dataset as DatasetName; }));
}
selects.learningRate.addEventListener('change', () => edit((c) => { c.learningRate = Number(selects.learningRate.value); }));
selects.regularizationRate.addEventListener('change', () => edit((c) => { c.regularizationRate = Number(selects.regularizationRate.value); }));
selects.speed.addEventListener('change', () => edit((c) => { c.speed = Number(selects.speed.value); }));
selects.activation.addEventListener('change', () => edit((c) => { c.activation = selects.activation.value as Config['activation']; }));
selects.optimizer.addEventListener('change', () => edit((c) => { c.optimizer = selects.optimizer.value as Config['optimizer']; }));
selects.regularization.addEventListener('change', () => edit((c) => { c.regularization = selects.regularization.value as Config['regularization']; }));
for (const [key, s] of Object.entries(sliders) as Array<[keyof typeof sliders, (typeof sliders)[keyof typeof sliders]]>) {
  // The number follows the thumb while dragging; the (possibly expensive) change happens on release.
  s.input.addEventListener('input', () => { s.output.textContent = s.format(Number(s.input.value)); });
  s.input.addEventListener('change', () => edit((c) => { c[key] = Number(s.input.value); }));
}
checks.showTestData.addEventListener('change', () => edit((c) => { c.showTestData = checks.showTestData.checked; }));
checks.discretize.addEventListener('change', () => edit((c) => { c.discretize = checks.discretize.checked; }));
$('download').addEventListener('click', () => {
  void downloadModel().then(({ bytes, filename }) => {
    const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/octet-stream' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = filename;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    announce(`Saved ${filename}`);
  });
});

window.addEventListener('hashchange', () => {
  const { config: next, problems } = parseConfig(location.hash);
  showNotice(problems.length > 0 ? `Some settings in the address were not understood: ${problems.join('; ')}.` : null);
  apply(next);
});

document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const target = e.target as HTMLElement;
  const tag = target.tagName;
  if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA' || target.isContentEditable) return;
  if (e.key === ' ' && tag !== 'BUTTON' && tag !== 'A' && tag !== 'SUMMARY') {
    e.preventDefault();
    setPlaying(!running);
  } else if (e.key === 's' || e.key === 'S') {
    $('step').click();
  } else if (e.key === 'r' || e.key === 'R') {
    $('reset').click();
  }
});

// ---- worker ------------------------------------------------------------------------------------------------------
function request<T extends FromWorker['type']>(message: ToWorker & { id: number }, transfer: Transferable[] = []): Promise<Extract<FromWorker, { type: T }>> {
  return new Promise((resolve) => {
    pending.set(message.id, resolve as (m: FromWorker) => void);
    send(message, transfer);
  });
}

function downloadModel(): Promise<{ bytes: Uint8Array; filename: string }> {
  return request<'model'>({ type: 'download', id: ++requestId });
}

/** Probability of the blue class at each [x, y] point, from the network as it is now. */
async function predictPoints(points: ReadonlyArray<readonly [number, number]>): Promise<number[]> {
  const xy = Float32Array.from(points.flat());
  const reply = await request<'prediction'>({ type: 'predict', id: ++requestId, xy }, [xy.buffer]);
  return Array.from(reply.values);
}

worker.addEventListener('message', (event: MessageEvent<FromWorker>) => {
  const m = event.data;
  switch (m.type) {
    case 'ready':
      if (m.generation !== generation) return;
      data = { train: m.train, test: m.test };
      latest = m.progress;
      // Epoch 0: the untrained network's losses start the curves (it has no gradients yet).
      epochLog = [{ epoch: 0, trainLoss: m.progress.trainLoss, testLoss: m.progress.testLoss, gradNorms: [] }];
      drawGraph($('op-graph'), m.graph);
      $('dot-source').textContent = m.graph;
      break;
    case 'progress':
      if (m.generation !== generation) return;
      // `running` stays the page's: a snapshot sent just before the worker read a pause must not undo the pause.
      epochLog.push(...m.epochs);
      latest = m;
      break;
    case 'thumbnails':
      for (const b of datasetButtons) {
        const canvas = b.querySelector('canvas')!;
        fitCanvas(canvas, 54);
        const points = m.datasets[b.dataset.dataset as DatasetName];
        const ctx = canvas.getContext('2d')!;
        ctx.fillStyle = '#f6f8fa';
        ctx.fillRect(0, 0, canvas.width, canvas.height);
        drawPoints(canvas, points.xy, points.labels, false);
      }
      return;
    case 'model':
    case 'prediction':
      pending.get(m.id)?.(m);
      pending.delete(m.id);
      return;
    case 'error':
      running = false;
      showNotice(`Training stopped with an error: ${m.message.split('\n')[0]}`);
      console.error(m.message);
      break;
  }
  requestFrame();
});
worker.addEventListener('error', (e) => {
  showNotice(`The training worker failed: ${e.message}`);
  console.error(e.message);
});

// ---- drawing -----------------------------------------------------------------------------------------------------
const lossChart = new LineChart($('loss-chart'), { height: 74, label: 'Test and training loss per epoch' });
const gradientChart = new LineChart($('gradient-chart'), { height: 120, log: true, label: 'Gradient norm of each layer per epoch, log scale' });

function requestFrame(): void {
  if (frameRequested) return;
  frameRequested = true;
  requestAnimationFrame(() => {
    frameRequested = false;
    render();
  });
}

function setReadout(id: string, value: number | null, digits: number): void {
  const out = $(id);
  out.textContent = value === null ? '–' : value.toFixed(digits);
  out.dataset.value = value === null ? '' : String(value);
}

function layerName(l: number, layers: number): string {
  return l === layers - 1 ? 'output' : `layer ${l + 1}`;
}

function render(): void {
  showPlaying();
  const epoch = latest?.epoch ?? 0;
  $('epoch').textContent = epoch.toLocaleString('en-US');
  $('epoch').dataset.value = String(epoch);
  setReadout('test-loss', latest ? latest.testLoss : null, 3);
  setReadout('train-loss', latest ? latest.trainLoss : null, 3);
  if (!latest) return;

  network.update(latest.probe, latest.weights);

  // The output map, or the square under the pointer blown up.
  const probe = latest.probe;
  let caption = "The network's prediction over the plane, with the training points.";
  if (hovered?.kind === 'neuron' && probe.hidden[hovered.layer]?.[hovered.index]) {
    const values = probe.hidden[hovered.layer][hovered.index];
    paintGrid(mapCanvas, values, probe.size, symmetricScale(values), 0.15);
    const bias = latest.weights.biases[hovered.layer][hovered.index];
    caption = `Hidden layer ${hovered.layer + 1}, neuron ${hovered.index + 1} (bias ${bias.toFixed(3)}): its output over the plane.`;
  } else if (hovered?.kind === 'feature' && config.features.includes(FEATURES[hovered.index])) {
    const values = probe.features[config.features.indexOf(FEATURES[hovered.index])];
    paintGrid(mapCanvas, values, probe.size, symmetricScale(values), 0.15);
    caption = `Input feature ${hovered.index + 1}: its value over the plane.`;
  } else {
    paintGrid(mapCanvas, latest.output, latest.outputSize, probabilityScale(config.discretize), 0.3);
  }
  const pointsKey = `${generation}:${data !== null}:${config.showTestData}:${pointsSize}:${window.devicePixelRatio}`;
  if (pointsKey !== pointsDrawn) {
    pointsDrawn = pointsKey;
    fitCanvas(pointsCanvas, pointsSize);
    pointsCanvas.getContext('2d')!.clearRect(0, 0, pointsCanvas.width, pointsCanvas.height);
    if (data) {
      drawPoints(pointsCanvas, data.train.xy, data.train.labels, false);
      if (config.showTestData) drawPoints(pointsCanvas, data.test.xy, data.test.labels, true);
    }
  }
  if (config.showTestData) caption = caption.replace('the training points', 'the training points and, outlined, the test points');
  $('map-caption').textContent = caption;

  lossChart.draw(epoch, [
    { name: 'training', color: '#8c959f', values: epochLog.map((h) => h.trainLoss), dashed: true },
    { name: 'test', color: '#1f2328', values: epochLog.map((h) => h.testLoss) },
  ]);
  const layers = latest.weights.shapes.length;
  const series = Array.from({ length: layers }, (_, l) => ({
    name: layerName(l, layers),
    color: LAYER_COLORS[l % LAYER_COLORS.length],
    values: epochLog.map((h) => h.gradNorms[l]),
  }));
  gradientChart.draw(epoch, series);
  // The legend keeps its elements while the number of layers stays the same; only the numbers change.
  const legend = $('gradient-legend');
  if (legend.children.length !== series.length) {
    legend.replaceChildren(...series.map((s) => {
      const item = document.createElement('span');
      const key = document.createElement('span');
      key.className = 'key';
      key.style.borderColor = s.color;
      item.append(key, document.createElement('span'));
      return item;
    }));
  }
  series.forEach((s, l) => {
    const last = s.values[s.values.length - 1];
    legend.children[l].lastChild!.textContent = `${s.name}${last === undefined || !Number.isFinite(last) ? '' : ` ${last.toExponential(1)}`}`;
  });
}

// ---- scripting hook ----------------------------------------------------------------------------------------------
/** For tests and the curious (in the browser console): read the state and ask the network for predictions. */
(window as unknown as { playground: unknown }).playground = {
  config: () => cloneConfig(config),
  history: () => epochLog.map((h) => ({ ...h, gradNorms: [...h.gradNorms] })),
  get running() {
    return running;
  },
  predict: predictPoints,
  defaults: () => cloneConfig(DEFAULT_CONFIG),
};

// ---- start -------------------------------------------------------------------------------------------------------
if (parsed.problems.length > 0) showNotice(`Some settings in the address were not understood: ${parsed.problems.join('; ')}.`);
syncControls();
writeUrl();
send({ type: 'thumbnails' });
restart(false);
