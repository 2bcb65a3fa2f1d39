/** Lookup table of learned vectors. */
import { Tensor, noGrad, randn, tensor, where, type DType, type Generator } from '@tensorgrad/core';
import { Module, parameter } from '../module.js';
import { indexTensor, readIndices, shapeStr, type IndicesLike, checkOptions, expectDType, expectGenerator } from '../util.js';

export interface EmbeddingOptions {
  /** Index whose vector starts at zero and receives no gradient (a padding token). Negative counts from the end. */
  paddingIdx?: number;
  dtype?: DType;
  generator?: Generator;
}

/**
 * Maps integer indices of any shape S to vectors, giving S + [embeddingDim]. The weight [numEmbeddings, embeddingDim]
 * starts as N(0, 1), like PyTorch. The lookup is core's indexSelect, whose gradient scatters back into the used rows.
 */
export class Embedding extends Module {
  weight: Tensor;
  readonly paddingIdx: number | null;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    const { paddingIdx, dtype = 'float32', generator } = checkOptions(options, ['paddingIdx', 'dtype', 'generator'], 'Embedding');
    expectDType(dtype, 'Embedding', 'dtype', { float: true });
    expectGenerator(generator, 'Embedding');
    for (const [name, v] of [['numEmbeddings', numEmbeddings], ['embeddingDim', embeddingDim]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new Error(`Embedding: ${name} must be a positive integer, got ${v}`);
    }
    let pad: number | null = null;
    if (paddingIdx !== undefined) {
      if (!Number.isInteger(paddingIdx) || paddingIdx >= numEmbeddings || paddingIdx < -numEmbeddings) {
        throw new Error(`Embedding: paddingIdx must be an integer in [-${numEmbeddings}, ${numEmbeddings}), got ${paddingIdx}`);
      }
      pad = paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx;
    }
    this.paddingIdx = pad;
    const weight = randn([numEmbeddings, embeddingDim], { dtype, generator });
    if (pad !== null) noGrad(() => weight.assign(where(rowMask(numEmbeddings, (i) => i !== pad, dtype), weight, 0)));
    this.weight = parameter(weight);
  }

  forward(indices: IndicesLike): Tensor {
    const { values, shape } = readIndices(indices, 'Embedding');
    for (let i = 0; i < values.length; i++) {
      if (values[i] < 0 || values[i] >= this.numEmbeddings) {
        throw new Error(`Embedding: index ${values[i]} out of range [0, ${this.numEmbeddings}) at flat position ${i} of indices ${shapeStr(shape)}`);
      }
    }
    let rows = this.weight.indexSelect(0, indexTensor(values, [values.length]));
    if (this.paddingIdx !== null) {
      // Padding rows keep their values (whatever the weight holds) but pass no gradient back, as PyTorch's padding_idx.
      rows = where(rowMask(values.length, (i) => values[i] !== this.paddingIdx, this.weight.dtype), rows, rows.detach());
    }
    return rows.reshape([...shape, this.embeddingDim]);
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}` + (this.paddingIdx !== null ? `, paddingIdx=${this.paddingIdx}` : '');
  }
}

/** A [n, 1] column of 1 where `keep(i)` and 0 elsewhere. */
function rowMask(n: number, keep: (i: number) => boolean, dtype: DType): Tensor {
  const mask = new Float64Array(n);
  for (let i = 0; i < n; i++) mask[i] = keep(i) ? 1 : 0;
  return tensor(mask, { shape: [n, 1], dtype });
}
