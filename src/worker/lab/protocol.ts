// The typed protocol between the page and the lab worker (docs/architecture.md#workers-and-protocols): one
// discriminated union of commands (page → worker), one of events (worker → page), a checked decoder for each side, and
// the list of buffers a message can hand over as transferables instead of copying.
import type { ExperimentConfig, StageName, SynthDatasetConfig } from '../../core/config/config';
import type { Split, Visibility } from '../../core/data/types';
import type { CurriculumEvent } from '../../core/events';
import type { DatasetMeta, ImportedModelMeta, RunRecord, RunStatus } from '../../core/records';
import type { BackendName } from '../../core/backends';
import type { DatasetDims, StepCost } from '../../core/distill/estimate';
import type { CamRequest, CamSheet } from '../../core/explain/sheet';
import type { NamedBytes } from '../../core/records';

export type WorkerCommand =
  /** Make sure a synthetic dataset is stored, generating it (with progress events) if not. */
  | { type: 'ensureDataset'; dataset: SynthDatasetConfig }
  /** A few images of a stored split as the model would see them, for the Datasets preview. */
  | { type: 'preview'; requestId: number; datasetId: string; split: Split; visibility: Visibility; count: number }
  /** A new run. `backends`: the order to try. */
  | { type: 'start'; runId: string; config: ExperimentConfig; backends: BackendName[] }
  /** Continue a stored run from its last checkpoint (after a reload, a crash or on another backend). */
  | { type: 'resumeRun'; runId: string; backends: BackendName[] }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'cancel' }
  /** Test hook: destroys the WebGPU device, as a driver reset or a lost GPU would. */
  | { type: 'loseDevice' }
  /** Grad-CAM maps of a stored run's models on chosen test images. */
  | ({ type: 'gradcam'; requestId: number } & CamRequest)
  /** A stored run's model as the exported .zip (tfjs LayersModel files, model.onnx, lab.json), or as the
   *  .onnx file alone (`format: 'onnx'`; default 'zip'). */
  | { type: 'exportModel'; requestId: number; runId: string; stage: StageName; format?: 'zip' | 'onnx' }
  /** A model from files (the lab's .zip, or model.json + weights): checked, then stored as imported. */
  | { type: 'importModel'; requestId: number; files: (File | NamedBytes)[] }
  /** Times a few training steps of a config's model on a backend (the duration estimate); `key` names it. */
  | { type: 'calibrate'; key: string; config: ExperimentConfig; dims: DatasetDims; backends: BackendName[] };

export type RunPhase = RunStatus | 'starting';

/** A calibration's `message` when the worker was training: not a failure, asked again later. */
export const CALIBRATION_BUSY = 'a run is going';

export type WorkerEvent =
  | { type: 'ready'; stageLabels: Record<StageName, string>; tfjs: string }
  | {
      type: 'datasetProgress';
      datasetId: string;
      phase: 'generating' | 'storing' | 'loading';
      done: number;
      total: number;
    }
  | { type: 'datasetReady'; meta: DatasetMeta; created: boolean }
  | {
      type: 'preview';
      requestId: number;
      datasetId: string;
      split: Split;
      visibility: Visibility;
      height: number;
      width: number;
      channels: number;
      count: number;
      /** [count, height, width, channels] bytes, hidden half zeroed. */
      pixels: Uint8Array;
      /** One short label per image (class name, or age). */
      labels: string[];
    }
  | {
      type: 'backend';
      runId: string;
      name: BackendName;
      skipped: { name: BackendName; reason: string }[];
      detail?: string;
    }
  /** A run's lifecycle. `record`: the stored run as it stands (sent when a run starts or resumes, so the
   *  page shows what was done before). */
  | { type: 'runState'; runId: string; status: RunPhase; message: string | null; record?: RunRecord }
  /** Curriculum events in emission order, batched (a few per message, at most every ~100 ms). */
  | { type: 'events'; runId: string; events: CurriculumEvent[] }
  | { type: 'checkpoint'; runId: string; stage: StageName; epoch: number; ms: number }
  | ({ type: 'gradcam'; requestId: number; backend: string } & CamSheet)
  | { type: 'modelExport'; requestId: number; name: string; bytes: Uint8Array }
  | { type: 'modelImported'; requestId: number; meta: ImportedModelMeta }
  | { type: 'error'; message: string; command: WorkerCommand['type'] | null; requestId?: number }
  /** Made by the page-side client, never by the worker: the worker died (uncaught error, crash). */
  | { type: 'crashed'; message: string }
  /** A calibration's cost, or why none (a run is going, the model cannot be built). */
  | { type: 'calibration'; key: string; cost: StepCost | null; message: string | null };

export const COMMAND_TYPES: readonly WorkerCommand['type'][] = [
  'ensureDataset',
  'preview',
  'start',
  'resumeRun',
  'pause',
  'resume',
  'cancel',
  'loseDevice',
  'gradcam',
  'exportModel',
  'importModel',
  'calibrate',
];
export const EVENT_TYPES: readonly WorkerEvent['type'][] = [
  'ready',
  'datasetProgress',
  'datasetReady',
  'preview',
  'backend',
  'runState',
  'events',
  'checkpoint',
  'gradcam',
  'modelExport',
  'modelImported',
  'error',
  'crashed',
  'calibration',
];

