/**
 * Reading and layering the autograd graph that core's `toDot` writes, with no DOM (so Node tests can check it). Only
 * the small DOT subset `toDot` emits is read: node lines with a label and a shape, and `a -> b` edges.
 */

export interface GraphNode {
  id: string;
  /** Op name for op results ('matmul'), the tensor's name for leaves ('0.weight'), or '' for an unnamed leaf. */
  title: string;
  shape: string;
  kind: 'op' | 'parameter' | 'data';
  root: boolean;
}

export interface Graph {
  nodes: GraphNode[];
  /** [from, to] pairs: from is an input of to. */
  edges: Array<[string, string]>;
}

/** Reads the nodes and edges of a `toDot` graph. */
export function parseDot(dot: string): Graph {
  const nodes: GraphNode[] = [];
  const edges: Array<[string, string]> = [];
  for (const line of dot.split('\n')) {
    const edge = /^\s*(\w+) -> (\w+);/.exec(line);
    if (edge) {
      edges.push([edge[1], edge[2]]);
      continue;
    }
    const node = /^\s*(\w+) \[label="([^"]*)", shape=(\w+), style="([^"]*)"/.exec(line);
    if (!node) continue;
    const parts = node[2].split('\\n');
    const isOp = node[3] === 'ellipse';
    nodes.push({
      id: node[1],
      title: parts.length > 1 ? parts[0] : '',
      shape: parts[parts.length > 1 ? 1 : 0],
      kind: isOp ? 'op' : node[4] === 'filled' ? 'parameter' : 'data',
      root: line.includes('penwidth=2'),
    });
  }
  return { nodes, edges };
}

/** A node with its column (`rank`, inputs at 0) and its row within that column (`order`). */
export interface Placed extends GraphNode {
  rank: number;
  order: number;
}

/**
 * Layers the graph: an op sits one rank right of its furthest input, and a leaf one rank left of its first consumer
 * (so weights sit next to the matmul that reads them). Within a rank, nodes are ordered by the mean position of
 * their neighbours, a few sweeps each way, which removes most crossings in graphs this size.
 */
export function layoutGraph(graph: Graph): Placed[] {
  const inputs = new Map<string, string[]>();
  const outputs = new Map<string, string[]>();
  for (const n of graph.nodes) {
    inputs.set(n.id, []);
    outputs.set(n.id, []);
  }
  for (const [a, b] of graph.edges) {
    inputs.get(b)?.push(a);
    outputs.get(a)?.push(b);
  }
  const rank = new Map<string, number>();
  const rankOf = (id: string, seen: Set<string>): number => {
    const known = rank.get(id);
    if (known !== undefined) return known;
    if (seen.has(id)) return 0;
    seen.add(id);
    const ins = inputs.get(id) ?? [];
    const r = ins.length === 0 ? 0 : 1 + Math.max(...ins.map((i) => rankOf(i, seen)));
    rank.set(id, r);
    return r;
  };
  graph.nodes.forEach((n) => rankOf(n.id, new Set()));
  for (const n of graph.nodes) {
    const outs = outputs.get(n.id) ?? [];
    if ((inputs.get(n.id) ?? []).length === 0 && outs.length > 0) rank.set(n.id, Math.min(...outs.map((o) => rank.get(o)!)) - 1);
  }
  const placed: Placed[] = graph.nodes.map((n, i) => ({ ...n, rank: rank.get(n.id)!, order: i }));
  const byId = new Map(placed.map((p) => [p.id, p]));
  const ranks = Math.max(0, ...placed.map((p) => p.rank)) + 1;
  const columns: Placed[][] = Array.from({ length: ranks }, () => []);
  for (const p of placed) columns[p.rank].push(p);
  const renumber = (col: Placed[]) => col.forEach((p, i) => { p.order = i; });
  columns.forEach(renumber);
  const mean = (ids: string[], fallback: number) => (ids.length === 0 ? fallback : ids.reduce((s, id) => s + byId.get(id)!.order, 0) / ids.length);
  for (let sweep = 0; sweep < 4; sweep++) {
    const forward = sweep % 2 === 0;
    const seq = forward ? columns.slice(1) : columns.slice(0, -1).reverse();
    for (const col of seq) {
      col.sort((a, b) => mean(forward ? inputs.get(a.id)! : outputs.get(a.id)!, a.order) - mean(forward ? inputs.get(b.id)! : outputs.get(b.id)!, b.order));
      renumber(col);
    }
  }
  return placed;
}
