// The store's reducers over event sequences (a whole run, a resumed run, a crash), the ETA, the loss
// series thinning, and the throttled store: many worker events, few store updates.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { presetConfig } from '../../src/core/config/presets';
import type { StageName } from '../../src/core/config/config';
import type { CurriculumEvent, EpochRecord, GridRow } from '../../src/core/events';
import type { RunRecord } from '../../src/core/records';
import { memoryStorage } from '../../src/platform/memoryStorage';
import { initialLabState, reduceLab, type LabState } from '../../src/state/labState';
import {
  etaSeconds,
  newRunView,
  reduceRun,
  runProgress,
  runViewFromRecord,
  type RunView,
} from '../../src/state/runView';
import { setPath } from '../../src/core/config/paths';
import { createLab, eventBuffer } from '../../src/state/store';
import { calibrationFor, runBackends } from '../../src/state/calibration';
import type { LabClient } from '../../src/worker/lab/client';
import type { WorkerCommand, WorkerEvent } from '../../src/worker/lab/protocol';
import { appendLossPoint, MAX_LOSS_POINTS } from '../../src/core/results/series';

const cfg = presetConfig('fixture-tiny'); // 96 train images, batch 16 → 6 steps per epoch
const STAGES: StageName[] = ['teacher', 'student', 'studentOther', 'standard', 'triplet', 'control'];
const EPOCHS: Record<StageName, number> = {
  teacher: 2,
  student: 1,
  studentOther: 1,
  standard: 1,
  triplet: 1,
  control: 1,
};

function epochRecord(stage: StageName, epoch: number, acc = 0.5): EpochRecord {
  return {
    stage,
    epoch,
    train: { count: 96, loss: 1, accuracy: acc },
    val: { count: 32, loss: 1, accuracy: acc },
    learningRate: 1e-3,
    losses: { total: 1, task: 1 },
    trainMs: 10,
    miningMs: 0,
    imagesPerSec: 100,
    best: true,
  };
}
function row(model: StageName, test: 'full' | 'lower' | 'upper'): GridRow {
  return { model, label: model, train: 'full', test, metrics: { count: 32, loss: 1, accuracy: 0.4 }, predictions: [] };
}

/** The events a fixture-tiny run emits, stage by stage. */
function runEvents(stages = STAGES): CurriculumEvent[] {
  const out: CurriculumEvent[] = [{ type: 'runStart', config: cfg, backend: 'webgpu', stages }];
  for (const stage of stages) {
    out.push({ type: 'stageStart', stage, label: stage, epochs: EPOCHS[stage], stepsPerEpoch: 6, visibility: 'lower' });
    for (let epoch = 0; epoch < EPOCHS[stage]; epoch++) {
      for (let step = 1; step <= 6; step++) {
        const losses =
          stage === 'triplet'
            ? { total: 1, task: 0.8, triplet: 0.2 }
            : stage === 'standard'
              ? { total: 1, task: 0.9, kd: 0.3 }
              : { total: 1, task: 1 };
        out.push({ type: 'batchEnd', stage, epoch, step, stepsPerEpoch: 6, losses, imagesPerSec: 200 });
      }
      out.push({ type: 'epochEnd', record: epochRecord(stage, epoch) });
    }
    out.push({
      type: 'stageEnd',
      stage,
      bestEpoch: EPOCHS[stage] - 1,
      ms: 100,
      stoppedEarly: null,
      epochsRun: EPOCHS[stage],
      earlyStopped: false,
    });
    const tests = stage === 'teacher' ? (['full', 'lower', 'upper'] as const) : (['lower'] as const);
    for (const t of tests) out.push({ type: 'result', row: row(stage, t) });
  }
  out.push({ type: 'runEnd', ms: 1000 });
  return out;
}

