// The architecture registry (name → builder) and the model utilities the curriculum needs: build, copy
// (student = teacher's weights), two-output views sharing weights (embedding, Grad-CAM), size estimates.
import * as tf from '@tensorflow/tfjs';
import { customLayout } from './custom';
import { LayersGraph } from './graph';
import { CountGraph, type Layout } from './layout';
import { resnet50Layout } from './resnet50';
import { smallLayout } from './small';
import { EMBEDDING_LAYER, LAST_CONV_LAYER, validateSpec, type ArchName, type ModelSpec } from './spec';
import { vggFLayout } from './vggF';
import { vggFaceLayout } from './vggFace';

export interface ArchitectureInfo {
  name: ArchName;
  title: string;
  description: string;
  /** [h, w, c] the architecture is meant for (the paper's 224x224x3, or 48x48x1 for `small`). */
  defaultInput: [number, number, number];
  /** Whether the paper used this architecture. */
  paper: boolean;
  /** Validates the spec and builds a fresh, seeded functional model. */
  build(spec: ModelSpec): tf.LayersModel;
  /** The layout itself, interpretable by any Graph (used for counting without allocating). */
  layout: Layout;
}

function info(
  name: ArchName,
  title: string,
  description: string,
  defaultInput: [number, number, number],
  paper: boolean,
  layout: Layout,
): ArchitectureInfo {
  return {
    name,
    title,
    description,
    defaultInput,
    paper,
    layout,
    build: (spec) => {
      validateSpec(spec);
      if (spec.arch !== name) throw new Error(`ModelSpec.arch is '${spec.arch}' but this builder is '${name}'`);
      // A shape the layout cannot take (a custom layout shrinking away) is refused by a walk that
      // allocates nothing, before any layer creates its weights.
      layout(new CountGraph(), spec);
      const net = layout(new LayersGraph(spec.seed, spec.init ?? 'he'), spec);
      return tf.model({ inputs: net.input, outputs: net.output, name: name.replace(/-/g, '_') });
    },
  };
}

export const ARCHITECTURES: Record<ArchName, ArchitectureInfo> = {
  small: info(
    'small',
    'Small CNN (laptop)',
    'conv32-conv64-conv128 3x3 with BatchNorm, ReLU and max-pool, dense 128 embedding. Not from the paper: ' +
      'sized to train on a CPU in minutes.',
    [48, 48, 1],
    false,
    smallLayout,
  ),
  'vgg-f': info(
    'vgg-f',
    'VGG-f (CNN-F)',
    'Chatfield et al. 2014: conv 64@11x11/4 + LRN, 256@5x5 + LRN, 3 x 256@3x3, fc 4096, 4096.',
    [224, 224, 3],
    true,
    vggFLayout,
  ),
  'vgg-face': info(
    'vgg-face',
    'VGG-face (VGG-16)',
    'VGG-16 layout of Parkhi et al. 2015: 13 convs 3x3 in five blocks (64 to 512 filters), fc 4096, 4096.',
    [224, 224, 3],
    true,
    vggFaceLayout,
  ),
  'resnet-50': info(
    'resnet-50',
    'ResNet-50',
    'He et al. 2016: bottleneck ResNet-50 with BatchNorm, global average pooling, dense embedding head.',
    [224, 224, 3],
    true,
    resnet50Layout,
  ),
  custom: info(
    'custom',
    'Custom (your own layers)',
    'The conv blocks and dense layers of model.custom: conv → (BatchNorm) → ReLU → (max-pool) per block, flatten, ' +
      "ReLU dense layers (the last one the embedding), linear logits. For matching a course notebook's network.",
    [28, 28, 1],
    false,
    customLayout,
  ),
};

/** Validates the spec (an Error names the bad field) and builds a fresh model. */
export function buildModel(spec: ModelSpec): tf.LayersModel {
  validateSpec(spec);
  return ARCHITECTURES[spec.arch].build(spec);
}

/** Names for copyWeightsInto's messages: whose weights go where, and what the user should do. */
export interface CopyLabels {
  src: string;
  dst: string;
  hint: string;
}

