// The lab's work, shared by the worker entry and the main-thread fallback: the command switch, datasets
// (generated into storage once, read back from it), previews, Grad-CAM and model files; each curriculum
// run is a RunSession (runSession.ts). It talks only through protocol messages (`post`) and the injected
// storage and backend selector.
import * as tf from '@tensorflow/tfjs';
import type { SynthDatasetConfig } from '../../core/config/config';
import { occluded } from '../../core/data/occlusion';
import { STAGE_LABEL } from '../../core/distill/curriculum';
import { ensureSynthDataset } from '../../platform/datasets';
import { synthDatasetId } from '../../core/data/datasetId';
import { camSheet, exportRunModel, importModelFiles } from '../models';
import { CALIBRATION_BUSY, type WorkerCommand } from './protocol';
import { RunSession } from './runSession';
import { calibrate } from '../../core/distill/calibrate';
import { chooseBackend } from '../../platform/autoBackend';
import { slowerThanPick } from '../../core/autoBackend';
import { errorMessage } from '../../core/errors';
import type { EngineDeps } from './deps';
import { webgpuDevice } from './webgpu';

import { BACKEND_ORDER } from '../../core/backends';

export class LabEngine {
  private active: RunSession | null = null;
  private readonly ensuring = new Map<string, Promise<string>>();
  private readonly flushMs: number;
  private backendReady = false;
  /** A calibration being timed (runs wait for it). */
  private calibrating: Promise<void> | null = null;

  constructor(private readonly deps: EngineDeps) {
    this.flushMs = deps.flushMs ?? 100;
    deps.post({ type: 'ready', stageLabels: STAGE_LABEL, tfjs: tf.version.tfjs });
  }

  /** Handles one command; resolves when its work is done (a run: when it has ended). */
  async handle(cmd: WorkerCommand): Promise<void> {
    try {
      switch (cmd.type) {
        case 'ensureDataset':
          await this.ensureDataset(cmd.dataset);
          return;
        case 'preview':
          await this.preview(cmd);
          return;
        case 'start':
          await this.calibrating; // a calibration in flight (a few steps) finishes first: one model trains at a time
          return await this.session(cmd.runId).execute(cmd.config, cmd.backends, false);
        case 'resumeRun':
          await this.calibrating;
          return await this.session(cmd.runId).execute(null, cmd.backends, true);
        case 'pause':
          return await this.active?.pause();
        case 'resume':
          return await this.active?.unpause();
        case 'cancel':
          this.active?.cancel();
          return;
        case 'gradcam': {
          const { type: _t, requestId, ...req } = cmd;
          // A calibration in flight may be switching backends: its end first (then tfjs's backend is ready).
          await this.calibrating;
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
          const format = cmd.format ?? 'zip';
          if (format !== 'zip' && format !== 'onnx')
            throw new Error(`exportModel: format must be 'zip' or 'onnx', got ${JSON.stringify(format)}`);
          const { name, bytes } = await exportRunModel(this.deps.storage, cmd.runId, cmd.stage, format);
          this.deps.post({ type: 'modelExport', requestId: cmd.requestId, name, bytes });
          return;
        }
        case 'calibrate': {
          if (this.active || this.calibrating) {
            this.deps.post({ type: 'calibration', key: cmd.key, cost: null, message: CALIBRATION_BUSY });
            return;
          }
          const work = (async () => {
            await this.deps.selectBackend(cmd.backends);
            this.backendReady = true;
            try {
              // auto (several backends): each that starts is timed, and tfjs is left on the fastest.
              const cost =
                cmd.backends.length > 1
                  ? await chooseBackend(cmd.config, cmd.dims, cmd.backends, async (b) => {
                      await this.deps.selectBackend([b]);
                    }).then((c) => ({ ...c.cost, why: c.why, slower: slowerThanPick(c.timings, c.backend) }))
                  : await calibrate(cmd.config, cmd.dims);
              this.deps.post({ type: 'calibration', key: cmd.key, cost, message: null });
            } catch (e) {
              this.deps.post({ type: 'calibration', key: cmd.key, cost: null, message: errorMessage(e) });
            }
          })();
          this.calibrating = work;
          try {
            await work;
          } finally {
            this.calibrating = null;
          }
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
      this.deps.post({
        type: 'error',
        message: errorMessage(e),
        command: cmd.type,
        ...(typeof requestId === 'number' ? { requestId } : {}),
      });
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
      )
        .then(({ meta, created }) => {
          this.deps.post({ type: 'datasetReady', meta, created });
          return meta.id;
        })
        .finally(() => this.ensuring.delete(id));
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
    const pixels = occluded(
      chunk.pixels.slice(0, n * imgLen),
      n,
      meta.height,
      meta.width,
      meta.channels,
      cmd.visibility,
    );
    const labels = Array.from({ length: n }, (_, i) =>
      [
        chunk.expression ? meta.classNames.expression?.[chunk.expression[i]] : null,
        chunk.gender ? meta.classNames.gender?.[chunk.gender[i]] : null,
        chunk.age ? `${Math.round(chunk.age[i])} y` : null,
      ]
        .filter(Boolean)
        .join(', '),
    );
    this.deps.post({
      type: 'preview',
      requestId: cmd.requestId,
      datasetId: cmd.datasetId,
      split: cmd.split,
      visibility: cmd.visibility,
      height: meta.height,
      width: meta.width,
      channels: meta.channels,
      count: n,
      pixels,
      labels,
    });
  }

  /** A new run session (one at a time). */
  private session(runId: string): RunSession {
    if (this.active) throw new Error(`A run (${this.active.runId}) is already going: cancel it first.`);
    const s: RunSession = new RunSession(
      runId,
      this.deps,
      this.flushMs,
      (ds) => this.ensureDataset(ds),
      () => {
        this.backendReady = true;
      },
      () => {
        if (this.active === s) this.active = null;
      },
    );
    this.active = s;
    return s;
  }
}