describe('reduceRun', () => {
  it('follows a whole run: stage timeline, history, grid rows, loss series', () => {
    const v = runEvents().reduce(reduceRun, newRunView('r1', cfg));
    expect(v.stages).toEqual(STAGES);
    for (const s of STAGES) expect(v.stageInfo[s]!.status).toBe('done');
    expect(v.history).toHaveLength(7);
    expect(v.rows).toHaveLength(8);
    expect(v.losses).toHaveLength(7 * 6);
    expect(v.losses.filter((p) => p.kd !== undefined)).toHaveLength(6);
    expect(v.losses.filter((p) => p.triplet !== undefined)).toHaveLength(6);
    expect(v.backend).toBe('webgpu');
    expect(runProgress(v)).toBe(1);
    expect(v.current).toBeNull();
  });

  it('tracks the stage in progress and estimates the time left from the training speed', () => {
    const evs = runEvents();
    const upTo = evs.findIndex((e) => e.type === 'batchEnd' && e.stage === 'teacher' && e.epoch === 1 && e.step === 3);
    const v = evs.slice(0, upTo + 1).reduce(reduceRun, newRunView('r1', cfg));
    expect(v.current).toBe('teacher');
    expect(v.stageInfo.teacher).toMatchObject({ status: 'running', epoch: 1, step: 3 });
    expect(v.stageInfo.student!.status).toBe('pending');
    // Left: 3 teacher steps + 5 stages × 1 epoch × 6 steps, 16 images each, at 200 images/s.
    expect(etaSeconds(v)).toBeCloseTo(((3 + 5 * 6) * 16) / 200, 6);
    expect(runProgress(v)).toBeCloseTo(9 / 42, 6);
  });

  it('replaying epochs and results after a resume replaces them instead of duplicating', () => {
    const evs = runEvents();
    let v = evs.reduce(reduceRun, newRunView('r1', cfg));
    v = reduceRun(v, { type: 'epochEnd', record: epochRecord('teacher', 1, 0.9) });
    v = reduceRun(v, {
      type: 'result',
      row: { ...row('teacher', 'full'), metrics: { count: 32, loss: 1, accuracy: 0.99 } },
    });
    expect(v.history).toHaveLength(7);
    expect(v.history.find((h) => h.stage === 'teacher' && h.epoch === 1)!.val.accuracy).toBe(0.9);
    expect(v.rows).toHaveLength(8);
    expect(v.rows[0].metrics.accuracy).toBe(0.99);
  });

  it('a resumed run starts from the stored record: finished stages stay done, the chart goes on', () => {
    const evs = runEvents();
    const cut = evs.findIndex((e) => e.type === 'stageStart' && e.stage === 'studentOther');
    const before = evs.slice(0, cut).reduce(reduceRun, newRunView('r1', cfg));
    const record: RunRecord = {
      id: 'r1',
      name: cfg.name,
      config: cfg,
      datasetId: 'd',
      createdAt: 1,
      updatedAt: 2,
      status: 'interrupted',
      message: 'reload',
      backend: 'webgpu',
      skipped: [],
      stages: STAGES,
      history: before.history,
      rows: before.rows,
      losses: before.losses,
      stageMs: { teacher: 100, student: 100 },
      checkpoint: { stage: 'student', epoch: -1, steps: before.steps, savedAt: 3 },
      elapsedMs: 50,
    };
    let v: RunView = runViewFromRecord(record);
    expect(v.stageInfo.teacher!.status).toBe('done');
    expect(v.stageInfo.student!.status).toBe('done');
    expect(v.stageInfo.studentOther!.status).toBe('pending');
    expect(v.steps).toBe(18);
    // The core announces the resume, then runs only what is left.
    v = [
      {
        type: 'runStart',
        config: cfg,
        backend: 'wasm',
        stages: STAGES,
        resumedFrom: { stage: 'student', epoch: -1 },
      } as CurriculumEvent,
      ...evs.slice(cut),
    ].reduce(reduceRun, v);
    expect(v.backend).toBe('wasm');
    expect(v.history).toHaveLength(7);
    expect(v.rows).toHaveLength(8);
    expect(v.losses.map((p) => p.x)).toEqual(Array.from({ length: 42 }, (_, i) => i));
    for (const s of STAGES) expect(v.stageInfo[s]!.status).toBe('done');
  });
});

describe('loss series', () => {
  it('stays within MAX_LOSS_POINTS and keeps the same points whatever the batching', () => {
    let a: ReturnType<typeof appendLossPoint> = [];
    for (let x = 0; x < 5000; x++) a = appendLossPoint(a, { x, stage: 'teacher', epoch: 0, total: x, task: x });
    expect(a.length).toBeLessThanOrEqual(MAX_LOSS_POINTS);
    expect(a.length).toBeGreaterThan(MAX_LOSS_POINTS / 2);
    const stride = a[1].x - a[0].x;
    expect(a.every((p) => p.x % stride === 0)).toBe(true);
    expect(a[0].x).toBe(0);
  });
});

