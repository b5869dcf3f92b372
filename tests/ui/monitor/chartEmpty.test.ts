// Charts never look broken: the chance level, and what an empty chart says.
import { describe, expect, it } from 'vitest';
import { chanceLevel, emptyChartText } from '../../../src/ui/monitor/chartData';

describe('chance level and empty charts', () => {
  it('chance is one over the classes, none for age', () => {
    expect(chanceLevel('expression', 8)).toBe(12.5);
    expect(chanceLevel('gender', 2)).toBe(50);
    expect(chanceLevel('age', null)).toBeNull();
    expect(chanceLevel('expression', null)).toBeNull();
  });

  it('an empty live chart says what comes and when; a filled one says nothing', () => {
    expect(emptyChartText('accuracy', 0, true)).toBe('First epoch in progress: validation accuracy appears after it.');
    expect(emptyChartText('mae', 0, true)).toMatch(/validation MAE appears after it/);
    expect(emptyChartText('loss', 0, true)).toMatch(/^First batch in progress/);
    expect(emptyChartText('loss', 0, false)).toMatch(/^No training batches/);
    expect(emptyChartText('accuracy', 3, true)).toBeNull();
  });
});
