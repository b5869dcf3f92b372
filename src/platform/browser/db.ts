// The lab's IndexedDB (through idb): one versioned schema, upgraded by numbered migrations, holding
// datasets (metadata + image chunks), runs (config, history, results), models (tfjs artifacts) and
// checkpoints. Opened by the page and by the worker alike. Not tfjs's own `tensorflowjs` database.
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import type { StageName } from '../../core/config/config';
import type { Split } from '../../core/data/types';
import type {
  CheckpointRecord,
  ChunkRecord,
  DatasetMeta,
  ImportedModelMeta,
  LabStorage,
  ModelRecord,
  RunRecord,
} from '../../core/records';

export const DB_NAME = 'occlusion-distillation-lab';

interface LabSchema extends DBSchema {
  datasets: { key: string; value: DatasetMeta };
  chunks: { key: [string, Split, number]; value: ChunkRecord; indexes: { byDataset: string } };
  runs: { key: string; value: RunRecord; indexes: { byCreated: number } };
  models: { key: [string, StageName]; value: ModelRecord; indexes: { byRun: string } };
  checkpoints: { key: string; value: CheckpointRecord };
  importedModels: { key: string; value: ImportedModelMeta };
}

type Db = IDBPDatabase<LabSchema>;
type UpgradeTx = IDBPTransaction<LabSchema, StoreNames<LabSchema>[], 'versionchange'>;

/** MIGRATIONS[v] takes a database from version v to v + 1. Append, never edit a shipped step. */
export const MIGRATIONS: ((db: Db, tx: UpgradeTx) => void)[] = [
  (db) => {
    db.createObjectStore('datasets', { keyPath: 'id' });
    db.createObjectStore('chunks', { keyPath: ['datasetId', 'split', 'index'] }).createIndex('byDataset', 'datasetId');
    db.createObjectStore('runs', { keyPath: 'id' }).createIndex('byCreated', 'createdAt');
    db.createObjectStore('models', { keyPath: ['runId', 'stage'] }).createIndex('byRun', 'runId');
    db.createObjectStore('checkpoints', { keyPath: 'runId' });
  },
  // v2: models brought in from files (their weights live in `models`, under runId = the model's id).
  (db) => {
    db.createObjectStore('importedModels', { keyPath: 'id' });
  },
];
export const DB_VERSION = MIGRATIONS.length;

/** Opens (creating or upgrading) the lab's database. A connection blocking a newer version closes. */
export async function openLabDb(name = DB_NAME, version = DB_VERSION): Promise<Db> {
  const db: Db = await openDB<LabSchema>(name, version, {
    upgrade(database, oldVersion, newVersion, tx) {
      for (let v = oldVersion; v < (newVersion ?? version); v++) MIGRATIONS[v](database, tx);
    },
    blocking() {
      db.close();
    },
  });
  return db;
}

const datasetRange = (id: string) => IDBKeyRange.bound([id], [id, []]);
const splitRange = (id: string, split: Split) => IDBKeyRange.bound([id, split, 0], [id, split, Infinity]);

