// The worker's calibration under `auto`: every backend that starts is timed on the config's model and the
// answer is the fastest one's cost with the reason; a backend chosen by name is timed alone. In Node only
// wasm (and tfjs's cpu) start here, so wasm is the pick and webgpu is named as not started.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { presetConfig } from '../../../src/core/config/presets';
import { configDims } from '../../../src/core/distill/estimate';
import { selectBackend } from '../../../src/platform/backend';
import { createInProcessClient } from '../../../src/worker/lab/inProcess';
import { until } from '../../helpers/events';
import type { WorkerEvent } from '../../../src/worker/lab/protocol';

const cfg = presetConfig('fixture-tiny');

describe('calibration under auto', () => {
  it('times each backend that starts, answers with the fastest and why; a named backend alone', async () => {
    const asked: string[][] = [];
    const client = createInProcessClient({
      selectBackend: (order) => {
        asked.push(order);
        return selectBackend(order);
      },
    });
    const dims = configDims(cfg)!;
    const answer = (key: string) =>
      until(client, (e) => e.type === 'calibration' && e.key === key) as Promise<
        Extract<WorkerEvent, { type: 'calibration' }>
      >;
    const auto = answer('auto');
    client.send({ type: 'calibrate', key: 'auto', config: cfg, dims, backends: ['webgpu', 'webgl', 'wasm', 'cpu'] });
    const a = await auto;
    expect(a.message).toBeNull();
    expect(a.cost!.backend).toBe('wasm');
    expect(a.cost!.slower).toEqual([]); // cpu was not timed: nothing measured slower
    expect(a.cost!.why).toMatch(
      /^wasm, the only backend timed here \([\d.]+ ms per training image\); webgpu did not start: .*no WebGPU in Node.*; cpu not timed: wasm works, and is faster$/,
    );
    // Each backend was started alone, after the usual first pick.
    expect(asked.slice(1).map((o) => o.join())).toEqual(['webgpu', 'webgl', 'wasm']);
    expect(tf.getBackend()).toBe('wasm');
    const named = answer('wasm');
    client.send({ type: 'calibrate', key: 'wasm', config: cfg, dims, backends: ['wasm'] });
    const w = await named;
    expect(w.cost!.backend).toBe('wasm');
    expect(w.cost!.why).toBeUndefined();
    client.terminate();
  });
});
