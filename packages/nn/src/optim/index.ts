/** Optimizers, learning-rate schedulers and gradient clipping. */
export { Optimizer } from './optimizer.js';
export type {
  OptimizerStateDict,
  OptionValue,
  ParamGroup,
  ParamGroupInput,
  ParamState,
  ParamsInput,
  OptimizerOptions,
  SavedParamGroup,
  StateLayout,
} from './optimizer.js';
export { SGD } from './sgd.js';
export type { SGDOptions } from './sgd.js';
export { Adam, AdamW } from './adam.js';
export type { AdamOptions } from './adam.js';
export { RMSprop } from './rmsprop.js';
export type { RMSpropOptions } from './rmsprop.js';
export { Adagrad } from './adagrad.js';
export type { AdagradOptions } from './adagrad.js';
export {
  LRScheduler,
  StepLR,
  MultiStepLR,
  ExponentialLR,
  CosineAnnealingLR,
  LinearLR,
  LambdaLR,
  ReduceLROnPlateau,
} from './lr-scheduler.js';
export type {
  SchedulerStateDict,
  StepLROptions,
  MultiStepLROptions,
  CosineAnnealingLROptions,
  LinearLROptions,
  ReduceLROnPlateauOptions,
} from './lr-scheduler.js';
export { SequentialLR } from './sequential-lr.js';
export type { SequentialLROptions } from './sequential-lr.js';
export { OneCycleLR } from './one-cycle-lr.js';
export type { OneCycleLROptions } from './one-cycle-lr.js';
export { clipGradNorm, clipGradValue } from './clip-grad.js';
