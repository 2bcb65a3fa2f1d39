/**
 * docs/ops.md is generated from the op declarations (the registry). This test fails when the file is stale;
 * `pnpm docs:ops` rewrites it.
 */
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { listOps, type OpFamily } from '@tensorgrad/core';

const FAMILIES: [OpFamily, string][] = [
  ['unary', 'Elementwise'], ['activation', 'Activations and softmax'], ['binary', 'Binary (broadcasting)'],
  ['comparison', 'Comparisons (0/1 results, no gradient)'], ['reduction', 'Reductions'], ['scan', 'Scans, sorting and selection'],
  ['linalg', 'Linear algebra'], ['shape', 'Shape'], ['indexing', 'Indexing'], ['dtype', 'dtype and copies'], ['sampling', 'Sampling (no gradient)'],
  ['nn', 'Neural-network blocks (normalization, attention)'],
  ['convolution', 'Convolution'], ['pooling', 'Pooling and resampling'],
];

function render(): string {
  const ops = listOps();
  const lines = [
    '# Op reference',
    '',
    '<!-- Generated from the op declarations in packages/core/src/ops by `pnpm docs:ops`; a test fails when it is stale. -->',
    '',
    `${ops.length} ops, ${ops.filter((o) => o.differentiable).length} differentiable (${ops.filter((o) => o.differentiable && o.primitive).length} primitives with their own vjp; the rest are composites whose gradient comes from the primitives).`,
    'Every op is a function exported from `@tensorgrad/core`, and all but `where`, `concat`, `stack`, `linear`, `einsum` and the convolution and pooling ops (functions only, like PyTorch\'s `torch.nn.functional`) are also `Tensor` methods of the same name (`exp(x)` is `x.exp()`).',
    'In the gradient column, `g` is the gradient flowing in from the output and `out` is the op\'s result. Broadcast gradients are summed back to each input\'s shape by the engine.',
    '',
  ];
  for (const [family, title] of FAMILIES) {
    const rows = ops.filter((o) => o.family === family);
    if (rows.length === 0) continue;
    lines.push(`## ${title}`, '', '| op | what it computes | gradient |', '| --- | --- | --- |');
    for (const o of rows) {
      const gradCell = !o.differentiable ? 'not differentiable' : o.grad;
      lines.push(`| \`${o.name}\` | ${o.summary.replace(/\|/g, '\\|')} | ${gradCell.replace(/\|/g, '\\|')} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

test('docs/ops.md matches the op declarations', () => {
  const path = join(__dirname, '..', '..', '..', 'docs', 'ops.md');
  const text = render();
  if (process.env.UPDATE_DOCS === '1') {
    writeFileSync(path + '.tmp', text);
    renameSync(path + '.tmp', path);
  }
  expect(readFileSync(path, 'utf8')).toBe(text);
});

test('every registered op belongs to a documented family', () => {
  const known = new Set(FAMILIES.map(([f]) => f));
  expect(listOps().filter((o) => !known.has(o.family)).map((o) => o.name)).toEqual([]);
});

test("the README's op count is the registry's", () => {
  const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
  expect(readme).toContain(`${listOps().length} ops with their derivative rules`);
});
