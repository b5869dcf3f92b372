// Labels of a UTKFace image from its file name, strictly: a few hundred names in the real set are malformed,
// and the reason we give must tell the user what is wrong with each. Plain TypeScript (Node and worker).
import { printableLine } from '../../text';

export type UtkParse = { ok: true; age: number; gender: 0 | 1; race: number } | { ok: false; reason: string };

/** Race codes of the set, by index. */
export const UTK_RACES = ['White', 'Black', 'Asian', 'Indian', 'Others'] as const;

const LAYOUT = '[age]_[gender]_[race]_[date].jpg.chip.jpg';
const FIELDS = ['age', 'gender', 'race', 'date'] as const;
type Field = (typeof FIELDS)[number];
const EXTENSIONS = ['.jpg', '.jpg.chip.jpg'];

/** "age", "age and race", "age, gender and race". */
function listWords(words: string[]): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/**
 * Lines the '_'-separated fields up with age, gender, race, date. The real set's broken names drop a field
 * (usually race) rather than reorder them, so a trailing run of digits is taken as the date and the fields
 * before it fill age, gender, race in order; whatever is left over is missing.
 */
function assignFields(parts: string[]): Map<Field, string> {
  const byName = new Map<Field, string>();
  const last = parts[parts.length - 1];
  const endsWithDate = parts.length < 4 && /^\d{9,}$/.test(last);
  const leading = endsWithDate ? parts.slice(0, -1) : parts;
  leading.slice(0, 3).forEach((v, i) => byName.set(FIELDS[i], v));
  if (endsWithDate) byName.set('date', last);
  else if (parts.length >= 4) byName.set('date', parts[3]);
  return byName;
}

/**
 * Labels from a UTKFace file name `[age]_[gender]_[race]_[yyyymmddHHMMSSFFF].jpg.chip.jpg` (the `.chip.jpg` suffix
 * optional; only the base name after the last '/' is looked at).
 */
export function parseUtkFaceName(path: string): UtkParse {
  let name = path.slice(path.lastIndexOf('/') + 1);
  const problems: string[] = [];
  // A space is a typo to name on its own; the rest of the name is still checked without it.
  if (/\s/.test(name)) {
    problems.push('stray space in the name');
    name = name.replace(/\s+/g, '');
  }
  const dot = name.indexOf('.');
  let stem = dot < 0 ? name : name.slice(0, dot);
  const ext = dot < 0 ? '' : name.slice(dot);
  if (!/^\d/.test(stem) || !stem.includes('_')) return { ok: false, reason: 'not a UTKFace name' };

  if (!EXTENSIONS.includes(ext)) {
    // "...357jpg.chip.jpg": the dot before the first "jpg" was dropped. Say so, and read the date without "jpg".
    if ((ext === '' || ext === '.chip.jpg') && stem.endsWith('jpg')) {
      problems.push(`missing "." before "jpg" (expected ${LAYOUT})`);
      stem = stem.slice(0, -3);
    } else {
      problems.push(ext === '' ? 'no extension (expected .jpg or .jpg.chip.jpg)' : `unexpected extension "${ext}"`);
    }
  }

  const parts = stem.split('_');
  if (parts.length > 4) {
    problems.push(`${parts.length} fields separated by "_" where 4 are expected (${LAYOUT})`);
    return { ok: false, reason: problems.join('; ') };
  }
  const fields = assignFields(parts);
  const missing = FIELDS.filter((f) => !fields.get(f));
  if (missing.length > 0) {
    problems.push(`${listWords(missing)} ${missing.length === 1 ? 'is' : 'are'} missing (expected ${LAYOUT})`);
  }

  const ageText = fields.get('age');
  const genderText = fields.get('gender');
  const raceText = fields.get('race');
  const dateText = fields.get('date');
  const age = Number(ageText);
  if (ageText) {
    if (!/^\d+$/.test(ageText)) problems.push(`age must be a whole number, got "${printableLine(ageText)}"`);
    else if (age < 1 || age > 116) problems.push(`age ${age} is outside 1-116`);
  }
  if (genderText && genderText !== '0' && genderText !== '1') {
    problems.push(`gender must be 0 (male) or 1 (female), got ${genderText}`);
  }
  if (raceText && !/^[0-4]$/.test(raceText)) {
    problems.push(`race must be 0-4 (${UTK_RACES.map((r, i) => `${i} ${r}`).join(', ')}), got ${raceText}`);
  }
  if (dateText && !/^\d{17}$/.test(dateText)) {
    problems.push(`date must be 17 digits (yyyymmddHHMMSSFFF), got "${printableLine(dateText)}"`);
  }

  if (problems.length > 0) return { ok: false, reason: problems.join('; ') };
  return { ok: true, age, gender: genderText === '1' ? 1 : 0, race: Number(raceText) };
}
