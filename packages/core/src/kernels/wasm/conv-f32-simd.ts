/**
 * The float32 convolution module: the gemm module (gemm-f32-simd.ts) plus im2col and its adjoint col2im, so that an
 * unfolded input is built where the gemm reads it and a gemm result is folded back where it was computed. Operands
 * never leave the module's memory between the unfold and the multiply, which is what lets a convolution run at the
 * rate of the matrix multiplies it lowers to (copying the unfolded matrix in, as a plain matmul must, is avoided).
 * `regroup` moves rows between the gemm's [channel][sample · position] layout and the tensors' [sample][channel]
 * layout (adding the bias on the way out), so the only copies across the boundary are whole tensors.
 *
 * unfold and fold walk col [K, nb·oh·ow] row by row (one row per input channel c and kernel offset (i, j)) and, per
 * sample and output row, the run of ow elements that reads one input row. The valid part of each run (inside the
 * input, not in the padding) is precomputed per kernel row i and column j by the caller; with stride 1 along width a
 * run is contiguous in both arrays and moves four floats per instruction.
 *
 * unfoldPanels, unfoldPanelsQuad (the weight gradient's colᵀ) and unfoldColumnsQuad (the forward's col) write the
 * same values in the layout the gemm's pack would give them, and gemmPacked is the gemm driver without that pack, so
 * the unfolded matrix is written once, in cache, in the order the micro-kernel reads it.
 */
import {
  block, br, brIf, call, f32, F32, f32x4, forLoop, FunctionBuilder, I32, i32, i8x16, ifThen, local, loop, v128, V128, type Code,
} from './wasm-builder.js';
import { buildGemmF32Module, GEMM_F32_SHAPE, microTiles, PACK_A, type GemmF32Shape } from './gemm-f32-simd.js';

/** Parameters of unfold/fold, in order (all i32; byte addresses and byte strides unless noted). */
export const UNFOLD_PARAMS = [
  'x', 'col', 'tab', 'nb', 'sampleBytes', 'planeBytes', 'cg', 'oh', 'ow', 'kh', 'kw', 'w', 'sh', 'sw', 'rowBytes', 'runBytes',
] as const;

/**
 * unfold(x, col, tab, nb, sampleBytes, planeBytes, cg, oh, ow, kh, kw, w, sh, sw, rowBytes, runBytes) writes
 * col[(ci, i, j), (b, oy, ox)] = x[b, ci, oy·sh + iy(i), ox·sw + xoff(j)], zero outside the input. `tab` holds, per
 * kernel row i, [iy(i), oy0, oy1] (the valid output rows) and then, per kernel column j, [xoff(j), ox0, ox1] as i32.
 * rowBytes is the byte length of a col row (nb·oh·ow·4), runBytes one sample's part of it (oh·ow·4); w is the input
 * row length in elements. fold(…) with the same arguments adds col back into x instead (the adjoint), skipping the
 * padding.
 */
