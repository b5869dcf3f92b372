// The size of a custom layout (trainable parameters, forward multiply-adds per image, the map the convs
// end at): the layout itself walked by CountGraph, which needs no tfjs, so the page's layer editor and the
// config's validation show it live on every edit from the very code that builds the model.
import { CustomLayoutError, customLayout } from './custom';
import { CountGraph } from './layout';
import type { CustomLayout } from './spec';

export type CustomSize =
  | { trainableParams: number; macs: number; output: [number, number, number]; error: null }
  | { trainableParams: null; macs: null; output: null; error: string };

/** CountGraph that also keeps the map the convs end at (the input of the flatten). */
class CountToFlatten extends CountGraph {
  convOut: [number, number, number] | null = null;
  override flatten(x: number[]) {
    this.convOut ??= [x[0], x[1], x[2]];
    return super.flatten(x);
  }
}

/**
 * @param inputShape [h, w, c] of one image
 * @param outputUnits classes (1 for regression)
 * @param width the width multiplier on every filter and unit count; `embeddingSize` overrides the last dense
 * @returns the sizes, or (error) the block the map is too small for, in the layer editor's words
 */
export function customLayoutSize(
  layout: CustomLayout,
  inputShape: [number, number, number],
  outputUnits: number,
  width = 1,
  embeddingSize: number | null = null,
): CustomSize {
  const g = new CountToFlatten();
  try {
    customLayout(g, {
      arch: 'custom',
      custom: layout,
      inputShape,
      outputUnits,
      width,
      ...(embeddingSize !== null ? { embeddingSize } : {}),
      seed: 0,
    });
  } catch (e) {
    if (e instanceof CustomLayoutError) return { trainableParams: null, macs: null, output: null, error: e.short };
    throw e;
  }
  return { trainableParams: g.trainableParams, macs: g.macs, output: g.convOut!, error: null };
}
