// A trained model as a .onnx file with the lab's metadata (labels, preprocessing, occlusion, config,
// versions). Apart from bundle.ts so that onnx-proto (~330 kB of schema code) loads only where a file is
// written: the worker imports this module on the first export. No DOM or Node imports.
import { AGE_OFFSET, AGE_SCALE } from '../../core/data/batching';
import { exportOnnx, ONNX_AGE, ONNX_EMBEDDING, ONNX_INPUT, ONNX_PROBABILITIES } from '../../core/export/onnx';
import type { ModelSpec } from '../../core/models/spec';
import { inputText, LAB_VERSION, type LabModelInfo, type ModelParts } from './bundle';

/**
 * metadata_props of the model's .onnx file: what a program needs to use it (labels, input, output) and
 * where it came from (stage, occlusion scenario, config, metrics, versions). Structured values are JSON.
 */
export function onnxMetadata(i: LabModelInfo): Record<string, string> {
  const p = i.preprocessing;
  return {
    name: i.name,
    stage: i.stage ?? '',
    task: i.task,
    labels: JSON.stringify(i.classNames),
    output:
      i.output.kind === 'regression'
        ? `${ONNX_AGE}: age in years [batch, 1] (= model output × ${AGE_SCALE} + ${AGE_OFFSET}); ${ONNX_EMBEDDING}: [batch, size]`
        : `${ONNX_PROBABILITIES}: softmax over labels [batch, ${i.classNames.length}]; ${ONNX_EMBEDDING}: [batch, size]`,
    input: `${ONNX_INPUT}: ${inputText(i)}`,
    input_layout: 'NHWC',
    preprocessing: JSON.stringify({
      height: p.height,
      width: p.width,
      channels: p.channels,
      colour: p.channels === 1 ? 'grey' : 'rgb',
      scale: p.scale,
      hiddenRows: p.hiddenRows,
    }),
    occlusion_scenario: i.config?.scenario ?? '',
    visibility: i.visibility,
    lab_version: LAB_VERSION,
    config: JSON.stringify(i.config),
    metrics: JSON.stringify(i.metrics),
    exported_at: i.exportedAt,
    tfjs_version: i.tfjs,
  };
}

/** The model as the bytes of a .onnx file (opset 13; see core/export/onnx.ts for its inputs and outputs). */
export function onnxModel(parts: ModelParts, info: LabModelInfo, spec: ModelSpec): Uint8Array {
  return exportOnnx({
    spec,
    parts: { modelTopology: parts.modelTopology, weightSpecs: parts.weightSpecs, weightData: parts.weightData },
    head:
      info.task === 'age' ? { kind: 'regression', scale: AGE_SCALE, offset: AGE_OFFSET } : { kind: 'classification' },
    metadata: onnxMetadata(info),
    name: info.name.replace(/[^\w.-]+/g, '_'),
    producerVersion: LAB_VERSION,
    docString: `${info.name}, exported by the Occlusion Distillation Lab ${LAB_VERSION}.`,
  });
}
