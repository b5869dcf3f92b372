// The page bench/gpu.ts drives in Chromium: what GPU the browser offers (WebGPU adapter, WebGL renderer), the
// workshop model's training steps on one backend per page load, and a large float32 matmul as the device's peak.
// Built by vite from the repo (no network); exposes window.gpuBench.
import * as tf from '@tensorflow/tfjs';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { BackendName } from '../../src/core/backends';
import { crossEntropyLoss } from '../../src/core/losses/task';
import { buildModel, modelSize, type ModelSpec } from '../../src/core/models';
import { selectBackend, softwareReason } from '../../src/platform/backend';
import { profileTraining, type StepProfile } from '../gpu-profile';
import { deviceSteps, matmulRate, type DeviceRow } from '../gpu-steps';
import { checkFilterGrad } from '../gpu-kernel-check';

/** The workshop presets' model, as bench/wasm-train.ts's WORKSHOP_SPEC. */
const WORKSHOP: ModelSpec = {
  arch: 'small',
  inputShape: [48, 48, 1],
  outputUnits: 8,
  width: 1,
  dropout: 0.25,
  seed: 1,
};
const BATCH = 64;

export interface Probe {
  webgpu: {
    present: boolean;
    adapter: null | { fallback: boolean; vendor: string; architecture: string; device: string; description: string };
  };
  webgl: { renderer: string | null; vendor: string | null };
  /** softwareReason() of src/platform/backend.ts: why each would run in software, null when it looks like hardware. */
  software: { webgpu: string | null; webgl: string | null };
}

export interface TrainResult {
  backend: string;
  steps: number;
  imgPerS: number;
  msPerStep: number;
  /** ≈ FLOPs of one training step: 2 x forward multiply-adds (convs and dense) x 3 (forward + both backward) x batch. */
  flopsPerStep: number;
  firstLoss: number;
  lastLoss: number;
  leakedTensors: number;
}

interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: { isFallbackAdapter?: boolean; vendor?: string; architecture?: string; device?: string; description?: string };
}

async function probe(): Promise<Probe> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } }).gpu;
  let adapter: Probe['webgpu']['adapter'] = null;
  if (gpu) {
    const a = await gpu.requestAdapter();
    if (a) {
      const i = a.info ?? {};
      adapter = {
        fallback: !!(a.isFallbackAdapter ?? i.isFallbackAdapter),
        vendor: i.vendor ?? '',
        architecture: i.architecture ?? '',
        device: i.device ?? '',
        description: i.description ?? '',
      };
    }
  }
  let renderer: string | null = null,
    vendor: string | null = null;
  const gl = document.createElement('canvas').getContext('webgl2');
  if (gl) {
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    renderer = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    vendor = String(gl.getParameter(ext ? ext.UNMASKED_VENDOR_WEBGL : gl.VENDOR));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
  }
  const sw = async (b: BackendName) => softwareReason(b).catch((e: unknown) => `could not tell: ${String(e)}`);
  return {
    webgpu: { present: !!gpu, adapter },
    webgl: { renderer, vendor },
    software: { webgpu: await sw('webgpu'), webgl: await sw('webgl') },
  };
}

