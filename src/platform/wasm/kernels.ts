// Training kernels for tfjs's wasm backend (4.22), registered over or beside wasm's own: without them
// wasm cannot train a conv net (no Conv2DBackpropFilter) and trains it slowly (see each entry).
import * as tf from '@tensorflow/tfjs';
import {
  BN_TRAINING,
  batchNormGradConfig,
  batchNormKernels,
  installFusedBatchNorm,
  uninstallFusedBatchNorm,
} from './batchnorm';
import { installConvLayerSwitch, uninstallConvLayerSwitch } from './convLayer';
import { conv2dBackpropFilter, conv2dBackpropInput, type ConvGeometry } from './convGrad';
import { avgPoolGrad, maxPoolGrad, type WasmHeapBackend } from './poolGrad';
import { simdKernels } from './simd';
import { tileOnHeap } from './tile';

const BACKEND = 'wasm';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown };
type Attrs = Record<string, unknown>;

function geometry(attrs: tf.NamedAttrMap | undefined, kernel: string): ConvGeometry {
  const a = (attrs ?? {}) as Attrs;
  if (a.dataFormat != null && a.dataFormat !== 'NHWC' && a.dataFormat !== 'channelsLast') {
    throw new Error(`${kernel} (wasm training kernels): only NHWC is supported, got ${String(a.dataFormat)}`);
  }
  return {
    strides: a.strides as ConvGeometry['strides'],
    pad: a.pad as ConvGeometry['pad'],
    dilations: (a.dilations as ConvGeometry['dilations']) ?? 1,
    dimRoundingMode: a.dimRoundingMode as ConvGeometry['dimRoundingMode'],
  };
}

// wasm's own kernels that ours replace. Some are still called underneath (matmul, transpose, sums), and
// their setupFunc (a cwrap of the wasm export, kept in a module variable that other wasm kernels use
// too: wasm's Sum calls its transpose directly) only runs at backend init for registered kernels, so
// ours carry the original's setupFunc along.
const originals = new Map<string, tf.KernelConfig>();
const registered = new Map<string, tf.KernelConfig>();

function callOriginal(name: string, args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const k = originals.get(name);
  if (!k) throw new Error(`wasm kernel ${name} was not registered before the training kernels`);
  return k.kernelFunc(args as Parameters<tf.KernelFunc>[0]);
}

/** [..., r, c] -> [..., c, r] */
function swapLast2(t: tf.Tensor): tf.Tensor {
  const perm = t.shape.map((_, i) => i);
  perm[perm.length - 2] = perm.length - 1;
  perm[perm.length - 1] = perm.length - 2;
  return tf.transpose(t, perm);
}

/**
 * wasm's BatchMatMul/_FusedMatMul run XNNPACK only without transposes and with batch 1; with transposeA or
 * transposeB they fall to a scalar loop ~14x slower (64x3136 by 3136x128: 26 ms vs 3 ms), and every dense
 * layer's gradient asks for one of each. So transposes are done explicitly, choosing between
 *   C = op(A) op(B)            (XNNPACK packs op(B), K x N, as its weights), and
 *   C = (op(B)^T op(A)^T)^T    (packs op(A)^T, K x M, and transposes the M x N result),
 * whichever moves fewer values: dx = dy W^T of a dense layer packs dy^T (small) instead of W^T, and the
 * im2col filter gradient packs the patches rather than dy. (XNNPACK packs the weights again at every call:
 * wasm caches its operator on the weights' data id, and here they are fresh tensors each step.)
 */
