// A trained model as an ONNX file (opset 13), written here with onnx-proto's protobuf schema: the model's
// architecture layout walked by OnnxGraph, the weights from the saved tfjs artifacts (model.json's
// topology + the weight bytes), the lab's metadata as ONNX metadata_props. Runs anywhere core runs (the
// worker, the runner, tests) and allocates no tfjs tensor.
//
// The file's contract (docs/guide/onnx.md shows it from Python): input `input` float32 [batch, h, w, c] (NHWC, as
// the lab feeds it: pixel bytes / 255, hidden rows zero); outputs `probabilities` [batch, classes] (softmax of
// the logits) or `age` [batch, 1] in years, and `embedding` [batch, e] (the post-ReLU embedding layer).
import onnxProto from 'onnx-proto';
import type { onnx as O } from 'onnx-proto';
import { ARCHITECTURES } from '../models/registry';
import { validateSpec, type ModelSpec } from '../models/spec';
import {
  FLOAT,
  ONNX_AGE,
  ONNX_EMBEDDING,
  ONNX_INPUT,
  ONNX_IR_VERSION,
  ONNX_OPSET,
  ONNX_PROBABILITIES,
  OnnxGraph,
  type LayerEntry,
  type LayerSource,
  type OnnxValue,
  type WeightEntry,
} from './onnxGraph';

const { onnx } = onnxProto;

export { ONNX_AGE, ONNX_EMBEDDING, ONNX_INPUT, ONNX_IR_VERSION, ONNX_OPSET, ONNX_PROBABILITIES } from './onnxGraph';

/** What the model's output becomes: softmax probabilities, or years = output × scale + offset. */
export type OnnxHead = { kind: 'classification' } | { kind: 'regression'; scale: number; offset: number };

/** The saved tfjs model (what model.save hands a save handler, or the lab's stored ModelRecord). */
export interface SavedModelParts {
  modelTopology: unknown;
  weightSpecs: unknown[];
  weightData: ArrayBuffer;
}

