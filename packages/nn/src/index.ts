/**
 * @tensorgrad/nn: modules, layers, losses, initialisers and data utilities built only from @tensorgrad/core ops.
 *
 * @module @tensorgrad/nn
 */
export { Module, parameter, isParameter, functionalCall, deepCopy, type LoadStateDictResult } from './module.js';
export * from './layers/index.js';
export * from './losses.js';
export { dropout, layerNorm, rmsNorm } from './functional.js';
export * as init from './init.js';
export * from './data/index.js';
export type { IndicesLike } from './util.js';
export * from './optim/index.js';
export * from './serialization.js';
