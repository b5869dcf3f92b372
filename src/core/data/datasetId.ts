// The id a synthetic dataset is stored under: one per distinct generator setting, the same on the page
// and in the worker (no generator import here, so the page can use it).
import type { SynthDatasetConfig } from '../config/config';
import { canonicalJson, hashHex } from '../hash';

export function synthDatasetId(ds: SynthDatasetConfig): string {
  return `synth-${ds.height}x${ds.width}x${ds.channels}-${ds.train}-${ds.val}-${ds.test}-${hashHex(canonicalJson(ds))}`;
}