function unfoldFunction(name: string, scatter: boolean): FunctionBuilder {
  const f = new FunctionBuilder(name, UNFOLD_PARAMS.map(() => I32));
  const [x, col, tab, nb, sampleBytes, planeBytes, cg, oh, ow, kh, kw, w, sh, sw, rowBytes, runBytes] = UNFOLD_PARAMS.map((_, k) => k);
  const ci = f.local(I32), i = f.local(I32), j = f.local(I32), b = f.local(I32), oy = f.local(I32), ox = f.local(I32);
  const colRow = f.local(I32), plane = f.local(I32), iy0 = f.local(I32), oy0 = f.local(I32), oy1 = f.local(I32);
  const xoff = f.local(I32), ox0 = f.local(I32), ox1 = f.local(I32), dst = f.local(I32), src = f.local(I32);
  const tabI = f.local(I32), tabJ = f.local(I32), p = f.local(I32), q = f.local(I32), step = f.local(I32), edges = f.local(I32);
  const end = f.local(I32), tight = f.local(I32), count = f.local(I32), rowEnd = f.local(I32);

  const at = (base: number, idx: number): Code => i32.add(local.get(base), i32.shl(local.get(idx), i32.const(2)));
  /** Zeros ow floats at dst (unfold only): whole vectors, then the tail. */
  const zeroRun: Code[] = [
    local.set(ox, i32.const(0)),
    block(loop(
      brIf(1, i32.gtS(i32.add(local.get(ox), i32.const(4)), local.get(ow))),
      v128.store(at(dst, ox), v128.zero()),
      local.set(ox, i32.add(local.get(ox), i32.const(4))),
      br(0),
    )),
    block(loop(
      brIf(1, i32.geS(local.get(ox), local.get(ow))),
      f32.store(at(dst, ox), f32.const(0)),
      local.set(ox, i32.add(local.get(ox), i32.const(1))),
      br(0),
    )),
  ];
  /** One element / four elements: col ← x, or x += col, at byte addresses xa and ca (plus a constant offset). */
  const moveOne = (xa: Code, ca: Code): Code => (scatter
    ? f32.store(xa, f32.add(f32.load(xa), f32.load(ca)))
    : f32.store(ca, f32.load(xa)));
  const moveFour = (xa: Code, ca: Code, off = 0): Code => (scatter
    ? v128.store(xa, f32x4.add(v128.load(xa, off), v128.load(ca, off)), off)
    : v128.store(ca, v128.load(xa, off), off));
  const bump = (v: number, bytes: number): Code => local.set(v, i32.add(local.get(v), i32.const(bytes)));
  /** The valid part [ox0, ox1) of a run whose input row starts (at column xoff) at byte address src. */
  const validRun: Code[] = [
    ifThen(i32.eq(local.get(sw), i32.const(1)), [
      // Contiguous on both sides: p walks x, q walks col, 16 floats per step, then 4, then 1.
      local.set(p, at(src, ox0)),
      local.set(q, at(dst, ox0)),
      local.set(end, at(dst, ox1)),
      block(loop(
        brIf(1, i32.gtS(i32.add(local.get(q), i32.const(64)), local.get(end))),
        moveFour(local.get(p), local.get(q), 0), moveFour(local.get(p), local.get(q), 16),
        moveFour(local.get(p), local.get(q), 32), moveFour(local.get(p), local.get(q), 48),
        bump(p, 64), bump(q, 64),
        br(0),
      )),
      block(loop(
        brIf(1, i32.gtS(i32.add(local.get(q), i32.const(16)), local.get(end))),
        moveFour(local.get(p), local.get(q)),
        bump(p, 16), bump(q, 16),
        br(0),
      )),
      block(loop(
        brIf(1, i32.geS(local.get(q), local.get(end))),
        moveOne(local.get(p), local.get(q)),
        bump(p, 4), bump(q, 4),
        br(0),
      )),
    ], [
      // Strided input: p walks x by sw floats, q walks col by one.
      local.set(step, i32.shl(local.get(sw), i32.const(2))),
      local.set(p, i32.add(local.get(src), i32.mul(local.get(ox0), local.get(step)))),
      local.set(q, at(dst, ox0)),
      forLoop(ox, local.get(ox0), local.get(ox1), i32.const(1),
        moveOne(local.get(p), local.get(q)),
        local.set(p, i32.add(local.get(p), local.get(step))),
        local.set(q, i32.add(local.get(q), i32.const(4))),
      ),
    ]),
  ];
  const zeroEdges: Code[] = scatter ? [] : [
    forLoop(ox, i32.const(0), local.get(ox0), i32.const(1), f32.store(at(dst, ox), f32.const(0))),
    forLoop(ox, local.get(ox1), local.get(ow), i32.const(1), f32.store(at(dst, ox), f32.const(0))),
  ];
  const owBytes = i32.shl(local.get(ow), i32.const(2));
  const rowStep = i32.shl(i32.mul(local.get(sh), local.get(w)), i32.const(2));
  /** Output rows [from, to) lie in the vertical padding: zeros (unfold) or nothing to add back (fold). */
  const paddingRows = (from: Code, to: Code): Code[] => (scatter ? [] : [
    forLoop(oy, from, to, i32.const(1), ...zeroRun, local.set(dst, i32.add(local.get(dst), owBytes))),
  ]);
  const perSample: Code[] = [
    local.set(dst, i32.add(local.get(colRow), i32.mul(local.get(b), local.get(runBytes)))),
    ...paddingRows(i32.const(0), local.get(oy0)),
    local.set(dst, i32.add(local.get(colRow), i32.add(i32.mul(local.get(b), local.get(runBytes)), i32.mul(local.get(oy0), owBytes)))),
    // src: input byte address of output row oy0's run (input row oy0·sh + iy0, column xoff); sh input rows per output row.
    local.set(src, i32.add(i32.add(local.get(plane), i32.mul(local.get(b), local.get(sampleBytes))),
      i32.shl(i32.add(i32.mul(i32.add(i32.mul(local.get(oy0), local.get(sh)), local.get(iy0)), local.get(w)), local.get(xoff)), i32.const(2)))),
    ifThen(local.get(tight), [
      // Whole rows of a multiple of four floats, stride 1, no padding: the common case, in the shortest loop.
      local.set(count, i32.sub(local.get(oy1), local.get(oy0))),
      ifThen(i32.gtS(local.get(count), i32.const(0)), [
        local.set(rowEnd, owBytes),
        loop(
          local.set(q, i32.const(0)),
          loop(
            moveFour(i32.add(local.get(src), local.get(q)), i32.add(local.get(dst), local.get(q))),
            bump(q, 16),
            brIf(0, i32.ltS(local.get(q), local.get(rowEnd))),
          ),
          local.set(dst, i32.add(local.get(dst), local.get(rowEnd))),
          local.set(src, i32.add(local.get(src), rowStep)),
          brIf(0, local.tee(count, i32.sub(local.get(count), i32.const(1)))),
        ),
      ]),
    ], [
      forLoop(oy, local.get(oy0), local.get(oy1), i32.const(1),
        ...(scatter ? [] : [ifThen(local.get(edges), zeroEdges)]),
        ...validRun,
        local.set(dst, i32.add(local.get(dst), owBytes)),
        local.set(src, i32.add(local.get(src), rowStep)),
      ),
    ]),
    ...(scatter ? [] : [local.set(dst, i32.add(local.get(colRow), i32.add(i32.mul(local.get(b), local.get(runBytes)), i32.mul(local.get(oy1), owBytes))))]),
    ...paddingRows(local.get(oy1), local.get(oh)),
  ];
  f.body = [
    local.set(colRow, local.get(col)),
    forLoop(ci, i32.const(0), local.get(cg), i32.const(1),
      local.set(plane, i32.add(local.get(x), i32.mul(local.get(ci), local.get(planeBytes)))),
      local.set(tabI, local.get(tab)),
      forLoop(i, i32.const(0), local.get(kh), i32.const(1),
        local.set(iy0, i32.load(local.get(tabI))),
        local.set(oy0, i32.load(local.get(tabI), 4)),
        local.set(oy1, i32.load(local.get(tabI), 8)),
        local.set(tabI, i32.add(local.get(tabI), i32.const(12))),
        local.set(tabJ, i32.add(local.get(tab), i32.mul(local.get(kh), i32.const(12)))),
        forLoop(j, i32.const(0), local.get(kw), i32.const(1),
          local.set(xoff, i32.load(local.get(tabJ))),
          local.set(ox0, i32.load(local.get(tabJ), 4)),
          local.set(ox1, i32.load(local.get(tabJ), 8)),
          local.set(tabJ, i32.add(local.get(tabJ), i32.const(12))),
          // Whether runs of this kernel column reach into the horizontal padding (zeros to write at their ends).
          local.set(edges, i32.add(i32.ne(local.get(ox0), i32.const(0)), i32.ne(local.get(ox1), local.get(ow)))),
          // No padding along the row, stride 1 and a row length that is a multiple of four: rows move as vectors only.
          local.set(tight, i32.and(i32.and(i32.eqz(local.get(edges)), i32.eq(local.get(sw), i32.const(1))),
            i32.and(i32.eqz(i32.and(local.get(ow), i32.const(3))), i32.gtS(local.get(ow), i32.const(0))))),
          forLoop(b, i32.const(0), local.get(nb), i32.const(1), ...perSample),
          local.set(colRow, i32.add(local.get(colRow), local.get(rowBytes))),
        ),
      ),
    ),
  ];
  return f;
}

