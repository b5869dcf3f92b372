// The contracts every layer shares: what the lab keeps between sessions, as plain structured-cloneable
// records, and the storage port the worker engine, the page and the runner use. Implemented above core:
// IndexedDB (platform/browser/db.ts) and memory (platform/memoryStorage.ts).
import type { ExperimentConfig, StageName, SynthDatasetConfig } from './config/config';
import type { Split, Task } from './data/types';
import type { EpochRecord, GridRow, LossComponents } from './events';
import type { BudgetTable } from './budget/table';

/** Images per chunk record: small enough to write in one transaction, large enough to be few. */
export const CHUNK_IMAGES = 512;

export interface SplitSummary {
  count: number;
  chunks: number;
  /** Images per class, per classification task present. */
  classCounts: Partial<Record<'expression' | 'gender', number[]>>;
  /** Age in years, when present. */
  age: { min: number; max: number; mean: number } | null;
}

/** Where an imported dataset came from and what its import reported (shown in the Datasets panel). */
export interface ImportInfo {
  format: 'fer2013' | 'ferplus' | 'utkface' | 'folder';
  /** The files it was read from (names, sizes). */
  files: { name: string; bytes: number }[];
  /** The seed of the split drawn for images the source gives no split. */
  seed: number;
  /** Rejected rows/files (the first ones; `rejectedCount` has them all) and duplicate images. */
  rejected: { where: string; reason: string }[];
  rejectedCount: number;
  duplicates: { count: number; examples: [string, string][] };
  /** Race labels per UTKFace image are kept with the chunks; this names them. */
  /** `labels`: what generic labels are (a FER-layout CSV whose labels are not FER2013's emotions). */
  metadata: { race?: string[]; labels?: string };
  ms: number;
}

export interface DatasetMeta {
  id: string;
  name: string;
  source: 'synth' | 'import';
  /** The generator settings it was made from (synthetic datasets). */
  synth: SynthDatasetConfig | null;
  /** Import details (imported datasets). */
  imported?: ImportInfo | null;
  height: number;
  width: number;
  channels: 1 | 3;
  tasks: Task[];
  classNames: { expression?: string[]; gender?: string[] };
  splits: Record<Split, SplitSummary>;
  /** Bytes of pixels and labels stored. */
  bytes: number;
  createdAt: number;
  /** False while its chunks are being written: an incomplete dataset is regenerated. */
  complete: boolean;
}

/** CHUNK_IMAGES images of one split, flat like ImageSet (pixels [count, h, w, c] bytes). */
export interface ChunkRecord {
  datasetId: string;
  split: Split;
  index: number;
  /** Index of its first image within the split. */
  start: number;
  count: number;
  pixels: Uint8Array;
  expression: Int32Array | null;
  gender: Int32Array | null;
  age: Float32Array | null;
  /** Imported datasets: UTKFace race per image (metadata, not trained on). */
  race?: Int32Array | null;
  /** Imported datasets: where each image came from (file name, or CSV name and line). */
  sources?: string[] | null;
}

export type RunStatus = 'running' | 'paused' | 'interrupted' | 'failed' | 'cancelled' | 'done';

/** One point of the loss chart: a training batch (decimated, see worker/series.ts). */
export interface LossPoint extends LossComponents {
  /** Global step over the whole run. */
  x: number;
  stage: StageName;
  epoch: number;
}

export interface RunRecord {
  id: string;
  name: string;
  config: ExperimentConfig;
  datasetId: string;
  createdAt: number;
  updatedAt: number;
  status: RunStatus;
  /** Why it stopped, in words (failed / interrupted / cancelled). */
  message: string | null;
  backend: string | null;
  /** How the backend runs (wasm: its build and thread count); absent in runs stored before it existed. */
  backendDetail?: string | null;
  skipped: { name: string; reason: string }[];
  stages: StageName[];
  history: EpochRecord[];
  rows: GridRow[];
  losses: LossPoint[];
  stageMs: Partial<Record<StageName, number>>;
  /** Where the last checkpoint is (null: none): the stage and epoch the run goes on from, and the
   *  global batch count at that point (the loss chart's x). */
  checkpoint: { stage: StageName; epoch: number; steps: number; savedAt: number } | null;
  /** Wall time spent training, over every session of the run. */
  elapsedMs: number;
  /** A budget sweep's table (core/budget/table.ts), filled in part by part; absent for other runs. */
  budgets?: BudgetTable | null;
}

