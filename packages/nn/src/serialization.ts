/**
 * Saving and loading tensors in the safetensors format (https://huggingface.co/docs/safetensors), readable by
 * PyTorch, JAX and the `safetensors` packages:
 *
 *   [8 bytes: header length N, unsigned little-endian] [N bytes: UTF-8 JSON header] [tensor bytes]
 *
 * The header maps each name to `{ dtype, shape, data_offsets: [begin, end] }` (offsets into the tensor bytes, which
 * are row-major little-endian and must tile the buffer exactly), plus an optional `__metadata__` of string pairs.
 * `serialize`/`deserialize` work on bytes (browsers too); `save`/`load`/`loadInto` add the file system (Node).
 */
import { Tensor, tensor } from '@tensorgrad/core';
import { checkOptions, describeValue } from './util.js';

/** Anything with a PyTorch-style state dict, such as a Module. */
export interface HasStateDict {
  stateDict(): Record<string, Tensor>;
}

/** Anything that can load a state dict, such as a Module; `options` are passed through (e.g. `{ strict }`). */
export interface LoadsStateDict<R = unknown, O = never> {
  loadStateDict(stateDict: Record<string, Tensor>, options?: O): R;
}

export interface SaveOptions {
  /** Free-form string pairs stored as the header's `__metadata__`. */
  metadata?: Record<string, string>;
}

type Decoded = Float32Array | Float64Array | Int32Array;

interface DTypeInfo {
  size: number;
  /** Reads `count` elements starting at byte `offset` into the tensorgrad dtype this format dtype loads as. */
  read(view: DataView, offset: number, count: number, where: string): Decoded;
}

// Largest header the reference implementation accepts; a larger length field means a corrupt or hostile file.
const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = '__metadata__';

function readInts(size: number, get: (view: DataView, at: number) => number | bigint, name: string): DTypeInfo {
  return {
    size,
    read(view, offset, count, where) {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const v = get(view, offset + i * size);
        // int32 is tensorgrad's only integer dtype: wider integers load when every value fits, else fail loudly.
        if (v < -2147483648 || v > 2147483647) throw new Error(`${where}: ${name} value ${v} at element ${i} does not fit in int32`);
        out[i] = Number(v);
      }
      return out;
    },
  };
}

const bf16Scratch = new DataView(new ArrayBuffer(4));

function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 31) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

const DTYPES: Readonly<Record<string, DTypeInfo>> = {
  F32: {
    size: 4,
    read(view, offset, count) {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, true);
      return out;
    },
  },
  F64: {
    size: 8,
    read(view, offset, count) {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, true);
      return out;
    },
  },
  F16: {
    size: 2,
    read(view, offset, count) {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToNumber(view.getUint16(offset + 2 * i, true));
      return out;
    },
  },
  BF16: {
    size: 2,
    read(view, offset, count) {
      // bfloat16 is the top half of a float32.
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) {
        bf16Scratch.setUint16(0, view.getUint16(offset + 2 * i, true));
        out[i] = bf16Scratch.getFloat32(0);
      }
      return out;
    },
  },
  I32: {
    size: 4,
    read(view, offset, count) {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, true);
      return out;
    },
  },
  I64: readInts(8, (v, at) => v.getBigInt64(at, true), 'I64'),
  I16: readInts(2, (v, at) => v.getInt16(at, true), 'I16'),
  I8: readInts(1, (v, at) => v.getInt8(at), 'I8'),
  U8: readInts(1, (v, at) => v.getUint8(at), 'U8'),
  BOOL: {
    size: 1,
    read(view, offset, count, where) {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const b = view.getUint8(offset + i);
        if (b > 1) throw new Error(`${where}: BOOL element ${i} has byte value ${b}, expected 0 or 1`);
        out[i] = b;
      }
      return out;
    },
  },
};

const WRITE_DTYPES = { float32: 'F32', float64: 'F64', int32: 'I32' } as const;

interface Entry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A dtype by own-property lookup, so names such as "constructor" or "toString" are unsupported dtypes, not methods. */
function dtypeInfo(dtype: unknown): DTypeInfo | undefined {
  return typeof dtype === 'string' && Object.prototype.hasOwnProperty.call(DTYPES, dtype) ? DTYPES[dtype] : undefined;
}

/**
 * A record with no prototype: any tensor name, '__proto__', 'constructor' and 'toString' included, is an ordinary own
 * key that neither reads nor replaces anything inherited.
 */
function nullRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * The first key that appears twice in one object of a JSON text, or null. JSON.parse silently keeps the last of
 * duplicates, which would let a header say two things about one tensor; the safetensors reference rejects them. The
 * text is already known to be valid JSON, so a flat scan suffices (no recursion, so nesting depth cannot overflow).
 */
