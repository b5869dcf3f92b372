// FER2013 rows (`emotion,pixels,Usage`) and FER+ vote rows (`fer2013new.csv`), one row at a time: the
// importer streams both files in lockstep, so nothing here sees more than one line. Pure, no I/O.
// FER2013's faces are 48x48 grey (FER_SIDE), cropped tight: brows to chin, cheek to cheek.
import type { Split } from '../types';
import { printableLine } from '../../text';
import { resizeImage, toChannels } from './pixels';

/** FER2013's 7 classes, in the FER+ order (FER+ adds contempt as an 8th). */
export const FER2013_CLASSES = ['neutral', 'happiness', 'surprise', 'sadness', 'anger', 'disgust', 'fear'] as const;
/** FER2013 `emotion` (0 Angry, 1 Disgust, 2 Fear, 3 Happy, 4 Sad, 5 Surprise, 6 Neutral) -> index in the FER+ order. */
export const FER2013_TO_FERPLUS = [4, 5, 6, 1, 3, 2, 0] as const;
/** FER+ vote columns after `Usage,Image name`: 8 emotions, then unknown and not-a-face (NF). */
export const FERPLUS_VOTE_COLUMNS = [
  'neutral',
  'happiness',
  'surprise',
  'sadness',
  'anger',
  'disgust',
  'fear',
  'contempt',
  'unknown',
  'NF',
] as const;

export type FerColumns = { emotion: number; pixels: number; usage: number };
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const norm = (s: string) => s.trim().toLowerCase();

/** Column positions of a FER2013 header, or why it is not one. */
export function ferColumns(header: string[]): Parsed<FerColumns> {
  const h = header.map(norm);
  const emotion = h.indexOf('emotion');
  const pixels = h.indexOf('pixels');
  const usage = h.indexOf('usage');
  if (emotion >= 0 && pixels >= 0 && usage >= 0) return { ok: true, value: { emotion, pixels, usage } };
  if (h.includes('image name') && h.includes('neutral')) {
    return {
      ok: false,
      reason:
        'this is the FER+ votes file (fer2013new.csv); choose fer2013.csv as the images and this one as the FER+ votes',
    };
  }
  const missing = [emotion < 0 && 'emotion', pixels < 0 && 'pixels', usage < 0 && 'Usage'].filter(Boolean).join(', ');
  return {
    ok: false,
    reason: `the header must name the columns emotion, pixels and Usage (missing: ${missing}; got "${printableLine(header.join(',').slice(0, 80))}")`,
  };
}

/** Column positions of the FER+ votes header: the image name and the 10 vote counts, in FERPLUS_VOTE_COLUMNS order. */
export function ferPlusColumns(header: string[]): Parsed<{ name: number; votes: number[] }> {
  const h = header.map(norm);
  const name = h.indexOf('image name');
  const votes = FERPLUS_VOTE_COLUMNS.map((c) => h.indexOf(c.toLowerCase()));
  const missing = FERPLUS_VOTE_COLUMNS.filter((_, i) => votes[i] < 0);
  if (h.includes('pixels') && h.includes('emotion')) {
    return { ok: false, reason: 'this is fer2013.csv itself (it has pixels); the FER+ votes file is fer2013new.csv' };
  }
  if (name < 0 || missing.length) {
    return {
      ok: false,
      reason: `not a FER+ votes header: missing ${[name < 0 ? 'Image name' : '', ...missing].filter(Boolean).join(', ')}`,
    };
  }
  return { ok: true, value: { name, votes } };
}

/** `Usage` -> split: Training, PublicTest (validation), PrivateTest (test). */
export function ferUsageSplit(usage: string): Split | null {
  switch (usage.trim()) {
    case 'Training':
      return 'train';
    case 'PublicTest':
      return 'val';
    case 'PrivateTest':
      return 'test';
    default:
      return null;
  }
}

/** Space-separated grey values 0..255 into `out` (allocated when null): the count read, or a reason. */
export function parsePixels(text: string, out: Uint8Array | null): Parsed<Uint8Array> {
  const b = new TextEncoder().encode(text);
  return parsePixelBytes(b, 0, b.length, out);
}

/**
 * Grey values from the bytes [start, end) of a line (ASCII digits, spaces, tabs), with no string made:
 * 2,304 values per row times 35,887 rows is the hot loop of a FER import.
 */
