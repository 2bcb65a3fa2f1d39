/**
 * Why gates help: a plain RNN and an LSTM with the same hidden size, data, optimiser and number of steps, on a task
 * where memory matters. Each sequence is a string of random symbols, one of them marked; after reading the whole
 * sequence the model must name the marked symbol. The mark may sit anywhere, so the answer can be 0 or 29 steps back.
 *
 * The plain RNN stays near chance (25%); the LSTM learns the task at every distance. The gradient of the loss with
 * respect to each input step shows why: through the RNN it shrinks by orders of magnitude per ten steps back in time
 * (vanishing gradients), so what happened early barely affects learning, and it never starts to remember it. Through
 * the LSTM's additive cell state c_t = f ⊙ c_{t−1} + i ⊙ g it is multiplied only by the forget gate f at each step, and f
 * is learned: a unit that keeps f near 1 passes the gradient far back, and the first steps' share of it grows by orders
 * of magnitude during training.
 */
import { Generator, manualSeed, noGrad, tensor, type Tensor } from '@tensorgrad/core';
import { Adam, LSTM, Linear, Module, RNN, clipGradNorm, crossEntropy } from '@tensorgrad/nn';
import { ProgressBar, duration, percent, runIfMain, type Log } from './common.js';

export interface LstmOptions {
  /** Steps per sequence (default 30). */
  seqLength?: number;
  /** Distinct symbols (default 4, so chance is 25%). */
  symbols?: number;
  /** Hidden units of both models (default 32). */
  hidden?: number;
  /** Training steps of both models, one fresh batch each (default 400). */
  steps?: number;
  batchSize?: number;
  lr?: number;
  /** Held-out sequences for the final accuracy (default 1000). */
  testSize?: number;
  seed?: number;
  log?: Log;
}

export interface ModelResult {
  name: string;
  /** Accuracy on the held-out sequences. */
  accuracy: number;
  /** Accuracy by how far back the marked symbol was: quarters of the sequence, nearest first. */
  accuracyByDistance: number[];
  /** ‖∂loss/∂x_t‖ for each input step t (index 0 = first step), on one test batch, before and after training. */
  gradNormBefore: number[];
  gradNormAfter: number[];
  ms: number;
}

export interface LstmResult {
  rnn: ModelResult;
  lstm: ModelResult;
}

/**
 * `n` sequences of `seqLength` one-hot symbols, each with one marked step (an extra input channel set to 1): x
 * [n, seqLength, symbols + 1], the marked symbol y [n] (int32), and how many steps before the end the mark was.
 */
export function markedSymbols(n: number, seqLength: number, symbols: number, g: Generator): { x: Tensor; y: Tensor; distance: Int32Array } {
  const width = symbols + 1;
  const x = new Float32Array(n * seqLength * width), y = new Int32Array(n), distance = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const mark = g.integer(0, seqLength);
    distance[i] = seqLength - 1 - mark;
    for (let t = 0; t < seqLength; t++) {
      const s = g.integer(0, symbols);
      const row = (i * seqLength + t) * width;
      x[row + s] = 1;
      if (t === mark) {
        x[row + symbols] = 1;
        y[i] = s;
      }
    }
  }
  return { x: tensor(x, { shape: [n, seqLength, width] }), y: tensor(y, { dtype: 'int32', shape: [n] }), distance };
}

/** A recurrent layer reading the sequence, and a linear layer classifying its last hidden state. */
class SequenceClassifier extends Module {
  constructor(readonly rnn: RNN | LSTM, readonly head: Linear) {
    super();
  }

  forward(x: Tensor): Tensor {
    const [output] = this.rnn.forward(x);
    return this.head.forward(output.slice([null, -1]));
  }
}

/** ‖∂loss/∂x_t‖ for every step t: how much gradient reaches each input step of the sequence. */
function gradientThroughTime(model: SequenceClassifier, x: Tensor, y: Tensor): number[] {
  const input = x.detach();
  input.requiresGrad = true;
  crossEntropy(model.forward(input), y).backward();
  model.zeroGrad();
  const [n, steps, width] = input.shape;
  const g = (input.grad as Tensor).data;
  const norms = new Array<number>(steps).fill(0);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < steps; t++) {
      for (let k = 0; k < width; k++) norms[t] += g[(i * steps + t) * width + k] ** 2;
    }
  }
  return norms.map(Math.sqrt);
}

function evaluate(model: SequenceClassifier, test: ReturnType<typeof markedSymbols>, seqLength: number): { accuracy: number; byDistance: number[] } {
  const pred = noGrad(() => model.forward(test.x).argmax(1)).data;
  const hits = [0, 0, 0, 0], counts = [0, 0, 0, 0];
  let correct = 0;
  for (let i = 0; i < pred.length; i++) {
    const ok = pred[i] === test.y.data[i] ? 1 : 0;
    const q = Math.min(3, Math.floor((4 * test.distance[i]) / seqLength));
    correct += ok;
    hits[q] += ok;
    counts[q]++;
  }
  return { accuracy: correct / pred.length, byDistance: hits.map((h, q) => h / Math.max(1, counts[q])) };
}

