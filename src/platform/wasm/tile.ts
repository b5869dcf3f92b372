// Tile for the wasm backend as typed-array block copies on the wasm heap. tfjs-core's BatchNorm gradient
// tiles the per-channel 1/sqrt(variance + eps) [1,1,1,C] up to x's full shape [N,H,W,C] at every BatchNorm
// layer; wasm's own Tile (an element-by-element index loop) took ~42% of the workshop model's training
// step. Here that is one run of C values copied once and then doubled with copyWithin up to N*H*W runs.
import type * as tf from '@tensorflow/tfjs';
import type { WasmHeapBackend } from './poolGrad';

type Heap = Float32Array | Int32Array | Uint8Array;

/** Below this many elements a plain loop beats a typed-array call. */
const SMALL = 16;

/**
 * The tiling with axes that change nothing dropped and neighbours merged where the result is the same:
 * an axis with no repetition merges into the one before it (its rows stay contiguous in x and in the
 * output), and an axis of size 1 merges its repetitions with the next axis's. Returns per-axis
 * [sizes, reps], outermost first; empty when x has one element and nothing repeats.
 */
export function simplifyTile(shape: readonly number[], reps: readonly number[]): { sizes: number[]; reps: number[] } {
  const s: number[] = [];
  const r: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1 && reps[i] === 1) continue;
    const last = s.length - 1;
    if (last >= 0 && reps[i] === 1) {
      s[last] *= shape[i]; // (rep, a, b) -> (rep, a*b)
    } else if (last >= 0 && s[last] === 1) {
      s[last] = shape[i]; // (rep0, 1, rep1, b) -> (rep0*rep1, b)
      r[last] *= reps[i];
    } else {
      s.push(shape[i]);
      r.push(reps[i]);
    }
  }
  return { sizes: s, reps: r };
}

/** Copies heap[from, from + len) to heap[to, ...) (non-overlapping). */
function copy(heap: Heap, from: number, to: number, len: number): void {
  if (len <= SMALL) {
    for (let k = 0; k < len; k++) heap[to + k] = heap[from + k];
  } else {
    heap.copyWithin(to, from, from + len);
  }
}

/** heap[at, at + len) repeated so that heap[at, at + len * times) holds `times` copies (doubling). */
function repeat(heap: Heap, at: number, len: number, times: number): void {
  if (times <= 1 || len === 0) return;
  const total = len * times;
  if (len === 1) {
    heap.fill(heap[at], at + 1, at + total);
    return;
  }
  if (total <= SMALL) {
    for (let k = len; k < total; k++) heap[at + k] = heap[at + k - len];
    return;
  }
  let done = len;
  while (done < total) {
    const n = Math.min(done, total - done);
    heap.copyWithin(at + done, at, at + n);
    done += n;
  }
}

/**
 * Tile (same semantics as tfjs: output shape[i] = x.shape[i] * reps[i]) for float32 / int32 / bool
 * tensors on the wasm heap. Other dtypes (string) must go to wasm's own kernel.
 */
export function tileOnHeap(backend: WasmHeapBackend, x: tf.TensorInfo, repsIn: readonly number[]): tf.TensorInfo {
  if (repsIn.length !== x.shape.length) {
    throw new Error(`Tile: reps ${JSON.stringify(repsIn)} do not match x's rank ${x.shape.length}`);
  }
  const out = backend.makeOutput(
    x.shape.map((d, i) => d * repsIn[i]),
    x.dtype,
  );
  const outSize = out.shape.reduce((p, q) => p * q, 1);
  if (outSize === 0) return out;
  // Views taken after makeOutput: an allocation may grow (and so detach) the heap buffer. Both views
  // span the whole heap so that one array serves source and destination.
  const xv = backend.typedArrayFromHeap(x);
  const ov = backend.typedArrayFromHeap(out);
  const bytes = ov.BYTES_PER_ELEMENT;
  if (xv.byteOffset % bytes !== 0 || ov.byteOffset % bytes !== 0) throw new Error('Tile: misaligned tensor');
  const Ctor = ov.constructor as { new (buffer: ArrayBufferLike, offset?: number, length?: number): Heap };
  const heap = new Ctor(ov.buffer, 0, Math.floor(ov.buffer.byteLength / bytes));
  const src = xv.byteOffset / bytes;
  const dst = ov.byteOffset / bytes;

  const { sizes, reps } = simplifyTile(x.shape, repsIn);
  const n = sizes.length;
  if (n === 0) {
    // every axis size 1, no repetition: one element
    heap[dst] = heap[src];
    return out;
  }
  // srcStride[d]: x elements per index of axis d; block[d]: output elements per index of axis d.
  const srcStride = new Array<number>(n);
  const block = new Array<number>(n);
  srcStride[n - 1] = 1;
  block[n - 1] = 1;
  for (let d = n - 2; d >= 0; d--) {
    srcStride[d] = srcStride[d + 1] * sizes[d + 1];
    block[d] = block[d + 1] * sizes[d + 1] * reps[d + 1];
  }
  // Writes the output block of axes d.. for the x block at s to o: its first repetition index by index,
  // then that repetition doubled up to reps[d].
  const fill = (d: number, s: number, o: number): void => {
    if (d === n - 1) {
      copy(heap, s, o, sizes[d]);
    } else {
      for (let i = 0; i < sizes[d]; i++) fill(d + 1, s + i * srcStride[d], o + i * block[d]);
    }
    repeat(heap, o, sizes[d] * block[d], reps[d]);
  };
  fill(0, src, dst);
  return out;
}