/** Parameters of regroup, in order (all i32). */
export const REGROUP_PARAMS = ['mat', 'ten', 'og', 'nb', 'p', 'sampleBytes', 'toMatrix', 'bias', 'hasBias'] as const;

/**
 * regroup(mat, ten, og, nb, p, sampleBytes, toMatrix, bias, hasBias) moves one group's rows between the gemm layout
 * mat[oc][b·p + q] and the tensor layout (sample b at ten + b·sampleBytes, channel oc at + oc·p·4). With toMatrix = 0
 * it writes the tensor, adding bias[oc] (f32 at byte address bias) when hasBias ≠ 0; with toMatrix ≠ 0 it writes mat.
 */
function regroupFunction(): FunctionBuilder {
  const f = new FunctionBuilder('regroup', REGROUP_PARAMS.map(() => I32));
  const [mat, ten, og, nb, p, sampleBytes, toMatrix, bias, hasBias] = REGROUP_PARAMS.map((_, k) => k);
  const oc = f.local(I32), b = f.local(I32), q = f.local(I32), m = f.local(I32), t = f.local(I32), rowBytes = f.local(I32);
  const bv = f.local(V128), bs = f.local(F32);
  const at = (base: number): Code => i32.add(local.get(base), i32.shl(local.get(q), i32.const(2)));
  const copy = (toMat: boolean): Code[] => [
    local.set(q, i32.const(0)),
    block(loop(
      brIf(1, i32.gtS(i32.add(local.get(q), i32.const(4)), local.get(p))),
      toMat ? v128.store(at(m), v128.load(at(t))) : v128.store(at(t), f32x4.add(v128.load(at(m)), local.get(bv))),
      local.set(q, i32.add(local.get(q), i32.const(4))),
      br(0),
    )),
    block(loop(
      brIf(1, i32.geS(local.get(q), local.get(p))),
      toMat ? f32.store(at(m), f32.load(at(t))) : f32.store(at(t), f32.add(f32.load(at(m)), local.get(bs))),
      local.set(q, i32.add(local.get(q), i32.const(1))),
      br(0),
    )),
  ];
  f.body = [
    local.set(rowBytes, i32.shl(local.get(p), i32.const(2))),
    local.set(m, local.get(mat)),
    forLoop(oc, i32.const(0), local.get(og), i32.const(1),
      local.set(bs, f32.const(0)),
      ifThen(local.get(hasBias), [local.set(bs, f32.load(i32.add(local.get(bias), i32.shl(local.get(oc), i32.const(2)))))]),
      local.set(bv, f32x4.splat(local.get(bs))),
      forLoop(b, i32.const(0), local.get(nb), i32.const(1),
        local.set(t, i32.add(i32.add(local.get(ten), i32.mul(local.get(b), local.get(sampleBytes))), i32.mul(local.get(oc), local.get(rowBytes)))),
        ifThen(local.get(toMatrix), copy(true), copy(false)),
        local.set(m, i32.add(local.get(m), local.get(rowBytes))),
      ),
    ),
  ];
  return f;
}

