// The student's data budget (docs/method.md#extension-the-students-data-budget): how many labelled training images the step-2
// student, both distillations, the control and the combined students train on, while the teacher keeps
// the whole training split. The subset is drawn per seed, stratified by class (by age bin for age), and
// nested: a smaller budget of the same seed is a subset of a larger one, so a budget sweep adds images
// rather than swapping them. Pure: no tfjs.
import type { ImageSet, Task } from '../data/types';
import { createRng, permutation } from '../random';
import { hash32 } from '../hash';

/** A budget as a config holds it: null (the whole split), a count of images, or a percentage "p%". */
export type Budget = number | string | null;

/** Years per stratum when the task is age. */
export const AGE_BIN_YEARS = 10;

const PERCENT = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/;
const COUNT = /^\s*(\d+)\s*$/;

/** Why a value is not a budget, or null. */
export function budgetError(v: unknown): string | null {
  if (v === null) return null;
  if (typeof v === 'number') {
    return Number.isInteger(v) && v >= 1
      ? null
      : `must be a whole number of images ≥ 1, a percentage like "20%", or null (got ${v})`;
  }
  if (typeof v === 'string') {
    const p = PERCENT.exec(v);
    if (p) {
      const x = Number(p[1]);
      return x > 0 && x <= 100 ? null : `a percentage must be above 0% and at most 100% (got "${v}")`;
    }
    if (COUNT.test(v) && Number(v) >= 1) return null;
  }
  return `must be a whole number of images ≥ 1, a percentage like "20%", or null (got ${JSON.stringify(v)})`;
}

/** Why a list is not a budget sweep, or null. */
export function budgetsError(v: unknown): string | null {
  if (v === null) return null;
  if (!Array.isArray(v) || v.length < 1 || v.length > 12)
    return `must be null or 1 to 12 budgets (got ${JSON.stringify(v)})`;
  for (const [i, b] of v.entries()) {
    if (b === null) return `entry ${i + 1}: a budget in a sweep is a count or a percentage (got null)`;
    const e = budgetError(b);
    if (e) return `entry ${i + 1}: ${e}`;
  }
  return null;
}

/** `120,300,1200,100%` → [120, 300, 1200, "100%"], or an Error naming the bad entry. */
export function parseBudgets(text: string): (number | string)[] {
  const parts = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length);
  const out = parts.map((p) => (COUNT.test(p) ? Number(p) : p));
  const err = budgetsError(out);
  if (err || !out.length)
    throw new Error(`--budgets wants counts or percentages, e.g. 120,300,1200,100%: ${err ?? 'none given'}`);
  return out;
}

/** The number of images a budget means on a split of `n` (at most n, at least 1 of a non-empty split). */
export function budgetCount(b: Budget, n: number): number {
  if (b === null || n === 0) return n;
  const p = typeof b === 'string' ? PERCENT.exec(b) : null;
  const k = p ? Math.round((Number(p[1]) / 100) * n) : Number(b);
  return Math.max(1, Math.min(n, k));
}

/** A budget in words for tables: `120`, `20% (600)`. */
export function budgetLabel(b: Budget, n: number): string {
  if (b === null) return `all (${n})`;
  return typeof b === 'string' && PERCENT.test(b) ? `${b.trim()} (${budgetCount(b, n)})` : String(budgetCount(b, n));
}

/** The stratum of every image: its class (expression, gender) or its age bin. */
export function strataOf(set: ImageSet, task: Task): { strata: Int32Array; count: number } {
  if (task === 'age') {
    const age = set.age;
    if (!age) throw new Error('The training split has no age labels.');
    const strata = Int32Array.from(age, (a) => Math.max(0, Math.floor(a / AGE_BIN_YEARS)));
    return { strata, count: Math.max(0, ...strata) + 1 };
  }
  const src = task === 'expression' ? set.expression : set.gender;
  if (!src) throw new Error(`The training split has no ${task} labels.`);
  return { strata: Int32Array.from(src), count: Math.max(0, ...src) + 1 };
}

