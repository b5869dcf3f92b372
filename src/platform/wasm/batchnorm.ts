// Training-mode batch normalisation over the last axis as two fused kernels for the wasm backend.
// tfjs-layers' BatchNormalization trains through tf.moments (Mean, Sub, Square, Mean) and FusedBatchNorm,
// and their gradients: ~20 full-size element-wise kernels per layer and step (tiles, products, sums,
// broadcasts), each a pass over the whole activation. Here the forward pass is one kernel (moments and
// normalisation: 3 passes over x) and the backward pass another (2 passes), the same maths:
//   y = gamma * (x - mean) * invstd + beta,  invstd = 1 / sqrt(var + eps), var the biased batch variance;
//   dx = A*dy + B*(x - mean) + Cc per channel (see batchNormTrainingGrad).
// The layer is switched to them (on wasm, in training mode only) by patching BatchNormalization.call:
// see installFusedBatchNorm.
import * as tf from '@tensorflow/tfjs';
import type { WasmHeapBackend } from './poolGrad';
import { heapView } from './heap';
import { simdKernels } from './simd';

export const BN_TRAINING = 'WasmBatchNormTraining';
export const BN_TRAINING_GRAD = 'WasmBatchNormTrainingGrad';

/** Set to false to run tfjs-layers' own BatchNormalization (A/B measurements, tests); `simd: false`
 *  forces the JS loops. */
export const fusedBatchNormOptions = { enabled: true, simd: true };

type Heap = Float32Array;

function heapOf(backend: WasmHeapBackend, t: tf.TensorInfo): { heap: Heap; at: number } {
  return heapView(backend.typedArrayFromHeap(t) as Float32Array);
}

function memoryOf(backend: WasmHeapBackend): WebAssembly.Memory | undefined {
  return backend.wasm.asm?.memory ?? backend.wasm.wasmMemory;
}

/** Per-channel sums over the rows of x [rows, c]: s1 = sum(x - shift), s2 = sum((x - shift)^2), in
 *  float64 across blocks of rows (float32 within a block). */
function channelSums(
  backend: WasmHeapBackend,
  x: tf.TensorInfo,
  rows: number,
  c: number,
  shift: Float64Array | null,
): { s1: Float64Array; s2: Float64Array } {
  const s1 = new Float64Array(c);
  const s2 = new Float64Array(c);
  const memory = memoryOf(backend);
  const simd = fusedBatchNormOptions.simd && c % 4 === 0 && memory ? simdKernels(memory) : null;
  const block = Math.max(1, Math.floor(4096 / c)); // rows per float32 partial sum
  if (simd) {
    // Scratch on the heap: shift [c], partial s1 [c], partial s2 [c].
    const scratch = backend.makeOutput([3 * c], 'float32');
    try {
      const { heap, at } = heapOf(backend, scratch);
      const { at: xAt } = heapOf(backend, x);
      for (let k = 0; k < c; k++) heap[at + k] = shift ? shift[k] : 0;
      for (let r0 = 0; r0 < rows; r0 += block) {
        const n = Math.min(block, rows - r0);
        heap.fill(0, at + c, at + 3 * c);
        simd.channelMoments(4 * (xAt + r0 * c), 4 * at, 4 * (at + c), 4 * (at + 2 * c), n, c);
        const h = heapOf(backend, scratch).heap;
        for (let k = 0; k < c; k++) {
          s1[k] += h[at + c + k];
          s2[k] += h[at + 2 * c + k];
        }
      }
    } finally {
      backend.disposeData(scratch.dataId);
    }
    return { s1, s2 };
  }
  const { heap, at } = heapOf(backend, x);
  const p1 = new Float32Array(c);
  const p2 = new Float32Array(c);
  const sh = new Float32Array(c);
  if (shift) sh.set(shift);
  for (let r0 = 0; r0 < rows; r0 += block) {
    const n = Math.min(block, rows - r0);
    p1.fill(0);
    p2.fill(0);
    let i = at + r0 * c;
    for (let r = 0; r < n; r++) {
      for (let k = 0; k < c; k++, i++) {
        const d = heap[i] - sh[k];
        p1[k] += d;
        p2[k] += d * d;
      }
    }
    for (let k = 0; k < c; k++) {
      s1[k] += p1[k];
      s2[k] += p2[k];
    }
  }
  return { s1, s2 };
}

