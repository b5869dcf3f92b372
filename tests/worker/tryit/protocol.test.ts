// The Try it worker's protocol: messages are checked on arrival, and a result hands its crop and maps
// over as transferables (once each), never copies.
import { describe, expect, it } from 'vitest';
import {
  decodeLiveCommand,
  decodeLiveEvent,
  liveTransferables,
  type LiveEvent,
} from '../../../src/worker/tryit/protocol';

const result = (): Extract<LiveEvent, { type: 'result' }> => ({
  type: 'result',
  frameId: 3,
  frameWidth: 640,
  frameHeight: 480,
  face: { box: { x: 1, y: 2, w: 3, h: 4 }, score: 0.9 },
  square: { x: 0, y: 0, w: 10, h: 10 },
  crop: new Uint8Array(48 * 48),
  outputs: [[0.5, 0.5]],
  predicted: [0],
  maps: new Float32Array(48 * 48),
  ms: { read: 1, detect: 1, crop: 1, models: 1, cam: 0, total: 4 },
  tensors: 12,
  dropped: 0,
  received: 0,
});

describe('live protocol', () => {
  it('accepts well-formed messages and refuses the rest with a reason', () => {
    expect(decodeLiveCommand({ type: 'open', runId: 'run-1' })).toEqual({ type: 'open', runId: 'run-1' });
    expect(decodeLiveCommand({ type: 'again', frameId: 1, cam: true, margin: null }).type).toBe('again');
    expect(() => decodeLiveCommand({ type: 'open' })).toThrow(/field runId should be string/);
    expect(() => decodeLiveCommand({ type: 'frame', frameId: 1, cam: false })).toThrow(/field bitmap/);
    expect(() => decodeLiveCommand({ type: 'teleport' })).toThrow(/unknown live command type "teleport"/);
    expect(() => decodeLiveCommand('open')).toThrow(/without a type/);
    expect(decodeLiveEvent(result()).type).toBe('result');
    expect(() => decodeLiveEvent({ ...result(), maps: [0.1] })).toThrow(/field maps should be floats/);
    expect(() => decodeLiveEvent({ ...result(), crop: [1, 2] })).toThrow(/field crop should be bytes/);
  });

  it('a result transfers its crop and maps buffers; an empty map transfers nothing extra', () => {
    const r = result();
    expect(liveTransferables(r)).toEqual([r.crop.buffer, r.maps.buffer]);
    const none = { ...result(), maps: new Float32Array(0) };
    expect(liveTransferables(none)).toEqual([none.crop.buffer]);
    expect(liveTransferables({ type: 'error', message: 'x' })).toEqual([]);
  });
});
