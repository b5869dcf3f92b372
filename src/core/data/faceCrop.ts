// A face found in a camera frame or a photo, made into what a run's models saw in training: a square
// around the face framed as the run's dataset frames faces, converted and resized with the importer's
// own functions (pixels.ts, fer.ts), then the scenario's half hidden as training hides it (batching.ts).
// Pure byte arithmetic on RGBA frames: runs in the Try it worker and in Node tests alike.
import { fitGrey, FER_SIDE } from './formats/fer';
import { resizeImage, toChannels, type Box } from './formats/pixels';
import { fillImages } from './batching';
import type { ImageSet, Visibility } from './types';

/** How a dataset frames its faces, which decides the square cut around a detected face. */
export type Framing = 'fer' | 'utkface' | 'folder' | 'synth';

export interface FramingInfo {
  /** The square's side as a multiple of the detector box's larger side. */
  margin: number;
  /** Shift of the square's centre below the box's centre, as a fraction of the box's height. */
  down: number;
  /** What the user is told about it. */
  note: string;
}

// The detector's box (tiny face detector) runs roughly from the brows to the chin and from cheek to
// cheek. FER2013's faces fill their 48x48 frame (brows to chin, little else): a tight square. UTKFace's
// aligned chips show the whole head with some background: the face is about 60% of the side. The
// synthetic faces fill most of their frame, hair on top.
export const FRAMINGS: Record<Framing, FramingInfo> = {
  fer: {
    margin: 1.1,
    down: 0.02,
    note: 'FER2013 / FER+ crops are tight (brows to chin): the square is 1.1× the face box, then grey 48x48 as a FER row',
  },
  utkface: { margin: 1.7, down: 0.05, note: 'UTKFace chips show the whole head: the square is 1.7× the face box' },
  folder: { margin: 1.4, down: 0.03, note: 'class-folder photos: the square is 1.4× the face box' },
  synth: {
    margin: 1.25,
    down: -0.05,
    note: 'the synthetic faces fill their frame, hair on top: the square is 1.25× the face box',
  },
};

/** The framing of a run's dataset from its import format (null: the synthetic generator). */
export function framingOf(format: 'fer2013' | 'ferplus' | 'utkface' | 'folder' | null | undefined): Framing {
  if (format === 'fer2013' || format === 'ferplus') return 'fer';
  if (format === 'utkface') return 'utkface';
  if (format === 'folder') return 'folder';
  return 'synth';
}

/**
 * The square (integer pixels, inside the frame) cut around a face box: side = margin × the box's larger
 * side, centred on the box (moved down by `down` × its height). Near an edge it slides back inside; when
 * larger than the frame it shrinks to the frame's shorter side.
 */
export function faceSquare(face: Box, frameW: number, frameH: number, margin: number, down = 0): Box {
  if (!(frameW >= 1 && frameH >= 1)) throw new RangeError(`faceSquare: empty frame ${frameW}x${frameH}`);
  if (!(face.w > 0 && face.h > 0) || !(margin > 0))
    throw new RangeError('faceSquare: the face box and the margin must be positive');
  const side = Math.max(
    1,
    Math.min(Math.round(Math.max(face.w, face.h) * margin), Math.floor(frameW), Math.floor(frameH)),
  );
  const cx = face.x + face.w / 2;
  const cy = face.y + face.h / 2 + down * face.h;
  const x = Math.min(Math.max(0, Math.round(cx - side / 2)), Math.floor(frameW) - side);
  const y = Math.min(Math.max(0, Math.round(cy - side / 2)), Math.floor(frameH) - side);
  return { x, y, w: side, h: side };
}

export interface CropTarget {
  height: number;
  width: number;
  channels: 1 | 3;
}

/**
 * The face in `square` of an RGBA frame as the run's importer would have stored it, [h, w, c] bytes.
 * FER: a 48x48 grey square first (what a fer2013.csv row holds: area-averaged, grey by ITU-R 601 as
 * toChannels does), then the importer's fitGrey to the run's size. Photos (UTKFace, folders) and the
 * synthetic faces: the square resized straight to the run's size (area averaging), then toChannels.
 */
export function cropFace(
  rgba: Uint8Array,
  frameW: number,
  frameH: number,
  square: Box,
  target: CropTarget,
  framing: Framing,
): Uint8Array {
  if (framing === 'fer') {
    const small = resizeImage(rgba, frameW, frameH, 4, FER_SIDE, FER_SIDE, square);
    const row = toChannels(small, FER_SIDE * FER_SIDE, 4, 1);
    return fitGrey(row, FER_SIDE, target);
  }
  const rgbaOut = resizeImage(rgba, frameW, frameH, 4, target.width, target.height, square);
  return toChannels(rgbaOut, target.width * target.height, 4, target.channels);
}

/**
 * Model input for one face: floats in [0, 1], the hidden half zeroed, by the very function that makes
 * training batches (fillImages), so a live face reaches a model exactly as a test image does.
 * @param pixels [h, w, c] bytes
 * @returns [h, w, c] floats (one image of a [1, h, w, c] batch)
 */
export function faceInput(pixels: Uint8Array, target: CropTarget, visibility: Visibility): Float32Array {
  const set: ImageSet = {
    height: target.height,
    width: target.width,
    channels: target.channels,
    count: 1,
    pixels,
    expression: null,
    gender: null,
    age: null,
    classNames: {},
  };
  return fillImages(set, [0], visibility, new Float32Array(pixels.length));
}

/** Softmax of logits (numerically stable), for the probability bars. */
export function softmax(logits: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  const e = Array.from(logits, (v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/**
 * A small RGB copy of an RGBA frame for the face detector: each output pixel the mean of a `factor` x
 * `factor` block (the frame's last partial rows and columns dropped). Floats 0-255, [h, w, 3].
 */
export function shrinkRgb(
  rgba: Uint8Array,
  width: number,
  height: number,
  factor: number,
): { rgb: Float32Array; width: number; height: number } {
  if (!Number.isInteger(factor) || factor < 1)
    throw new RangeError(`shrinkRgb: factor must be a whole number >= 1 (got ${factor})`);
  const w = Math.floor(width / factor);
  const h = Math.floor(height / factor);
  const rgb = new Float32Array(w * h * 3);
  const inv = 1 / (factor * factor);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let r = 0,
        g = 0,
        b = 0;
      for (let j = 0; j < factor; j++) {
        let p = ((y * factor + j) * width + x * factor) * 4;
        for (let i = 0; i < factor; i++, p += 4) {
          r += rgba[p];
          g += rgba[p + 1];
          b += rgba[p + 2];
        }
      }
      const o = (y * w + x) * 3;
      rgb[o] = r * inv;
      rgb[o + 1] = g * inv;
      rgb[o + 2] = b * inv;
    }
  }
  return { rgb, width: w, height: h };
}
