// The page side of importing: which files make which import (FER CSV + votes by their headers, one
// archive, a folder), the import state through progress / done / failure events, the import worker's
// engine over memory storage, and the cleanup of imports a closed tab abandoned.
import { describe, expect, it } from 'vitest';
import { presetConfig } from '../../src/core/config/presets';
import { memoryStorage, type DatasetMeta } from '../../src/platform/browser/storage';
import type { ImportReport } from '../../src/platform/import/builder';
import type { ByteSource, ImportInput } from '../../src/platform/import/run';
import { nodeImportPlatform } from '../../src/platform/node/importFiles';
import { initialLabState, reduceImport } from '../../src/state/labState';
import { createLab } from '../../src/state/store';
import { planFromKinds, type Picked } from '../../src/ui/datasets/importPlan';
import type { LabClient } from '../../src/worker/client';
import { ImportEngine, removeAbandonedImports, type ImportEvent } from '../../src/worker/importer';
import type { ImportClient } from '../../src/worker/importClient';

const file = (name: string, size = 10) => ({ name, size } as unknown as File);
const picked = (...names: string[]): Picked[] => names.map((n) => ({ file: file(n.split('/').pop()!), path: n }));

describe('what picked files import as', () => {
  it('tells fer2013.csv from the FER+ votes by header, whatever the order or names', () => {
    const p = picked('votes.csv', 'faces.csv');
    const headers = new Map([[p[0].file, 'Usage,Image name,neutral,happiness'], [p[1].file, 'emotion,pixels,Usage']]);
    const plan = planFromKinds(p, headers, false);
    expect(plan.ok && plan.files).toEqual({ kind: 'csv', images: p[1].file, votes: p[0].file });
    expect(plan.ok && plan.name).toBe('FER+');
    const only = planFromKinds([p[0]], headers, false);
    expect(only).toEqual({ ok: false, reason: 'Only the FER+ votes file was chosen: choose fer2013.csv (the images) with it.' });
  });

  it('one archive; a folder keeps its paths; loose images or mixtures are refused with the reason', () => {
    expect(planFromKinds(picked('UTKFace.tar.gz'), new Map(), false)).toMatchObject({ ok: true, files: { kind: 'archive' }, name: 'UTKFace', channels: 3 });
    const f = planFromKinds(picked('faces/happy/1.jpg', 'faces/sad/2.jpg'), new Map(), true);
    expect(f.ok && f.files.kind === 'files' && [f.files.root, f.files.files.map((x) => x.path)]).toEqual(['faces', ['faces/happy/1.jpg', 'faces/sad/2.jpg']]);
    expect(planFromKinds(picked('a.jpg', 'b.jpg'), new Map(), false)).toEqual({ ok: false, reason: 'Loose images have no labels: choose a folder (class folders inside), an archive (.tar.gz, .zip) or fer2013.csv.' });
    expect(planFromKinds(picked('a.zip', 'b.zip'), new Map(), false)).toEqual({ ok: false, reason: 'Choose one archive at a time.' });
    expect(planFromKinds(picked('a.csv', 'b.zip'), new Map(), false).ok).toBe(false);
    expect(planFromKinds([], new Map(), false)).toEqual({ ok: false, reason: 'No file was chosen.' });
  });
});

const meta = { id: 'import-j1', name: 'x', source: 'import', complete: true, createdAt: 1 } as DatasetMeta;
const report = { images: 3 } as ImportReport;

