export { Linear, type LinearOptions } from './linear.js';
export { Sequential, MLP, type MLPOptions, type ActivationName } from './container.js';
export { Identity, ReLU, Tanh, Sigmoid, LeakyReLU, GELU, Softmax, LogSoftmax, geluTanh } from './activation.js';
export { Dropout } from './dropout.js';
export { LayerNorm, BatchNorm1d, type LayerNormOptions, type BatchNormOptions } from './normalization.js';
export { Embedding, type EmbeddingOptions } from './embedding.js';
export { Flatten } from './flatten.js';
export {
  RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell, type RecurrentOptions, type RNNOptions, type LSTMOptions, type RNNCellOptions,
} from './recurrent.js';
