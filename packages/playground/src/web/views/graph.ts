/**
 * Draws the autograd graph of the training loss as SVG, laid out in layers from the inputs (left) to the loss (right).
 */
import { layoutGraph, parseDot, type Placed } from './graph-layout.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

const COL = 104;
const ROW = 46;
const NODE_W = 86;
const NODE_H = 32;

/** Draws the graph into `root` (replacing what was there). */
export function drawGraph(root: HTMLElement, dot: string): { nodes: number; ops: number } {
  const graph = parseDot(dot);
  const placed = layoutGraph(graph);
  const byId = new Map(placed.map((p) => [p.id, p]));
  const ranks = Math.max(0, ...placed.map((p) => p.rank)) + 1;
  const tallest = Math.max(1, ...Array.from({ length: ranks }, (_, r) => placed.filter((p) => p.rank === r).length));
  const width = ranks * COL + 12;
  const height = tallest * ROW + 12;
  const colHeight = (r: number) => placed.filter((p) => p.rank === r).length * ROW;
  const pos = (p: Placed) => ({ x: 8 + p.rank * COL, y: 6 + (height - 12 - colHeight(p.rank)) / 2 + p.order * ROW });

  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('role', 'img');
  const ops = placed.filter((p) => p.kind === 'op').length;
  svg.setAttribute('aria-label', `Autograd graph of the loss: ${placed.length} tensors, ${ops} of them results of operations`);
  const defs = document.createElementNS(SVG_NS, 'defs');
  defs.innerHTML = '<marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L8,4 L0,8 z" class="arrow-head"/></marker>';
  svg.append(defs);

  for (const [a, b] of graph.edges) {
    const pa = byId.get(a);
    const pb = byId.get(b);
    if (!pa || !pb) continue;
    const s = pos(pa);
    const t = pos(pb);
    const x1 = s.x + NODE_W;
    const y1 = s.y + NODE_H / 2;
    const x2 = t.x - 2;
    const y2 = t.y + NODE_H / 2;
    const mid = (x1 + x2) / 2;
    const path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`);
    path.setAttribute('class', 'graph-edge');
    path.setAttribute('marker-end', 'url(#arrow)');
    svg.append(path);
  }
  for (const p of placed) {
    const { x, y } = pos(p);
    const g = document.createElementNS(SVG_NS, 'g');
    g.setAttribute('class', `graph-node ${p.kind}${p.root ? ' root' : ''}`);
    const rect = document.createElementNS(SVG_NS, 'rect');
    rect.setAttribute('x', String(x));
    rect.setAttribute('y', String(y));
    rect.setAttribute('width', String(NODE_W));
    rect.setAttribute('height', String(NODE_H));
    rect.setAttribute('rx', p.kind === 'op' ? String(NODE_H / 2) : '4');
    g.append(rect);
    const lines = p.title ? [p.title, p.shape] : [p.shape];
    lines.forEach((text, k) => {
      const t = document.createElementNS(SVG_NS, 'text');
      t.setAttribute('x', String(x + NODE_W / 2));
      t.setAttribute('y', String(y + NODE_H / 2 + (lines.length === 1 ? 4 : k === 0 ? -2 : 10)));
      t.setAttribute('text-anchor', 'middle');
      t.setAttribute('class', k === 0 && lines.length > 1 ? 'node-title' : 'node-shape');
      t.textContent = text;
      g.append(t);
    });
    const title = document.createElementNS(SVG_NS, 'title');
    title.textContent = p.kind === 'op' ? `${p.title}: result of shape ${p.shape}` : `${p.title || 'tensor'} ${p.shape}${p.kind === 'parameter' ? ' (requires grad)' : ''}`;
    g.append(title);
    svg.append(g);
  }
  root.replaceChildren(svg);
  return { nodes: placed.length, ops };
}
