/**
 * The TensorFlow.js side of every workload, written the way a TensorFlow.js user would: its own weight layout
 * ([in, out], no transpose), tf.train.adam, tf.losses.softmaxCrossEntropy, tf.grad, and tf.tidy for memory.
 * Both backends run in this process; `activate` switches the global backend before each timed batch.
 */
// The @tensorflow/tfjs bundle (rather than tfjs-core alone) because it is what registers the gradients in Node;
// it brings the cpu backend, and the wasm backend registers itself on import.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { now, type Runner } from './harness.js';
import { chainOp, CHAIN_CONSTANTS, CHAR_MLP, CNN, GPT, LSTM_STEP, MLP, MNIST, type ChainOp } from './workloads.js';

export type Backend = 'cpu' | 'wasm';

/** Makes `backend` the active backend; the peer process runs one backend only. */
export async function initTfjs(backend: Backend): Promise<void> {
  // Production mode silences the "install tfjs-node" banner and skips debug checks, as a deployed app would.
  tf.enableProdMode();
  if (!(await tf.setBackend(backend))) throw new Error(`TensorFlow.js backend '${backend}' failed to initialise`);
}

export const version = (): string => tf.version.tfjs;

/** Runner whose tensors live in `backend`: they are created after switching to it and used only while it is active. */
async function onBackend(backend: Backend, build: () => Omit<Runner, 'activate'>): Promise<Runner> {
  await tf.setBackend(backend);
  const runner = build();
  return { ...runner, activate: async () => { await tf.setBackend(backend); } };
}

export function matmul(backend: Backend, n: number): Promise<Runner> {
  return onBackend(backend, () => {
    const a = tf.randomNormal([n, n]), b = tf.randomNormal([n, n]);
    return {
      run: () => tf.matMul(a, b).dispose(),
      dispose: () => tf.dispose([a, b]),
    };
  });
}

export function mlpStep(backend: Backend): Promise<Runner> {
  return onBackend(backend, () => {
    const weights = denseParams([MLP.inputs, ...MLP.hidden, MLP.classes]);
    const x = tf.randomNormal([MLP.batch, MLP.inputs]);
    const labels = tf.tidy(() => tf.oneHot(tf.randomUniform([MLP.batch], 0, MLP.classes, 'int32'), MLP.classes));
    const optimizer = tf.train.adam(MLP.learningRate);
    const loss = (): tf.Scalar => tf.losses.softmaxCrossEntropy(labels, denseForward(weights, x, tf.relu)) as tf.Scalar;
    return {
      run: () => tf.tidy(() => { optimizer.minimize(loss); }),
      dispose: () => {
        optimizer.dispose();
        tf.dispose([...weights, x, labels]);
      },
    };
  });
}

/** Weights [in, out] (TensorFlow.js's layout) with He-style initial values, and zero biases. */
function denseParams(sizes: readonly number[]): tf.Variable[] {
  const params: tf.Variable[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    params.push(tf.variable(tf.randomNormal([sizes[l], sizes[l + 1]], 0, Math.sqrt(2 / sizes[l]))));
    params.push(tf.variable(tf.zeros([sizes[l + 1]])));
  }
  return params;
}

function denseForward(params: readonly tf.Variable[], x: tf.Tensor, activation: (h: tf.Tensor) => tf.Tensor): tf.Tensor {
  let h = x;
  for (let i = 0; i < params.length; i += 2) {
    h = tf.add(tf.matMul(h, params[i]), params[i + 1]);
    if (i + 2 < params.length) h = activation(h);
  }
  return h;
}

/**
 * Rows of `table` picked by integer `ids`. tf.gather is the idiomatic lookup, but the wasm backend lacks the kernel its
 * gradient needs (UnsortedSegmentSum), so there the lookup is a one-hot matrix product, the usual workaround.
 */
function embed(backend: Backend, table: tf.Tensor2D, ids: tf.Tensor): tf.Tensor {
  if (backend === 'cpu') return tf.gather(table, ids);
  const flat = tf.reshape(ids, [-1]) as tf.Tensor1D;
  const rows = tf.matMul(tf.oneHot(flat, table.shape[0]), table);
  return tf.reshape(rows, [...ids.shape, table.shape[1]]);
}

