// The third interpreter of the architecture layouts (models/layout.ts): it walks the same layout as the
// LayersGraph that built the trained model and emits ONNX nodes, taking each layer's weights and the
// settings the layout does not carry (BatchNorm epsilon, LRN constants) from the trained model itself, and
// checking every layer it names against the model's own config, so a model that does not match its layout
// is refused by name instead of being written wrong. Plain data out (onnx-proto message objects).
//
// Layout inside the ONNX graph: the lab feeds NHWC images, ONNX convolutions are NCHW. The input is
// transposed once to NCHW; every 3-D value below is NCHW in the graph (its `shape` stays the lab's
// per-image [h, w, c]); Flatten transposes back to NHWC first, so the dense weights keep tfjs's order.
import type { onnx } from 'onnx-proto';
import type { ConvOpts, DenseOpts, Graph } from '../models/layout';
import { EMBEDDING_LAYER } from '../models/spec';

/** A value of the ONNX graph and its per-image shape as the lab sees it ([h, w, c] or [n]). */
export interface OnnxValue {
  name: string;
  shape: number[];
}

/** One layer of the trained model as its topology describes it (Keras JSON, snake_case keys). */
export interface LayerEntry {
  className: string;
  config: Record<string, unknown>;
}

/** A weight tensor of the trained model: row-major values in tfjs's layout (conv kernels [kh, kw, in, out]). */
export interface WeightEntry {
  shape: number[];
  data: Float32Array;
}

/** What the interpreter reads from the trained model. */
export interface LayerSource {
  /** The layer called `name`; throws naming it when the model has none. */
  layer(name: string): LayerEntry;
  /** The weight called `name` (tfjs's `<layer>/<weight>`, e.g. `conv1/kernel`); throws when absent. */
  weight(name: string): WeightEntry;
  /** Every layer of the model, the input layer included. */
  layerNames(): string[];
}

export const ONNX_OPSET = 13;
/** IR version 7 is the one that goes with opset 13 (ONNX 1.8): the widest range of runtimes reads it. */
export const ONNX_IR_VERSION = 7;
/** The file's input and output names. */
export const ONNX_INPUT = 'input';
export const ONNX_EMBEDDING = 'embedding';
export const ONNX_PROBABILITIES = 'probabilities';
export const ONNX_AGE = 'age';

/** The ONNX type enums this file uses (numbers, so that no value import of onnx-proto is needed here). */
export const FLOAT = 1;
export const INT64 = 7;
const ATTR = { FLOAT: 1, INT: 2, INTS: 7 } as const;

const attrInt = (name: string, i: number): onnx.IAttributeProto => ({ name, type: ATTR.INT, i });
const attrInts = (name: string, ints: number[]): onnx.IAttributeProto => ({ name, type: ATTR.INTS, ints });
const attrFloat = (name: string, f: number): onnx.IAttributeProto => ({ name, type: ATTR.FLOAT, f });

/** The bytes of a float32 array (little-endian, as every platform tfjs runs on), without copying. */
export const floatBytes = (a: Float32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const pair = (n: number) => [n, n];

/**
 * Paddings of one spatial axis as tfjs computes them: 'same' pads (out - 1)·s + k - d in total, the
 * smaller half before (TensorFlow's rule, which ONNX's SAME_UPPER also follows); 'valid' pads nothing.
 */
export function axisPads(
  d: number,
  k: number,
  s: number,
  padding: 'same' | 'valid',
): { out: number; before: number; after: number } {
  if (padding === 'valid') return { out: Math.floor((d - k) / s) + 1, before: 0, after: 0 };
  const out = Math.ceil(d / s);
  const total = Math.max((out - 1) * s + k - d, 0);
  const before = Math.floor(total / 2);
  return { out, before, after: total - before };
}

/**
 * Conv kernel from tfjs's [kh, kw, in, out] to ONNX's [out, in, kh, kw].
 * @param k [kh, kw, cin, cout] row-major
 */
export function convKernelToOihw(k: Float32Array, kh: number, kw: number, cin: number, cout: number): Float32Array {
  const out = new Float32Array(k.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < cin; i++) {
        const src = ((y * kw + x) * cin + i) * cout;
        for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + y) * kw + x] = k[src + o];
      }
    }
  }
  return out;
}