async function start(backend: BackendName): Promise<string> {
  // tfjs asks for a WebGL context with failIfMajorPerformanceCaveat, which a software renderer refuses; the bench
  // decides about software itself (bench/gpu.ts), so let tfjs take whatever context there is.
  if (backend === 'webgl') tf.env().set('SOFTWARE_WEBGL_ENABLED', true);
  if (backend === 'wasm') {
    // This page is not cross-origin isolated, where the lab runs wasm single-threaded; tfjs would still try its
    // threaded build here, whose pthread workers do not start from a bundled page (the lab's worker redirects
    // them: src/platform/browser/wasmThreads.ts). One thread, as the lab.
    await import('@tensorflow/tfjs-backend-wasm');
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  const be = await selectBackend([backend], {
    skipSoftware: false,
    wasmPaths: {
      'tfjs-backend-wasm.wasm': wasmPlain,
      'tfjs-backend-wasm-simd.wasm': wasmSimd,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
    },
  });
  if (be.name === 'webgpu') {
    // As tfjs's own WebGPU CI: no small ops forwarded to the CPU (docs/architecture.md#platform-constraints).
    try {
      tf.env().set('WEBGPU_CPU_FORWARD', false);
    } catch {
      /* flag not registered in this build */
    }
  }
  return be.name;
}

/** `steps` timed Adam steps of the workshop model at batch 64 after `warmup` untimed ones (shaders, buffers). */
async function train(backend: BackendName, steps: number, warmup: number): Promise<TrainResult> {
  const name = await start(backend);
  const before = tf.memory().numTensors;
  const model = buildModel(WORKSHOP);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const opt = tf.train.adam(1e-3);
  const [h, w, c] = WORKSHOP.inputShape;
  const data = Array.from({ length: 4 }, (_, i) => ({
    x: tf.randomUniform([BATCH, h, w, c], 0, 1, 'float32', i),
    y: tf.randomUniform([BATCH], 0, WORKSHOP.outputUnits, 'int32', 100 + i) as tf.Tensor1D,
  }));
  let k = 0;
  const step = (): tf.Scalar => {
    const { x, y } = data[k++ % data.length];
    return opt.minimize(
      () => crossEntropyLoss(model.apply(x, { training: true }) as tf.Tensor2D, y),
      true,
      vars,
    ) as tf.Scalar;
  };
  let loss = step();
  const firstLoss = (await loss.data())[0];
  loss.dispose();
  for (let i = 1; i < warmup; i++) {
    loss = step();
    await loss.data();
    loss.dispose();
  }
  // Timed: steps queued back to back (as a training loop that reads the loss rarely), one read at the end.
  const t0 = performance.now();
  let last: tf.Scalar | null = null;
  for (let i = 0; i < steps; i++) {
    last?.dispose();
    last = step();
  }
  const lastLoss = (await last!.data())[0];
  const ms = performance.now() - t0;
  last!.dispose();
  model.dispose();
  opt.dispose();
  for (const d of data) tf.dispose([d.x, d.y]);
  const flopsPerStep = 2 * modelSize(WORKSHOP).macs * 3 * BATCH;
  return {
    backend: name,
    steps,
    imgPerS: (steps * BATCH) / (ms / 1000),
    msPerStep: ms / steps,
    flopsPerStep,
    firstLoss,
    lastLoss,
    leakedTensors: tf.memory().numTensors - before,
  };
}

/** Achieved GFLOP/s of an n x n x n float32 matmul on `backend` (2n³ FLOPs each; `reps` queued, one read). */
async function matmul(
  backend: BackendName,
  n: number,
  reps: number,
): Promise<{ backend: string; n: number; gflops: number; msEach: number }> {
  const name = await start(backend);
  const a = tf.randomNormal([n, n], 0, 1, 'float32', 1);
  const b = tf.randomNormal([n, n], 0, 1, 'float32', 2);
  const warm = tf.matMul(a, b);
  await warm.data();
  warm.dispose();
  const t0 = performance.now();
  let c: tf.Tensor | null = null;
  for (let i = 0; i < reps; i++) {
    c?.dispose();
    c = tf.matMul(a, b);
  }
  await c!.data();
  const ms = performance.now() - t0;
  tf.dispose([a, b, c!]);
  return { backend: name, n, gflops: (2 * n ** 3 * reps) / (ms / 1000) / 1e9, msEach: ms / reps };
}

/** The profile of the demo model's real training steps (bench/gpu-profile.ts) with tfjs's kernels or ours. */
async function profile(kernels: 'stock' | 'ours', steps: number, batch: number): Promise<StepProfile> {
  await start('webgpu');
  return profileTraining('demo-expression-lower', kernels, steps, { batch });
}

/** The `--device` measurements on this page's WebGPU adapter. */
async function device(): Promise<{
  rows: DeviceRow[];
  lines: string[];
  matmul: { n: number; gflops: number; msEach: number };
}> {
  await start('webgpu');
  const lines: string[] = [];
  const rows = await deviceSteps((s) => lines.push(s), 'chromium');
  return { rows, lines, matmul: await matmulRate(4096, 10) };
}

/** The webgpu training kernels against cpu (bench/gpu-kernel-check.ts), for tests/e2e/webgpu-kernels.test.ts. */
async function kernelCheck(): Promise<{ name: string; ours: number; stock: number }[]> {
  await start('webgpu');
  return checkFilterGrad();
}

(window as unknown as { gpuBench: unknown }).gpuBench = {
  probe,
  train,
  matmul,
  profile,
  device,
  kernelCheck,
  ready: true,
};
