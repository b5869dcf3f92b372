// The Experiment form as data: groups and fields come from the settings table, defaults and values are
// read by path, typed numbers are parsed as the config wants them, and errors land on their field.
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../../src/core/config/config';
import { SETTINGS } from '../../../src/core/config/settings';
import {
  defaultOf,
  displayValue,
  errorsFor,
  FIELD_GROUPS,
  FORM_PATHS,
  parseNumberInput,
} from '../../../src/ui/experiment/fields';

describe('the form from the settings table', () => {
  it('shows every setting that has a group, once, in its group, in table order', () => {
    const shown = FIELD_GROUPS.flatMap((g) => g.fields.map((f) => f.path));
    expect(new Set(shown).size).toBe(shown.length);
    const expected = SETTINGS.filter((s) => s.group !== null).map((s) => s.path);
    for (const p of expected) expect(shown).toContain(p);
    const triplet = FIELD_GROUPS.find((g) => g.id === 'triplet')!.fields.map((f) => f.path);
    expect(triplet.slice(0, 8)).toEqual([
      'triplet.lambda',
      'triplet.margin',
      'triplet.mining',
      'triplet.positivePool.percent',
      'triplet.positivePool.of',
      'triplet.negativePool.percent',
      'triplet.negativePool.of',
      'triplet.ageThreshold',
    ]);
    expect(shown).not.toContain('ensemble.cGrid'); // JSON only
    expect(shown).not.toContain('dataset.source');
    expect(shown).toContain('dataset.train');
  });

  it('maps setting types to inputs', () => {
    const field = (p: string) => FIELD_GROUPS.flatMap((g) => g.fields).find((f) => f.path === p)!;
    expect(field('triplet.margin').kind).toEqual({ type: 'number', step: 0.05, nullable: false });
    expect(field('model.embeddingSize').kind).toEqual({ type: 'number', step: 1, nullable: true });
    expect(field('task').kind.type).toBe('select');
    expect(field('sameBudgetControl').kind).toEqual({ type: 'bool' });
    expect(field('dataset.intensity').kind).toEqual({ type: 'range' });
    expect(field('name').kind).toEqual({ type: 'text' });
    expect(field('triplet.margin').help).toMatch(/0\.\.2/);
  });

  it('defaults by dotted path', () => {
    expect(defaultOf('triplet.margin')).toBe(DEFAULTS.triplet.margin);
    expect(defaultOf('dataset.intensity')).toEqual([0.6, 1]);
    expect(defaultOf('nope.nothing')).toBeUndefined();
  });
});

describe('form helpers', () => {
  it('displays values as typed', () => {
    expect(displayValue(null)).toBe('');
    expect(displayValue(undefined)).toBe('');
    expect(displayValue(0.25)).toBe('0.25');
    expect(displayValue('abc')).toBe('abc');
  });

  it('parses a typed number: a number, null when empty and allowed, else the raw text', () => {
    expect(parseNumberInput(' 3.5 ', false)).toBe(3.5);
    expect(parseNumberInput('', true)).toBeNull();
    expect(parseNumberInput('  ', false)).toBe('');
    expect(parseNumberInput('1e3', false)).toBe(1000);
    expect(parseNumberInput('abc', false)).toBe('abc');
    expect(parseNumberInput('1e999', false)).toBe('1e999'); // Infinity is not a value: the text goes to validation
  });

  it('errors on a field or inside it, not on a sibling that shares a prefix', () => {
    const errs = [
      { field: 'triplet.margin', message: 'a' },
      { field: 'dataset.intensity.0', message: 'b' },
      { field: 'triplet.marginX', message: 'c' },
      { field: 'seed', message: 'd' },
    ];
    expect(errorsFor(errs, 'triplet.margin')).toEqual(['a']);
    expect(errorsFor(errs, 'dataset.intensity')).toEqual(['b']);
    expect(errorsFor(errs, 'student.epochs')).toEqual([]);
  });

  it('FORM_PATHS is the set of shown paths', () => {
    expect(FORM_PATHS.has('triplet.margin')).toBe(true);
    expect(FORM_PATHS.has('ensemble.cGrid')).toBe(false);
  });
});
