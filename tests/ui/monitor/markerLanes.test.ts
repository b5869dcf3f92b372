// Stage labels on the live charts never overprint: on the demo's loss chart (a long teacher, then five
// short stages whose markers crowd the right end) every two labels on one lane are apart, and the
// crowded ones stack on lanes below.
import { describe, expect, it } from 'vitest';
import { labelWidth, placeMarkerLabels } from '../../../src/ui/monitor/markerLanes';

const overlap = (a: { left: number; right: number }, b: { left: number; right: number }) =>
  a.left < b.right && b.left < a.right;

describe('stage labels', () => {
  it('the demo chart: no two labels on one lane overlap', () => {
    // batches per stage of the expression demo: teacher 12 x 46, then five stages of 3 x 46
    const starts = [0, 552, 690, 828, 966, 1104];
    const names = ['teacher', 'student', 'student (other ha…', 'standard T-S', 'triplet T-S', 'student, same bud…'];
    for (const width of [420, 600, 1200]) {
      const left = 44,
        right = width - 16;
      const labels = starts.map((x, i) => ({ x: left + (x / 1242) * (right - left), text: names[i] }));
      const placed = placeMarkerLabels(labels, left, right, 10);
      for (let i = 0; i < placed.length; i++) {
        expect(placed[i].right - placed[i].left).toBeCloseTo(labelWidth(names[i], 10), 6);
        for (let j = 0; j < i; j++)
          if (placed[i].lane === placed[j].lane) expect(overlap(placed[i], placed[j])).toBe(false);
      }
      // the crowded end stacks: more than one lane is used
      expect(Math.max(...placed.map((p) => p.lane))).toBeGreaterThan(0);
    }
  });

  it('labels far apart share the top lane', () => {
    const placed = placeMarkerLabels(
      [
        { x: 50, text: 'teacher' },
        { x: 300, text: 'student' },
        { x: 550, text: 'control' },
      ],
      40,
      600,
      10,
    );
    expect(placed.map((p) => p.lane)).toEqual([0, 0, 0]);
    expect(placed.map((p) => p.anchor)).toEqual(['start', 'start', 'end']);
  });
});
