// The model contract every architecture honours (layer names, ModelSpec) and its validation.
// Plain data only: a ModelSpec is part of the serialisable experiment config.
import { hashString } from '../hash';

/** The layer right before the final layer; its (post-activation) output is THE embedding. */
export const EMBEDDING_LAYER = 'embedding';
/** The last convolutional feature map (post-activation), used by Grad-CAM. */
export const LAST_CONV_LAYER = 'last_conv';
/** The final Dense layer, linear: pre-softmax logits (1 unit for age regression). */
export const OUTPUT_LAYER = 'logits';

export const ARCH_NAMES = ['small', 'vgg-f', 'vgg-face', 'resnet-50'] as const;
export type ArchName = (typeof ARCH_NAMES)[number];

/**
 * `paper`: each family's own normalisation (LRN after conv1/conv2 in VGG-F, none in VGG-16, BatchNorm in
 * ResNet-50 and `small`). `batchnorm`: BatchNorm after every conv of VGG-F / VGG-face too (LRN dropped),
 * which makes those deep nets trainable from scratch; `small` and ResNet-50 are the same either way.
 */
export const NORMS = ['paper', 'batchnorm'] as const;
export type Norm = (typeof NORMS)[number];

export interface ModelSpec {
  arch: ArchName;
  /** [h, w, c] of one image. */
  inputShape: [number, number, number];
  /** 8 expression, 2 gender, 1 age. */
  outputUnits: number;
  /** Multiplier on every filter count and hidden dense size (default 1 = faithful layout); e.g. 0.125 for tests. */
  width?: number;
  /** Override of the penultimate dense (embedding) size. */
  embeddingSize?: number;
  /** Dropout rate after the hidden dense layers; default per architecture; 0 adds no dropout layer. */
  dropout?: number;
  /** Normalisation; default `paper`. */
  norm?: Norm;
  /** Every initializer is seeded from this (per-layer seeds derived from it), so same spec → same weights. */
  seed: number;
}

const isPosInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;
const show = (v: unknown): string => {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
};

/** Throws an Error naming the first bad field (`ModelSpec.<field> ...`). */
export function validateSpec(spec: ModelSpec): void {
  if (spec == null || typeof spec !== 'object') throw new Error(`ModelSpec must be an object, got ${show(spec)}`);
  if (!(ARCH_NAMES as readonly string[]).includes(spec.arch)) {
    throw new Error(`ModelSpec.arch must be one of ${ARCH_NAMES.join(', ')}; got ${show(spec.arch)}`);
  }
  const s = spec.inputShape;
  if (!Array.isArray(s) || s.length !== 3 || !s.every(isPosInt)) {
    throw new Error(`ModelSpec.inputShape must be [h, w, c] of positive integers; got ${show(s)}`);
  }
  if (!isPosInt(spec.outputUnits)) {
    throw new Error(`ModelSpec.outputUnits must be a positive integer; got ${show(spec.outputUnits)}`);
  }
  if (spec.width !== undefined && !(typeof spec.width === 'number' && Number.isFinite(spec.width) && spec.width > 0)) {
    throw new Error(`ModelSpec.width must be a positive finite number; got ${show(spec.width)}`);
  }
  if (spec.embeddingSize !== undefined && !isPosInt(spec.embeddingSize)) {
    throw new Error(`ModelSpec.embeddingSize must be a positive integer; got ${show(spec.embeddingSize)}`);
  }
  if (spec.dropout !== undefined &&
      !(typeof spec.dropout === 'number' && spec.dropout >= 0 && spec.dropout < 1)) {
    throw new Error(`ModelSpec.dropout must be a number in [0, 1); got ${show(spec.dropout)}`);
  }
  if (spec.norm !== undefined && !(NORMS as readonly string[]).includes(spec.norm)) {
    throw new Error(`ModelSpec.norm must be one of ${NORMS.join(', ')}; got ${show(spec.norm)}`);
  }
  if (!(typeof spec.seed === 'number' && Number.isSafeInteger(spec.seed))) {
    throw new Error(`ModelSpec.seed must be an integer; got ${show(spec.seed)}`);
  }
}

/** A paper filter / unit count scaled by the width multiplier, never below 1. */
export function scaled(n: number, width = 1): number {
  return Math.max(1, Math.round(n * width));
}

/**
 * A per-layer seed from the model seed and the layer's name (FNV-1a), so a layer's initial weights do not
 * depend on how many layers come before it. Never 0: tfjs treats a seed of 0 as "no seed" (Math.random).
 */
export function layerSeed(seed: number, layerName: string): number {
  return hashString(`${seed}/${layerName}`) || 1;
}
