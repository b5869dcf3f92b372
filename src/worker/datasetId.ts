// The id a synthetic dataset is stored under: one per distinct generator setting, the same on the page
// and in the worker (no generator import here, so the page can use it).
import type { SynthDatasetConfig } from '../core/config/config';

/** A short stable hash (FNV-1a, 32 bit, hex) of a string. */
export function hashString(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** JSON with sorted keys, so equal configs give equal ids whatever their key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export function synthDatasetId(ds: SynthDatasetConfig): string {
  return `synth-${ds.height}x${ds.width}x${ds.channels}-${ds.train}-${ds.val}-${ds.test}-${hashString(canonicalJson(ds))}`;
}
