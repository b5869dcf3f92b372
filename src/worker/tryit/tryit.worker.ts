// The Try it panel's own module worker: face detection and the run's models, off the page's thread and
// apart from the lab worker (which may be training). tfjs runs here on wasm (inference only: tiny
// models, no GPU read-back stalls); the detector's weights come from the lab's own origin.
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import threadedFactory from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js?url';
import detectorManifest from '@vladmandic/face-api/model/tiny_face_detector_model-weights_manifest.json?url';
import detectorWeights from '@vladmandic/face-api/model/tiny_face_detector_model.bin?url';
import { selectBackend, wasmThreadsFor } from '../../platform/backend';
import { idbStorage } from '../../platform/browser/db';
import { redirectPthreadFactory } from '../../platform/browser/wasmThreads';
import { shrinkRgb } from '../../core/data/faceCrop';
import { LiveEngine, type RgbaFrame } from './engine';
import { tinyFaceDetector } from './faceDetector';
import { decodeLiveCommand, liveTransferables, type LiveEvent } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (e: LiveEvent): void => scope.postMessage(e, liveTransferables(e));

redirectPthreadFactory(new URL(threadedFactory, scope.location.href).href);

/** Frames larger than this on their longer side are drawn smaller (a 12 MP photo from disk). */
const MAX_SIDE = 1280;
/** About the longer side of the copy the detector looks at (twice its input: faces at arm's length
 *  stay well over its smallest size; a 640x480 frame becomes 320x240, a quarter of the work). */
const DETECT_SIDE = 320;
let canvas: OffscreenCanvas | null = null;

/** A camera frame's RGBA bytes converted by WebCodecs (VideoFrame.copyTo in RGBA: one conversion, no
 *  canvas), or null where the browser cannot (the canvas does it then). */
async function copyRgba(frame: VideoFrame, width: number, height: number): Promise<Uint8Array | null> {
  try {
    const opts = { format: 'RGBA', colorSpace: 'srgb' } as unknown as VideoFrameCopyToOptions;
    const buf = new Uint8Array(frame.allocationSize(opts));
    if (buf.length !== width * height * 4) return null;
    await frame.copyTo(buf, opts);
    return buf;
  } catch {
    return null;
  }
}

/** A frame's RGBA bytes (at most MAX_SIDE on its longer side), and a small RGB copy of it for the
 *  detector (block means, made from those bytes: one conversion per frame). */
async function pixels(bitmap: VideoFrame | ImageBitmap): Promise<RgbaFrame> {
  const video = 'displayWidth' in bitmap;
  const bw = video ? bitmap.displayWidth : bitmap.width;
  const bh = video ? bitmap.displayHeight : bitmap.height;
  const k = Math.min(1, MAX_SIDE / Math.max(bw, bh));
  const width = Math.max(1, Math.round(bw * k));
  const height = Math.max(1, Math.round(bh * k));
  let rgba = video && k === 1 ? await copyRgba(bitmap, width, height) : null;
  if (!rgba) {
    canvas ??= new OffscreenCanvas(width, height);
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('No 2D canvas in this worker.');
    ctx.drawImage(bitmap, 0, 0, width, height);
    const data = ctx.getImageData(0, 0, width, height).data;
    rgba = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  const factor = Math.floor(Math.max(width, height) / DETECT_SIDE);
  return factor >= 2 ? { rgba, width, height, small: shrinkRgb(rgba, width, height, factor) } : { rgba, width, height };
}

const engine = new LiveEngine({
  storage: idbStorage(),
  post,
  pixels,
  still: (f) =>
    createImageBitmap(
      new ImageData(
        new Uint8ClampedArray(f.rgba.buffer as ArrayBuffer, f.rgba.byteOffset, f.rgba.byteLength),
        f.width,
        f.height,
      ),
    ),
  selectBackend: () =>
    selectBackend(['wasm', 'cpu'], {
      wasmThreads: wasmThreadsFor(navigator.hardwareConcurrency),
      wasmPaths: {
        'tfjs-backend-wasm.wasm': wasmPlain,
        'tfjs-backend-wasm-simd.wasm': wasmSimd,
        'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
      },
    }),
  detector: () =>
    tinyFaceDetector(
      new URL(detectorManifest, scope.location.href).href,
      new URL(detectorWeights, scope.location.href).href,
    ),
});

scope.onmessage = (ev: MessageEvent<unknown>) => {
  let cmd;
  try {
    cmd = decodeLiveCommand(ev.data);
  } catch (e) {
    post({ type: 'error', message: (e as Error).message });
    return;
  }
  void engine.handle(cmd);
};
