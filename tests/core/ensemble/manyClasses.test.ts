import { describe, expect, it } from 'vitest';
import type { SvcModel } from '../../../src/core/ensemble/solver';
import { fitSvc, OVO_MAX_CLASSES, predictSvc } from '../../../src/core/ensemble/svc';
import { createRng } from '../../../src/core/random';

/** `k` classes, `per` rows each, in `d` dimensions: class c is a tight cluster around 3 * e_(c mod d) ± its own offset. */
function clusters(k: number, per: number, d: number, seed = 1) {
  const rng = createRng(seed);
  const n = k * per;
  const x = new Float32Array(n * d);
  const labels = new Int32Array(n);
  for (let c = 0; c < k; c++) {
    const centre = Float32Array.from({ length: d }, () => rng.normal() * 3);
    for (let r = 0; r < per; r++) {
      const i = r * k + c; // classes interleaved, as rows of a real dataset are
      labels[i] = c;
      for (let j = 0; j < d; j++) x[i * d + j] = centre[j] + 0.05 * rng.normal();
    }
  }
  return { x, labels, n };
}

describe('C-SVC with many classes', () => {
  it(`is one-vs-rest beyond ${OVO_MAX_CLASSES} classes: one problem per class, reported as it goes, and it separates them`, () => {
    const k = 60;
    const d = 16;
    const { x, labels, n } = clusters(k, 4, d);
    const seen: [number, number][] = [];
    const m = fitSvc(x, labels, n, d, k, { C: 1, onProblem: (done, total) => seen.push([done, total]) });
    expect(m.scheme).toBe('ovr');
    expect(m.pairs).toHaveLength(k);
    expect(m.pairs.map((p) => [p.a, p.b])).toEqual(Array.from({ length: k }, (_, a) => [a, -1]));
    expect(seen).toHaveLength(k);
    expect(seen[k - 1]).toEqual([k, k]);
    const pred = predictSvc(m, x, n);
    let ok = 0;
    for (let i = 0; i < n; i++) if (pred[i] === labels[i]) ok++;
    expect(ok / n).toBeGreaterThanOrEqual(0.98);
  });

  it(`stays one-vs-one (libsvm's scheme) up to ${OVO_MAX_CLASSES} classes, with k(k-1)/2 problems`, () => {
    const { x, labels, n } = clusters(5, 6, 8, 2);
    const seen: number[] = [];
    const m = fitSvc(x, labels, n, 8, 5, { C: 1, onProblem: (done) => seen.push(done) });
    expect(m.scheme).toBeUndefined();
    expect(m.pairs).toHaveLength(10);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('one-vs-rest predicts the largest decision value, a tie to the lower class', () => {
    const w = (v: number[]) => Float32Array.from(v);
    const m: SvcModel = {
      kind: 'svc',
      d: 2,
      classes: 3,
      scheme: 'ovr',
      pairs: [
        { a: 0, b: -1, w: w([1, 0]), bias: 0 },
        { a: 1, b: -1, w: w([0, 1]), bias: 0 },
        { a: 2, b: -1, w: w([0, 0]), bias: 0.5 },
      ],
    };
    // decisions: (2, 1, .5) → 0; (0, 3, .5) → 1; (0, 0, .5) → 2; (1, 1, .5) → tie 0/1 → 0
    expect([...predictSvc(m, Float32Array.from([2, 1, 0, 3, 0, 0, 1, 1]), 4)]).toEqual([0, 1, 2, 0]);
  });
});
