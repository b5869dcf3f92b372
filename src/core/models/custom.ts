// `custom`: a network the user describes as data (ModelSpec.custom, the config's `model.custom`): conv
// blocks conv → (BatchNorm) → ReLU → (max-pool), flatten, ReLU dense layers (the last one the embedding),
// linear logits. It is how a course's PyTorch / Keras notebook network is written in the lab. Pools are
// floor-mode 'valid' windows (PyTorch's MaxPool2d default), so sizes match a notebook's.
import { denseHead, type Graph, type Net } from './layout';
import { LAST_CONV_LAYER, scaled, type CustomLayout, type ModelSpec } from './spec';

/** A block the map is too small for: `message` in the config's terms, `short` for the layer editor. */
export class CustomLayoutError extends Error {
  constructor(
    message: string,
    readonly short: string,
  ) {
    super(message);
    this.name = 'CustomLayoutError';
  }
}

export function customLayout<T>(g: Graph<T>, spec: ModelSpec): Net<T> {
  const c = spec.custom as CustomLayout;
  const input = g.input(spec.inputShape);
  let x = input;
  c.convs.forEach((b, i) => {
    const name = `conv${i + 1}`;
    const last = i === c.convs.length - 1;
    const [h, w] = g.shape(x);
    if (b.padding === 'valid' && (h < b.kernel || w < b.kernel)) {
      const what = `the map is ${h}x${w} there, too small for a ${b.kernel}x${b.kernel} 'valid' conv`;
      throw new CustomLayoutError(
        `ModelSpec.custom.convs[${i}]: ${what}; use padding "same", a smaller kernel, fewer blocks or a larger input`,
        `block ${i + 1}: ${what}`,
      );
    }
    const conv = {
      name,
      filters: scaled(b.filters, spec.width),
      kernel: b.kernel,
      strides: b.stride,
      padding: b.padding,
    };
    // Grad-CAM reads the last block's post-activation map, before its pool.
    const outName = last ? LAST_CONV_LAYER : undefined;
    if (b.batchNorm) {
      const y = g.batchNorm(g.conv(x, { ...conv, activation: 'linear', useBias: false }), `${name}_bn`);
      x = g.relu(y, outName ?? `${name}_relu`);
    } else {
      x = g.conv(x, { ...conv, name: outName ?? name, activation: 'relu', useBias: true });
    }
    if (b.pool > 0) {
      const [ph, pw] = g.shape(x);
      if (ph < b.pool || pw < b.pool) {
        throw new CustomLayoutError(
          `ModelSpec.custom.convs[${i}].pool: the map is ${ph}x${pw} after the conv, too small for a ${b.pool}x${b.pool} max-pool; ` +
            'set pool 0, use fewer blocks or a larger input',
          `block ${i + 1}: the map is ${ph}x${pw} after the conv, too small for a ${b.pool}x${b.pool} pool`,
        );
      }
      x = g.maxPool(x, b.pool, b.pool, 'valid', `pool${i + 1}`);
    }
  });
  x = g.flatten(x, 'flatten');
  const output = denseHead(
    g,
    x,
    spec,
    c.dense.map((u, i) => [`fc${i + 1}`, u] as [string, number]),
    spec.dropout ?? 0,
  );
  return { input, output };
}
