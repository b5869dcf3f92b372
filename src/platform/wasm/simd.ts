// Small WebAssembly SIMD kernels that work in place on tfjs-backend-wasm's heap, assembled here from
// bytecode (no toolchain: emscripten is not available, and the loops are short). Used where wasm's own
// kernel is slow and a JS loop is no better: MaxPoolGrad (12 ms in JS for one 64x28x28x32 pool, ~1 ms
// here) and tall 2-D transposes.

// --- a minimal assembler: LEB128, sections, the instructions used below ---------------------------

const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
};
const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
};
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const str = (s: string): number[] => vec([...s].map((c) => [c.charCodeAt(0)]));
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

const I32 = 0x7f;
const V128 = 0x7b;
const get = (l: number) => [0x20, ...uleb(l)];
const set = (l: number) => [0x21, ...uleb(l)];
const i32 = (n: number) => [0x41, ...sleb(n)];
const ADD = [0x6a];
const SUB = [0x6b];
const MUL = [0x6c];
const AND = [0x71];
const SHL = [0x74];
const LT_S = [0x48];
const LT_U = [0x49];
const simd = (op: number, ...imm: number[]) => [0xfd, ...uleb(op), ...imm];
const memarg = [2, 0]; // align 2^2 (tensors are 4-byte aligned), offset 0
const V128_LOAD = simd(0x00, ...memarg);
const V128_STORE = simd(0x0b, ...memarg);
const v128Const = (bytes: number[]) => simd(0x0c, ...bytes);
const I32X4_SPLAT = simd(0x11);
const I32X4_EQ = simd(0x37);
const F32X4_GT = simd(0x44);
const V128_AND = simd(0x4e);
const V128_BITSELECT = simd(0x52);
const F32X4_ADD = simd(0xe4);
const F32X4_SUB = simd(0xe5);
const F32X4_MUL = simd(0xe6);
const i8x16Shuffle = (lanes: number[]) => simd(0x0d, ...lanes);

/** `l = l + 1` then loop again while l < bound (a do-while: every loop here runs at least once). */
const doWhile = (l: number, bound: number[], body: number[]) =>
  [0x03, 0x40, ...body, ...get(l), ...i32(1), ...ADD, ...set(l), ...get(l), ...bound, ...LT_S, 0x0d, 0, 0x0b];
const ifThen = (cond: number[], body: number[]) => [...cond, 0x04, 0x40, ...body, 0x0b];

