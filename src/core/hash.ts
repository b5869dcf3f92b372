// Every hash the lab uses, in one place: 32-bit integer maths only (Math.imul, shifts), so the same
// input gives the same value in Node, in a worker and in every browser. For seeds, ids and split
// draws; not for security.

/** Mixes any number of 32-bit integers into one well-scrambled 32-bit hash (murmur3's mixing and
 *  finaliser). Derives independent seeds: hash32(seed, epoch, purpose). */
export function hash32(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    let k = Math.imul(p | 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= parts.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a (32 bit) of a string's UTF-16 code units: short stable ids and per-name seeds. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** hashString as 8 hex digits. */
export function hashHex(s: string): string {
  return hashString(s).toString(16).padStart(8, '0');
}

/** A string hashed to a well-mixed 32-bit value (FNV-1a, then murmur3's finaliser): uniform draws
 *  from names, e.g. the split of an imported file. */
export function hashUniform(s: string): number {
  return hash32(hashString(s));
}

/** Two independent 32-bit hashes of some bytes plus their length, as one key (a collision needs both
 *  to collide): finds duplicate images. */
export function bytesKey(p: Uint8Array): string {
  let a = 0x811c9dc5,
    b = 0x9e3779b9;
  for (let i = 0; i < p.length; i++) {
    a = Math.imul(a ^ p[i], 0x01000193);
    b = Math.imul(b + p[i], 0x5bd1e995) ^ (b >>> 15);
  }
  return `${(a >>> 0).toString(36)}.${(b >>> 0).toString(36)}.${p.length}`;
}

/** JSON with sorted keys, so equal settings hash equally whatever their key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