function duplicateKey(text: string): string | null {
  const objects: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const keys = objects[objects.length - 1];
      if (expectKey && keys) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === '{') {
      objects.push(new Set());
      expectKey = true;
    } else if (c === '[') {
      objects.push(null);
    } else if (c === '}' || c === ']') {
      objects.pop();
      expectKey = false;
    } else if (c === ',') {
      expectKey = objects[objects.length - 1] !== null;
    }
  }
  return null;
}

function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/** Parses and fully validates the header; returns the entries, the metadata and where the tensor bytes start. */
function parseHeader(bytes: Uint8Array, where: string): { entries: Entry[]; metadata: Record<string, string>; dataStart: number } {
  if (!(bytes instanceof Uint8Array)) throw new Error(`${where}: expected a Uint8Array, got ${describeValue(bytes)}`);
  if (bytes.length < 8) throw new Error(`${where}: truncated: ${bytes.length} bytes is shorter than the 8-byte header length field`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(MAX_HEADER_BYTES)) throw new Error(`${where}: header length ${declared} exceeds the ${MAX_HEADER_BYTES}-byte limit (corrupt file?)`);
  const headerLength = Number(declared);
  if (8 + headerLength > bytes.length) throw new Error(`${where}: truncated: header length is ${headerLength} bytes but only ${bytes.length - 8} follow`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    throw new Error(`${where}: header is not valid UTF-8`);
  }
  if (!text.startsWith('{')) throw new Error(`${where}: header does not start with '{' (not a safetensors file?)`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new Error(`${where}: header is not valid JSON: ${(e as Error).message}`);
  }
  if (!isRecord(header)) throw new Error(`${where}: header must be a JSON object`);
  const duplicate = duplicateKey(text);
  if (duplicate !== null) throw new Error(`${where}: header names ${JSON.stringify(duplicate)} twice in one object (duplicate JSON keys are ambiguous)`);

  let metadata = nullRecord<string>();
  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === METADATA_KEY) {
      if (!isRecord(info) || Object.values(info).some((v) => typeof v !== 'string')) throw new Error(`${where}: ${METADATA_KEY} must map strings to strings`);
      for (const [k, v] of Object.entries(info)) setOwn(metadata, k, v as string);
      continue;
    }
    if (!isRecord(info)) throw new Error(`${where}: entry '${name}' must be an object with dtype, shape and data_offsets`);
    const { dtype, shape, data_offsets: offsets } = info;
    const format = dtypeInfo(dtype);
    if (format === undefined || typeof dtype !== 'string') {
      throw new Error(`${where}: tensor '${name}' has unsupported dtype ${JSON.stringify(dtype) ?? String(dtype)} (supported: ${Object.keys(DTYPES).join(', ')})`);
    }
    if (!Array.isArray(shape) || !shape.every(isCount)) throw new Error(`${where}: tensor '${name}' has invalid shape ${JSON.stringify(shape)}`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1]) {
      throw new Error(`${where}: tensor '${name}' has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const count = shape.reduce((a: number, b: number) => a * b, 1);
    const expected = count * format.size;
    if (offsets[1] - offsets[0] !== expected) {
      throw new Error(`${where}: tensor '${name}' (${dtype}, shape [${shape.join(', ')}]) needs ${expected} bytes but data_offsets [${offsets.join(', ')}] span ${offsets[1] - offsets[0]}`);
    }
    entries.push({ name, dtype, shape: [...shape], begin: offsets[0], end: offsets[1] });
  }

  // The tensors must tile the data region exactly: no gaps, no overlaps, nothing missing or left over.
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const e of sorted) {
    if (e.begin !== cursor) {
      throw new Error(`${where}: tensor '${e.name}' starts at byte ${e.begin} of the data but the previous tensor ends at ${cursor} (${e.begin < cursor ? 'overlap' : 'gap'})`);
    }
    cursor = e.end;
  }
  if (cursor > dataLength) throw new Error(`${where}: truncated: tensors need ${cursor} data bytes but the file has ${dataLength}`);
  if (cursor < dataLength) throw new Error(`${where}: ${dataLength - cursor} unexpected bytes after the last tensor`);
  return { entries, metadata, dataStart };
}

/**
 * Decodes a safetensors buffer into named tensors, as a record without a prototype (so any name, `__proto__` included,
 * is an ordinary key). F16/BF16 load as float32; I64/I16/I8/U8/BOOL as int32.
 */
export function deserialize(bytes: Uint8Array): Record<string, Tensor> {
  return decode(bytes, 'deserialize');
}

/** The `__metadata__` string pairs of a safetensors buffer ({} when it has none). */
export function readMetadata(bytes: Uint8Array): Record<string, string> {
  return parseHeader(bytes, 'readMetadata').metadata;
}

function decode(bytes: Uint8Array, where: string): Record<string, Tensor> {
  const { entries, dataStart } = parseHeader(bytes, where);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Decode everything before returning anything, so a bad value leaves the caller with nothing half-loaded.
  const out = nullRecord<Tensor>();
  for (const e of entries) {
    const count = e.shape.reduce((a, b) => a * b, 1);
    const data = DTYPES[e.dtype].read(view, dataStart + e.begin, count, `${where}: tensor '${e.name}'`);
    setOwn(out, e.name, tensor(data, { shape: e.shape }));
  }
  return out;
}

function toTensorRecord(where: string, source: HasStateDict | Record<string, Tensor> | Map<string, Tensor>): Record<string, Tensor> {
  const isModel = isRecord(source) && typeof (source as Partial<HasStateDict>).stateDict === 'function';
  const raw: unknown = isModel ? (source as unknown as HasStateDict).stateDict() : source;
  const entries: [unknown, unknown][] | null = raw instanceof Map ? [...raw.entries()] : isRecord(raw) ? Object.entries(raw) : null;
  if (entries === null) throw new Error(`${where}: expected a model (with stateDict()) or a record of tensors, got ${describeValue(source)}`);
  const record = nullRecord<Tensor>();
  for (const [name, t] of entries) {
    if (typeof name !== 'string') throw new Error(`${where}: tensor names must be strings, got ${describeValue(name)}`);
    if (!(t instanceof Tensor)) throw new Error(`${where}: '${name}' is not a Tensor (got ${describeValue(t)})`);
    if (name === METADATA_KEY) throw new Error(`${where}: '${METADATA_KEY}' is reserved for metadata and cannot name a tensor`);
    // A tensor whose shape was tampered with would write a header no reader can trust.
    const shape: unknown = t.shape;
    if (!Array.isArray(shape) || !shape.every(isCount) || shape.reduce((a: number, b: number) => a * b, 1) !== t.data.length) {
      throw new Error(`${where}: tensor '${name}' has shape ${describeValue(shape)}, which is not a list of non-negative integers matching its ${t.data.length} values`);
    }
    setOwn(record, name, t);
  }
  return record;
}

function checkMetadata(where: string, metadata: unknown): Record<string, string> | undefined {
  if (metadata === undefined) return undefined;
  if (!isRecord(metadata) || Object.values(metadata).some((v) => typeof v !== 'string')) {
    throw new Error(`${where}: metadata must map strings to strings, got ${describeValue(metadata)}`);
  }
  return metadata as Record<string, string>;
}

/**
 * Encodes tensors (a record, a Map, or a model's `stateDict()`) as safetensors bytes. Tensors are laid out in name
 * order; float32/float64/int32 are stored as F32/F64/I32.
 */
export function serialize(tensors: HasStateDict | Record<string, Tensor> | Map<string, Tensor>, options: SaveOptions = {}): Uint8Array {
  checkOptions(options, ['metadata'], 'serialize');
  return encode(tensors, options, 'serialize');
}

function encode(source: HasStateDict | Record<string, Tensor> | Map<string, Tensor>, options: SaveOptions, where: string): Uint8Array {
  const record = toTensorRecord(where, source);
  const metadata = checkMetadata(where, options.metadata);
  const names = Object.keys(record).sort();
  const header = nullRecord<unknown>();
  if (metadata !== undefined && Object.keys(metadata).length > 0) setOwn(header, METADATA_KEY, metadata);
  let offset = 0;
  for (const name of names) {
    const t = record[name];
    const bytes = t.size * (t.dtype === 'float64' ? 8 : 4);
    setOwn(header, name, { dtype: WRITE_DTYPES[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + bytes] });
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  // Pad with spaces (still valid JSON) so the tensor bytes start 8-byte aligned, as the reference writer does.
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const name of names) {
    const t = record[name];
    const data = t.data;
    if (t.dtype === 'float64') {
      for (let i = 0; i < data.length; i++, at += 8) view.setFloat64(at, data[i], true);
    } else if (t.dtype === 'float32') {
      for (let i = 0; i < data.length; i++, at += 4) view.setFloat32(at, data[i], true);
    } else {
      for (let i = 0; i < data.length; i++, at += 4) view.setInt32(at, data[i], true);
    }
  }
  return out;
}

// The module names sit in variables so bundlers targeting browsers leave the imports alone: serialize/deserialize
// work everywhere, and only the file functions need Node.
const FS_MODULE = 'node:fs/promises';
const PATH_MODULE = 'node:path';
const OS_MODULE = 'node:os';
type FsPromises = typeof import('node:fs/promises');
type PathModule = typeof import('node:path');
type OsModule = typeof import('node:os');

async function nodeModule<T>(name: string, where: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch {
    throw new Error(`${where}: needs Node's file system; in a browser use serialize()/deserialize() on bytes`);
  }
}

