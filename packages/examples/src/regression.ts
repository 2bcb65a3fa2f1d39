/**
 * Under- and over-fitting on noisy samples of a cubic. A straight line underfits (high training and validation loss);
 * a large MLP trained long on 20 points overfits (training loss far below the noise level, validation loss high);
 * weight decay, dropout and early stopping each bring the validation loss back down. Every model is scored at the end
 * on a separate test set that played no part in training or model selection.
 */
import { manualSeed, noGrad, type Tensor } from '@tensorgrad/core';
import { Adam, Linear, MLP, Module, mseLoss, polynomialRegression, type Optimizer } from '@tensorgrad/nn';
import { duration, runIfMain, type Log } from './common.js';

export interface RegressionOptions {
  /** Training points (default 20): few, so that a big network can memorise their noise. */
  nTrain?: number;
  noise?: number;
  epochs?: number;
  /** Hidden layer width of the over-parameterised MLP (default 128, two tanh hidden layers). */
  width?: number;
  /** L2 penalty coefficient (Adam's weightDecay) of the weight-decay fit (default 0.01). */
  weightDecay?: number;
  /** Dropout probability of the dropout fit (default 0.5). */
  dropout?: number;
  /** Early stopping: epochs without a validation improvement before stopping (default 200). */
  patience?: number;
  /** Print a progress line every this many epochs. */
  every?: number;
  seed?: number;
  log?: Log;
}

export interface FitResult {
  name: string;
  train: number;
  val: number;
  test: number;
  epochs: number;
}

export interface RegressionResult {
  noiseVariance: number;
  fits: Record<'underfit' | 'overfit' | 'weightDecay' | 'dropout' | 'earlyStopping', FitResult>;
}

interface Split {
  x: Tensor;
  y: Tensor;
}

function evalLoss(model: Module, { x, y }: Split): number {
  model.eval();
  const loss = noGrad(() => mseLoss(model.forward(x), y).item());
  model.train();
  return loss;
}

interface FitConfig {
  name: string;
  model: Module;
  optimizer: (m: Module) => Optimizer<{ lr: number }>;
  epochs: number;
  patience?: number;
}

function fit({ name, model, optimizer, epochs, patience }: FitConfig, train: Split, val: Split, test: Split, every: number, log: Log): FitResult {
  const opt = optimizer(model);
  let best = { val: Infinity, epoch: 0, state: model.stateDict() };
  let epoch = 0;
  let elapsed = 0;
  while (epoch < epochs) {
    epoch++;
    const start = performance.now();
    opt.zeroGrad();
    const loss = mseLoss(model.forward(train.x), train.y);
    loss.backward();
    opt.step();
    elapsed += performance.now() - start;
    const valLoss = evalLoss(model, val);
    if (valLoss < best.val) best = { val: valLoss, epoch, state: model.stateDict() };
    if (epoch % every === 0) {
      log(`[${name}] epoch ${String(epoch).padStart(5)}  train loss ${loss.item().toFixed(4)}  val loss ${valLoss.toFixed(4)}  time ${duration(elapsed)}`);
      elapsed = 0;
    }
    if (patience !== undefined && epoch - best.epoch >= patience) {
      log(`[${name}] stopping at epoch ${epoch}: no validation improvement for ${patience} epochs; restoring epoch ${best.epoch}`);
      model.loadStateDict(best.state);
      break;
    }
  }
  return { name, train: evalLoss(model, train), val: evalLoss(model, val), test: evalLoss(model, test), epochs: epoch };
}

export function runRegression({
  nTrain = 20, noise = 0.3, epochs = 3000, width = 128, weightDecay = 0.01, dropout = 0.5, patience = 200, every = 500, seed = 0, log = console.log,
}: RegressionOptions = {}): RegressionResult {
  const train = polynomialRegression({ n: nTrain, noise, seed: seed + 1 });
  const val = polynomialRegression({ n: 200, noise, seed: seed + 2 });
  const test = polynomialRegression({ n: 500, noise, seed: seed + 3 });
  log(`Noisy cubic: ${nTrain} training points, 200 validation, 500 test; noise variance ${(noise * noise).toFixed(3)} ` +
    '(the best possible expected MSE)');
  const big = (opts: { dropout?: number } = {}) => {
    manualSeed(seed);
    return new MLP([1, width, width, 1], { activation: 'tanh', ...opts });
  };
  const adam = (m: Module) => new Adam(m.parameters(), { lr: 0.01 });
  const configs: Record<keyof RegressionResult['fits'], FitConfig> = {
    underfit: { name: 'underfit: Linear(1, 1)', model: new Linear(1, 1), optimizer: adam, epochs },
    overfit: { name: `overfit: MLP 1-${width}-${width}-1`, model: big(), optimizer: adam, epochs },
    weightDecay: { name: `L2 weight decay ${weightDecay}`, model: big(), optimizer: (m) => new Adam(m.parameters(), { lr: 0.01, weightDecay }), epochs },
    dropout: { name: `dropout ${dropout}`, model: big({ dropout }), optimizer: adam, epochs },
    earlyStopping: { name: 'early stopping', model: big(), optimizer: adam, epochs, patience },
  };
  const fits = {} as RegressionResult['fits'];
  for (const key of Object.keys(configs) as (keyof RegressionResult['fits'])[]) fits[key] = fit(configs[key], train, val, test, every, log);
  log('Summary (mean squared error):');
  log(`  ${'model'.padEnd(28)}${'epochs'.padStart(7)}${'train'.padStart(9)}${'val'.padStart(9)}${'test'.padStart(9)}`);
  for (const f of Object.values(fits)) {
    log(`  ${f.name.padEnd(28)}${String(f.epochs).padStart(7)}${f.train.toFixed(4).padStart(9)}${f.val.toFixed(4).padStart(9)}${f.test.toFixed(4).padStart(9)}`);
  }
  log(`  (noise variance ${(noise * noise).toFixed(4)}: a fit that generalises has val and test loss near it)`);
  return { noiseVariance: noise * noise, fits };
}

runIfMain(module, () => runRegression());
