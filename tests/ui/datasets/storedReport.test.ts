// An imported dataset's card rebuilds its import report from the stored record; the import's time left.
import { describe, expect, it } from 'vitest';
import { formatImportReport } from '../../../src/core/data/importReport';
import type { DatasetMeta } from '../../../src/core/records';
import { storedReport } from '../../../src/ui/datasets/storedReport';
import { timeLeft } from '../../../src/ui/datasets/ImportPanel';

const split = (count: number) => ({ count, classCounts: { gender: [count - 1, 1] } });
const meta: DatasetMeta = {
  id: 'ds',
  name: 'faces',
  source: 'import',
  synth: null,
  height: 16,
  width: 16,
  channels: 1,
  tasks: ['gender'],
  classNames: { gender: ['female', 'male'] },
  splits: { train: split(6), val: split(2), test: split(2) },
  bytes: 2560,
  createdAt: 0,
  complete: true,
  imported: {
    format: 'folder',
    files: [{ name: 'faces.zip', bytes: 4000 }],
    seed: 1,
    rejected: [{ where: 'x/readme.txt', reason: 'not an image' }],
    rejectedCount: 3,
    duplicates: { count: 0, examples: [] },
    metadata: {},
    ms: 1500,
  },
} as unknown as DatasetMeta;

describe('storedReport', () => {
  it('keeps the rejection reasons and counts, and formats as the import panel’s report', () => {
    const r = storedReport(meta)!;
    expect([r.images, r.rejectedCount, r.bytesRead, r.rejected[0].reason]).toEqual([10, 3, 4000, 'not an image']);
    expect(formatImportReport(r)).toMatch(/^faces: 10 images imported/);
    expect(storedReport({ ...meta, imported: null })).toBeNull();
  });

  it('keeps what generic labels are (a FER-layout CSV beyond FER2013’s emotions)', () => {
    const note =
      'generic labels 0-9 (10 classes, numbered), not FER2013\'s emotions: trained as classification under the task "expression"';
    const r = storedReport({ ...meta, imported: { ...meta.imported!, metadata: { labels: note } } })!;
    expect(r.labels).toBe(note);
    expect(formatImportReport(r)).toContain(`labels: ${note}`);
    expect(storedReport(meta)!.labels).toBeUndefined();
  });
});

describe('timeLeft', () => {
  it('never says "about 0 s" while images are still decoding', () => {
    expect(timeLeft(12, false)).toBe('about 12 s left');
    expect(timeLeft(0.2, true)).toBe('decoding and storing the last images…');
    expect(timeLeft(null, false)).toBe('estimating the time left…');
  });
});
