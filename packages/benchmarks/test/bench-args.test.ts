/** The benchmark's command line and the harness's statistics (the timings themselves are not tested). */
import { parseBenchArgs } from '../src/bench';
import { measureInterleaved, median, roundRatios } from '../src/harness';
import { torchEnv } from '../src/peer';

describe('pnpm bench flags', () => {
  test('defaults, and the flags parsed', () => {
    expect(parseBenchArgs([])).toMatchObject({ quick: false, only: null, rounds: null, clock: 'wall', threads: null, save: null });
    expect(parseBenchArgs(['--quick', '--only', 'W1, gpt', '--rounds', '3', '--clock', 'cpu', '--threads', '1', '--peers', 'tensorgrad,torch']))
      .toMatchObject({ quick: true, only: ['W1', 'gpt'], rounds: 3, clock: 'cpu', threads: 1, peers: ['tensorgrad', 'torch'] });
  });

  test('a leading -- (from pnpm bench -- …) is skipped', () => {
    expect(parseBenchArgs(['--', '--only', 'W2']).only).toEqual(['W2']);
  });

  test.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--only'], /argument missing/],
    [['--only', 'W9'], /unknown row 'W9' in --only/],
    [['--peers', 'tensorgrad,jax'], /unknown peer 'jax'/],
    [['--peers', 'torch'], /--peers must include tensorgrad/],
    [['--rounds', '0'], /--rounds needs an integer >= 1, got '0'/],
    [['--threads', 'two'], /--threads needs an integer >= 1, got 'two'/],
    [['--clock', 'gpu'], /--clock must be wall or cpu, got 'gpu'/],
    [['W1'], /unexpected argument 'W1'/],
  ])('%j is rejected', (argv, message) => {
    expect(() => parseBenchArgs(argv as string[])).toThrow(message);
  });
});

describe('harness', () => {
  test('median and per-round ratios', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(roundRatios([2, 4, 6], [1, 1, 2])).toEqual({ median: 3, min: 2, max: 4 });
    expect(roundRatios([], [1])).toBeNull();
  });

  test('implementations are interleaved round by round, rotating who goes first, and a failed setup is reported', async () => {
    const order: string[] = [];
    const impl = (name: string) => ({ name, setup: async () => ({ run: () => { order.push(name); } }) });
    const failing = { name: 'broken', setup: () => Promise.reject(new Error('no such library')) };
    const m = await measureInterleaved([impl('a'), impl('b'), failing], { rounds: 3, minSeconds: 0, warmup: 1, warmupSeconds: 0 });
    expect(order).toEqual(['a', 'b', 'a', 'b', 'b', 'a', 'a', 'b']);
    expect(m.map((x) => x.samples.length)).toEqual([3, 3, 0]);
    expect(m[2].error).toBe('no such library');
    expect(m[2].median).toBeNaN();
  });

  test('the PyTorch process gets one BLAS thread and no OpenBLAS overrides, without touching this environment', () => {
    const base = { PATH: '/bin', OPENBLAS_CORETYPE: 'Haswell', OPENBLAS_L2_SIZE: '512', OPENBLAS_NUM_THREADS: '8' };
    const env = torchEnv(base);
    expect(env).toMatchObject({ PATH: '/bin', OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' });
    expect(env.OPENBLAS_CORETYPE).toBeUndefined();
    expect(env.OPENBLAS_L2_SIZE).toBeUndefined();
    expect(base.OPENBLAS_CORETYPE).toBe('Haswell');
  });
});
