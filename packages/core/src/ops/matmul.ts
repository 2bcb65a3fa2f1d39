/**
 * Matrix multiplication. One primitive, `mm(a, b, transA, transB)` on ≥2-D operands with broadcast batch dimensions,
 * computes op(a)·op(b) with transposes read in place by the gemm kernel. Its vjp is four more `mm` calls with other
 * transpose flags, so backward never materialises a transpose and second derivatives come for free.
 */
import { Tensor } from '../tensor.js';
import { record } from '../autograd/node.js';
import { gemm, gemmBatched } from '../kernels/gemm.js';
import type { FloatArray } from '../kernels/types.js';
import { floatDType, promoteTypes } from '../dtype.js';
import { describeValue } from '../describe.js';
import { broadcastPair, broadcastStrides, fmtShape, sizeOf } from '../shape.js';
import { defineOp } from './registry.js';
import { cast } from './cast.js';
import { reshape } from './shape.js';
import { add } from './binary.js';

/**
 * op(a)·op(b) on ≥2-D operands of one float dtype (no validation beyond the inner dimension): the primitive behind
 * matmul, exported for other ops' vjps (attention), which need its transpose flags.
 */
export function mm(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  const ra = a.ndim, rb = b.ndim;
  const m = a.shape[transA ? ra - 1 : ra - 2], ka = a.shape[transA ? ra - 2 : ra - 1];
  const kb = b.shape[transB ? rb - 1 : rb - 2], n = b.shape[transB ? rb - 2 : rb - 1];
  if (ka !== kb) {
    throw new Error(`matmul: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} are not aligned (${ka} ≠ ${kb})`);
  }
  const batchA = a.shape.slice(0, ra - 2), batchB = b.shape.slice(0, rb - 2);
  const batch = broadcastPair(batchA, batchB, 'matmul (batch dimensions)');
  const out = Tensor.empty([...batch, m, n], a.dtype);
  const nb = sizeOf(batch);
  const sa = broadcastStrides(batchA, batch), sb = broadcastStrides(batchB, batch);
  const aMat = m * ka, bMat = ka * n, oMat = m * n;
  if (nb === 1) gemm(transA, transB, m, n, ka, a.data as FloatArray, 0, b.data as FloatArray, 0, out.data as FloatArray, 0);
  else {
    // Each batch element's operand offsets, broadcast batch dimensions included.
    const aOffs = new Int32Array(nb), bOffs = new Int32Array(nb);
    const idx = new Array<number>(batch.length).fill(0);
    for (let i = 0; i < nb; i++) {
      let ao = 0, bo = 0;
      for (let d = 0; d < batch.length; d++) {
        ao += idx[d] * sa[d];
        bo += idx[d] * sb[d];
      }
      aOffs[i] = ao * aMat;
      bOffs[i] = bo * bMat;
      for (let d = batch.length - 1; d >= 0; d--) {
        if (++idx[d] < batch[d]) break;
        idx[d] = 0;
      }
    }
    gemmBatched(transA, transB, m, n, ka, a.data as FloatArray, aOffs, b.data as FloatArray, bOffs, out.data as FloatArray);
  }
  return record('matmul', out, [a, b], (g, needs) => {
    let ga: Tensor | null = null, gb: Tensor | null = null;
    if (!transA && !transB) {
      if (needs[0]) ga = mm(g, b, false, true);
      if (needs[1]) gb = mm(a, g, true, false);
    } else if (!transA && transB) {
      if (needs[0]) ga = mm(g, b, false, false);
      if (needs[1]) gb = mm(g, a, true, false);
    } else if (transA && !transB) {
      if (needs[0]) ga = mm(b, g, false, true);
      if (needs[1]) gb = mm(a, g, false, false);
    } else {
      if (needs[0]) ga = mm(b, g, true, true);
      if (needs[1]) gb = mm(g, a, true, true);
    }
    return [ga, gb];
  }, [a, b]);
}