/** Parameters of unfoldPanels, in order (all i32; byte addresses and byte strides). */
export const UNFOLD_PANELS_PARAMS = [
  'x', 'pb', 'tab', 'nb', 'sampleBytes', 'planeBytes', 'cg', 'oh', 'ow', 'kh', 'kw', 'w', 'sh', 'sw', 'panelBytes',
] as const;

/**
 * unfoldPanels(x, pb, tab, nb, sampleBytes, planeBytes, cg, oh, ow, kh, kw, w, sh, sw, panelBytes) writes colᵀ for
 * nb samples straight into the layout in which the gemm packs its B operand: col row r = (ci, i, j) is column r of
 * op(B) = colᵀ, so element (r, q), q = (b, oy, ox), goes to panel ⌊r/NR⌋ (panelBytes apart), step q, lane r mod NR:
 * pb + ⌊r/NR⌋·panelBytes + q·NR·4 + (r mod NR)·4, zero outside the input. The weight gradient ȳ·colᵀ then multiplies
 * without packing B — the pack of a transposed operand reads one element at a time and cost as much as the multiply.
 * Lanes past the last row of the last panel are not written: they only reach tile columns the gemm does not store.
 * Same table as unfold.
 */
function unfoldPanelsFunction({ nr }: GemmF32Shape): FunctionBuilder {
  const f = new FunctionBuilder('unfoldPanels', UNFOLD_PANELS_PARAMS.map(() => I32));
  const [x, pb, tab, nb, sampleBytes, planeBytes, cg, oh, ow, kh, kw, w, sh, sw, panelBytes] = UNFOLD_PANELS_PARAMS.map((_, k) => k);
  const ci = f.local(I32), i = f.local(I32), j = f.local(I32), b = f.local(I32), oy = f.local(I32), ox = f.local(I32);
  const panel = f.local(I32), lane = f.local(I32), plane = f.local(I32), iy0 = f.local(I32), oy0 = f.local(I32), oy1 = f.local(I32);
  const xoff = f.local(I32), ox0 = f.local(I32), ox1 = f.local(I32), dst = f.local(I32), src = f.local(I32), p = f.local(I32);
  const tabI = f.local(I32), tabJ = f.local(I32), step = f.local(I32), rowStep = f.local(I32), tight = f.local(I32), count = f.local(I32);
  const STEP = nr * 4;
  const zeros = (from: Code, to: Code): Code => forLoop(ox, from, to, i32.const(1),
    f32.store(local.get(dst), f32.const(0)),
    local.set(dst, i32.add(local.get(dst), i32.const(STEP))),
  );
  const perSample: Code[] = [
    // src: input byte address of output row oy0's run (input row oy0·sh + iy0, column xoff).
    local.set(src, i32.add(i32.add(local.get(plane), i32.mul(local.get(b), local.get(sampleBytes))),
      i32.shl(i32.add(i32.mul(i32.add(i32.mul(local.get(oy0), local.get(sh)), local.get(iy0)), local.get(w)), local.get(xoff)), i32.const(2)))),
    forLoop(oy, i32.const(0), local.get(oh), i32.const(1),
      ifThen(i32.and(i32.geS(local.get(oy), local.get(oy0)), i32.ltS(local.get(oy), local.get(oy1))), [
        ifThen(local.get(tight), [
          // A whole row, stride 1, a multiple of four long: four elements per iteration at constant offsets.
          local.set(p, local.get(src)),
          local.set(count, local.get(ow)),
          loop(
            ...[0, 1, 2, 3].map((e) => f32.store(local.get(dst), f32.load(local.get(p), e * 4), e * STEP)),
            local.set(dst, i32.add(local.get(dst), i32.const(4 * STEP))),
            local.set(p, i32.add(local.get(p), i32.const(16))),
            brIf(0, local.tee(count, i32.sub(local.get(count), i32.const(4)))),
          ),
        ], [
          zeros(i32.const(0), local.get(ox0)),
          local.set(p, i32.add(local.get(src), i32.mul(local.get(ox0), local.get(step)))),
          forLoop(ox, local.get(ox0), local.get(ox1), i32.const(1),
            f32.store(local.get(dst), f32.load(local.get(p))),
            local.set(dst, i32.add(local.get(dst), i32.const(STEP))),
            local.set(p, i32.add(local.get(p), local.get(step))),
          ),
          zeros(local.get(ox1), local.get(ow)),
        ]),
        local.set(src, i32.add(local.get(src), local.get(rowStep))),
      ], [
        zeros(i32.const(0), local.get(ow)),
      ]),
    ),
  ];
  f.body = [
    local.set(step, i32.shl(local.get(sw), i32.const(2))),
    local.set(rowStep, i32.shl(i32.mul(local.get(sh), local.get(w)), i32.const(2))),
    local.set(panel, local.get(pb)),
    local.set(lane, i32.const(0)),
    forLoop(ci, i32.const(0), local.get(cg), i32.const(1),
      local.set(plane, i32.add(local.get(x), i32.mul(local.get(ci), local.get(planeBytes)))),
      local.set(tabI, local.get(tab)),
      forLoop(i, i32.const(0), local.get(kh), i32.const(1),
        local.set(iy0, i32.load(local.get(tabI))),
        local.set(oy0, i32.load(local.get(tabI), 4)),
        local.set(oy1, i32.load(local.get(tabI), 8)),
        local.set(tabI, i32.add(local.get(tabI), i32.const(12))),
        local.set(tabJ, i32.add(local.get(tab), i32.mul(local.get(kh), i32.const(12)))),
        forLoop(j, i32.const(0), local.get(kw), i32.const(1),
          local.set(xoff, i32.load(local.get(tabJ))),
          local.set(ox0, i32.load(local.get(tabJ), 4)),
          local.set(ox1, i32.load(local.get(tabJ), 8)),
          local.set(tabJ, i32.add(local.get(tabJ), i32.const(12))),
          // Runs without horizontal padding, stride 1, a multiple of four long (and not empty).
          local.set(tight, i32.and(i32.and(i32.eqz(local.get(ox0)), i32.eq(local.get(ox1), local.get(ow))),
            i32.and(i32.eq(local.get(sw), i32.const(1)), i32.and(i32.eqz(i32.and(local.get(ow), i32.const(3))), i32.gtS(local.get(ow), i32.const(0)))))),
          // Samples, output rows and columns in order are consecutive steps of the panel: dst only moves forward.
          local.set(dst, i32.add(local.get(panel), local.get(lane))),
          forLoop(b, i32.const(0), local.get(nb), i32.const(1), ...perSample),
          // Next row of col: the next lane, or the first lane of the next panel.
          local.set(lane, i32.add(local.get(lane), i32.const(4))),
          ifThen(i32.eq(local.get(lane), i32.const(STEP)), [
            local.set(lane, i32.const(0)),
            local.set(panel, i32.add(local.get(panel), local.get(panelBytes))),
          ]),
        ),
      ),
    ),
  ];
  return f;
}