function lab(): LabState {
  return initialLabState(cfg, 'fixture-tiny');
}

describe('reduceLab', () => {
  it('starts with the errors of the config it is given', () => {
    const bad = { ...cfg, triplet: { ...cfg.triplet, margin: 9 } };
    expect(initialLabState(bad, null).experiment.errors).toEqual([
      { field: 'triplet.margin', message: 'must be between 0 and 2 (got 9)' },
    ]);
    expect(lab().experiment.errors).toEqual([]);
  });

  it("shows the backend that runs and why the others were skipped; ignores other runs' events", () => {
    let s: LabState = { ...lab(), run: newRunView('r1', cfg) };
    s = reduceLab(s, {
      type: 'backend',
      runId: 'r1',
      name: 'webgl',
      skipped: [{ name: 'webgpu', reason: 'no WebGPU adapter' }],
    });
    expect(s.run!.backend).toBe('webgl');
    expect(s.run!.skipped[0].reason).toBe('no WebGPU adapter');
    const same = reduceLab(s, { type: 'events', runId: 'other', events: runEvents() });
    expect(same).toBe(s);
  });

  it('a worker crash keeps the run, says why, and offers to resume it', () => {
    let s: LabState = {
      ...lab(),
      run: { ...newRunView('r1', cfg), status: 'running' },
      runs: [
        {
          id: 'r1',
          name: 'x',
          status: 'running',
          message: null,
          createdAt: 1,
          backend: 'webgpu',
          task: 'expression',
          scenario: 'lower',
          rows: 0,
          checkpoint: null,
        },
      ],
    };
    s = reduceLab(s, { type: 'crashed', message: 'The training worker stopped: out of memory.' });
    expect(s.run!.status).toBe('interrupted');
    expect(s.run!.message).toMatch(/out of memory.*kept/);
    expect(s.resumable?.id).toBe('r1');
    expect(s.worker.crashed).toMatch(/out of memory/);
    expect(s.notices.at(-1)!.level).toBe('error');
  });

  it('a lost device reported by the worker makes the run resumable', () => {
    let s: LabState = {
      ...lab(),
      run: { ...newRunView('r1', cfg), status: 'running' },
      runs: [
        {
          id: 'r1',
          name: 'x',
          status: 'running',
          message: null,
          createdAt: 1,
          backend: 'webgpu',
          task: 'expression',
          scenario: 'lower',
          rows: 0,
          checkpoint: null,
        },
      ],
    };
    s = reduceLab(s, { type: 'checkpoint', runId: 'r1', stage: 'teacher', epoch: 1, ms: 5 });
    s = reduceLab(s, {
      type: 'runState',
      runId: 'r1',
      status: 'interrupted',
      message: 'The WebGPU device was lost (destroyed).',
    });
    expect(s.run!.lastCheckpoint).toEqual({ stage: 'teacher', epoch: 1 });
    expect(s.resumable).toMatchObject({ id: 'r1', status: 'interrupted', checkpoint: { stage: 'teacher', epoch: 1 } });
    s = reduceLab(s, { type: 'runState', runId: 'r1', status: 'starting', message: null });
    expect(s.resumable).toBeNull();
  });

  it('dataset progress, then the stored dataset in the list', () => {
    let s = reduceLab(lab(), { type: 'datasetProgress', datasetId: 'd', phase: 'generating', done: 5, total: 10 });
    expect(s.datasets.progress).toMatchObject({ done: 5, total: 10 });
    const meta = {
      id: 'd',
      name: 'n',
      source: 'synth' as const,
      synth: null,
      height: 16,
      width: 16,
      channels: 1 as const,
      tasks: [],
      classNames: {},
      splits: {} as never,
      bytes: 1,
      createdAt: 1,
      complete: true,
    };
    s = reduceLab(s, { type: 'datasetReady', meta, created: true });
    expect(s.datasets.progress).toBeNull();
    expect(s.datasets.list.map((d) => d.id)).toEqual(['d']);
  });
});

function fakeClient(): LabClient & { sent: WorkerCommand[]; emit(e: WorkerEvent): void } {
  const subs = new Set<(e: WorkerEvent) => void>();
  const sent: WorkerCommand[] = [];
  return {
    kind: 'worker',
    sent,
    send: (c) => {
      sent.push(c);
    },
    subscribe: (fn) => {
      subs.add(fn);
      return () => subs.delete(fn);
    },
    restart: () => {},
    terminate: () => {},
    emit: (e) => {
      for (const f of subs) f(e);
    },
  };
}