/** out[r, k] = a[k] * u[r, k] + b[k] * (v[r, k] - m[k]) + d[k]. */
function channelAffine(
  backend: WasmHeapBackend,
  out: tf.TensorInfo,
  u: tf.TensorInfo,
  v: tf.TensorInfo,
  rows: number,
  c: number,
  a: Float64Array,
  b: Float64Array,
  d: Float64Array,
  m: Float64Array,
): void {
  const memory = memoryOf(backend);
  const simd = fusedBatchNormOptions.simd && c % 4 === 0 && memory ? simdKernels(memory) : null;
  if (simd) {
    const coef = backend.makeOutput([4 * c], 'float32');
    try {
      const { heap, at } = heapOf(backend, coef);
      for (let k = 0; k < c; k++) {
        heap[at + k] = a[k];
        heap[at + c + k] = b[k];
        heap[at + 2 * c + k] = d[k];
        heap[at + 3 * c + k] = m[k];
      }
      const off = (t: tf.TensorInfo) => 4 * heapOf(backend, t).at;
      simd.channelAffine(off(out), off(u), off(v), 4 * at, rows, c);
    } finally {
      backend.disposeData(coef.dataId);
    }
    return;
  }
  const { heap, at: o } = heapOf(backend, out);
  const uAt = heapOf(backend, u).at;
  const vAt = heapOf(backend, v).at;
  const fa = Float32Array.from(a);
  const fb = Float32Array.from(b);
  const fd = Float32Array.from(d);
  const fm = Float32Array.from(m);
  const total = rows * c;
  for (let i = 0, k = 0; i < total; i++) {
    heap[o + i] = fa[k] * heap[uAt + i] + fb[k] * (heap[vAt + i] - fm[k]) + fd[k];
    if (++k === c) k = 0;
  }
}

function float32(t: tf.TensorInfo, what: string): void {
  if (t.dtype !== 'float32') throw new Error(`${what} must be float32, got ${t.dtype}`);
}

/**
 * Forward: x [..., C], gamma [C], beta [C] -> [y (x's shape), mean [C], variance [C]] (biased, as tf.moments).
 */
export function batchNormTraining(
  backend: WasmHeapBackend,
  x: tf.TensorInfo,
  gamma: tf.TensorInfo,
  beta: tf.TensorInfo,
  epsilon: number,
): tf.TensorInfo[] {
  float32(x, 'BatchNorm x');
  const c = x.shape[x.shape.length - 1];
  const rows = x.shape.reduce((p, q) => p * q, 1) / c;
  // Pass 1: mean. Pass 2: variance about it (two passes, as tf.moments: no cancellation).
  const { s1 } = channelSums(backend, x, rows, c, null);
  const mean = s1.map((s) => s / rows);
  const { s1: dev, s2 } = channelSums(backend, x, rows, c, mean);
  const variance = s2.map((s, k) => Math.max(0, s / rows - (dev[k] / rows) ** 2));
  const g = backend.typedArrayFromHeap(gamma) as Float32Array;
  const bt = backend.typedArrayFromHeap(beta) as Float32Array;
  // y = scale * (x - mean) + beta (centred first: no cancellation when |mean| >> std)
  const scale = new Float64Array(c);
  const d = new Float64Array(c);
  for (let k = 0; k < c; k++) {
    scale[k] = g[k] / Math.sqrt(variance[k] + epsilon);
    d[k] = bt[k];
  }
  const y = backend.makeOutput(x.shape, 'float32');
  channelAffine(backend, y, x, x, rows, c, new Float64Array(c), scale, d, mean);
  const meanOut = backend.makeOutput([c], 'float32');
  (backend.typedArrayFromHeap(meanOut) as Float32Array).set(mean);
  const varOut = backend.makeOutput([c], 'float32');
  (backend.typedArrayFromHeap(varOut) as Float32Array).set(variance);
  return [y, meanOut, varOut];
}

/**
 * Backward of batchNormTraining, dmean and dvariance (the gradients reaching the mean and variance
 * outputs; zeros unless something differentiates through them) included. With M rows,
 * S1 = sum(dy), S2 = sum(dy * (x - mean)) per channel:
 *   dbeta = S1, dgamma = S2 * invstd,
 *   dx = gamma*invstd*(dy - S1/M - (x - mean)*invstd^2*S2/M) + dmean/M + 2*dvar*(x - mean)/M
 *      = A*dy + B*(x - mean) + Cc.
 */