function matMulWithoutTransposes(name: string) {
  return (args: KernelArgs) => {
    const a = args.inputs.a as tf.Tensor;
    const b = args.inputs.b as tf.Tensor;
    const attrs = (args.attrs ?? {}) as Attrs;
    const ta = attrs.transposeA === true;
    const tb = attrs.transposeB === true;
    if (!ta && !tb) return callOriginal(name, args);
    const temps: tf.Tensor[] = [];
    const keep = <T extends tf.Tensor>(t: T): T => {
      temps.push(t);
      return t;
    };
    const call = (x: tf.Tensor, y: tf.Tensor) =>
      callOriginal(name, {
        ...args,
        inputs: { ...args.inputs, a: x, b: y },
        attrs: { ...attrs, transposeA: false, transposeB: false } as tf.NamedAttrMap,
      }) as tf.TensorInfo;
    try {
      const m = ta ? a.shape[a.rank - 1] : a.shape[a.rank - 2];
      const k = ta ? a.shape[a.rank - 2] : a.shape[a.rank - 1];
      const n = tb ? b.shape[b.rank - 2] : b.shape[b.rank - 1];
      // Only plain 2-D products may be flipped: bias/activation of the fused kernel apply to C's layout.
      const plain2d = a.rank === 2 && b.rank === 2 && name === 'BatchMatMul';
      // Values moved: transposes count once, packing twice (XNNPACK transposes, then packs the weights).
      const direct = (ta ? a.size : 0) + (tb ? b.size : 0) + 2 * k * n;
      const flipped = (tb ? 0 : b.size) + (ta ? 0 : a.size) + 2 * k * m + m * n;
      if (!plain2d || direct <= flipped) {
        return call(ta ? keep(swapLast2(a)) : a, tb ? keep(swapLast2(b)) : b);
      }
      const bT = tb ? b : keep(swapLast2(b)); // op(B)^T [N, K]
      const aT = ta ? a : keep(swapLast2(a)); // op(A)^T [K, M]
      const cT = call(bT, aT); // [N, M], owned by the engine only once returned: wrap to transpose it
      const cTt = keep(tf.engine().makeTensorFromTensorInfo(cT));
      const c = tf.transpose(cTt); // [M, N]
      return c;
    } finally {
      for (const t of temps) t.dispose();
    }
  };
}

/**
 * Sum/Mean over a block of axes that keeps the last one (a bias gradient: dy [N,H,W,C] summed over
 * N,H,W; batch-norm statistics; global average pooling over H,W) make wasm transpose the input first so
 * that the reduced axes come last: 4 ms for [64,28,28,32]. The same reduction as one XNNPACK average pool
 * over the reshaped input [A, R, 1, C] with an [R, 1] window takes 0.2 ms. (A product ones[1,R] x x[R,C]
 * is as fast but wasm caches its XNNPACK operator on x's data id without x's shape: unsafe for reshapes.)
 * Other reductions go to wasm's own kernel.
 */
function blockReduction(name: 'Sum' | 'Mean') {
  return (args: KernelArgs) => {
    const x = args.inputs.x as tf.Tensor;
    const attrs = (args.attrs ?? {}) as Attrs;
    const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape).sort((p, q) => p - q);
    const contiguous = axes.every((ax, i) => i === 0 || ax === axes[i - 1] + 1);
    if (axes.length === 0 || !contiguous || axes[axes.length - 1] === x.rank - 1 || x.dtype !== 'float32') {
      return callOriginal(name, args);
    }
    return tf.tidy(() => {
      const size = (dims: number[]) => dims.reduce((p, q) => p * q, 1);
      const outer = size(x.shape.slice(0, axes[0]));
      const reduced = size(x.shape.slice(axes[0], axes[axes.length - 1] + 1));
      const inner = size(x.shape.slice(axes[axes.length - 1] + 1));
      const pooled = tf.avgPool(tf.reshape(x, [outer, reduced, 1, inner]) as tf.Tensor4D, [reduced, 1], 1, 'valid');
      const r = name === 'Sum' ? tf.mul(pooled, reduced) : pooled; // [outer, 1, 1, inner]
      const outShape = attrs.keepDims
        ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d))
        : x.shape.filter((_, i) => !axes.includes(i));
      return tf.reshape(r, outShape);
    });
  };
}

/**
 * The permutation as a plain 2-D transpose [R, C] -> [C, R] once size-1 axes are dropped and axes that
 * stay neighbours are merged (e.g. [N,H,W,C] with perm [3,0,1,2] is [N*H*W, C] transposed), else null.
 */
