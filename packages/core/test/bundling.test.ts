/**
 * Every op declaration is marked pure for bundlers (`/* @__PURE__ *\/`): defineOp registers the op, a side effect, so
 * without the mark esbuild, Rollup and webpack keep every op in every page. The 60 KB page budget
 * (packages/integration/test/bundle.test.ts) depends on it.
 */
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';

const dir = join(__dirname, '..', 'src', 'ops');
const declaration = /^export const (\w+)(?:\s*:[^=]+)? = (\/\* @__PURE__ \*\/ )?(\w+)\(/gm;

test('every exported op declaration in ops/ is marked /* @__PURE__ */', () => {
  const unmarked: string[] = [];
  let declarations = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    for (const m of readFileSync(join(dir, file), 'utf8').matchAll(declaration)) {
      declarations++;
      if (!m[2]) unmarked.push(`${file}: ${m[1]} = ${m[3]}(…)`);
    }
  }
  expect(declarations).toBeGreaterThan(100);
  expect(unmarked).toEqual([]);
});
