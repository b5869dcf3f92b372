// The architectures' common language, free of tfjs: each architecture is a layout written once against
// `Graph<T>`, with the shared building blocks below, and `CountGraph` walks a layout for shapes, parameters
// and multiply-adds without a tensor (modelSize, the 224x224 parameter checks, the page's layer editor).
// The tfjs interpreter, LayersGraph, is in graph.ts; the ONNX one in core/export/onnxGraph.ts.
import { EMBEDDING_LAYER, OUTPUT_LAYER, scaled, type ModelSpec } from './spec';
export interface ConvOpts {
  name: string;
  filters: number;
  kernel: number;
  strides?: number;
  padding?: 'same' | 'valid';
  /** Fused activation; 'linear' when a BatchNorm follows. */
  activation?: 'relu' | 'linear';
  useBias?: boolean;
}
export interface DenseOpts {
  name: string;
  units: number;
  activation: 'relu' | 'linear';
}

/** Graph-building operations; `T` is a symbolic tensor (LayersGraph) or a per-image shape (CountGraph). */
export interface Graph<T> {
  input(shape: [number, number, number]): T;
  /** Per-image shape, without the batch axis: [h, w, c] or [n]. */
  shape(x: T): number[];
  conv(x: T, o: ConvOpts): T;
  batchNorm(x: T, name: string): T;
  relu(x: T, name: string): T;
  lrn(x: T, name: string): T;
  /** Zero rows/columns added after the bottom / right edges. */
  zeroPadEnd(x: T, bottom: number, right: number, name: string): T;
  maxPool(x: T, pool: number, strides: number, padding: 'same' | 'valid', name: string): T;
  add(xs: T[], name: string): T;
  globalAvgPool(x: T, name: string): T;
  flatten(x: T, name: string): T;
  dense(x: T, o: DenseOpts): T;
  dropout(x: T, rate: number, name: string): T;
}

export interface Net<T> {
  input: T;
  output: T;
}
export type Layout = <T>(g: Graph<T>, spec: ModelSpec) => Net<T>;

// ---------------------------------------------------------------------------------------------------------
// Shared building blocks.

/** conv → (BatchNorm) → ReLU; the post-activation node gets `outName` (e.g. LAST_CONV_LAYER) if given. */
export function convBlock<T>(
  g: Graph<T>,
  x: T,
  o: Omit<ConvOpts, 'activation' | 'useBias'>,
  batchNorm: boolean,
  outName?: string,
): T {
  if (!batchNorm) return g.conv(x, { ...o, name: outName ?? o.name, activation: 'relu', useBias: true });
  const y = g.batchNorm(g.conv(x, { ...o, activation: 'linear', useBias: false }), `${o.name}_bn`);
  return g.relu(y, outName ?? `${o.name}_relu`);
}

/**
 * Caffe / MatConvNet-style ceil-mode max-pool, guarded for small inputs: out = ceil((d - k) / s) + 1, and 1
 * when d <= k, so a spatial size never reaches 0 however small the input. When tfjs 'same' gives exactly
 * that (always for k = s) it is used; otherwise the bottom/right edges are zero-padded and a 'valid' pool
 * follows. Zero padding is exact only because every pool here follows a ReLU (inputs >= 0).
 */
export function ceilMaxPool<T>(g: Graph<T>, x: T, pool: number, strides: number, name: string): T {
  const [h, w] = g.shape(x);
  const ceilOut = (d: number) => (d <= pool ? 1 : Math.ceil((d - pool) / strides) + 1);
  const extra = (d: number) => (ceilOut(d) - 1) * strides + pool - d;
  const sameMatches = (d: number) => Math.ceil(d / strides) === ceilOut(d) && extra(d) <= 1;
  if (sameMatches(h) && sameMatches(w)) return g.maxPool(x, pool, strides, 'same', name);
  const padded = g.zeroPadEnd(x, extra(h), extra(w), `${name}_pad`);
  return g.maxPool(padded, pool, strides, 'valid', name);
}

