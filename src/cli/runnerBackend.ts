// The runner's tfjs backend: a backend named with --backend, or `auto`. WebGPU in Node runs on Dawn (the
// optional `webgpu` package, platform/node/webgpu.ts): --gpu-adapter passes Dawn toggles (e.g.
// backend=opengl, backend=vulkan, adapter=<name>), a software adapter (llvmpipe, SwiftShader, lavapipe) is
// refused unless --allow-software-gpu, the adapter is printed, and the device is destroyed at the end. A
// WebGPU that does not start falls back to wasm with the reason. `auto` starts every backend it can and,
// once the dataset's size is known, times the config's model on each (platform/autoBackend.ts) and keeps
// the fastest.
import * as tf from '@tensorflow/tfjs';
import { BACKEND_ORDER, type BackendName } from '../core/backends';
import { calibrate } from '../core/distill/calibrate';
import type { DatasetDims, StepCost } from '../core/distill/estimate';
import type { ExperimentConfig } from '../core/config/config';
import { selectBackend, type SelectBackendOptions, type SelectedBackend } from '../platform/backend';
import { chooseBackend } from '../platform/autoBackend';
import type { NodeWebgpu } from '../platform/node/webgpu';

export interface RunnerBackendArgs {
  /** Unset: auto. */
  backend?: BackendName;
  /** Dawn toggles for WebGPU in Node. */
  gpuAdapter?: string[];
  allowSoftwareGpu?: boolean;
  /** wasm threads (0: the single-threaded SIMD build). */
  wasmThreads: number;
}

export interface RunnerBackend {
  /** The backend tfjs runs on now (auto: the first that started, then the fastest once settled). */
  selected: SelectedBackend;
  /** The backend's calibration (null: not timed). `auto` with several backends times each (even when
   *  `estimate` is false: the timing is the choice) and keeps the fastest; otherwise the one backend is
   *  timed when `estimate` is asked (not on tfjs's slow cpu backend). */
  settle(cfg: ExperimentConfig, dims: DatasetDims, estimate: boolean): Promise<StepCost | null>;
  /** The backends that started, in order (`settle` chooses among them). */
  readonly started: readonly BackendName[];
  /** Leaves out backends the config cannot fit in (the memory estimate, before any timing builds a model);
   *  the first one left is selected. Throws when none is left. */
  keepOnly(fits: (name: BackendName) => boolean, refusal: () => Error): Promise<void>;
  /** Destroys the WebGPU device, if one was made. Idempotent. */
  close(): void;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Starts the backend(s) the arguments ask for; `say` prints for people (stderr), `warn` what must be
 *  said even to a quiet runner (a backend asked for by name that did not start). */
export async function startRunnerBackend(
  a: RunnerBackendArgs,
  say: (s: string) => void,
  warn: (s: string) => void = say,
): Promise<RunnerBackend> {
  const opts: SelectBackendOptions = a.wasmThreads >= 1 ? { wasmThreads: a.wasmThreads } : {};
  let gpu: NodeWebgpu | null = null;
  const skipped: SelectedBackend['skipped'] = [];
  const order: BackendName[] = a.backend ? [a.backend] : [...BACKEND_ORDER];

  if (order.includes('webgpu')) {
    try {
      const { startNodeWebgpu } = await import('../platform/node/webgpu');
      gpu = await startNodeWebgpu({
        toggles: a.gpuAdapter ?? [],
        allowSoftware: a.allowSoftwareGpu === true,
        timeoutMs: a.backend ? 30_000 : 10_000,
      });
      say(`webgpu adapter: ${gpu.describe()}\n`);
    } catch (e) {
      const why = (e as { reason?: string }).reason;
      const hint =
        why === 'software'
          ? ' (--allow-software-gpu takes it anyway)'
          : why === 'no-adapter'
            ? ' (--gpu-adapter passes Dawn toggles, e.g. backend=vulkan or backend=opengl)'
            : '';
      const reason = `${message(e).replace(/ \(allow it explicitly to use it anyway\)$/, '')}${hint}`;
      skipped.push({ name: 'webgpu', reason });
      if (a.backend === 'webgpu') warn(`webgpu did not start: ${reason}.\nFalling back to wasm.\n`);
    }
  }
  // The backends that start here, in order (webgpu already has, or has been skipped).
  const started: BackendName[] = gpu ? ['webgpu'] : [];
  // A WebGPU asked for by name and started is the only backend; one that did not start falls back.
  const rest: BackendName[] =
    a.backend === 'webgpu' ? (gpu ? [] : ['wasm', 'cpu']) : order.filter((b) => b !== 'webgpu');
  let first: SelectedBackend | null = null;
  for (const name of rest) {
    try {
      const s = await selectBackend([name], opts);
      first ??= s;
      started.push(name);
      // One CPU backend: wasm (the rival a GPU must beat), or cpu where wasm does not start.
      break;
    } catch (e) {
      const m = /^no tfjs backend could start: \w+ \((.*)\)$/s.exec(message(e));
      skipped.push({ name, reason: m ? m[1] : message(e) });
    }
  }
  if (!started.length)
    throw new Error(`no tfjs backend could start: ${skipped.map((s) => `${s.name} (${s.reason})`).join('; ')}`);
  const detailOf = async (name: BackendName): Promise<SelectedBackend> => {
    if (name === 'webgpu') return { name, skipped: [...skipped], detail: gpu!.describe() };
    const s = await selectBackend([name], opts);
    return { ...s, skipped: [...skipped] };
  };
  const start = async (name: BackendName): Promise<void> => {
    if (name === 'webgpu') {
      if (!(await tf.setBackend('webgpu'))) throw new Error('webgpu backend lost');
    } else await selectBackend([name], opts);
  };
  await start(started[0]);
  const runner: RunnerBackend = {
    started,
    async keepOnly(fits, refusal) {
      const keep = started.filter(fits);
      if (!keep.length) throw refusal();
      if (keep.length === started.length) return;
      for (const b of started)
        if (!keep.includes(b)) skipped.push({ name: b, reason: 'the config does not fit in its memory' });
      started.splice(0, started.length, ...keep);
      await start(started[0]);
      runner.selected = await detailOf(started[0]);
    },
    selected: started[0] === 'webgpu' ? await detailOf('webgpu') : { ...first!, skipped: [...skipped] },
    async settle(cfg, dims, estimate) {
      if (started.length > 1) {
        const pick = await chooseBackend(cfg, dims, started, start, async () => null);
        say(`auto: ${pick.why}\n`);
        runner.selected = await detailOf(pick.backend);
        return pick.cost;
      }
      return estimate && started[0] !== 'cpu' ? calibrate(cfg, dims) : null;
    },
    close() {
      gpu?.destroy();
    },
  };
  return runner;
}
