// Local Response Normalisation as a Keras-style layer: tfjs has the op (with gradient) but no layer.
// Registered for serialisation on import, so tf.loadLayersModel can rebuild a saved VGG-F in this process.
// Any other program that loads such a model with plain tfjs must register an equivalent class named 'LRN'
// first (importing this module does it).
import * as tf from '@tensorflow/tfjs';

export interface LRNConfig {
  /** Half-width of the channel window: window = 2 * depthRadius + 1 channels. */
  depthRadius: number;
  bias: number;
  /** Per-element scale of the squared sum (not divided by the window size). */
  alpha: number;
  beta: number;
}

/**
 * VGG-F's LRN (Chatfield et al. 2014, MatConvNet `vl_nnnormalize` param [5 1 0.0001/5 0.75], i.e. Caffe's
 * AlexNet LRN): y = x / (1 + 2e-5 · Σ_{5 neighbouring channels} x²)^0.75.
 */
export const PAPER_LRN: LRNConfig = { depthRadius: 2, bias: 1, alpha: 1e-4 / 5, beta: 0.75 };

export class LRN extends tf.layers.Layer {
  static className = 'LRN';
  readonly depthRadius: number;
  readonly bias: number;
  readonly alpha: number;
  readonly beta: number;

  constructor(args: Partial<LRNConfig> & { name?: string; trainable?: boolean } = {}) {
    super(args);
    this.depthRadius = args.depthRadius ?? PAPER_LRN.depthRadius;
    this.bias = args.bias ?? PAPER_LRN.bias;
    this.alpha = args.alpha ?? PAPER_LRN.alpha;
    this.beta = args.beta ?? PAPER_LRN.beta;
  }

  /** @param inputs [batch, h, w, c] → same shape, normalised across channels. */
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    return tf.localResponseNormalization(x, this.depthRadius, this.bias, this.alpha, this.beta);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      depthRadius: this.depthRadius,
      bias: this.bias,
      alpha: this.alpha,
      beta: this.beta,
    };
  }
}

tf.serialization.registerClass(LRN);
