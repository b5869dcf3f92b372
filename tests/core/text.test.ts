import { describe, expect, it } from 'vitest';
import { configErrors, makeConfig, mergeConfig } from '../../src/core/config';
import { PRESETS } from '../../src/core/config/presets';
import { folderPlace } from '../../src/core/data/formats/folders';
import { ferColumns } from '../../src/core/data/formats/fer';
import { formatGrid } from '../../src/core/results/report';
import { firstControl, printableLine, printableText } from '../../src/core/text';
import type { GridRow } from '../../src/core/events';

const ESC = '\u001b';

describe('control characters on their way to a terminal or a report', () => {
  it('are escaped: all of them in one-line values, all but tab and newline in texts', () => {
    expect(printableLine(`x${ESC}[2J${ESC}]0;pwned\u0007y\tz\n\u009b\u007f`)).toBe(
      'x\\x1b[2J\\x1b]0;pwned\\x07y\\x09z\\x0a\\x9b\\x7f',
    );
    expect(printableText(`a\tb\nc${ESC}[2Jd\re`)).toBe('a\tb\nc\\x1b[2Jd\\x0de');
    expect(printableLine('visage – 顔 ◑')).toBe('visage – 顔 ◑');
    expect(firstControl(`ab${ESC}c`)).toBe('\\x1b at character 3');
    expect(firstControl('plain')).toBeNull();
  });

  it('a config name with control characters is refused, by field', () => {
    const cfg = makeConfig(mergeConfig(PRESETS['fixture-tiny'], {}));
    const bad = { ...cfg, name: `x${ESC}[2J` };
    expect(configErrors(bad)).toEqual([
      { field: 'name', message: 'must be one line of text without control characters (found \\x1b at character 2)' },
    ]);
    expect(configErrors({ ...cfg, name: 'Demo: ◑ lower – ok' })).toEqual([]);
  });

  it('class folder names and a CSV header reach messages and grids escaped', () => {
    expect(folderPlace(`happy${ESC}[31m/a.png`)).toEqual({ ok: true, split: null, className: 'happy\\x1b[31m' });
    expect(folderPlace(`train/sad\u0007/a.png`)).toEqual({ ok: true, split: 'train', className: 'sad\\x07' });
    const r = ferColumns(['emo', `pix${ESC}]0;t\u0007`]);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toBe(
      'the header must name the columns emotion, pixels and Usage (missing: emotion, pixels, Usage; got "emo,pix\\x1b]0;t\\x07")',
    );
  });

  it('the text grid escapes what a label carries', () => {
    const row = {
      label: `SVM ${ESC}[2J`,
      train: 'full',
      test: 'lower',
      metrics: { accuracy: 0.5, count: 10 },
    } as unknown as GridRow;
    const text = formatGrid([row], 'gender');
    expect(text).toContain('SVM \\x1b[2J');
    expect(text).not.toContain(ESC);
  });
});
