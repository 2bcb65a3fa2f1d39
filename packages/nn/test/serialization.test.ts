/** safetensors save/load: round trips, interop with files PyTorch wrote (and PyTorch reading ours), corruption. */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tensor, arange, tensor } from '@tensorgrad/core';
import { deserialize, load, loadInto, loadMetadata, readMetadata, save, serialize } from '../src/serialization.js';

const FIXTURES = join(__dirname, 'fixtures');

interface Expected {
  sourceDtype: string;
  dtype: 'float32' | 'float64' | 'int32';
  shape: number[];
  data: Array<number | string>;
}

const interop = JSON.parse(readFileSync(join(FIXTURES, 'safetensors-torch.json'), 'utf8')) as {
  metadata: Record<string, string>;
  tensors: Record<string, Expected>;
  tensorgradWrites: Record<string, { dtype: 'float32' | 'float64' | 'int32'; shape: number[]; data: number[] }>;
  tensorgradMetadata: Record<string, string>;
};

function decodeNumber(v: number | string): number {
  return v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v === 'nan' ? NaN : (v as number);
}

/** Builds a safetensors buffer from a header object and raw data bytes, for crafting broken files. */
function rawFile(header: unknown, data: number[] | Uint8Array = [], headerText = JSON.stringify(header)): Uint8Array {
  const json = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function sample(): Record<string, Tensor> {
  return {
    'layer.weight': tensor([[1.5, -2.25, 3], [0.1, 1e-30, -0]]),
    'layer.bias': tensor([Math.PI, -1 / 3], { dtype: 'float64' }),
    indices: tensor([-2147483648, 0, 7, 2147483647], { dtype: 'int32' }),
    scalar: tensor(2.5),
    empty: tensor([], { shape: [0, 3] }),
    transposed: arange(6).reshape([2, 3]).transpose(0, 1),
  };
}

function expectSameTensors(actual: Record<string, Tensor>, expected: Record<string, Tensor>): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [name, t] of Object.entries(expected)) {
    expect({ name, dtype: actual[name].dtype, shape: actual[name].shape }).toEqual({ name, dtype: t.dtype, shape: t.shape });
    expect(actual[name].toArray()).toEqual(t.toArray());
  }
}

describe('serialize / deserialize', () => {
  test('round-trips float32, float64, int32, 0-d, empty and non-contiguous tensors exactly', () => {
    const tensors = sample();
    const back = deserialize(serialize(tensors));
    expectSameTensors(back, tensors);
    expect(Object.is(back['layer.weight'].data[5], -0)).toBe(true);
  });

  test('writes the documented layout: LE length, 8-aligned JSON header, name-ordered contiguous data', () => {
    const bytes = serialize({ b: tensor([1, 2], { dtype: 'float64' }), a: tensor([7], { dtype: 'int32' }) }, { metadata: { kind: 'test' } });
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = Number(view.getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header).toEqual({
      __metadata__: { kind: 'test' },
      a: { dtype: 'I32', shape: [1], data_offsets: [0, 4] },
      b: { dtype: 'F64', shape: [2], data_offsets: [4, 20] },
    });
    expect(bytes.length).toBe(8 + n + 20);
    expect(view.getInt32(8 + n, true)).toBe(7);
    expect(view.getFloat64(8 + n + 12, true)).toBe(2);
  });

  test('metadata round-trips; files without it have none', () => {
    expect(readMetadata(serialize(sample(), { metadata: { epoch: '3', note: 'ünïcödé' } }))).toEqual({ epoch: '3', note: 'ünïcödé' });
    expect(readMetadata(serialize(sample()))).toEqual({});
  });

  test('accepts a Map and anything with stateDict()', () => {
    const model = { stateDict: () => ({ w: tensor([1, 2]) }) };
    expectSameTensors(deserialize(serialize(model)), { w: tensor([1, 2]) });
    expectSameTensors(deserialize(serialize(new Map([['w', tensor([3])]]))), { w: tensor([3]) });
  });

  test('works on a Uint8Array that is a view into a larger buffer', () => {
    const bytes = serialize(sample());
    const padded = new Uint8Array(bytes.length + 13);
    padded.set(bytes, 5);
    expectSameTensors(deserialize(padded.subarray(5, 5 + bytes.length)), sample());
  });

  test.each<[string, () => unknown, RegExp]>([
    ['a non-tensor value', () => serialize({ w: [1, 2] } as never), /serialize: 'w' is not a Tensor \(got \[1, 2\]\)/],
    ['a tensor named __metadata__', () => serialize({ __metadata__: tensor([1]) }), /'__metadata__' is reserved/],
    ['non-string metadata', () => serialize({ w: tensor([1]) }, { metadata: { epoch: 3 } as never }), /serialize: metadata must map strings to strings/],
    ['something that is not tensors', () => serialize(42 as never), /expected a model \(with stateDict\(\)\) or a record of tensors, got 42/],
  ])('serialize rejects %s', (_what, call, message) => {
    expect(call).toThrow(message);
  });
});