describe('the store', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('eventBuffer hands over everything pushed within the interval in one batch', () => {
    vi.useFakeTimers();
    const batches: number[][] = [];
    const b = eventBuffer<number>((xs) => batches.push(xs), 100);
    for (let i = 0; i < 50; i++) b.push(i);
    expect(batches).toHaveLength(0);
    vi.advanceTimersByTime(100);
    expect(batches).toEqual([Array.from({ length: 50 }, (_, i) => i)]);
  });

  it('applies a burst of worker events in one update, not one per event', () => {
    vi.useFakeTimers();
    const client = fakeClient();
    const { store, actions } = createLab({ client, storage: memoryStorage(), flushMs: 100 }, lab());
    const runId = actions.startRun();
    expect(runId).toBeTruthy();
    const start = client.sent.find((c) => c.type === 'start')!;
    expect(start).toMatchObject({ type: 'start', backends: ['webgpu', 'webgl', 'wasm', 'cpu'] });
    let updates = 0;
    store.subscribe(() => {
      updates++;
    });
    const evs = runEvents();
    for (const e of evs) client.emit({ type: 'events', runId: runId!, events: [e] });
    expect(updates).toBe(0);
    vi.advanceTimersByTime(100);
    expect(updates).toBe(1);
    expect(store.getState().run!.rows).toHaveLength(8);
    expect(store.getState().tab).toBe('monitor');
    actions.dispose();
  });

  it('auto tries last the backends its calibration measured slower; a named backend alone', () => {
    const key = calibrationFor(cfg, 'auto')!.key;
    const costs = {
      [key]: {
        trainMsPerImage: 4,
        evalMsPerImage: 1,
        backend: 'wasm',
        why: 'wasm, the fastest measured for this model here',
        slower: ['webgpu'],
      },
    };
    const calibrations = { costs, pending: [], failed: {} };
    expect(runBackends({ backendChoice: 'auto', calibrations }, cfg)).toEqual(['webgl', 'wasm', 'cpu', 'webgpu']);
    // Not yet timed (or another model): the usual order.
    expect(runBackends({ backendChoice: 'auto', calibrations: { ...calibrations, costs: {} } }, cfg)).toEqual([
      'webgpu',
      'webgl',
      'wasm',
      'cpu',
    ]);
    expect(runBackends({ backendChoice: 'webgl', calibrations }, cfg)).toEqual(['webgl']);
  });

  it('refuses an imported config with a __proto__ key or absurd nesting in a notice, keeping the current config', () => {
    const client = fakeClient();
    const { store, actions } = createLab({ client, storage: memoryStorage(), flushMs: 10 }, lab());
    const before = store.getState().experiment.config;
    expect(actions.importConfig('{"__proto__": {"sweep": {"path": "triplet.margin", "values": [9]}}}')).toBe(false);
    expect(store.getState().notices.at(-1)!.text).toMatch(/__proto__: is not allowed as a setting name/);
    expect(actions.importConfig(`{"name": ${'['.repeat(50_000)}${']'.repeat(50_000)}}`)).toBe(false);
    expect(store.getState().notices.at(-1)!.text).toMatch(/is nested more than 16 levels deep/);
    expect(store.getState().experiment.config).toBe(before);
    actions.dispose();
  });

  it('validates every edit in the store and refuses to start while the config is wrong', () => {
    vi.useFakeTimers();
    const client = fakeClient();
    const { store, actions } = createLab({ client, storage: memoryStorage(), flushMs: 10 }, lab());
    actions.setField('triplet.margin', 9);
    expect(store.getState().experiment.errors).toEqual([
      { field: 'triplet.margin', message: 'must be between 0 and 2 (got 9)' },
    ]);
    expect(client.sent).toEqual([]); // no round trip through the worker
    expect(actions.startRun()).toBeNull();
    actions.setBackendChoice('wasm');
    actions.setField('triplet.margin', 0.2);
    expect(store.getState().experiment.errors).toEqual([]);
    expect(actions.startRun()).toBeTruthy();
    expect(client.sent.at(-1)).toMatchObject({ type: 'start', backends: ['wasm'] });
    actions.dispose();
  });

  it('on boot, a run stored as going is marked interrupted and offered for resume', async () => {
    const storage = memoryStorage();
    const rec: RunRecord = {
      id: 'r9',
      name: 'n',
      config: cfg,
      datasetId: 'd',
      createdAt: 5,
      updatedAt: 6,
      status: 'running',
      message: null,
      backend: 'webgpu',
      skipped: [],
      stages: STAGES,
      history: [],
      rows: [],
      losses: [],
      stageMs: {},
      checkpoint: { stage: 'teacher', epoch: 1, steps: 6, savedAt: 7 },
      elapsedMs: 0,
    };
    await storage.putRun(rec);
    const client = fakeClient();
    const { store, actions } = createLab({ client, storage, flushMs: 10 }, lab());
    await actions.boot();
    expect(store.getState().resumable).toMatchObject({ id: 'r9', status: 'interrupted' });
    expect((await storage.getRun('r9'))!.status).toBe('interrupted');
    expect(client.sent.map((c) => c.type)).toEqual(['ensureDataset']);
    await actions.resumeRun('r9');
    expect(client.sent.at(-1)).toEqual({
      type: 'resumeRun',
      runId: 'r9',
      backends: ['webgpu', 'webgl', 'wasm', 'cpu'],
    });
    expect(store.getState().run!.stageInfo.teacher!.epoch).toBe(0);
    actions.dispose();
  });

  it('a run a worker still holds (another tab, or the reloading page letting go) is offered only once freed', async () => {
    const storage = memoryStorage();
    const rec: RunRecord = {
      id: 'r7',
      name: 'n',
      config: cfg,
      datasetId: 'd',
      createdAt: 5,
      updatedAt: 6,
      status: 'running',
      message: null,
      backend: 'webgpu',
      skipped: [],
      stages: STAGES,
      history: [],
      rows: [],
      losses: [],
      stageMs: {},
      checkpoint: null,
      elapsedMs: 0,
    };
    await storage.putRun(rec);
    let free!: () => void;
    const freed = new Promise<void>((r) => {
      free = r;
    });
    const { store, actions } = createLab(
      {
        client: fakeClient(),
        storage,
        flushMs: 10,
        runsInProgress: async () => new Set(['r7']),
        whenRunFree: () => freed,
      },
      lab(),
    );
    await actions.boot();
    expect(store.getState().resumable).toBeNull();
    expect((await storage.getRun('r7'))!.status).toBe('running');
    free();
    await new Promise((r) => setTimeout(r, 20));
    expect(store.getState().resumable).toMatchObject({ id: 'r7', status: 'interrupted' });
    expect((await storage.getRun('r7'))!.status).toBe('interrupted');
    actions.dispose();
  });

  it('setPath sets a dotted field without touching the rest', () => {
    const out = setPath(cfg, 'standard.lambda', 0.7);
    expect(out.standard.lambda).toBe(0.7);
    expect(cfg.standard.lambda).toBe(0.3);
    expect(out.triplet).toBe(cfg.triplet);
  });
});

