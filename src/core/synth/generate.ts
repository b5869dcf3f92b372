// Public API of the synthetic face generator: seeded, chunkable image sets with every label and the
// latent factors. Sample i depends only on (seed, stream, i), never on the set's size or order.
import { EXPRESSION_CLASSES, GENDER_CLASSES, type ImageSet } from '../data/types';
import { FaceCanvas } from './draw';
import { type Face, renderFace, sampleAge, sampleFace } from './face';
import { Rng } from '../random';
import { hash32 } from '../hash';

export interface SynthOptions {
  count: number;
  seed: number;
  /** Image size in pixels; default 48 x 48 like FER. */
  height?: number;
  width?: number;
  /** 1 = grey (default), 3 = RGB. */
  channels?: 1 | 3;
  /** Expression intensity range; default [0.6, 1.0] (docs/method.md#synthetic-faces: weaker cues are too hard for a
   *  workshop budget). */
  intensity?: [number, number];
  /** Fraction of labels corrupted like annotator mistakes: expression and gender flipped, age jittered. Default 0.03. */
  labelNoise?: number;
  /** Frequencies of the 8 expression classes (normalised inside); default balanced. */
  classWeights?: number[];
  /** Maximum |in-plane rotation| in degrees; default 10. */
  rotationDeg?: number;
  /** Independent sample stream: the same index in two streams gives unrelated faces. Default 0. */
  stream?: number;
  /** Index of the first sample, so a large set can be generated in chunks. Default 0. */
  startIndex?: number;
}

/** The factors each face was drawn from, one entry per image. */
export interface SynthLatents {
  intensity: Float32Array;
  /** Shift as a fraction of the image width / height. */
  dx: Float32Array;
  dy: Float32Array;
  scale: Float32Array;
  /** In-plane rotation in degrees. */
  rotation: Float32Array;
  /** Skin tone, 0 light .. 1 dark. */
  skin: Float32Array;
  /** Hair shade before greying, 0 dark .. 1 light. */
  hair: Float32Array;
  /** Strength of the illumination gradient. */
  light: Float32Array;
  trueExpression: Int32Array;
  trueGender: Int32Array;
  trueAge: Float32Array;
  /** Hair greying 0..1 (grows with age). */
  grey: Float32Array;
  /** Where the hair ends, in face units (below about -0.1 it is short hair). */
  hairLength: Float32Array;
  /** Beard or stubble opacity, 0 for none. */
  beard: Float32Array;
}

export interface SynthImageSet extends ImageSet {
  latents: SynthLatents;
}

/** Approximate class frequencies of the FER+ training set (neutral and happiness dominate). */
export const FERPLUS_LIKE_WEIGHTS: readonly number[] = [0.36, 0.27, 0.126, 0.125, 0.088, 0.007, 0.023, 0.006];

/** Sample streams of generateSplits; generateFaces uses stream 0 unless told otherwise. */
export const SPLIT_STREAMS = { train: 1, val: 2, test: 3 } as const;

type ProgressFn = (done: number, total: number) => void;

interface Resolved {
  height: number;
  width: number;
  channels: 1 | 3;
  intensity: [number, number];
  labelNoise: number;
  classWeights: number[];
  rotationDeg: number;
}

function resolve(opts: Omit<SynthOptions, 'count'>): Resolved {
  const height = opts.height ?? 48;
  const width = opts.width ?? 48;
  const channels = opts.channels ?? 1;
  const intensity = opts.intensity ?? [0.6, 1.0];
  const labelNoise = opts.labelNoise ?? 0.03;
  const classWeights = opts.classWeights ?? EXPRESSION_CLASSES.map(() => 1);
  const rotationDeg = opts.rotationDeg ?? 10;
  const posInt = (v: number) => Number.isInteger(v) && v >= 1;
  if (!posInt(height) || !posInt(width)) throw new Error(`synth: bad image size ${width}x${height}`);
  if (channels !== 1 && channels !== 3) throw new Error(`synth: channels must be 1 or 3, got ${channels}`);
  if (!(intensity[0] >= 0 && intensity[0] <= intensity[1]))
    throw new Error('synth: intensity must be [lo, hi] with 0 <= lo <= hi');
  if (!(labelNoise >= 0 && labelNoise <= 1)) throw new Error('synth: labelNoise must be in [0, 1]');
  if (
    classWeights.length !== EXPRESSION_CLASSES.length ||
    classWeights.some((w) => !(w >= 0)) ||
    !(classWeights.reduce((a, b) => a + b, 0) > 0)
  ) {
    throw new Error(`synth: classWeights needs ${EXPRESSION_CLASSES.length} non-negative numbers, not all zero`);
  }
  if (!(rotationDeg >= 0)) throw new Error('synth: rotationDeg must be >= 0');
  return { height, width, channels, intensity, labelNoise, classWeights, rotationDeg };
}

function abortError(): Error {
  const e = new Error('synthetic face generation aborted');
  e.name = 'AbortError';
  return e;
}

/** Labels drawn for one sample: the true ones, the observed (noisy) ones and the face itself. */
interface Sample {
  face: Face;
  expression: number;
  gender: number;
  age: number;
  noiseSeed: number;
}