function moduleBytes(shared: boolean, funcs: { name: string; params: number; locals: [number, number][]; body: number[] }[]): Uint8Array<ArrayBuffer> {
  const types = funcs.map((f) => [0x60, ...vec(new Array(f.params).fill([I32])), ...vec([])]);
  // Imported memory: a shared one must declare a maximum (4 GiB, the wasm32 limit, covers any).
  const limits = shared ? [0x03, ...uleb(0), ...uleb(65536)] : [0x00, ...uleb(0)];
  const imports = vec([[...str('env'), ...str('memory'), 0x02, ...limits]]);
  const codes = funcs.map((f) => {
    const body = [...vec(f.locals.map(([n, t]) => [...uleb(n), t])), ...f.body, 0x0b];
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, imports),
    ...section(3, vec(funcs.map((_, i) => uleb(i)))),
    ...section(7, vec(funcs.map((f, i) => [...str(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(codes)),
  ]);
}

// --- MaxPoolGrad -----------------------------------------------------------------------------------

/**
 * maxPoolGrad(x, dy, dx, N, H, W, C, OH, OW, fh, fw, sh, sw, top, left): byte offsets of x [N,H,W,C],
 * dy [N,OH,OW,C] and a zeroed dx [N,H,W,C]; C a multiple of 4. For each window and 4 channels at a
 * time: pass 1 finds the first position (row-major, padding skipped) holding the maximum, by strict >
 * as tfjs's cpu kernel does (NaN never wins; an all -Infinity window sends nothing); pass 2 adds dy to
 * dx there (adds, so overlapping windows accumulate).
 */
function maxPoolGradFunc() {
  const [X, DY, DX, N, H, W, C, OH, OW, FH, FW, SH, SW, TOP, LEFT] = Array.from({ length: 15 }, (_, i) => i);
  const [B, R, Q, CH, I, J, Y, XX, JIDX, P, DYOFF, Y0, X0] = Array.from({ length: 13 }, (_, i) => 15 + i);
  const [M, IDX, G, MASK] = [28, 29, 30, 31]; // v128 locals
  // byte offset of element (b, y, xx, c) of an [N,H,W,C] tensor
  const offset = [...get(B), ...get(H), ...MUL, ...get(Y), ...ADD, ...get(W), ...MUL, ...get(XX), ...ADD,
    ...get(C), ...MUL, ...get(CH), ...ADD, ...i32(2), ...SHL];
  const inImage = [...get(Y), ...get(H), ...LT_U, ...get(XX), ...get(W), ...LT_U, ...AND];
  const windowLoop = (atPosition: number[]) => [
    ...i32(0), ...set(JIDX), ...i32(0), ...set(I),
    ...doWhile(I, get(FH), [
      ...get(Y0), ...get(I), ...ADD, ...set(Y),
      ...i32(0), ...set(J),
      ...doWhile(J, get(FW), [
        ...get(X0), ...get(J), ...ADD, ...set(XX),
        ...ifThen(inImage, atPosition),
        ...get(JIDX), ...i32(1), ...ADD, ...set(JIDX),
      ]),
    ]),
  ];
  const pass1 = [
    // v = x[p]; mask = v > m; m = mask ? v : m; idx = mask ? jidx : idx   (v loaded twice: it is in L1)
    ...get(X), ...offset, ...ADD, ...set(P),
    ...get(P), ...V128_LOAD, ...get(P), ...V128_LOAD, ...get(M), ...F32X4_GT, ...set(MASK),
    ...get(M), ...get(MASK), ...V128_BITSELECT, ...set(M),
    ...get(JIDX), ...I32X4_SPLAT, ...get(IDX), ...get(MASK), ...V128_BITSELECT, ...set(IDX),
  ];
  const pass2 = [
    // dx[p] += dy & (idx == jidx)
    ...get(DX), ...offset, ...ADD, ...set(P),
    ...get(P),
    ...get(P), ...V128_LOAD, ...get(G), ...get(IDX), ...get(JIDX), ...I32X4_SPLAT, ...I32X4_EQ, ...V128_AND, ...F32X4_ADD,
    ...V128_STORE,
  ];
  const negInf = new Array(4).fill([0x00, 0x00, 0x80, 0xff]).flat();
  const minusOne = new Array(16).fill(0xff);
  const body = [
    ...i32(0), ...set(B),
    ...doWhile(B, get(N), [
      ...i32(0), ...set(R),
      ...doWhile(R, get(OH), [
        ...get(R), ...get(SH), ...MUL, ...get(TOP), ...SUB, ...set(Y0),
        ...i32(0), ...set(Q),
        ...doWhile(Q, get(OW), [
          ...get(Q), ...get(SW), ...MUL, ...get(LEFT), ...SUB, ...set(X0),
          ...get(DY), ...get(B), ...get(OH), ...MUL, ...get(R), ...ADD, ...get(OW), ...MUL, ...get(Q), ...ADD,
          ...get(C), ...MUL, ...i32(2), ...SHL, ...ADD, ...set(DYOFF),
          ...i32(0), ...set(CH),
          // channels 4 at a time (a loop of its own: doWhile steps by 1)
          0x03, 0x40,
          ...v128Const(negInf), ...set(M), ...v128Const(minusOne), ...set(IDX),
          ...windowLoop(pass1),
          ...get(DYOFF), ...get(CH), ...i32(2), ...SHL, ...ADD, ...V128_LOAD, ...set(G),
          ...windowLoop(pass2),
          ...get(CH), ...i32(4), ...ADD, ...set(CH), ...get(CH), ...get(C), ...LT_S, 0x0d, 0, 0x0b,
        ]),
      ]),
    ]),
  ];
  return { name: 'maxPoolGrad', params: 15, locals: [[13, I32], [4, V128]] as [number, number][], body };
}

// --- 2-D transpose -----------------------------------------------------------------------------

/**
 * transpose2d(src, dst, R, C): byte offsets of src [R, C] and dst [C, R], 4-byte elements, R and C
 * multiples of 4. 4x4 blocks are transposed in registers with 8 shuffles; a block row of src is read
 * left to right while dst is written as 4 sequential streams per block column. wasm's own Transpose
 * takes 3-4 ms for [50176, 32] (the dy of a 28x28x32 conv layer, batch 64), this ~1 ms.
 */
function transpose2dFunc() {
  const [SRC, DST, R, C] = [0, 1, 2, 3];
  const [RR, CC, S, D] = [4, 5, 6, 7]; // i32 locals
  const [A, B2, C2, D2, T0, T1] = [8, 9, 10, 11, 12, 13]; // v128 locals
  const lo = [0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23]; // a0 b0 a1 b1
  const hi = [8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31]; // a2 b2 a3 b3
  const first = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]; // x0 x1 y0 y1
  const second = [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31]; // x2 x3 y2 y3
  const rowBytes = [...get(C), ...i32(2), ...SHL];
  const colBytes = [...get(R), ...i32(2), ...SHL];
  // a..d = src rows rr..rr+3 at column cc
  const loads = [A, B2, C2, D2].flatMap((l, i) => [...get(S), ...(i ? [...rowBytes, ...i32(i), ...MUL, ...ADD] : []),
    ...V128_LOAD, ...set(l)]);
  const store = (i: number, x: number, y: number, lanes: number[]) => [
    ...get(D), ...(i ? [...colBytes, ...i32(i), ...MUL, ...ADD] : []),
    ...get(x), ...get(y), ...i8x16Shuffle(lanes), ...V128_STORE];
  const block = [
    ...loads,
    // T0 = a0 b0 a1 b1, T1 = a2 b2 a3 b3; A/B2 reused for the same of c and d
    ...get(A), ...get(B2), ...i8x16Shuffle(lo), ...set(T0),
    ...get(A), ...get(B2), ...i8x16Shuffle(hi), ...set(T1),
    ...get(C2), ...get(D2), ...i8x16Shuffle(lo), ...set(A),
    ...get(C2), ...get(D2), ...i8x16Shuffle(hi), ...set(B2),
    ...store(0, T0, A, first), ...store(1, T0, A, second), ...store(2, T1, B2, first), ...store(3, T1, B2, second),
  ];
  const stepBy4 = (l: number, bound: number, body: number[]) =>
    [0x03, 0x40, ...body, ...get(l), ...i32(4), ...ADD, ...set(l), ...get(l), ...get(bound), ...LT_S, 0x0d, 0, 0x0b];
  const body = [
    ...i32(0), ...set(RR),
    ...stepBy4(RR, R, [
      ...i32(0), ...set(CC),
      ...stepBy4(CC, C, [
        // S = src + (rr*C + cc)*4, D = dst + (cc*R + rr)*4
        ...get(SRC), ...get(RR), ...get(C), ...MUL, ...get(CC), ...ADD, ...i32(2), ...SHL, ...ADD, ...set(S),
        ...get(DST), ...get(CC), ...get(R), ...MUL, ...get(RR), ...ADD, ...i32(2), ...SHL, ...ADD, ...set(D),
        ...block,
      ]),
    ]),
  ];
  return { name: 'transpose2d', params: 4, locals: [[4, I32], [6, V128]] as [number, number][], body };
}

// --- per-channel passes for batch normalisation (batchnorm.ts) ----------------------------------------

/** `l = l + step` then loop again while l < bound. */
const loopBy = (l: number, step: number, bound: number[], body: number[]) =>
  [0x03, 0x40, ...body, ...get(l), ...i32(step), ...ADD, ...set(l), ...get(l), ...bound, ...LT_S, 0x0d, 0, 0x0b];
/** `p = p + 16` (one v128 further). */
const advance = (p: number) => [...get(p), ...i32(16), ...ADD, ...set(p)];

/**
 * channelMoments(x, shift, s1, s2, rows, C): byte offsets of x [rows, C] and of shift, s1, s2 [C] (C a
 * multiple of 4); adds sum_r (x - shift) to s1 and sum_r (x - shift)^2 to s2, 4 channels at a time.
 */
function channelMomentsFunc() {
  const [X, SH, S1, S2, ROWS, C] = [0, 1, 2, 3, 4, 5];
  const [R, K, PX, KB] = [6, 7, 8, 9];
  const [D] = [10];
  const at = (base: number) => [...get(base), ...get(KB), ...ADD];
  const body = [
    ...get(X), ...set(PX),
    ...i32(0), ...set(R),
    ...loopBy(R, 1, get(ROWS), [
      ...i32(0), ...set(K),
      ...loopBy(K, 4, get(C), [
        ...get(K), ...i32(2), ...SHL, ...set(KB),
        ...get(PX), ...V128_LOAD, ...at(SH), ...V128_LOAD, ...F32X4_SUB, ...set(D),
        ...at(S1), ...at(S1), ...V128_LOAD, ...get(D), ...F32X4_ADD, ...V128_STORE,
        ...at(S2), ...at(S2), ...V128_LOAD, ...get(D), ...get(D), ...F32X4_MUL, ...F32X4_ADD, ...V128_STORE,
        ...advance(PX),
      ]),
    ]),
  ];
  return { name: 'channelMoments', params: 6, locals: [[4, I32], [1, V128]] as [number, number][], body };
}

/**
 * channelCross(dy, x, m, s1, s2, rows, C): adds sum_r dy to s1 and sum_r dy * (x - m) to s2 (byte
 * offsets; dy, x [rows, C]; m, s1, s2 [C]; C a multiple of 4).
 */
function channelCrossFunc() {
  const [DY, X, MM, S1, S2, ROWS, C] = [0, 1, 2, 3, 4, 5, 6];
  const [R, K, PD, PX, KB] = [7, 8, 9, 10, 11];
  const [G] = [12];
  const at = (base: number) => [...get(base), ...get(KB), ...ADD];
  const body = [
    ...get(DY), ...set(PD), ...get(X), ...set(PX),
    ...i32(0), ...set(R),
    ...loopBy(R, 1, get(ROWS), [
      ...i32(0), ...set(K),
      ...loopBy(K, 4, get(C), [
        ...get(K), ...i32(2), ...SHL, ...set(KB),
        ...get(PD), ...V128_LOAD, ...set(G),
        ...at(S1), ...at(S1), ...V128_LOAD, ...get(G), ...F32X4_ADD, ...V128_STORE,
        ...at(S2), ...at(S2), ...V128_LOAD,
        ...get(G), ...get(PX), ...V128_LOAD, ...at(MM), ...V128_LOAD, ...F32X4_SUB, ...F32X4_MUL, ...F32X4_ADD, ...V128_STORE,
        ...advance(PD), ...advance(PX),
      ]),
    ]),
  ];
  return { name: 'channelCross', params: 7, locals: [[5, I32], [1, V128]] as [number, number][], body };
}

/**
 * channelAffine(out, u, v, coef, rows, C): out = a * u + b * (v - m) + d per channel, coef = [a, b, d, m]
 * ([4C] floats); byte offsets; u, v, out [rows, C] (out may be u or v); C a multiple of 4.
 */
function channelAffineFunc() {
  const [OUT, U, V, COEF, ROWS, C] = [0, 1, 2, 3, 4, 5];
  const [R, K, PO, PU, PV, KB, CB] = [6, 7, 8, 9, 10, 11, 12];
  const body = [
    ...get(OUT), ...set(PO), ...get(U), ...set(PU), ...get(V), ...set(PV),
    ...get(C), ...i32(2), ...SHL, ...set(CB),
    ...i32(0), ...set(R),
    ...loopBy(R, 1, get(ROWS), [
      ...i32(0), ...set(K),
      ...loopBy(K, 4, get(C), [
        ...get(COEF), ...get(K), ...i32(2), ...SHL, ...ADD, ...set(KB),
        ...get(PO),
        ...get(KB), ...V128_LOAD, ...get(PU), ...V128_LOAD, ...F32X4_MUL,
        ...get(KB), ...get(CB), ...ADD, ...V128_LOAD,
        ...get(PV), ...V128_LOAD, ...get(KB), ...get(CB), ...i32(3), ...MUL, ...ADD, ...V128_LOAD, ...F32X4_SUB,
        ...F32X4_MUL, ...F32X4_ADD,
        ...get(KB), ...get(CB), ...ADD, ...get(CB), ...ADD, ...V128_LOAD, ...F32X4_ADD,
        ...V128_STORE,
        ...advance(PO), ...advance(PU), ...advance(PV),
      ]),
    ]),
  ];
  return { name: 'channelAffine', params: 6, locals: [[7, I32]] as [number, number][], body };
}

type KernelFn = (...args: number[]) => void;
export interface SimdKernels {
  maxPoolGrad: KernelFn;
  transpose2d: KernelFn;
  channelMoments: KernelFn;
  channelCross: KernelFn;
  channelAffine: KernelFn;
}
const instances = new WeakMap<WebAssembly.Memory, SimdKernels | null>();

/** The kernels bound to `memory` (tfjs-backend-wasm's heap), or null where wasm SIMD is unavailable. */
export function simdKernels(memory: WebAssembly.Memory): SimdKernels | null {
  if (instances.has(memory)) return instances.get(memory) ?? null;
  let result: SimdKernels | null;
  try {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const bytes = moduleBytes(shared, [maxPoolGradFunc(), transpose2dFunc(), channelMomentsFunc(), channelCrossFunc(),
      channelAffineFunc()]);
    // Synchronous compile: the module is ~1.5 KB (browsers allow sync compiles up to 4 KB on the main thread).
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    result = {
      maxPoolGrad: instance.exports.maxPoolGrad as KernelFn,
      transpose2d: instance.exports.transpose2d as KernelFn,
      channelMoments: instance.exports.channelMoments as KernelFn,
      channelCross: instance.exports.channelCross as KernelFn,
      channelAffine: instance.exports.channelAffine as KernelFn,
    };
  } catch {
    result = null; // no SIMD (old browser): callers use their JS loops / wasm's own kernels
  }
  instances.set(memory, result);
  return result;
}
