// WebGPU in Node: Dawn's bindings (the optional npm package `webgpu`) under tfjs's webgpu backend.
//
// Order matters: the package's globals (GPUBufferUsage, GPUMapMode, ...) and navigator.gpu must exist before
// '@tensorflow/tfjs-backend-webgpu' is imported, because that import registers the 'webgpu' backend only where
// navigator.gpu exists. We then register our own factory over it, built on an adapter and a device we asked for
// ourselves: every probe gets a time limit, the adapter can be refused when it runs in software, and we keep
// the GPUDevice to destroy it at the end (tfjs's dispose leaves it alive, and Dawn keeps the process running).
//
// On a CPU-only Linux machine Dawn finds Mesa's llvmpipe through its OpenGL backend (toggles
// ['backend=opengl'], EGL_PLATFORM=surfaceless, a 'compatibility' feature-level adapter); a GPU machine gets
// its Vulkan (Linux), Metal (macOS) or D3D12 (Windows) adapter with no toggles.
//
// Node-only: imported dynamically by Node code, never by the page bundle.
import * as tf from '@tensorflow/tfjs';
import { SOFTWARE_GPU } from '../backend';
import { registerWebgpuTrainingKernels } from '../webgpu/kernels';

export interface NodeWebgpuOptions {
  /** Dawn toggles passed to create(), e.g. ['backend=opengl'] or ['backend=vulkan'], or 'adapter=<name>'. */
  toggles?: string[];
  /** Start on a software adapter (llvmpipe, SwiftShader, lavapipe, a fallback adapter). Default false. */
  allowSoftware?: boolean;
  /** Time limit for each probe (adapter, device, backend start), in ms. Default 20 s. */
  timeoutMs?: number;
  /** Register the project's webgpu training kernels (platform/webgpu/kernels.ts). Default true. */
  trainingKernels?: boolean;
}

export interface NodeWebgpuAdapter {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** The adapter's feature level: 'core', or 'compatibility' (e.g. Dawn on OpenGL). */
  featureLevel: 'core' | 'compatibility';
  isSoftware: boolean;
}

export interface NodeWebgpu {
  adapter: NodeWebgpuAdapter;
  /** One line for people: "llvmpipe-... (OpenGL version 4.5 ..., software)". */
  describe(): string;
  /** Destroys the GPUDevice tfjs trains on (after disposing the backend, if it still is tfjs's). Idempotent. */
  destroy(): void;
}

/** Why the Node WebGPU start failed, with `reason` for callers that fall back. */
export class NodeWebgpuError extends Error {
  constructor(
    readonly reason: 'no-package' | 'no-adapter' | 'software' | 'timeout' | 'backend',
    message: string,
  ) {
    super(message);
    this.name = 'NodeWebgpuError';
  }
}

