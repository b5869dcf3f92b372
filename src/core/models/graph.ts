// One layout, several interpreters: each architecture is written once against `Graph<T>` (layout.ts, with
// the building blocks and `CountGraph`, which only walks shapes to count parameters and multiply-adds, so
// modelFlops and the 224x224 parameter checks need no weights allocated and can never drift from the
// model); `LayersGraph` here turns it into tfjs layers (seeded).
import * as tf from '@tensorflow/tfjs';
import { LRN, PAPER_LRN } from './lrn';
import type { ConvOpts, DenseOpts, Graph } from './layout';
import { layerSeed, type Init } from './spec';

// ---------------------------------------------------------------------------------------------------------
// The tfjs interpreter.

/**
 * Builds tfjs layers on symbolic tensors. Initializers (`init`): `he` (default): He-normal for ReLU convs /
 * dense (trainable from scratch without BatchNorm, as VGG needs), Glorot-uniform for the linear logits,
 * biases 0; `pytorch`: PyTorch's default for Conv2d and Linear, weights kaiming_uniform(a = √5), whose
 * bound gain·√(3 / fan_in) with gain = √(2 / (1 + a²)) = √(1/3) is 1/√fan_in, and biases
 * U(−1/√fan_in, 1/√fan_in); fan_in = kernel² · input channels (conv) or input units (dense). BN γ=1 β=0
 * either way. Every random initializer gets a seed derived from (spec.seed, layer name). Dropout is
 * deliberately not seeded: a fixed seed would give tfjs the same mask on every step.
 */
export class LayersGraph implements Graph<tf.SymbolicTensor> {
  constructor(
    private readonly seed: number,
    private readonly init: Init = 'he',
  ) {}

  private he(name: string) {
    return tf.initializers.heNormal({ seed: layerSeed(this.seed, name) });
  }

  /** PyTorch's U(−1/√fan_in, 1/√fan_in), for a layer's weights and (seeded apart) its bias. */
  private torchUniform(name: string, fanIn: number) {
    const b = 1 / Math.sqrt(fanIn);
    return tf.initializers.randomUniform({ minval: -b, maxval: b, seed: layerSeed(this.seed, name) });
  }

  private apply(layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]): tf.SymbolicTensor {
    return layer.apply(x) as tf.SymbolicTensor;
  }

  input(shape: [number, number, number]) {
    return tf.input({ shape, name: 'input' });
  }
  shape(x: tf.SymbolicTensor) {
    return x.shape.slice(1) as number[];
  }

  conv(x: tf.SymbolicTensor, o: ConvOpts) {
    const fanIn = o.kernel * o.kernel * (x.shape[3] as number);
    const torch = this.init === 'pytorch';
    return this.apply(
      tf.layers.conv2d({
        name: o.name,
        filters: o.filters,
        kernelSize: o.kernel,
        strides: o.strides ?? 1,
        padding: o.padding ?? 'same',
        activation: o.activation ?? 'linear',
        useBias: o.useBias ?? true,
        kernelInitializer: torch ? this.torchUniform(o.name, fanIn) : this.he(o.name),
        biasInitializer: torch ? this.torchUniform(`${o.name}/bias`, fanIn) : 'zeros',
      }),
      x,
    );
  }

  batchNorm(x: tf.SymbolicTensor, name: string) {
    // momentum 0.9 (PyTorch's 0.1) rather than Keras' 0.99: workshop runs are a few epochs long and the
    // moving statistics used at test time must settle within them.
    return this.apply(tf.layers.batchNormalization({ name, axis: -1, momentum: 0.9, epsilon: 1e-3 }), x);
  }

  relu(x: tf.SymbolicTensor, name: string) {
    return this.apply(tf.layers.activation({ name, activation: 'relu' }), x);
  }

  lrn(x: tf.SymbolicTensor, name: string) {
    return this.apply(new LRN({ ...PAPER_LRN, name }), x);
  }

  zeroPadEnd(x: tf.SymbolicTensor, bottom: number, right: number, name: string) {
    return this.apply(
      tf.layers.zeroPadding2d({
        name,
        padding: [
          [0, bottom],
          [0, right],
        ],
      }),
      x,
    );
  }

  maxPool(x: tf.SymbolicTensor, pool: number, strides: number, padding: 'same' | 'valid', name: string) {
    return this.apply(tf.layers.maxPooling2d({ name, poolSize: pool, strides, padding }), x);
  }

  add(xs: tf.SymbolicTensor[], name: string) {
    return this.apply(tf.layers.add({ name }), xs);
  }
  globalAvgPool(x: tf.SymbolicTensor, name: string) {
    return this.apply(tf.layers.globalAveragePooling2d({ name }), x);
  }
  flatten(x: tf.SymbolicTensor, name: string) {
    return this.apply(tf.layers.flatten({ name }), x);
  }

  dense(x: tf.SymbolicTensor, o: DenseOpts) {
    const fanIn = x.shape[x.shape.length - 1] as number;
    const torch = this.init === 'pytorch';
    const kernelInitializer = torch
      ? this.torchUniform(o.name, fanIn)
      : o.activation === 'relu'
        ? this.he(o.name)
        : tf.initializers.glorotUniform({ seed: layerSeed(this.seed, o.name) });
    return this.apply(
      tf.layers.dense({
        name: o.name,
        units: o.units,
        activation: o.activation,
        kernelInitializer,
        biasInitializer: torch ? this.torchUniform(`${o.name}/bias`, fanIn) : 'zeros',
      }),
      x,
    );
  }

  dropout(x: tf.SymbolicTensor, rate: number, name: string) {
    return this.apply(tf.layers.dropout({ name, rate }), x);
  }
}