describe('run clock and dataset progress', () => {
  it('adds each running session to the training time; reading a stored dataset clears its bar', () => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
    let s: LabState = { ...lab(), run: newRunView('r1', cfg) };
    s = reduceLab(s, { type: 'runState', runId: 'r1', status: 'running', message: null });
    vi.setSystemTime(1_004_000);
    s = reduceLab(s, { type: 'runState', runId: 'r1', status: 'paused', message: null });
    expect(s.run!.elapsedMs).toBe(4000);
    vi.setSystemTime(1_010_000);
    s = reduceLab(s, { type: 'runState', runId: 'r1', status: 'running', message: null });
    vi.setSystemTime(1_011_000);
    s = reduceLab(s, { type: 'runState', runId: 'r1', status: 'done', message: null });
    expect(s.run!.elapsedMs).toBe(5000);
    expect(s.run!.sessionStartedAt).toBeNull();
    s = reduceLab(s, { type: 'datasetProgress', datasetId: 'd', phase: 'loading', done: 1, total: 3 });
    expect(s.datasets.progress).not.toBeNull();
    s = reduceLab(s, { type: 'datasetProgress', datasetId: 'd', phase: 'loading', done: 3, total: 3 });
    expect(s.datasets.progress).toBeNull();
    vi.useRealTimers();
  });
});
