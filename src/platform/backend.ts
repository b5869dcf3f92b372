// Picks the tfjs backend for the Node CLI, the tests and the browser worker, and says why the faster
// ones were skipped. Backend packages and Node modules are imported dynamically, only where usable.
import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from './wasm/kernels';
import { registerWebgpuTrainingKernels } from './webgpu/kernels';

import { BACKEND_ORDER, type BackendName } from '../core/backends';
import { errorMessage } from '../core/errors';

export type { BackendName };

export interface SelectBackendOptions {
  /** Where the wasm binaries are: a folder URL/path ending in '/', or one URL per binary
   *  (`tfjs-backend-wasm.wasm`, `-simd.wasm`, `-threaded-simd.wasm`), e.g. from Vite `?url` imports.
   *  In Node it defaults to the package's own dist/ folder. */
  wasmPaths?: string | Record<string, string>;
  /** wasm XNNPACK threads. Browser: passed to setThreadsCount; the threaded build is only picked on a
   *  cross-origin-isolated page, and tfjs caps the pool at navigator.hardwareConcurrency / 2.
   *  Node: unset = the single-threaded SIMD build (the fastest measured here, 2 busy cores); n >= 1 = the
   *  threaded-SIMD build with n threads, started through nodeThreads.ts. */
  wasmThreads?: number;
  /** Register the wasm training kernels (default true). */
  wasmTrainingKernels?: boolean;
  /** Register the webgpu training kernels (default true): platform/webgpu/kernels.ts. */
  webgpuTrainingKernels?: boolean;
  /** Skip WebGPU and WebGL when they run in software (a fallback adapter, SwiftShader, llvmpipe): they
   *  train orders of magnitude slower than wasm. Default: true when more than one backend is offered
   *  (`auto`); a backend chosen alone is always tried. */
  skipSoftware?: boolean;
}

export interface SelectedBackend {
  name: BackendName;
  skipped: { name: BackendName; reason: string }[];
  /** How it runs, for people: wasm's build and thread count ("threaded SIMD, 4 threads"). */
  detail?: string;
}

/**
 * The wasm thread count for a machine with `logicalCores` (navigator.hardwareConcurrency): half of them
 * (the physical cores of a laptop with two threads per core; the rest is left to the page, the browser
 * and hyper-threading, which adds little to XNNPACK's matrix kernels), at least 1, at most 8 (tfjs's
 * pthread pool holds 8 workers). On the 2-core machine here the page trained slower with 2 threads than
 * with 1 (docs/decisions/wasm-threads.md: 0.62x vs 1.08x the runner), so a dual-core laptop gets 1.
 */
export function wasmThreadsFor(logicalCores: number | undefined): number {
  const n = Number.isFinite(logicalCores) && (logicalCores as number) >= 1 ? Math.floor(logicalCores as number) : 1;
  return Math.max(1, Math.min(8, Math.floor(n / 2)));
}

const isNode = (): boolean => {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions === 'object' && proc.versions.node != null;
};

/** The Node-only wasm helpers of wasm/nodeThreads.ts. */
interface NodeWasm {
  nodeWasmDir(): Promise<string>;
  prepareNodeWasmThreads(wasm: typeof import('@tensorflow/tfjs-backend-wasm'), threads: number): Promise<() => void>;
}

/** wasm/nodeThreads.ts, imported by a specifier in a variable: neither the page's bundle nor its type check
 *  (tsconfig.page.json, without Node's types) takes in a module that uses Node's. */
function nodeWasm(): Promise<NodeWasm> {
  const spec = './wasm/nodeThreads';
  return import(/* @vite-ignore */ spec) as Promise<NodeWasm>;
}

/** Tries each backend in turn; the first that initialises becomes tfjs's backend. */
export async function selectBackend(
  order: BackendName[] = [...BACKEND_ORDER],
  opts: SelectBackendOptions = {},
): Promise<SelectedBackend> {
  const skipped: SelectedBackend['skipped'] = [];
  const skipSoftware = opts.skipSoftware ?? order.length > 1;
  for (const name of order) {
    let reason: string | null;
    try {
      reason = skipSoftware ? await softwareReason(name) : null;
      if (reason == null) reason = await tryBackend(name, opts);
    } catch (e) {
      reason = `failed to initialise: ${errorMessage(e)}`;
    }
    if (reason == null) {
      await tf.ready();
      const detail = name === 'wasm' ? await wasmDetail() : undefined;
      return detail ? { name, skipped, detail } : { name, skipped };
    }
    skipped.push({ name, reason });
  }
  throw new Error(`no tfjs backend could start: ${skipped.map((s) => `${s.name} (${s.reason})`).join('; ')}`);
}

/** Words that name a software GPU implementation in an adapter's or a renderer's description. */
export const SOFTWARE_GPU = /swiftshader|llvmpipe|lavapipe|softpipe|software|microsoft basic render/i;

/** Why `name` would run in software here (so `auto` skips it), or null when it looks like hardware or
 *  cannot be told. */