// The slice of the WebGPU API used here (the DOM lib in use has no WebGPU types).
interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
interface DeviceLike {
  destroy(): void;
  lost?: Promise<unknown>;
}
interface AdapterLike {
  info?: AdapterInfoLike;
  isFallbackAdapter?: boolean;
  features: { has(f: string): boolean };
  limits: Record<string, number>;
  requestDevice(desc?: unknown): Promise<DeviceLike>;
}
interface GpuLike {
  requestAdapter(opts?: Record<string, unknown>): Promise<AdapterLike | null>;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** `p`, or a NodeWebgpuError('timeout') after `ms`. */
export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NodeWebgpuError('timeout', `${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether an adapter's strings or flags say it runs in software. */
export function isSoftwareAdapter(info: AdapterInfoLike, fallback = false): boolean {
  if (fallback || info.isFallbackAdapter === true) return true;
  if (/^cpu$/i.test(info.architecture ?? '') || /\bcpu\b/i.test(info.device ?? '')) return true;
  return SOFTWARE_GPU.test([info.vendor, info.architecture, info.device, info.description].join(' '));
}

let current: { device: DeviceLike; destroyed: boolean } | null = null;

/**
 * Starts tfjs's 'webgpu' backend in Node on Dawn and makes it tfjs's backend. Throws a NodeWebgpuError naming
 * why when the package is missing, no adapter answers, the adapter is software and not allowed, or a probe
 * runs past its time limit. Calling it again while a device is alive destroys that one first.
 */
export async function startNodeWebgpu(opts: NodeWebgpuOptions = {}): Promise<NodeWebgpu> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const toggles = opts.toggles ?? [];
  if (toggles.some((t) => /backend=opengl/i.test(t)) && process.env.EGL_PLATFORM == null) {
    // Without a display, Mesa's EGL must be told to run headless.
    process.env.EGL_PLATFORM = 'surfaceless';
  }
  let pkg: { create(toggles: string[]): GpuLike; globals: Record<string, unknown> };
  try {
    const spec = 'webgpu'; // in a variable: bundlers must not follow it
    pkg = (await import(/* @vite-ignore */ spec)) as typeof pkg;
  } catch (e) {
    throw new NodeWebgpuError(
      'no-package',
      `WebGPU in Node needs the optional npm package 'webgpu' (Dawn), which did not load: ${message(e)}`,
    );
  }
  Object.assign(globalThis, pkg.globals);
  const gpu = pkg.create(toggles);
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator == null) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  } else {
    Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  }

  // Core first (a GPU's full feature set), then compatibility (Dawn's OpenGL backend offers only that).
  let adapter: AdapterLike | null = null;
  let featureLevel: NodeWebgpuAdapter['featureLevel'] = 'core';
  for (const level of ['core', 'compatibility'] as const) {
    adapter = await withTimeout(
      gpu.requestAdapter({ powerPreference: 'high-performance', featureLevel: level }),
      timeoutMs,
      `requestAdapter (${level}, toggles [${toggles.join(', ')}])`,
    );
    if (adapter) {
      featureLevel = level;
      break;
    }
  }
  if (!adapter) {
    throw new NodeWebgpuError(
      'no-adapter',
      `Dawn found no WebGPU adapter (toggles [${toggles.join(', ')}]); ` +
        'on Linux without a GPU try toggles [backend=opengl] with Mesa (llvmpipe) installed',
    );
  }
  const raw = adapter.info ?? {};
  const info: NodeWebgpuAdapter = {
    vendor: raw.vendor ?? '',
    architecture: raw.architecture ?? '',
    device: raw.device ?? '',
    description: raw.description ?? '',
    featureLevel,
    isSoftware: isSoftwareAdapter(raw, adapter.isFallbackAdapter === true),
  };
  const describe = (): string => {
    const name = [info.vendor, info.architecture, info.device].filter(Boolean).join(' ') || 'unnamed adapter';
    const extra = [
      info.description,
      info.featureLevel === 'compatibility' ? 'compatibility' : '',
      info.isSoftware ? 'software' : 'hardware',
    ].filter(Boolean);
    return `${name} (${extra.join(', ')})`;
  };
  if (info.isSoftware && opts.allowSoftware !== true) {
    throw new NodeWebgpuError(
      'software',
      `the WebGPU adapter runs in software: ${describe()}; ` +
        'it trains far slower than wasm (allow it explicitly to use it anyway)',
    );
  }

  // The device tfjs would ask for: its features and the adapter's own limits.
  const requiredFeatures = ['timestamp-query'].filter((f) => adapter.features.has(f));
  const limits = adapter.limits;
  const requiredLimits: Record<string, number> = {};
  for (const k of [
    'maxComputeWorkgroupStorageSize',
    'maxComputeWorkgroupsPerDimension',
    'maxStorageBufferBindingSize',
    'maxBufferSize',
    'maxComputeWorkgroupSizeX',
    'maxComputeInvocationsPerWorkgroup',
  ]) {
    if (limits[k] != null) requiredLimits[k] = limits[k];
  }
  const device = await withTimeout(
    adapter.requestDevice({ requiredFeatures, requiredLimits }),
    timeoutMs,
    'requestDevice',
  );
  if (current && !current.destroyed) destroyDevice(current);
  const handle = { device, destroyed: false };
  current = handle;

  try {
    const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
    if (opts.trainingKernels !== false) registerWebgpuTrainingKernels();
    if (tf.findBackendFactory('webgpu') != null) tf.removeBackend('webgpu');
    tf.registerBackend('webgpu', () => new WebGPUBackend(device as never, raw as never), 3);
    const ok = await withTimeout(tf.setBackend('webgpu'), timeoutMs, "tf.setBackend('webgpu')");
    // setBackend answers false on failure while getBackend() may still say webgpu: trust the answer.
    if (!ok) throw new NodeWebgpuError('backend', `tfjs's webgpu backend did not start on ${describe()}`);
    await tf.ready();
  } catch (e) {
    destroyDevice(handle);
    if (e instanceof NodeWebgpuError) throw e;
    throw new NodeWebgpuError('backend', `tfjs's webgpu backend did not start on ${describe()}: ${message(e)}`);
  }
  return { adapter: info, describe, destroy: () => destroyDevice(handle) };
}

function destroyDevice(handle: { device: DeviceLike; destroyed: boolean }): void {
  if (handle.destroyed) return;
  handle.destroyed = true;
  const registry = (tf.engine() as unknown as { registry: Record<string, { device?: unknown } | undefined> }).registry;
  if (registry.webgpu?.device === handle.device) {
    if (tf.getBackend() === 'webgpu') {
      // tfjs cannot leave a backend without picking another; cpu is always there.
      void tf.setBackend('cpu');
    }
    tf.removeBackend('webgpu');
  }
  handle.device.destroy();
  if (current === handle) current = null;
}
