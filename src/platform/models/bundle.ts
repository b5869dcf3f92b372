// Trained models leaving and entering the lab: one .zip holding the standard tfjs LayersModel files
// (model.json + model.weights.bin, loadable by plain tf.loadLayersModel), model.onnx (the same model for
// ONNX Runtime, PyTorch, C++, mobile: written by onnxFile.ts) and lab.json (labels, preprocessing,
// occlusion, config, metrics); and the checks an imported model passes before use.
// No DOM or Node imports: the worker, the page and the runner share it.
import * as tf from '@tensorflow/tfjs';
import type { ExperimentConfig, StageName } from '../../core/config/config';
import { readZipDirectory, readZipEntry, type Inflate, type RandomAccess } from '../../core/data/formats/zip';
import { writeZip } from '../../core/data/formats/zipWrite';
import { AGE_OFFSET, AGE_SCALE } from '../../core/data/batching';
import { ONNX_AGE, ONNX_EMBEDDING, ONNX_INPUT, ONNX_OPSET, ONNX_PROBABILITIES } from '../../core/export/onnxGraph';
import pkg from '../../../package.json';
import { otherHalf, splitRow } from '../../core/data/occlusion';
import type { Task, Visibility } from '../../core/data/types';
import type { GridRow } from '../../core/events';
import type { NamedBytes } from '../../core/records';

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'model.weights.bin';
export const LAB_FILE = 'lab.json';
export const ONNX_FILE = 'model.onnx';
/** The lab's own version (package.json), written into exported files. */
export const LAB_VERSION: string = pkg.version;
export const LAB_MODEL_FORMAT = 'occlusion-distillation-lab/model';
/** Imports larger than this are refused before anything is parsed. */
export const MAX_MODEL_JSON_BYTES = 32 * 1024 * 1024;
export const MAX_WEIGHT_BYTES = 1024 * 1024 * 1024;

/** What a model needs to be used outside the lab: what it predicts and how its input is made. */
export interface LabModelInfo {
  format: typeof LAB_MODEL_FORMAT;
  version: 1;
  name: string;
  stage: StageName | null;
  task: Task;
  /** The half of the face the model was trained to see (the teacher: full). */
  visibility: Visibility;
  /** Output index -> label (classification); empty for regression. */
  classNames: string[];
  output: { kind: 'classification'; logits: true } | { kind: 'regression'; unit: 'years'; years: string };
  preprocessing: {
    height: number;
    width: number;
    channels: 1 | 3;
    /** Input = pixel bytes × scale, row-major [1, height, width, channels]. */
    scale: number;
    /** Rows set to 0 before the model sees the image: [from, to) (none for the full face). */
    hiddenRows: [number, number] | null;
  };
  config: ExperimentConfig | null;
  /** The run's test results for this model (without per-image predictions). */
  metrics: Omit<GridRow, 'predictions'>[];
  exportedAt: string;
  tfjs: string;
}

/** The saved parts of a model (what the lab keeps in IndexedDB). */
export interface ModelParts {
  modelTopology: unknown;
  weightSpecs: unknown[];
  weightData: ArrayBuffer;
  format?: string;
  generatedBy?: string;
}

/** The model.json document of tfjs's LayersModel format. */
export function modelJsonDoc(
  a: {
    modelTopology?: unknown;
    weightSpecs?: unknown[];
    format?: string;
    generatedBy?: string;
    convertedBy?: string | null;
    trainingConfig?: unknown;
    userDefinedMetadata?: unknown;
  },
  weightsPath = `./${WEIGHTS_FILE}`,
): Record<string, unknown> {
  return {
    format: a.format ?? 'layers-model',
    generatedBy: a.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: a.convertedBy ?? null,
    modelTopology: a.modelTopology,
    ...(a.trainingConfig ? { trainingConfig: a.trainingConfig } : {}),
    ...(a.userDefinedMetadata ? { userDefinedMetadata: a.userDefinedMetadata } : {}),
    weightsManifest: [{ paths: [weightsPath], weights: a.weightSpecs ?? [] }],
  };
}

