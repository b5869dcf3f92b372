// Node-side model files: tfjs LayersModel format (model.json + model.weights.bin) written and read
// with plain fs, since tfjs's file:// handler needs tfjs-node, which cannot be installed here.
import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelSpec } from '../../core/models/spec';
import { modelJsonDoc, ONNX_FILE, WEIGHTS_FILE, type LabModelInfo } from '../models/bundle';
import { onnxModel } from '../models/onnxFile';

/** The model.json document of tfjs's LayersModel format (shared with the lab's zip export). */
export const modelJson = modelJsonDoc;

/** What model.onnx needs beside the weights: the spec the model was built from and its lab.json. */
export interface OnnxFileInfo {
  spec: ModelSpec;
  info: LabModelInfo;
  /** Told why model.onnx could not be written (the tfjs files are written anyway); without it, that throws. */
  onError?: (e: Error) => void;
}

/**
 * Saves `model` into `dir` (created if needed): model.json + model.weights.bin, and model.onnx when
 * `onnx` is given (from the same saved weights). Returns the bytes written.
 */
export async function saveModelToDir(
  model: tf.LayersModel,
  dir: string,
  metadata?: NonNullable<tf.io.ModelArtifacts['userDefinedMetadata']>,
  onnx?: OnnxFileInfo,
): Promise<number> {
  await mkdir(dir, { recursive: true });
  let bytes = 0;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const joined = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0));
      const weights = new Uint8Array(joined);
      const json = JSON.stringify(modelJson({ ...artifacts, ...(metadata ? { userDefinedMetadata: metadata } : {}) }));
      await writeFile(join(dir, 'model.json'), json);
      await writeFile(join(dir, WEIGHTS_FILE), weights);
      bytes = json.length + weights.byteLength;
      if (onnx) {
        let file: Uint8Array;
        try {
          file = onnxModel(
            { modelTopology: artifacts.modelTopology, weightSpecs: artifacts.weightSpecs ?? [], weightData: joined },
            onnx.info,
            onnx.spec,
          );
        } catch (e) {
          if (!onnx.onError) throw e;
          onnx.onError(e as Error);
          return {
            modelArtifactsInfo: {
              dateSaved: new Date(),
              modelTopologyType: 'JSON',
              weightDataBytes: weights.byteLength,
            },
          };
        }
        await writeFile(join(dir, ONNX_FILE), file);
        bytes += file.byteLength;
      }
      return {
        modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength },
      };
    }),
  );
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
