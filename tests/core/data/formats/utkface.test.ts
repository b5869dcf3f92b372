// parseUtkFaceName on good names and on malformed names taken from the real UTKFace set, with the exact
// reason a user would read for each.
import { describe, expect, it } from 'vitest';
import { parseUtkFaceName, UTK_RACES } from '../../../../src/core/data/formats/utkface';

const LAYOUT = '(expected [age]_[gender]_[race]_[date].jpg.chip.jpg)';
const bad = (reason: string) => ({ ok: false, reason });

describe('parseUtkFaceName', () => {
  it('reads age, gender and race of good names, with or without the .chip.jpg suffix and folders', () => {
    expect(parseUtkFaceName('26_1_2_20170116174525125.jpg.chip.jpg')).toEqual({
      ok: true,
      age: 26,
      gender: 1,
      race: 2,
    });
    expect(parseUtkFaceName('UTKFace/crop_part1/1_0_4_20161221193016140.jpg')).toEqual({
      ok: true,
      age: 1,
      gender: 0,
      race: 4,
    });
    expect(parseUtkFaceName('116_0_0_20170120134921760.jpg.chip.jpg')).toEqual({
      ok: true,
      age: 116,
      gender: 0,
      race: 0,
    });
    // Only the base name counts: a folder called "bad name" does not matter.
    expect(parseUtkFaceName('my data/x_y/45_1_3_20170119171408813.jpg.chip.jpg')).toEqual({
      ok: true,
      age: 45,
      gender: 1,
      race: 3,
    });
  });

  it('names the race codes', () => {
    expect(UTK_RACES).toEqual(['White', 'Black', 'Asian', 'Indian', 'Others']);
  });

  it('explains the malformed names of the real set', () => {
    expect(parseUtkFaceName('39_1_20170116174525125.jpg.chip.jpg')).toEqual(bad(`race is missing ${LAYOUT}`));
    expect(parseUtkFaceName('61_1_20170109150557335.jpg.chip.jpg')).toEqual(bad(`race is missing ${LAYOUT}`));
    expect(parseUtkFaceName('61_3_20170109150557335.jpg.chip.jpg')).toEqual(
      bad(`race is missing ${LAYOUT}; gender must be 0 (male) or 1 (female), got 3`),
    );
    expect(parseUtkFaceName('53__0_20170116184028385.jpg.chip.jpg')).toEqual(bad(`gender is missing ${LAYOUT}`));
    expect(parseUtkFaceName('24_0_1_20170116220224657 .jpg.chip.jpg')).toEqual(bad('stray space in the name'));
    expect(parseUtkFaceName('55_0_0_20170116232725357jpg.chip.jpg')).toEqual(bad(`missing "." before "jpg" ${LAYOUT}`));
  });

  it('checks each field strictly', () => {
    expect(parseUtkFaceName('0_0_0_20170116174525125.jpg.chip.jpg')).toEqual(bad('age 0 is outside 1-116'));
    expect(parseUtkFaceName('117_0_0_20170116174525125.jpg')).toEqual(bad('age 117 is outside 1-116'));
    expect(parseUtkFaceName('2.5_0_0_20170116174525125.jpg')).toEqual(bad('not a UTKFace name'));
    expect(parseUtkFaceName('2a_0_0_20170116174525125.jpg')).toEqual(bad('age must be a whole number, got "2a"'));
    expect(parseUtkFaceName('30_2_0_20170116174525125.jpg')).toEqual(
      bad('gender must be 0 (male) or 1 (female), got 2'),
    );
    expect(parseUtkFaceName('30_1_5_20170116174525125.jpg')).toEqual(
      bad('race must be 0-4 (0 White, 1 Black, 2 Asian, 3 Indian, 4 Others), got 5'),
    );
    expect(parseUtkFaceName('30_1_1_2017011617452512.jpg')).toEqual(
      bad('date must be 17 digits (yyyymmddHHMMSSFFF), got "2017011617452512"'),
    );
    expect(parseUtkFaceName('30_1_1_201701161745251250.jpg')).toEqual(
      bad('date must be 17 digits (yyyymmddHHMMSSFFF), got "201701161745251250"'),
    );
    expect(parseUtkFaceName('30_1_1.jpg')).toEqual(bad(`date is missing ${LAYOUT}`));
    expect(parseUtkFaceName('30_20170116174525125.jpg')).toEqual(bad(`gender and race are missing ${LAYOUT}`));
    expect(parseUtkFaceName('30_1_1_1_20170116174525125.jpg')).toEqual(
      bad('5 fields separated by "_" where 4 are expected ([age]_[gender]_[race]_[date].jpg.chip.jpg)'),
    );
  });

  it('accepts only the two extensions of the set, case-sensitively', () => {
    expect(parseUtkFaceName('26_1_2_20170116174525125.jpgjpg')).toEqual(bad('unexpected extension ".jpgjpg"'));
    expect(parseUtkFaceName('26_1_2_20170116174525125.JPG')).toEqual(bad('unexpected extension ".JPG"'));
    expect(parseUtkFaceName('26_1_2_20170116174525125.png')).toEqual(bad('unexpected extension ".png"'));
    expect(parseUtkFaceName('26_1_2_20170116174525125.jpg.chip.png')).toEqual(
      bad('unexpected extension ".jpg.chip.png"'),
    );
    expect(parseUtkFaceName('26_1_2_20170116174525125')).toEqual(bad('no extension (expected .jpg or .jpg.chip.jpg)'));
  });

  it('turns away names of other sets', () => {
    for (const name of ['IMG_0001.jpg', 'README.md', 'photo.jpg', '', 'faces/', '12345.jpg', '.DS_Store']) {
      expect(parseUtkFaceName(name)).toEqual(bad('not a UTKFace name'));
    }
  });
});