/** lab.json for a model trained in a run. */
export function labInfo(o: {
  name: string;
  stage: StageName | null;
  config: ExperimentConfig;
  classNames: string[];
  visibility: Visibility;
  rows: GridRow[];
  height: number;
  width: number;
  channels: 1 | 3;
}): LabModelInfo {
  const task = o.config.task;
  const h = o.height;
  return {
    format: LAB_MODEL_FORMAT,
    version: 1,
    name: o.name,
    stage: o.stage,
    task,
    visibility: o.visibility,
    classNames: task === 'age' ? [] : o.classNames,
    output:
      task === 'age'
        ? { kind: 'regression', unit: 'years', years: `output × ${AGE_SCALE} + ${AGE_OFFSET}` }
        : { kind: 'classification', logits: true },
    preprocessing: {
      height: h,
      width: o.width,
      channels: o.channels,
      scale: 1 / 255,
      hiddenRows: o.visibility === 'full' ? null : o.visibility === 'lower' ? [0, splitRow(h)] : [splitRow(h), h],
    },
    config: o.config,
    metrics: o.rows.filter((r) => r.model === o.stage).map(({ predictions: _p, ...r }) => r),
    exportedAt: new Date().toISOString(),
    tfjs: tf.version.tfjs,
  };
}

/** The half of the face a run's model sees: the teacher the full face, the other-half student the other half. */
export function stageVisibility(stage: StageName, scenario: Exclude<Visibility, 'full'>): Visibility {
  return stage === 'teacher' ? 'full' : stage === 'studentOther' ? otherHalf(scenario) : scenario;
}

/** The model's input in words (README.txt, the ONNX metadata). */
export const inputText = (i: LabModelInfo) =>
  `[batch, ${i.preprocessing.height}, ${i.preprocessing.width}, ${i.preprocessing.channels}] float32 (NHWC), pixel bytes × 1/255${i.preprocessing.channels === 1 ? ' (grey)' : ' (RGB)'}${i.preprocessing.hiddenRows ? `, with rows ${i.preprocessing.hiddenRows[0]} to ${i.preprocessing.hiddenRows[1] - 1} set to 0 (only the ${i.visibility} half visible)` : ', the full face'}`;

const README = (i: LabModelInfo, onnx: Uint8Array | Error | undefined) => `${i.name}
Exported by the Occlusion Distillation Lab (${i.exportedAt}).

Load it with plain TensorFlow.js:
  const model = await tf.loadLayersModel('<url of this folder>/model.json');          // browser
  const model = await tf.loadLayersModel(tf.io.browserFiles([jsonFile, weightsFile])); // files picked by a user

Input: ${inputText(i)}.
Output: ${i.output.kind === 'regression' ? `age = ${i.output.years} years` : `logits over ${i.classNames.join(', ')}`}.
lab.json has the labels, the preprocessing, the experiment config and the test metrics.
${
  onnx instanceof Error
    ? `
model.onnx could not be written: ${onnx.message}
`
    : onnx
      ? `
model.onnx is the same model for ONNX Runtime (opset ${ONNX_OPSET}), e.g. in Python:
  import onnxruntime as ort
  session = ort.InferenceSession('model.onnx')
  ${i.output.kind === 'regression' ? 'age' : 'probabilities'}, embedding = session.run(None, {'${ONNX_INPUT}': x})  # x: ${inputText(i)}
Outputs: ${i.output.kind === 'regression' ? `${ONNX_AGE} in years [batch, 1]` : `${ONNX_PROBABILITIES} over ${i.classNames.join(', ')} [batch, ${i.classNames.length}]`}, ${ONNX_EMBEDDING} [batch, size].
Its metadata (labels, preprocessing, occlusion_scenario, config, lab_version, ...) is in the file's metadata_props.
`
      : ''
}`;

/**
 * The export: model.json, model.weights.bin, model.onnx, lab.json and README.txt in one .zip.
 * @param onnx the model.onnx bytes, or why it could not be written (README.txt says so), or none.
 */
export function zipModel(parts: ModelParts, info: LabModelInfo, onnx?: Uint8Array | Error): Uint8Array {
  const enc = new TextEncoder();
  return writeZip([
    { name: MODEL_FILE, data: enc.encode(JSON.stringify(modelJsonDoc(parts))) },
    { name: WEIGHTS_FILE, data: new Uint8Array(parts.weightData) },
    ...(onnx instanceof Uint8Array ? [{ name: ONNX_FILE, data: onnx }] : []),
    { name: LAB_FILE, data: enc.encode(JSON.stringify(info, null, 1)) },
    { name: 'README.txt', data: enc.encode(README(info, onnx)) },
  ]);
}

