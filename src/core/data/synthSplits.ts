// The built-in dataset from a config block: three seeded synthetic splits (docs/method.md#synthetic-faces).
import type { SynthDatasetConfig } from '../config/config';
import { generateSplits } from '../synth';
import type { SplitImageSets } from './types';

export function synthSplits(
  ds: SynthDatasetConfig,
  onProgress?: (done: number, total: number) => void,
  signal?: AbortSignal,
): SplitImageSets {
  return generateSplits(
    {
      train: ds.train,
      val: ds.val,
      test: ds.test,
      seed: ds.seed,
      height: ds.height,
      width: ds.width,
      channels: ds.channels,
      intensity: ds.intensity,
      labelNoise: ds.labelNoise,
      ...(ds.classWeights ? { classWeights: ds.classWeights } : {}),
    },
    onProgress,
    signal,
  );
}
