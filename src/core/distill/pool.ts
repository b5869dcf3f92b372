// The per-epoch mining pools (METHOD.md §3b): two independent random subsets of the training set, each
// a configurable percentage of it, drawn stratified by class so every class is represented: P (shown
// full to the teacher) supplies positives, N (shown occluded to the student) supplies negatives.
import { createRng, sampleWithoutReplacement } from '../random';
import { hash32 } from '../hash';
import { indicesByClass } from '../data/batching';

export interface MiningPools {
  positives: Int32Array;
  negatives: Int32Array;
}

/**
 * @param labels training labels (class index), or null for regression (uniform draw)
 * @param classes number of classes (ignored for regression)
 * @param percent pool size as a percentage of the training set (each pool)
 */
export function drawMiningPools(labels: ArrayLike<number> | null, classes: number, count: number, percent: number, seed: number, epoch: number): MiningPools {
  const draw = (purpose: number): Int32Array => {
    const rng = createRng(hash32(seed, epoch, purpose));
    if (!labels) {
      const all = new Int32Array(count);
      for (let i = 0; i < count; i++) all[i] = i;
      return sampleWithoutReplacement(all, Math.max(1, Math.round((count * percent) / 100)), rng);
    }
    const parts = indicesByClass(labels, classes).map((members) =>
      members.length === 0 ? new Int32Array(0)
        : sampleWithoutReplacement(members, Math.max(1, Math.round((members.length * percent) / 100)), rng));
    const out = new Int32Array(parts.reduce((a, p) => a + p.length, 0));
    let o = 0;
    for (const p of parts) { out.set(p, o); o += p.length; }
    return out;
  };
  return { positives: draw(0x505), negatives: draw(0x4e4) };
}