/**
 * Hidden dense layers then the linear `logits`. The last hidden layer is named `embedding`; `embeddingSize`
 * overrides its width; dropout (if > 0) follows every hidden layer, after the embedding is taken.
 * @param hidden [name, paper units] of each hidden layer, the embedding last (its name is replaced).
 */
export function denseHead<T>(g: Graph<T>, x: T, spec: ModelSpec, hidden: Array<[string, number]>, dropout: number): T {
  hidden.forEach(([name, units], i) => {
    const last = i === hidden.length - 1;
    const n = last && spec.embeddingSize !== undefined ? spec.embeddingSize : scaled(units, spec.width);
    const layerName = last ? EMBEDDING_LAYER : name;
    x = g.dense(x, { name: layerName, units: n, activation: 'relu' });
    if (dropout > 0) x = g.dropout(x, dropout, `${layerName}_dropout`);
  });
  return g.dense(x, { name: OUTPUT_LAYER, units: spec.outputUnits, activation: 'linear' });
}

// ---------------------------------------------------------------------------------------------------------
// The counting interpreter: shapes, parameters and multiply-adds, no tensors.

/** Counts per image: MACs of convs and dense layers (BN, pooling, LRN, adds ignored), and parameters. */
export class CountGraph implements Graph<number[]> {
  macs = 0;
  trainableParams = 0;
  /** BatchNorm moving mean / variance: weights of the model but not trained. */
  nonTrainableParams = 0;

  input(shape: [number, number, number]) {
    return [...shape];
  }
  shape(x: number[]) {
    return x;
  }

  private static outDim(d: number, k: number, s: number, padding: 'same' | 'valid', what: string): number {
    const out = padding === 'same' ? Math.ceil(d / s) : Math.floor((d - k) / s) + 1;
    if (out < 1) throw new Error(`${what}: spatial size ${d} too small for a ${k}x${k} window`);
    return out;
  }

  conv(x: number[], o: ConvOpts) {
    const [h, w, c] = x;
    const s = o.strides ?? 1;
    const p = o.padding ?? 'same';
    const oh = CountGraph.outDim(h, o.kernel, s, p, o.name);
    const ow = CountGraph.outDim(w, o.kernel, s, p, o.name);
    const weights = o.kernel * o.kernel * c * o.filters;
    this.macs += oh * ow * weights;
    this.trainableParams += weights + ((o.useBias ?? true) ? o.filters : 0);
    return [oh, ow, o.filters];
  }

  batchNorm(x: number[]) {
    const c = x[x.length - 1];
    this.trainableParams += 2 * c;
    this.nonTrainableParams += 2 * c;
    return x;
  }

  relu(x: number[]) {
    return x;
  }
  lrn(x: number[]) {
    return x;
  }
  zeroPadEnd(x: number[], bottom: number, right: number) {
    return [x[0] + bottom, x[1] + right, x[2]];
  }

  maxPool(x: number[], pool: number, strides: number, padding: 'same' | 'valid', name: string) {
    return [
      CountGraph.outDim(x[0], pool, strides, padding, name),
      CountGraph.outDim(x[1], pool, strides, padding, name),
      x[2],
    ];
  }

  add(xs: number[][], name: string) {
    if (xs.some((s) => s.join() !== xs[0].join())) throw new Error(`${name}: shapes differ ${JSON.stringify(xs)}`);
    return xs[0];
  }

  globalAvgPool(x: number[]) {
    return [x[x.length - 1]];
  }
  flatten(x: number[]) {
    return [x.reduce((a, b) => a * b, 1)];
  }

  dense(x: number[], o: DenseOpts) {
    const n = x[x.length - 1];
    this.macs += n * o.units;
    this.trainableParams += n * o.units + o.units;
    return [o.units];
  }

  dropout(x: number[]) {
    return x;
  }
}