/** Builds ONNX nodes and initializers from a layout walk over a trained model's layers and weights. */
export class OnnxGraph implements Graph<OnnxValue> {
  readonly nodes: onnx.INodeProto[] = [];
  readonly initializers: onnx.ITensorProto[] = [];
  /** The graph input (NHWC), set by input(). */
  inputValue: OnnxValue | null = null;
  /** The `embedding` layer's output (post-activation), set when the layout builds it. */
  embedding: OnnxValue | null = null;
  private readonly visited = new Set<string>();

  /** @param what names the model in errors (e.g. "the vgg-f layout"). */
  constructor(
    private readonly src: LayerSource,
    private readonly what: string,
  ) {}

  /** Layers of the model the layout never reached (each would be missing from the ONNX graph). */
  unvisited(): string[] {
    return this.src.layerNames().filter((n) => !this.visited.has(n));
  }

  private fail(layer: string, why: string): never {
    throw new Error(`ONNX export: layer "${layer}" ${why}; the model does not match ${this.what}.`);
  }

  /** The model's layer `name`, checked to be a `className` whose config has the `expect`ed entries. */
  private layer(name: string, className: string, expect: Record<string, unknown> = {}): Record<string, unknown> {
    let l: LayerEntry;
    try {
      l = this.src.layer(name);
    } catch (e) {
      return this.fail(name, `is not in the trained model (${(e as Error).message})`);
    }
    if (l.className !== className)
      this.fail(name, `is a ${l.className} in the trained model where the layout has a ${className}`);
    for (const [k, v] of Object.entries(expect)) {
      if (!same(l.config[k], v))
        this.fail(
          name,
          `has ${k} ${JSON.stringify(l.config[k])} in the trained model where the layout has ${JSON.stringify(v)}`,
        );
    }
    this.visited.add(name);
    return l.config;
  }

  /** A weight as an initializer (values transformed by `map` if given), checked against `shape`. */
  private weight(
    layer: string,
    w: string,
    shape: number[],
    map?: (data: Float32Array) => { dims: number[]; data: Float32Array },
  ): string {
    const name = `${layer}/${w}`;
    let e: WeightEntry;
    try {
      e = this.src.weight(name);
    } catch (err) {
      return this.fail(layer, `has no weight ${w} (${(err as Error).message})`);
    }
    if (!same(e.shape, shape))
      this.fail(layer, `has ${w} of shape [${e.shape.join(', ')}] where the layout needs [${shape.join(', ')}]`);
    const { dims, data } = map ? map(e.data) : { dims: shape, data: e.data };
    this.initializers.push({ name, dims, dataType: FLOAT, rawData: floatBytes(data) });
    return name;
  }

  private node(
    opType: string,
    inputs: string[],
    output: string,
    attribute: onnx.IAttributeProto[] = [],
    name = output,
  ): string {
    this.nodes.push({ name, opType, input: inputs, output: [output], attribute });
    return output;
  }

  /** A constant int64 tensor (Pad's pads). */
  private int64Const(name: string, values: number[]): string {
    this.initializers.push({ name, dims: [values.length], dataType: INT64, int64Data: values });
    return name;
  }

  /** A constant float scalar-like [1] tensor. */
  floatConst(name: string, value: number): string {
    this.initializers.push({ name, dims: [1], dataType: FLOAT, rawData: floatBytes(new Float32Array([value])) });
    return name;
  }

  private spatial(x: OnnxValue, op: string): [number, number, number] {
    if (x.shape.length !== 3)
      throw new Error(`ONNX export: ${op} needs an image-shaped input, got [${x.shape.join(', ')}]`);
    return x.shape as [number, number, number];
  }

  input(shape: [number, number, number]): OnnxValue {
    this.layer('input', 'InputLayer', { batch_input_shape: [null, ...shape] });
    this.inputValue = { name: 'input', shape: [...shape] };
    // [n, h, w, c] as the lab feeds it -> [n, c, h, w] for ONNX's convolutions and pools.
    return {
      name: this.node('Transpose', ['input'], 'input_nchw', [attrInts('perm', [0, 3, 1, 2])]),
      shape: [...shape],
    };
  }

