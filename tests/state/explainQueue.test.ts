// Grad-CAM and calibrations take turns in the worker: a Grad-CAM request made while a calibration is
// timing waits for its answer, and no calibration starts while maps are being computed.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { presetConfig } from '../../src/core/config/presets';
import { memoryStorage } from '../../src/platform/memoryStorage';
import { initialLabState } from '../../src/state/labState';
import { createLab } from '../../src/state/store';
import type { LabClient } from '../../src/worker/lab/client';
import type { WorkerCommand, WorkerEvent } from '../../src/worker/lab/protocol';

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

afterEach(() => {
  vi.useRealTimers();
});

describe('Grad-CAM and calibration', () => {
  it('holds a Grad-CAM request until the calibration in flight answers, and calibrates again after the maps', () => {
    vi.useFakeTimers();
    const client = fakeClient();
    const { store, actions } = createLab(
      { client, storage: memoryStorage(), flushMs: 10, calibrations: { load: () => ({}), save: () => {} } },
      initialLabState(presetConfig('fixture-tiny'), 'fixture-tiny'),
    );
    client.emit({ type: 'ready', tfjs: '4', stageLabels: {} } as unknown as WorkerEvent);
    vi.advanceTimersByTime(10);
    actions.calibrate();
    const cal = client.sent.find((c) => c.type === 'calibrate') as Extract<WorkerCommand, { type: 'calibrate' }>;
    expect(cal).toBeTruthy();
    actions.explain({ runId: 'run-1', pick: { mode: 'first' }, count: 2, target: 'predicted' });
    expect(client.sent.some((c) => c.type === 'gradcam')).toBe(false);
    client.emit({
      type: 'calibration',
      key: cal.key,
      cost: { msPerImage: 1, evalMsPerImage: 1 },
      message: null,
    } as unknown as WorkerEvent);
    vi.advanceTimersByTime(10);
    const sent = client.sent.map((c) => c.type);
    expect(sent.filter((t) => t === 'gradcam')).toHaveLength(1);
    // No new calibration while the maps are computed.
    expect(sent.lastIndexOf('calibrate')).toBeLessThan(sent.indexOf('gradcam'));
    const id = store.getState().explain.pending!;
    client.emit({ type: 'error', message: 'no such run', command: 'gradcam', requestId: id });
    vi.advanceTimersByTime(10);
    expect(store.getState().explain.error).toBe('no such run');
    expect(client.sent.at(-1)!.type).toBe('calibrate');
    actions.dispose();
  });
});
