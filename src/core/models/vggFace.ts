// `vgg-face`: the VGG-16 layout of Parkhi et al. 2015 (2x64, 2x128, 3x256, 3x512, 3x512 3x3 convs, five 2x2
// max-pools, fc6 4096, fc7 4096 = embedding, logits). Faithful at 224x224x3 (7x7x512 before fc6).
import { ceilMaxPool, convBlock, denseHead, type Graph, type Net } from './layout';
import { LAST_CONV_LAYER, scaled, type ModelSpec } from './spec';
import { VGG_DEFAULT_DROPOUT } from './vggF';

const BLOCKS: Array<[filters: number, convs: number]> = [
  [64, 2],
  [128, 2],
  [256, 3],
  [512, 3],
  [512, 3],
];

/**
 * Pools are ceil-mode 2x2/2 (as Caffe's VGG), identical to 'valid' at 224 and never 0-sized at small inputs
 * (16x16 → 8, 4, 2, 1, 1). norm 'batchnorm' adds BatchNorm after every conv (VGG-16-BN; our option).
 */
export function vggFaceLayout<T>(g: Graph<T>, spec: ModelSpec): Net<T> {
  const bn = spec.norm === 'batchnorm';
  const input = g.input(spec.inputShape);
  let x = input;
  BLOCKS.forEach(([filters, convs], b) => {
    for (let i = 0; i < convs; i++) {
      const last = b === BLOCKS.length - 1 && i === convs - 1;
      x = convBlock(
        g,
        x,
        { name: `conv${b + 1}_${i + 1}`, filters: scaled(filters, spec.width), kernel: 3 },
        bn,
        last ? LAST_CONV_LAYER : undefined,
      );
    }
    x = ceilMaxPool(g, x, 2, 2, `pool${b + 1}`);
  });
  x = g.flatten(x, 'flatten');
  const output = denseHead(
    g,
    x,
    spec,
    [
      ['fc6', 4096],
      ['fc7', 4096],
    ],
    spec.dropout ?? VGG_DEFAULT_DROPOUT,
  );
  return { input, output };
}
