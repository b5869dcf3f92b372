// Helpers for the ONNX export tests: a model's saved tfjs artifacts, randomised weights, the tfjs outputs an
// ONNX file stands for, and ONNX Runtime (onnxruntime-node) running a file.
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import type { OnnxHead, SavedModelParts } from '../../src/core/export/onnx';
import { withEmbedding } from '../../src/core/models';

/** The saved tfjs artifacts of a model, as the lab stores them (topology + one weight buffer). */
export async function savedParts(m: tf.LayersModel): Promise<SavedModelParts> {
  let parts: SavedModelParts | null = null;
  await m.save(
    tf.io.withSaveHandler(async (a) => {
      parts = {
        modelTopology: a.modelTopology,
        weightSpecs: a.weightSpecs ?? [],
        weightData: tf.io.CompositeArrayBuffer.join(a.weightData ?? new ArrayBuffer(0)),
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return parts!;
}

/**
 * Replaces every weight with seeded random values, as a trained model has them: kernels keep their scale,
 * biases and BatchNorm's γ, β move away from their neutral starting values, and each BatchNorm's moving
 * statistics are those of its input on `x` (the layers before it already randomised), nudged per channel.
 * Conditioning matters: a deep BatchNorm net with every γ near 1 (ResNet-50 at initialisation) amplifies
 * float32 rounding through its 16 blocks, so that tfjs's own cpu and wasm backends differ by up to ~1e-3
 * there; trained residual branches are small (γ of each block's last BatchNorm 0.1-0.3 here).
 * @param x [b, h, w, c] calibration images
 */
export function randomiseWeights(m: tf.LayersModel, seed: number, x: tf.Tensor): void {
  let s = seed;
  for (const layer of m.layers) {
    if (!layer.weights.length) continue;
    const values = tf.tidy(() => {
      let moments: { mean: tf.Tensor; variance: tf.Tensor } | null = null;
      if (layer.getClassName() === 'BatchNormalization') {
        const upTo = tf.model({ inputs: m.inputs, outputs: layer.input as tf.SymbolicTensor });
        moments = tf.moments(upTo.predict(x) as tf.Tensor, [0, 1, 2]);
      }
      return layer.weights.map((w) => {
        const name = w.originalName.split('/').pop()!;
        const r = (lo: number, hi: number) => tf.randomUniform(w.shape as number[], lo, hi, 'float32', ++s);
        if (name === 'kernel') return w.read().mul(r(0.5, 1.5));
        // ResNet's residual branches end small, as training (and zero-init-residual) leaves them.
        if (name === 'gamma') return /_conv3_bn$/.test(layer.name) ? r(0.1, 0.3) : r(0.5, 1.5);
        if (name === 'moving_mean' && moments) return moments.mean.add(moments.variance.sqrt().mul(r(-0.2, 0.2)));
        if (name === 'moving_variance' && moments) return moments.variance.mul(r(0.8, 1.25)).add(1e-3);
        return r(-0.3, 0.3); // bias, beta
      });
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
}

/** [probabilities or age, embedding] of a tfjs model as the ONNX file defines them. */
export function tfjsOutputs(m: tf.LayersModel, x: tf.Tensor, head: OnnxHead): [Float32Array, Float32Array] {
  return tf.tidy(() => {
    const [emb, logits] = withEmbedding(m).predict(x) as tf.Tensor[];
    const out = head.kind === 'classification' ? tf.softmax(logits) : logits.mul(head.scale).add(head.offset);
    return [out.dataSync() as Float32Array, emb.dataSync() as Float32Array];
  });
}

/** Runs an ONNX file on `x` ([b, h, w, c]) in ONNX Runtime; its two outputs by name. */
export async function ortOutputs(
  bytes: Uint8Array,
  x: Float32Array,
  shape: number[],
): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const res = await session.run({ input: new ort.Tensor('float32', x, shape) });
    const out: Record<string, { data: Float32Array; dims: readonly number[] }> = {};
    for (const [k, t] of Object.entries(res)) out[k] = { data: t.data as Float32Array, dims: t.dims };
    return out;
  } finally {
    await session.release();
  }
}