function train(name: string, model: SequenceClassifier, o: Required<Omit<LstmOptions, 'log'>>, test: ReturnType<typeof markedSymbols>, log: Log): ModelResult {
  const probe = markedSymbols(o.batchSize, o.seqLength, o.symbols, new Generator(o.seed + 2));
  const gradNormBefore = gradientThroughTime(model, probe.x, probe.y);
  const data = new Generator(o.seed + 1);
  const opt = new Adam(model.parameters(), { lr: o.lr });
  const bar = new ProgressBar(o.steps, { label: name.padEnd(4), log });
  const start = performance.now();
  let avg = Math.log(o.symbols);
  for (let s = 1; s <= o.steps; s++) {
    const { x, y } = markedSymbols(o.batchSize, o.seqLength, o.symbols, data);
    opt.zeroGrad();
    const loss = crossEntropy(model.forward(x), y);
    loss.backward();
    // Both models get the same clipping: it tames exploding gradients, but it cannot bring back vanished ones.
    clipGradNorm(model.parameters(), 1);
    opt.step();
    avg = 0.95 * avg + 0.05 * loss.item();
    bar.update(s, { loss: avg.toFixed(3) });
  }
  bar.finish();
  const ms = performance.now() - start;
  const { accuracy, byDistance } = evaluate(model, test, o.seqLength);
  return { name, accuracy, accuracyByDistance: byDistance, gradNormBefore, gradNormAfter: gradientThroughTime(model, probe.x, probe.y), ms };
}

const sci = (v: number): string => v.toExponential(1).padStart(9);

export function runLstm({
  seqLength = 30, symbols = 4, hidden = 32, steps = 400, batchSize = 32, lr = 1e-2, testSize = 1000, seed = 0, log = console.log,
}: LstmOptions = {}): LstmResult {
  const o = { seqLength, symbols, hidden, steps, batchSize, lr, testSize, seed };
  log(`Marked-symbol recall: ${seqLength} random symbols out of ${symbols}, one of them marked; name the marked one after the ` +
    `last step (chance ${percent(1 / symbols)}). Both models: ${hidden} hidden units, Adam lr ${lr}, ${steps} steps of ${batchSize} ` +
    'sequences, gradients clipped to norm 1.');
  const test = markedSymbols(testSize, seqLength, symbols, new Generator(seed + 3));
  const inputs = symbols + 1;
  manualSeed(seed);
  const rnn = train('RNN', new SequenceClassifier(new RNN(inputs, hidden, { batchFirst: true }), new Linear(hidden, symbols)), o, test, log);
  manualSeed(seed);
  const lstm = train('LSTM', new SequenceClassifier(new LSTM(inputs, hidden, { batchFirst: true }), new Linear(hidden, symbols)), o, test, log);

  const quarter = (q: number) => `${Math.round((q * seqLength) / 4)}–${Math.round(((q + 1) * seqLength) / 4) - 1}`;
  log('\nTest accuracy by how many steps back the marked symbol was:');
  log(`  ${'model'.padEnd(6)}${'all'.padStart(8)}${[0, 1, 2, 3].map((q) => quarter(q).padStart(9)).join('')}   training time`);
  for (const r of [rnn, lstm]) {
    log(`  ${r.name.padEnd(6)}${percent(r.accuracy).padStart(8)}${r.accuracyByDistance.map((a) => percent(a).padStart(9)).join('')}   ${duration(r.ms)}`);
  }
  const shown = [0, Math.floor(seqLength / 3), Math.floor((2 * seqLength) / 3), seqLength - 1];
  log('\nGradient reaching each input step, ‖∂loss/∂x_t‖ (t = 0 is the first step, the furthest from the loss):');
  log(`  ${''.padEnd(16)}${shown.map((t) => `t = ${t}`.padStart(9)).join('')}   first / last`);
  for (const r of [rnn, lstm]) {
    for (const [when, norms] of [['before', r.gradNormBefore], ['after', r.gradNormAfter]] as const) {
      log(`  ${`${r.name} ${when}`.padEnd(16)}${shown.map((t) => sci(norms[t])).join('')}   ${sci(norms[0] / norms[seqLength - 1])}`);
    }
  }
  log('At the start both models pass only a vanishing fraction of the gradient back to the first steps (the LSTM\'s forget\n' +
    'gates start half open, f ≈ σ(0)). The RNN never gets a usable signal from early steps, so it never learns to keep the\n' +
    'marked symbol. The LSTM\'s cell state c_t = f ⊙ c_{t−1} + i ⊙ g multiplies the gradient only by f at each step, and f is\n' +
    'learned: units that keep f near 1 carry the gradient far back, the first steps\' share grows by orders of magnitude,\n' +
    'and the LSTM learns to remember.');
  return { rnn, lstm };
}

runIfMain(module, () => runLstm());
