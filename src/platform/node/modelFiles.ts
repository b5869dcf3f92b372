// Node-side model files: tfjs LayersModel format (model.json + model.weights.bin) written and read
// with plain fs, since tfjs's file:// handler needs tfjs-node, which cannot be installed here.
import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { modelJsonDoc, WEIGHTS_FILE } from '../models/bundle';

export { WEIGHTS_FILE };

/** The model.json document of tfjs's LayersModel format (shared with the lab's zip export). */
export const modelJson = modelJsonDoc;

/** Saves `model` into `dir` (created if needed); returns the bytes written. */
export async function saveModelToDir(model: tf.LayersModel, dir: string, metadata?: NonNullable<tf.io.ModelArtifacts['userDefinedMetadata']>): Promise<number> {
  await mkdir(dir, { recursive: true });
  let bytes = 0;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0)));
    const json = JSON.stringify(modelJson({ ...artifacts, ...(metadata ? { userDefinedMetadata: metadata } : {}) }));
    await writeFile(join(dir, 'model.json'), json);
    await writeFile(join(dir, WEIGHTS_FILE), weights);
    bytes = json.length + weights.byteLength;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength } };
  }));
  return bytes;
}

/** An IOHandler that reads model.json and its weight files from `dir`, for tf.loadLayersModel. */
export function dirHandler(dir: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
      const manifest = json.weightsManifest as { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
      const buffers: ArrayBuffer[] = [];
      const specs: tf.io.WeightsManifestEntry[] = [];
      for (const group of manifest) {
        for (const p of group.paths) {
          const b = await readFile(join(dir, p));
          buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
        }
        specs.push(...group.weights);
      }
      return {
        modelTopology: json.modelTopology,
        weightSpecs: specs,
        weightData: tf.io.CompositeArrayBuffer.join(buffers),
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        userDefinedMetadata: json.userDefinedMetadata,
      };
    },
  };
}
