/**
 * Every relative link in the repository's Markdown (README, CONTRIBUTING, CHANGELOG, docs/ including the generated
 * docs/api, and each package's README) points at a file that exists, and every #anchor at a heading of that file, with
 * the anchor GitHub gives the heading (lowercase, punctuation dropped, spaces to hyphens, -1, -2 … for repeats). The
 * markdown cells of the tutorial notebooks are checked the same way.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'fs';
import { dirname, join, relative, resolve } from 'path';

const root = resolve(__dirname, '..', '..', '..');

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name.startsWith('.') ? [] : markdownFiles(path);
    return e.name.endsWith('.md') ? [path] : [];
  });
}

const files = [
  ...['README.md', 'CONTRIBUTING.md', 'CHANGELOG.md'].map((f) => join(root, f)).filter((f) => existsSync(f)),
  ...markdownFiles(join(root, 'docs')),
  ...readdirSync(join(root, 'packages')).map((p) => join(root, 'packages', p, 'README.md')).filter((f) => existsSync(f)),
];

/** The text outside fenced code blocks and inline code, where links are links. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's anchor for a heading: its rendered text, lowercased, without punctuation, spaces made hyphens. */
export function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/\\(.)/g, '$1')
    .replace(/[`*]/g, '')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '').replace(/ /g, '-');
}

const anchorCache = new Map<string, Set<string>>();
function anchors(file: string): Set<string> {
  let set = anchorCache.get(file);
  if (!set) {
    set = new Set();
    const seen = new Map<string, number>();
    const text = readFileSync(file, 'utf8').replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
    for (const m of text.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
      const base = slug(m[1]);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      set.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const m of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) set.add(m[1]);
    anchorCache.set(file, set);
  }
  return set;
}

/** A notebook's markdown cells joined, or a Markdown file's text. */
function markdownOf(file: string): string {
  const raw = readFileSync(file, 'utf8');
  if (!file.endsWith('.ipynb')) return raw;
  const nb = JSON.parse(raw) as { cells: { cell_type: string; source: string | string[] }[] };
  return nb.cells.filter((c) => c.cell_type === 'markdown').map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source)).join('\n\n');
}

const notebookDir = join(root, 'packages', 'notebooks');
const notebooks = readdirSync(notebookDir).filter((f) => f.endsWith('.ipynb')).map((f) => join(notebookDir, f));

function brokenLinks(file: string): string[] {
  const broken: string[] = [];
  const text = prose(markdownOf(file));
  for (const m of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const target = m[1];
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    const [path, anchor] = target.split('#', 2);
    const dest = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
    const where = `${relative(root, file)}: ${target}`;
    if (!existsSync(dest)) broken.push(`${where} (no such file)`);
    else if (anchor !== undefined && statSync(dest).isFile() && dest.endsWith('.md') && !anchors(dest).has(anchor)) broken.push(`${where} (no such heading)`);
  }
  return broken;
}

test('the slug rule matches GitHub on the headings TypeDoc writes', () => {
  expect(slug('tensor()')).toBe('tensor');
  expect(slug('\\_hooks')).toBe('_hooks');
  expect(slug('Which kernels run')).toBe('which-kernels-run');
  expect(slug('`optional` **perDigit?**: `number`')).toBe('optional-perdigit-number');
  expect(slug('[Tensor](classes/Tensor.md).data')).toBe('tensordata');
});

test('the Markdown files are found (README, docs, docs/api, package READMEs)', () => {
  const rel = files.map((f) => relative(root, f));
  expect(rel).toEqual(expect.arrayContaining(['README.md', 'docs/core.md', 'docs/api/index.md', 'packages/data/README.md']));
});

test('every relative link and #anchor resolves', () => {
  expect(files.flatMap(brokenLinks)).toEqual([]);
});

test('every relative link in the notebooks\' markdown cells resolves', () => {
  expect(notebooks.length).toBeGreaterThanOrEqual(10);
  expect(notebooks.flatMap(brokenLinks)).toEqual([]);
});
