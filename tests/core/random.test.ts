// The seeded generator under the synthetic faces: reproducible streams, sane distributions.
import { describe, it, expect } from 'vitest';
import { Rng } from '../../src/core/random';
import { hash32 } from '../../src/core/hash';

describe('hash32', () => {
  it('is deterministic, order-sensitive and spreads nearby inputs', () => {
    expect(hash32(1, 2, 3)).toBe(hash32(1, 2, 3));
    expect(hash32(1, 2, 3)).not.toBe(hash32(3, 2, 1));
    expect(hash32(1, 2)).not.toBe(hash32(1, 2, 0));
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(hash32(7, 0, i));
    expect(seen.size).toBe(1000);
    for (const h of seen) expect(h >>> 0).toBe(h); // unsigned 32-bit
  });
});

describe('Rng', () => {
  it('repeats a stream for the same seed and not for another', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xs = Array.from({ length: 20 }, () => a.nextU32());
    expect(Array.from({ length: 20 }, () => b.nextU32())).toEqual(xs);
    expect(Array.from({ length: 20 }, () => c.nextU32())).not.toEqual(xs);
  });

  it('gives uniforms in [0, 1) with mean 1/2 and normals with the asked mean and sd', () => {
    const r = new Rng(1);
    let s = 0;
    let lo = 1;
    let hi = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      s += u;
      lo = Math.min(lo, u);
      hi = Math.max(hi, u);
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    expect(Math.abs(s / n - 0.5)).toBeLessThan(0.01);
    let m = 0;
    let m2 = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal(3, 2);
      m += z;
      m2 += z * z;
    }
    m /= n;
    expect(Math.abs(m - 3)).toBeLessThan(0.05);
    expect(Math.abs(Math.sqrt(m2 / n - m * m) - 2)).toBeLessThan(0.05);
  });

  it('draws categories in proportion and never one of weight zero', () => {
    const r = new Rng(5);
    const w = [1, 0, 3, 0];
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 8000; i++) counts[r.categorical(w)]++;
    expect(counts[1]).toBe(0);
    expect(counts[3]).toBe(0);
    expect(Math.abs(counts[2] / 8000 - 0.75)).toBeLessThan(0.02);
  });
});
