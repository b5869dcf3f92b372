// Labels of a FER2013-layout CSV (`emotion,pixels,Usage`) that are not FER2013's 7 emotions: any
// classification data set written in that layout (digits, signs, a course's own faces) with labels
// 0..K-1. The whole label column is read once before the import (scanFerLabels in the importer) and the
// scheme decided here: FER2013's emotions when every label is 0-6 and no names were given; otherwise
// generic classes 0..K-1, named by an optional labels file (one name per line) or numbered. The task stays
// `expression`'s kind: classification into the set's classes. Pure, no I/O.
import { printableLine } from '../../text';
import type { Parsed } from './fer';

/** The most classes a generic label column may have (a guard against a column that is not labels). */
export const MAX_GENERIC_CLASSES = 1000;

/** A label field's whole number (1-4 digits, spaces around allowed), or −1 when it is not one. */
export function wholeLabel(raw: string): number {
  const t = raw.trim();
  return /^\d{1,4}$/.test(t) ? Number(t) : -1;
}

/** A label field as a class index 0..max, or why not. */
export function genericLabel(raw: string, classes: number): Parsed<number> {
  const n = wholeLabel(raw);
  if (n < 0)
    return {
      ok: false,
      reason: `the label must be a whole number 0-${classes - 1} (got ${JSON.stringify(raw.slice(0, 40))})`,
    };
  if (n >= classes)
    return {
      ok: false,
      reason: `label ${n} is beyond the ${classes} classes the labels file names (0-${classes - 1})`,
    };
  return { ok: true, value: n };
}

/** Class names from a labels file: one per line, line i naming class i; blank lines at the end ignored. */
export function parseLabelNames(text: string): Parsed<string[]> {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  if (lines.length === 0) return { ok: false, reason: 'the labels file is empty (expected one class name per line)' };
  if (lines.length > MAX_GENERIC_CLASSES)
    return { ok: false, reason: `the labels file names ${lines.length} classes (at most ${MAX_GENERIC_CLASSES})` };
  const names = lines.map((l) => printableLine(l.trim()));
  const blank = names.findIndex((n) => n === '');
  if (blank >= 0)
    return {
      ok: false,
      reason: `line ${blank + 1} of the labels file is blank (every class 0..${names.length - 1} needs a name)`,
    };
  const seen = new Map<string, number>();
  for (let i = 0; i < names.length; i++) {
    const first = seen.get(names[i]);
    if (first !== undefined)
      return { ok: false, reason: `lines ${first + 1} and ${i + 1} of the labels file both name "${names[i]}"` };
    seen.set(names[i], i);
  }
  return { ok: true, value: names };
}

/** What the label column holds, from one pass over it. */
export interface LabelScan {
  /** Largest whole-number label seen (−1 when none). */
  max: number;
  /** Rows whose label is a whole number. */
  rows: number;
}

export type LabelScheme = { kind: 'fer2013' } | { kind: 'generic'; classNames: string[]; named: boolean; note: string };

/** FER2013's emotions, or generic classes 0..K-1 (K from the names given, else the largest label + 1). */
export function ferLabelScheme(scan: LabelScan, names: string[] | null): Parsed<LabelScheme> {
  if (!names && scan.max <= 6) return { ok: true, value: { kind: 'fer2013' } };
  if (names && scan.max >= names.length) {
    return {
      ok: false,
      reason: `the CSV has label ${scan.max}, but the labels file names only ${names.length} classes (0-${names.length - 1})`,
    };
  }
  const k = names ? names.length : scan.max + 1;
  if (k > MAX_GENERIC_CLASSES)
    return {
      ok: false,
      reason: `the largest label is ${scan.max}: more than ${MAX_GENERIC_CLASSES} classes is not a label column the lab takes`,
    };
  const classNames = names ?? Array.from({ length: k }, (_, i) => `class ${i}`);
  const note =
    `generic labels 0-${k - 1} (${k} classes${names ? ', named by the labels file' : ', numbered'}), not FER2013's emotions: ` +
    'trained as classification under the task "expression"';
  return { ok: true, value: { kind: 'generic', classNames, named: !!names, note } };
}