/** LabStorage over IndexedDB. The connection opens on first use. */
export function idbStorage(name = DB_NAME): LabStorage & { close(): Promise<void> } {
  let pending: Promise<Db> | null = null;
  const db = (): Promise<Db> => (pending ??= openLabDb(name));
  return {
    close: async () => {
      if (pending) (await pending).close();
      pending = null;
    },
    listDatasets: async () => (await db()).getAll('datasets'),
    getDataset: async (id) => (await db()).get('datasets', id),
    putDataset: async (meta, chunks) => {
      const tx = (await db()).transaction(['datasets', 'chunks'], 'readwrite');
      await tx.objectStore('chunks').delete(datasetRange(meta.id));
      for (const c of chunks) void tx.objectStore('chunks').put(c);
      void tx.objectStore('datasets').put(meta);
      await tx.done;
    },
    beginDataset: async (meta) => {
      const tx = (await db()).transaction(['datasets', 'chunks'], 'readwrite');
      void tx.objectStore('chunks').delete(datasetRange(meta.id));
      void tx.objectStore('datasets').put({ ...meta, complete: false });
      await tx.done;
    },
    putChunks: async (chunks) => {
      const tx = (await db()).transaction(['datasets', 'chunks'], 'readwrite');
      // Checked inside the transaction: a dataset deleted meanwhile (another tab) gets no orphan chunks.
      if (chunks.length && !(await tx.objectStore('datasets').getKey(chunks[0].datasetId))) {
        tx.done.catch(() => {});
        tx.abort();
        throw new Error(`dataset ${chunks[0].datasetId} was removed while it was written`);
      }
      for (const c of chunks) void tx.objectStore('chunks').put(c);
      await tx.done;
    },
    finishDataset: async (meta) => {
      const tx = (await db()).transaction('datasets', 'readwrite');
      if (!(await tx.store.getKey(meta.id))) {
        tx.done.catch(() => {});
        tx.abort();
        throw new Error(`dataset ${meta.id} was removed while it was written`);
      }
      void tx.store.put(meta);
      await tx.done;
    },
    getChunks: async (id, split) => (await db()).getAll('chunks', splitRange(id, split)),
    getChunk: async (id, split, index) => (await db()).get('chunks', [id, split, index]),
    deleteDataset: async (id) => {
      const tx = (await db()).transaction(['datasets', 'chunks'], 'readwrite');
      void tx.objectStore('chunks').delete(datasetRange(id));
      void tx.objectStore('datasets').delete(id);
      await tx.done;
    },
    listRuns: async () => (await (await db()).getAllFromIndex('runs', 'byCreated')).reverse(),
    getRun: async (id) => (await db()).get('runs', id),
    putRun: async (r) => {
      await (await db()).put('runs', r);
    },
    putRunAndCheckpoint: async (r, cp) => {
      const tx = (await db()).transaction(['runs', 'checkpoints'], 'readwrite');
      void tx.objectStore('runs').put(r);
      void tx.objectStore('checkpoints').put(cp);
      await tx.done;
    },
    deleteRun: async (id) => {
      const tx = (await db()).transaction(['runs', 'checkpoints', 'models'], 'readwrite');
      void tx.objectStore('runs').delete(id);
      void tx.objectStore('checkpoints').delete(id);
      void tx.objectStore('models').delete(IDBKeyRange.bound([id], [id, []]));
      await tx.done;
    },
    getCheckpoint: async (id) => (await db()).get('checkpoints', id),
    deleteCheckpoint: async (id) => {
      await (await db()).delete('checkpoints', id);
    },
    putModel: async (m) => {
      await (await db()).put('models', m);
    },
    getModel: async (id, stage) => (await db()).get('models', [id, stage]),
    listModels: async (id) => (await (await db()).getAllKeysFromIndex('models', 'byRun', id)).map((k) => k[1]),
    putImportedModel: async (meta, rec) => {
      const tx = (await db()).transaction(['importedModels', 'models'], 'readwrite');
      void tx.objectStore('models').put(rec);
      void tx.objectStore('importedModels').put(meta);
      await tx.done;
    },
    listImportedModels: async () =>
      (await (await db()).getAll('importedModels')).sort((a, b) => b.importedAt - a.importedAt),
    deleteImportedModel: async (id) => {
      const tx = (await db()).transaction(['importedModels', 'models'], 'readwrite');
      void tx.objectStore('importedModels').delete(id);
      void tx.objectStore('models').delete(IDBKeyRange.bound([id], [id, []]));
      await tx.done;
    },
  };
}

/** Storage used and available for this origin (bytes), where the browser says. */
export async function storageEstimate(): Promise<{ usage: number; quota: number } | null> {
  const s = (globalThis as { navigator?: Navigator }).navigator?.storage;
  if (!s?.estimate) return null;
  const e = await s.estimate();
  return { usage: e.usage ?? 0, quota: e.quota ?? 0 };
}

/** Asks the browser not to evict the lab's data under storage pressure (best effort). */
export async function requestPersistence(): Promise<boolean> {
  const s = (globalThis as { navigator?: Navigator }).navigator?.storage;
  try {
    return s?.persist ? await s.persist() : false;
  } catch {
    return false;
  }
}