export async function softwareReason(name: BackendName): Promise<string | null> {
  if (isNode()) return null;
  if (name === 'webgpu') {
    const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator?.gpu;
    if (!gpu) return null;
    const adapter = (await gpu.requestAdapter()) as {
      isFallbackAdapter?: boolean;
      info?: Record<string, string>;
    } | null;
    if (!adapter) return null;
    const info = adapter.info ?? {};
    const text = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ');
    if (adapter.isFallbackAdapter) return `software adapter (fallback${text ? `: ${text}` : ''}): slower than wasm`;
    if (SOFTWARE_GPU.test(text)) return `software adapter (${text}): slower than wasm`;
    return null;
  }
  if (name === 'webgl') {
    const OC = (globalThis as { OffscreenCanvas?: new (w: number, h: number) => { getContext(k: string): unknown } })
      .OffscreenCanvas;
    if (!OC) return null;
    const gl = new OC(1, 1).getContext('webgl2') as WebGL2RenderingContext | null;
    if (!gl) return null;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return SOFTWARE_GPU.test(renderer) ? `software renderer (${renderer}): slower than wasm` : null;
  }
  return null;
}

/** null when `name` is now tfjs's backend, else why not. */
async function tryBackend(name: BackendName, opts: SelectBackendOptions): Promise<string | null> {
  switch (name) {
    case 'webgpu': {
      const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
      if (nav?.gpu == null) return isNode() ? 'no WebGPU in Node' : 'no WebGPU (navigator.gpu missing)';
      // The package registers 'webgpu' on import, and only where navigator.gpu exists.
      await import('@tensorflow/tfjs-backend-webgpu');
      if (opts.webgpuTrainingKernels !== false) registerWebgpuTrainingKernels();
      return (await tf.setBackend('webgpu')) ? null : 'no WebGPU adapter';
    }
    case 'webgl': {
      // @tensorflow/tfjs registers 'webgl' only in a browser.
      if (tf.findBackendFactory('webgl') == null) return isNode() ? 'WebGL not available in Node' : 'not registered';
      return (await tf.setBackend('webgl')) ? null : 'no WebGL context';
    }
    case 'wasm':
      return (await startWasm(opts)) ? null : 'wasm backend failed to initialise';
    case 'cpu':
      return (await tf.setBackend('cpu')) ? null : 'cpu backend failed to initialise';
  }
}

type WasmPaths = Parameters<typeof import('@tensorflow/tfjs-backend-wasm').setWasmPaths>[0];

async function startWasm(opts: SelectBackendOptions): Promise<boolean> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm'); // registers 'wasm' and its kernels
  if (opts.wasmTrainingKernels !== false) registerWasmTrainingKernels();
  // Already initialised: paths and threads are fixed. (Not tf.findBackend: it starts the init itself, and
  // would do so before the paths below are set.)
  if (initialisedBackend('wasm')) return tf.setBackend('wasm');
  let restore = (): void => {};
  if (isNode()) {
    // Node resolves the package to its node bundle, whose loader reads the binaries next to itself with
    // fs; a folder prefix given to setWasmPaths is read the same way (a URL is not).
    const node = await nodeWasm();
    wasm.setWasmPaths((opts.wasmPaths ?? (await node.nodeWasmDir())) as WasmPaths);
    if (opts.wasmThreads != null && opts.wasmThreads >= 1) {
      restore = await node.prepareNodeWasmThreads(wasm, opts.wasmThreads);
    }
  } else {
    if (opts.wasmPaths != null) wasm.setWasmPaths(opts.wasmPaths as WasmPaths);
    if (opts.wasmThreads != null) {
      wasm.setThreadsCount(opts.wasmThreads);
      restore = reportCores(2 * opts.wasmThreads);
    }
  }
  try {
    return await tf.setBackend('wasm');
  } finally {
    restore();
  }
}

/** The wasm build that started and its XNNPACK thread count. */
async function wasmDetail(): Promise<string | undefined> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const [threaded, simd] = await Promise.all([
      tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
      tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
    ]);
    if (!(threaded && simd)) {
      const why =
        !isNode() && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== true
          ? ' (the page is not cross-origin isolated)'
          : '';
      return `${simd ? 'SIMD' : 'plain'} build, 1 thread${why}`;
    }
    const n = wasm.getThreadsCount();
    return `threaded SIMD build, ${n} thread${n === 1 ? '' : 's'}`;
  } catch {
    return undefined;
  }
}

/**
 * tfjs's wasm backend caps its thread pool at half the logical cores it is told of
 * (navigator.hardwareConcurrency / 2: one thread on a dual-core laptop, whatever setThreadsCount asked).
 * For the init only, the worker's navigator reports at least `cores`, so that the count asked is the count
 * used; returns the undo. (Node's counterpart pads os.cpus(): wasm/nodeThreads.ts.)
 */
function reportCores(cores: number): () => void {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (!nav || !((nav.hardwareConcurrency ?? 0) < cores)) return () => {};
  try {
    Object.defineProperty(nav, 'hardwareConcurrency', { configurable: true, get: () => cores });
  } catch {
    return () => {};
  }
  return () => {
    delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency;
  };
}

/** Whether `name` has been initialised, without initialising it. */
function initialisedBackend(name: BackendName): boolean {
  return (tf.engine() as unknown as { registry: Record<string, unknown> }).registry[name] != null;
}