/** A trained model in tfjs LayersModel format: model.json's parts plus the joined weight bytes. */
export interface ModelRecord {
  runId: string;
  stage: StageName;
  modelTopology: unknown;
  weightSpecs: unknown[];
  weightData: ArrayBuffer;
  format: string;
  generatedBy: string;
  savedAt: number;
}

/** A model brought into the lab from a file (its weights are in the models store under runId = id,
 *  stage 'teacher'). */
export interface ImportedModelMeta {
  id: string;
  name: string;
  importedAt: number;
  files: string[];
  /** [h, w, c] it takes, and its output units. */
  inputShape: [number, number, number];
  outputUnits: number;
  bytes: number;
  /** lab.json when the model was exported by the lab (labels, preprocessing, config, metrics). */
  info: unknown;
}

/** The curriculum's resume point, stored as the core hands it over (plain data + typed arrays). */
export interface CheckpointRecord {
  runId: string;
  savedAt: number;
  stage: StageName;
  epoch: number;
  checkpoint: unknown;
}

export interface LabStorage {
  listDatasets(): Promise<DatasetMeta[]>;
  getDataset(id: string): Promise<DatasetMeta | undefined>;
  /** Writes the chunks, then the metadata (complete) in one transaction. */
  putDataset(meta: DatasetMeta, chunks: ChunkRecord[]): Promise<void>;
  /** Streaming writes (imports): the metadata marked incomplete first, chunks in batches, then the
   *  final metadata. An import that stops calls deleteDataset, so no half dataset stays behind. */
  beginDataset(meta: DatasetMeta): Promise<void>;
  putChunks(chunks: ChunkRecord[]): Promise<void>;
  finishDataset(meta: DatasetMeta): Promise<void>;
  getChunks(datasetId: string, split: Split): Promise<ChunkRecord[]>;
  /** The first chunk of a split (for previews). */
  getChunk(datasetId: string, split: Split, index: number): Promise<ChunkRecord | undefined>;
  deleteDataset(id: string): Promise<void>;

  listRuns(): Promise<RunRecord[]>;
  getRun(id: string): Promise<RunRecord | undefined>;
  putRun(run: RunRecord): Promise<void>;
  /** The run record and its checkpoint together, so a crash never leaves one without the other. */
  putRunAndCheckpoint(run: RunRecord, cp: CheckpointRecord): Promise<void>;
  deleteRun(id: string): Promise<void>;

  getCheckpoint(runId: string): Promise<CheckpointRecord | undefined>;
  deleteCheckpoint(runId: string): Promise<void>;

  putModel(m: ModelRecord): Promise<void>;
  getModel(runId: string, stage: StageName): Promise<ModelRecord | undefined>;
  listModels(runId: string): Promise<StageName[]>;

  /** Imported models: the metadata and the weights in one transaction. */
  putImportedModel(meta: ImportedModelMeta, rec: ModelRecord): Promise<void>;
  listImportedModels(): Promise<ImportedModelMeta[]>;
  deleteImportedModel(id: string): Promise<void>;
}

/** Bytes of a chunk's arrays. */
export function chunkBytes(c: ChunkRecord): number {
  return (
    c.pixels.byteLength +
    (c.expression?.byteLength ?? 0) +
    (c.gender?.byteLength ?? 0) +
    (c.age?.byteLength ?? 0) +
    (c.race?.byteLength ?? 0)
  );
}

/** A file's name and bytes (model files handed to the worker, entries of a zip). */
export interface NamedBytes {
  name: string;
  bytes: Uint8Array;
}
