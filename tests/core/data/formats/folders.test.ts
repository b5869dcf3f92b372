// folderPlace, splitFromFolder and expressionIndex on the layouts users zip up: class folders, split folders,
// system litter, and the mistakes (files at the root, unknown split names, nesting too deep).
import { describe, expect, it } from 'vitest';
import { expressionIndex, folderPlace, splitFromFolder } from '../../../../src/core/data/formats/folders';
import { EXPRESSION_CLASSES } from '../../../../src/core/data/types';

const HIDDEN = { ok: false, reason: 'hidden or system file', ignore: true };

describe('folderPlace', () => {
  it('reads <class>/<file> and <split>/<class>/<file>', () => {
    expect(folderPlace('happy/img001.jpg')).toEqual({ ok: true, split: null, className: 'happy' });
    expect(folderPlace('Training/Angry/0001.png')).toEqual({ ok: true, split: 'train', className: 'Angry' });
    expect(folderPlace('validation/sad/x.jpg')).toEqual({ ok: true, split: 'val', className: 'sad' });
    expect(folderPlace('TEST/neutral/x.jpg')).toEqual({ ok: true, split: 'test', className: 'neutral' });
    // Leading "./", a leading "/" and doubled separators name the same place.
    expect(folderPlace('./dev//fear/x.jpg')).toEqual({ ok: true, split: 'val', className: 'fear' });
    expect(folderPlace('/cats/x.jpg')).toEqual({ ok: true, split: null, className: 'cats' });
  });

  it('ignores hidden and system files anywhere in the path', () => {
    for (const p of [
      '.DS_Store',
      'happy/.DS_Store',
      '__MACOSX/happy/._img.jpg',
      'train/.cache/x.jpg',
      'happy/Thumbs.db',
      'sad/desktop.ini',
      'train/happy/thumbs.db',
      '.git/config',
    ]) {
      expect(folderPlace(p), p).toEqual(HIDDEN);
    }
  });

  it('explains layouts it cannot read', () => {
    expect(folderPlace('img001.jpg')).toEqual({ ok: false, reason: 'not inside a class folder' });
    expect(folderPlace('train/img001.jpg')).toEqual({
      ok: false,
      reason: 'not inside a class folder (expected train/<class>/<file>)',
    });
    expect(folderPlace('fer2013/happy/img.jpg')).toEqual({
      ok: false,
      reason: '"fer2013" is not a split folder (train, val or test)',
    });
    expect(folderPlace('data/train/happy/img.jpg')).toEqual({
      ok: false,
      reason: 'nested 3 folders deep; expected <class>/<file> or <split>/<class>/<file>',
    });
    expect(folderPlace('')).toEqual({ ok: false, reason: 'empty path' });
  });
});

describe('splitFromFolder', () => {
  it('knows the usual split names in any case', () => {
    const cases: [string, string | null][] = [
      ['train', 'train'],
      ['Training', 'train'],
      ['VAL', 'val'],
      ['valid', 'val'],
      ['Validation', 'val'],
      ['dev', 'val'],
      ['test', 'test'],
      ['Testing', 'test'],
      ['happy', null],
      ['trainval', null],
      ['', null],
      ['tests', null],
    ];
    for (const [name, split] of cases) expect([name, splitFromFolder(name)]).toEqual([name, split]);
  });
});

describe('expressionIndex', () => {
  it('maps folder names and synonyms onto the FER+ order', () => {
    const cases: [string, string][] = [
      ['angry', 'anger'],
      ['Anger', 'anger'],
      ['disgust', 'disgust'],
      ['Disgusted', 'disgust'],
      ['fear', 'fear'],
      ['fearful', 'fear'],
      ['SCARED', 'fear'],
      ['happy', 'happiness'],
      ['happiness', 'happiness'],
      ['joy', 'happiness'],
      ['sad', 'sadness'],
      ['Sadness', 'sadness'],
      ['surprise', 'surprise'],
      ['surprised', 'surprise'],
      ['neutral', 'neutral'],
      ['Contempt', 'contempt'],
    ];
    for (const [name, cls] of cases) {
      expect([name, expressionIndex(name)]).toEqual([name, EXPRESSION_CLASSES.indexOf(cls as never)]);
    }
    // The FER+ order itself, spelled out so a reordering of EXPRESSION_CLASSES shows up here.
    expect(
      ['neutral', 'happy', 'surprise', 'sad', 'angry', 'disgust', 'fear', 'contempt'].map(expressionIndex),
    ).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('returns null for other names', () => {
    for (const name of ['calm', 'smile', '0', '', 'unknown', 'happy1']) {
      expect([name, expressionIndex(name)]).toEqual([name, null]);
    }
  });
});
