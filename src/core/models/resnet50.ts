// `resnet-50`: He et al. 2016 bottleneck ResNet-50 (7x7/2 conv, 3x3/2 max-pool, stages [3, 4, 6, 3] of
// 1x1-3x3-1x1 bottlenecks with widths 64/128/256/512 x4 expansion, BatchNorm, projection shortcuts),
// global average pooling, a Dense ReLU `embedding`, linear logits.
import { denseHead, type Graph, type Net } from './layout';
import { LAST_CONV_LAYER, scaled, type ModelSpec } from './spec';

export const RESNET_STAGES: Array<[blocks: number, width: number, stride: number]> = [
  [3, 64, 1],
  [4, 128, 2],
  [6, 256, 2],
  [3, 512, 2],
];
export const RESNET_EMBEDDING = 512;
export const RESNET_DEFAULT_DROPOUT = 0;

function convBn<T>(g: Graph<T>, x: T, name: string, filters: number, kernel: number, strides = 1): T {
  // No conv bias before BatchNorm: its β does that job (as torchvision).
  return g.batchNorm(g.conv(x, { name, filters, kernel, strides, padding: 'same', useBias: false }), `${name}_bn`);
}

/**
 * Our choices where the paper is silent: the stride sits on the 3x3 conv (torchvision's "v1.5"; same
 * parameters as v1); 'same' padding everywhere, so any input >= 1 pixel builds (32x32 → 16, 8, 8, 4, 2, 1);
 * the pooled 2048-d features feed a Dense(512·width, ReLU) `embedding` (the fine-tuned head whose
 * activation is the embedding, docs/method.md#architectures) and then the logits. With a 1000-unit head directly on the
 * pooled features the backbone would be the standard 25.56M parameters; this head adds ~0.5M at 1000 units.
 */
export function resnet50Layout<T>(g: Graph<T>, spec: ModelSpec): Net<T> {
  const f = (n: number) => scaled(n, spec.width);
  const input = g.input(spec.inputShape);
  let x = g.relu(convBn(g, input, 'conv1', f(64), 7, 2), 'conv1_relu');
  x = g.maxPool(x, 3, 2, 'same', 'pool1');

  RESNET_STAGES.forEach(([blocks, width, stride], s) => {
    for (let b = 0; b < blocks; b++) {
      const name = `stage${s + 2}_block${b + 1}`;
      const strides = b === 0 ? stride : 1;
      const out = 4 * f(width);
      const shortcut = b === 0 ? convBn(g, x, `${name}_proj`, out, 1, strides) : x;
      let y = g.relu(convBn(g, x, `${name}_conv1`, f(width), 1), `${name}_relu1`);
      y = g.relu(convBn(g, y, `${name}_conv2`, f(width), 3, strides), `${name}_relu2`);
      y = convBn(g, y, `${name}_conv3`, out, 1);
      const last = s === RESNET_STAGES.length - 1 && b === blocks - 1;
      x = g.relu(g.add([y, shortcut], `${name}_add`), last ? LAST_CONV_LAYER : `${name}_out`);
    }
  });

  x = g.globalAvgPool(x, 'avg_pool');
  const output = denseHead(g, x, spec, [['fc', RESNET_EMBEDDING]], spec.dropout ?? RESNET_DEFAULT_DROPOUT);
  return { input, output };
}
