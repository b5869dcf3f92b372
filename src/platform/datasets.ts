// Datasets between the generator, storage and the curriculum: a synthetic config → chunk records and
// metadata (written once, then reused), and stored chunks → the in-memory ImageSets the curriculum takes.
// Runs in the worker (and in the main-thread fallback); the page only reads metadata and previews.

import type { SynthDatasetConfig } from '../core/config/config';
import { synthSplits } from '../core/data/synthSplits';
import { SPLITS, type ImageSet, type Split, type SplitImageSets, type Task } from '../core/data/types';
import { synthDatasetId } from '../core/data/datasetId';
import {
  CHUNK_IMAGES,
  chunkBytes,
  type ChunkRecord,
  type DatasetMeta,
  type LabStorage,
  type SplitSummary,
} from '../core/records';

export function synthDatasetName(ds: SynthDatasetConfig): string {
  return `Synthetic faces ${ds.height}×${ds.width}${ds.channels === 3 ? ' RGB' : ''}, seed ${ds.seed}`;
}

function classCounts(labels: Int32Array | null, classes: number): number[] | undefined {
  if (!labels) return undefined;
  const out = new Array<number>(classes).fill(0);
  for (const l of labels) if (l >= 0 && l < classes) out[l]++;
  return out;
}

function summarise(set: ImageSet): SplitSummary {
  const cc: SplitSummary['classCounts'] = {};
  const e = classCounts(set.expression, set.classNames.expression?.length ?? 0);
  const g = classCounts(set.gender, set.classNames.gender?.length ?? 2);
  if (e) cc.expression = e;
  if (g) cc.gender = g;
  let age: SplitSummary['age'] = null;
  if (set.age && set.count > 0) {
    let min = Infinity,
      max = -Infinity,
      sum = 0;
    for (const a of set.age) {
      min = Math.min(min, a);
      max = Math.max(max, a);
      sum += a;
    }
    age = { min, max, mean: sum / set.count };
  }
  return { count: set.count, chunks: Math.ceil(set.count / CHUNK_IMAGES), classCounts: cc, age };
}

/** Cuts a split into chunk records (copies, so the records own their buffers). */
export function toChunks(datasetId: string, split: Split, set: ImageSet): ChunkRecord[] {
  const imgLen = set.height * set.width * set.channels;
  const out: ChunkRecord[] = [];
  for (let start = 0, index = 0; start < set.count; start += CHUNK_IMAGES, index++) {
    const end = Math.min(set.count, start + CHUNK_IMAGES);
    out.push({
      datasetId,
      split,
      index,
      start,
      count: end - start,
      pixels: set.pixels.slice(start * imgLen, end * imgLen),
      expression: set.expression ? set.expression.slice(start, end) : null,
      gender: set.gender ? set.gender.slice(start, end) : null,
      age: set.age ? set.age.slice(start, end) : null,
    });
  }
  return out;
}

/** Joins a split's chunks (in index order) back into one ImageSet. */
export function fromChunks(meta: DatasetMeta, chunks: ChunkRecord[]): ImageSet {
  const sorted = [...chunks].sort((a, b) => a.index - b.index);
  const count = sorted.reduce((n, c) => n + c.count, 0);
  const imgLen = meta.height * meta.width * meta.channels;
  const pixels = new Uint8Array(count * imgLen);
  const has = (k: 'expression' | 'gender' | 'age') => sorted.length > 0 && sorted.every((c) => c[k] !== null);
  const expression = has('expression') ? new Int32Array(count) : null;
  const gender = has('gender') ? new Int32Array(count) : null;
  const age = has('age') ? new Float32Array(count) : null;
  let at = 0;
  for (const c of sorted) {
    if (c.start !== at)
      throw new Error(
        `dataset ${meta.id}: chunk ${c.index} of ${c.split} starts at ${c.start}, expected ${at} (a chunk is missing)`,
      );
    pixels.set(c.pixels, at * imgLen);
    expression?.set(c.expression!, at);
    gender?.set(c.gender!, at);
    age?.set(c.age!, at);
    at += c.count;
  }
  return {
    height: meta.height,
    width: meta.width,
    channels: meta.channels,
    count,
    pixels,
    expression,
    gender,
    age,
    classNames: meta.classNames,
  };
}

export type DatasetProgress = (phase: 'generating' | 'storing' | 'loading', done: number, total: number) => void;

/** Metadata and chunks of a freshly generated synthetic dataset. */
export function buildSynthDataset(
  ds: SynthDatasetConfig,
  onProgress?: DatasetProgress,
  signal?: AbortSignal,
): { meta: DatasetMeta; chunks: ChunkRecord[] } {
  const id = synthDatasetId(ds);
  const sets: SplitImageSets = synthSplits(ds, (d, t) => onProgress?.('generating', d, t), signal);
  const chunks = SPLITS.flatMap((s) => toChunks(id, s, sets[s]));
  const tasks: Task[] = [];
  if (sets.train.expression) tasks.push('expression');
  if (sets.train.gender) tasks.push('gender');
  if (sets.train.age) tasks.push('age');
  const meta: DatasetMeta = {
    id,
    name: synthDatasetName(ds),
    source: 'synth',
    synth: ds,
    height: ds.height,
    width: ds.width,
    channels: ds.channels,
    tasks,
    classNames: sets.train.classNames,
    splits: { train: summarise(sets.train), val: summarise(sets.val), test: summarise(sets.test) },
    bytes: chunks.reduce((n, c) => n + chunkBytes(c), 0),
    createdAt: Date.now(),
    complete: true,
  };
  return { meta, chunks };
}

/** The stored dataset for a synthetic config, generating and storing it first if it is not there. */
export async function ensureSynthDataset(
  storage: LabStorage,
  ds: SynthDatasetConfig,
  onProgress?: DatasetProgress,
  signal?: AbortSignal,
): Promise<{ meta: DatasetMeta; created: boolean }> {
  const have = await storage.getDataset(synthDatasetId(ds));
  if (have?.complete) return { meta: have, created: false };
  const { meta, chunks } = buildSynthDataset(ds, onProgress, signal);
  onProgress?.('storing', 0, chunks.length);
  await storage.putDataset(meta, chunks);
  onProgress?.('storing', chunks.length, chunks.length);
  return { meta, created: true };
}

/** One stored split, checked against the count its metadata records. */
export async function loadSplit(storage: LabStorage, meta: DatasetMeta, split: Split): Promise<ImageSet> {
  const set = fromChunks(meta, await storage.getChunks(meta.id, split));
  if (set.count !== meta.splits[split].count)
    throw new Error(
      `dataset ${meta.id}: the ${split} split has ${set.count} images stored, ${meta.splits[split].count} expected`,
    );
  return set;
}

/** Reads every split of a stored dataset into memory (what the curriculum trains on). */
export async function loadSplits(
  storage: LabStorage,
  id: string,
  onProgress?: DatasetProgress,
): Promise<{ meta: DatasetMeta; data: SplitImageSets }> {
  const meta = await storage.getDataset(id);
  if (!meta?.complete)
    throw new Error(
      `The dataset "${id}" is not in storage (deleted, or never finished writing). Create it again from the Datasets panel.`,
    );
  const data = {} as SplitImageSets;
  let done = 0;
  for (const s of SPLITS) {
    onProgress?.('loading', done, SPLITS.length);
    data[s] = await loadSplit(storage, meta, s);
    done++;
  }
  onProgress?.('loading', done, SPLITS.length);
  return { meta, data };
}
