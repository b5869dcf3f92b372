// The Monitor's messages: the SVM's per-C progress lines fold into one progress row.
import { describe, expect, it } from 'vitest';
import { foldLogs } from '../../../src/ui/monitor/logs';

describe('foldLogs', () => {
  it('keeps other lines in order and only the latest progress line, as a progress row', () => {
    const info = (message: string) => ({ level: 'info' as const, message });
    const out = foldLogs([
      info('ensemble: embeddings of 64 images'),
      info('SVM on both: C 1/7'),
      info('SVM on both: C 2/7'),
      info('SVM on both (C = 1): chosen on validation in 0.2 s'),
      info('SVM on one: C 3/7'),
    ]);
    expect(out.lines.map((l) => l.message)).toEqual([
      'ensemble: embeddings of 64 images',
      'SVM on both (C = 1): chosen on validation in 0.2 s',
    ]);
    expect(out.progress).toEqual({ what: 'SVM on one', done: 3, total: 7 });
    expect(foldLogs([]).progress).toBeNull();
  });
});

describe('progress inside a C value', () => {
  it('folds "binary problems i/n of the next" into a fraction of one C', () => {
    const f = foldLogs([
      { level: 'info', message: 'SVM on standard + triplet embeddings: C 3/10' },
      { level: 'info', message: 'SVM on standard + triplet embeddings: C 3/10, binary problems 30/120 of the next' },
    ]);
    expect(f.lines).toEqual([]);
    expect(f.progress).toEqual({ what: 'SVM on standard + triplet embeddings', done: 3.25, total: 10 });
  });
});
