// The main-thread fallback client (no Worker): the engine generates the dataset into storage, reads it
// back, runs the fixture-tiny curriculum, checkpoints every epoch, and its events drive the real store to
// the end. A cancelled run resumes from its checkpoint and finishes with every grid row.
import { describe, expect, it } from 'vitest';
import { presetConfig } from '../../../src/core/config/presets';
import { selectBackend } from '../../../src/platform/backend';
import { memoryStorage } from '../../../src/platform/memoryStorage';
import { initialLabState } from '../../../src/state/labState';
import { createLab } from '../../../src/state/store';
import { synthDatasetId } from '../../../src/core/data/datasetId';
import { createInProcessClient } from '../../../src/worker/lab/inProcess';
import { until } from '../../helpers/events';
import type { WorkerEvent } from '../../../src/worker/lab/protocol';

const cfg = presetConfig('fixture-tiny');
// The auto order from webgpu: in Node that skips webgpu (with its reason) and trains on wasm with the
// project's training kernels, seconds for the whole file.
const nodeBackend = () => selectBackend(['webgpu', 'wasm']);

describe('main-thread fallback client', () => {
  it('runs the fixture-tiny curriculum end to end without a Worker and the store follows it', async () => {
    const storage = memoryStorage();
    const client = createInProcessClient({ storage, selectBackend: nodeBackend, flushMs: 20 });
    expect(client.kind).toBe('main-thread');
    const { store, actions } = createLab({ client, storage, flushMs: 20 }, initialLabState(cfg, 'fixture-tiny'));
    const all: WorkerEvent[] = [];
    client.subscribe((e) => all.push(e));
    const ready = until(client, (e) => e.type === 'datasetReady');
    await actions.boot();
    await ready;
    await new Promise((r) => setTimeout(r, 50));
    expect(store.getState().experiment.errors).toEqual([]);
    const meta = (await storage.getDataset(synthDatasetId(cfg.dataset as never)))!;
    expect(meta.splits.train.count).toBe(96);
    expect(meta.splits.train.classCounts.expression!.reduce((a, b) => a + b, 0)).toBe(96);

    const runId = actions.startRun()!;
    expect(runId).toBeTruthy();
    const end = await until(
      client,
      (e) => e.type === 'runState' && e.runId === runId && ['done', 'failed', 'interrupted'].includes(e.status),
    );
    expect(end, JSON.stringify(end)).toMatchObject({ status: 'done' });
    await new Promise((r) => setTimeout(r, 60));
    const s = store.getState();
    expect(s.run!.status).toBe('done');
    expect(s.run!.backend).toBe('wasm');
    expect(s.run!.skipped[0].reason).toBe('no WebGPU in Node');
    expect(s.run!.rows).toHaveLength(11);
    expect(s.run!.rows.every((r) => r.stats?.ci)).toBe(true);
    expect(s.run!.history.length).toBe(7);
    expect(s.run!.losses.length).toBeGreaterThan(30);
    expect(Object.values(s.run!.stageInfo).every((st) => st!.status === 'done')).toBe(true);
    // Events were batched: far fewer messages than curriculum events.
    const batches = all.filter((e) => e.type === 'events') as Extract<WorkerEvent, { type: 'events' }>[];
    const count = batches.reduce((n, b) => n + b.events.length, 0);
    expect(count).toBeGreaterThan(50);
    // Stored: the run (done, with rows and history), every model, no checkpoint left behind.
    const rec = (await storage.getRun(runId))!;
    expect(rec.status).toBe('done');
    expect(rec.rows).toHaveLength(11);
    expect(rec.losses.length).toBe(s.run!.losses.length);
    expect((await storage.listModels(runId)).sort()).toEqual([
      'control',
      'standard',
      'student',
      'studentOther',
      'teacher',
      'triplet',
    ]);
    const m = (await storage.getModel(runId, 'teacher'))!;
    expect(m.weightData.byteLength).toBeGreaterThan(1000);
    expect(await storage.getCheckpoint(runId)).toBeUndefined();
    actions.dispose();
  });

  it('pauses, resumes, is cancelled after a checkpoint, and resumes from it to the end', async () => {
    const storage = memoryStorage();
    const client = createInProcessClient({ storage, selectBackend: nodeBackend, flushMs: 20 });
    const events: WorkerEvent[] = [];
    client.subscribe((e) => events.push(e));
    client.send({ type: 'start', runId: 'r1', config: cfg, backends: ['cpu'] });
    await until(client, (e) => e.type === 'events' && e.events.some((x) => x.type === 'batchEnd'));
    client.send({ type: 'pause' });
    await until(client, (e) => e.type === 'runState' && e.status === 'paused');
    const n = events.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(events.slice(n).filter((e) => e.type === 'events')).toHaveLength(0); // nothing trains while paused
    client.send({ type: 'resume' });
    await until(client, (e) => e.type === 'checkpoint' && e.stage === 'student');
    client.send({ type: 'cancel' });
    const cancelled = await until(client, (e) => e.type === 'runState' && ['cancelled', 'done'].includes(e.status));
    expect(cancelled).toMatchObject({ status: 'cancelled' });
    const cp = (await storage.getCheckpoint('r1'))!;
    expect(cp).toBeTruthy();
    const rec = (await storage.getRun('r1'))!;
    expect(rec.status).toBe('cancelled');
    expect(rec.checkpoint).toBeTruthy();

    client.restart();
    const resumed = until(client, (e) => e.type === 'runState' && e.runId === 'r1' && e.status === 'running');
    client.send({ type: 'resumeRun', runId: 'r1', backends: ['cpu'] });
    const st = (await resumed) as Extract<WorkerEvent, { type: 'runState' }>;
    expect(st.record!.rows.length).toBeGreaterThanOrEqual(3); // the teacher's rows came from the checkpoint
    const from = events.length;
    const done = await until(
      client,
      (e) => e.type === 'runState' && e.runId === 'r1' && ['done', 'failed', 'interrupted'].includes(e.status),
    );
    expect(done).toMatchObject({ status: 'done' });
    // Only what the checkpoint had not finished was trained again.
    const after = events.slice(from).flatMap((e) => (e.type === 'events' ? e.events : []));
    const started = after.filter((e) => e.type === 'stageStart').map((e) => (e as { stage: string }).stage);
    expect(started).not.toContain('teacher');
    expect(started).not.toContain('student');
    expect(started).toContain('triplet');
    const fin = (await storage.getRun('r1'))!;
    expect(fin.rows).toHaveLength(11);
    expect(new Set(fin.history.map((h) => `${h.stage}:${h.epoch}`)).size).toBe(fin.history.length);
    expect(fin.history).toHaveLength(7);
    // The loss chart's steps are continuous across the resume.
    const xs = fin.losses.map((p) => p.x);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(new Set(xs).size).toBe(xs.length);
    await client.idle();
  });

  it('reports a config error for a run instead of starting it', async () => {
    const client = createInProcessClient({ selectBackend: nodeBackend });
    const bad = { ...cfg, triplet: { ...cfg.triplet, margin: 9 } };
    client.send({ type: 'start', runId: 'bad', config: bad, backends: ['cpu'] });
    const e = await until(client, (x) => x.type === 'runState' && x.status === 'failed', 10_000);
    expect((e as { message: string }).message).toMatch(/triplet\.margin/);
    await client.idle();
  });
});