/** Parameters of unfoldPanelsQuad, in order (all i32; byte addresses and byte strides). */
export const UNFOLD_QUAD_PARAMS = ['x', 'pb', 'rows', 'k', 'nb', 'sampleBytes', 'oh', 'ow', 'rowStep', 'panelBytes'] as const;

/** f32 lanes picked from two vectors (0–3 from the first, 4–7 from the second) as i8x16.shuffle byte indices. */
const lanes = (...picks: number[]): number[] => picks.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]);

/**
 * unfoldPanelsQuad(x, pb, rows, k, nb, sampleBytes, oh, ow, rowStep, panelBytes): unfoldPanels' result where no
 * kernel element ever reads padding, the stride along width is 1 and ow is a multiple of four. `rows` holds, per col
 * row r, the byte offset of its first input element from the sample's start (i32). Four rows at a time share a panel
 * step's four adjacent lanes: four vector loads (four output positions of each row) are transposed with eight
 * shuffles into four vectors (four rows at each position) and stored, instead of sixteen single loads and stores.
 * Rows past the last multiple of four move one element at a time. rowStep is the byte distance between the input
 * rows of consecutive output rows (sh·w·4).
 */
function unfoldPanelsQuadFunction({ nr }: GemmF32Shape): FunctionBuilder {
  const f = new FunctionBuilder('unfoldPanelsQuad', UNFOLD_QUAD_PARAMS.map(() => I32));
  const [x, pb, rows, k, nb, sampleBytes, oh, ow, rowStep, panelBytes] = UNFOLD_QUAD_PARAMS.map((_, i) => i);
  const r = f.local(I32), b = f.local(I32), oy = f.local(I32), count = f.local(I32), panel = f.local(I32), lane = f.local(I32);
  const dst = f.local(I32), base = f.local(I32), k4 = f.local(I32);
  const src = [f.local(I32), f.local(I32), f.local(I32), f.local(I32)], off = [f.local(I32), f.local(I32), f.local(I32), f.local(I32)];
  const t = [f.local(V128), f.local(V128), f.local(V128), f.local(V128)];
  const STEP = nr * 4;
  const nextLanes = (bytes: number): Code[] => [
    local.set(lane, i32.add(local.get(lane), i32.const(bytes))),
    ifThen(i32.eq(local.get(lane), i32.const(STEP)), [
      local.set(lane, i32.const(0)),
      local.set(panel, i32.add(local.get(panel), local.get(panelBytes))),
    ]),
  ];
  const v = [f.local(V128), f.local(V128), f.local(V128), f.local(V128)];
  const ld = (q: number): Code => local.get(v[q]);
  const quadRow: Code[] = [
    ...v.map((vq, q) => local.set(vq, v128.load(local.get(src[q])))),
    // t0 = [a0 b0 a1 b1], t1 = [a2 b2 a3 b3], t2 = [c0 d0 c1 d1], t3 = [c2 d2 c3 d3] (a…d: the four rows).
    local.set(t[0], i8x16.shuffle(ld(0), ld(1), lanes(0, 4, 1, 5))),
    local.set(t[1], i8x16.shuffle(ld(0), ld(1), lanes(2, 6, 3, 7))),
    local.set(t[2], i8x16.shuffle(ld(2), ld(3), lanes(0, 4, 1, 5))),
    local.set(t[3], i8x16.shuffle(ld(2), ld(3), lanes(2, 6, 3, 7))),
    v128.store(local.get(dst), i8x16.shuffle(local.get(t[0]), local.get(t[2]), lanes(0, 1, 4, 5))),
    v128.store(local.get(dst), i8x16.shuffle(local.get(t[0]), local.get(t[2]), lanes(2, 3, 6, 7)), STEP),
    v128.store(local.get(dst), i8x16.shuffle(local.get(t[1]), local.get(t[3]), lanes(0, 1, 4, 5)), 2 * STEP),
    v128.store(local.get(dst), i8x16.shuffle(local.get(t[1]), local.get(t[3]), lanes(2, 3, 6, 7)), 3 * STEP),
    local.set(dst, i32.add(local.get(dst), i32.const(4 * STEP))),
    ...src.map((sq) => local.set(sq, i32.add(local.get(sq), i32.const(16)))),
  ];
  /** For each sample and output row: src[q] = that row's input run for the rows in use, then `inner` per run. */
  const walk = (used: number, inner: Code[]): Code => forLoop(b, i32.const(0), local.get(nb), i32.const(1),
    local.set(base, i32.add(local.get(x), i32.mul(local.get(b), local.get(sampleBytes)))),
    forLoop(oy, i32.const(0), local.get(oh), i32.const(1),
      ...src.slice(0, used).map((sq, q) => local.set(sq, i32.add(local.get(base), local.get(off[q])))),
      ...inner,
      local.set(base, i32.add(local.get(base), local.get(rowStep))),
    ),
  );
  f.body = [
    local.set(panel, local.get(pb)),
    local.set(lane, i32.const(0)),
    local.set(k4, i32.and(local.get(k), i32.const(~3))),
    forLoop(r, i32.const(0), local.get(k4), i32.const(4),
      ...off.map((oq, q) => local.set(oq, i32.load(i32.add(local.get(rows), i32.shl(local.get(r), i32.const(2))), q * 4))),
      local.set(dst, i32.add(local.get(panel), local.get(lane))),
      walk(4, [
        local.set(count, local.get(ow)),
        loop(...quadRow, brIf(0, local.tee(count, i32.sub(local.get(count), i32.const(4))))),
      ]),
      ...nextLanes(16),
    ),
    forLoop(r, local.get(k4), local.get(k), i32.const(1),
      local.set(off[0], i32.load(i32.add(local.get(rows), i32.shl(local.get(r), i32.const(2))))),
      local.set(dst, i32.add(local.get(panel), local.get(lane))),
      walk(1, [
        local.set(count, local.get(ow)),
        loop(
          f32.store(local.get(dst), f32.load(local.get(src[0]))),
          local.set(dst, i32.add(local.get(dst), i32.const(STEP))),
          local.set(src[0], i32.add(local.get(src[0]), i32.const(4))),
          brIf(0, local.tee(count, i32.sub(local.get(count), i32.const(1)))),
        ),
      ]),
      ...nextLanes(4),
    ),
  ];
  return f;
}

