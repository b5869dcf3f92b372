// The WebGPU device under tfjs, watched by a run for a lost device, and a yield to the event loop.
import * as tf from '@tensorflow/tfjs';

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
