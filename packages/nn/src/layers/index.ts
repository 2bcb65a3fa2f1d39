export { Linear, type LinearOptions } from './linear.js';
export { Sequential, ModuleList, ModuleDict, MLP, type MLPOptions, type ActivationName } from './container.js';
export { Identity, ReLU, Tanh, Sigmoid, LeakyReLU, GELU, SiLU, Softmax, LogSoftmax, geluTanh } from './activation.js';
export { Dropout, Dropout2d } from './dropout.js';
export {
  LayerNorm, RMSNorm, BatchNorm1d, BatchNorm2d, GroupNorm, type LayerNormOptions, type RMSNormOptions, type BatchNormOptions,
  type GroupNormOptions,
} from './normalization.js';
export { Embedding, type EmbeddingOptions } from './embedding.js';
export { Flatten, Unflatten } from './flatten.js';
export { Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d, type ConvLayerOptions, type ConvTransposeLayerOptions } from './conv.js';
export { MaxPool1d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Upsample, type MaxPoolLayerOptions } from './pooling.js';
export {
  RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell, type RecurrentOptions, type RNNOptions, type LSTMOptions, type RNNCellOptions,
} from './recurrent.js';
export { MultiheadAttention, type MultiheadAttentionOptions, type MultiheadAttentionForwardOptions } from './attention.js';
export {
  TransformerEncoderLayer, TransformerDecoderLayer, TransformerEncoder, TransformerDecoder,
  type TransformerLayerOptions, type TransformerActivation, type TransformerEncoderLayerForwardOptions,
  type TransformerDecoderLayerForwardOptions, type TransformerEncoderForwardOptions,
} from './transformer.js';
