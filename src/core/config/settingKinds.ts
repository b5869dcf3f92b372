// The kinds of setting (number, choice, text...), their check, and the builders settings.ts writes its table
// with.
import { firstControl } from '../text';

export type Check = (v: unknown) => string | null;

/** How a value is checked and edited. */
export type SettingType =
  | { type: 'number'; min: number; max: number; integer?: boolean; nullable?: boolean; step?: number }
  | { type: 'choice'; choices: readonly { value: string | number; label: string }[] }
  | { type: 'bool' }
  | { type: 'text'; nonEmpty?: string; nullable?: boolean; oneLine?: boolean }
  /** A [min, max] pair of numbers in [lo, hi]. */
  | { type: 'range'; lo: number; hi: number }
  /** Anything else (arrays): checked by `check`, edited in the config's JSON. */
  | { type: 'json'; check: Check };

export type GroupId = 'general' | 'dataset' | 'teacher' | 'student' | 'standard' | 'triplet' | 'ensemble';

export interface Setting {
  /** Dotted path in the config, e.g. `triplet.margin`. */
  path: string;
  default: unknown;
  type: SettingType;
  label: string;
  help?: string;
  /** The form group it is shown in; null: only in the config's JSON. */
  group: GroupId | null;
  /** May a sweep vary it (numbers only)? */
  sweepable?: boolean;
}

export const GROUPS: { id: GroupId; title: string; help?: string }[] = [
  { id: 'general', title: 'Task and model' },
  {
    id: 'dataset',
    title: 'Dataset',
    help: 'Synthetic faces: a new combination is generated into the browser’s storage once, then reused. Imported datasets come from the Datasets panel.',
  },
  { id: 'teacher', title: '1 · Teacher (full faces ○)' },
  { id: 'student', title: '2 · Student (half faces, from the teacher)' },
  { id: 'standard', title: '3a · Standard T-S (KD for expression, hints for gender and age)' },
  { id: 'triplet', title: '3b · Triplet T-S (offline hard-example mining)' },
  {
    id: 'ensemble',
    title: '3c · Combined students (SVM / ε-SVR on both embeddings)',
    help: 'A linear SVM (ε-SVR for age) on the concatenated embeddings of the standard and triplet students; C chosen on validation from the grid in the JSON below (ensemble.cGrid).',
  },
];

export const num = (
  min: number,
  max: number,
  step?: number,
  extra: { integer?: boolean; nullable?: boolean } = {},
): SettingType => ({ type: 'number', min, max, step, ...extra });
export const int = (min: number, max: number, nullable = false): SettingType => ({
  type: 'number',
  min,
  max,
  step: 1,
  integer: true,
  nullable,
});
export const choice = (values: readonly (string | number)[], labels?: string[]): SettingType => ({
  type: 'choice',
  choices: values.map((v, i) => ({ value: v, label: labels?.[i] ?? String(v) })),
});
export const bool: SettingType = { type: 'bool' };
export const SEED = int(0, 2 ** 32 - 1);

/** The check a setting's type implies. */
export function checkOf(t: SettingType): Check {
  switch (t.type) {
    case 'number':
      return (v) => {
        if (v === null && t.nullable) return null;
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          const got = typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v));
          return `must be a finite number${t.nullable ? ' or null' : ''} (got ${got})`;
        }
        if (t.integer && !Number.isInteger(v)) return `must be a whole number (got ${v})`;
        if (v < t.min || v > t.max) return `must be between ${t.min} and ${t.max} (got ${v})`;
        return null;
      };
    case 'choice': {
      const values = t.choices.map((c) => c.value);
      return (v) =>
        values.includes(v as string | number)
          ? null
          : `must be one of ${values.map((x) => JSON.stringify(x)).join(', ')} (got ${JSON.stringify(v)})`;
    }
    case 'bool':
      return (v) => (typeof v === 'boolean' ? null : `must be true or false (got ${JSON.stringify(v)})`);
    case 'text':
      return (v) => {
        if (v === null && t.nullable) return null;
        if (typeof v !== 'string') return t.nonEmpty ?? `must be a string (got ${JSON.stringify(v)})`;
        if (t.nonEmpty && v.length === 0) return t.nonEmpty;
        const control = t.oneLine ? firstControl(v) : null;
        if (control) return `must be one line of text without control characters (found ${control})`;
        return null;
      };
    case 'range':
      return (v) =>
        Array.isArray(v) &&
        v.length === 2 &&
        v.every((x) => typeof x === 'number' && x >= t.lo && x <= t.hi) &&
        v[0] <= v[1]
          ? null
          : `must be [min, max] with ${t.lo} ≤ min ≤ max ≤ ${t.hi} (got ${JSON.stringify(v)})`;
    case 'json':
      return t.check;
  }
}
