// The typed protocol between the Try it panel and its own worker (tryit.worker.ts), which finds the face
// in each camera frame and runs a stored run's models on it. One union of commands, one of events, a
// checked decoder for each. Frames travel as transferred ImageBitmaps; crops and maps come back as
// transferred typed arrays. Nothing here is stored or sent anywhere else.
import type { StageName } from '../../core/config/config';
import type { Task, Visibility } from '../../core/data/types';
import type { Framing } from '../../core/data/faceCrop';
import type { Box } from '../../core/data/formats/pixels';

export type LiveCommand =
  /** Loads a stored run's models (and the face detector, the first time). */
  | { type: 'open'; runId: string }
  /** One frame to look at (a camera VideoFrame, or an ImageBitmap of a photo). `margin`: the square's
   *  side over the face box's (null: the dataset's); `fine`: a photo, searched at a finer scale (smaller
   *  faces are found, in more time). */
  | {
      type: 'frame';
      frameId: number;
      bitmap: VideoFrame | ImageBitmap;
      cam: boolean;
      margin: number | null;
      fine?: boolean;
    }
  /** The camera's frames as a stream (MediaStreamTrackProcessor's readable, transferred): the worker
   *  takes the newest frame whenever it is free and drops the ones it had no time for. */
  | { type: 'stream'; readable: ReadableStream<VideoFrame>; cam: boolean; margin: number | null }
  /** Settings of the stream; `paused` (freeze) stops taking frames and answers with a 'still'. */
  | { type: 'live'; cam: boolean; margin: number | null; paused: boolean }
  | { type: 'stopStream' }
  /** The last frame again (a frozen frame or a still image), e.g. with the maps switched on. */
  | { type: 'again'; frameId: number; cam: boolean; margin: number | null }
  /** Drops the models and the kept frame. */
  | { type: 'close' };

/** One model as the panel shows it. */
export interface LivePanel {
  model: StageName;
  label: string;
  visibility: Visibility;
}

export interface LiveOpened {
  runId: string;
  runName: string;
  task: Task;
  classNames: string[];
  height: number;
  width: number;
  channels: 1 | 3;
  scenario: Visibility;
  framing: Framing;
  /** The default margin of that framing, and what it means. */
  margin: number;
  framingNote: string;
  /** True when the run's dataset is the synthetic faces (its models have never seen a real face). */
  synthetic: boolean;
  panels: LivePanel[];
  backend: string;
  detail: string | null;
}

export interface LiveFrame {
  frameId: number;
  frameWidth: number;
  frameHeight: number;
  /** The detector's box and score (null: no face found; nothing else is then filled in). */
  face: { box: Box; score: number } | null;
  /** The square cut around it, in frame pixels. */
  square: Box | null;
  /** [h, w, c] bytes of the face as the importer would store it (full face); empty when no face. */
  crop: Uint8Array;
  /** Per panel: class probabilities (softmax of the logits) or [age in years]. */
  outputs: number[][];
  /** Per panel the predicted class index (age: the years, rounded). */
  predicted: number[];
  /** [panels, h, w] Grad-CAM maps in [0, 1] when asked, else empty. */
  maps: Float32Array;
  /** Milliseconds spent: reading the frame's pixels, detector, crop, models, maps; total from the read. */
  ms: { read: number; detect: number; crop: number; models: number; cam: number; total: number };
  /** tf.memory().numTensors after the frame: flat from frame to frame, or something leaks. */
  tensors: number;
  /** Camera frames the worker dropped so far because it was busy, and all it received (stream only). */
  dropped: number;
  received: number;
}

export type LiveEvent =
  | { type: 'opened'; info: LiveOpened }
  | ({ type: 'result' } & LiveFrame)
  /** The frame the last result was computed on, for a frozen view (stream only). */
  | { type: 'still'; bitmap: ImageBitmap }
  /** A frame that could not be looked at (frameId) or a run that could not be opened (none). */
  | { type: 'error'; message: string; frameId?: number }
  | { type: 'closed' };

export const LIVE_COMMAND_TYPES: readonly LiveCommand['type'][] = [
  'open',
  'frame',
  'stream',
  'live',
  'stopStream',
  'again',
  'close',
];
export const LIVE_EVENT_TYPES: readonly LiveEvent['type'][] = ['opened', 'result', 'still', 'error', 'closed'];

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

const COMMAND_FIELDS: Record<LiveCommand['type'], Record<string, string>> = {
  open: { runId: 'string' },
  frame: { frameId: 'number', bitmap: 'object', cam: 'boolean' },
  stream: { readable: 'object', cam: 'boolean' },
  live: { cam: 'boolean', paused: 'boolean' },
  stopStream: {},
  again: { frameId: 'number', cam: 'boolean' },
  close: {},
};
const EVENT_FIELDS: Record<LiveEvent['type'], Record<string, string>> = {
  opened: { info: 'object' },
  result: {
    frameId: 'number',
    crop: 'bytes',
    outputs: 'array',
    predicted: 'array',
    maps: 'floats',
    ms: 'object',
    tensors: 'number',
    dropped: 'number',
  },
  still: { bitmap: 'object' },
  error: { message: 'string' },
  closed: {},
};

function check(kind: string, data: unknown, fields: Record<string, Record<string, string>>): Rec {
  if (!isRec(data) || typeof data.type !== 'string') throw new Error(`live ${kind} without a type`);
  const want = fields[data.type];
  if (!want) throw new Error(`unknown live ${kind} type "${data.type}"`);
  for (const [k, t] of Object.entries(want)) {
    const v = data[k];
    const ok =
      t === 'array'
        ? Array.isArray(v)
        : t === 'bytes'
          ? v instanceof Uint8Array
          : t === 'floats'
            ? v instanceof Float32Array
            : t === 'object'
              ? typeof v === 'object' && v !== null
              : typeof v === t;
    if (!ok) throw new Error(`live ${kind} "${data.type}": field ${k} should be ${t}`);
  }
  return data;
}

export const decodeLiveCommand = (data: unknown): LiveCommand => check('command', data, COMMAND_FIELDS) as LiveCommand;
export const decodeLiveEvent = (data: unknown): LiveEvent => check('event', data, EVENT_FIELDS) as LiveEvent;

/** What a message hands over instead of copying: the frame's bitmap, the crop's and maps' buffers. */
export function liveTransferables(msg: LiveCommand | LiveEvent): Transferable[] {
  if (msg.type === 'frame') return [msg.bitmap];
  if (msg.type === 'stream') return [msg.readable];
  if (msg.type === 'still') return [msg.bitmap];
  if (msg.type === 'result') {
    const out = new Set<ArrayBuffer>();
    for (const a of [msg.crop, msg.maps]) if (a.buffer instanceof ArrayBuffer && a.byteLength > 0) out.add(a.buffer);
    return [...out];
  }
  return [];
}
