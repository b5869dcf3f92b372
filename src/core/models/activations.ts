// Values each layer of a layout outputs for one image, counted without tfjs: CountGraph with a running sum
// of every node's output size (the input included), one node per tfjs layer the LayersGraph builds. The
// memory estimate (core/distill/memory.ts) uses it before any model exists.
import { CountGraph, type ConvOpts, type DenseOpts } from './layout';
import { ARCHITECTURES } from './registry';
import { validateSpec, type ModelSpec } from './spec';

class ActivationCountGraph extends CountGraph {
  activations = 0;
  /** The largest single weight tensor (values): a dense kernel, in practice. */
  largestWeight = 0;
  private out(shape: number[]): number[] {
    this.activations += shape.reduce((a, d) => a * d, 1);
    return shape;
  }
  override input(shape: [number, number, number]) {
    return this.out(super.input(shape));
  }
  override conv(x: number[], o: ConvOpts) {
    this.largestWeight = Math.max(this.largestWeight, o.kernel * o.kernel * x[x.length - 1] * o.filters);
    return this.out(super.conv(x, o));
  }
  override batchNorm(x: number[]) {
    return this.out(super.batchNorm(x));
  }
  override relu(x: number[]) {
    return this.out(super.relu(x));
  }
  override lrn(x: number[]) {
    return this.out(super.lrn(x));
  }
  override zeroPadEnd(x: number[], bottom: number, right: number) {
    return this.out(super.zeroPadEnd(x, bottom, right));
  }
  override maxPool(x: number[], pool: number, strides: number, padding: 'same' | 'valid', name: string) {
    return this.out(super.maxPool(x, pool, strides, padding, name));
  }
  override add(xs: number[][], name: string) {
    return this.out(super.add(xs, name));
  }
  override globalAvgPool(x: number[]) {
    return this.out(super.globalAvgPool(x));
  }
  override flatten(x: number[]) {
    return this.out(super.flatten(x));
  }
  override dense(x: number[], o: DenseOpts) {
    this.largestWeight = Math.max(this.largestWeight, x[x.length - 1] * o.units);
    return this.out(super.dense(x, o));
  }
  override dropout(x: number[]) {
    return this.out(super.dropout(x));
  }
}

export interface ModelFootprint {
  /** Every weight, BatchNorm statistics included (model.countParams()). */
  params: number;
  /** Sum of every layer's output values for one image, the input included. */
  activationsPerImage: number;
  /** Values of the largest single weight tensor. */
  largestWeight: number;
}

/** A spec's weights and per-image activations from its layout; allocates nothing. */
export function modelFootprint(spec: ModelSpec): ModelFootprint {
  validateSpec(spec);
  const g = new ActivationCountGraph();
  ARCHITECTURES[spec.arch].layout(g, spec);
  return {
    params: g.trainableParams + g.nonTrainableParams,
    activationsPerImage: g.activations,
    largestWeight: g.largestWeight,
  };
}
