/**
 * The tensorgrad side of the tiny-GPT workload: nanoGPT's model (token + position embeddings, pre-norm blocks of causal
 * self-attention and a 4× GELU MLP, final LayerNorm, bias-free head) written with @tensorgrad/nn as a user would.
 *
 * `GPT_OPS` below is the one place that picks how attention, GELU and LayerNorm are computed: core's fused primitives
 * (`scaledDotProductAttention` with `isCausal`, and the fused `gelu` and `layerNorm` behind nn's GELU and LayerNorm).
 * The row was first written, and measured, with attention as a composite of matmul, where and softmax (see
 * docs/performance.md); swapping an entry here is all it takes to compare another formulation.
 */
import { Tensor, arange, scaledDotProductAttention, type Generator } from '@tensorgrad/core';
import * as nn from '@tensorgrad/nn';
import { GPT } from './workloads.js';

type Size = typeof GPT;

interface GptOps {
  /** softmax(q·kᵀ/√d masked causally)·v for q, k, v of shape [B, H, T, D]; `causal` is [T, T], 1 on and below the diagonal. */
  attention(q: Tensor, k: Tensor, v: Tensor, causal: Tensor): Tensor;
  gelu(): nn.Module;
  layerNorm(dim: number): nn.Module;
}

export const GPT_OPS: GptOps = {
  attention: (q, k, v) => scaledDotProductAttention(q, k, v, { isCausal: true }),
  gelu: () => new nn.GELU(),
  layerNorm: (dim) => new nn.LayerNorm(dim),
};

class CausalSelfAttention extends nn.Module {
  readonly qkv: nn.Linear;
  readonly proj: nn.Linear;
  private readonly causal: Tensor;

  constructor(private readonly size: Size, generator: Generator) {
    super();
    this.qkv = new nn.Linear(size.dim, 3 * size.dim, { generator });
    this.proj = new nn.Linear(size.dim, size.dim, { generator });
    const i = arange(size.block);
    this.causal = i.reshape([size.block, 1]).ge(i.reshape([1, size.block]));
  }

  forward(x: Tensor): Tensor {
    const [b, t, c] = x.shape;
    const h = this.size.heads;
    const [q, k, v] = this.qkv.forward(x).split(c, 2).map((z) => z.reshape([b, t, h, c / h]).transpose(1, 2));
    const causal = t === this.size.block ? this.causal : this.causal.slice([[0, t], [0, t]]);
    const y = GPT_OPS.attention(q, k, v, causal);
    return this.proj.forward(y.transpose(1, 2).reshape([b, t, c]));
  }
}

class Block extends nn.Module {
  readonly ln1: nn.Module;
  readonly attn: CausalSelfAttention;
  readonly ln2: nn.Module;
  readonly mlp: nn.Sequential;

  constructor(size: Size, generator: Generator) {
    super();
    this.ln1 = GPT_OPS.layerNorm(size.dim);
    this.attn = new CausalSelfAttention(size, generator);
    this.ln2 = GPT_OPS.layerNorm(size.dim);
    this.mlp = new nn.Sequential(
      new nn.Linear(size.dim, 4 * size.dim, { generator }), GPT_OPS.gelu(), new nn.Linear(4 * size.dim, size.dim, { generator }));
  }

  forward(x: Tensor): Tensor {
    const y = x.add(this.attn.forward(this.ln1.forward(x)));
    return y.add(this.mlp.forward(this.ln2.forward(y)));
  }
}

export class TinyGpt extends nn.Module {
  readonly tok: nn.Embedding;
  readonly pos: nn.Embedding;
  readonly blocks: Block[];
  readonly ln: nn.Module;
  readonly head: nn.Linear;
  private readonly positions: Int32Array;

  constructor(readonly size: Size, generator: Generator) {
    super();
    this.tok = new nn.Embedding(size.vocab, size.dim, { generator });
    this.pos = new nn.Embedding(size.block, size.dim, { generator });
    this.blocks = Array.from({ length: size.layers }, () => new Block(size, generator));
    this.ln = GPT_OPS.layerNorm(size.dim);
    this.head = new nn.Linear(size.dim, size.vocab, { bias: false, generator });
    this.positions = Int32Array.from({ length: size.block }, (_, i) => i);
  }

  /** Logits [B, T, vocab] for token ids [B, T]. */
  forward(idx: Tensor): Tensor {
    const t = idx.shape[1];
    let x = this.tok.forward(idx).add(this.pos.forward(this.positions.subarray(0, t)));
    for (const block of this.blocks) x = block.forward(x);
    return this.head.forward(this.ln.forward(x));
  }
}
