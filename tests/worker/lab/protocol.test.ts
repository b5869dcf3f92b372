// Protocol round trips: every command and event survives the structured clone postMessage does,
// decoders reject malformed messages, and preview pixels travel as transferables (source detached).
import { describe, expect, it } from 'vitest';
import { makeConfig } from '../../../src/core/config/config';
import {
  decodeCommand,
  decodeEvent,
  newRunId,
  ProtocolError,
  transferablesOf,
  COMMAND_TYPES,
  EVENT_TYPES,
  type WorkerCommand,
  type WorkerEvent,
} from '../../../src/worker/lab/protocol';

const cfg = makeConfig({});
const ds =
  cfg.dataset.source === 'synth'
    ? cfg.dataset
    : (() => {
        throw new Error('synth');
      })();

const commands: WorkerCommand[] = [
  { type: 'ensureDataset', dataset: ds },
  { type: 'preview', requestId: 4, datasetId: 'd', split: 'train', visibility: 'upper', count: 8 },
  { type: 'start', runId: 'run-1', config: cfg, backends: ['webgpu', 'cpu'] },
  { type: 'resumeRun', runId: 'run-1', backends: ['wasm'] },
  { type: 'pause' },
  { type: 'resume' },
  { type: 'cancel' },
  { type: 'loseDevice' },
  { type: 'gradcam', requestId: 5, runId: 'run-1', pick: { mode: 'class', cls: 2 }, count: 4, target: 'true' },
  { type: 'exportModel', requestId: 6, runId: 'run-1', stage: 'triplet' },
  { type: 'importModel', requestId: 7, files: [{ name: 'model.json', bytes: new Uint8Array([123, 125]) }] },
  {
    type: 'calibrate',
    key: 'wasm|small',
    config: cfg,
    dims: { height: 48, width: 48, channels: 1, train: 10, val: 2, test: 2 },
    backends: ['wasm'],
  },
];

function previewEvent(): Extract<WorkerEvent, { type: 'preview' }> {
  return {
    type: 'preview',
    requestId: 1,
    datasetId: 'd',
    split: 'val',
    visibility: 'lower',
    height: 2,
    width: 2,
    channels: 1,
    count: 2,
    pixels: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]),
    labels: ['happiness, male, 30 y', 'neutral, female, 41 y'],
  };
}

const events: WorkerEvent[] = [
  {
    type: 'ready',
    stageLabels: {
      teacher: 'teacher',
      student: 'student',
      studentOther: 'student (other half)',
      standard: 'standard T-S',
      triplet: 'triplet T-S',
      control: 'student, same budget',
    },
    tfjs: '4.22.0',
  },
  { type: 'datasetProgress', datasetId: 'd', phase: 'generating', done: 10, total: 100 },
  {
    type: 'calibration',
    key: 'wasm|small',
    cost: { trainMsPerImage: 2.5, evalMsPerImage: 0.4, backend: 'wasm' },
    message: null,
  },
  { type: 'backend', runId: 'r', name: 'webgl', skipped: [{ name: 'webgpu', reason: 'no WebGPU adapter' }] },
  { type: 'runState', runId: 'r', status: 'interrupted', message: 'The WebGPU device was lost' },
  {
    type: 'events',
    runId: 'r',
    events: [
      {
        type: 'batchEnd',
        stage: 'teacher',
        epoch: 0,
        step: 1,
        stepsPerEpoch: 6,
        losses: { total: 2.1, task: 2.1 },
        imagesPerSec: 100,
      },
      { type: 'log', level: 'warn', message: 'x' },
    ],
  },
  { type: 'checkpoint', runId: 'r', stage: 'student', epoch: 1, ms: 12 },
  { type: 'error', message: 'boom', command: 'start' },
  { type: 'error', message: 'no run', command: 'gradcam', requestId: 5 },
  {
    type: 'modelImported',
    requestId: 7,
    meta: {
      id: 'model-1',
      name: 'm',
      importedAt: 1,
      files: ['m.zip'],
      inputShape: [48, 48, 1],
      outputUnits: 8,
      bytes: 10,
      info: null,
    },
  },
  { type: 'crashed', message: 'worker died' },
  previewEvent(),
];

describe('worker protocol', () => {
  it('covers every command and event type in these tests', () => {
    expect(new Set(commands.map((c) => c.type))).toEqual(new Set(COMMAND_TYPES));
    expect(new Set([...events.map((e) => e.type), 'datasetReady', 'gradcam', 'modelExport'])).toEqual(
      new Set(EVENT_TYPES),
    );
  });

  it('round-trips every command through structured clone', () => {
    for (const c of commands) {
      const expected = structuredClone(c);
      expect(decodeCommand(structuredClone(c, { transfer: transferablesOf(c) }))).toEqual(expected);
    }
  });

  it('round-trips every event through structured clone', () => {
    for (const e of events) {
      const expected = structuredClone(e);
      expect(decodeEvent(structuredClone(e, { transfer: transferablesOf(e) }))).toEqual(expected);
    }
  });

  it('transfers preview pixels instead of copying them, and nothing else', () => {
    const e = previewEvent();
    const t = transferablesOf(e);
    expect(t).toEqual([e.pixels.buffer]);
    const copy = decodeEvent(structuredClone(e, { transfer: t })) as typeof e;
    expect(Array.from(copy.pixels)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(e.pixels.byteLength).toBe(0); // the sender's view is detached
    for (const m of [...commands, ...events.filter((x) => x.type !== 'preview')])
      expect(transferablesOf(m)).toEqual([]);
    // (importModel's bytes are copied: the page keeps its File objects.)
    // Grad-CAM sheets and exported zips hand their buffers over too.
    const sheet: WorkerEvent = {
      type: 'gradcam',
      requestId: 5,
      backend: 'wasm',
      runId: 'r',
      task: 'gender',
      classNames: ['male', 'female'],
      height: 1,
      width: 2,
      channels: 1,
      count: 1,
      indices: [3],
      truth: [1],
      pixels: new Uint8Array([9, 8]),
      panels: [{ model: 'teacher', label: 'teacher', visibility: 'full' }],
      maps: new Float32Array([0.5, 1]),
      predicted: [1],
      explained: [1],
      ms: 3,
    };
    const zip: WorkerEvent = { type: 'modelExport', requestId: 6, name: 'm.zip', bytes: new Uint8Array([1, 2, 3]) };
    for (const m of [sheet, zip]) {
      const expected = structuredClone(m);
      const t = transferablesOf(m);
      expect(t.length).toBe(m.type === 'gradcam' ? 2 : 1);
      expect(decodeEvent(structuredClone(m, { transfer: t }))).toEqual(expected);
    }
  });

  it('rejects malformed messages with a reason', () => {
    expect(() => decodeCommand(null)).toThrow(ProtocolError);
    expect(() => decodeCommand({ type: 'train' })).toThrow(/unknown command type "train"/);
    expect(() => decodeCommand({ type: 'start', runId: 'r', config: cfg })).toThrow(/field backends/);
    expect(() =>
      decodeEvent({ type: 'preview', requestId: 1, datasetId: 'd', pixels: [1, 2], labels: [], count: 2 }),
    ).toThrow(/Uint8Array/);
    expect(() => decodeEvent({ type: 'events', runId: 'r', events: {} })).toThrow(/field events/);
  });

  it('makes distinct, time-ordered run ids', () => {
    const a = newRunId(1000, () => 0.1);
    const b = newRunId(2000, () => 0.1);
    expect(a).not.toBe(b);
    expect([b, a].sort()).toEqual([a, b]);
  });
});
