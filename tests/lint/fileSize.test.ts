// Every source file under src/ stays at most 500 lines: a file that grows past it holds more than one idea
// and is split along its seams into well-named modules rather than allowed to grow.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const MAX_LINES = 500;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.(ts|tsx)$/.test(e.name) ? [p] : [];
  });
}

const lineCount = (text: string) => (text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0));

describe('file size', () => {
  it('counts lines as an editor shows them', () => {
    expect(lineCount('a\nb\n')).toBe(2);
    expect(lineCount('a\nb')).toBe(2);
    expect(lineCount('')).toBe(0);
  });

  it(`no file under src/ is over ${MAX_LINES} lines`, () => {
    const files = sources('src');
    expect(files.length).toBeGreaterThan(50);
    const over = files
      .map((f) => ({ f, n: lineCount(readFileSync(f, 'utf8')) }))
      .filter((x) => x.n > MAX_LINES)
      .map((x) => `${x.f}: ${x.n} lines`);
    expect(over).toEqual([]);
  });
});