/**
 * Copies every weight of `src` into `dst` (BatchNorm moving statistics included), layer by layer: a frozen
 * model (trainable = false) lists its weights in another order at the model level, but each layer keeps
 * its own order. Same layers and shapes are required; a mismatch names the first weight that differs.
 */
export function copyWeightsInto(
  src: tf.LayersModel,
  dst: tf.LayersModel,
  labels: CopyLabels = { src: 'the source', dst: 'target', hint: '' },
): void {
  if (src.layers.length !== dst.layers.length || src.weights.length !== dst.weights.length) {
    throw new Error(
      `${labels.src} has ${src.layers.length} layers / ${src.weights.length} weight tensors, the ${labels.dst}'s architecture ` +
        `${dst.layers.length} / ${dst.weights.length}${labels.hint}`,
    );
  }
  src.layers.forEach((l, i) => {
    const a = l.weights;
    const b = dst.layers[i].weights;
    for (let k = 0; k < Math.max(a.length, b.length); k++) {
      if (a[k]?.shape.join('x') !== b[k]?.shape.join('x')) {
        throw new Error(
          `${labels.src}'s weight ${a[k]?.name ?? '(none)'} is [${a[k]?.shape.join(', ') ?? ''}] where the ${labels.dst}'s ` +
            `${b[k]?.name ?? '(none)'} is [${b[k]?.shape.join(', ') ?? ''}]${labels.hint}`,
        );
      }
    }
  });
  src.layers.forEach((l, i) => {
    if (l.weights.length) dst.layers[i].setWeights(l.getWeights());
  });
}

/**
 * Rebuilds `spec` and copies every weight of `src` into it. The copy's variables are its own: assigning
 * to them never changes `src` (tfjs assigns by swapping buffers).
 */
export function copyModel(src: tf.LayersModel, spec: ModelSpec): tf.LayersModel {
  const dst = buildModel(spec);
  try {
    copyWeightsInto(src, dst, { src: 'copyModel: the source', dst: 'spec', hint: '' });
  } catch (e) {
    dst.dispose();
    throw e;
  }
  return dst;
}

function view(m: tf.LayersModel, layerName: string, suffix: string): tf.LayersModel {
  let layer: tf.layers.Layer;
  try {
    layer = m.getLayer(layerName);
  } catch {
    throw new Error(`model '${m.name}' has no layer '${layerName}'`);
  }
  const v = tf.model({
    inputs: m.inputs,
    outputs: [layer.output as tf.SymbolicTensor, m.outputs[0]],
    name: `${m.name}_${suffix}`,
  });
  // A view owns no variables but tfjs would dispose the shared layers (their count is 1): make it a no-op,
  // so disposing the view can never free the base model's weights. Dispose the base model instead.
  v.dispose = () => ({ refCountAfterDispose: 1, numDisposedVariables: 0 });
  return v;
}

/** Outputs [embedding [b, e], logits [b, units]], sharing `m`'s weights. Disposing it is a no-op. */
export function withEmbedding(m: tf.LayersModel): tf.LayersModel {
  return view(m, EMBEDDING_LAYER, 'with_embedding');
}

/** Outputs [last conv map [b, h, w, k], logits [b, units]] for Grad-CAM, sharing `m`'s weights. */
export function withLastConv(m: tf.LayersModel): tf.LayersModel {
  return view(m, LAST_CONV_LAYER, 'with_last_conv');
}

export interface ModelSize {
  /** Forward multiply-adds per image (convs and dense layers). */
  macs: number;
  trainableParams: number;
  /** All weights, BatchNorm moving statistics included (what model.countParams() reports). */
  totalParams: number;
}

/** Counts a spec's size from its layout without allocating any tensor. */
export function modelSize(spec: ModelSpec): ModelSize {
  validateSpec(spec);
  const g = new CountGraph();
  ARCHITECTURES[spec.arch].layout(g, spec);
  return { macs: g.macs, trainableParams: g.trainableParams, totalParams: g.trainableParams + g.nonTrainableParams };
}

/** Forward multiply-adds per image, for time estimates. */
export function modelFlops(spec: ModelSpec): number {
  return modelSize(spec).macs;
}
