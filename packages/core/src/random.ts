/**
 * Seeded pseudo-random numbers. `Generator` is a sfc32 generator (fast, 128-bit state, good statistical quality);
 * the default generator starts from a fixed seed so programs are reproducible unless they ask otherwise.
 */
import { describeValue } from './describe.js';
export class Generator {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;
  private spare: number | null = null;

  constructor(seed = 0) {
    this.seed(seed, 'Generator');
  }

  manualSeed(seed: number): this {
    return this.seed(seed, 'manualSeed');
  }

  private seed(seed: number, op: string): this {
    if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new Error(`${op}: seed must be a finite number, got ${describeValue(seed)}`);
    // splitmix32 spreads any seed (including 0 and small integers) over the whole state.
    let s = Math.floor(seed) >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) | 0;
      let z = s ^ hi;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next(); this.b = next(); this.c = next(); this.d = next();
    this.spare = null;
    for (let i = 0; i < 12; i++) this.nextUint32();
    return this;
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5, lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal by the Box–Muller transform (the second value is kept for the next call). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Integer in [low, high). */
  integer(low: number, high: number): number {
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || high <= low) {
      throw new Error(`Generator.integer: need integers low < high, got ${describeValue(low)} and ${describeValue(high)}`);
    }
    return low + Math.floor(this.random() * (high - low));
  }

  getState(): number[] {
    return [this.a, this.b, this.c, this.d, this.spare ?? NaN];
  }

  setState(state: readonly number[]): this {
    if (!Array.isArray(state) || state.length !== 5 || !state.every((x) => typeof x === 'number')) {
      throw new Error(`Generator.setState: expected the array of 5 numbers getState() returns, got ${describeValue(state)}`);
    }
    [this.a, this.b, this.c, this.d] = state.map((x) => x | 0);
    this.spare = Number.isNaN(state[4]) ? null : state[4];
    return this;
  }
}

export const DEFAULT_SEED = 67280421;
export const defaultGenerator = new Generator(DEFAULT_SEED);

/** Re-seed the default generator (like torch.manual_seed). */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}
