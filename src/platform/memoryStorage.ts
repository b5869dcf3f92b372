// An in-memory LabStorage with IndexedDB's semantics (records cloned in and out): the runner's store,
// the main-thread fallback and the unit tests.
import type {
  CheckpointRecord,
  ChunkRecord,
  DatasetMeta,
  ImportedModelMeta,
  LabStorage,
  ModelRecord,
  RunRecord,
} from '../core/records';

/** An in-memory LabStorage with the same semantics as IndexedDB (records are cloned in and out). */
export function memoryStorage(): LabStorage {
  const datasets = new Map<string, DatasetMeta>();
  const chunks = new Map<string, ChunkRecord>();
  const runs = new Map<string, RunRecord>();
  const checkpoints = new Map<string, CheckpointRecord>();
  const models = new Map<string, ModelRecord>();
  const imported = new Map<string, ImportedModelMeta>();
  const ck = (d: string, s: string, i: number) => `${d}\u0000${s}\u0000${i}`;
  const clone = <T>(x: T): T => structuredClone(x);
  return {
    listDatasets: async () => [...datasets.values()].map(clone),
    getDataset: async (id) => (datasets.has(id) ? clone(datasets.get(id)!) : undefined),
    putDataset: async (meta, list) => {
      for (const c of list) chunks.set(ck(c.datasetId, c.split, c.index), clone(c));
      datasets.set(meta.id, clone(meta));
    },
    beginDataset: async (meta) => {
      for (const [k, c] of chunks) if (c.datasetId === meta.id) chunks.delete(k);
      datasets.set(meta.id, clone({ ...meta, complete: false }));
    },
    putChunks: async (list) => {
      for (const c of list) {
        if (!datasets.has(c.datasetId)) throw new Error(`dataset ${c.datasetId}: chunks written before beginDataset`);
        chunks.set(ck(c.datasetId, c.split, c.index), clone(c));
      }
    },
    finishDataset: async (meta) => {
      if (!datasets.has(meta.id)) throw new Error(`dataset ${meta.id} was removed while it was written`);
      datasets.set(meta.id, clone(meta));
    },
    getChunks: async (id, split) =>
      [...chunks.values()]
        .filter((c) => c.datasetId === id && c.split === split)
        .sort((a, b) => a.index - b.index)
        .map(clone),
    getChunk: async (id, split, index) => {
      const c = chunks.get(ck(id, split, index));
      return c ? clone(c) : undefined;
    },
    deleteDataset: async (id) => {
      datasets.delete(id);
      for (const [k, c] of chunks) if (c.datasetId === id) chunks.delete(k);
    },
    listRuns: async () => [...runs.values()].sort((a, b) => b.createdAt - a.createdAt).map(clone),
    getRun: async (id) => (runs.has(id) ? clone(runs.get(id)!) : undefined),
    putRun: async (r) => {
      runs.set(r.id, clone(r));
    },
    putRunAndCheckpoint: async (r, cp) => {
      runs.set(r.id, clone(r));
      checkpoints.set(cp.runId, clone(cp));
    },
    deleteRun: async (id) => {
      runs.delete(id);
      checkpoints.delete(id);
      for (const [k, m] of models) if (m.runId === id) models.delete(k);
    },
    getCheckpoint: async (id) => (checkpoints.has(id) ? clone(checkpoints.get(id)!) : undefined),
    deleteCheckpoint: async (id) => {
      checkpoints.delete(id);
    },
    putModel: async (m) => {
      models.set(`${m.runId}\u0000${m.stage}`, clone(m));
    },
    getModel: async (id, stage) => {
      const m = models.get(`${id}\u0000${stage}`);
      return m ? clone(m) : undefined;
    },
    listModels: async (id) => [...models.values()].filter((m) => m.runId === id).map((m) => m.stage),
    putImportedModel: async (meta, rec) => {
      imported.set(meta.id, clone(meta));
      models.set(`${rec.runId}\u0000${rec.stage}`, clone(rec));
    },
    listImportedModels: async () => [...imported.values()].sort((a, b) => b.importedAt - a.importedAt).map(clone),
    deleteImportedModel: async (id) => {
      imported.delete(id);
      for (const [k, m] of models) if (m.runId === id) models.delete(k);
    },
  };
}
