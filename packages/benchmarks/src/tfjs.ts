/**
 * The TensorFlow.js side of every workload, written the way a TensorFlow.js user would: its own weight layout
 * ([in, out], no transpose), tf.train.adam, tf.losses.softmaxCrossEntropy, tf.grad, and tf.tidy for memory.
 * Both backends run in this process; `activate` switches the global backend before each timed batch.
 */
// The @tensorflow/tfjs bundle (rather than tfjs-core alone) because it is what registers the gradients in Node;
// it brings the cpu backend, and the wasm backend registers itself on import.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { Runner } from './harness.js';
import { chainOp, CHAIN_CONSTANTS, CNN, LSTM_STEP, MLP, type ChainOp } from './workloads.js';

export type Backend = 'cpu' | 'wasm';

export async function initTfjs(): Promise<void> {
  // Production mode silences the "install tfjs-node" banner and skips debug checks, as a deployed app would.
  tf.enableProdMode();
  for (const backend of ['cpu', 'wasm'] as const) {
    if (!(await tf.setBackend(backend))) throw new Error(`TensorFlow.js backend '${backend}' failed to initialise`);
  }
}

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
    const dims = [MLP.inputs, ...MLP.hidden, MLP.classes];
    const weights: tf.Variable[] = [];
    for (let l = 0; l + 1 < dims.length; l++) {
      weights.push(tf.variable(tf.randomNormal([dims[l], dims[l + 1]], 0, Math.sqrt(2 / dims[l]))));
      weights.push(tf.variable(tf.zeros([dims[l + 1]])));
    }
    const x = tf.randomNormal([MLP.batch, MLP.inputs]);
    const labels = tf.tidy(() => tf.oneHot(tf.randomUniform([MLP.batch], 0, MLP.classes, 'int32'), MLP.classes));
    const optimizer = tf.train.adam(MLP.learningRate);
    const loss = (): tf.Scalar => {
      let h: tf.Tensor = x;
      for (let i = 0; i < weights.length; i += 2) {
        h = tf.add(tf.matMul(h, weights[i]), weights[i + 1]);
        if (i + 2 < weights.length) h = tf.relu(h);
      }
      return tf.losses.softmaxCrossEntropy(labels, h) as tf.Scalar;
    };
    return {
      run: () => tf.tidy(() => { optimizer.minimize(loss); }),
      dispose: () => {
        optimizer.dispose();
        tf.dispose([...weights, x, labels]);
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
        const t0 = performance.now();
        tf.tidy(() => { forward(x); });
        const t1 = performance.now();
        tf.tidy(() => { gradient(x); });
        const t2 = performance.now();
        return Math.max(0, (t2 - t1) - (t1 - t0)) / 1000;
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
