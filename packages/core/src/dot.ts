/** Graphviz DOT of a computation graph, for drawing it (e.g. with @hpcc-js/wasm-graphviz). */
import type { Tensor } from './tensor.js';
import { fmtShape } from './shape.js';
import { checkOptions, describeValue, expectNumber, expectTensor } from './validate.js';

export interface DotOptions {
  /** Graph direction: 'LR' (default, inputs on the left) or 'TB'. */
  rankdir?: 'LR' | 'TB';
  /** Show values for tensors with at most this many elements (default 0: none). */
  showValues?: number;
}

/**
 * Nodes are tensors (leaves as boxes, op results as ellipses labelled with the op); edges run from inputs to outputs.
 * Draw before backward: backward releases the graph (unless `retainGraph`), after which only the root is left to draw.
 */
export function toDot(root: Tensor | readonly Tensor[], opts: DotOptions = {}): string {
  const o = checkOptions(opts, ['rankdir', 'showValues'], 'toDot');
  if (o.rankdir !== undefined && o.rankdir !== 'LR' && o.rankdir !== 'TB') throw new Error(`toDot: rankdir must be 'LR' or 'TB', got ${describeValue(o.rankdir)}`);
  if (o.showValues !== undefined) expectNumber(o.showValues, 'toDot', 'showValues', { integer: true, min: 0 });
  const roots = Array.isArray(root) ? root : [root as Tensor];
  roots.forEach((t, i) => expectTensor(t, 'toDot', Array.isArray(root) ? `root[${i}]` : 'root'));
  const ids = new Map<Tensor, string>();
  const lines: string[] = [`digraph tensorgrad {`, `  rankdir=${opts.rankdir ?? 'LR'};`, `  node [fontname="Helvetica", fontsize=11];`];
  const edges: string[] = [];
  const stack: Tensor[] = [...roots];
  const id = (t: Tensor) => {
    let s = ids.get(t);
    if (s === undefined) {
      s = `t${ids.size}`;
      ids.set(t, s);
      stack.push(t);
    }
    return s;
  };
  roots.forEach(id);
  const done = new Set<Tensor>();
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (done.has(t)) continue;
    done.add(t);
    const name = t.name ? `${t.name}\\n` : '';
    const values = opts.showValues && t.size <= opts.showValues ? `\\n${JSON.stringify(t.toArray())}` : '';
    const label = `${t.op ? `${t.op}\\n` : name}${fmtShape(t.shape)}${values}`;
    const shape = t.op ? 'ellipse' : 'box';
    const style = t.requiresGrad ? (t.op ? 'filled", fillcolor="#dbe9f6' : 'filled", fillcolor="#f6e3c6') : 'solid';
    const extra = roots.includes(t) ? ', penwidth=2' : '';
    lines.push(`  ${id(t)} [label="${label}", shape=${shape}, style="${style}"${extra}];`);
    for (const input of t._node?.inputs ?? []) edges.push(`  ${id(input)} -> ${id(t)};`);
  }
  return [...lines, ...edges, '}'].join('\n') + '\n';
}
