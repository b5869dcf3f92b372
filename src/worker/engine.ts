// The lab's work, shared by the worker entry and the main-thread fallback: validation, datasets
// (generated into storage, read back from it), previews, and curriculum runs with pause/cancel,
// a stored checkpoint after every epoch, resume, and WebGPU device-loss handling. It talks only through
// protocol messages (`post`) and the injected storage and backend selector.
import * as tf from '@tensorflow/tfjs';
import type { ExperimentConfig, StageName, SynthDatasetConfig } from '../core/config/config';
import { configErrors, ConfigValidationError } from '../core/config';
import { occluded } from '../core/data/occlusion';
import type { Checkpoint } from '../core/distill/checkpoint';
import { disposeModels, runCurriculum, STAGE_LABEL, type CurriculumHooks } from '../core/distill/curriculum';
import { curriculumStages } from '../core/distill/schedule';
import type { CurriculumEvent } from '../core/events';
import type { LabStorage, ModelRecord, RunRecord } from '../platform/browser/storage';
import { ensureSynthDataset, loadSplits, synthDatasetId } from './datasets';
import { camSheet, exportRunModel, importModelFiles, loadStoredModel } from './explain';
import { BACKEND_ORDER, type BackendName, type WorkerCommand, type WorkerEvent } from './protocol';
import { appendLossPoint } from './series';

export interface EngineDeps {
  storage: LabStorage;
  /** Starts the first backend of `order` that works (platform/backend.ts selectBackend). */
  selectBackend: (order: BackendName[]) => Promise<{ name: BackendName; skipped: { name: BackendName; reason: string }[] }>;
  post: (e: WorkerEvent) => void;
  /** Curriculum events are sent at most this often, batched (default 100 ms). */
  flushMs?: number;
  /** Marks the run as being trained until `until` settles (Web Locks in the browser), so other tabs
   *  do not offer to resume it. */
  holdRunLock?: (runId: string, until: Promise<void>) => void;
}

interface ActiveRun {
  runId: string;
  controller: AbortController;
  pause: { promise: Promise<void>; resolve: () => void } | null;
  record: RunRecord | null;
  /** Batches trained so far over the whole run (the loss chart's x). */
  steps: number;
  sessionStart: number;
  lastYield: number;
  /** Set once the run has been reported as ended (device lost), so late errors are ignored. */
  finished: boolean;
  buffer: CurriculumEvent[];
  lastFlush: number;
  timer: ReturnType<typeof setTimeout> | null;
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());
const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
/** Lets queued messages (pause, cancel) in between synchronous backends' microtask-only awaits. */
const yieldToEventLoop = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

interface GpuDeviceLike {
  lost: Promise<{ reason?: string; message?: string }>;
  destroy(): void;
}
function webgpuDevice(): GpuDeviceLike | null {
  if (tf.getBackend() !== 'webgpu') return null;
  return (tf.backend() as unknown as { device?: GpuDeviceLike }).device ?? null;
}

