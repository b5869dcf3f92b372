// The runner's --seed (the run's seed in place of the config's; the dataset keeps its own) and --labels
// (class names of a FER-layout CSV with generic labels), each refused in words when misused.
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args';
import { loadConfig, withDatasetArgs } from '../../src/cli/experiment';

describe('runner flags', () => {
  it('--seed replaces the run seed, not the dataset seed', async () => {
    const a = parseArgs(['--preset', 'reference-cnn-28', '--seed', '2']);
    expect(a.seed).toBe(2);
    const base = await loadConfig(a);
    const cfg = withDatasetArgs(base, a);
    expect(cfg.seed).toBe(2);
    expect(cfg.dataset.source === 'synth' && cfg.dataset.seed).toBe(
      base.dataset.source === 'synth' && base.dataset.seed,
    );
    expect(withDatasetArgs(base, parseArgs(['--preset', 'reference-cnn-28'])).seed).toBe(1);
  });

  it('--seed must be a whole number in range', () => {
    expect(() => parseArgs(['--preset', 'x', '--seed', '1.5'])).toThrow(
      '--seed must be a whole number 0 to 4294967295 (got "1.5").',
    );
    expect(() => parseArgs(['--preset', 'x', '--seed', '-3'])).toThrow(
      /--seed needs a value|--seed must be a whole number/,
    );
    expect(() => parseArgs(['--preset', 'x', '--seed', '4294967296'])).toThrow(
      '--seed must be a whole number 0 to 4294967295 (got "4294967296").',
    );
  });

  it('--labels goes with --dataset and lands in the file dataset', async () => {
    expect(() => parseArgs(['--preset', 'x', '--labels', 'names.txt'])).toThrow(
      /--labels goes with --dataset <file.csv>/,
    );
    const a = parseArgs(['--preset', 'reference-cnn-28', '--dataset', 'digits.csv', '--labels', 'names.txt']);
    const cfg = withDatasetArgs(await loadConfig(a), a);
    expect(cfg.dataset).toMatchObject({
      source: 'file',
      path: 'digits.csv',
      labels: 'names.txt',
      height: 28,
      width: 28,
      channels: 1,
    });
  });
});