/** Why an imported model cannot be used, in words for the user. */
export class ModelImportError extends Error {
  override name = 'ModelImportError';
}

const DTYPE_BYTES: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  float16: 2,
  complex64: 8,
};

type Spec = { name?: unknown; shape?: unknown; dtype?: unknown; quantization?: { dtype?: unknown } };

/** Bytes the manifest's weights take, or why the manifest is wrong. */
export function manifestBytes(specs: unknown[]): number {
  let total = 0;
  specs.forEach((raw, i) => {
    const s = raw as Spec;
    const name = typeof s?.name === 'string' ? s.name : `#${i + 1}`;
    if (!Array.isArray(s?.shape) || !s.shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
      throw new ModelImportError(`model.json: weight ${name} has no valid shape`);
    }
    const dtype = typeof s.quantization?.dtype === 'string' ? s.quantization.dtype : s.dtype;
    const per = typeof dtype === 'string' ? DTYPE_BYTES[dtype] : undefined;
    if (!per) throw new ModelImportError(`model.json: weight ${name} has an unknown dtype ${JSON.stringify(dtype)}`);
    total += (s.shape as number[]).reduce((a, b) => a * b, 1) * per;
  });
  return total;
}

function memAccess(b: Uint8Array): RandomAccess {
  return { size: b.length, read: async (o, l) => b.subarray(o, Math.min(b.length, o + l)) };
}

/** A .zip's files by base name (any folder inside is ignored). */
async function unzip(file: NamedBytes, inflateRaw: Inflate): Promise<NamedBytes[]> {
  let entries;
  try {
    entries = await readZipDirectory(memAccess(file.bytes));
  } catch (e) {
    throw new ModelImportError(`${file.name}: ${(e as Error).message}`);
  }
  const out: NamedBytes[] = [];
  for (const e of entries) {
    if (e.isDirectory || /(^|\/)(__MACOSX|\.)/.test(e.name)) continue;
    if (e.size > MAX_WEIGHT_BYTES)
      throw new ModelImportError(`${file.name}: ${e.name} is over ${MAX_WEIGHT_BYTES / 2 ** 20} MB`);
    try {
      out.push({ name: e.name.split('/').pop()!, bytes: await readZipEntry(memAccess(file.bytes), e, inflateRaw) });
    } catch (err) {
      throw new ModelImportError(`${file.name}: ${(err as Error).message}`);
    }
  }
  return out;
}

export interface ReadModel {
  artifacts: tf.io.ModelArtifacts;
  info: LabModelInfo | null;
  /** Weight bytes. */
  bytes: number;
}

/**
 * Reads a model from a .zip (the lab's export, or any zip of model.json + weights) or from the loose
 * files (model.json + its weight files, lab.json optional), checking everything that can be checked
 * without building it: sizes, JSON, format, manifest against the weight bytes.
 */
