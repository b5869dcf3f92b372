// Grad-CAM sheets and model exports for stored runs, in the worker: which test images to show (by class,
// right / wrong, largest teacher-student disagreement), every stored model's map on the input it was
// trained to see, and a run's model as the exported .zip. Every tensor made here is disposed here.
import * as tf from '@tensorflow/tfjs';
import { STAGE_LABEL, type StageName } from '../core/config/config';
import { AGE_OFFSET, AGE_SCALE, fillImages, labelsOf, taskHead } from '../core/data/batching';
import type { ImageSet, Visibility } from '../core/data/types';
import { gradCam } from '../core/explain/gradcam';
import type { ImportedModelMeta, LabStorage, ModelRecord } from '../core/records';
import { inflateRaw } from '../platform/browser/importBrowser';
import { labInfo, loadChecked, readModelFiles, stageVisibility, zipModel } from '../platform/models/bundle';
import { modelSpecFor } from '../core/distill/context';
import type { NamedBytes } from '../core/records';
import { loadSplit } from '../platform/datasets';
import { pickImages, type CamRequest, type CamSheet } from '../core/explain/sheet';

/** A stored model, built (the caller disposes it). */
export async function loadStoredModel(rec: ModelRecord): Promise<tf.LayersModel> {
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: rec.modelTopology as tf.io.ModelArtifacts['modelTopology'],
      weightSpecs: rec.weightSpecs as tf.io.WeightsManifestEntry[],
      weightData: rec.weightData,
    }),
  );
}

/** The stored test split of a run's dataset. */
export async function loadTestSplit(storage: LabStorage, datasetId: string): Promise<ImageSet> {
  const meta = await storage.getDataset(datasetId);
  if (!meta?.complete)
    throw new Error(`The run's dataset "${datasetId}" is no longer stored: create or import it again to see its maps.`);
  return loadSplit(storage, meta, 'test');
}

/** Grad-CAM of every stored model of a run on the chosen test images: teacher on the full and on the
 *  occluded face, then each student on the occluded face. */
export async function camSheet(storage: LabStorage, req: CamRequest): Promise<CamSheet> {
  const t0 = Date.now();
  const run = await storage.getRun(req.runId);
  if (!run) throw new Error(`There is no stored run "${req.runId}".`);
  const cfg = run.config;
  const test = await loadTestSplit(storage, run.datasetId);
  const head = taskHead(cfg.task, test);
  const truthArr = labelsOf(test, cfg.task);
  const indices = pickImages(run, truthArr, req.pick, Math.max(1, Math.min(32, req.count)));
  const stored = new Set(await storage.listModels(run.id));
  const scen = cfg.scenario;
  const panels: CamSheet['panels'] = [];
  if (stored.has('teacher'))
    panels.push(
      { model: 'teacher', label: `${STAGE_LABEL.teacher} ○`, visibility: 'full' },
      { model: 'teacher', label: `${STAGE_LABEL.teacher} on ${scen}`, visibility: scen },
    );
  for (const s of ['student', 'standard', 'triplet'] as StageName[])
    if (stored.has(s)) panels.push({ model: s, label: STAGE_LABEL[s], visibility: scen });
  const { height, width, channels } = test;
  const n = indices.length;
  const hw = height * width;
  const maps = new Float32Array(n * panels.length * hw);
  const predicted = new Array<number>(n * panels.length).fill(0);
  const explained = new Array<number>(n * panels.length).fill(-1);
  const truth = indices.map((i) => truthArr[i]);
  const input = new Float32Array(n * hw * channels);
  const loaded = new Map<StageName, tf.LayersModel>();
  try {
    for (const [p, panel] of panels.entries()) {
      if (n === 0) break;
      let model = loaded.get(panel.model);
      if (!model) {
        model = await loadStoredModel((await storage.getModel(run.id, panel.model))!);
        loaded.set(panel.model, model);
      }
      fillImages(test, indices, panel.visibility, input);
      const x = tf.tensor4d(input, [n, height, width, channels]);
      try {
        const target =
          head.kind === 'regression'
            ? { kind: 'regression' as const }
            : {
                kind: 'class' as const,
                classes:
                  req.target === 'predicted'
                    ? null
                    : req.target === 'true'
                      ? truth
                      : indices.map(() => req.target as number),
              };
        const cam = await gradCam(model, x, target);
        let preds: number[];
        if (head.kind === 'regression') preds = cam.scores.map((s) => s * AGE_SCALE + AGE_OFFSET);
        else {
          const out = tf.tidy(() => (model!.predict(x) as tf.Tensor).argMax(1));
          preds = Array.from(await out.data());
          out.dispose();
        }
        for (let i = 0; i < n; i++) {
          maps.set(cam.maps.subarray(i * hw, (i + 1) * hw), (i * panels.length + p) * hw);
          predicted[i * panels.length + p] = preds[i];
          explained[i * panels.length + p] = cam.targets[i];
        }
      } finally {
        x.dispose();
      }
    }
  } finally {
    for (const m of loaded.values()) m.dispose();
  }
  const imgLen = hw * channels;
  const pixels = new Uint8Array(n * imgLen);
  indices.forEach((idx, i) => pixels.set(test.pixels.subarray(idx * imgLen, (idx + 1) * imgLen), i * imgLen));
  return {
    runId: run.id,
    task: cfg.task,
    classNames: head.classNames,
    height,
    width,
    channels,
    count: n,
    indices,
    truth,
    pixels,
    panels,
    maps,
    predicted,
    explained,
    ms: Date.now() - t0,
  };
}

