/**
 * Type resolution as consumers see it, against the built packages (run `pnpm run build` first): small consumer files
 * compiled with TypeScript under node16 and nodenext (a CommonJS .cts and an ES module .mts), bundler and node10
 * resolution must type-check with no errors, without @types/node (so the published types also suit browser code), and
 * each import must land on the declaration files of the matching build: dist/cjs for require, dist/esm (an ES module
 * scope) for import. Also checks that every path in each package's exports map exists.
 */
import { existsSync, readFileSync } from 'fs';
import { join, resolve } from 'path';
import ts from 'typescript';

const root = resolve(__dirname, '..', '..', '..');
const fixtures = join(__dirname, 'fixtures', 'consumer');
const PACKAGES = ['core', 'nn', 'data'];

beforeAll(() => {
  const missing = PACKAGES.map((p) => join(root, 'packages', p, 'dist', 'esm', 'index.d.ts')).filter((f) => !existsSync(f));
  if (missing.length > 0) throw new Error(`run 'pnpm run build' first: missing ${missing.join(', ')}`);
});

const base: ts.CompilerOptions = { strict: true, noEmit: true, skipLibCheck: false, types: [], lib: ['lib.es2022.d.ts'], target: ts.ScriptTarget.ES2022 };

function compile(files: string[], options: ts.CompilerOptions): { program: ts.Program; errors: string[] } {
  const program = ts.createProgram(files.map((f) => join(fixtures, f)), { ...base, ...options });
  const errors = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${d.file.fileName.replace(root + '/', '')}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ` : '';
    return where + ts.flattenDiagnosticMessageText(d.messageText, '\n');
  });
  return { program, errors };
}

/** Where TypeScript resolves `specifier` from `file`, relative to the repository, and the format it gives that file. */
function resolution(program: ts.Program, file: string, specifier: string): string {
  const options = program.getCompilerOptions();
  const from = join(fixtures, file);
  const mode = program.getSourceFile(from)!.impliedNodeFormat;
  const resolved = ts.resolveModuleName(specifier, from, options, ts.sys, undefined, undefined, mode).resolvedModule;
  if (!resolved) return 'unresolved';
  const target = program.getSourceFile(resolved.resolvedFileName);
  // Bundler resolution gives files no Node module format, node16/nodenext do.
  const format = target?.impliedNodeFormat === ts.ModuleKind.ESNext ? ' (esm)' : target?.impliedNodeFormat === ts.ModuleKind.CommonJS ? ' (cjs)' : '';
  return resolved.resolvedFileName.replace(root + '/', '') + format;
}

describe.each([
  ['node16', ts.ModuleKind.Node16, ts.ModuleResolutionKind.Node16],
  ['nodenext', ts.ModuleKind.NodeNext, ts.ModuleResolutionKind.NodeNext],
])('%s', (_name, module, moduleResolution) => {
  const { program, errors } = compile(['uses-cjs.cts', 'uses-esm.mts'], { module, moduleResolution });

  test('a CommonJS and an ES module consumer type-check', () => {
    expect(errors).toEqual([]);
  });

  test('require gets dist/cjs types, import gets dist/esm types in an ES module scope', () => {
    for (const p of PACKAGES) {
      expect(resolution(program, 'uses-cjs.cts', `@tensorgrad/${p}`)).toBe(`packages/${p}/dist/cjs/index.d.ts (cjs)`);
      expect(resolution(program, 'uses-esm.mts', `@tensorgrad/${p}`)).toBe(`packages/${p}/dist/esm/index.d.ts (esm)`);
    }
    expect(resolution(program, 'uses-esm.mts', '@tensorgrad/core/esm')).toBe('packages/core/dist/esm/index.d.ts (esm)');
    expect(resolution(program, 'uses-esm.mts', '@tensorgrad/nn/esm')).toBe('packages/nn/dist/esm/index.d.ts (esm)');
  });
});

describe('bundler resolution', () => {
  const { program, errors } = compile(['uses-bundler.ts'], { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler });

  test('a consumer type-checks', () => {
    expect(errors).toEqual([]);
  });

  test('the import condition: dist/esm types', () => {
    expect(resolution(program, 'uses-bundler.ts', '@tensorgrad/nn')).toBe('packages/nn/dist/esm/index.d.ts');
    expect(resolution(program, 'uses-bundler.ts', '@tensorgrad/core/esm')).toBe('packages/core/dist/esm/index.d.ts');
  });
});

describe('node10 resolution (no exports maps)', () => {
  const { program, errors } = compile(['uses-node10.ts'], { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 });

  test('a consumer type-checks through the top-level "types" field', () => {
    expect(errors).toEqual([]);
    expect(resolution(program, 'uses-node10.ts', '@tensorgrad/data')).toMatch(/^packages\/data\/dist\/cjs\/index\.d\.ts/);
  });
});

type Exports = string | { [condition: string]: Exports };

function targets(exp: Exports): string[] {
  return typeof exp === 'string' ? [exp] : Object.values(exp).flatMap(targets);
}

test.each(PACKAGES)('every path in @tensorgrad/%s\'s exports map (and main, module, types) exists', (p) => {
  const dir = join(root, 'packages', p);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { exports: Exports; main: string; module: string; types: string };
  const paths = [...targets(pkg.exports), pkg.main, pkg.module, pkg.types];
  expect(paths.length).toBeGreaterThanOrEqual(8);
  expect(paths.filter((f) => !existsSync(join(dir, f)))).toEqual([]);
  // Every entry point gives types first, then import and require conditions.
  for (const [subpath, entry] of Object.entries(pkg.exports as Record<string, Exports>)) {
    if (subpath === './package.json' || typeof entry === 'string') continue;
    const conditions = Object.keys(entry).filter((c) => c !== '@tensorgrad/source');
    if (subpath === '.') {
      expect(conditions).toEqual(['import', 'require']);
      for (const c of conditions) expect(Object.keys((entry as Record<string, Exports>)[c])).toEqual(['types', 'default']);
    } else {
      expect(conditions).toEqual(['types', 'default']);
    }
  }
  // The ESM build is an ES module scope; the CJS build is the package's own scope ("type": "commonjs").
  expect(JSON.parse(readFileSync(join(dir, 'dist', 'esm', 'package.json'), 'utf8'))).toEqual({ type: 'module' });
  expect((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { type: string }).type).toBe('commonjs');
});