export interface OnnxExportOptions {
  /** The spec the model was built from (its layout is walked). */
  spec: ModelSpec;
  parts: SavedModelParts;
  head: OnnxHead;
  /** metadata_props of the file: key → text (JSON for structured values). */
  metadata: Record<string, string>;
  /** The graph's name. */
  name: string;
  producerVersion: string;
  docString?: string;
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads layers and weights from saved tfjs artifacts: the Keras-style topology of a functional model
 * (`{class_name, config: {layers: [{class_name, config: {name, ...}}]}}`) and float32 weights laid out
 * one after another in the order of `weightSpecs`.
 */
export function layerSourceFromParts(parts: SavedModelParts): LayerSource {
  const topo = parts.modelTopology;
  const modelConfig = isRec(topo) && isRec(topo.model_config) ? topo.model_config : topo;
  const layers = isRec(modelConfig) && isRec(modelConfig.config) ? modelConfig.config.layers : undefined;
  if (!Array.isArray(layers))
    throw new Error('ONNX export: the model topology lists no layers (not a tfjs LayersModel).');
  const byName = new Map<string, LayerEntry>();
  for (const l of layers) {
    if (!isRec(l) || !isRec(l.config) || typeof l.class_name !== 'string') continue;
    const name = typeof l.config.name === 'string' ? l.config.name : l.name;
    if (typeof name === 'string') byName.set(name, { className: l.class_name, config: l.config });
  }
  const weights = new Map<string, WeightEntry>();
  let offset = 0;
  for (const [i, raw] of parts.weightSpecs.entries()) {
    const s = raw as { name?: unknown; shape?: unknown; dtype?: unknown; quantization?: unknown };
    const name = typeof s.name === 'string' ? s.name : `#${i + 1}`;
    if (s.quantization) throw new Error(`ONNX export: weight ${name} is quantized; only float32 weights are exported.`);
    if (s.dtype !== 'float32')
      throw new Error(`ONNX export: weight ${name} is ${String(s.dtype)}; only float32 weights are exported.`);
    if (!Array.isArray(s.shape) || !s.shape.every((d) => Number.isInteger(d) && d >= 0))
      throw new Error(`ONNX export: weight ${name} has no valid shape.`);
    const shape = s.shape as number[];
    const n = shape.reduce((a, b) => a * b, 1);
    if (offset + 4 * n > parts.weightData.byteLength)
      throw new Error(`ONNX export: the weight data ends inside ${name} (truncated weights).`);
    weights.set(name, { shape, data: new Float32Array(parts.weightData, offset, n) });
    offset += 4 * n;
  }
  return {
    layer(name) {
      const l = byName.get(name);
      if (!l) throw new Error(`no layer "${name}"`);
      return l;
    },
    weight(name) {
      const w = weights.get(name);
      if (!w) throw new Error(`no weight "${name}"`);
      return w;
    },
    layerNames: () => [...byName.keys()],
  };
}

function valueInfo(name: string, dims: Array<number | string>, docString: string): O.IValueInfoProto {
  return {
    name,
    docString,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

/** The ONNX ModelProto of a trained model, as plain message objects (see onnxBytes to encode it). */
export function onnxModelProto(o: OnnxExportOptions): O.IModelProto {
  validateSpec(o.spec);
  const arch = ARCHITECTURES[o.spec.arch];
  if (!arch) throw new Error(`ONNX export: no architecture "${o.spec.arch}" in the registry.`);
  const g = new OnnxGraph(layerSourceFromParts(o.parts), `the ${o.spec.arch} layout of its run's config`);
  const net = arch.layout(g, o.spec);
  const missed = g.unvisited();
  if (missed.length) {
    throw new Error(
      `ONNX export: the trained model has layers its ${o.spec.arch} layout does not build (${missed.join(', ')}); the model does not match its run's config.`,
    );
  }
  const logits: OnnxValue = net.output;
  const embedding = g.embedding;
  if (!embedding) throw new Error(`ONNX export: the ${o.spec.arch} layout builds no "embedding" layer.`);
  const units = logits.shape[0];
  let out: string;
  let outDoc: string;
  if (o.head.kind === 'classification') {
    out = g.op('Softmax', [logits.name], ONNX_PROBABILITIES, [{ name: 'axis', type: 2, i: 1 }]);
    outDoc = `class probabilities [batch, ${units}] (softmax of the logits), in the order of metadata "labels"`;
  } else {
    const scaled = g.op('Mul', [logits.name, g.floatConst('age/scale', o.head.scale)], 'age/scaled');
    out = g.op('Add', [scaled, g.floatConst('age/offset', o.head.offset)], ONNX_AGE);
    outDoc = `age in years [batch, 1] (model output × ${o.head.scale} + ${o.head.offset})`;
  }
  const [h, w, c] = g.inputValue!.shape;
  const graph: O.IGraphProto = {
    name: o.name,
    node: g.nodes,
    initializer: g.initializers,
    input: [
      valueInfo(
        ONNX_INPUT,
        ['batch', h, w, c],
        'images [batch, height, width, channels] (NHWC), pixel bytes / 255, hidden rows 0',
      ),
    ],
    output: [
      valueInfo(out, ['batch', units], outDoc),
      valueInfo(ONNX_EMBEDDING, ['batch', embedding.shape[0]], 'the embedding layer (post-ReLU) [batch, size]'),
    ],
  };
  // The embedding output is the dense layer's own value: no copy, the graph output names it.
  if (embedding.name !== ONNX_EMBEDDING)
    throw new Error(`ONNX export: the embedding value is "${embedding.name}", not "${ONNX_EMBEDDING}".`);
  return {
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'Occlusion Distillation Lab',
    producerVersion: o.producerVersion,
    docString: o.docString ?? '',
    graph,
    metadataProps: Object.entries(o.metadata).map(([key, value]) => ({ key, value })),
  };
}

/** Encodes a ModelProto into the bytes of a .onnx file. */
export function onnxBytes(model: O.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

/** A trained model as the bytes of a .onnx file. */
export function exportOnnx(o: OnnxExportOptions): Uint8Array {
  return onnxBytes(onnxModelProto(o));
}
