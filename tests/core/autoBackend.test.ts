// `auto` by measurement with hand-made timings: the fastest measured backend wins (a GPU only when it is
// faster), ties go to the usual order, backends that did not start or run in software are named, cpu is
// not timed once wasm works, and tfjs is left on the pick.
import { describe, expect, it } from 'vitest';
import { autoOrder, notWorthTiming, pickFastest, slowerThanPick, type BackendTiming } from '../../src/core/autoBackend';
import type { BackendName } from '../../src/core/backends';
import type { StepCost } from '../../src/core/distill/estimate';
import { timeBackends } from '../../src/platform/autoBackend';

const cost = (backend: BackendName, train: number, evalMs = train / 3): StepCost => ({
  backend,
  trainMsPerImage: train,
  evalMsPerImage: evalMs,
});

describe('pickFastest', () => {
  it('takes a GPU only when it measured faster than wasm', () => {
    const slowGpu: BackendTiming[] = [
      { backend: 'webgpu', cost: cost('webgpu', 9.8) },
      { backend: 'wasm', cost: cost('wasm', 4.2) },
    ];
    expect(pickFastest(slowGpu)).toEqual({
      backend: 'wasm',
      why: 'wasm, the fastest measured for this model here: 4.20 ms per training image, against webgpu 9.80 ms per training image',
    });
    const fastGpu: BackendTiming[] = [
      { backend: 'webgpu', cost: cost('webgpu', 0.31) },
      { backend: 'wasm', cost: cost('wasm', 4.2) },
    ];
    expect(pickFastest(fastGpu)?.backend).toBe('webgpu');
  });

  it('ranks by the score it is given (e.g. the whole run), ties to the usual order', () => {
    // webgpu trains faster but evaluates far slower: on a run heavy in evaluation wasm wins.
    const t: BackendTiming[] = [
      { backend: 'webgpu', cost: cost('webgpu', 2, 40) },
      { backend: 'wasm', cost: cost('wasm', 4, 1) },
    ];
    expect(pickFastest(t)?.backend).toBe('webgpu');
    expect(pickFastest(t, (c) => c.trainMsPerImage + 10 * c.evalMsPerImage)?.backend).toBe('wasm');
    const tie: BackendTiming[] = [
      { backend: 'wasm', cost: cost('wasm', 3) },
      { backend: 'webgl', cost: cost('webgl', 3) },
    ];
    expect(pickFastest(tie)?.backend).toBe('webgl');
  });

  it('names the backends not timed, and the only one timed', () => {
    const t: BackendTiming[] = [
      { backend: 'webgpu', skipped: 'skipped: software adapter (llvmpipe)' },
      { backend: 'webgl', skipped: 'did not start: no WebGL context' },
      { backend: 'wasm', cost: cost('wasm', 12.5) },
      { backend: 'cpu', skipped: 'not timed: wasm works, and is faster' },
    ];
    expect(pickFastest(t)?.why).toBe(
      'wasm, the only backend timed here (12.5 ms per training image); webgpu skipped: software adapter (llvmpipe); ' +
        'webgl did not start: no WebGL context; cpu not timed: wasm works, and is faster',
    );
    expect(pickFastest([{ backend: 'webgpu', skipped: 'x' }])).toBeNull();
    expect(pickFastest([{ backend: 'wasm', cost: cost('wasm', NaN) }])).toBeNull();
  });

  it('does not time cpu once wasm was timed; a run tries the pick first', () => {
    expect(notWorthTiming('cpu', [{ backend: 'wasm', cost: cost('wasm', 1) }])).toMatch(/not timed/);
    expect(notWorthTiming('cpu', [{ backend: 'wasm', skipped: 'did not start' }])).toBeNull();
    expect(notWorthTiming('webgpu', [])).toBeNull();
    // A GPU measured slower than wasm goes last; one not timed (software) stays, to be skipped with its reason.
    expect(autoOrder(['webgpu'])).toEqual(['webgl', 'wasm', 'cpu', 'webgpu']);
    expect(autoOrder(['webgpu', 'webgl'])).toEqual(['wasm', 'cpu', 'webgpu', 'webgl']);
    expect(autoOrder(null)).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
    const t: BackendTiming[] = [
      { backend: 'webgpu', cost: cost('webgpu', 9) },
      { backend: 'webgl', skipped: 'software' },
      { backend: 'wasm', cost: cost('wasm', 4) },
      { backend: 'cpu', skipped: 'not timed' },
    ];
    expect(slowerThanPick(t, 'wasm')).toEqual(['webgpu']);
  });
});

