// The Try it worker's work: a stored run's models loaded once, then per frame the face found (an
// injected detector), cut and converted as the run's importer would (core/data/faceCrop.ts), the
// scenario's half hidden, every model's prediction and, on demand, its Grad-CAM map. Each frame ends
// with the tensor count it started with. Frames are held only until the next one (for "again").
import * as tf from '@tensorflow/tfjs';
import { STAGE_LABEL, type StageName } from '../../core/config/config';
import { AGE_OFFSET, AGE_SCALE, taskHead } from '../../core/data/batching';
import {
  cropFace,
  faceInput,
  faceSquare,
  framingOf,
  FRAMINGS,
  softmax,
  type CropTarget,
  type Framing,
} from '../../core/data/faceCrop';
import type { Box } from '../../core/data/formats/pixels';
import { VISIBILITY_SYMBOL, type Visibility } from '../../core/data/types';
import { gradCam } from '../../core/explain/gradcam';
import type { LabStorage } from '../../core/records';
import type { LiveCommand, LiveEvent, LiveFrame, LiveOpened, LivePanel } from './protocol';
import { loadStoredModel } from '../models';
import { errorMessage } from '../../core/errors';
import { now } from '../../core/distill/context';

/** An RGBA frame (bytes [height, width, 4]). */
export interface RgbaFrame {
  rgba: Uint8Array;
  width: number;
  height: number;
  /** A photo from disk rather than a camera frame. */
  photo?: boolean;
  /** The same frame smaller, RGB floats [h, w, 3], for the detector (a camera frame's faces are large). */
  small?: { rgb: Float32Array; width: number; height: number };
}

/** Finds the most confident face in a frame (null: none). Owns its tensors. */
export interface FaceDetector {
  /** `photo`: a still image, searched more finely (slower, finds smaller faces). */
  detect(frame: RgbaFrame, photo?: boolean): Promise<{ box: Box; score: number } | null>;
}

export interface LiveDeps {
  storage: Pick<LabStorage, 'getRun' | 'getDataset' | 'getModel' | 'listModels'>;
  post: (e: LiveEvent) => void;
  /** Starts the backend the models run on; its name and how it runs. */
  selectBackend: () => Promise<{ name: string; detail?: string }>;
  /** The detector, made once on first use (its weights load then). */
  detector: () => Promise<FaceDetector>;
  /** A frame's pixels (the worker draws the bitmap or video frame). */
  pixels: (bitmap: VideoFrame | ImageBitmap) => Promise<RgbaFrame>;
  /** A frame as a bitmap to show (the frozen view). */
  still: (frame: RgbaFrame) => Promise<ImageBitmap>;
}

interface Opened {
  info: LiveOpened;
  target: CropTarget;
  models: Map<StageName, tf.LayersModel>;
  regression: boolean;
}

export class LiveEngine {
  private opened: Opened | null = null;
  private detector: Promise<FaceDetector> | null = null;
  private backend: Promise<{ name: string; detail?: string }> | null = null;
  private last: RgbaFrame | null = null;
  /** One piece of work at a time, in order (a frame never overlaps an open or a close). */
  private queue: Promise<void> = Promise.resolve();
  /** The camera stream: its reader, the newest frame not yet taken, and what to do with frames. */
  private reader: ReadableStreamDefaultReader<VideoFrame> | null = null;
  private latest: VideoFrame | null = null;
  private live = { cam: false, margin: null as number | null, paused: false };
  private busy = false;
  private dropped = 0;
  private received = 0;
  private streamFrames = 0;

  constructor(private readonly deps: LiveDeps) {}

  private enqueue(work: () => Promise<void>, frameId?: number): Promise<void> {
    const run = async () => {
      try {
        await work();
      } catch (e) {
        this.deps.post({ type: 'error', message: errorMessage(e), ...(frameId !== undefined ? { frameId } : {}) });
      }
    };
    this.queue = this.queue.then(run);
    return this.queue;
  }

