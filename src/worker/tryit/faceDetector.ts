// The face detector of the Try it panel: @vladmandic/face-api's tiny face detector (a 190 KB
// Tiny-YOLOv2), its weights shipped in the npm package and served from the lab's own origin (the worker
// entry hands their built URLs in). The no-bundle build runs on the app's own tfjs, in the worker that
// imports it, so one tfjs copy per realm. The only module that imports face-api.
import * as tf from '@tensorflow/tfjs';
import * as faceapi from '@vladmandic/face-api/dist/face-api.esm-nobundle.js';
import type { FaceDetector, RgbaFrame } from './engine';

/** The detector's input side (a multiple of 32): 160 finds a face at arm's length on a webcam frame
 *  at half the work of 224; a photo (once, no hurry) is searched at 608, where faces of a group photo
 *  are large enough. */
export const DETECTOR_INPUT = 160;
export const DETECTOR_INPUT_FINE = 608;
/** Least detector confidence taken as a face. */
export const DETECTOR_MIN_SCORE = 0.4;

/**
 * face-api knows two platforms, a page (window, HTMLCanvasElement...) and Node; in a worker it has
 * neither and refuses every input, tensors included, until told what its canvas and image types are.
 * Here they are the worker's own (OffscreenCanvas, ImageBitmap); the detector is only ever given
 * tensors, so nothing draws through them, but face-api's input checks read them.
 */
function workerEnvironment(fetcher: typeof fetch): void {
  if (faceapi.env.isBrowser() || faceapi.env.isNodejs()) return;
  class NoVideo {}
  const none = () => {
    throw new Error('face-api: no DOM elements in a worker');
  };
  faceapi.env.setEnv({
    Canvas: OffscreenCanvas,
    CanvasRenderingContext2D: OffscreenCanvasRenderingContext2D,
    Image: ImageBitmap,
    ImageData,
    Video: NoVideo,
    createCanvasElement: () => new OffscreenCanvas(1, 1),
    createImageElement: none,
    createVideoElement: none,
    fetch: fetcher,
    readFile: none,
  } as unknown as faceapi.Environment);
}

/**
 * Loads the tiny face detector from its weights manifest and weight file (same-origin URLs) and
 * returns a detector over RGBA frames. Every tensor it makes per frame is disposed before it returns.
 */
export async function tinyFaceDetector(
  manifestUrl: string,
  weightsUrl: string,
  fetcher: typeof fetch = fetch,
): Promise<FaceDetector> {
  workerEnvironment(fetcher);
  const get = async (url: string) => {
    const r = await fetcher(url);
    if (!r.ok) throw new Error(`The face detector's weights could not be read (${url}: HTTP ${r.status}).`);
    return r;
  };
  const manifest = (await (await get(manifestUrl)).json()) as { weights: tf.io.WeightsManifestEntry[] }[];
  const bytes = await (await get(weightsUrl)).arrayBuffer();
  const net = new faceapi.TinyFaceDetector();
  // face-api's types bundle their own copy of tfjs's declarations: the same tensors, other type names.
  net.loadFromWeightMap(
    tf.io.decodeWeights(
      bytes,
      manifest.flatMap((g) => g.weights),
    ) as unknown as Parameters<typeof net.loadFromWeightMap>[0],
  );
  const fast = new faceapi.TinyFaceDetectorOptions({ inputSize: DETECTOR_INPUT, scoreThreshold: DETECTOR_MIN_SCORE });
  const fine = new faceapi.TinyFaceDetectorOptions({
    inputSize: DETECTOR_INPUT_FINE,
    scoreThreshold: DETECTOR_MIN_SCORE,
  });
  return {
    async detect(frame: RgbaFrame, photo = false) {
      const options = photo ? fine : fast;
      // A camera frame is searched on its smaller copy; the box is scaled back to the frame.
      const small = !photo ? frame.small : undefined;
      const sx = small ? frame.width / small.width : 1;
      const sy = small ? frame.height / small.height : 1;
      const x = small
        ? tf.tensor3d(small.rgb, [small.height, small.width, 3])
        : tf.browser.fromPixels({ data: frame.rgba, width: frame.width, height: frame.height } as tf.PixelData, 3);
      let found: faceapi.FaceDetection[];
      try {
        found = await net.locateFaces(x as unknown as Parameters<typeof net.locateFaces>[0], options);
      } finally {
        x.dispose();
      }
      if (found.length === 0) return null;
      const best = found.reduce((a, b) => (b.score > a.score ? b : a));
      const b = best.box;
      // Clipped to the frame: a face at the edge may reach past it.
      const x0 = Math.max(0, b.x * sx);
      const y0 = Math.max(0, b.y * sy);
      const x1 = Math.min(frame.width, (b.x + b.width) * sx);
      const y1 = Math.min(frame.height, (b.y + b.height) * sy);
      if (x1 - x0 < 4 || y1 - y0 < 4) return null;
      return { box: { x: x0, y: y0, w: x1 - x0, h: y1 - y0 }, score: best.score };
    },
  };
}
