// At the 1,000-class cap the runner's results stay small: confusion matrices are kept once per grid row and
// only up to CONFUSION_MAX_CLASSES classes, never per epoch (a 1,000 x 1,000 matrix per row and per epoch made
// a 162 MB results.json). A FER-layout CSV with generic labels 0-999, four rows per class.
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/experiment';
import { CONFUSION_MAX_CLASSES } from '../../src/core/metrics/classification';
import { createRng } from '../../src/core/random';

describe('runner with 1,000 classes', () => {
  it('writes a results.json of well under 20 MB with no per-epoch or oversized confusion matrices', async () => {
    const out = await mkdtemp(join(tmpdir(), 'odl-k1000-'));
    const rng = createRng(7);
    const lines = ['emotion,pixels,Usage'];
    const pixels = (): string => Array.from({ length: 48 * 48 }, () => Math.floor(rng.next() * 256)).join(' ');
    for (let k = 0; k < 1000; k++) {
      for (const usage of ['Training', 'Training', 'PublicTest', 'PrivateTest'])
        lines.push(`${k},${pixels()},${usage}`);
    }
    const csv = join(out, 'k1000.csv');
    await writeFile(csv, `${lines.join('\n')}\n`);
    expect(await main(['--preset', 'fixture-tiny', '--dataset', csv, '--out', join(out, 'run'), '--quiet'])).toBe(0);
    const file = join(out, 'run', 'results.json');
    expect((await stat(file)).size).toBeLessThan(20 * 1024 * 1024);
    const text = await readFile(file, 'utf8');
    const results = JSON.parse(text);
    expect(JSON.stringify(results.config.dataset)).toContain('k1000.csv');
    // No matrix with more than CONFUSION_MAX_CLASSES rows anywhere in the file.
    const big: string[] = [];
    const walk = (v: unknown, path: string): void => {
      if (Array.isArray(v)) {
        if (path.endsWith('confusion') && v.length > CONFUSION_MAX_CLASSES) big.push(path);
        v.forEach((x, i) => walk(x, `${path}[${i}]`));
      } else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
      }
    };
    walk(results, '');
    expect(big).toEqual([]);
  });
});