export function parsePixelBytes(b: Uint8Array, start: number, end: number, out: Uint8Array | null): Parsed<Uint8Array> {
  const values: number[] = [];
  let n = 0;
  let v = -1;
  for (let i = start; i < end; i++) {
    const c = b[i];
    if (c >= 48 && c <= 57) {
      v = v < 0 ? c - 48 : v * 10 + (c - 48);
      if (v > 255) return { ok: false, reason: `pixel ${n + 1} is over 255` };
    } else if (c === 32 || c === 9) {
      if (v >= 0) {
        if (out) {
          if (n < out.length) out[n] = v;
        } else values.push(v);
        n++;
        v = -1;
      }
    } else {
      return {
        ok: false,
        reason: `pixel ${n + 1} is not a whole number 0-255 (found "${c < 128 ? printableLine(String.fromCharCode(c)) : `byte ${c}`}")`,
      };
    }
  }
  if (v >= 0) {
    if (out) {
      if (n < out.length) out[n] = v;
    } else values.push(v);
    n++;
  }
  if (out && n !== out.length) return { ok: false, reason: `${n} pixels, expected ${out.length}` };
  return { ok: true, value: out ?? Uint8Array.from(values) };
}

/** The side of FER2013's images. */
export const FER_SIDE = 48;

/** Converts a grey square of `side` to a dataset's size and channels: how the FER2013 importer stores
 *  every row (and how the Try it panel makes a camera face look like one). */
export function fitGrey(
  px: Uint8Array,
  side: number,
  o: { width: number; height: number; channels: 1 | 3 },
): Uint8Array {
  const g = side === o.width && side === o.height ? px : resizeImage(px, side, side, 1, o.width, o.height);
  return o.channels === 1 ? g : toChannels(g, o.width * o.height, 1, 3);
}

/** Side of a square image with `n` pixels, or null when n is not a square. */
export function squareSide(n: number): number | null {
  const s = Math.round(Math.sqrt(n));
  return s > 0 && s * s === n ? s : null;
}

/**
 * The FER+ majority label from the 10 vote counts, as FERPlus's `ferplus.py` does in 'majority' mode:
 * single votes are dropped as outliers, then the top emotion needs more than half of the remaining
 * votes; faces whose top is unknown or not-a-face, or with no such majority, are dropped.
 */
export function ferPlusMajority(votes: readonly number[]): Parsed<number> {
  if (votes.length !== 10) return { ok: false, reason: `expected 10 vote counts, got ${votes.length}` };
  const kept = votes.map((v) => (v <= 1 ? 0 : v));
  const sum = kept.reduce((a, b) => a + b, 0);
  let best = 0;
  for (let i = 1; i < kept.length; i++) if (kept[i] > kept[best]) best = i;
  if (!(kept[best] > 0.5 * sum)) return { ok: false, reason: 'FER+: no majority among the votes' };
  if (best === 8) return { ok: false, reason: 'FER+: voted unknown' };
  if (best === 9) return { ok: false, reason: 'FER+: voted not a face' };
  return { ok: true, value: best };
}

/** Vote counts of one FER+ row, or why they cannot be read. */
export function ferPlusVotes(fields: string[], columns: number[]): Parsed<number[]> {
  const out: number[] = [];
  for (let i = 0; i < columns.length; i++) {
    const raw = fields[columns[i]];
    const v = raw === undefined ? NaN : Number(raw.trim());
    if (!Number.isInteger(v) || v < 0 || raw.trim() === '') {
      return {
        ok: false,
        reason: `FER+ votes: "${FERPLUS_VOTE_COLUMNS[i]}" is not a whole number (got ${JSON.stringify(raw ?? '')})`,
      };
    }
    out.push(v);
  }
  return { ok: true, value: out };
}

/** FER2013 `emotion` 0..6 -> FER+ order index, or a reason. */
export function ferEmotion(raw: string): Parsed<number> {
  const t = raw.trim();
  const e = /^[0-6]$/.test(t) ? Number(t) : -1;
  return e < 0
    ? { ok: false, reason: `emotion must be 0-6 (got ${JSON.stringify(raw)})` }
    : { ok: true, value: FER2013_TO_FERPLUS[e] };
}