  shape(x: OnnxValue): number[] {
    return x.shape;
  }

  conv(x: OnnxValue, o: ConvOpts): OnnxValue {
    const [h, w, c] = this.spatial(x, o.name);
    const s = o.strides ?? 1;
    const padding = o.padding ?? 'same';
    const activation = o.activation ?? 'linear';
    const useBias = o.useBias ?? true;
    this.layer(o.name, 'Conv2D', {
      filters: o.filters,
      kernel_size: pair(o.kernel),
      strides: pair(s),
      padding,
      activation,
      use_bias: useBias,
      data_format: 'channels_last',
      dilation_rate: pair(1),
    });
    const k = o.kernel;
    const kernel = this.weight(o.name, 'kernel', [k, k, c, o.filters], (d) => ({
      dims: [o.filters, c, k, k],
      data: convKernelToOihw(d, k, k, c, o.filters),
    }));
    const inputs = [x.name, kernel];
    if (useBias) inputs.push(this.weight(o.name, 'bias', [o.filters]));
    const ph = axisPads(h, k, s, padding);
    const pw = axisPads(w, k, s, padding);
    const attrs = [
      attrInts('kernel_shape', [k, k]),
      attrInts('strides', [s, s]),
      attrInts('dilations', [1, 1]),
      attrInts('pads', [ph.before, pw.before, ph.after, pw.after]),
    ];
    const shape = [ph.out, pw.out, o.filters];
    if (activation === 'linear') return { name: this.node('Conv', inputs, o.name, attrs), shape };
    const pre = this.node('Conv', inputs, `${o.name}/conv`, attrs);
    return { name: this.node('Relu', [pre], o.name, [], `${o.name}/relu`), shape };
  }

  batchNorm(x: OnnxValue, name: string): OnnxValue {
    const c = this.spatial(x, name)[2];
    const cfg = this.layer(name, 'BatchNormalization', { center: true, scale: true });
    if (!(cfg.axis === -1 || cfg.axis === 3))
      this.fail(name, `normalises axis ${JSON.stringify(cfg.axis)}, not the channels`);
    const epsilon = cfg.epsilon;
    if (typeof epsilon !== 'number') this.fail(name, 'has no epsilon in its config');
    const inputs = [
      x.name,
      ...['gamma', 'beta', 'moving_mean', 'moving_variance'].map((w) => this.weight(name, w, [c])),
    ];
    return { name: this.node('BatchNormalization', inputs, name, [attrFloat('epsilon', epsilon)]), shape: x.shape };
  }

  relu(x: OnnxValue, name: string): OnnxValue {
    this.layer(name, 'Activation', { activation: 'relu' });
    return { name: this.node('Relu', [x.name], name), shape: x.shape };
  }

  lrn(x: OnnxValue, name: string): OnnxValue {
    this.spatial(x, name);
    const cfg = this.layer(name, 'LRN');
    const num = (k: string): number => {
      const v = cfg[k];
      if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(name, `has no numeric ${k} in its config`);
      return v;
    };
    const r = num('depth_radius');
    // tfjs: x / (bias + alpha · Σ_{c-r..c+r} x²)^beta. ONNX LRN: x / (bias + alpha / size · Σ)^beta over the
    // channels c - floor((size-1)/2) .. c + ceil((size-1)/2): the same window for size = 2r + 1, with
    // alpha scaled by size to undo ONNX's division.
    const size = 2 * r + 1;
    return {
      name: this.node('LRN', [x.name], name, [
        attrInt('size', size),
        attrFloat('alpha', num('alpha') * size),
        attrFloat('beta', num('beta')),
        attrFloat('bias', num('bias')),
      ]),
      shape: x.shape,
    };
  }