/** Everything about sample `index` of `stream`, from those numbers and the seed alone. */
function drawSample(r: Resolved, seed: number, stream: number, index: number): Sample {
  const sampleSeed = hash32(seed, stream, index);
  // Separate streams for the face, the label noise and the sensor noise: the face and labels do not
  // depend on the image size, channels or noise setting.
  const rng = new Rng(sampleSeed);
  const trueExpression = rng.categorical(r.classWeights);
  const trueGender = rng.chance(0.5) ? 1 : 0;
  const trueAge = sampleAge(rng);
  const intensity = rng.uniform(r.intensity[0], r.intensity[1]);
  const face = sampleFace(rng, {
    expression: trueExpression,
    gender: trueGender,
    age: trueAge,
    intensity,
    rotationDeg: r.rotationDeg,
  });

  const noisy = new Rng(hash32(sampleSeed, 0x6c61626c)); // 'labl'
  const k = EXPRESSION_CLASSES.length;
  const flipE = noisy.chance(r.labelNoise);
  const otherE = noisy.int(k - 1);
  const flipG = noisy.chance(r.labelNoise);
  const jitterA = noisy.chance(r.labelNoise);
  const ageError = noisy.normal(0, 10);
  const expression = flipE ? (trueExpression + 1 + otherE) % k : trueExpression;
  const gender = flipG ? 1 - trueGender : trueGender;
  // Ages are annotated in whole years; a mistaken annotation is off by about ten years.
  const age = Math.min(80, Math.max(1, Math.round(trueAge + (jitterA ? ageError : 0))));
  return { face, expression, gender, age, noiseSeed: hash32(sampleSeed, 0x6e6f6973) }; // 'nois'
}

function allocate(count: number, r: Resolved): SynthImageSet {
  return {
    height: r.height,
    width: r.width,
    channels: r.channels,
    count,
    pixels: new Uint8Array(count * r.height * r.width * r.channels),
    expression: new Int32Array(count),
    gender: new Int32Array(count),
    age: new Float32Array(count),
    classNames: { expression: [...EXPRESSION_CLASSES], gender: [...GENDER_CLASSES] },
    latents: {
      intensity: new Float32Array(count),
      dx: new Float32Array(count),
      dy: new Float32Array(count),
      scale: new Float32Array(count),
      rotation: new Float32Array(count),
      skin: new Float32Array(count),
      hair: new Float32Array(count),
      light: new Float32Array(count),
      trueExpression: new Int32Array(count),
      trueGender: new Int32Array(count),
      trueAge: new Float32Array(count),
      grey: new Float32Array(count),
      hairLength: new Float32Array(count),
      beard: new Float32Array(count),
    },
  };
}

/** Fills `set` with samples [first, first + count) of the stream; `tick(n)` after each sample. */
function fill(
  set: SynthImageSet,
  r: Resolved,
  seed: number,
  stream: number,
  first: number,
  tick: () => void,
  signal?: AbortSignal,
): void {
  const canvas = new FaceCanvas(r.width, r.height, r.channels);
  const imgLen = r.width * r.height * r.channels;
  const L = set.latents;
  for (let i = 0; i < set.count; i++) {
    if (signal?.aborted) throw abortError();
    const s = drawSample(r, seed, stream, first + i);
    const f = s.face;
    renderFace(canvas, f);
    const noise = new Rng(s.noiseSeed);
    canvas.writeBytes(set.pixels, i * imgLen, f.noiseSd, () => noise.nextU32());
    set.expression![i] = s.expression;
    set.gender![i] = s.gender;
    set.age![i] = s.age;
    L.intensity[i] = f.intensity;
    L.dx[i] = f.dx;
    L.dy[i] = f.dy;
    L.scale[i] = f.scale;
    L.rotation[i] = (f.rotation * 180) / Math.PI;
    L.skin[i] = f.skinTone;
    L.hair[i] = f.hairShade;
    L.light[i] = f.lightGain;
    L.trueExpression[i] = f.expression;
    L.trueGender[i] = f.gender;
    L.trueAge[i] = f.age;
    L.grey[i] = f.grey;
    L.hairLength[i] = f.hairLen;
    L.beard[i] = Math.max(f.beard, f.stubble);
    tick();
  }
}

/** A progress counter that reports at most ~100 times plus the final count. */
function progress(total: number, onProgress?: ProgressFn): () => void {
  let done = 0;
  const every = Math.max(1, Math.ceil(total / 100));
  return () => {
    done++;
    if (onProgress && (done % every === 0 || done === total)) onProgress(done, total);
  };
}

/**
 * Generates `count` faces: samples [startIndex, startIndex + count) of `stream`.
 * @throws Error named 'AbortError' when `signal` is aborted.
 */
export function generateFaces(opts: SynthOptions, onProgress?: ProgressFn, signal?: AbortSignal): SynthImageSet {
  const r = resolve(opts);
  if (!Number.isInteger(opts.count) || opts.count < 0) throw new Error(`synth: bad count ${opts.count}`);
  const set = allocate(opts.count, r);
  fill(set, r, opts.seed, opts.stream ?? 0, opts.startIndex ?? 0, progress(opts.count, onProgress), signal);
  return set;
}

/** Train / val / test sets from disjoint sample streams (SPLIT_STREAMS) of the same seed. */
export function generateSplits(
  opts: Omit<SynthOptions, 'count' | 'stream' | 'startIndex'> & { train: number; val: number; test: number },
  onProgress?: ProgressFn,
  signal?: AbortSignal,
): { train: SynthImageSet; val: SynthImageSet; test: SynthImageSet } {
  const r = resolve(opts);
  for (const k of ['train', 'val', 'test'] as const) {
    if (!Number.isInteger(opts[k]) || opts[k] < 0) throw new Error(`synth: bad ${k} size ${opts[k]}`);
  }
  const tick = progress(opts.train + opts.val + opts.test, onProgress);
  const out = {} as { train: SynthImageSet; val: SynthImageSet; test: SynthImageSet };
  for (const k of ['train', 'val', 'test'] as const) {
    out[k] = allocate(opts[k], r);
    fill(out[k], r, opts.seed, SPLIT_STREAMS[k], 0, tick, signal);
  }
  return out;
}
