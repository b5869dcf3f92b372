// The lab's IndexedDB schema and storage, on fake-indexeddb in Node: the migrations build every store
// and index, datasets round-trip through chunks bit for bit, deletes remove only what they name, and
// a reopened database keeps its data. The browser e2e runs the same code on Chromium's IndexedDB.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { presetConfig } from '../../src/core/config/presets';
import type { SynthDatasetConfig } from '../../src/core/config/config';
import { synthSplits } from '../../src/core/data/synthSplits';
import { DB_VERSION, idbStorage, MIGRATIONS, openLabDb } from '../../src/platform/browser/db';
import { CHUNK_IMAGES, type RunRecord } from '../../src/core/records';
import { ensureSynthDataset, loadSplits } from '../../src/platform/datasets';
import { synthDatasetId } from '../../src/core/data/datasetId';

let n = 0;
const fresh = () => `lab-test-${++n}-${Date.now()}`;
const ds = (over: Partial<SynthDatasetConfig> = {}): SynthDatasetConfig => ({
  ...(presetConfig('fixture-tiny').dataset as SynthDatasetConfig),
  ...over,
});

function run(id: string, createdAt: number): RunRecord {
  const cfg = presetConfig('fixture-tiny');
  return {
    id,
    name: id,
    config: cfg,
    datasetId: 'd',
    createdAt,
    updatedAt: createdAt,
    status: 'running',
    message: null,
    backend: 'webgpu',
    skipped: [],
    stages: ['teacher'],
    history: [],
    rows: [],
    losses: [],
    stageMs: {},
    checkpoint: null,
    elapsedMs: 0,
  };
}

