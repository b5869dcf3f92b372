// The per-epoch mining pools (docs/method.md#hard-example-mining): P (shown full to the teacher) supplies positives, N
// (shown occluded to the student) supplies negatives, each drawn stratified by class so every class is
// represented. Each pool's size is a percentage `of` each class or of the whole training set, per class
// (MiningPoolConfig in config.ts says what each reading draws).
import type { MiningPoolConfig } from '../config/config';
import { createRng, sampleWithoutReplacement, type Rng } from '../random';
import { hash32 } from '../hash';
import { indicesByClass } from '../data/batching';

export interface MiningPools {
  positives: Int32Array;
  negatives: Int32Array;
  /** For a negative pool drawn per class (`of: "train"`): the anchor class each member was drawn for
   *  (a member serves only anchors of that class; an image may be drawn for several). null: every
   *  member of another class than the anchor's serves it (one shared draw). */
  negativeFor: Int32Array | null;
}

const concat = (parts: Int32Array[]): Int32Array => {
  const out = new Int32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

/** round(p% of n), at least 1 of a non-empty set, at most all of it. */
export const poolCount = (n: number, percent: number, of = n): number =>
  n === 0 ? 0 : Math.min(n, Math.max(1, Math.round((of * percent) / 100)));

/**
 * @param labels training labels (class index), or null for regression (a uniform draw of p% of the set)
 * @param classes number of classes (ignored for regression)
 */
export function drawMiningPools(
  labels: ArrayLike<number> | null,
  classes: number,
  count: number,
  positive: MiningPoolConfig,
  negative: MiningPoolConfig,
  seed: number,
  epoch: number,
): MiningPools {
  const all = () => Int32Array.from({ length: count }, (_, i) => i);
  const byClass = labels ? indicesByClass(labels, classes) : [];
  // Each class's members, p% of the class or p% of the training set (at most the whole class).
  const sameClass = (rng: Rng, pool: MiningPoolConfig) =>
    concat(
      byClass.map((members) =>
        sampleWithoutReplacement(
          members,
          poolCount(members.length, pool.percent, pool.of === 'class' ? members.length : count),
          rng,
        ),
      ),
    );
  const draw = (purpose: number, pool: MiningPoolConfig): Int32Array => {
    const rng = createRng(hash32(seed, epoch, purpose));
    if (!labels) return sampleWithoutReplacement(all(), poolCount(count, pool.percent), rng);
    return sameClass(rng, pool);
  };
  const positives = draw(0x505, positive);
  if (!labels || negative.of === 'class') return { positives, negatives: draw(0x4e4, negative), negativeFor: null };
  // Per class c: p% of the training set drawn from the classes other than c.
  const rng = createRng(hash32(seed, epoch, 0x4e4));
  const parts: Int32Array[] = [];
  const owners: Int32Array[] = [];
  byClass.forEach((members, c) => {
    if (members.length === 0) return;
    const others = concat(byClass.filter((_, k) => k !== c));
    const picked = sampleWithoutReplacement(others, poolCount(others.length, negative.percent, count), rng);
    parts.push(picked);
    owners.push(new Int32Array(picked.length).fill(c));
  });
  return { positives, negatives: concat(parts), negativeFor: concat(owners) };
}
