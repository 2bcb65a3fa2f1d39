import fc from 'fast-check';
import {
  ACTIVATIONS, DATASETS, DEFAULT_CONFIG, FEATURES, LEARNING_RATES, OPTIMIZERS, REGULARIZATIONS, REGULARIZATION_RATES, SPEEDS,
  changedKeys, cloneConfig, configToQuery, parseConfig, type Config,
} from '../src/web/config';

const configArb: fc.Arbitrary<Config> = fc.record({
  dataset: fc.constantFrom(...DATASETS),
  noise: fc.integer({ min: 0, max: 10 }).map((k) => 5 * k),
  trainPercent: fc.integer({ min: 1, max: 9 }).map((k) => 10 * k),
  batchSize: fc.integer({ min: 1, max: 30 }),
  hidden: fc.array(fc.integer({ min: 1, max: 8 }), { maxLength: 6 }),
  activation: fc.constantFrom(...ACTIVATIONS),
  learningRate: fc.oneof(fc.constantFrom(...LEARNING_RATES), fc.double({ min: 1e-6, max: 10, noNaN: true })),
  optimizer: fc.constantFrom(...OPTIMIZERS),
  regularization: fc.constantFrom(...REGULARIZATIONS),
  regularizationRate: fc.constantFrom(...REGULARIZATION_RATES),
  features: fc.subarray([...FEATURES], { minLength: 1 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  speed: fc.constantFrom(...SPEEDS),
  showTestData: fc.boolean(),
  discretize: fc.boolean(),
});

describe('the configuration in the URL', () => {
  test('every configuration survives a trip through the URL unchanged', () => {
    fc.assert(fc.property(configArb, (c) => {
      const { config, problems } = parseConfig(`#${configToQuery(c)}`);
      expect(problems).toEqual([]);
      expect(config).toEqual(c);
    }), { seed: 11, numRuns: 300 });
  });

  test('the defaults read as a short, legible fragment', () => {
    expect(configToQuery(DEFAULT_CONFIG)).toBe(
      'dataset=circle&noise=0&train=50&batch=10&hidden=8,8,6&activation=tanh&lr=0.01&optimizer=adam&reg=l2&regRate=0.001'
      + '&features=x,y,x2,y2,sinx,siny&seed=1&speed=30&showTest=0&discretize=0',
    );
    expect(parseConfig('')).toEqual({ config: cloneConfig(DEFAULT_CONFIG), problems: [] });
  });

  test('missing settings take their defaults; ? and # prefixes and bare queries all parse', () => {
    for (const text of ['#dataset=spiral&lr=0.3', '?dataset=spiral&lr=0.3', 'dataset=spiral&lr=0.3']) {
      const { config, problems } = parseConfig(text);
      expect(problems).toEqual([]);
      expect(config).toEqual({ ...cloneConfig(DEFAULT_CONFIG), dataset: 'spiral', learningRate: 0.3 });
    }
  });

  test('features are kept in canonical order without repeats; an empty hidden list is a network with no hidden layer', () => {
    const { config } = parseConfig('#features=siny,x,siny&hidden=');
    expect(config.features).toEqual(['x', 'siny']);
    expect(config.hidden).toEqual([]);
  });

  test('invalid or unknown settings are reported and replaced by defaults, the rest still applies', () => {
    const { config, problems } = parseConfig('#dataset=donut&noise=55&hidden=4,9&features=x,z&lr=-1&batch=2.5&speed=7&showTest=yes&foo=1&activation=gelu');
    expect(problems).toEqual([
      "invalid dataset 'donut' (kept the default)",
      "invalid noise '55' (kept the default)",
      "invalid hidden '4,9' (kept the default)",
      "invalid features 'x,z' (kept the default)",
      "invalid lr '-1' (kept the default)",
      "invalid batch '2.5' (kept the default)",
      "invalid speed '7' (kept the default)",
      "invalid showTest 'yes' (kept the default)",
      "unknown setting 'foo'",
    ]);
    expect(config).toEqual({ ...cloneConfig(DEFAULT_CONFIG), activation: 'gelu' });
  });

  test('too many layers or neurons are rejected', () => {
    expect(parseConfig('#hidden=1,1,1,1,1,1,1').problems).toHaveLength(1);
    expect(parseConfig('#hidden=8,8,8,8,8,8').problems).toEqual([]);
  });

  test('changedKeys names exactly the settings that differ', () => {
    const a = cloneConfig(DEFAULT_CONFIG);
    const b = { ...cloneConfig(DEFAULT_CONFIG), hidden: [8, 8], learningRate: 0.03 };
    expect(changedKeys(a, b)).toEqual(['hidden', 'learningRate']);
    expect(changedKeys(a, cloneConfig(a))).toEqual([]);
  });
});
