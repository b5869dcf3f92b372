// Reading a training step's figures (loss components and score, a [4] tensor) back to the CPU without
// stalling a GPU. Awaiting every step's figures before the next step is queued leaves the GPU idle while
// JavaScript waits for the copy and then builds the next step. Instead the steps' tensors are collected,
// stacked into one [k, 4] tensor and read with one asynchronous data() every few steps, while the next
// steps are already queued behind it; figures are handed on in step order. On the CPU backends (cpu, wasm)
// the values are in memory anyway: every step is read, as before, and the numbers are the same either way
// (stacking copies values; nothing a step computes depends on when its figures are read).
import * as tf from '@tensorflow/tfjs';
import { now } from './context';

export interface ReadbackPolicy {
  /** Read no more often than every `minSteps` steps... */
  minSteps: number;
  /** ...and no less often than every `maxSteps` steps... */
  maxSteps: number;
  /** ...and otherwise when `intervalMs` passed since the last read (the charts update ~1000/intervalMs
   *  times a second). */
  intervalMs: number;
  /** Reads left in flight when `add` returns (the GPU works on the next steps meanwhile); 0: every read
   *  is awaited before the next step is built. */
  inFlight: number;
}

/** Backends whose tensors live in GPU memory: reading one back is a copy across the bus and a sync. */
export const GPU_BACKENDS: readonly string[] = ['webgpu', 'webgl'];

export function readbackPolicy(backend: string): ReadbackPolicy {
  return GPU_BACKENDS.includes(backend)
    ? { minSteps: 4, maxSteps: 32, intervalMs: 150, inFlight: 1 }
    : { minSteps: 1, maxSteps: 1, intervalMs: 0, inFlight: 0 };
}

/** One step's figures as read back. */
export interface StepFigures {
  /** 1-based step within the epoch. */
  step: number;
  /** Images in the step's batch. */
  images: number;
  /** [total, task, extra term, score] (see StepFn). */
  values: Float32Array;
  /** The step's share of the time since the previous read resolved (ms): a group read at once splits
   *  its time evenly. */
  stepMs: number;
}

interface InFlight {
  tensor: tf.Tensor;
  read: Promise<unknown>;
  steps: { step: number; images: number }[];
}

/**
 * Collects step tensors (it owns them once added) and hands their figures to `onFigures` in step order.
 * `onFigures` returns false to stop: later figures are dropped (the steps already queued after it still
 * ran, and the caller discards what they did), and `stopped` turns true.
 */
export class StepReadback {
  private pending: { comps: tf.Tensor1D; step: number; images: number }[] = [];
  private reads: InFlight[] = [];
  private lastRead: number;
  private lastSettled: number;
  private halted = false;

  constructor(
    private readonly policy: ReadbackPolicy,
    private readonly onFigures: (f: StepFigures) => boolean,
    private readonly clock = now,
  ) {
    this.lastRead = clock();
    this.lastSettled = this.lastRead;
  }

  get stopped(): boolean {
    return this.halted;
  }

  /** Takes one step's [4] tensor; reads a group when the policy says so, and waits for the oldest reads
   *  while more than `inFlight` are pending. */
  async add(comps: tf.Tensor1D, step: number, images: number): Promise<void> {
    this.pending.push({ comps, step, images });
    const n = this.pending.length;
    const p = this.policy;
    if (n >= p.maxSteps || (n >= p.minSteps && this.clock() - this.lastRead >= p.intervalMs)) this.send();
    while (this.reads.length > p.inFlight) await this.settleOldest();
  }

  /** Reads whatever is pending and waits for every read. */
  async drain(): Promise<void> {
    this.send();
    while (this.reads.length) await this.settleOldest();
  }

  /** Frees everything still held, after letting reads in flight finish (on an error or a cancel). */
  async dispose(): Promise<void> {
    tf.dispose(this.pending.map((p) => p.comps));
    this.pending = [];
    const reads = this.reads;
    this.reads = [];
    await Promise.allSettled(reads.map((r) => r.read));
    tf.dispose(reads.map((r) => r.tensor));
  }

  private send(): void {
    if (!this.pending.length) return;
    const group = this.pending;
    this.pending = [];
    let tensor: tf.Tensor;
    if (group.length === 1) tensor = group[0].comps;
    else {
      tensor = tf.stack(group.map((g) => g.comps));
      tf.dispose(group.map((g) => g.comps));
    }
    this.lastRead = this.clock();
    this.reads.push({ tensor, read: tensor.data(), steps: group.map(({ step, images }) => ({ step, images })) });
  }

  private async settleOldest(): Promise<void> {
    const r = this.reads.shift()!;
    let data: Float32Array;
    try {
      data = (await r.read) as Float32Array;
    } finally {
      r.tensor.dispose();
    }
    const t = this.clock();
    const stepMs = (t - this.lastSettled) / r.steps.length;
    this.lastSettled = t;
    r.steps.forEach((s, i) => {
      if (this.halted) return;
      this.halted = !this.onFigures({
        step: s.step,
        images: s.images,
        values: data.subarray(4 * i, 4 * i + 4),
        stepMs,
      });
    });
  }
}
