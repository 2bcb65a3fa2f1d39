/**
 * The tutorial notebooks (packages/notebooks/*.ipynb) are executed by packages/notebooks/run-all.sh in CI, but CI runs them in a fresh
 * clone and throws the outputs away; what readers see on GitHub is what was committed. This checks that every notebook
 * in the folder is one run-all.sh picks up, and that each was committed executed top to bottom in one run, with its
 * plots, without errors, and is listed in docs/tutorials.md.
 */
import { existsSync, readdirSync, readFileSync } from 'fs';
import { join } from 'path';

const folder = join(__dirname, '..');
const root = join(folder, '..', '..');

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
}
interface Cell {
  cell_type: 'code' | 'markdown' | 'raw';
  source: string | string[];
  execution_count?: number | null;
  outputs?: Output[];
}
interface Notebook {
  cells: Cell[];
  metadata: { kernelspec?: { name?: string } };
}

const text = (s: string | string[] | undefined) => (Array.isArray(s) ? s.join('') : s ?? '');
const files = readdirSync(folder).filter((f) => f.endsWith('.ipynb')).sort();
const runAll = readFileSync(join(folder, 'run-all.sh'), 'utf8');

describe('tutorial notebooks', () => {
  it('are numbered 01, 02, … so that run-all.sh executes every one of them, in order', () => {
    expect(runAll).toContain('notebooks=([0-9][0-9]-*.ipynb)');
    expect(files.length).toBeGreaterThanOrEqual(15);
    files.forEach((f) => expect(f).toMatch(/^\d\d-[a-z0-9]+(-[a-z0-9]+)*\.ipynb$/));
    // Each number once, 01, 02, … without gaps.
    expect(files.map((f) => Number(f.slice(0, 2)))).toEqual(files.map((_, i) => i + 1));
  });

  it('use the committed tslab kernel spec', () => {
    const spec = JSON.parse(readFileSync(join(folder, 'jupyter', 'kernels', 'tslab', 'kernel.json'), 'utf8'));
    expect(spec.argv).toContain('{resource_dir}/../../../node_modules/tslab/bin/tslab');
    expect(runAll).toContain('JUPYTER_PATH="$here/jupyter');
  });

  const tutorials = readFileSync(join(root, 'docs', 'tutorials.md'), 'utf8');

  describe.each(files)('%s', (file) => {
    const nb: Notebook = JSON.parse(readFileSync(join(folder, file), 'utf8'));
    const code = nb.cells.filter((c) => c.cell_type === 'code' && text(c.source).trim() !== '');
    const outputs = code.flatMap((c) => c.outputs ?? []);

    it('runs on the tslab kernel and opens with a title', () => {
      expect(nb.metadata.kernelspec?.name).toBe('tslab');
      expect(nb.cells[0].cell_type).toBe('markdown');
      expect(text(nb.cells[0].source)).toMatch(/^# \S/);
    });

    it('is committed executed, every code cell in order in one run', () => {
      expect(code.length).toBeGreaterThan(0);
      expect(code.map((c) => c.execution_count)).toEqual(code.map((_, i) => i + 1));
    });

    it('has its outputs, plots among them, and no errors', () => {
      expect(outputs.some((o) => o.data !== undefined && 'image/svg+xml' in o.data)).toBe(true);
      const problems = outputs.filter((o) => o.output_type === 'error' || (o.output_type === 'stream' && o.name === 'stderr'));
      expect(problems.map((o) => text(o.text))).toEqual([]);
    });

    it('is listed in docs/tutorials.md, with a concept page that exists', () => {
      expect(tutorials).toContain(`notebooks/${file}`);
      const line = tutorials.split('\n').find((l) => l.includes(`notebooks/${file}`)) ?? '';
      const concept = /\(concepts\/([a-z0-9-]+\.md)\)/.exec(line);
      expect(concept).not.toBeNull();
      expect(existsSync(join(root, 'docs', 'concepts', concept![1]))).toBe(true);
    });
  });
});
