// Which picked files make which import: FER CSV + votes told apart by their headers, one archive, a
// folder; loose images or mixtures refused with the reason.
import { describe, expect, it } from 'vitest';
import { planFromKinds, type Picked } from '../../../src/ui/datasets/importPlan';

const file = (name: string, size = 10) => ({ name, size }) as unknown as File;
const picked = (...names: string[]): Picked[] => names.map((n) => ({ file: file(n.split('/').pop()!), path: n }));

describe('what picked files import as', () => {
  it('tells fer2013.csv from the FER+ votes by header, whatever the order or names', () => {
    const p = picked('votes.csv', 'faces.csv');
    const headers = new Map([
      [p[0].file, 'Usage,Image name,neutral,happiness'],
      [p[1].file, 'emotion,pixels,Usage'],
    ]);
    const plan = planFromKinds(p, headers, false);
    expect(plan.ok && plan.files).toEqual({ kind: 'csv', images: p[1].file, votes: p[0].file, labels: null });
    expect(plan.ok && plan.name).toBe('FER+');
    const only = planFromKinds([p[0]], headers, false);
    expect(only).toEqual({
      ok: false,
      reason: 'Only the FER+ votes file was chosen: choose fer2013.csv (the images) with it.',
    });
  });

  it('one archive; a folder keeps its paths; loose images or mixtures are refused with the reason', () => {
    expect(planFromKinds(picked('UTKFace.tar.gz'), new Map(), false)).toMatchObject({
      ok: true,
      files: { kind: 'archive' },
      name: 'UTKFace',
      channels: 3,
    });
    const f = planFromKinds(picked('faces/happy/1.jpg', 'faces/sad/2.jpg'), new Map(), true);
    expect(f.ok && f.files.kind === 'files' && [f.files.root, f.files.files.map((x) => x.path)]).toEqual([
      'faces',
      ['faces/happy/1.jpg', 'faces/sad/2.jpg'],
    ]);
    expect(planFromKinds(picked('a.jpg', 'b.jpg'), new Map(), false)).toEqual({
      ok: false,
      reason:
        'Loose images have no labels: choose a folder (class folders inside), an archive (.tar.gz, .zip) or fer2013.csv.',
    });
    expect(planFromKinds(picked('a.zip', 'b.zip'), new Map(), false)).toEqual({
      ok: false,
      reason: 'Choose one archive at a time.',
    });
    expect(planFromKinds(picked('a.csv', 'b.zip'), new Map(), false).ok).toBe(false);
    expect(planFromKinds([], new Map(), false)).toEqual({ ok: false, reason: 'No file was chosen.' });
  });
});