/** One epoch over MNIST-sized random data in a fresh shuffled order, batches gathered by index, Adam. */
export function mnistEpoch(backend: Backend): Promise<Runner> {
  return onBackend(backend, () => {
    const params = denseParams([MNIST.inputs, MNIST.hidden, MNIST.classes]);
    const images = tf.randomUniform([MNIST.samples, MNIST.inputs]);
    const labels = tf.tidy(() => tf.oneHot(tf.randomUniform([MNIST.samples], 0, MNIST.classes, 'int32'), MNIST.classes));
    const optimizer = tf.train.adam(MNIST.learningRate);
    return {
      run: () => {
        const order = tf.util.createShuffledIndices(MNIST.samples);
        for (let start = 0; start < MNIST.samples; start += MNIST.batch) {
          tf.tidy(() => {
            const idx = tf.tensor1d(Int32Array.from(order.subarray(start, start + MNIST.batch)), 'int32');
            const x = tf.gather(images, idx), y = tf.gather(labels, idx);
            optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, denseForward(params, x, tf.relu)) as tf.Scalar);
          });
        }
      },
      dispose: () => {
        optimizer.dispose();
        tf.dispose([...params, images, labels]);
      },
    };
  });
}

/** makemore's character MLP: embedding lookup, 30-200-27 tanh MLP, a random batch each step, Adam. */
export function charMlpStep(backend: Backend): Promise<Runner> {
  return onBackend(backend, () => {
    const { vocab, context, embedding, hidden, batch, samples } = CHAR_MLP;
    const table = tf.variable(tf.randomNormal([vocab, embedding])) as tf.Variable<tf.Rank.R2>;
    const params = denseParams([context * embedding, hidden, vocab]);
    const xs = tf.randomUniform([samples, context], 0, vocab, 'int32');
    const ys = tf.randomUniform([samples], 0, vocab, 'int32');
    const optimizer = tf.train.adam(CHAR_MLP.learningRate);
    return {
      run: () => tf.tidy(() => {
        const ix = tf.randomUniform([batch], 0, samples, 'int32');
        const x = tf.gather(xs, ix), y = tf.oneHot(tf.gather(ys, ix) as tf.Tensor1D, vocab);
        optimizer.minimize(() => {
          const h = tf.reshape(embed(backend, table, x), [batch, context * embedding]);
          return tf.losses.softmaxCrossEntropy(y, denseForward(params, h, tf.tanh)) as tf.Scalar;
        });
      }),
      dispose: () => {
        optimizer.dispose();
        tf.dispose([table, ...params, xs, ys]);
      },
    };
  });
}

/**
 * The tiny GPT with TensorFlow.js ops: the same layout as gpt.ts / torch_peer.py. TensorFlow.js has no AdamW, so the
 * decoupled weight decay is applied to the weights before each Adam step (what AdamW does).
 */
