// The data-budget lesson in sentences, computed from a budget sweep's table (table.ts): for each
// distilled row and budget, whether it beat the same-budget control, by how much, in how many seeds and
// with what p; whether the gain shrinks as the budget grows; and where extra training alone (the
// control) fell below the step-2 student. Pure: no tfjs.
import { ALPHA } from '../results/lessons';
import { budgetStats, DISTILLED, gainUnit, type BudgetStats, type BudgetTable, type Gain } from './table';

const ROW_NAME: Record<(typeof DISTILLED)[number], string> = {
  standard: 'standard distillation',
  triplet: 'triplet distillation',
  svm: 'the SVM on both distilled students',
};

/** "p = 0.04", "p < 0.001", or why there is no test. */
export function pWords(p: number): string {
  if (Number.isNaN(p)) return 'no test with one seed';
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(p < 0.01 ? 3 : 2)}`;
}

/** "120 labelled half-faces" / "all 6,000 labelled half-faces". */
export function imagesWords(t: BudgetTable, images: number): string {
  const n = images.toLocaleString('en-US');
  return `${images >= t.trainImages ? `all ${n}` : n} labelled half-faces`;
}

/** "2.5 points" or "0.42 years" of a gain (its size; the verb says the direction). */
function size(t: BudgetTable, g: number): string {
  const v = Math.abs(gainUnit(t, g));
  return t.metric === 'accuracy'
    ? `${v.toFixed(1)} point${v.toFixed(1) === '1.0' ? '' : 's'}`
    : `${v.toFixed(2)} years`;
}

/** One sentence: a row against a reference at one budget. */
export function gainSentence(t: BudgetTable, images: number, who: string, ref: string, g: Gain): string {
  const start = `With ${imagesWords(t, images)}, ${who}`;
  if (g.n === 0 || Number.isNaN(g.mean)) return `${start} has no figure to compare with ${ref}.`;
  const seeds = `${g.n} seed${g.n === 1 ? '' : 's'}`;
  const sig = g.p < ALPHA;
  const mae = t.metric === 'mae';
  if (g.mean > 0) {
    const verb = mae ? `had an MAE ${size(t, g.mean)} lower than ${ref}` : `beat ${ref} by ${size(t, g.mean)}`;
    return sig
      ? `${start} ${verb}, better in ${g.wins} of ${seeds} (${pWords(g.p)}).`
      : `${start} did not clearly beat ${ref}: ${mae ? `${size(t, g.mean)} lower MAE` : `+${size(t, g.mean)}`} on average, better in ${g.wins} of ${seeds}, not significant (${pWords(g.p)}).`;
  }
  if (g.mean < 0) {
    const verb = mae ? `had an MAE ${size(t, g.mean)} higher than ${ref}` : `fell ${size(t, g.mean)} below ${ref}`;
    return sig
      ? `${start} ${verb}, worse in ${g.n - g.wins} of ${seeds} (${pWords(g.p)}).`
      : `${start} did not beat ${ref}: ${mae ? `${size(t, g.mean)} higher MAE` : `−${size(t, g.mean)}`} on average, better in ${g.wins} of ${seeds}, not significant (${pWords(g.p)}).`;
  }
  return `${start} matched ${ref} exactly on average (${pWords(g.p)}).`;
}

/** Does the gain shrink as the budget grows? First against last budget, in words. */
export function trendSentence(t: BudgetTable, stats: BudgetStats[], m: (typeof DISTILLED)[number]): string | null {
  if (stats.length < 2) return null;
  const first = stats[0],
    last = stats[stats.length - 1];
  const a = first.vsControl[m],
    b = last.vsControl[m];
  if (Number.isNaN(a.mean) || Number.isNaN(b.mean)) return null;
  const signed = (g: number) => `${g >= 0 ? '+' : '−'}${size(t, g)}`;
  const name = `The gain of ${ROW_NAME[m]} over the control`;
  const anySig = stats.some((s) => s.vsControl[m].p < ALPHA && s.vsControl[m].mean > 0);
  const span = `${signed(a.mean)} with ${first.images.toLocaleString('en-US')} images, ${signed(b.mean)} with ${last.images.toLocaleString('en-US')}`;
  if (a.mean > b.mean && a.mean > 0) {
    return `${name} shrinks as the budget grows (${span})${anySig ? '' : ', though no budget shows a significant gain'}.`;
  }
  if (b.mean > a.mean && b.mean > 0) return `${name} does not shrink with more data here (${span}).`;
  return `${ROW_NAME[m].charAt(0).toUpperCase()}${ROW_NAME[m].slice(1)} is not above the control at the smallest or the largest budget here (${span}).`;
}

/** The lesson in sentences: per distilled row the budgets in order, then the trend; then where the
 *  control fell below the step-2 student. */
export function budgetLessons(t: BudgetTable): string[] {
  const stats = budgetStats(t);
  const out: string[] = [];
  for (const m of DISTILLED) {
    if (stats.every((s) => s.vsControl[m].n === 0)) continue;
    for (const s of stats) out.push(gainSentence(t, s.images, ROW_NAME[m], 'the same-budget control', s.vsControl[m]));
    const trend = trendSentence(t, stats, m);
    if (trend) out.push(trend);
  }
  for (const s of stats) {
    const g = s.controlVsStudent;
    if (g.n && g.mean < 0) {
      out.push(
        `With ${imagesWords(t, s.images)}, the control (the step-2 student trained on as long without the teacher) fell ` +
          `${size(t, g.mean)} below the step-2 student (${pWords(g.p)}): more passes over few labelled images overfit.`,
      );
    }
  }
  return out;
}
