// `small`: the laptop default, not from the paper. Three 3x3 conv stages (32, 64, 128 filters) with
// BatchNorm + ReLU + 2x2 max-pool, a 128-unit embedding, linear logits. Trains on a CPU in a workshop.
import { ceilMaxPool, convBlock, denseHead, type Graph, type Net } from './layout';
import { LAST_CONV_LAYER, scaled, type ModelSpec } from './spec';

export const SMALL_DEFAULT_DROPOUT = 0.25;

export function smallLayout<T>(g: Graph<T>, spec: ModelSpec): Net<T> {
  const input = g.input(spec.inputShape);
  const stages = [32, 64, 128];
  let x = input;
  stages.forEach((filters, i) => {
    const name = `conv${i + 1}`;
    const last = i === stages.length - 1;
    // Grad-CAM reads the last conv map before its pool: twice the resolution of the pooled map.
    x = convBlock(
      g,
      x,
      { name, filters: scaled(filters, spec.width), kernel: 3 },
      true,
      last ? LAST_CONV_LAYER : undefined,
    );
    x = ceilMaxPool(g, x, 2, 2, `pool${i + 1}`);
  });
  x = g.flatten(x, 'flatten');
  const output = denseHead(g, x, spec, [['fc1', 128]], spec.dropout ?? SMALL_DEFAULT_DROPOUT);
  return { input, output };
}
