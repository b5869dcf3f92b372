// FER2013 / FER+ row rules against hand-worked values: the FERPlus majority vote, pixel parsing,
// headers, Usage splits, and the FER2013 -> FER+ class order.
import { describe, expect, it } from 'vitest';
import {
  FER2013_CLASSES,
  FER2013_TO_FERPLUS,
  ferColumns,
  ferEmotion,
  ferPlusColumns,
  ferPlusMajority,
  ferPlusVotes,
  ferUsageSplit,
  parsePixels,
  squareSide,
} from '../../../../src/core/data/formats/fer';
import { EXPRESSION_CLASSES } from '../../../../src/core/data/types';

describe('FER+ majority vote (FERPlus majority mode)', () => {
  it.each([
    [[10, 0, 0, 0, 0, 0, 0, 0, 0, 0], { ok: true, value: 0 }],
    [[6, 0, 0, 1, 3, 0, 0, 0, 0, 0], { ok: true, value: 0 }], // single vote dropped: 6 > 9/2
    [[4, 0, 0, 1, 3, 2, 0, 0, 0, 0], { ok: false, reason: 'FER+: no majority among the votes' }], // 4 is not > 9/2
    [[5, 5, 0, 0, 0, 0, 0, 0, 0, 0], { ok: false, reason: 'FER+: no majority among the votes' }], // tie
    [[0, 3, 0, 0, 0, 0, 0, 2, 0, 0], { ok: true, value: 1 }], // 3 > 5/2
    [[0, 0, 0, 0, 0, 0, 0, 7, 3, 0], { ok: true, value: 7 }], // contempt
    [[2, 0, 0, 0, 0, 0, 0, 0, 6, 2], { ok: false, reason: 'FER+: voted unknown' }],
    [[0, 2, 0, 0, 0, 0, 0, 0, 0, 8], { ok: false, reason: 'FER+: voted not a face' }],
    [[1, 1, 1, 1, 1, 1, 1, 1, 1, 1], { ok: false, reason: 'FER+: no majority among the votes' }], // all single: sum 0
  ])('%j -> %j', (votes, expected) => {
    expect(ferPlusMajority(votes)).toEqual(expected);
  });

  it('needs 10 counts and reads them as whole numbers', () => {
    expect(ferPlusMajority([1, 2])).toEqual({ ok: false, reason: 'expected 10 vote counts, got 2' });
    const cols = ferPlusColumns(
      'Usage,Image name,neutral,happiness,surprise,sadness,anger,disgust,fear,contempt,unknown,NF'.split(','),
    );
    expect(cols).toEqual({ ok: true, value: { name: 1, votes: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11] } });
    const c = cols.ok ? cols.value.votes : [];
    expect(ferPlusVotes('T,a,1,2,3,4,5,6,7,8,9,0'.split(','), c)).toEqual({
      ok: true,
      value: [1, 2, 3, 4, 5, 6, 7, 8, 9, 0],
    });
    expect(ferPlusVotes('T,a,1,2,x,4,5,6,7,8,9,0'.split(','), c)).toEqual({
      ok: false,
      reason: 'FER+ votes: "surprise" is not a whole number (got "x")',
    });
  });
});

describe('FER2013 rows', () => {
  it('maps emotions 0-6 to the FER+ order and names the 7 classes', () => {
    // 0 Angry, 1 Disgust, 2 Fear, 3 Happy, 4 Sad, 5 Surprise, 6 Neutral
    const names = FER2013_TO_FERPLUS.map((i) => EXPRESSION_CLASSES[i]);
    expect(names).toEqual(['anger', 'disgust', 'fear', 'happiness', 'sadness', 'surprise', 'neutral']);
    expect([...FER2013_CLASSES]).toEqual(EXPRESSION_CLASSES.slice(0, 7));
    expect(ferEmotion(' 3 ')).toEqual({ ok: true, value: 1 });
    expect(ferEmotion('7')).toEqual({ ok: false, reason: 'emotion must be 0-6 (got "7")' });
    expect(ferEmotion('')).toEqual({ ok: false, reason: 'emotion must be 0-6 (got "")' });
  });

  it('reads pixels, counts them, and rejects what is not 0-255', () => {
    expect(Array.from((parsePixels('0 12  255\t7', null) as { value: Uint8Array }).value)).toEqual([0, 12, 255, 7]);
    expect(parsePixels('1 2 3', new Uint8Array(4))).toEqual({ ok: false, reason: '3 pixels, expected 4' });
    expect(parsePixels('1 256', null)).toEqual({ ok: false, reason: 'pixel 2 is over 255' });
    expect(parsePixels('1 -2', null)).toEqual({ ok: false, reason: 'pixel 2 is not a whole number 0-255 (found "-")' });
    expect(parsePixels('1 2.5', null)).toEqual({
      ok: false,
      reason: 'pixel 2 is not a whole number 0-255 (found ".")',
    });
    expect([squareSide(2304), squareSide(4096), squareSide(2300), squareSide(0)]).toEqual([48, 64, null, null]);
  });

  it('finds the columns in any order and explains a wrong header', () => {
    expect(ferColumns(['Usage', 'pixels', 'emotion'])).toEqual({
      ok: true,
      value: { emotion: 2, pixels: 1, usage: 0 },
    });
    expect(ferColumns(['emotion', 'pixel', 'Usage'])).toEqual({
      ok: false,
      reason: 'the header must name the columns emotion, pixels and Usage (missing: pixels; got "emotion,pixel,Usage")',
    });
    expect(ferPlusColumns(['emotion', 'pixels', 'Usage'])).toEqual({
      ok: false,
      reason: 'this is fer2013.csv itself (it has pixels); the FER+ votes file is fer2013new.csv',
    });
    expect([
      ferUsageSplit('Training'),
      ferUsageSplit('PublicTest'),
      ferUsageSplit('PrivateTest'),
      ferUsageSplit('training'),
    ]).toEqual(['train', 'val', 'test', null]);
  });
});