export const matmul = /* @__PURE__ */ defineOp({
  name: 'matmul', family: 'linalg', differentiable: true, primitive: true,
  summary: 'matrix product with PyTorch semantics: 1-D·1-D dot, 1-D/2-D mixes, batched N-D with broadcast batch dimensions',
  grad: 'a: g · bᵀ; b: aᵀ · g (summed over broadcast batch dimensions)',
}, (a: Tensor, b: Tensor): Tensor => {
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) throw new Error(`matmul: both operands must be Tensors, got ${describeValue(a)} and ${describeValue(b)}`);
  if (a.ndim === 0 || b.ndim === 0) throw new Error(`matmul: both operands need at least 1 dimension, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  // The shared dimension, checked on the user's shapes before 1-D operands are reshaped into matrices.
  const k = a.shape[a.ndim - 1], kb = b.shape[b.ndim === 1 ? 0 : b.ndim - 2];
  if (k !== kb) throw new Error(`matmul: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} are not aligned (${k} ≠ ${kb})`);
  // int32 operands compute in float32: there is no integer gemm kernel.
  const dt = floatDType(promoteTypes(a.dtype, b.dtype));
  const x = a.dtype === dt ? a : cast(a, dt), y = b.dtype === dt ? b : cast(b, dt);
  if (x.ndim === 1 && y.ndim === 1) return reshape(mm(reshape(x, [1, k]), reshape(y, [k, 1]), false, false), []);
  if (x.ndim === 1) {
    const r = mm(reshape(x, [1, k]), y, false, false);
    return reshape(r, [...r.shape.slice(0, -2), r.shape[r.ndim - 1]]);
  }
  if (y.ndim === 1) {
    const r = mm(x, reshape(y, [y.shape[0], 1]), false, false);
    return reshape(r, r.shape.slice(0, -1));
  }
  return mm(x, y, false, false);
});

/**
 * x · wᵀ + b with w of shape [out, in] (torch.nn.functional.linear). wᵀ is read in place by the gemm kernel, so neither the
 * forward nor the backward ever copies a transpose; leading dimensions of x are flattened into one matrix product.
 */
export const linear = /* @__PURE__ */ defineOp({
  name: 'linear', family: 'linalg', differentiable: true, primitive: false,
  summary: 'x · wᵀ + b for w of shape [out, in] and x of shape [..., in] (b optional), without copying wᵀ',
  grad: 'composite (matmul with a transposed operand)',
}, (x: Tensor, w: Tensor, b?: Tensor | null): Tensor => {
  if (!(x instanceof Tensor) || !(w instanceof Tensor)) throw new Error(`linear: input and weight must be Tensors, got ${describeValue(x)} and ${describeValue(w)}`);
  if (b !== undefined && b !== null && !(b instanceof Tensor)) throw new Error(`linear: bias must be a Tensor, null or undefined, got ${describeValue(b)}`);
  if (w.ndim !== 2 || x.ndim === 0 || x.shape[x.ndim - 1] !== w.shape[1]) {
    throw new Error(`linear: input of shape ${fmtShape(x.shape)} does not fit weight of shape ${fmtShape(w.shape)} (expected weight [out, ${x.ndim ? x.shape[x.ndim - 1] : '?'}])`);
  }
  if (b && (b.ndim !== 1 || b.shape[0] !== w.shape[0])) throw new Error(`linear: bias of shape ${fmtShape(b.shape)} does not match weight of shape ${fmtShape(w.shape)} (expected [${w.shape[0]}])`);
  const dt = floatDType(promoteTypes(x.dtype, w.dtype));
  const xx = x.dtype === dt ? x : cast(x, dt), ww = w.dtype === dt ? w : cast(w, dt);
  const lead = x.shape.slice(0, -1);
  const y = mm(reshape(xx, [lead.length ? sizeOf(lead) : 1, w.shape[1]]), ww, false, true);
  const out = reshape(y, [...lead, w.shape[0]]);
  return b ? add(out, b) : out;
});
