// The page side of importing: the import state through progress / done / failure events, and the store
// driving the import worker (import, cancel, one at a time, abandoned imports removed at boot).
import type { DatasetMeta } from '../../src/core/records';
import type { ImportReport } from '../../src/core/data/importReport';
import { describe, expect, it } from 'vitest';
import { presetConfig } from '../../src/core/config/presets';
import { memoryStorage } from '../../src/platform/memoryStorage';
import { initialLabState, reduceImport } from '../../src/state/labState';
import { createLab } from '../../src/state/store';
import type { LabClient } from '../../src/worker/lab/client';
import type { ImportEvent } from '../../src/worker/import/protocol';
import type { ImportClient } from '../../src/worker/import/client';

const file = (name: string, size = 10) => ({ name, size }) as unknown as File;

const meta = { id: 'import-j1', name: 'x', source: 'import', complete: true, createdAt: 1 } as DatasetMeta;
const report = { images: 3 } as ImportReport;

describe('import state', () => {
  it('progress, then done adds the dataset; events of another job are ignored', () => {
    let s = initialLabState(presetConfig('fixture-tiny'));
    s = {
      ...s,
      imports: { job: { jobId: 'j1', label: 'f', startedAt: 0, progress: null, cancelling: false }, last: null },
    };
    const p = { bytesDone: 5, bytesTotal: 10, images: 2, rejected: 0, rate: 1, etaS: 3 };
    s = reduceImport(s, { type: 'progress', jobId: 'j1', progress: p });
    expect(s.imports.job?.progress).toEqual(p);
    expect(reduceImport(s, { type: 'done', jobId: 'other', meta, report })).toBe(s);
    s = reduceImport(s, { type: 'done', jobId: 'j1', meta, report });
    expect(s.imports).toEqual({
      job: null,
      last: { jobId: 'j1', label: 'f', status: 'done', message: '3 images imported.', report, datasetId: 'import-j1' },
    });
    expect(s.datasets.list.map((d) => d.id)).toEqual(['import-j1']);
  });

  it('the store sends import and cancel to the import worker, refuses a second import meanwhile, and removes abandoned imports at boot', async () => {
    const sent: unknown[] = [];
    let emit: (e: ImportEvent) => void = () => {};
    const importer: ImportClient = {
      send: (c) => sent.push(c),
      subscribe: (fn) => {
        emit = fn;
        return () => {};
      },
      terminate: () => {},
    };
    const client: LabClient = {
      kind: 'main-thread',
      send: () => {},
      subscribe: () => () => {},
      restart: () => {},
      terminate: () => {},
    };
    const storage = memoryStorage();
    await storage.beginDataset({ ...meta, id: 'import-dead', complete: false });
    await storage.beginDataset({ ...meta, id: 'import-live', complete: false });
    const { store, actions } = createLab({
      client,
      storage,
      importer,
      importsInProgress: async () => new Set(['import-live']),
      flushMs: 1,
    });
    await actions.boot();
    expect((await storage.listDatasets()).map((d) => d.id).sort()).toEqual(['import-live']);
    const opts = {
      name: 'n',
      height: 48,
      width: 48,
      channels: 1 as const,
      seed: 1,
      split: [60, 20, 20] as [number, number, number],
    };
    const job = actions.startImport({ kind: 'archive', file: file('a.zip') }, 'a.zip', 'auto', opts)!;
    expect(actions.startImport({ kind: 'archive', file: file('b.zip') }, 'b.zip', 'auto', opts)).toBeNull();
    actions.cancelImport();
    expect(sent).toEqual([
      { type: 'import', jobId: job, files: { kind: 'archive', file: file('a.zip') }, format: 'auto', options: opts },
      { type: 'cancel', jobId: job },
    ]);
    expect(store.getState().imports.job?.cancelling).toBe(true);
    emit({
      type: 'failed',
      jobId: job,
      status: 'cancelled',
      message: 'The import was cancelled; nothing of it was kept.',
      report: null,
    });
    expect(store.getState().imports.last?.status).toBe('cancelled');
    actions.dispose();
  });
});
