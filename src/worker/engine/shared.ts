// What the engine and its run sessions share: their dependencies, the clock, and WebGPU device access.
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../../core/backends';
import type { LabStorage } from '../../core/records';
import type { WorkerEvent } from '../protocol';

export interface EngineDeps {
  storage: LabStorage;
  /** Starts the first backend of `order` that works (platform/backend.ts selectBackend). */
  selectBackend: (order: BackendName[]) => Promise<{ name: BackendName; skipped: { name: BackendName; reason: string }[]; detail?: string }>;
  post: (e: WorkerEvent) => void;
  /** Curriculum events are sent at most this often, batched (default 100 ms). */
  flushMs?: number;
  /** Marks the run as being trained until `until` settles (Web Locks in the browser), so other tabs
   *  do not offer to resume it. */
  holdRunLock?: (runId: string, until: Promise<void>) => void;
}

export { now } from '../../core/distill/context';
export const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
/** Lets queued messages (pause, cancel) in between synchronous backends' microtask-only awaits. */
export const yieldToEventLoop = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

export interface GpuDeviceLike {
  lost: Promise<{ reason?: string; message?: string }>;
  destroy(): void;
}
export function webgpuDevice(): GpuDeviceLike | null {
  if (tf.getBackend() !== 'webgpu') return null;
  return (tf.backend() as unknown as { device?: GpuDeviceLike }).device ?? null;
}