describe('lab database', () => {
  it('migrations create every store and index at the current version', async () => {
    const db = await openLabDb(fresh());
    expect(db.version).toBe(DB_VERSION);
    expect(DB_VERSION).toBe(MIGRATIONS.length);
    expect([...db.objectStoreNames].sort()).toEqual([
      'checkpoints',
      'chunks',
      'datasets',
      'importedModels',
      'models',
      'runs',
    ]);
    const tx = db.transaction(['chunks', 'runs', 'models']);
    expect([...tx.objectStore('chunks').indexNames]).toEqual(['byDataset']);
    expect([...tx.objectStore('runs').indexNames]).toEqual(['byCreated']);
    expect([...tx.objectStore('models').indexNames]).toEqual(['byRun']);
    db.close();
  });

  it('stores a generated dataset in chunks and reads it back identical', async () => {
    const name = fresh();
    const st = idbStorage(name);
    const cfg = ds({ train: CHUNK_IMAGES + 40, val: 20, test: 20 });
    const phases: string[] = [];
    const { meta, created } = await ensureSynthDataset(st, cfg, (p) => phases.push(p));
    expect(created).toBe(true);
    expect(phases).toContain('generating');
    expect(meta.splits.train).toMatchObject({ count: CHUNK_IMAGES + 40, chunks: 2 });
    expect(meta.bytes).toBe((CHUNK_IMAGES + 80) * (16 * 16 + 12));
    const again = await ensureSynthDataset(st, cfg);
    expect(again.created).toBe(false);

    await st.close();
    const reopened = idbStorage(name); // data survives a new connection
    const { data } = await loadSplits(reopened, meta.id);
    const want = synthSplits(cfg);
    for (const s of ['train', 'val', 'test'] as const) {
      expect(data[s].count).toBe(want[s].count);
      expect(Buffer.from(data[s].pixels).equals(Buffer.from(want[s].pixels))).toBe(true);
      expect(Array.from(data[s].expression!)).toEqual(Array.from(want[s].expression!));
      expect(Array.from(data[s].age!)).toEqual(Array.from(want[s].age!));
    }
    await reopened.close();
  });

  it('deleting a dataset removes its chunks and nothing else', async () => {
    const st = idbStorage(fresh());
    const a = (await ensureSynthDataset(st, ds({ seed: 1 }))).meta;
    const b = (await ensureSynthDataset(st, ds({ seed: 2 }))).meta;
    expect(a.id).not.toBe(b.id);
    expect(a.id).toBe(synthDatasetId(ds({ seed: 1 })));
    await st.deleteDataset(a.id);
    expect((await st.listDatasets()).map((d) => d.id)).toEqual([b.id]);
    expect(await st.getChunks(a.id, 'train')).toEqual([]);
    expect((await st.getChunks(b.id, 'train')).length).toBe(1);
    await expect(loadSplits(st, a.id)).rejects.toThrow(/not in storage/);
    await st.close();
  });

  it('runs: newest first; run and checkpoint saved together; deleting a run takes its models and checkpoint', async () => {
    const st = idbStorage(fresh());
    await st.putRun(run('old', 1));
    await st.putRunAndCheckpoint(run('new', 2), {
      runId: 'new',
      savedAt: 3,
      stage: 'teacher',
      epoch: 1,
      checkpoint: { weights: { teacher: [new Float32Array([1, 2])] } },
    });
    expect((await st.listRuns()).map((r) => r.id)).toEqual(['new', 'old']);
    const cp = (await st.getCheckpoint('new'))!;
    expect((cp.checkpoint as { weights: { teacher: Float32Array[] } }).weights.teacher[0]).toEqual(
      new Float32Array([1, 2]),
    );
    await st.putModel({
      runId: 'new',
      stage: 'teacher',
      modelTopology: {},
      weightSpecs: [],
      weightData: new ArrayBuffer(8),
      format: 'layers-model',
      generatedBy: 't',
      savedAt: 4,
    });
    await st.putModel({
      runId: 'old',
      stage: 'teacher',
      modelTopology: {},
      weightSpecs: [],
      weightData: new ArrayBuffer(8),
      format: 'layers-model',
      generatedBy: 't',
      savedAt: 4,
    });
    expect(await st.listModels('new')).toEqual(['teacher']);
    await st.deleteRun('new');
    expect(await st.getRun('new')).toBeUndefined();
    expect(await st.getCheckpoint('new')).toBeUndefined();
    expect(await st.listModels('new')).toEqual([]);
    expect(await st.listModels('old')).toEqual(['teacher']);
    await st.close();
  });

  it('an import streamed into IndexedDB: incomplete until finished, chunks after a delete refused, other datasets untouched', async () => {
    const { runImport } = await import('../../src/platform/import/run');
    const { nodeImportPlatform } = await import('../../src/platform/node/importFiles');
    const st = idbStorage(fresh());
    await ensureSynthDataset(st, ds());
    const row = (i: number) =>
      `${i % 7},${Array.from({ length: 64 }, (_, k) => (k * i) % 256).join(' ')},${['Training', 'PublicTest', 'PrivateTest'][i % 3]}`;
    const text = `emotion,pixels,Usage\n${Array.from({ length: 1700 }, (_, i) => row(i)).join('\n')}\n`;
    const bytes = new TextEncoder().encode(text);
    const src = {
      name: 'fer.csv',
      size: bytes.length,
      async *stream() {
        for (let i = 0; i < bytes.length; i += 5000) yield bytes.slice(i, i + 5000);
      },
    };
    let sawIncomplete = false;
    const out = await runImport(
      { kind: 'csv', images: src, votes: null },
      'fer2013',
      { name: 'fer', height: 8, width: 8, channels: 1, seed: 1, split: [60, 20, 20] },
      st,
      nodeImportPlatform,
      {
        id: 'import-x',
        progressMs: 0,
        onProgress: () => {
          void st.getDataset('import-x').then((m) => {
            if (m && !m.complete) sawIncomplete = true;
          });
        },
      },
    );
    expect(out.status).toBe('done');
    expect(sawIncomplete).toBe(true);
    const meta = (await st.getDataset('import-x'))!;
    expect(meta.complete).toBe(true);
    expect([meta.splits.train.count, meta.splits.train.chunks]).toEqual([567, 2]);
    const { data } = await loadSplits(st, 'import-x');
    expect(data.train.pixels.subarray(0, 64)).toEqual(Uint8Array.from({ length: 64 }, () => 0));
    await st.deleteDataset('import-x');
    const chunk = {
      datasetId: 'import-x',
      split: 'train' as const,
      index: 0,
      start: 0,
      count: 1,
      pixels: new Uint8Array(64),
      expression: null,
      gender: null,
      age: null,
    };
    await expect(st.putChunks([chunk])).rejects.toThrow(/dataset import-x was removed while it was written/);
    await expect(st.finishDataset(meta)).rejects.toThrow(/was removed while it was written/);
    expect((await st.listDatasets()).map((d) => d.id)).toEqual([synthDatasetId(ds())]);
    await st.close();
  });
});
