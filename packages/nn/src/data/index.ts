export { TensorDataset, DataLoader, trainTestSplit, type Dataset, type DataLoaderOptions, type SplitOptions } from './dataset.js';
export { oneHot, StandardScaler, standardize } from './preprocessing.js';
export {
  xor, moons, circles, spirals, blobs, polynomialRegression,
  type Classification, type XorOptions, type MoonsOptions, type CirclesOptions, type SpiralsOptions, type BlobsOptions, type PolynomialOptions,
} from './synthetic.js';
