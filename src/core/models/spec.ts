// The model contract every architecture honours (layer names, ModelSpec) and its validation.
// Plain data only: a ModelSpec is part of the serialisable experiment config.
import { hashString } from '../hash';

/** The layer right before the final layer; its (post-activation) output is THE embedding. */
export const EMBEDDING_LAYER = 'embedding';
/** The last convolutional feature map (post-activation), used by Grad-CAM. */
export const LAST_CONV_LAYER = 'last_conv';
/** The final Dense layer, linear: pre-softmax logits (1 unit for age regression). */
export const OUTPUT_LAYER = 'logits';

export const ARCH_NAMES = ['small', 'vgg-f', 'vgg-face', 'resnet-50', 'custom'] as const;
export type ArchName = (typeof ARCH_NAMES)[number];

/**
 * `paper`: each family's own normalisation (LRN after conv1/conv2 in VGG-F, none in VGG-16, BatchNorm in
 * ResNet-50 and `small`). `batchnorm`: BatchNorm after every conv of VGG-F / VGG-face too (LRN dropped),
 * which makes those deep nets trainable from scratch; `small` and ResNet-50 are the same either way.
 */
export const NORMS = ['paper', 'batchnorm'] as const;
export type Norm = (typeof NORMS)[number];

/** Weight initialisation: `he` (He-normal on ReLU layers, Glorot-uniform logits, zero biases: the lab's
 *  default) or `pytorch` (PyTorch's own default for Conv2d and Linear: kaiming_uniform(a = √5) on the
 *  weights, i.e. U(−1/√fan_in, 1/√fan_in), and U(−1/√fan_in, 1/√fan_in) on the biases). */
export const INITS = ['he', 'pytorch'] as const;
export type Init = (typeof INITS)[number];

/** One conv block of a `custom` network: conv → (BatchNorm) → ReLU → (max-pool). */
export interface CustomConv {
  filters: number;
  /** Square kernel side. */
  kernel: number;
  stride: number;
  /** `same` keeps the size (at stride 1), `valid` adds no padding (PyTorch's padding=0). */
  padding: 'same' | 'valid';
  /** BatchNorm after the conv (the conv then has no bias: BN's β takes its place). */
  batchNorm: boolean;
  /** Max-pool window = stride after the ReLU (floor mode, as PyTorch's MaxPool2d); 0: no pooling. */
  pool: number;
}

/** A network described as data (the config's `model.custom`): conv blocks, flatten, dense layers (ReLU),
 *  the last of them the embedding, then the linear logits. */
export interface CustomLayout {
  convs: CustomConv[];
  /** Units of each hidden dense layer; the last one is the embedding. At least one. */
  dense: number[];
}

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
  /** The layers of `arch: 'custom'` (required there, refused elsewhere). */
  custom?: CustomLayout;
  /** Weight initialisation; default `he`. */
  init?: Init;
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
  if (spec.dropout !== undefined && !(typeof spec.dropout === 'number' && spec.dropout >= 0 && spec.dropout < 1)) {
    throw new Error(`ModelSpec.dropout must be a number in [0, 1); got ${show(spec.dropout)}`);
  }
  if (spec.norm !== undefined && !(NORMS as readonly string[]).includes(spec.norm)) {
    throw new Error(`ModelSpec.norm must be one of ${NORMS.join(', ')}; got ${show(spec.norm)}`);
  }
  if (spec.init !== undefined && !(INITS as readonly string[]).includes(spec.init)) {
    throw new Error(`ModelSpec.init must be one of ${INITS.join(', ')}; got ${show(spec.init)}`);
  }
  if (spec.arch === 'custom') {
    const e = customLayoutError(spec.custom);
    if (e) throw new Error(`ModelSpec.custom${e}`);
  } else if (spec.custom !== undefined) {
    throw new Error(`ModelSpec.custom is only for arch 'custom' (arch is '${spec.arch}')`);
  }
  if (!(typeof spec.seed === 'number' && Number.isSafeInteger(spec.seed))) {
    throw new Error(`ModelSpec.seed must be an integer; got ${show(spec.seed)}`);
  }
}

/** Limits of a custom layout (what the form offers and the config accepts). */
export const CUSTOM_LIMITS = {
  convs: 16,
  dense: 8,
  filters: 4096,
  kernel: 15,
  stride: 8,
  pool: 8,
  units: 16384,
} as const;

/**
 * What is wrong with a custom layout, as a path suffix and message (e.g. `.convs[1].kernel must be ...`),
 * or null when it is valid. Plain data checks only; sizes that shrink below a window are reported when
 * the layout is walked for an input (customLayout).
 */
export function customLayoutError(c: unknown): string | null {
  if (c == null || typeof c !== 'object' || Array.isArray(c)) {
    return ` must be { "convs": [...], "dense": [...] } for arch 'custom'; got ${show(c)}`;
  }
  const o = c as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (k !== 'convs' && k !== 'dense') return `.${k} is not a known field (convs, dense)`;
  const L = CUSTOM_LIMITS;
  if (!Array.isArray(o.convs) || o.convs.length < 1 || o.convs.length > L.convs) {
    return `.convs must be a list of 1 to ${L.convs} conv blocks; got ${show(o.convs)}`;
  }
  const intIn = (v: unknown, lo: number, hi: number) =>
    typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
  for (let i = 0; i < o.convs.length; i++) {
    const b = o.convs[i] as Record<string, unknown>;
    const at = `.convs[${i}]`;
    if (b == null || typeof b !== 'object' || Array.isArray(b)) return `${at} must be an object; got ${show(b)}`;
    for (const k of Object.keys(b)) {
      if (!['filters', 'kernel', 'stride', 'padding', 'batchNorm', 'pool'].includes(k)) {
        return `${at}.${k} is not a known field (filters, kernel, stride, padding, batchNorm, pool)`;
      }
    }
    if (!intIn(b.filters, 1, L.filters))
      return `${at}.filters must be a whole number 1-${L.filters}; got ${show(b.filters)}`;
    if (!intIn(b.kernel, 1, L.kernel))
      return `${at}.kernel must be a whole number 1-${L.kernel}; got ${show(b.kernel)}`;
    if (!intIn(b.stride, 1, L.stride))
      return `${at}.stride must be a whole number 1-${L.stride}; got ${show(b.stride)}`;
    if (b.padding !== 'same' && b.padding !== 'valid')
      return `${at}.padding must be "same" or "valid"; got ${show(b.padding)}`;
    if (typeof b.batchNorm !== 'boolean') return `${at}.batchNorm must be true or false; got ${show(b.batchNorm)}`;
    if (!(b.pool === 0 || intIn(b.pool, 2, L.pool)))
      return `${at}.pool must be 0 (none) or a window 2-${L.pool}; got ${show(b.pool)}`;
  }
  if (!Array.isArray(o.dense) || o.dense.length < 1 || o.dense.length > L.dense) {
    return `.dense must list 1 to ${L.dense} hidden layer sizes, the last one the embedding; got ${show(o.dense)}`;
  }
  for (let i = 0; i < o.dense.length; i++) {
    if (!intIn(o.dense[i], 1, L.units))
      return `.dense[${i}] must be a whole number 1-${L.units}; got ${show(o.dense[i])}`;
  }
  return null;
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