export type ExportFormat = 'zip' | 'onnx';

/**
 * A run's model as the exported .zip (tfjs files, model.onnx, lab.json) or as the .onnx file alone, and
 * the file name to save it under. A .zip whose ONNX file cannot be written still holds the tfjs model, and
 * its README.txt says why; the .onnx export throws that reason instead.
 */
export async function exportRunModel(
  storage: LabStorage,
  runId: string,
  stage: StageName,
  format: ExportFormat = 'zip',
): Promise<{ name: string; bytes: Uint8Array }> {
  const run = await storage.getRun(runId);
  const rec = await storage.getModel(runId, stage);
  if (!run || !rec) throw new Error(`The ${stage} model of run "${runId}" is not stored.`);
  const meta = await storage.getDataset(run.datasetId);
  const cfg = run.config;
  const ds = cfg.dataset;
  const dims = meta ?? (ds.source === 'synth' || ds.source === 'file' ? ds : null);
  if (!dims) throw new Error(`The run's dataset "${run.datasetId}" is no longer stored, so its image size is unknown.`);
  const classNames =
    cfg.task === 'age'
      ? []
      : cfg.task === 'expression'
        ? (meta?.classNames.expression ?? [])
        : (meta?.classNames.gender ?? ['male', 'female']);
  const visibility: Visibility = stageVisibility(stage, cfg.scenario);
  const info = labInfo({
    name: `${run.name}: ${STAGE_LABEL[stage]}`,
    stage,
    config: cfg,
    classNames,
    visibility,
    rows: run.rows,
    height: dims.height,
    width: dims.width,
    channels: dims.channels,
  });
  // The spec the run built its models from (only the image size and the class names of the set matter).
  const spec = modelSpecFor(cfg, {
    height: dims.height,
    width: dims.width,
    channels: dims.channels,
    count: 0,
    pixels: new Uint8Array(0),
    expression: null,
    gender: null,
    age: null,
    classNames: meta?.classNames ?? {},
  });
  const safe = `${run.name}-${stage}`
    .replace(/[^\w.-]+/g, '_')
    .replace(/_+/g, '_')
    .slice(0, 80);
  // Loaded on the first export only (onnx-proto's schema code is a chunk of its own in the built lab).
  const { onnxModel } = await import('../platform/models/onnxFile');
  if (format === 'onnx') return { name: `${safe}.onnx`, bytes: onnxModel(rec, info, spec) };
  let onnx: Uint8Array | Error;
  try {
    onnx = onnxModel(rec, info, spec);
  } catch (e) {
    onnx = e instanceof Error ? e : new Error(String(e));
  }
  return { name: `${safe}.zip`, bytes: zipModel(rec, info, onnx) };
}

/** A model from files (the lab's .zip, or model.json + weights), checked, built once, then stored. */
export async function importModelFiles(storage: LabStorage, files: (File | NamedBytes)[]): Promise<ImportedModelMeta> {
  const named: NamedBytes[] = [];
  for (const f of files) {
    named.push(
      typeof Blob !== 'undefined' && f instanceof Blob
        ? { name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) }
        : (f as NamedBytes),
    );
  }
  const read = await readModelFiles(named, inflateRaw);
  const model = await loadChecked(read);
  try {
    const input = model.inputs[0].shape.slice(1) as [number, number, number];
    const units = model.outputs[0].shape[1] as number;
    const id = `model-${Date.now().toString(36)}-${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
    const jsonName = named.find((f) => /\.json$/i.test(f.name))?.name ?? named[0].name;
    const info = read.info;
    const meta: ImportedModelMeta = {
      id,
      name: info?.name ?? jsonName.replace(/\.(zip|json)$/i, ''),
      importedAt: Date.now(),
      files: named.map((f) => f.name),
      inputShape: input,
      outputUnits: units,
      bytes: read.bytes,
      info,
    };
    const rec: ModelRecord = {
      runId: id,
      stage: 'teacher',
      modelTopology: read.artifacts.modelTopology,
      weightSpecs: read.artifacts.weightSpecs ?? [],
      weightData: read.artifacts.weightData as ArrayBuffer,
      format: read.artifacts.format ?? 'layers-model',
      generatedBy: read.artifacts.generatedBy ?? 'unknown',
      savedAt: Date.now(),
    };
    await storage.putImportedModel(meta, rec);
    return meta;
  } finally {
    model.dispose();
  }
}

/** Saves a trained model as tfjs LayersModel artifacts (model.json parts + joined weights). */
export async function modelRecord(model: tf.LayersModel, runId: string, stage: StageName): Promise<ModelRecord> {
  let rec: ModelRecord | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      rec = {
        runId,
        stage,
        modelTopology: a.modelTopology,
        weightSpecs: a.weightSpecs ?? [],
        weightData: tf.io.CompositeArrayBuffer.join(a.weightData ?? new ArrayBuffer(0)),
        format: a.format ?? 'layers-model',
        generatedBy: a.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        savedAt: Date.now(),
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return rec!;
}