export async function readModelFiles(files: NamedBytes[], inflateRaw: Inflate): Promise<ReadModel> {
  if (files.length === 0)
    throw new ModelImportError('No file was given: choose the exported .zip, or model.json with its weights file.');
  let all: NamedBytes[] = [];
  for (const f of files) all.push(...(/\.zip$/i.test(f.name) ? await unzip(f, inflateRaw) : [f]));
  all = all.filter((f) => f.name !== 'README.txt');
  const jsonFile = all.find((f) => /\.json$/i.test(f.name) && f.name !== LAB_FILE);
  if (!jsonFile) throw new ModelImportError(`No model.json among ${all.map((f) => f.name).join(', ') || 'the files'}.`);
  if (jsonFile.bytes.length > MAX_MODEL_JSON_BYTES)
    throw new ModelImportError(`${jsonFile.name} is over ${MAX_MODEL_JSON_BYTES / 2 ** 20} MB: not a model.json.`);
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(new TextDecoder().decode(jsonFile.bytes)) as Record<string, unknown>;
  } catch (e) {
    throw new ModelImportError(`${jsonFile.name} is not valid JSON (${(e as Error).message}).`);
  }
  if (!doc || typeof doc !== 'object' || typeof doc.modelTopology !== 'object' || doc.modelTopology === null) {
    throw new ModelImportError(`${jsonFile.name} has no modelTopology: not a TensorFlow.js model.json.`);
  }
  if (doc.format === 'graph-model')
    throw new ModelImportError(
      `${jsonFile.name} is a graph model (converted from TensorFlow); the lab trains and explains Layers models only.`,
    );
  const manifest = doc.weightsManifest;
  if (
    !Array.isArray(manifest) ||
    manifest.some(
      (g) => !Array.isArray((g as { paths?: unknown }).paths) || !Array.isArray((g as { weights?: unknown }).weights),
    )
  ) {
    throw new ModelImportError(`${jsonFile.name}: weightsManifest must be a list of { paths, weights } groups.`);
  }
  const specs: unknown[] = [];
  const buffers: Uint8Array[] = [];
  for (const g of manifest as { paths: unknown[]; weights: unknown[] }[]) {
    specs.push(...g.weights);
    for (const p of g.paths) {
      const base = String(p).split('/').pop()!;
      const f = all.find((x) => x.name === base);
      if (!f)
        throw new ModelImportError(
          `${jsonFile.name} names the weights file ${base}, which was not given${files.some((x) => /\.zip$/i.test(x.name)) ? ' (not in the zip)' : ''}.`,
        );
      buffers.push(f.bytes);
    }
  }
  const expected = manifestBytes(specs);
  const have = buffers.reduce((n, b) => n + b.length, 0);
  if (have !== expected) {
    throw new ModelImportError(
      `The weights are ${have} bytes but ${jsonFile.name} describes ${expected}: ${have < expected ? 'truncated' : 'not the matching'} weights file.`,
    );
  }
  const weightData = new Uint8Array(have);
  let at = 0;
  for (const b of buffers) {
    weightData.set(b, at);
    at += b.length;
  }
  let info: LabModelInfo | null = null;
  const labFile = all.find((f) => f.name === LAB_FILE);
  if (labFile) {
    try {
      const l = JSON.parse(new TextDecoder().decode(labFile.bytes)) as LabModelInfo;
      if (l?.format === LAB_MODEL_FORMAT) info = l;
    } catch {
      throw new ModelImportError(`${LAB_FILE} is not valid JSON.`);
    }
  }
  return {
    artifacts: {
      modelTopology: doc.modelTopology as tf.io.ModelArtifacts['modelTopology'],
      weightSpecs: specs as tf.io.WeightsManifestEntry[],
      weightData: weightData.buffer,
      format: typeof doc.format === 'string' ? doc.format : undefined,
      generatedBy: typeof doc.generatedBy === 'string' ? doc.generatedBy : undefined,
    },
    info,
    bytes: have,
  };
}

export interface ModelExpectation {
  /** [h, w, c] the model must take. */
  inputShape?: [number, number, number];
  outputUnits?: number;
}

/** Builds the model (tfjs checks the topology and every weight's shape) and checks its input and output. */
export async function loadChecked(read: ReadModel, expect: ModelExpectation = {}): Promise<tf.LayersModel> {
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(tf.io.fromMemory(read.artifacts));
  } catch (e) {
    throw new ModelImportError(`The model could not be built: ${(e as Error).message}`);
  }
  const input = model.inputs[0]?.shape ?? [];
  const out = model.outputs[0]?.shape ?? [];
  const problems: string[] = [];
  if (model.inputs.length !== 1 || input.length !== 4)
    problems.push(`it takes ${JSON.stringify(model.inputs.map((i) => i.shape))}, not one image batch [n, h, w, c]`);
  else if (expect.inputShape && input.slice(1).some((d, i) => d !== expect.inputShape![i])) {
    problems.push(`it takes ${input.slice(1).join('x')} images; ${expect.inputShape.join('x')} are needed here`);
  }
  if (model.outputs.length !== 1 || out.length !== 2)
    problems.push(`its output is ${JSON.stringify(model.outputs.map((o) => o.shape))}, not [n, units]`);
  else if (expect.outputUnits !== undefined && out[1] !== expect.outputUnits)
    problems.push(`it has ${out[1]} outputs; ${expect.outputUnits} are needed here`);
  if (problems.length) {
    model.dispose();
    throw new ModelImportError(`This model does not fit: ${problems.join('; ')}.`);
  }
  return model;
}