export function asTranspose2d(shape: number[], perm: number[]): [number, number] | null {
  const order = perm.filter((ax) => shape[ax] !== 1);
  if (order.length < 2) return null;
  const runs: number[][] = [[order[0]]];
  for (const ax of order.slice(1)) {
    const run = runs[runs.length - 1];
    if (ax === run[run.length - 1] + 1) run.push(ax);
    else runs.push([ax]);
  }
  if (runs.length !== 2 || runs[0][0] < runs[1][0]) return null;
  const size = (axes: number[]) => axes.reduce((p, ax) => p * shape[ax], 1);
  return [size(runs[1]), size(runs[0])]; // input [rows = the run that comes first in x, cols]
}

/** Tall 2-D transposes (dy [N*H*W, C] -> [C, N*H*W] for the im2col filter gradient; dense layers) are
 *  slow in wasm's Transpose (3-4 ms for [50176, 32]); the SIMD kernel in simd.ts does them in ~1 ms. */
function transpose(args: KernelArgs) {
  const x = args.inputs.x as tf.TensorInfo;
  const perm = (args.attrs as { perm: number[] }).perm;
  const rc = x.dtype === 'float32' || x.dtype === 'int32' ? asTranspose2d(x.shape, perm) : null;
  const backend = args.backend as WasmHeapBackend;
  const memory = backend.wasm.asm?.memory ?? backend.wasm.wasmMemory;
  const simd = rc && rc[0] % 4 === 0 && rc[1] % 4 === 0 && rc[0] * rc[1] >= 4096 && memory ? simdKernels(memory) : null;
  if (!simd || !rc) return callOriginal('Transpose', args);
  const out = backend.makeOutput(
    perm.map((ax) => x.shape[ax]),
    x.dtype,
  );
  const at = (t: tf.TensorInfo) => backend.dataIdMap.get(t.dataId).memoryOffset;
  simd.transpose2d(at(x), at(out), rc[0], rc[1]);
  return out;
}

function poolInfo(xShape: number[], attrs: tf.NamedAttrMap | undefined) {
  const a = (attrs ?? {}) as Attrs;
  return tf.backend_util.computePool2DInfo(
    xShape as [number, number, number, number],
    a.filterSize as number | [number, number],
    a.strides as number | [number, number],
    1,
    a.pad as 'same',
    a.dimRoundingMode as 'floor' | undefined,
  );
}