/**
 * unfoldColumnsQuad(…same parameters as unfoldPanelsQuad…) writes col for the forward product W·col straight into the
 * layout in which the gemm packs it: columns q = (b, oy, ox) in panels of NR (panelBytes = K·NR·4 apart), each stored
 * [K][NR], element (r, q) at pb + ⌊q/NR⌋·panelBytes + r·NR·4 + (q mod NR)·4. Same conditions as unfoldPanelsQuad (no
 * padding read, stride 1 along width, rows a multiple of four long), so four adjacent output positions of a row are
 * one vector load from the input and four adjacent lanes of a panel step: per group of four positions, one load and
 * one store for each of the K rows, the input offset of each row read from `rows`. Lanes past the last column of the
 * last panel are not written (they only reach tile columns the gemm does not store).
 */
function unfoldColumnsQuadFunction({ nr }: GemmF32Shape): FunctionBuilder {
  const f = new FunctionBuilder('unfoldColumnsQuad', UNFOLD_QUAD_PARAMS.map(() => I32));
  const [x, pb, rows, k, nb, sampleBytes, oh, ow, rowStep, panelBytes] = UNFOLD_QUAD_PARAMS.map((_, i) => i);
  const b = f.local(I32), oy = f.local(I32), count = f.local(I32), panel = f.local(I32), lane = f.local(I32);
  const src = f.local(I32), row = f.local(I32), d = f.local(I32), t = f.local(I32), end = f.local(I32);
  const STEP = nr * 4;
  f.body = [
    local.set(panel, local.get(pb)),
    local.set(lane, i32.const(0)),
    local.set(end, i32.add(local.get(rows), i32.shl(local.get(k), i32.const(2)))),
    forLoop(b, i32.const(0), local.get(nb), i32.const(1),
      local.set(row, i32.add(local.get(x), i32.mul(local.get(b), local.get(sampleBytes)))),
      forLoop(oy, i32.const(0), local.get(oh), i32.const(1),
        local.set(src, local.get(row)),
        local.set(count, local.get(ow)),
        loop(
          // Four positions: for each col row r, four floats from its input run into lanes [lane, lane + 4) of step r.
          local.set(d, i32.add(local.get(panel), local.get(lane))),
          local.set(t, local.get(rows)),
          loop(
            v128.store(local.get(d), v128.load(i32.add(local.get(src), i32.load(local.get(t))))),
            local.set(d, i32.add(local.get(d), i32.const(STEP))),
            local.set(t, i32.add(local.get(t), i32.const(4))),
            brIf(0, i32.ltS(local.get(t), local.get(end))),
          ),
          local.set(src, i32.add(local.get(src), i32.const(16))),
          local.set(lane, i32.add(local.get(lane), i32.const(16))),
          ifThen(i32.eq(local.get(lane), i32.const(STEP)), [
            local.set(lane, i32.const(0)),
            local.set(panel, i32.add(local.get(panel), local.get(panelBytes))),
          ]),
          brIf(0, local.tee(count, i32.sub(local.get(count), i32.const(4)))),
        ),
        local.set(row, i32.add(local.get(row), local.get(rowStep))),
      ),
    ),
  ];
  return f;
}

