export { Linear, type LinearOptions } from './linear.js';
export { Sequential, MLP, type MLPOptions, type ActivationName } from './container.js';
export { Identity, ReLU, Tanh, Sigmoid, LeakyReLU, GELU, Softmax, LogSoftmax, geluTanh } from './activation.js';
export { Dropout, Dropout2d } from './dropout.js';
export { LayerNorm, BatchNorm1d, BatchNorm2d, GroupNorm, type LayerNormOptions, type BatchNormOptions, type GroupNormOptions } from './normalization.js';
export { Embedding, type EmbeddingOptions } from './embedding.js';
export { Flatten, Unflatten } from './flatten.js';
export { Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d, type ConvLayerOptions, type ConvTransposeLayerOptions } from './conv.js';
export { MaxPool1d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Upsample, type MaxPoolLayerOptions } from './pooling.js';
