// Grad-CAM (Selvaraju et al. 2017; docs/method.md#grad-cam): w_k = mean over (h, w) of ∂y/∂A_k at the last conv map A,
// map = ReLU(Σ_k w_k A_k), normalised to [0, 1] and resized to the input. The gradient is taken by
// re-running the model's own layer graph with A replaced by the differentiated tensor, so it holds for
// any topology (ResNet's skip connections included), not only for a chain of layers after the conv.
import * as tf from '@tensorflow/tfjs';
import { LAST_CONV_LAYER } from '../models/spec';

/** What the map explains: a class score (a logit; the predicted class when null) or a regression output. */
export type CamTarget = { kind: 'class'; classes: (number | null)[] | null } | { kind: 'regression' };

export interface GradCamResult {
  /** [n, height, width] maps in [0, 1] at the input size. */
  maps: Float32Array;
  height: number;
  width: number;
  /** [n, h, w] maps at the conv map's own size, before resizing. */
  coarse: Float32Array;
  coarseHeight: number;
  coarseWidth: number;
  /** The class each map explains (regression: -1). */
  targets: number[];
  /** The model's output for each image: the target's logit, or the predicted value. */
  scores: number[];
}

type SymbolicLike = { id: number };
type NodeLike = { inputTensors: SymbolicLike[]; outputTensors: SymbolicLike[] };
type LayerLike = tf.layers.Layer & { inboundNodes: NodeLike[] };

/**
 * The model's output for `x` [n, h, w, c], computed layer by layer over its graph; when `conv` is given
 * it stands in for the output of the layer named `convLayer`. Returns the output and the conv map.
 */
export function forwardWithConv(
  model: tf.LayersModel,
  x: tf.Tensor,
  conv: tf.Tensor | null,
  convLayer = LAST_CONV_LAYER,
): { output: tf.Tensor; conv: tf.Tensor } {
  const values = new Map<number, tf.Tensor>();
  const input = model.inputs[0] as unknown as SymbolicLike;
  values.set(input.id, x);
  let convOut: tf.Tensor | null = null;
  for (const layer of model.layers as LayerLike[]) {
    if (layer.getClassName() === 'InputLayer') continue;
    if (layer.inboundNodes.length !== 1)
      throw new Error(
        `Grad-CAM: layer ${layer.name} is used ${layer.inboundNodes.length} times; shared layers are not supported`,
      );
    const node = layer.inboundNodes[0];
    const ins = node.inputTensors.map((t) => {
      const v = values.get(t.id);
      if (!v) throw new Error(`Grad-CAM: the input of layer ${layer.name} was not computed (graph out of order)`);
      return v;
    });
    let out = layer.apply(ins.length === 1 ? ins[0] : ins, { training: false }) as tf.Tensor | tf.Tensor[];
    if (layer.name === convLayer) {
      convOut = out as tf.Tensor;
      if (conv) out = conv;
    }
    const outs = Array.isArray(out) ? out : [out];
    node.outputTensors.forEach((t, i) => values.set(t.id, outs[i]));
  }
  if (!convOut) throw new Error(`Grad-CAM: the model has no layer named "${convLayer}"`);
  const output = values.get((model.outputs[0] as unknown as SymbolicLike).id);
  if (!output) throw new Error('Grad-CAM: the model output was not computed');
  return { output, conv: conv ?? convOut };
}

/** The score each image's map explains: [n] from the model output [n, units]. */
function targetScores(output: tf.Tensor, targets: tf.Tensor1D | null): tf.Tensor1D {
  const out2 = output.reshape([output.shape[0], -1]) as tf.Tensor2D;
  if (!targets) return out2.slice([0, 0], [-1, 1]).reshape([-1]);
  return out2.mul(tf.oneHot(targets, out2.shape[1])).sum(1);
}

/** Grad-CAM maps for a batch `x` [n, h, w, c] (already occluded as the model should see it). Leaves no
 *  tensor behind; reads results back asynchronously (WebGPU has no cheap synchronous read). */
export async function gradCam(model: tf.LayersModel, x: tf.Tensor4D, target: CamTarget): Promise<GradCamResult> {
  const [n, height, width] = x.shape;
  let targets: number[];
  if (target.kind === 'regression') targets = new Array<number>(n).fill(-1);
  else {
    const wanted = target.classes;
    let predicted: ArrayLike<number> = [];
    if (!wanted || wanted.some((c) => c === null)) {
      const p = tf.tidy(() => forwardWithConv(model, x, null).output.reshape([n, -1]).argMax(1));
      predicted = await p.data();
      p.dispose();
    }
    targets = Array.from({ length: n }, (_, i) => wanted?.[i] ?? predicted[i]);
  }
  const { up, norm, scores } = tf.tidy(() => {
    const a = forwardWithConv(model, x, null).conv as tf.Tensor4D;
    const t = target.kind === 'class' ? tf.tensor1d(targets, 'int32') : null;
    const scoreOf = (conv: tf.Tensor) => targetScores(forwardWithConv(model, x, conv).output, t);
    // The sum over images: image i's score depends on its own map only, so each gradient stays per image.
    const grads = tf.grad((conv: tf.Tensor) => scoreOf(conv).sum())(a) as tf.Tensor4D;
    const weights = grads.mean([1, 2], true); // [n, 1, 1, k]
    const cam = a.mul(weights).sum(3).relu() as tf.Tensor3D; // [n, h, w]
    const max = cam.max([1, 2], true);
    const normed = cam.div(tf.where(max.greater(0), max, tf.onesLike(max))) as tf.Tensor3D;
    const resized = tf.image
      .resizeBilinear(normed.expandDims(3) as tf.Tensor4D, [height, width])
      .squeeze([3])
      .clipByValue(0, 1);
    return { up: resized, norm: normed, scores: scoreOf(a) };
  });
  try {
    const [maps, coarse, sc] = await Promise.all([up.data(), norm.data(), scores.data()]);
    return {
      maps: maps as Float32Array,
      height,
      width,
      coarse: coarse as Float32Array,
      coarseHeight: norm.shape[1],
      coarseWidth: norm.shape[2],
      targets,
      scores: Array.from(sc),
    };
  } finally {
    tf.dispose([up, norm, scores]);
  }
}
