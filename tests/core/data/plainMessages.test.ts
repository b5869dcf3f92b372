// Messages in plain words: an empty split is refused as empty (not as lacking labels), and a control
// character in a CSV field or a file name is shown escaped in the reason, never sent raw to a terminal.
import { describe, expect, it } from 'vitest';
import { requireLabels } from '../../../src/core/data/batching';
import { parsePixels } from '../../../src/core/data/formats/fer';
import { parseUtkFaceName } from '../../../src/core/data/formats/utkface';
import type { ImageSet } from '../../../src/core/data/types';

const set = (count: number, labelled: boolean): ImageSet => ({
  height: 2,
  width: 2,
  channels: 1,
  count,
  pixels: new Uint8Array(4 * count),
  expression: labelled ? new Int32Array(count) : null,
  gender: null,
  age: null,
  classNames: {},
});

describe('plain messages', () => {
  it('a split with no rows is refused as empty, whatever its labels', () => {
    expect(() => requireLabels(set(0, false), 'expression', 'test split')).toThrow(
      'The test split has no images (0 rows); every split (train, val, test) needs some.',
    );
    expect(() => requireLabels(set(0, true), 'expression', 'test split')).toThrow(/has no images/);
    expect(() => requireLabels(set(3, false), 'expression', 'test split')).toThrow(
      'The test split has no expression labels; choose another task or dataset.',
    );
    expect(() => requireLabels(set(3, true), 'expression', 'test split')).not.toThrow();
  });

  it('a NUL or an escape in a pixel field is shown escaped', () => {
    for (const [c, shown] of [
      ['\u0000', '\\x00'],
      ['\u001b', '\\x1b'],
      ['\r', '\\x0d'],
    ]) {
      const r = parsePixels(`1 2 ${c}3 4`, null);
      expect(r.ok).toBe(false);
      const reason = (r as { reason: string }).reason;
      expect(reason).toBe(`pixel 3 is not a whole number 0-255 (found "${shown}")`);
      expect(reason).not.toMatch(/[\u0000-\u001f]/); // eslint-disable-line no-control-regex
    }
  });

  it('a control character in a UTKFace name is shown escaped', () => {
    const r = parseUtkFaceName('2\u00005_0_0_20170116174525125.jpg');
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).not.toMatch(/\\u0000/);
    expect(JSON.stringify(r)).toMatch(/\\\\x00/);
  });
});
