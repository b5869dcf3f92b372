// Labels and splits of a folder-per-class image set (`<class>/<file>` or `<split>/<class>/<file>`) from paths alone.
// Plain TypeScript (Node and worker); paths are relative to the chosen root and '/'-separated.
import { EXPRESSION_CLASSES, type Split } from '../types';
import { printableLine } from '../../text';

export type FolderPlace =
  { ok: true; split: Split | null; className: string } | { ok: false; reason: string; ignore?: boolean };

const LAYOUTS = '<class>/<file> or <split>/<class>/<file>';
// Written by macOS and Windows into folders and zips; never images, so skipped without a word.
const SYSTEM_NAMES = new Set(['__macosx', 'thumbs.db', 'desktop.ini']);

const SPLIT_NAMES: Record<string, Split> = {
  train: 'train',
  training: 'train',
  val: 'val',
  valid: 'val',
  validation: 'val',
  dev: 'val',
  test: 'test',
  testing: 'test',
};

/** A split folder name: train/training, val/valid/validation/dev, test/testing (any case) -> Split, else null. */
export function splitFromFolder(name: string): Split | null {
  return SPLIT_NAMES[name.trim().toLowerCase()] ?? null;
}

// Folder names seen in FER2013, FER+, RAF-DB exports and hand-made sets, onto the FER+ classes.
const EXPRESSION_SYNONYMS: Record<string, (typeof EXPRESSION_CLASSES)[number]> = {
  neutral: 'neutral',
  happy: 'happiness',
  happiness: 'happiness',
  joy: 'happiness',
  surprise: 'surprise',
  surprised: 'surprise',
  sad: 'sadness',
  sadness: 'sadness',
  angry: 'anger',
  anger: 'anger',
  disgust: 'disgust',
  disgusted: 'disgust',
  fear: 'fear',
  fearful: 'fear',
  scared: 'fear',
  contempt: 'contempt',
};

/**
 * FER+ index of a class folder name (any case, with synonyms: angry/anger, disgust/disgusted, fear/fearful/scared,
 * happy/happiness/joy, sad/sadness, surprise/surprised, neutral, contempt), else null.
 */
export function expressionIndex(name: string): number | null {
  const cls = EXPRESSION_SYNONYMS[name.trim().toLowerCase()];
  return cls === undefined ? null : EXPRESSION_CLASSES.indexOf(cls);
}

/** Why an archive entry's path points outside the archive (a `..` segment, as in "../x"), or null. Such
 *  an entry is never read, and is reported as what it is, whatever its name looks like otherwise. */
export function outsideArchive(path: string): string | null {
  return path.split(/[/\\]/).includes('..') ? 'a path outside the archive (it climbs out with "..")' : null;
}

/** Where an image sits in `<class>/<file>` or `<split>/<class>/<file>` (path relative to the chosen root, '/'-separated). */
export function folderPlace(relPath: string): FolderPlace {
  const outside = outsideArchive(relPath);
  if (outside) return { ok: false, reason: outside };
  // Tolerate "./a/b.jpg", a leading '/' and doubled separators: they name the same place.
  const segs = relPath.split('/').filter((s) => s !== '' && s !== '.');
  if (segs.some((s) => s.startsWith('.') || SYSTEM_NAMES.has(s.toLowerCase()))) {
    return { ok: false, reason: 'hidden or system file', ignore: true };
  }
  if (segs.length === 0) return { ok: false, reason: 'empty path' };
  if (segs.length === 1) return { ok: false, reason: 'not inside a class folder' };
  if (segs.length === 2) {
    // "train/x.jpg" is almost surely a split folder missing its class level, not a class called "train".
    const split = splitFromFolder(segs[0]);
    if (split !== null) return { ok: false, reason: `not inside a class folder (expected ${segs[0]}/<class>/<file>)` };
    return { ok: true, split: null, className: printableLine(segs[0]) };
  }
  if (segs.length === 3) {
    const split = splitFromFolder(segs[0]);
    if (split === null) return { ok: false, reason: `"${segs[0]}" is not a split folder (train, val or test)` };
    return { ok: true, split, className: printableLine(segs[1]) };
  }
  return { ok: false, reason: `nested ${segs.length - 1} folders deep; expected ${LAYOUTS}` };
}
