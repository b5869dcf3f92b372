// Pooling gradients for the wasm backend, working in place on the wasm heap: wasm's own MaxPoolGrad took
// ~34 ms for one [64,28,28,32] 2x2 pool (the forward conv of the next layer: 16 ms). MaxPoolGrad runs a
// SIMD kernel (simd.ts) when the channels are a multiple of 4, else a JS loop; AvgPoolGrad is a JS loop.
import * as tf from '@tensorflow/tfjs';
import { simdKernels } from './simd';

/** The part of tfjs-backend-wasm's BackendWasm used here (typed locally: its class is not exported
 *  through @tensorflow/tfjs). */
export interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: tf.DataId): boolean;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } };
  wasm: { asm?: { memory?: WebAssembly.Memory }; wasmMemory?: WebAssembly.Memory };
}

/** Set to false to force the JS loop (tests compare both). */
export const poolGradOptions = { simd: true };

function f32(backend: WasmHeapBackend, t: tf.TensorInfo, what: string): Float32Array {
  if (t.dtype !== 'float32') throw new Error(`${what} must be float32, got ${t.dtype}`);
  return backend.typedArrayFromHeap(t) as Float32Array;
}

/**
 * dx for max pooling, same rule as tfjs's cpu backend: each window's gradient goes to the first
 * position (row-major within the window, padding skipped) holding the window's maximum.
 * @param dy [N, OH, OW, C]
 * @param x  [N, H, W, C] (the pooling input)
 * @returns  [N, H, W, C]
 */
export function maxPoolGrad(
  backend: WasmHeapBackend,
  dy: tf.TensorInfo,
  x: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const out = backend.makeOutput(x.shape, 'float32');
  // Views taken after makeOutput: an allocation may grow (and so detach) the heap buffer.
  const dxv = f32(backend, out, 'MaxPoolGrad output');
  const xv = f32(backend, x, 'MaxPoolGrad input');
  const dyv = f32(backend, dy, 'MaxPoolGrad dy');
  dxv.fill(0);
  const {
    batchSize: n,
    inHeight: h,
    inWidth: w,
    inChannels: c,
    outHeight: oh,
    outWidth: ow,
    strideHeight: sh,
    strideWidth: sw,
    dilationHeight: dh,
    dilationWidth: dw,
    effectiveFilterHeight: fh,
    effectiveFilterWidth: fw,
  } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const memory = backend.wasm.asm?.memory ?? backend.wasm.wasmMemory;
  const simd = poolGradOptions.simd && c % 4 === 0 && dh === 1 && dw === 1 && memory ? simdKernels(memory) : null;
  if (simd) {
    const at = (t: tf.TensorInfo) => backend.dataIdMap.get(t.dataId).memoryOffset;
    simd.maxPoolGrad(at(x), at(dy), at(out), n, h, w, c, oh, ow, fh, fw, sh, sw, top, left);
    return out;
  }
  const best = new Float32Array(c);
  const arg = new Int32Array(c);
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < oh; r++) {
      const r0 = r * sh - top;
      for (let q = 0; q < ow; q++) {
        const q0 = q * sw - left;
        best.fill(-Infinity);
        arg.fill(-1);
        for (let i = 0; i < fh; i += dh) {
          const y = r0 + i;
          if (y < 0 || y >= h) continue;
          for (let j = 0; j < fw; j += dw) {
            const xx = q0 + j;
            if (xx < 0 || xx >= w) continue;
            const base = ((b * h + y) * w + xx) * c;
            for (let k = 0; k < c; k++) {
              const v = xv[base + k];
              if (v > best[k]) {
                best[k] = v;
                arg[k] = base + k;
              }
            }
          }
        }
        const dyBase = ((b * oh + r) * ow + q) * c;
        for (let k = 0; k < c; k++) {
          const a = arg[k];
          if (a >= 0) dxv[a] += dyv[dyBase + k];
        }
      }
    }
  }
  return out;
}

/**
 * dx for average pooling, tfjs's rule: every window divides by the full filter area (padding
 * included), whatever part of it lies in the image.
 * @param dy [N, OH, OW, C]
 * @returns  [N, H, W, C]
 */
export function avgPoolGrad(
  backend: WasmHeapBackend,
  dy: tf.TensorInfo,
  xShape: number[],
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const out = backend.makeOutput(xShape, 'float32');
  const dxv = f32(backend, out, 'AvgPoolGrad output');
  const dyv = f32(backend, dy, 'AvgPoolGrad dy');
  dxv.fill(0);
  const {
    batchSize: n,
    inHeight: h,
    inWidth: w,
    inChannels: c,
    outHeight: oh,
    outWidth: ow,
    strideHeight: sh,
    strideWidth: sw,
    dilationHeight: dh,
    dilationWidth: dw,
    effectiveFilterHeight: fh,
    effectiveFilterWidth: fw,
    filterHeight,
    filterWidth,
  } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const scale = 1 / (filterHeight * filterWidth);
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < oh; r++) {
      const r0 = r * sh - top;
      for (let q = 0; q < ow; q++) {
        const q0 = q * sw - left;
        const dyBase = ((b * oh + r) * ow + q) * c;
        for (let i = 0; i < fh; i += dh) {
          const y = r0 + i;
          if (y < 0 || y >= h) continue;
          for (let j = 0; j < fw; j += dw) {
            const xx = q0 + j;
            if (xx < 0 || xx >= w) continue;
            const base = ((b * h + y) * w + xx) * c;
            for (let k = 0; k < c; k++) dxv[base + k] += dyv[dyBase + k] * scale;
          }
        }
      }
    }
  }
  return out;
}