describe('interop with PyTorch (fixtures from safetensors-interop.py)', () => {
  test('reads every tensor PyTorch wrote, converting F16/BF16 to float32 and I64/I16/I8/U8/BOOL to int32', async () => {
    const loaded = await load(join(FIXTURES, 'safetensors-torch.safetensors'));
    expect(Object.keys(loaded).sort()).toEqual(Object.keys(interop.tensors).sort());
    const sourceDtypes = new Set(Object.values(interop.tensors).map((e) => e.sourceDtype));
    expect([...sourceDtypes].sort()).toEqual(['BF16', 'BOOL', 'F16', 'F32', 'F64', 'I16', 'I32', 'I64', 'I8', 'U8']);
    for (const [name, e] of Object.entries(interop.tensors)) {
      const t = loaded[name];
      expect({ name, dtype: t.dtype, shape: t.shape }).toEqual({ name, dtype: e.dtype, shape: e.shape });
      const want = e.data.map(decodeNumber);
      Array.from(t.data).forEach((v, i) => expect(Object.is(v, want[i]) || v === want[i]).toBe(true));
    }
    expect(await loadMetadata(join(FIXTURES, 'safetensors-torch.safetensors'))).toEqual(interop.metadata);
  });

  test('writes the file PyTorch verifies byte for byte (safetensors-tensorgrad.safetensors)', () => {
    const tensors: Record<string, Tensor> = {};
    for (const [name, spec] of Object.entries(interop.tensorgradWrites)) tensors[name] = tensor(spec.data, { shape: spec.shape, dtype: spec.dtype });
    const bytes = serialize(tensors, { metadata: interop.tensorgradMetadata });
    const file = join(FIXTURES, 'safetensors-tensorgrad.safetensors');
    // Regenerate after changing the spec: TENSORGRAD_WRITE_FIXTURES=1, then run safetensors-interop.py to verify.
    if (process.env.TENSORGRAD_WRITE_FIXTURES) writeFileSync(file, bytes);
    expect(Buffer.from(bytes).equals(readFileSync(file))).toBe(true);
    expectSameTensors(deserialize(readFileSync(file)), tensors);
  });
});

