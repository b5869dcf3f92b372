// One curriculum run in the worker, from start (or resume) to its end: the run record and its checkpoints
// in storage, events forwarded to the page in batches, pause / resume / cancel between batches, and a
// lost WebGPU device reported as an interruption. The engine (engine.ts) creates one per run.
import * as tf from '@tensorflow/tfjs';
import type { ExperimentConfig, SynthDatasetConfig } from '../../core/config/config';
import { configErrors, ConfigValidationError } from '../../core/config';
import type { Checkpoint } from '../../core/distill/checkpoint';
import { disposeModels, runCurriculum, type CurriculumHooks } from '../../core/distill/curriculum';
import { budgetRun } from './budgetRun';
import { curriculumStages } from '../../core/distill/schedule';
import { MemoryLimitError, outOfMemoryMessage } from '../../core/distill/memory';
import type { CurriculumEvent } from '../../core/events';
import type { RunRecord } from '../../core/records';
import { foldTrace } from '../../core/results/runTrace';
import type { BackendName } from '../../core/backends';
import type { StageName } from '../../core/config/config';
import { loadSplits } from '../../platform/datasets';
import { loadStoredModel, modelRecord } from '../models';
import { errorMessage } from '../../core/errors';
import { now } from '../../core/distill/context';
import type { EngineDeps } from './deps';
import { webgpuDevice, yieldToEventLoop, type GpuDeviceLike } from './webgpu';