// Kernel inputs arrive as the engine's Tensor objects (runKernel passes them through), so tf ops apply.
// Ops called inside a kernel run at kernelDepth > 0: nothing is recorded on the gradient tape.
const kernels: tf.KernelConfig[] = [
  {
    // Missing in wasm: composed from its forward Conv2D (convGrad.ts).
    kernelName: 'Conv2DBackpropFilter',
    backendName: BACKEND,
    kernelFunc: ({ inputs, attrs }: KernelArgs) => {
      const { x, dy } = inputs as { x: tf.Tensor4D; dy: tf.Tensor4D };
      const filterShape = (attrs as { filterShape: [number, number, number, number] }).filterShape;
      return conv2dBackpropFilter(x, dy, filterShape, geometry(attrs, 'Conv2DBackpropFilter'));
    },
  },
  {
    // wasm's is a scalar loop, ~12x slower than the same work as a forward Conv2D.
    kernelName: 'Conv2DBackpropInput',
    backendName: BACKEND,
    kernelFunc: ({ inputs, attrs }: KernelArgs) => {
      const { dy, filter } = inputs as { dy: tf.Tensor4D; filter: tf.Tensor4D };
      const inputShape = (attrs as { inputShape: [number, number, number, number] }).inputShape;
      return conv2dBackpropInput(dy, filter, inputShape, geometry(attrs, 'Conv2DBackpropInput'));
    },
  },
  {
    // wasm's took 34 ms for a [64,28,28,32] 2x2 pool; the JS loop in poolGrad.ts a few ms.
    kernelName: 'MaxPoolGrad',
    backendName: BACKEND,
    kernelFunc: ({ inputs, attrs, backend }: KernelArgs) => {
      const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
      return maxPoolGrad(backend as WasmHeapBackend, dy, input, poolInfo(input.shape, attrs));
    },
  },
  {
    kernelName: 'AvgPoolGrad',
    backendName: BACKEND,
    kernelFunc: ({ inputs, attrs, backend }: KernelArgs) => {
      const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
      return avgPoolGrad(backend as WasmHeapBackend, dy, input.shape, poolInfo(input.shape, attrs));
    },
  },
  { kernelName: 'BatchMatMul', backendName: BACKEND, kernelFunc: matMulWithoutTransposes('BatchMatMul') },
  { kernelName: '_FusedMatMul', backendName: BACKEND, kernelFunc: matMulWithoutTransposes('_FusedMatMul') },
  { kernelName: 'Transpose', backendName: BACKEND, kernelFunc: transpose },
  {
    // wasm's is an element-by-element index loop; BatchNorm's gradient tiles per-channel vectors up to
    // x's shape at every layer (42% of the workshop model's step). tile.ts copies blocks on the heap.
    kernelName: 'Tile',
    backendName: BACKEND,
    kernelFunc: (args: KernelArgs) => {
      const x = args.inputs.x as tf.TensorInfo;
      const { reps } = args.attrs as { reps: number[] };
      if (x.dtype !== 'float32' && x.dtype !== 'int32' && x.dtype !== 'bool') return callOriginal('Tile', args);
      return tileOnHeap(args.backend as WasmHeapBackend, x, reps);
    },
  },
  { kernelName: 'Sum', backendName: BACKEND, kernelFunc: blockReduction('Sum') },
  { kernelName: 'Mean', backendName: BACKEND, kernelFunc: blockReduction('Mean') },
];

/** Names of the kernels this module registers for 'wasm'. */
export const WASM_TRAINING_KERNELS: readonly string[] = kernels.map((k) => k.kernelName);

/** Kernels of our own (no wasm original): the fused batch norm of batchnorm.ts. Registered once, kept
 *  registered (nothing calls them unless the layer switch is installed). */
function registerOwnKernels(): void {
  for (const k of batchNormKernels) {
    if (tf.getKernel(k.kernelName, BACKEND) == null) tf.registerKernel(k);
  }
  if (tf.getGradient(BN_TRAINING) == null) tf.registerGradient(batchNormGradConfig);
}

/**
 * Registers the training kernels for 'wasm' (replacing wasm's own where it has one), and switches
 * BatchNormalization layers to the fused batch norm while they train on wasm (batchnorm.ts) and bias-less
 * linear Conv2D layers to tf.conv2d on wasm (convLayer.ts). Idempotent.
 * Call after importing @tensorflow/tfjs-backend-wasm (it registers wasm's kernels on import), before or
 * after the backend initialises.
 */
export function registerWasmTrainingKernels(): void {
  registerOwnKernels();
  installFusedBatchNorm();
  installConvLayerSwitch();
  for (const k of kernels) {
    const current = tf.getKernel(k.kernelName, BACKEND);
    if (current != null && current === registered.get(k.kernelName)) continue;
    if (current) {
      originals.set(k.kernelName, current);
      tf.unregisterKernel(k.kernelName, BACKEND);
    }
    const setup = originals.get(k.kernelName)?.setupFunc;
    const config: tf.KernelConfig = setup ? { ...k, setupFunc: setup } : k;
    registered.set(k.kernelName, config);
    tf.registerKernel(config);
  }
}

/** Restores wasm's own kernels (for A/B measurements and tests). */
export function unregisterWasmTrainingKernels(): void {
  uninstallFusedBatchNorm();
  uninstallConvLayerSwitch();
  for (const k of kernels) {
    if (tf.getKernel(k.kernelName, BACKEND) !== registered.get(k.kernelName)) continue;
    tf.unregisterKernel(k.kernelName, BACKEND);
    registered.delete(k.kernelName);
    const original = originals.get(k.kernelName);
    if (original) tf.registerKernel(original);
  }
}