/** Images per stratum for a budget of `k` out of stratum sizes `sizes`: proportional, rounded by the
 *  largest remainder (ties to the lower stratum), every non-empty stratum at least one image while k
 *  allows, never more than a stratum holds. The counts add up to min(k, total). */
export function allocate(sizes: number[], k: number): number[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  k = Math.min(k, total);
  if (k === total) return [...sizes];
  const quota = sizes.map((s) => (s * k) / total);
  const out = quota.map((q, i) => Math.min(sizes[i], Math.floor(q)));
  const nonEmpty = sizes
    .map((s, i) => [s, i] as const)
    .filter(([s]) => s > 0)
    .map(([, i]) => i);
  if (k >= nonEmpty.length) for (const i of nonEmpty) if (out[i] === 0) out[i] = 1;
  let sum = out.reduce((a, b) => a + b, 0);
  // Too many after the minimum of one: take back from the largest shares first.
  const byShare = [...sizes.keys()].sort((a, b) => out[b] - out[a] || a - b);
  for (let j = 0; sum > k; j = (j + 1) % byShare.length) {
    const i = byShare[j];
    if (out[i] > 1) {
      out[i]--;
      sum--;
    }
  }
  const byRemainder = [...sizes.keys()].sort(
    (a, b) => quota[b] - Math.floor(quota[b]) - (quota[a] - Math.floor(quota[a])) || a - b,
  );
  while (sum < k) {
    let moved = false;
    for (const i of byRemainder) {
      if (sum >= k) break;
      if (out[i] < sizes[i]) {
        out[i]++;
        sum++;
        moved = true;
      }
    }
    if (!moved) break;
  }
  return out;
}

/**
 * The training images a budget of `k` keeps, ascending: per stratum, the first of a seeded permutation
 * of its members (so for one seed a smaller budget's images are among a larger one's), as many as
 * `allocate` gives it. The seed is the run's seed: the same images for every row of a run, others for
 * another seed.
 */
export function stratifiedSubset(strata: ArrayLike<number>, strataCount: number, k: number, seed: number): Int32Array {
  const members: number[][] = Array.from({ length: strataCount }, () => []);
  for (let i = 0; i < strata.length; i++) members[strata[i]].push(i);
  const counts = allocate(
    members.map((m) => m.length),
    k,
  );
  const picked: number[] = [];
  members.forEach((m, s) => {
    const order = permutation(m.length, createRng(hash32(seed, 0xb0d6e7, s)));
    for (let j = 0; j < counts[s]; j++) picked.push(m[order[j]]);
  });
  return Int32Array.from(picked.sort((a, b) => a - b));
}

/** A new image set holding `indices` of `set`, in that order (pixels and labels copied). */
export function subsetImages(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const per = set.height * set.width * set.channels;
  const pixels = new Uint8Array(indices.length * per);
  for (let j = 0; j < indices.length; j++)
    pixels.set(set.pixels.subarray(indices[j] * per, (indices[j] + 1) * per), j * per);
  const pick = <T extends Int32Array | Float32Array>(a: T | null): T | null => {
    if (!a) return null;
    const out = new (a.constructor as { new (n: number): T })(indices.length);
    for (let j = 0; j < indices.length; j++) out[j] = a[indices[j]];
    return out;
  };
  return {
    height: set.height,
    width: set.width,
    channels: set.channels,
    count: indices.length,
    pixels,
    expression: pick(set.expression),
    gender: pick(set.gender),
    age: pick(set.age),
    classNames: set.classNames,
  };
}

/** The student's training split under a budget: the stratified subset, or the split itself when the
 *  budget covers it. `indices`: which images of the full split it holds. */
export function budgetSplit(
  set: ImageSet,
  task: Task,
  b: Budget,
  seed: number,
): { set: ImageSet; indices: Int32Array | null } {
  const k = budgetCount(b, set.count);
  if (k >= set.count) return { set, indices: null };
  const { strata, count } = strataOf(set, task);
  const indices = stratifiedSubset(strata, count, k, seed);
  return { set: subsetImages(set, indices), indices };
}