describe('save / load on disk', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tensorgrad-serialization-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('save then load round-trips, replaces an existing file, and leaves no temporary file', async () => {
    const path = join(dir, 'model.safetensors');
    await save({ old: tensor([1]) }, path);
    await save(sample(), path, { metadata: { step: '10' } });
    expectSameTensors(await load(path), sample());
    expect(await loadMetadata(path)).toEqual({ step: '10' });
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });

  test('loadInto hands the tensors (and options) to the model', async () => {
    const path = join(dir, 'm.safetensors');
    const source = { stateDict: () => ({ w: tensor([1, 2]), b: tensor(3) }) };
    await save(source, path);
    const received: Array<[Record<string, Tensor>, unknown]> = [];
    const target = {
      loadStateDict(sd: Record<string, Tensor>, options?: { strict: boolean }) {
        received.push([sd, options]);
        return 'ok';
      },
    };
    expect(await loadInto(target, path, { strict: false })).toBe('ok');
    expectSameTensors(received[0][0], source.stateDict());
    expect(received[0][1]).toEqual({ strict: false });
  });

  test('a save that cannot encode never touches the existing file', async () => {
    const path = join(dir, 'keep.safetensors');
    await save({ w: tensor([1]) }, path);
    const before = readFileSync(path);
    await expect(save({ w: 'oops' } as never, path)).rejects.toThrow(/save\('.*keep.safetensors'\): 'w' is not a Tensor/);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(['keep.safetensors']);
  });

  test('a save into a missing directory fails with the path and leaves nothing behind', async () => {
    const path = join(dir, 'missing', 'x.safetensors');
    await expect(save(sample(), path)).rejects.toThrow(/save\('.*x.safetensors'\): ENOENT/);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });

  test('loading a missing or corrupted file names the file, and loadInto then loads nothing', async () => {
    await expect(load(join(dir, 'nope.safetensors'))).rejects.toThrow(/load\('.*nope.safetensors'\): ENOENT/);
    const path = join(dir, 'cut.safetensors');
    const bytes = serialize(sample());
    writeFileSync(path, bytes.subarray(0, bytes.length - 3));
    await expect(load(path)).rejects.toThrow(/load\('.*cut.safetensors'\): truncated: tensors need \d+ data bytes but the file has \d+/);
    let called = false;
    const model = { loadStateDict: () => (called = true) };
    await expect(loadInto(model, path)).rejects.toThrow(/truncated/);
    expect(called).toBe(false);
  });
});