export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Fields each message type must carry, and their typeof. */
const COMMAND_FIELDS: Record<WorkerCommand['type'], Record<string, string>> = {
  ensureDataset: { dataset: 'object' },
  preview: { requestId: 'number', datasetId: 'string', split: 'string', visibility: 'string', count: 'number' },
  start: { runId: 'string', config: 'object', backends: 'array' },
  resumeRun: { runId: 'string', backends: 'array' },
  pause: {},
  resume: {},
  cancel: {},
  loseDevice: {},
  gradcam: { requestId: 'number', runId: 'string', pick: 'object', count: 'number' },
  exportModel: { requestId: 'number', runId: 'string', stage: 'string' },
  importModel: { requestId: 'number', files: 'array' },
  calibrate: { key: 'string', config: 'object', dims: 'object', backends: 'array' },
};
const EVENT_FIELDS: Record<WorkerEvent['type'], Record<string, string>> = {
  ready: { stageLabels: 'object', tfjs: 'string' },
  datasetProgress: { datasetId: 'string', phase: 'string', done: 'number', total: 'number' },
  datasetReady: { meta: 'object', created: 'boolean' },
  preview: { requestId: 'number', datasetId: 'string', pixels: 'bytes', labels: 'array', count: 'number' },
  gradcam: {
    requestId: 'number',
    runId: 'string',
    pixels: 'bytes',
    panels: 'array',
    indices: 'array',
    count: 'number',
  },
  modelExport: { requestId: 'number', name: 'string', bytes: 'bytes' },
  modelImported: { requestId: 'number', meta: 'object' },
  backend: { runId: 'string', name: 'string', skipped: 'array' },
  runState: { runId: 'string', status: 'string' },
  events: { runId: 'string', events: 'array' },
  checkpoint: { runId: 'string', stage: 'string', epoch: 'number', ms: 'number' },
  error: { message: 'string' },
  crashed: { message: 'string' },
  calibration: { key: 'string' },
};

function check(kind: string, data: unknown, fields: Record<string, Record<string, string>>): Rec {
  if (!isRec(data) || typeof data.type !== 'string')
    throw new ProtocolError(`${kind} without a type: ${JSON.stringify(data)?.slice(0, 120)}`);
  const want = fields[data.type];
  if (!want) throw new ProtocolError(`unknown ${kind} type "${data.type}"`);
  for (const [k, t] of Object.entries(want)) {
    const v = data[k];
    const ok =
      t === 'array'
        ? Array.isArray(v)
        : t === 'bytes'
          ? v instanceof Uint8Array
          : t === 'object'
            ? isRec(v)
            : typeof v === t;
    if (!ok)
      throw new ProtocolError(
        `${kind} "${data.type}": field ${k} should be ${t === 'bytes' ? 'a Uint8Array' : `a(n) ${t}`}`,
      );
  }
  return data;
}

/** A message received by the worker, checked. */
export function decodeCommand(data: unknown): WorkerCommand {
  return check('command', data, COMMAND_FIELDS) as WorkerCommand;
}

/** A message received by the page, checked. */
export function decodeEvent(data: unknown): WorkerEvent {
  return check('event', data, EVENT_FIELDS) as WorkerEvent;
}

/** Buffers of the typed arrays inside a message, each once: hand them to postMessage as transferables
 *  (the sender's views become detached, so only messages built for sending carry them). */
export function transferablesOf(msg: WorkerCommand | WorkerEvent): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const walk = (v: unknown, depth: number): void => {
    if (depth > 6 || v === null || typeof v !== 'object') return;
    if (ArrayBuffer.isView(v)) {
      if (v.buffer instanceof ArrayBuffer) out.add(v.buffer);
      return;
    }
    if (v instanceof ArrayBuffer) {
      out.add(v);
      return;
    }
    // Curriculum events and run records are plain JSON-like data: copying them is what we want.
    if (Array.isArray(v)) return;
    for (const x of Object.values(v)) walk(x, depth + 1);
  };
  if (msg.type === 'preview' || msg.type === 'gradcam' || msg.type === 'modelExport') walk(msg, 0);
  return [...out];
}

/** A page-unique run id, sortable by time. */
export function newRunId(now = Date.now(), rand = Math.random): string {
  return `run-${now.toString(36).padStart(9, '0')}-${Math.floor(rand() * 36 ** 4)
    .toString(36)
    .padStart(4, '0')}`;
}

/** The lab worker's name: "lab", or "lab threads=N" when the page's address asks for N wasm threads
 *  (?threads=N, for measuring; the worker otherwise picks from the machine's cores). */
export function labWorkerName(threads: number | null): string {
  return threads != null && Number.isInteger(threads) && threads >= 1 && threads <= 64
    ? `lab threads=${threads}`
    : 'lab';
}

/** The thread count a worker name asks for, or null. */
export function threadsFromWorkerName(name: string): number | null {
  const m = /^lab threads=(\d+)$/.exec(name);
  return m ? Number(m[1]) : null;
}