async function nodeFs(where: string): Promise<FsPromises> {
  return nodeModule<FsPromises>(FS_MODULE, where);
}

function checkPath(where: string, path: unknown): asserts path is string {
  if (typeof path !== 'string' || path === '') throw new Error(`${where}: path must be a non-empty string, got ${describeValue(path)}`);
}

/**
 * Temporary files of `save` are named `<file>.tensorgrad-tmp.<host>.<pid>.<n>`: recognisable as ours, next to the target
 * (so the final rename is atomic), and saying which process wrote them. A writer killed mid-save (SIGKILL, power loss)
 * cannot clean up after itself; the next save to the same path removes such files once their writer is gone.
 */
const TEMP_MARK = '.tensorgrad-tmp.';
let tempCounter = 0;

/** A short, dot-free tag of the host name, so process ids are only compared with those of the same machine. */
function hostTag(os: OsModule): string {
  let h = 0x811c9dc5;
  for (const ch of os.hostname()) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return (h >>> 0).toString(36);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temporary files of earlier saves to `path` whose writer (on this host) no longer runs. Best effort. */
async function removeStaleTemps(fs: FsPromises, paths: PathModule, path: string, host: string): Promise<void> {
  const dir = paths.dirname(path);
  const prefix = paths.basename(path) + TEMP_MARK;
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const [tag, pidText] = name.slice(prefix.length).split('.');
    const pid = Number(pidText);
    if (tag !== host || !Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || processAlive(pid)) continue;
    await fs.rm(paths.join(dir, name), { force: true }).catch(() => undefined);
  }
}