export function gptStep(backend: Backend): Promise<Runner> {
  return onBackend(backend, () => {
    const { vocab, block: T, dim: C, heads: H, layers, batch: B } = GPT;
    const vars: tf.Variable[] = [];
    const weight = (rows: number, cols: number): tf.Variable => {
      const v = tf.variable(tf.randomNormal([rows, cols], 0, 0.02));
      vars.push(v);
      return v;
    };
    const vector = (n: number, value: number): tf.Variable => {
      const v = tf.variable(tf.fill([n], value));
      vars.push(v);
      return v;
    };
    const norm = () => ({ g: vector(C, 1), b: vector(C, 0) });
    const tok = weight(vocab, C) as tf.Variable<tf.Rank.R2>, pos = weight(T, C);
    const blocks = Array.from({ length: layers }, () => ({
      ln1: norm(), qkv: weight(C, 3 * C), qkvB: vector(3 * C, 0), proj: weight(C, C), projB: vector(C, 0),
      ln2: norm(), fc: weight(C, 4 * C), fcB: vector(4 * C, 0), fcProj: weight(4 * C, C), fcProjB: vector(C, 0),
    }));
    const lnF = norm(), head = weight(C, vocab);
    const tokens = tf.randomUniform([B, T + 1], 0, vocab, 'int32');
    const x = tf.slice(tokens, [0, 0], [B, T]);
    const y = tf.tidy(() => tf.oneHot(tf.reshape(tf.slice(tokens, [0, 1], [B, T]), [-1]) as tf.Tensor1D, vocab));
    const maskAdd = tf.tidy(() => tf.where(tf.equal(tf.linalg.bandPart(tf.ones([T, T]), -1, 0), 1), tf.zeros([T, T]), tf.fill([T, T], -Infinity)));
    const optimizer = tf.train.adam(GPT.learningRate);
    const layerNorm = (h: tf.Tensor, p: { g: tf.Tensor; b: tf.Tensor }): tf.Tensor => {
      const { mean, variance } = tf.moments(h, -1, true);
      return tf.add(tf.mul(tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, 1e-5))), p.g), p.b);
    };
    const dense = (h: tf.Tensor, w: tf.Tensor, b?: tf.Tensor): tf.Tensor => {
      const out = tf.matMul(tf.reshape(h, [-1, h.shape[h.rank - 1] as number]), w as tf.Tensor2D);
      return tf.reshape(b ? tf.add(out, b) : out, [...h.shape.slice(0, -1), w.shape[1] as number]);
    };
    const gelu = (h: tf.Tensor): tf.Tensor => tf.mul(tf.mul(h, 0.5), tf.add(tf.erf(tf.mul(h, Math.SQRT1_2)), 1));
    const heads = (z: tf.Tensor): tf.Tensor => tf.transpose(tf.reshape(z, [B, T, H, C / H]), [0, 2, 1, 3]);
    const loss = (): tf.Scalar => {
      let h = tf.add(embed(backend, tok, x), pos);
      for (const p of blocks) {
        const [q, k, v] = tf.split(dense(layerNorm(h, p.ln1), p.qkv, p.qkvB), 3, 2).map(heads);
        const att = tf.softmax(tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(C / H)), maskAdd));
        const merged = tf.reshape(tf.transpose(tf.matMul(att, v), [0, 2, 1, 3]), [B, T, C]);
        h = tf.add(h, dense(merged, p.proj, p.projB));
        h = tf.add(h, dense(gelu(dense(layerNorm(h, p.ln2), p.fc, p.fcB)), p.fcProj, p.fcProjB));
      }
      const logits = tf.reshape(dense(layerNorm(h, lnF), head), [B * T, vocab]);
      return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
    };
    return {
      run: () => tf.tidy(() => {
        for (const v of vars) v.assign(tf.mul(v, 1 - GPT.learningRate * GPT.weightDecay));
        optimizer.minimize(loss);
      }),
      dispose: () => {
        optimizer.dispose();
        tf.dispose([...vars, tokens, x, y, maskAdd]);
      },
    };
  });
}

function applyChain(op: ChainOp, y: tf.Tensor, c: tf.Tensor, d: tf.Tensor): tf.Tensor {
  if (op === 'add') return tf.add(y, c);
  if (op === 'mul') return tf.mul(y, d);
  return tf.tanh(y);
}

function chainFunctions(length: number, size: number) {
  const c = tf.fill([size], CHAIN_CONSTANTS.add), d = tf.fill([size], CHAIN_CONSTANTS.mul);
  const forward = (x: tf.Tensor): tf.Scalar => {
    let y = x;
    for (let i = 0; i < length; i++) y = applyChain(chainOp(i), y, c, d);
    return tf.sum(y);
  };
  return { c, d, forward, gradient: tf.grad(forward) };
}

/** W3: forward and backward of the chain; one iteration is the whole chain. */
export function smallOps(backend: Backend, length: number, size: number): Promise<Runner> {
  return onBackend(backend, () => {
    const { c, d, gradient } = chainFunctions(length, size);
    const x = tf.randomNormal([size]);
    return {
      run: () => tf.tidy(() => { gradient(x); }),
      dispose: () => tf.dispose([c, d, x]),
    };
  });
}

/**
 * W5: backward of the chain only. tf.grad records and differentiates in one call, so the backward time is that call
 * minus a forward-only run of the same chain, timed back to back.
 */
export function deepBackward(backend: Backend, length: number, size: number): Promise<Runner> {
  return onBackend(backend, () => {
    const { c, d, forward, gradient } = chainFunctions(length, size);
    const x = tf.randomNormal([size]);
    return {
      run: () => {
        const t0 = now();
        tf.tidy(() => { forward(x); });
        const t1 = now();
        tf.tidy(() => { gradient(x); });
        const t2 = now();
        return Math.max(0, (t2 - t1) - (t1 - t0));
      },
      dispose: () => tf.dispose([c, d, x]),
    };
  });
}

export function fusedElementwise(backend: Backend, size: number): Promise<Runner> {
  return onBackend(backend, () => {
    const a = tf.randomNormal([size]), b = tf.randomNormal([size]), c = tf.randomNormal([size]);
    return {
      run: () => tf.tidy(() => { tf.tanh(tf.add(tf.mul(a, b), c)); }),
      dispose: () => tf.dispose([a, b, c]),
    };
  });
}

