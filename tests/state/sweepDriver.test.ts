// A sweep from the lab's store: one run per value in the worker engine (main-thread client), one after
// another, then the value chosen by the deciding stage's validation; bad sweeps are refused with the reason.
import { describe, expect, it } from 'vitest';
import { makeConfig } from '../../src/core/config/config';
import { presetConfig } from '../../src/core/config/presets';
import { bestValidation } from '../../src/core/results/sweep';
import { selectBackend } from '../../src/platform/backend';
import { memoryStorage } from '../../src/platform/memoryStorage';
import { initialLabState } from '../../src/state/labState';
import { createLab } from '../../src/state/store';
import { createInProcessClient } from '../../src/worker/lab/inProcess';

const cfg = makeConfig({
  ...presetConfig('fixture-tiny'),
  trainOtherHalfStudent: false,
  sameBudgetControl: false,
  ensemble: { enabled: false, cGrid: [1], epsilon: 0.1, singles: false },
});

describe('sweep in the lab', () => {
  it('runs each value in turn and chooses on validation', async () => {
    const storage = memoryStorage();
    const client = createInProcessClient({
      storage,
      selectBackend: (o) => selectBackend(o.filter((b) => b !== 'webgpu')),
      flushMs: 10,
    });
    const { store, actions } = createLab({ client, storage, flushMs: 10 }, initialLabState(cfg, null));
    await actions.boot();
    const settle = async () => {
      await new Promise((r) => setTimeout(r, 20));
    };
    await settle();
    expect(actions.startSweep('task', [1, 2])).toBe('sweep.path: "task" is not a numeric setting of the experiment');
    expect(actions.startSweep('triplet.margin', [0.1, 0.4])).toBeNull();
    const t0 = Date.now();
    while (store.getState().sweep?.status === 'running' && Date.now() - t0 < 120_000)
      await new Promise((r) => setTimeout(r, 50));
    const sw = store.getState().sweep!;
    expect(sw.status).toBe('done');
    expect(sw.runIds).toHaveLength(2);
    const runs = await Promise.all(sw.runIds.map((id) => storage.getRun(id)));
    expect(runs.map((r) => r!.config.triplet.margin)).toEqual([0.1, 0.4]);
    expect(runs.map((r) => r!.config.name.split(' · ')[0])).toEqual([
      `${cfg.name} [sweep 1/2: triplet.margin = 0.1]`,
      `${cfg.name} [sweep 2/2: triplet.margin = 0.4]`,
    ]);
    const val = runs.map((r) => bestValidation(r!.history, 'triplet', 'expression'));
    expect(sw.result!.validation).toEqual(val);
    expect(sw.result!.chosen).toBe(val[1]! > val[0]! ? 1 : 0);
    expect(store.getState().experiment.config.triplet.margin).toBe(cfg.triplet.margin); // the user's config is untouched
    actions.dispose();
  });

  it('repeats: Run trains the curriculum once per seed, then shows the grid across seeds', async () => {
    const storage = memoryStorage();
    const client = createInProcessClient({
      storage,
      selectBackend: (o) => selectBackend(o.filter((b) => b !== 'webgpu')),
      flushMs: 10,
    });
    const { store, actions } = createLab(
      { client, storage, flushMs: 10 },
      initialLabState({ ...cfg, sameBudgetControl: true, repeats: 2 }, null),
    );
    await actions.boot();
    await new Promise((r) => setTimeout(r, 20));
    expect(actions.startRun()).toBeTruthy();
    const t0 = Date.now();
    while (store.getState().sweep?.status === 'running' && Date.now() - t0 < 120_000)
      await new Promise((r) => setTimeout(r, 50));
    const sw = store.getState().sweep!;
    expect(sw).toMatchObject({ kind: 'repeats', status: 'done', values: [cfg.seed, cfg.seed + 1] });
    const runs = await Promise.all(sw.runIds.map((id) => storage.getRun(id)));
    expect(runs.map((r) => r!.config.seed)).toEqual([cfg.seed, cfg.seed + 1]);
    const standard = sw.repeats!.rows.find((r) => r.model === 'standard')!;
    const acc = runs.map((r) => r!.rows.find((x) => x.model === 'standard')!.metrics.accuracy!);
    expect(standard.values).toEqual(acc);
    expect(standard.mean).toBeCloseTo((acc[0] + acc[1]) / 2, 12);
    expect(standard.vsControl?.n).toBe(2);
    expect(sw.repeats!.text).toMatch(/mean ± sd/);
    actions.dispose();
  });
});