  zeroPadEnd(x: OnnxValue, bottom: number, right: number, name: string): OnnxValue {
    const [h, w, c] = this.spatial(x, name);
    this.layer(name, 'ZeroPadding2D', {
      padding: [
        [0, bottom],
        [0, right],
      ],
    });
    // Pad's pads: begins of n, c, h, w then ends of n, c, h, w.
    const pads = this.int64Const(`${name}/pads`, [0, 0, 0, 0, 0, 0, bottom, right]);
    return { name: this.node('Pad', [x.name, pads], name), shape: [h + bottom, w + right, c] };
  }

  maxPool(x: OnnxValue, pool: number, strides: number, padding: 'same' | 'valid', name: string): OnnxValue {
    const [h, w, c] = this.spatial(x, name);
    this.layer(name, 'MaxPooling2D', { pool_size: pair(pool), strides: pair(strides), padding });
    const ph = axisPads(h, pool, strides, padding);
    const pw = axisPads(w, pool, strides, padding);
    // ONNX MaxPool leaves padded cells out of the max, as tfjs's 'same' pooling does.
    return {
      name: this.node('MaxPool', [x.name], name, [
        attrInts('kernel_shape', [pool, pool]),
        attrInts('strides', [strides, strides]),
        attrInts('pads', [ph.before, pw.before, ph.after, pw.after]),
      ]),
      shape: [ph.out, pw.out, c],
    };
  }

  add(xs: OnnxValue[], name: string): OnnxValue {
    if (xs.some((v) => !same(v.shape, xs[0].shape)))
      this.fail(name, `adds values of shapes ${JSON.stringify(xs.map((v) => v.shape))}`);
    this.layer(name, 'Add');
    return {
      name: this.node(
        xs.length === 2 ? 'Add' : 'Sum',
        xs.map((v) => v.name),
        name,
      ),
      shape: xs[0].shape,
    };
  }

  globalAvgPool(x: OnnxValue, name: string): OnnxValue {
    const c = this.spatial(x, name)[2];
    this.layer(name, 'GlobalAveragePooling2D');
    const pooled = this.node('GlobalAveragePool', [x.name], `${name}/pool`);
    return { name: this.node('Flatten', [pooled], name, [attrInt('axis', 1)]), shape: [c] };
  }

  flatten(x: OnnxValue, name: string): OnnxValue {
    this.layer(name, 'Flatten');
    const n = x.shape.reduce((a, b) => a * b, 1);
    if (x.shape.length !== 3) return { name: this.node('Flatten', [x.name], name, [attrInt('axis', 1)]), shape: [n] };
    // tfjs flattens [h, w, c] row-major: back to NHWC first, so the next dense layer's rows line up.
    const nhwc = this.node('Transpose', [x.name], `${name}/nhwc`, [attrInts('perm', [0, 2, 3, 1])]);
    return { name: this.node('Flatten', [nhwc], name, [attrInt('axis', 1)]), shape: [n] };
  }

  dense(x: OnnxValue, o: DenseOpts): OnnxValue {
    if (x.shape.length !== 1) this.fail(o.name, `takes [${x.shape.join(', ')}], not a flat vector`);
    const n = x.shape[0];
    this.layer(o.name, 'Dense', { units: o.units, activation: o.activation, use_bias: true });
    const inputs = [x.name, this.weight(o.name, 'kernel', [n, o.units]), this.weight(o.name, 'bias', [o.units])];
    let out: OnnxValue;
    if (o.activation === 'linear') out = { name: this.node('Gemm', inputs, o.name), shape: [o.units] };
    else {
      const pre = this.node('Gemm', inputs, `${o.name}/gemm`);
      out = { name: this.node('Relu', [pre], o.name, [], `${o.name}/relu`), shape: [o.units] };
    }
    if (o.name === EMBEDDING_LAYER) this.embedding = out;
    return out;
  }

  /** Dropout is the identity at inference: no node. */
  dropout(x: OnnxValue, _rate: number, name: string): OnnxValue {
    this.layer(name, 'Dropout');
    return x;
  }

  /** Appends a node after the layout's graph (the output head). */
  op(opType: string, inputs: string[], output: string, attribute: onnx.IAttributeProto[] = []): string {
    return this.node(opType, inputs, output, attribute);
  }
}