describe('corrupted or invalid input is rejected with a clear error', () => {
  const f32 = (name: string, shape: number[], begin: number, end: number) => ({ [name]: { dtype: 'F32', shape, data_offsets: [begin, end] } });
  const four = [0, 0, 128, 63]; // 1.0f little-endian

  test.each<[string, () => Uint8Array, RegExp]>([
    ['fewer than 8 bytes', () => new Uint8Array([1, 0, 0]), /truncated: 3 bytes is shorter than the 8-byte header length field/],
    ['a header longer than the file', () => serialize(sample()).subarray(0, 40), /truncated: header length is \d+ bytes but only 32 follow/],
    ['an absurd header length', () => { const b = new Uint8Array(16); b[7] = 1; return b; }, /header length 72057594037927936 exceeds the 100000000-byte limit/],
    ['invalid UTF-8', () => rawFile(null, [], '{"\xff"}').map((b, i) => (i === 10 ? 0xff : b)), /header is not valid UTF-8/],
    ['a header that is not an object', () => rawFile([1, 2]), /header does not start with '\{'/],
    ['invalid JSON', () => rawFile(null, [], '{"a": '), /header is not valid JSON/],
    ['an unsupported dtype', () => rawFile({ a: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, new Array(8).fill(0)), /tensor 'a' has unsupported dtype "C64"/],
    ['a negative dimension', () => rawFile(f32('a', [-1], 0, 4), four), /tensor 'a' has invalid shape \[-1\]/],
    ['reversed offsets', () => rawFile(f32('a', [1], 4, 0), four), /tensor 'a' has invalid data_offsets \[4,0\]/],
    ['offsets that disagree with the shape', () => rawFile(f32('a', [2], 0, 4), four), /tensor 'a' \(F32, shape \[2\]\) needs 8 bytes but data_offsets \[0, 4\] span 4/],
    ['overlapping tensors', () => rawFile({ ...f32('a', [1], 0, 4), ...f32('b', [2], 0, 8) }, [...four, ...four]), /starts at byte 0 of the data but the previous tensor ends at 4 \(overlap\)/],
    ['a gap between tensors', () => rawFile({ ...f32('a', [1], 0, 4), ...f32('b', [1], 8, 12) }, [...four, ...four, ...four]), /tensor 'b' starts at byte 8 .* \(gap\)/],
    ['trailing bytes', () => rawFile(f32('a', [1], 0, 4), [...four, 9, 9]), /2 unexpected bytes after the last tensor/],
    ['data offsets past the end', () => rawFile(f32('a', [2], 0, 8), four), /truncated: tensors need 8 data bytes but the file has 4/],
    ['non-string metadata', () => rawFile({ __metadata__: { a: 1 } }), /__metadata__ must map strings to strings/],
    ['an entry that is not an object', () => rawFile({ a: 5 }), /entry 'a' must be an object with dtype, shape and data_offsets/],
    ['an I64 value outside int32', () => rawFile({ a: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, [0, 0, 0, 128, 0, 0, 0, 0]), /tensor 'a': I64 value 2147483648 at element 0 does not fit in int32/],
    ['a BOOL byte other than 0 or 1', () => rawFile({ a: { dtype: 'BOOL', shape: [2], data_offsets: [0, 2] } }, [1, 2]), /tensor 'a': BOOL element 1 has byte value 2/],
  ])('%s', (_what, make, message) => {
    const bytes = make();
    expect(() => deserialize(bytes)).toThrow(message);
  });

  test('a well-formed crafted file with a gap-free layout in any header order loads', () => {
    const bytes = rawFile({ b: { dtype: 'F32', shape: [], data_offsets: [4, 8] }, a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, [...four, 0, 0, 0, 64]);
    const t = deserialize(bytes);
    expect(t.a.toArray()).toEqual([1]);
    expect(t.b.item()).toBe(2);
  });

  test('a non-Uint8Array input is rejected', () => {
    expect(() => deserialize('bytes' as never)).toThrow(/deserialize: expected a Uint8Array, got "bytes"/);
  });
});

describe('names that collide with Object.prototype, duplicate keys and unknown dtypes', () => {
  const awkward = () => {
    const record = Object.create(null) as Record<string, Tensor>;
    for (const [i, name] of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'].entries()) {
      Object.defineProperty(record, name, { value: tensor([i, -i]), enumerable: true });
    }
    return record;
  };

  test("tensors named '__proto__', 'constructor' and 'toString' round-trip through serialize/deserialize", () => {
    const out = deserialize(serialize(awkward()));
    expect(Object.getPrototypeOf(out)).toBeNull();
    expect(Object.keys(out).sort()).toEqual(['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf']);
    expect(out['__proto__'].toArray()).toEqual([0, -0]);
    expect(out['toString'].toArray()).toEqual([2, -2]);
    expect(out['constructor'].toArray()).toEqual([1, -1]);
  });

  test('and through save/load on disk, from a Map too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tensorgrad-proto-'));
    try {
      const path = join(dir, 'x.safetensors');
      await save(new Map(Object.entries(awkward())), path, { metadata: { __proto__: 'm', constructor: 'c' } as never });
      const out = await load(path);
      expect(Object.keys(out).sort()).toEqual(['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf']);
      expect(out['__proto__'].toArray()).toEqual([0, -0]);
      expect(Object.keys(await loadMetadata(path)).sort()).toEqual(['constructor']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each<[string, string, RegExp]>([
    ['a tensor named twice', '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', /header names "a" twice in one object/],
    ['a field named twice inside an entry', '{"a":{"dtype":"F32","dtype":"F64","shape":[1],"data_offsets":[0,4]}}', /header names "dtype" twice/],
    ['the same name spelled with an escape', '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"\\u0061":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', /header names "a" twice/],
    ['metadata keys twice', '{"__metadata__":{"k":"1","k":"2"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', /header names "k" twice/],
  ])('duplicate JSON keys are rejected: %s', (_what, header, message) => {
    expect(() => deserialize(rawFile(null, [0, 0, 128, 63], header))).toThrow(message);
  });

  test('keys that repeat only in different objects, or inside strings, are fine', () => {
    const header = '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b\\"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}';
    const out = deserialize(rawFile(null, [0, 0, 128, 63, 0, 0, 0, 64], header));
    expect(out['b"a'].toArray()).toEqual([2]);
  });

  test.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])('a dtype of "%s" is an unsupported dtype', (dtype) => {
    const bytes = rawFile({ a: { dtype, shape: [1], data_offsets: [0, 4] } }, [0, 0, 128, 63]);
    expect(() => deserialize(bytes)).toThrow(new RegExp(`tensor 'a' has unsupported dtype "${dtype}" \\(supported: F32`));
  });

  test.each<[string, unknown]>([
    ['NaN', [NaN]], ['negative', [-1]], ['fractional', [1.5]], ['not a list', 3], ['a string', ['2']], ['mismatching its values', [3]],
  ])('save and serialize refuse a tensor whose shape is %s', async (_what, shape) => {
    const t = tensor([1, 2]);
    Object.defineProperty(t, 'shape', { value: shape });
    expect(() => serialize({ t })).toThrow(/^serialize: tensor 't' has shape .* which is not a list of non-negative integers matching its 2 values/);
    await expect(save({ t }, join(tmpdir(), 'never-written.safetensors'))).rejects.toThrow(/^save\('.*'\): tensor 't' has shape/);
    expect(existsSync(join(tmpdir(), 'never-written.safetensors'))).toBe(false);
  });

  test('options and paths are checked', async () => {
    expect(() => serialize({}, { meta: {} } as never)).toThrow("serialize: unknown option 'meta' (known: metadata)");
    await expect(save({}, '' as never)).rejects.toThrow('save: path must be a non-empty string, got ""');
    await expect(load(5 as never)).rejects.toThrow('load: path must be a non-empty string, got 5');
  });
});

describe('a writer killed mid-save leaves no permanent litter', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tensorgrad-crash-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** The temporary file name save() uses, observed by spying on fs.open. */
  async function observedTempName(path: string): Promise<string> {
    const fsp = jest.requireActual('node:fs/promises') as typeof import('node:fs/promises');
    const spy = jest.spyOn(fsp, 'open');
    try {
      await save({ w: tensor([1]) }, path);
      return String(spy.mock.calls[0][0]);
    } finally {
      spy.mockRestore();
    }
  }

  test('temporary files have a recognisable name next to the target', async () => {
    const path = join(dir, 'model.safetensors');
    const temp = await observedTempName(path);
    expect(temp).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.tensorgrad-tmp\\.[0-9a-z]+\\.${process.pid}\\.\\d+$`));
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });

  test('the next save to the path removes temporaries of dead writers and keeps those of live ones', async () => {
    const path = join(dir, 'model.safetensors');
    const temp = await observedTempName(path);
    // A process that has exited: its pid no longer runs (spawnSync waits for it).
    const dead = (await import('node:child_process')).spawnSync(process.execPath, ['-e', '']).pid as number;
    const withPid = (pid: number) => temp.replace(new RegExp(`\\.${process.pid}\\.(\\d+)$`), `.${pid}.$1`);
    const stale = withPid(dead), live = withPid(process.ppid), other = join(dir, 'other.safetensors.tensorgrad-tmp.x.1.0');
    for (const f of [stale, live, other]) writeFileSync(f, 'partial');
    await save({ w: tensor([2]) }, path);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(live)).toBe(true);   // its writer may still be saving
    expect(existsSync(other)).toBe(true);  // another target's business
    expect((await load(path)).w.toArray()).toEqual([2]);
  });
});