/** Saves a trained model as tfjs LayersModel artifacts (model.json parts + joined weights). */
async function modelRecord(model: tf.LayersModel, runId: string, stage: StageName): Promise<ModelRecord> {
  let rec: ModelRecord | null = null;
  await model.save(tf.io.withSaveHandler(async (a) => {
    rec = {
      runId, stage,
      modelTopology: a.modelTopology,
      weightSpecs: a.weightSpecs ?? [],
      weightData: tf.io.CompositeArrayBuffer.join(a.weightData ?? new ArrayBuffer(0)),
      format: a.format ?? 'layers-model',
      generatedBy: a.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
      savedAt: Date.now(),
    };
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return rec!;
}

export class LabEngine {
  private active: ActiveRun | null = null;
  private readonly ensuring = new Map<string, Promise<string>>();
  private readonly flushMs: number;
  private backendReady = false;

  constructor(private readonly deps: EngineDeps) {
    this.flushMs = deps.flushMs ?? 100;
    deps.post({ type: 'ready', stageLabels: STAGE_LABEL, tfjs: tf.version.tfjs });
  }

  /** Handles one command; resolves when its work is done (a run: when it has ended). */
  async handle(cmd: WorkerCommand): Promise<void> {
    try {
      switch (cmd.type) {
        case 'validate':
          this.deps.post({ type: 'validation', requestId: cmd.requestId, errors: configErrors(cmd.config) });
          return;
        case 'ensureDataset':
          await this.ensureDataset(cmd.dataset);
          return;
        case 'preview':
          await this.preview(cmd);
          return;
        case 'start':
          return await this.execute(cmd.runId, cmd.config, cmd.backends, false);
        case 'resumeRun':
          return await this.execute(cmd.runId, null, cmd.backends, true);
        case 'pause':
          return await this.pause();
        case 'resume':
          return await this.unpause();
        case 'cancel':
          if (this.active) {
            this.active.controller.abort();
            this.active.pause?.resolve();
          }
          return;
        case 'gradcam': {
          const { type: _t, requestId, ...req } = cmd;
          await this.ensureBackend();
          const sheet = await camSheet(this.deps.storage, req);
          this.deps.post({ type: 'gradcam', requestId, backend: tf.getBackend(), ...sheet });
          return;
        }
        case 'importModel': {
          const meta = await importModelFiles(this.deps.storage, cmd.files);
          this.deps.post({ type: 'modelImported', requestId: cmd.requestId, meta });
          return;
        }
        case 'exportModel': {
          const { name, bytes } = await exportRunModel(this.deps.storage, cmd.runId, cmd.stage);
          this.deps.post({ type: 'modelExport', requestId: cmd.requestId, name, bytes });
          return;
        }
        case 'loseDevice': {
          const d = webgpuDevice();
          if (!d) throw new Error('loseDevice: the running backend is not WebGPU');
          d.destroy();
          return;
        }
      }
    } catch (e) {
      const requestId = 'requestId' in cmd ? cmd.requestId : undefined;
      this.deps.post({ type: 'error', message: message(e), command: cmd.type, ...(typeof requestId === 'number' ? { requestId } : {}) });
    }
  }

  /** A backend for work outside a run (Grad-CAM): the one in use, or the first that starts. */
  private async ensureBackend(): Promise<void> {
    if (this.backendReady) return;
    await this.deps.selectBackend([...BACKEND_ORDER]);
    this.backendReady = true;
  }

  private ensureDataset(ds: SynthDatasetConfig): Promise<string> {
    const id = synthDatasetId(ds);
    let p = this.ensuring.get(id);
    if (!p) {
      p = ensureSynthDataset(this.deps.storage, ds, (phase, done, total) =>
        this.deps.post({ type: 'datasetProgress', datasetId: id, phase, done, total }),
      ).then(({ meta, created }) => {
        this.deps.post({ type: 'datasetReady', meta, created });
        return meta.id;
      }).finally(() => this.ensuring.delete(id));
      this.ensuring.set(id, p);
    }
    return p;
  }

  private async preview(cmd: Extract<WorkerCommand, { type: 'preview' }>): Promise<void> {
    const meta = await this.deps.storage.getDataset(cmd.datasetId);
    const chunk = await this.deps.storage.getChunk(cmd.datasetId, cmd.split, 0);
    if (!meta || !chunk) throw new Error(`The dataset "${cmd.datasetId}" is not stored.`);
    const n = Math.max(0, Math.min(cmd.count, chunk.count));
    const imgLen = meta.height * meta.width * meta.channels;
    const pixels = occluded(chunk.pixels.slice(0, n * imgLen), n, meta.height, meta.width, meta.channels, cmd.visibility);
    const labels = Array.from({ length: n }, (_, i) => [
      chunk.expression ? meta.classNames.expression?.[chunk.expression[i]] : null,
      chunk.gender ? meta.classNames.gender?.[chunk.gender[i]] : null,
      chunk.age ? `${Math.round(chunk.age[i])} y` : null,
    ].filter(Boolean).join(', '));
    this.deps.post({
      type: 'preview', requestId: cmd.requestId, datasetId: cmd.datasetId, split: cmd.split, visibility: cmd.visibility,
      height: meta.height, width: meta.width, channels: meta.channels, count: n, pixels, labels,
    });
  }

  private async pause(): Promise<void> {
    const a = this.active;
    if (!a || a.pause || a.finished) return;
    let resolve!: () => void;
    const promise = new Promise<void>((r) => { resolve = r; });
    a.pause = { promise, resolve };
    this.flush(a);
    if (a.record) {
      a.record.status = 'paused';
      await this.saveRecord(a);
    }
    this.deps.post({ type: 'runState', runId: a.runId, status: 'paused', message: null });
  }

  private async unpause(): Promise<void> {
    const a = this.active;
    if (!a?.pause) return;
    a.pause.resolve();
    a.pause = null;
    if (a.record) {
      a.record.status = 'running';
      await this.saveRecord(a);
    }
    this.deps.post({ type: 'runState', runId: a.runId, status: 'running', message: null });
  }

  private async saveRecord(a: ActiveRun): Promise<void> {
    if (!a.record) return;
    const t = now();
    a.record.elapsedMs += t - a.sessionStart;
    a.sessionStart = t;
    a.record.updatedAt = Date.now();
    await this.deps.storage.putRun(a.record);
  }

  private flush(a: ActiveRun): void {
    if (a.timer) { clearTimeout(a.timer); a.timer = null; }
    if (!a.buffer.length) return;
    const events = a.buffer;
    a.buffer = [];
    a.lastFlush = now();
    this.deps.post({ type: 'events', runId: a.runId, events });
  }

  /** Takes one curriculum event: keeps the run record current and forwards it (batched). */
  private onEvent(a: ActiveRun, e: CurriculumEvent): void {
    if (a.finished) return;
    const r = a.record!;
    switch (e.type) {
      case 'runStart':
        r.stages = e.stages;
        break;
      case 'batchEnd':
        r.losses = appendLossPoint(r.losses, { x: a.steps, stage: e.stage, epoch: e.epoch, ...e.losses });
        a.steps++;
        break;
      case 'epochEnd': {
        const i = r.history.findIndex((h) => h.stage === e.record.stage && h.epoch === e.record.epoch);
        if (i >= 0) r.history[i] = e.record;
        else r.history.push(e.record);
        break;
      }
      case 'result': {
        const i = r.rows.findIndex((x) => x.model === e.row.model && x.test === e.row.test);
        if (i >= 0) r.rows[i] = e.row;
        else r.rows.push(e.row);
        break;
      }
      case 'stageEnd':
        r.stageMs[e.stage] = e.ms;
        break;
      default:
        break;
    }
    a.buffer.push(e);
    if (e.type !== 'batchEnd' || now() - a.lastFlush >= this.flushMs) this.flush(a);
    else a.timer ??= setTimeout(() => this.flush(a), this.flushMs);
  }

  private async onCheckpoint(a: ActiveRun, cp: Checkpoint): Promise<void> {
    if (a.finished || a.controller.signal.aborted) return; // weights after a lost device are not to be trusted
    const t0 = now();
    const r = a.record!;
    const stage = cp.progress?.stage ?? cp.done[cp.done.length - 1] ?? 'teacher';
    const epoch = cp.progress ? cp.progress.nextEpoch : -1;
    r.checkpoint = { stage, epoch, steps: a.steps, savedAt: Date.now() };
    r.history = [...cp.history];
    r.rows = [...cp.rows];
    r.stageMs = { ...cp.stageMs };
    const t = now();
    r.elapsedMs += t - a.sessionStart;
    a.sessionStart = t;
    r.updatedAt = Date.now();
    await this.deps.storage.putRunAndCheckpoint(r, { runId: a.runId, savedAt: Date.now(), stage, epoch, checkpoint: cp });
    this.flush(a);
    this.deps.post({ type: 'checkpoint', runId: a.runId, stage, epoch, ms: now() - t0 });
  }

  /** The device is gone: the run ends now (its promise may never settle), kept as interrupted. */
  private async onDeviceLost(a: ActiveRun, info: { reason?: string; message?: string }): Promise<void> {
    if (a.finished) return;
    a.finished = true;
    a.controller.abort();
    a.pause?.resolve();
    this.flush(a);
    const msg = `The WebGPU device was lost (${info.reason ?? 'unknown reason'}${info.message ? `: ${info.message}` : ''}). `
      + 'The run is kept up to its last checkpoint; resume it, on another backend if WebGPU keeps failing.';
    if (a.record) {
      a.record.status = 'interrupted';
      a.record.message = msg;
      await this.saveRecord(a).catch(() => {});
    }
    if (this.active === a) this.active = null;
    this.deps.post({ type: 'runState', runId: a.runId, status: 'interrupted', message: msg });
  }

  private async execute(runId: string, config: ExperimentConfig | null, backends: BackendName[], resume: boolean): Promise<void> {
    if (this.active) throw new Error(`A run (${this.active.runId}) is already going: cancel it first.`);
    const t = now();
    const a: ActiveRun = {
      runId, controller: new AbortController(), pause: null, record: null, steps: 0, sessionStart: t, lastYield: t,
      finished: false, buffer: [], lastFlush: 0, timer: null,
    };
    this.active = a;
    const { storage, post } = this.deps;
    let release!: () => void;
    this.deps.holdRunLock?.(runId, new Promise<void>((r) => { release = r; }));
    post({ type: 'runState', runId, status: 'starting', message: null });
    let backend: string | null = null;
    let device: GpuDeviceLike | null = null;
    try {
      let cp: Checkpoint | undefined;
      let stored: RunRecord | undefined;
      if (resume) {
        stored = await storage.getRun(runId);
        if (!stored) throw new Error(`There is no stored run "${runId}" to resume.`);
        config = stored.config;
        cp = (await storage.getCheckpoint(runId))?.checkpoint as Checkpoint | undefined;
      }
      const cfg = config!;
      const errors = configErrors(cfg);
      if (errors.length) throw new ConfigValidationError(errors);
      if (cfg.dataset.source === 'file') {
        throw new Error(`dataset.source "file" (${cfg.dataset.path}) is for the headless runner: in the lab, import the file in the `
          + 'Datasets panel, then choose the stored dataset in the Experiment panel.');
      }
      const datasetId = cfg.dataset.source === 'synth' ? await this.ensureDataset(cfg.dataset) : cfg.dataset.id;
      const { meta, data } = await loadSplits(storage, datasetId, (phase, done, total) => post({ type: 'datasetProgress', datasetId, phase, done, total }));
      if (!meta.tasks.includes(cfg.task)) {
        throw new Error(`The dataset "${meta.name}" has labels for ${meta.tasks.join(' and ')}; the experiment's task is ${cfg.task}. `
          + 'Choose one of those tasks in the Experiment panel.');
      }
      if (a.controller.signal.aborted) throw Object.assign(new Error('The run was cancelled.'), { name: 'AbortError' });
      const be = await this.deps.selectBackend(backends);
      this.backendReady = true;
      backend = be.name;
      post({ type: 'backend', runId, name: be.name, skipped: be.skipped });

      a.steps = cp && stored?.checkpoint ? stored.checkpoint.steps : 0;
      const base: RunRecord = stored ?? {
        id: runId, name: cfg.name, config: cfg, datasetId, createdAt: Date.now(), updatedAt: Date.now(),
        status: 'running', message: null, backend: null, skipped: [], stages: curriculumStages(cfg),
        history: [], rows: [], losses: [], stageMs: {}, checkpoint: null, elapsedMs: 0,
      };
      a.record = {
        ...base, status: 'running', message: null, backend: be.name, skipped: be.skipped, datasetId,
        history: cp ? [...cp.history] : [], rows: cp ? [...cp.rows] : [], stageMs: cp ? { ...cp.stageMs } : {},
        losses: cp ? base.losses.filter((p) => p.x < a.steps) : [],
        checkpoint: cp ? base.checkpoint : null,
      };
      a.sessionStart = now();
      await storage.putRun(a.record);
      post({ type: 'runState', runId, status: 'running', message: null, record: structuredClone(a.record) });

      device = webgpuDevice();
      void device?.lost.then((info) => this.onDeviceLost(a, info));

      const hooks: CurriculumHooks = {
        emit: (e) => this.onEvent(a, e),
        signal: a.controller.signal,
        backend: be.name,
        pauseGate: async () => {
          if (now() - a.lastYield > 40) {
            await yieldToEventLoop();
            a.lastYield = now();
          }
          if (a.pause) await a.pause.promise;
        },
        onCheckpoint: (c) => this.onCheckpoint(a, c),
      };
      let initial: tf.LayersModel | null = null;
      if (cfg.teacherInit && !cp) {
        const rec = await storage.getModel(cfg.teacherInit, 'teacher');
        if (!rec) throw new Error(`The imported model "${cfg.teacherInit}" the teacher should start from is not stored (deleted?). Choose another in the Experiment panel.`);
        initial = await loadStoredModel(rec);
        hooks.initialTeacher = initial;
      }
      let result;
      try {
        result = await runCurriculum(cfg, data, hooks, cp);
      } finally {
        initial?.dispose();
      }
      if (a.finished) {
        disposeModels(result.models);
        return;
      }
      try {
        for (const [stage, model] of Object.entries(result.models) as [StageName, tf.LayersModel][]) {
          await storage.putModel(await modelRecord(model, runId, stage));
        }
      } finally {
        disposeModels(result.models);
      }
      this.flush(a);
      const r = a.record;
      Object.assign(r, { status: 'done', message: null, rows: result.rows, history: result.history, stageMs: result.stageMs, checkpoint: null });
      await this.saveRecord(a);
      await storage.deleteCheckpoint(runId);
      post({ type: 'runState', runId, status: 'done', message: null });
    } catch (err) {
      if (a.finished) return;
      // Reads from a lost WebGPU device fail (as AbortError) before device.lost settles: give it a moment,
      // so the run is reported as a lost device, not as a cancel or an obscure error.
      if (device && !a.controller.signal.aborted) {
        await Promise.race([device.lost, new Promise((r) => setTimeout(r, 1000))]);
        await Promise.resolve();
        if (a.finished) return;
      }
      a.finished = true;
      this.flush(a);
      const cancelled = a.controller.signal.aborted;
      const status = cancelled ? 'cancelled' : a.record ? 'interrupted' : 'failed';
      const msg = cancelled
        ? 'Cancelled. The run is kept up to its last checkpoint.'
        : a.record
          ? `The run stopped on the ${backend ?? 'current'} backend: ${message(err)} It is kept up to its last checkpoint; resume it, on another backend if this one keeps failing.`
          : `The run could not start: ${message(err)}`;
      if (a.record) {
        a.record.status = status;
        a.record.message = msg;
        await this.saveRecord(a).catch(() => {});
      }
      post({ type: 'runState', runId, status, message: msg });
    } finally {
      if (a.timer) clearTimeout(a.timer);
      if (this.active === a) this.active = null;
      release?.();
    }
  }
}