/** Parameters of gemmPacked, in order (all i32). */
export const GEMM_PACKED_PARAMS = ['m', 'n', 'kc', 'a', 'aRs', 'aCs', 'pb', 'c', 'ldc', 'accumulate', 'packA', 'scratch', 'mcMax'] as const;

/**
 * gemmPacked(m, n, kc, a, aRs, aCs, pb, c, ldc, accumulate, packA, scratch, mcMax): C (+)= op(A)·B for an op(B) of
 * kc rows and n columns that is already packed, as the gemm's own pack would leave it (panels of NR columns, panelBytes
 * = kc·NR·4 apart, each stored [kc][NR]; lanes past column n may hold anything, as they only reach tile columns that
 * are not stored); op(A) [m, kc] at a with byte strides aRs, aCs is packed here, mcMax rows at a time (packA holds mcMax·kc floats). The gemm driver's loops for one slab of depth, without
 * its pack of B.
 */
function gemmPackedFunction({ mr, nr }: GemmF32Shape): FunctionBuilder {
  const f = new FunctionBuilder('gemmPacked', GEMM_PACKED_PARAMS.map(() => I32));
  const [m, n, kc, a, aRs, aCs, pb, c, ldc, accumulate, packA, scratch, mcMax] = GEMM_PACKED_PARAMS.map((_, k) => k);
  const ic = f.local(I32), mc = f.local(I32), jr = f.local(I32), ir = f.local(I32), pbp = f.local(I32), pap = f.local(I32);
  const t0 = f.local(I32), t1 = f.local(I32);
  f.body = [
    forLoop(ic, i32.const(0), local.get(m), local.get(mcMax),
      local.set(mc, i32.minS(local.get(mcMax), i32.sub(local.get(m), local.get(ic)), t0, t1)),
      call(PACK_A, i32.add(local.get(a), i32.mul(local.get(ic), local.get(aRs))), local.get(aRs), local.get(aCs),
        local.get(kc), local.get(mc), local.get(packA)),
      ...microTiles({ mr, nr }, { n, kc, ic, mc, c, ldc, scratch, packA, packB: pb, jr, ir, pbp, pap, t0, t1 }, local.get(accumulate)),
    ),
  ];
  return f;
}

/** The gemm module with unfold, fold, regroup, unfoldPanels, unfoldPanelsQuad, unfoldColumnsQuad and gemmPacked appended (exported under those names). */
export function buildConvF32Module(): Uint8Array {
  return buildGemmF32Module(null, GEMM_F32_SHAPE, [
    unfoldFunction('unfold', false), unfoldFunction('fold', true), regroupFunction(),
    unfoldPanelsFunction(GEMM_F32_SHAPE), unfoldPanelsQuadFunction(GEMM_F32_SHAPE), unfoldColumnsQuadFunction(GEMM_F32_SHAPE), gemmPackedFunction(GEMM_F32_SHAPE),
  ]);
}