describe('timeBackends', () => {
  /** A fake platform: which backends start, what each measures, which runs in software. */
  function fake(
    ms: Partial<Record<BackendName, number>>,
    opts: { fail?: BackendName[]; soft?: BackendName[]; throwsTimed?: BackendName[] } = {},
  ) {
    const started: BackendName[] = [];
    let active: BackendName | null = null;
    return {
      started,
      deps: {
        start: async (b: BackendName) => {
          if (opts.fail?.includes(b)) throw new Error(`${b} failed to initialise`);
          started.push(b);
          active = b;
        },
        time: async () => {
          if (opts.throwsTimed?.includes(active!)) throw new Error('out of memory');
          return cost(active!, ms[active!]!);
        },
        software: async (b: BackendName) =>
          opts.soft?.includes(b) ? 'software adapter (SwiftShader): slower than wasm' : null,
      },
      get active() {
        return active;
      },
    };
  }

  it('times each backend that starts, leaves tfjs on the fastest', async () => {
    const f = fake({ webgpu: 0.5, webgl: 2, wasm: 4 });
    const r = await timeBackends(['webgpu', 'webgl', 'wasm', 'cpu'], f.deps);
    expect(r.backend).toBe('webgpu');
    expect(r.cost.trainMsPerImage).toBe(0.5);
    expect(f.started).toEqual(['webgpu', 'webgl', 'wasm', 'webgpu']);
    expect(f.active).toBe('webgpu');
    expect(r.timings.map((t) => [t.backend, t.cost?.trainMsPerImage ?? t.skipped])).toEqual([
      ['webgpu', 0.5],
      ['webgl', 2],
      ['wasm', 4],
      ['cpu', 'not timed: wasm works, and is faster'],
    ]);
  });

  it('a slow GPU loses to wasm; software and failing backends are skipped with their reason', async () => {
    const f = fake({ webgpu: 30, wasm: 4, cpu: 40 }, { soft: ['webgl'] });
    const r = await timeBackends(['webgpu', 'webgl', 'wasm', 'cpu'], f.deps);
    expect(r.backend).toBe('wasm');
    expect(f.active).toBe('wasm');
    expect(r.why).toMatch(
      /^wasm, the fastest measured for this model here: 4.00 ms per training image, against webgpu 30.0 ms per training image; webgl skipped: software adapter/,
    );
    const g = fake({ webgpu: 1, wasm: 4, cpu: 40 }, { fail: ['wasm'], throwsTimed: ['webgpu'] });
    const r2 = await timeBackends(['webgpu', 'wasm', 'cpu'], g.deps);
    expect(r2.backend).toBe('cpu');
    expect(r2.timings.map((t) => t.skipped ?? 'timed')).toEqual([
      'failed while timed: out of memory',
      'did not start: wasm failed to initialise',
      'timed',
    ]);
  });

  it('says why when nothing could be timed', async () => {
    const f = fake({}, { fail: ['wasm', 'cpu'] });
    await expect(timeBackends(['wasm', 'cpu'], f.deps)).rejects.toThrow(
      'no backend could be timed: wasm (did not start: wasm failed to initialise); cpu (did not start: cpu failed to initialise)',
    );
  });
});
