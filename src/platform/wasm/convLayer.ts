// tfjs-layers' Conv2D runs every convolution through tf.fused.conv2d, whose gradient (a customGrad)
// computes the input gradient eagerly, needed or not: for a net's first convolution (its input is the
// data) that is a whole Conv2DBackpropInput thrown away, ~20 ms of the workshop model's ~420 ms wasm step
// (48x48x64 images, 32 filters). A convolution without bias and activation (the ones before a
// BatchNorm) is the same single Conv2D either way, so on wasm those layers call tf.conv2d, whose gradient
// is lazy: the tape asks only for the gradients it needs.
import * as tf from '@tensorflow/tfjs';

/** Set to false to run tfjs-layers' own call (tests compare). */
export const convLayerOptions = { enabled: true };

interface ConvLayer {
  rank: number;
  bias: unknown;
  kernel: { read(): tf.Tensor };
  activation: { getClassName(): string } | null;
  strides: number[];
  padding: string;
  dataFormat: string;
  dilationRate: number | number[];
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[];
}

let originalCall: ConvLayer['call'] | null = null;

function conv2dPrototype(): ConvLayer | null {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap.Conv2D as unknown[] | undefined;
  return (entry?.[0] as { prototype: ConvLayer } | undefined)?.prototype ?? null;
}

/** Installs the switch (idempotent); uninstallConvLayerSwitch restores the layer's own call. */
export function installConvLayerSwitch(): void {
  const proto = conv2dPrototype();
  if (!proto || originalCall) return;
  const original = proto.call; // inherited from tfjs-layers' Conv
  originalCall = original;
  proto.call = function patched(this: ConvLayer, inputs, kwargs) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const dilations = typeof this.dilationRate === 'number' ? [this.dilationRate] : this.dilationRate;
    if (
      !convLayerOptions.enabled ||
      tf.getBackend() !== 'wasm' ||
      this.rank !== 2 ||
      this.bias != null ||
      (this.activation != null && this.activation.getClassName() !== 'linear') ||
      this.dataFormat !== 'channelsLast' ||
      (this.padding !== 'same' && this.padding !== 'valid') ||
      dilations.some((d) => d !== 1) ||
      x.rank !== 4 ||
      (Array.isArray(inputs) && inputs.length !== 1)
    ) {
      return original.call(this, inputs, kwargs);
    }
    return tf.conv2d(
      x as tf.Tensor4D,
      this.kernel.read() as tf.Tensor4D,
      this.strides as [number, number],
      this.padding as 'same' | 'valid',
      'NHWC',
    );
  };
}

export function uninstallConvLayerSwitch(): void {
  const proto = conv2dPrototype();
  if (proto && originalCall) proto.call = originalCall;
  originalCall = null;
}
