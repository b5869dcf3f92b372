// Generic labels of a FER-layout CSV: the scheme from the label column's largest value and an optional
// labels file, and each row's label, with the messages the import report shows.
import { describe, expect, it } from 'vitest';
import {
  ferLabelScheme,
  genericLabel,
  MAX_GENERIC_CLASSES,
  parseLabelNames,
} from '../../../src/core/data/formats/ferLabels';

describe('the label scheme', () => {
  it('labels 0-6 and no names: FER2013 as before; beyond 6: K = max + 1 numbered classes', () => {
    expect(ferLabelScheme({ max: 6, rows: 10 }, null)).toEqual({ ok: true, value: { kind: 'fer2013' } });
    const g = ferLabelScheme({ max: 9, rows: 10 }, null);
    expect(g.ok && g.value.kind === 'generic' && g.value.classNames).toEqual([
      'class 0',
      'class 1',
      'class 2',
      'class 3',
      'class 4',
      'class 5',
      'class 6',
      'class 7',
      'class 8',
      'class 9',
    ]);
    expect(g.ok && g.value.kind === 'generic' && g.value.note).toBe(
      'generic labels 0-9 (10 classes, numbered), not FER2013\'s emotions: trained as classification under the task "expression"',
    );
  });

  it('names make the labels generic even within 0-6; more names than labels is fine, fewer is not', () => {
    const g = ferLabelScheme({ max: 1, rows: 4 }, ['cat', 'dog', 'bird']);
    expect(g.ok && g.value.kind === 'generic' && [g.value.classNames, g.value.named]).toEqual([
      ['cat', 'dog', 'bird'],
      true,
    ]);
    expect(ferLabelScheme({ max: 3, rows: 4 }, ['cat', 'dog'])).toEqual({
      ok: false,
      reason: 'the CSV has label 3, but the labels file names only 2 classes (0-1)',
    });
    expect(ferLabelScheme({ max: MAX_GENERIC_CLASSES, rows: 1 }, null).ok).toBe(false);
  });

  it('a row’s label: a whole number below K', () => {
    expect(genericLabel(' 7 ', 10)).toEqual({ ok: true, value: 7 });
    expect(genericLabel('10', 10)).toEqual({
      ok: false,
      reason: 'label 10 is beyond the 10 classes the labels file names (0-9)',
    });
    expect(genericLabel('2.5', 10)).toEqual({ ok: false, reason: 'the label must be a whole number 0-9 (got "2.5")' });
    expect(genericLabel('-1', 3).ok).toBe(false);
  });
});

describe('labels files', () => {
  it('one name per line (BOM, CRLF, trailing blank lines allowed); blank, duplicate or control characters are handled', () => {
    expect(parseLabelNames('\uFEFFzero\r\none\r\n two \n\n')).toEqual({ ok: true, value: ['zero', 'one', 'two'] });
    expect(parseLabelNames('a\n\nb\n')).toEqual({
      ok: false,
      reason: 'line 2 of the labels file is blank (every class 0..2 needs a name)',
    });
    expect(parseLabelNames('a\nb\na')).toEqual({ ok: false, reason: 'lines 1 and 3 of the labels file both name "a"' });
    expect(parseLabelNames('\n\n')).toEqual({
      ok: false,
      reason: 'the labels file is empty (expected one class name per line)',
    });
    const esc = parseLabelNames('bad\u001b[31m');
    expect(esc.ok && esc.value[0]).toBe('bad\\x1b[31m');
  });
});