/**
 * Writes a model's state dict (or a record/Map of tensors) to `path` as safetensors. The file is written to a
 * temporary name in the same directory, flushed, then renamed over `path`, so `path` always holds either the old file
 * or the complete new one. Temporary files are named `<path>.tensorgrad-tmp.<host>.<pid>.<n>`; ones left by a writer
 * that was killed mid-save are removed by the next save to the same path.
 */
export async function save(
  modelOrStateDict: HasStateDict | Record<string, Tensor> | Map<string, Tensor>,
  path: string,
  options: SaveOptions = {},
): Promise<void> {
  checkPath('save', path);
  const where = `save('${path}')`;
  checkOptions(options, ['metadata'], where);
  const bytes = encode(modelOrStateDict, options, where);
  const fs = await nodeFs(where);
  const paths = await nodeModule<PathModule>(PATH_MODULE, where);
  const host = hostTag(await nodeModule<OsModule>(OS_MODULE, where));
  await removeStaleTemps(fs, paths, path, host);
  const temp = `${path}${TEMP_MARK}${host}.${process.pid}.${tempCounter++}`;
  try {
    const handle = await fs.open(temp, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, path);
  } catch (e) {
    await fs.rm(temp, { force: true });
    throw new Error(`${where}: ${(e as Error).message}`, { cause: e });
  }
}

async function readFile(where: string, path: string): Promise<Uint8Array> {
  const fs = await nodeFs(where);
  try {
    return await fs.readFile(path);
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`, { cause: e });
  }
}

/** Reads a safetensors file into named tensors (see `deserialize` for dtype conversions). */
export async function load(path: string): Promise<Record<string, Tensor>> {
  checkPath('load', path);
  const where = `load('${path}')`;
  return decode(await readFile(where, path), where);
}

/** Reads only the `__metadata__` of a safetensors file. */
export async function loadMetadata(path: string): Promise<Record<string, string>> {
  checkPath('loadMetadata', path);
  const where = `loadMetadata('${path}')`;
  return parseHeader(await readFile(where, path), where).metadata;
}

/** Loads a safetensors file into a model via its `loadStateDict` (options such as `{ strict }` pass through). */
export async function loadInto<R, O>(model: LoadsStateDict<R, O>, path: string, options?: O): Promise<R> {
  checkPath('loadInto', path);
  if (!isRecord(model) || typeof model.loadStateDict !== 'function') throw new Error(`loadInto('${path}'): expected a model with loadStateDict(), got ${describeValue(model)}`);
  const tensors = await load(path);
  return options === undefined ? model.loadStateDict(tensors) : model.loadStateDict(tensors, options);
}