export function batchNormTrainingGrad(
  backend: WasmHeapBackend,
  dy: tf.TensorInfo,
  x: tf.TensorInfo,
  gamma: tf.TensorInfo,
  mean: tf.TensorInfo,
  variance: tf.TensorInfo,
  dmean: tf.TensorInfo,
  dvar: tf.TensorInfo,
  epsilon: number,
): tf.TensorInfo[] {
  float32(dy, 'BatchNorm dy');
  float32(x, 'BatchNorm x');
  const c = x.shape[x.shape.length - 1];
  const rows = x.shape.reduce((p, q) => p * q, 1) / c;
  const m = Float64Array.from(backend.typedArrayFromHeap(mean) as Float32Array);
  const v = Float64Array.from(backend.typedArrayFromHeap(variance) as Float32Array);
  const g = Float64Array.from(backend.typedArrayFromHeap(gamma) as Float32Array);
  const dm = Float64Array.from(backend.typedArrayFromHeap(dmean) as Float32Array);
  const dv = Float64Array.from(backend.typedArrayFromHeap(dvar) as Float32Array);
  const { s1, s2 } = crossSums(backend, dy, x, rows, c, m);
  const a = new Float64Array(c);
  const b = new Float64Array(c);
  const d = new Float64Array(c);
  const dgamma = new Float32Array(c);
  for (let k = 0; k < c; k++) {
    const inv = 1 / Math.sqrt(v[k] + epsilon);
    dgamma[k] = s2[k] * inv;
    a[k] = g[k] * inv;
    b[k] = (-g[k] * inv * inv * inv * s2[k]) / rows + (2 * dv[k]) / rows;
    d[k] = (-g[k] * inv * s1[k]) / rows + dm[k] / rows;
  }
  const dx = backend.makeOutput(x.shape, 'float32');
  channelAffine(backend, dx, dy, x, rows, c, a, b, d, m);
  const dg = backend.makeOutput([c], 'float32');
  (backend.typedArrayFromHeap(dg) as Float32Array).set(dgamma);
  const db = backend.makeOutput([c], 'float32');
  (backend.typedArrayFromHeap(db) as Float32Array).set(s1);
  return [dx, dg, db];
}

/** s1 = sum(dy), s2 = sum(dy * (x - m)) per channel over the rows. */
function crossSums(
  backend: WasmHeapBackend,
  dy: tf.TensorInfo,
  x: tf.TensorInfo,
  rows: number,
  c: number,
  m: Float64Array,
): { s1: Float64Array; s2: Float64Array } {
  const s1 = new Float64Array(c);
  const s2 = new Float64Array(c);
  const memory = memoryOf(backend);
  const simd = fusedBatchNormOptions.simd && c % 4 === 0 && memory ? simdKernels(memory) : null;
  const block = Math.max(1, Math.floor(4096 / c));
  if (simd) {
    const scratch = backend.makeOutput([3 * c], 'float32');
    try {
      const { heap, at } = heapOf(backend, scratch);
      const xAt = heapOf(backend, x).at;
      const dyAt = heapOf(backend, dy).at;
      for (let k = 0; k < c; k++) heap[at + k] = m[k];
      for (let r0 = 0; r0 < rows; r0 += block) {
        const n = Math.min(block, rows - r0);
        heap.fill(0, at + c, at + 3 * c);
        simd.channelCross(4 * (dyAt + r0 * c), 4 * (xAt + r0 * c), 4 * at, 4 * (at + c), 4 * (at + 2 * c), n, c);
        for (let k = 0; k < c; k++) {
          s1[k] += heap[at + c + k];
          s2[k] += heap[at + 2 * c + k];
        }
      }
    } finally {
      backend.disposeData(scratch.dataId);
    }
    return { s1, s2 };
  }
  const { heap } = heapOf(backend, x);
  const xAt = heapOf(backend, x).at;
  const dyAt = heapOf(backend, dy).at;
  const p1 = new Float32Array(c);
  const p2 = new Float32Array(c);
  const mf = Float32Array.from(m);
  for (let r0 = 0; r0 < rows; r0 += block) {
    const n = Math.min(block, rows - r0);
    p1.fill(0);
    p2.fill(0);
    let i = r0 * c;
    for (let r = 0; r < n; r++) {
      for (let k = 0; k < c; k++, i++) {
        const g = heap[dyAt + i];
        p1[k] += g;
        p2[k] += g * (heap[xAt + i] - mf[k]);
      }
    }
    for (let k = 0; k < c; k++) {
      s1[k] += p1[k];
      s2[k] += p2[k];
    }
  }
  return { s1, s2 };
}

