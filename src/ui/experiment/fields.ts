// The experiment form as data, derived from the settings table (core/config/settings.ts): each group's
// settings with their label, input kind and help, in table order. Values and defaults are read by dotted
// path (pure helpers below).
import { getPath } from '../../core/config/paths';
import { DEFAULTS } from '../../core/config/config';
import { DATASET_SETTINGS, GROUPS, SETTINGS, type Setting } from '../../core/config/settings';

export type FieldKind =
  | { type: 'number'; step?: number; nullable?: boolean }
  | { type: 'select'; options: { value: string | number; label: string }[] }
  | { type: 'bool' }
  | { type: 'text' }
  | { type: 'range' };

export interface FieldSpec {
  path: string;
  label: string;
  kind: FieldKind;
  help?: string;
}

export interface FieldGroup {
  id: string;
  title: string;
  help?: string;
  fields: FieldSpec[];
}

function kindOf(s: Setting): FieldKind {
  const t = s.type;
  switch (t.type) {
    case 'number':
      return { type: 'number', step: t.step, nullable: !!t.nullable };
    case 'choice':
      return { type: 'select', options: [...t.choices] };
    case 'bool':
      return { type: 'bool' };
    case 'range':
      return { type: 'range' };
    default:
      return { type: 'text' };
  }
}

/** The form: the settings table's groups, each with its settings that have a form place. */
export const FIELD_GROUPS: FieldGroup[] = GROUPS.map((g) => ({
  id: g.id,
  title: g.title,
  help: g.help,
  fields: [...SETTINGS, ...DATASET_SETTINGS.synth]
    .filter((s) => s.group === g.id && s.path !== 'dataset.source')
    .map((s) => ({ path: s.path, label: s.label, kind: kindOf(s), help: s.help })),
}));

export { getPath };

export function defaultOf(path: string): unknown {
  return getPath(DEFAULTS, path);
}

/** Text for a field's input: numbers as typed, null as empty. */
export function displayValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  return String(v);
}

/** What a typed number field stores: a number when the text is one, null when empty and allowed, else
 *  the raw text (so configErrors names the problem next to the field). */
export function parseNumberInput(text: string, nullable: boolean): number | string | null {
  const t = text.trim();
  if (t === '') return nullable ? null : '';
  const n = Number(t);
  return Number.isFinite(n) ? n : text;
}

/** Errors for a field: those on its path exactly, or on a path inside it. */
export function errorsFor(errors: { field: string; message: string }[], path: string): string[] {
  return errors.filter((e) => e.field === path || e.field.startsWith(`${path}.`)).map((e) => e.message);
}

/** Every field path the form shows (errors on other paths are listed above the form). */
export const FORM_PATHS = new Set(FIELD_GROUPS.flatMap((g) => g.fields.map((f) => f.path)));

/** The settings a student changes first, shown up front (the rest are under "Advanced"), with labels
 *  that say which stage a λ belongs to. */
export const QUICK_PATHS: { path: string; label?: string }[] = [
  { path: 'task' },
  { path: 'scenario' },
  { path: 'teacher.epochs', label: 'teacher epochs (cap)' },
  { path: 'student.epochs', label: 'student epochs (cap)' },
  { path: 'standard.lambda', label: 'λ, standard T-S' },
  { path: 'standard.temperature', label: 'τ (temperature), standard T-S' },
  { path: 'triplet.lambda', label: 'λ, triplet T-S' },
  { path: 'triplet.margin', label: 'margin α, triplet T-S' },
];

const ALL_FIELDS = FIELD_GROUPS.flatMap((g) => g.fields);

/** The quick settings' form fields (in QUICK_PATHS order). */
export const QUICK_FIELDS: FieldSpec[] = QUICK_PATHS.flatMap(({ path, label }) => {
  const f = ALL_FIELDS.find((x) => x.path === path);
  return f ? [{ ...f, label: label ?? f.label }] : [];
});

/** The groups under "Advanced": every field that is not a quick one (empty groups dropped). */
export const ADVANCED_GROUPS: FieldGroup[] = FIELD_GROUPS.map((g) => ({
  ...g,
  fields: g.fields.filter((f) => !QUICK_PATHS.some((q) => q.path === f.path)),
})).filter((g) => g.fields.length > 0 || g.id === 'dataset');