describe('import state', () => {
  it('progress, then done adds the dataset; events of another job are ignored', () => {
    let s = initialLabState(presetConfig('ci-tiny'));
    s = { ...s, imports: { job: { jobId: 'j1', label: 'f', startedAt: 0, progress: null, cancelling: false }, last: null } };
    const p = { bytesDone: 5, bytesTotal: 10, images: 2, rejected: 0, rate: 1, etaS: 3 };
    s = reduceImport(s, { type: 'progress', jobId: 'j1', progress: p });
    expect(s.imports.job?.progress).toEqual(p);
    expect(reduceImport(s, { type: 'done', jobId: 'other', meta, report })).toBe(s);
    s = reduceImport(s, { type: 'done', jobId: 'j1', meta, report });
    expect(s.imports).toEqual({ job: null, last: { jobId: 'j1', label: 'f', status: 'done', message: '3 images imported.', report, datasetId: 'import-j1' } });
    expect(s.datasets.list.map((d) => d.id)).toEqual(['import-j1']);
  });

  it('the store sends import and cancel to the import worker, refuses a second import meanwhile, and removes abandoned imports at boot', async () => {
    const sent: unknown[] = [];
    let emit: (e: ImportEvent) => void = () => {};
    const importer: ImportClient = { send: (c) => sent.push(c), subscribe: (fn) => { emit = fn; return () => {}; }, terminate: () => {} };
    const client: LabClient = { kind: 'main-thread', send: () => {}, subscribe: () => () => {}, restart: () => {}, terminate: () => {} };
    const storage = memoryStorage();
    await storage.beginDataset({ ...meta, id: 'import-dead', complete: false });
    await storage.beginDataset({ ...meta, id: 'import-live', complete: false });
    const { store, actions } = createLab({ client, storage, importer, importsInProgress: async () => new Set(['import-live']), flushMs: 1 });
    await actions.boot();
    expect((await storage.listDatasets()).map((d) => d.id).sort()).toEqual(['import-live']);
    const opts = { name: 'n', height: 48, width: 48, channels: 1 as const, seed: 1, split: [60, 20, 20] as [number, number, number] };
    const job = actions.startImport({ kind: 'archive', file: file('a.zip') }, 'a.zip', 'auto', opts)!;
    expect(actions.startImport({ kind: 'archive', file: file('b.zip') }, 'b.zip', 'auto', opts)).toBeNull();
    actions.cancelImport();
    expect(sent).toEqual([{ type: 'import', jobId: job, files: { kind: 'archive', file: file('a.zip') }, format: 'auto', options: opts }, { type: 'cancel', jobId: job }]);
    expect(store.getState().imports.job?.cancelling).toBe(true);
    emit({ type: 'failed', jobId: job, status: 'cancelled', message: 'The import was cancelled; nothing of it was kept.', report: null });
    expect(store.getState().imports.last?.status).toBe('cancelled');
    actions.dispose();
  });
});

describe('import worker engine', () => {
  it('runs an import to "done" with progress, and a cancel to "cancelled" leaving nothing', async () => {
    const rows = Array.from({ length: 1200 }, (_, i) => `${i % 7},${Array.from({ length: 16 }, (_, k) => (k + i) % 256).join(' ')},Training`);
    const text = new TextEncoder().encode(`emotion,pixels,Usage\n${rows.join('\n')}\n`);
    const src: ByteSource = { name: 'fer.csv', size: text.length, async* stream() { for (let i = 0; i < text.length; i += 2000) { await new Promise((r) => setTimeout(r, 0)); yield text.slice(i, i + 2000); } } };
    const storage = memoryStorage();
    const events: ImportEvent[] = [];
    const engine = new ImportEngine<ImportInput>({ storage, platform: nodeImportPlatform, toInput: (f) => f, post: (e) => events.push(e) });
    const opts = { name: 'fer', height: 4, width: 4, channels: 1 as const, seed: 1, split: [60, 20, 20] as [number, number, number] };
    await engine.handle({ type: 'import', jobId: 'a', files: { kind: 'csv', images: src, votes: null }, format: 'auto', options: opts });
    const last = events[events.length - 1];
    expect(last.type === 'done' && [last.meta.id, last.report.images]).toEqual(['import-a', 1200]);
    expect(events.some((e) => e.type === 'progress')).toBe(true);

    const running = engine.handle({ type: 'import', jobId: 'b', files: { kind: 'csv', images: src, votes: null }, format: 'auto', options: opts });
    await new Promise((r) => setTimeout(r, 5));
    await engine.handle({ type: 'cancel', jobId: 'b' });
    await running;
    const end = events[events.length - 1];
    expect(end.type === 'failed' && end.status).toBe('cancelled');
    expect((await storage.listDatasets()).map((d) => d.id)).toEqual(['import-a']);
    expect(await removeAbandonedImports(storage, new Set())).toEqual([]);
  });
});