export class RunSession {
  readonly controller = new AbortController();
  pauseGate: { promise: Promise<void>; resolve: () => void } | null = null;
  record: RunRecord | null = null;
  /** Batches trained so far over the whole run (the loss chart's x). */
  steps = 0;
  sessionStart = now();
  lastYield = now();
  /** Set once the run has been reported as ended (device lost), so late errors are ignored. */
  finished = false;
  buffer: CurriculumEvent[] = [];
  lastFlush = 0;
  timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly runId: string,
    private readonly deps: EngineDeps,
    private readonly flushMs: number,
    /** The engine's dataset cache (a synthetic dataset is generated once however many ask). */
    private readonly ensureDataset: (ds: SynthDatasetConfig) => Promise<string>,
    /** Told when a backend has been started (Grad-CAM then reuses it). */
    private readonly onBackend: () => void,
    /** Told once when the session ends, whichever way. */
    private readonly onEnd: () => void,
  ) {}

  /** Stops after the current batch (the run is kept up to its last checkpoint). */
  cancel(): void {
    this.controller.abort();
    this.pauseGate?.resolve();
  }

  async pause(): Promise<void> {
    if (this.pauseGate || this.finished) return;
    let resolve!: () => void;
    const promise = new Promise<void>((r) => {
      resolve = r;
    });
    this.pauseGate = { promise, resolve };
    this.flush();
    if (this.record) {
      this.record.status = 'paused';
      await this.saveRecord();
    }
    this.deps.post({ type: 'runState', runId: this.runId, status: 'paused', message: null });
  }

  async unpause(): Promise<void> {
    if (!this.pauseGate) return;
    this.pauseGate.resolve();
    this.pauseGate = null;
    if (this.record) {
      this.record.status = 'running';
      await this.saveRecord();
    }
    this.deps.post({ type: 'runState', runId: this.runId, status: 'running', message: null });
  }

  private async saveRecord(): Promise<void> {
    if (!this.record) return;
    const t = now();
    this.record.elapsedMs += t - this.sessionStart;
    this.sessionStart = t;
    this.record.updatedAt = Date.now();
    await this.deps.storage.putRun(this.record);
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (!this.buffer.length) return;
    const events = this.buffer;
    this.buffer = [];
    this.lastFlush = now();
    this.deps.post({ type: 'events', runId: this.runId, events });
  }

  /** Takes one curriculum event: keeps the run record current and forwards it (batched). */
  private onEvent(e: CurriculumEvent): void {
    if (this.finished) return;
    this.record = foldTrace(this.record!, e, this.steps);
    if (e.type === 'batchEnd') this.steps++;
    this.buffer.push(e);
    if (e.type !== 'batchEnd' || now() - this.lastFlush >= this.flushMs) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  private async onCheckpoint(cp: Checkpoint): Promise<void> {
    if (this.finished || this.controller.signal.aborted) return; // weights after a lost device are not to be trusted
    const t0 = now();
    const r = this.record!;
    const stage = cp.progress?.stage ?? cp.done[cp.done.length - 1] ?? 'teacher';
    const epoch = cp.progress ? cp.progress.nextEpoch : -1;
    r.checkpoint = { stage, epoch, steps: this.steps, savedAt: Date.now() };
    r.history = [...cp.history];
    r.rows = [...cp.rows];
    r.stageMs = { ...cp.stageMs };
    const t = now();
    r.elapsedMs += t - this.sessionStart;
    this.sessionStart = t;
    r.updatedAt = Date.now();
    await this.deps.storage.putRunAndCheckpoint(r, {
      runId: this.runId,
      savedAt: Date.now(),
      stage,
      epoch,
      checkpoint: cp,
    });
    this.flush();
    this.deps.post({ type: 'checkpoint', runId: this.runId, stage, epoch, ms: now() - t0 });
  }

  /** The device is gone: the run ends now (its promise may never settle), kept as interrupted. */
  private async onDeviceLost(info: { reason?: string; message?: string }): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.controller.abort();
    this.pauseGate?.resolve();
    this.flush();
    const msg =
      `The WebGPU device was lost (${info.reason ?? 'unknown reason'}${info.message ? `: ${info.message}` : ''}). ` +
      'The run is kept up to its last checkpoint; resume it, on another backend if WebGPU keeps failing.';
    if (this.record) {
      this.record.status = 'interrupted';
      this.record.message = msg;
      await this.saveRecord().catch(() => {});
    }
    this.onEnd();
    this.deps.post({ type: 'runState', runId: this.runId, status: 'interrupted', message: msg });
  }

  /** Trains the run to its end (done, cancelled, interrupted or failed), keeping its record and
   *  checkpoints in storage and posting its events. */
  async execute(config: ExperimentConfig | null, backends: BackendName[], resume: boolean): Promise<void> {
    const runId = this.runId;
    const { storage, post } = this.deps;
    let release!: () => void;
    this.deps.holdRunLock?.(
      runId,
      new Promise<void>((r) => {
        release = r;
      }),
    );
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
        throw new Error(
          `dataset.source "file" (${cfg.dataset.path}) is for the headless runner: in the lab, import the file in the ` +
            'Datasets panel, then choose the stored dataset in the Experiment panel.',
        );
      }
      const datasetId = cfg.dataset.source === 'synth' ? await this.ensureDataset(cfg.dataset) : cfg.dataset.id;
      const { meta, data } = await loadSplits(storage, datasetId, (phase, done, total) =>
        post({ type: 'datasetProgress', datasetId, phase, done, total }),
      );
      if (!meta.tasks.includes(cfg.task)) {
        throw new Error(
          `The dataset "${meta.name}" has labels for ${meta.tasks.join(' and ')}; the experiment's task is ${cfg.task}. ` +
            'Choose one of those tasks in the Experiment panel.',
        );
      }
      if (this.controller.signal.aborted)
        throw Object.assign(new Error('The run was cancelled.'), { name: 'AbortError' });
      const be = await this.deps.selectBackend(backends);
      this.onBackend();
      backend = be.name;
      post({ type: 'backend', runId, name: be.name, skipped: be.skipped, ...(be.detail ? { detail: be.detail } : {}) });

      this.steps = cp && stored?.checkpoint ? stored.checkpoint.steps : 0;
      const base: RunRecord = stored ?? {
        id: runId,
        name: cfg.name,
        config: cfg,
        datasetId,
        createdAt: Date.now(),
        updatedAt: Date.now(),
        status: 'running',
        message: null,
        backend: null,
        skipped: [],
        stages: curriculumStages(cfg),
        history: [],
        rows: [],
        losses: [],
        stageMs: {},
        checkpoint: null,
        elapsedMs: 0,
      };
      this.record = {
        ...base,
        status: 'running',
        message: null,
        backend: be.name,
        backendDetail: be.detail ?? null,
        skipped: be.skipped,
        datasetId,
        history: cp ? [...cp.history] : [],
        rows: cp ? [...cp.rows] : [],
        stageMs: cp ? { ...cp.stageMs } : {},
        losses: cp ? base.losses.filter((p) => p.x < this.steps) : [],
        checkpoint: cp ? base.checkpoint : null,
      };
      this.sessionStart = now();
      await storage.putRun(this.record);
      post({ type: 'runState', runId, status: 'running', message: null, record: structuredClone(this.record) });

      device = webgpuDevice();
      void device?.lost.then((info) => this.onDeviceLost(info));

      const hooks: CurriculumHooks = {
        emit: (e) => this.onEvent(e),
        signal: this.controller.signal,
        backend: be.name,
        pauseGate: async () => {
          if (now() - this.lastYield > 40) {
            await yieldToEventLoop();
            this.lastYield = now();
          }
          if (this.pauseGate) await this.pauseGate.promise;
        },
        onCheckpoint: (c) => this.onCheckpoint(c),
      };
      let initial: tf.LayersModel | null = null;
      if (cfg.teacherInit && !cp) {
        const rec = await storage.getModel(cfg.teacherInit, 'teacher');
        if (!rec)
          throw new Error(
            `The imported model "${cfg.teacherInit}" the teacher should start from is not stored (deleted?). Choose another in the Experiment panel.`,
          );
        initial = await loadStoredModel(rec);
        hooks.initialTeacher = initial;
      }
      let result;
      try {
        result = cfg.budgets?.length
          ? await budgetRun(cfg, data, hooks, (t) => {
              if (this.record) {
                this.record.budgets = t;
                void this.saveRecord();
              }
            })
          : await runCurriculum(cfg, data, hooks, cp);
      } finally {
        initial?.dispose();
      }
      if (this.finished) {
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
      this.flush();
      const r = this.record;
      Object.assign(r, {
        status: 'done',
        message: null,
        rows: result.rows,
        history: result.history,
        stageMs: result.stageMs,
        checkpoint: null,
      });
      await this.saveRecord();
      await storage.deleteCheckpoint(runId);
      post({ type: 'runState', runId, status: 'done', message: null });
    } catch (err) {
      if (this.finished) return;
      // Reads from a lost WebGPU device fail (as AbortError) before device.lost settles: give it a moment,
      // so the run is reported as a lost device, not as a cancel or an obscure error.
      if (device && !this.controller.signal.aborted) {
        await Promise.race([device.lost, new Promise((r) => setTimeout(r, 1000))]);
        await Promise.resolve();
        if (this.finished) return;
      }
      this.finished = true;
      this.flush();
      const cancelled = this.controller.signal.aborted;
      // Refused before any training (it cannot fit in memory): failed, and there is nothing to resume.
      const refused = err instanceof MemoryLimitError;
      const status = cancelled ? 'cancelled' : this.record && !refused ? 'interrupted' : 'failed';
      const why = (outOfMemoryMessage(err, backend) ?? errorMessage(err)).replace(/\.$/, '');
      const msg = cancelled
        ? 'Cancelled. The run is kept up to its last checkpoint.'
        : refused
          ? `The run was not started: ${errorMessage(err)}`
          : this.record
            ? `The run stopped on the ${backend ?? 'current'} backend: ${why}. It is kept up to its last checkpoint (the finished stages with their results); resume it, on another backend if this one keeps failing.`
            : `The run could not start: ${why}.`;
      if (this.record) {
        this.record.status = status;
        this.record.message = msg;
        await this.saveRecord().catch(() => {});
      }
      post({ type: 'runState', runId, status, message: msg });
    } finally {
      if (this.timer) clearTimeout(this.timer);
      this.onEnd();
      release?.();
    }
  }
}