  /** Reads the camera's frames as they come; only the newest waits, older ones are closed (dropped). */
  private stream(readable: ReadableStream<VideoFrame>): void {
    this.stopStream();
    const reader = readable.getReader();
    this.reader = reader;
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done || this.reader !== reader) {
            value?.close();
            return;
          }
          this.received++;
          if (this.latest) {
            this.latest.close();
            if (!this.live.paused) this.dropped++;
          }
          this.latest = value;
          this.take();
        }
      } catch {
        // The camera stopped (its track ended) or the stream was cancelled: nothing more to read.
      }
    })();
  }

  /** Looks at the newest frame unless one is being looked at (then it waits, and newer ones replace it). */
  private take(): void {
    if (this.busy || this.live.paused || !this.latest || !this.opened) return;
    const f = this.latest;
    this.latest = null;
    this.busy = true;
    const { cam, margin } = this.live;
    const frameId = ++this.streamFrames;
    void this.enqueue(async () => {
      const t = now();
      let frame: RgbaFrame;
      try {
        frame = await this.deps.pixels(f);
      } finally {
        f.close();
      }
      this.last = frame;
      this.deps.post({ type: 'result', ...(await this.frame(frameId, frame, cam, margin, now() - t)) });
    }, frameId).finally(() => {
      this.busy = false;
      this.take();
    });
  }

  private stopStream(): void {
    void this.reader?.cancel().catch(() => {});
    this.reader = null;
    this.latest?.close();
    this.latest = null;
  }

  handle(cmd: LiveCommand): Promise<void> {
    if (cmd.type === 'stream') {
      this.live = { cam: cmd.cam, margin: cmd.margin, paused: false };
      this.stream(cmd.readable);
      return this.queue;
    }
    if (cmd.type === 'live') {
      const was = this.live.paused;
      this.live = { cam: cmd.cam, margin: cmd.margin, paused: cmd.paused };
      if (cmd.paused && !was) {
        // The frame of the last result, shown while frozen: what is seen is what the models saw.
        return this.enqueue(async () => {
          if (this.last) this.deps.post({ type: 'still', bitmap: await this.deps.still(this.last) });
        });
      }
      this.take();
      return this.queue;
    }
    if (cmd.type === 'stopStream') {
      this.stopStream();
      return this.queue;
    }
    const frameId = cmd.type === 'frame' || cmd.type === 'again' ? cmd.frameId : undefined;
    return this.enqueue(async () => {
      switch (cmd.type) {
        case 'open':
          this.deps.post({ type: 'opened', info: await this.open(cmd.runId) });
          return;
        case 'frame': {
          const t = now();
          let frame: RgbaFrame;
          try {
            frame = { ...(await this.deps.pixels(cmd.bitmap)), photo: cmd.fine ?? false };
          } finally {
            cmd.bitmap.close();
          }
          this.last = frame;
          this.deps.post({ type: 'result', ...(await this.frame(cmd.frameId, frame, cmd.cam, cmd.margin, now() - t)) });
          return;
        }
        case 'again':
          if (!this.last) throw new Error('There is no frame to look at again.');
          this.deps.post({ type: 'result', ...(await this.frame(cmd.frameId, this.last, cmd.cam, cmd.margin)) });
          return;
        case 'close':
          this.close();
          this.deps.post({ type: 'closed' });
          return;
      }
    }, frameId);
  }

  /** Loads a stored run's models (the ones it has: teacher on both inputs, then the students). */
  async open(runId: string): Promise<LiveOpened> {
    this.dropModels(); // a camera stream goes on, on the new run's models
    this.backend ??= this.deps.selectBackend();
    const backend = await this.backend;
    this.detector ??= this.deps.detector().catch((e) => {
      this.detector = null;
      throw e;
    });
    const { storage } = this.deps;
    const run = await storage.getRun(runId);
    if (!run) throw new Error(`There is no stored run "${runId}".`);
    const cfg = run.config;
    const meta = await storage.getDataset(run.datasetId);
    const ds = cfg.dataset;
    const dims = meta ?? (ds.source === 'synth' || ds.source === 'file' ? ds : null);
    if (!dims)
      throw new Error(`The run's dataset "${run.datasetId}" is no longer stored, so its image size is unknown.`);
    const format = meta
      ? (meta.imported?.format ?? null)
      : ds.source === 'file'
        ? ds.format === 'fer2013' || /\.csv$/i.test(ds.path)
          ? 'fer2013'
          : ds.format === 'utkface'
            ? 'utkface'
            : 'folder'
        : null;
    const framing: Framing = framingOf(format);
    const synthetic = meta ? meta.source === 'synth' : ds.source === 'synth';
    const stored = new Set(await storage.listModels(run.id));
    const scen = cfg.scenario;
    const panels: LivePanel[] = [];
    if (stored.has('teacher')) {
      panels.push({
        model: 'teacher',
        label: `${STAGE_LABEL.teacher} ${VISIBILITY_SYMBOL.full} (full face)`,
        visibility: 'full',
      });
      panels.push({
        model: 'teacher',
        label: `${STAGE_LABEL.teacher} ${VISIBILITY_SYMBOL[scen]} (half hidden)`,
        visibility: scen,
      });
    }
    for (const s of ['student', 'standard', 'triplet'] as StageName[]) {
      if (stored.has(s))
        panels.push({ model: s, label: `${STAGE_LABEL[s]} ${VISIBILITY_SYMBOL[scen]}`, visibility: scen });
    }
    if (panels.length === 0) throw new Error(`The run “${run.name}” has no trained model stored yet.`);
    const models = new Map<StageName, tf.LayersModel>();
    try {
      for (const p of panels) {
        if (models.has(p.model)) continue;
        const rec = await storage.getModel(run.id, p.model);
        if (!rec) throw new Error(`The ${p.model} model of run “${run.name}” is not stored.`);
        models.set(p.model, await loadStoredModel(rec));
      }
    } catch (e) {
      for (const m of models.values()) m.dispose();
      throw e;
    }
    const head = taskHead(
      cfg.task,
      meta ? ({ classNames: meta.classNames } as Parameters<typeof taskHead>[1]) : undefined,
    );
    const target: CropTarget = { height: dims.height, width: dims.width, channels: dims.channels };
    const info: LiveOpened = {
      runId: run.id,
      runName: run.name,
      task: cfg.task,
      classNames: head.classNames,
      ...target,
      scenario: scen,
      framing,
      margin: FRAMINGS[framing].margin,
      framingNote: FRAMINGS[framing].note,
      synthetic,
      panels,
      backend: backend.name,
      detail: backend.detail ?? null,
    };
    this.opened = { info, target, models, regression: head.kind === 'regression' };
    // The detector's weights load here too, so the first frame is not the slow one.
    await this.detector;
    return info;
  }

  /** Finds the face, cuts it, runs every panel's model (and its map when `cam`). */
  async frame(frameId: number, f: RgbaFrame, cam: boolean, margin: number | null, read = 0): Promise<LiveFrame> {
    const o = this.opened;
    if (!o) throw new Error('No run is open.');
    const detector = await this.detector!;
    const t0 = now();
    const face = await detector.detect(f, f.photo ?? false);
    const t1 = now();
    const base = { frameId, frameWidth: f.width, frameHeight: f.height };
    if (!face) {
      return {
        ...base,
        face: null,
        square: null,
        crop: new Uint8Array(0),
        outputs: [],
        predicted: [],
        maps: new Float32Array(0),
        ms: { read, detect: t1 - t0, crop: 0, models: 0, cam: 0, total: read + t1 - t0 },
        tensors: tf.memory().numTensors,
        dropped: this.dropped,
        received: this.received,
      };
    }
    const fr = FRAMINGS[o.info.framing];
    const square = faceSquare(face.box, f.width, f.height, margin ?? fr.margin, fr.down);
    const { height: h, width: w, channels: c } = o.target;
    const crop = cropFace(f.rgba, f.width, f.height, square, o.target, o.info.framing);
    const panels = o.info.panels;
    // One input per visibility, made outside every tidy (a tidy would dispose them before the maps).
    const inputs = new Map<Visibility, tf.Tensor4D>();
    for (const p of panels)
      if (!inputs.has(p.visibility))
        inputs.set(p.visibility, tf.tensor4d(faceInput(crop, o.target, p.visibility), [1, h, w, c]));
    const input = (v: Visibility) => inputs.get(v)!;
    const t2 = now();
    let result: LiveFrame;
    try {
      // Every panel's output in one tensor, read back once.
      const all = tf.tidy(() =>
        tf.concat(
          panels.map((p) => (o.models.get(p.model)!.predict(input(p.visibility)) as tf.Tensor).reshape([1, -1])),
          0,
        ),
      );
      const raw = await all.data();
      all.dispose();
      const units = raw.length / panels.length;
      const outputs: number[][] = [];
      const predicted: number[] = [];
      for (let k = 0; k < panels.length; k++) {
        const logits = Array.from(raw.subarray(k * units, (k + 1) * units));
        if (o.regression) {
          const years = logits[0] * AGE_SCALE + AGE_OFFSET;
          outputs.push([years]);
          predicted.push(Math.round(years));
        } else {
          const p = softmax(logits);
          outputs.push(p);
          predicted.push(p.indexOf(Math.max(...p)));
        }
      }
      const t3 = now();
      const maps = new Float32Array(cam ? panels.length * h * w : 0);
      if (cam) {
        for (const [k, p] of panels.entries()) {
          const target = o.regression
            ? { kind: 'regression' as const }
            : { kind: 'class' as const, classes: [predicted[k]] };
          const res = await gradCam(o.models.get(p.model)!, input(p.visibility), target);
          maps.set(res.maps, k * h * w);
        }
      }
      const t4 = now();
      result = {
        ...base,
        face,
        square,
        crop,
        outputs,
        predicted,
        maps,
        ms: { read, detect: t1 - t0, crop: t2 - t1, models: t3 - t2, cam: t4 - t3, total: read + t4 - t0 },
        tensors: 0,
        dropped: this.dropped,
        received: this.received,
      };
    } finally {
      for (const x of inputs.values()) x.dispose();
    }
    return { ...result, tensors: tf.memory().numTensors };
  }

  private dropModels(): void {
    if (this.opened) for (const m of this.opened.models.values()) m.dispose();
    this.opened = null;
  }

  close(): void {
    this.stopStream();
    this.dropModels();
    this.last = null;
  }
}
