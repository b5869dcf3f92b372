// `vgg-f`: Chatfield et al. 2014 "CNN-F" (conv 64@11x11/4 + LRN + pool, 256@5x5 + LRN + pool, 3 x 256@3x3,
// pool, fc6 4096, fc7 4096 = embedding, logits). Faithful at 224x224x3 (6x6x256 before fc6, ~61M params).
import { ceilMaxPool, convBlock, denseHead, type Graph, type Net } from './layout';
import { LAST_CONV_LAYER, scaled, type ModelSpec } from './spec';

export const VGG_DEFAULT_DROPOUT = 0.5;

/**
 * Deviations, all inactive at 224: conv1 is 'valid' (pad 0, as in the paper) when the input is at least 11
 * pixels each way and 'same' otherwise; pools are ceil-mode (as MatConvNet/Caffe), which gives the paper's
 * 54 → 27 → 13 → 6 at 224 and never a 0-sized map at small inputs (e.g. 32x32 → 6, 3, 1, 1).
 * norm 'batchnorm' replaces the LRNs by BatchNorm after every conv (our option, for training from scratch).
 */
export function vggFLayout<T>(g: Graph<T>, spec: ModelSpec): Net<T> {
  const bn = spec.norm === 'batchnorm';
  const f = (n: number) => scaled(n, spec.width);
  const input = g.input(spec.inputShape);
  const [h, w] = spec.inputShape;

  let x = convBlock(
    g,
    input,
    { name: 'conv1', filters: f(64), kernel: 11, strides: 4, padding: h >= 11 && w >= 11 ? 'valid' : 'same' },
    bn,
  );
  if (!bn) x = g.lrn(x, 'norm1');
  x = ceilMaxPool(g, x, 3, 2, 'pool1');

  x = convBlock(g, x, { name: 'conv2', filters: f(256), kernel: 5 }, bn);
  if (!bn) x = g.lrn(x, 'norm2');
  x = ceilMaxPool(g, x, 3, 2, 'pool2');

  x = convBlock(g, x, { name: 'conv3', filters: f(256), kernel: 3 }, bn);
  x = convBlock(g, x, { name: 'conv4', filters: f(256), kernel: 3 }, bn);
  x = convBlock(g, x, { name: 'conv5', filters: f(256), kernel: 3 }, bn, LAST_CONV_LAYER);
  x = ceilMaxPool(g, x, 3, 2, 'pool5');

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