// --- kernels, gradient, and the layer switch ------------------------------------------------------------

type KernelArgs = { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown };

export const batchNormKernels: tf.KernelConfig[] = [
  {
    kernelName: BN_TRAINING,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }: KernelArgs) => {
      const { x, gamma, beta } = inputs as { x: tf.TensorInfo; gamma: tf.TensorInfo; beta: tf.TensorInfo };
      return batchNormTraining(backend as WasmHeapBackend, x, gamma, beta, (attrs as { epsilon: number }).epsilon);
    },
  },
  {
    kernelName: BN_TRAINING_GRAD,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }: KernelArgs) => {
      const i = inputs as Record<'dy' | 'x' | 'gamma' | 'mean' | 'variance' | 'dmean' | 'dvariance', tf.TensorInfo>;
      return batchNormTrainingGrad(
        backend as WasmHeapBackend,
        i.dy,
        i.x,
        i.gamma,
        i.mean,
        i.variance,
        i.dmean,
        i.dvariance,
        (attrs as { epsilon: number }).epsilon,
      );
    },
  },
];

export const batchNormGradConfig: tf.GradConfig = {
  kernelName: BN_TRAINING,
  inputsToSave: ['x', 'gamma'],
  outputsToSave: [false, true, true],
  gradFunc: (dys: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const [dy, dmean, dvariance] = dys as tf.Tensor[];
    const [x, gamma, mean, variance] = saved;
    const [dx, dgamma, dbeta] = tf
      .engine()
      .runKernel(BN_TRAINING_GRAD, { dy, x, gamma, mean, variance, dmean, dvariance }, attrs) as tf.Tensor[];
    return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
  },
};

/** The fused forward as an op: [y, mean, variance]; differentiable (batchNormGradConfig). */
export function fusedBatchNormTraining(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor[] {
  return tf.engine().runKernel(BN_TRAINING, { x, gamma, beta }, { epsilon }) as tf.Tensor[];
}

interface BatchNormLayer {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: { read(): tf.Tensor };
  beta: { read(): tf.Tensor };
  movingMean: { read(): tf.Tensor; write(t: tf.Tensor): void };
  movingVariance: { read(): tf.Tensor; write(t: tf.Tensor): void };
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[];
}
type CallFn = BatchNormLayer['call'];

let originalCall: CallFn | null = null;

function batchNormPrototype(): BatchNormLayer | null {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap.BatchNormalization as unknown[] | undefined;
  const cls = entry?.[0] as { prototype: BatchNormLayer } | undefined;
  return cls?.prototype ?? null;
}

/**
 * Makes tfjs-layers' BatchNormalization use the fused kernels when it trains on the wasm backend with
 * the normalised axis last, scale and centre on, float32 and 4-aligned channels (the layers this lab
 * builds); everything else (inference, other backends, other layouts) runs the layer's own code. Same
 * outputs and the same moving-average updates (moving = moving - (moving - batch) * (1 - momentum)).
 * Idempotent; uninstallFusedBatchNorm restores the original.
 */
export function installFusedBatchNorm(): void {
  const proto = batchNormPrototype();
  if (!proto || originalCall) return;
  const original = proto.call;
  originalCall = original;
  proto.call = function patched(this: BatchNormLayer, inputs, kwargs) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const training = kwargs?.training === true;
    const axis = this.axis >= 0 ? this.axis : this.axis + x.rank;
    if (
      !training ||
      !fusedBatchNormOptions.enabled ||
      tf.getBackend() !== 'wasm' ||
      axis !== x.rank - 1 ||
      x.dtype !== 'float32' ||
      !this.center ||
      !this.scale ||
      x.size === 0 ||
      (Array.isArray(inputs) && inputs.length !== 1)
    ) {
      return original.call(this, inputs, kwargs);
    }
    return tf.tidy(() => {
      const [y, mean, variance] = fusedBatchNormTraining(x, this.gamma.read(), this.beta.read(), this.epsilon);
      const decay = 1 - this.momentum;
      for (const [v, value] of [
        [this.movingMean, mean],
        [this.movingVariance, variance],
      ] as const) {
        tf.tidy(() => {
          const orig = v.read();
          v.write(tf.sub(orig, tf.mul(tf.sub(orig, value), decay)));
        });
      }
      return y;
    });
  };
}

export function uninstallFusedBatchNorm(): void {
  const proto = batchNormPrototype();
  if (proto && originalCall) proto.call = originalCall;
  originalCall = null;
}