/**
 * LSTM row, written with TensorFlow.js's LSTM op: tf.basicLSTMCell per step (one [x_t, h] · kernel product with the
 * kernel [inputs + hidden, 4·hidden]), tf.unstack for the steps, a dense head, tf.losses.meanSquaredError, tf.train.adam.
 */
export function lstmStep(backend: Backend): Promise<Runner> {
  return onBackend(backend, () => {
    const { batch, seq, inputs, hidden, learningRate } = LSTM_STEP;
    const bound = 1 / Math.sqrt(hidden);
    const kernel = tf.variable(tf.randomUniform([inputs + hidden, 4 * hidden], -bound, bound)) as tf.Variable<tf.Rank.R2>;
    const bias = tf.variable(tf.zeros([4 * hidden])) as tf.Variable<tf.Rank.R1>;
    const headW = tf.variable(tf.randomUniform([hidden, 1], -bound, bound));
    const headB = tf.variable(tf.zeros([1]));
    const x = tf.randomNormal([seq, batch, inputs]), y = tf.randomNormal([batch, 1]);
    const forgetBias = tf.scalar(0);
    const optimizer = tf.train.adam(learningRate);
    const loss = (): tf.Scalar => {
      let c: tf.Tensor2D = tf.zeros([batch, hidden]), h: tf.Tensor2D = tf.zeros([batch, hidden]);
      for (const xt of tf.unstack(x) as tf.Tensor2D[]) [c, h] = tf.basicLSTMCell(forgetBias, kernel, bias, xt, c, h);
      return tf.losses.meanSquaredError(y, tf.add(tf.matMul(h, headW), headB)) as tf.Scalar;
    };
    return {
      run: () => tf.tidy(() => { optimizer.minimize(loss); }),
      dispose: () => {
        optimizer.dispose();
        tf.dispose([kernel, bias, headW, headB, x, y, forgetBias]);
      },
    };
  });
}

/** CNN row: the same LeNet-style CNN in TensorFlow.js's own layout (NHWC images, [kH, kW, in, out] filters). */
export function cnnStep(backend: Backend): Promise<Runner> {
  return onBackend(backend, () => {
    const [c0, c1, c2] = CNN.channels, k = CNN.kernel;
    const conv = (cin: number, cout: number) =>
      [tf.variable(tf.randomNormal([k, k, cin, cout], 0, Math.sqrt(2 / (cin * k * k)))), tf.variable(tf.zeros([cout]))];
    const dense = (cin: number, cout: number) => [tf.variable(tf.randomNormal([cin, cout], 0, Math.sqrt(2 / cin))), tf.variable(tf.zeros([cout]))];
    const [w1, b1] = conv(c0, c1), [w2, b2] = conv(c1, c2);
    const fc = [dense(CNN.hidden[0], CNN.hidden[1]), dense(CNN.hidden[1], CNN.hidden[2]), dense(CNN.hidden[2], CNN.classes)];
    const x = tf.randomNormal([CNN.batch, CNN.image, CNN.image, c0]);
    const labels = tf.tidy(() => tf.oneHot(tf.randomUniform([CNN.batch], 0, CNN.classes, 'int32'), CNN.classes));
    const optimizer = tf.train.adam(CNN.learningRate);
    const loss = (): tf.Scalar => {
      const block = (input: tf.Tensor4D, w: tf.Variable, b: tf.Variable): tf.Tensor4D =>
        tf.maxPool(tf.relu(tf.add(tf.conv2d(input, w as tf.Tensor4D, 1, 'valid'), b)) as tf.Tensor4D, 2, 2, 'valid');
      let h: tf.Tensor = block(block(x as tf.Tensor4D, w1, b1), w2, b2);
      h = tf.reshape(h, [CNN.batch, CNN.hidden[0]]);
      fc.forEach(([w, b], i) => {
        h = tf.add(tf.matMul(h as tf.Tensor2D, w as tf.Tensor2D), b);
        if (i + 1 < fc.length) h = tf.relu(h);
      });
      return tf.losses.softmaxCrossEntropy(labels, h) as tf.Scalar;
    };
    return {
      run: () => tf.tidy(() => { optimizer.minimize(loss); }),
      dispose: () => {
        optimizer.dispose();
        tf.dispose([w1, b1, w2, b2, ...fc.flat(), x, labels]);
      },
    };
  });
}
