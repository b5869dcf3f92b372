// The documentation stays usable from a clone: every relative link in README.md and docs/ resolves to a file
// of the repository (and a `#section` to a heading of it), every `docs/….md#section` a code comment cites
// exists, the README stays a short front door without issue numbers, and no tracked file points outside the
// repository (at a sibling folder or an absolute path of the machine it was written on).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The repository's tracked files (paths relative to ROOT, with forward slashes). */
function trackedFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  return out.split('\0').filter((f) => f && existsSync(join(ROOT, f)));
}

function isText(buf: Buffer): boolean {
  return !buf.subarray(0, 8000).includes(0);
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

/** The anchors of a Markdown file's headings (duplicates numbered as GitHub does). */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of stripCode(markdown, false).split('\n')) {
    const m = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = slug(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Fenced code blocks blanked out (line count kept) and inline code removed (links there are examples) or,
 *  for headings, only its backticks. */
function stripCode(markdown: string, dropInline = true): string {
  let fenced = false;
  return markdown.split('\n').map((line) => {
    if (/^\s*(```|~~~)/.test(line)) { fenced = !fenced; return ''; }
    return fenced ? '' : line.replace(/`([^`]*)`/g, dropInline ? '' : '$1');
  }).join('\n');
}

/** Every link target of a Markdown text, with its line. */
function linksOf(markdown: string): { target: string; line: number }[] {
  const out: { target: string; line: number }[] = [];
  stripCode(markdown).split('\n').forEach((text, i) => {
    const inline = /!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
    for (const m of text.matchAll(inline)) out.push({ target: m[1], line: i + 1 });
    for (const m of text.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/g)) out.push({ target: m[1], line: i + 1 });
  });
  return out;
}

/** What is wrong with a relative link from `from` (a repo path), or null when it resolves. */
function brokenLink(from: string, target: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return null; // http:, https:, mailto:
  const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
  const file = pathPart === '' ? join(ROOT, from) : resolve(dirname(join(ROOT, from)), decodeURIComponent(pathPart));
  const rel = relative(ROOT, file);
  if (rel.startsWith('..') || rel.startsWith(sep)) return 'points outside the repository';
  if (!existsSync(file)) return 'no such file';
  if (anchor && statSync(file).isFile() && file.endsWith('.md') && !anchorsOf(readFileSync(file, 'utf8')).has(anchor)) {
    return `no heading with anchor #${anchor}`;
  }
  return null;
}

/** Pages that work in progress cites before it lands them; each is checked like any other once it exists.
 *  Remove an entry when its page has landed. */
const PENDING = new Set<string>([]);

/** Is a link from `from` to a pending page? */
function isPending(from: string, target: string): boolean {
  const file = resolve(dirname(join(ROOT, from)), target.split('#')[0]);
  return PENDING.has(relative(ROOT, file).split(sep).join('/'));
}

const files = trackedFiles();
const markdown = files.filter((f) => f === 'README.md' || (f.startsWith('docs/') && f.endsWith('.md')));

describe('documentation links', () => {
  it('has a README and docs to check', () => {
    expect(markdown).toContain('README.md');
    expect(markdown).toContain('docs/method.md');
    expect(markdown).toContain('docs/architecture.md');
  });

  it('every relative link in README.md and docs/**/*.md resolves to a file of the repository', () => {
    const broken: string[] = [];
    for (const f of markdown) {
      for (const { target, line } of linksOf(readFileSync(join(ROOT, f), 'utf8'))) {
        const why = brokenLink(f, target);
        if (why === 'no such file' && isPending(f, target)) continue;
        if (why) broken.push(`${f}:${line}: ${target} (${why})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('every docs/….md#section cited in code, tests, benchmarks and configs exists', () => {
    const broken: string[] = [];
    // This file's own examples of broken links are left out.
    const code = files.filter((f) => (/^(src|tests|bench)\//.test(f) || /^[^/]+\.(ts|js|json)$/.test(f))
      && !f.startsWith('tests/docs/'));
    for (const f of code) {
      const text = readFileSync(join(ROOT, f), 'utf8');
      text.split('\n').forEach((line, i) => {
        for (const m of line.matchAll(/\bdocs\/[\w./-]*\w\.md(?:#[\w-]+)?/g)) {
          const why = brokenLink('README.md', m[0]);
          if (why === 'no such file' && isPending('README.md', m[0])) continue;
          if (why) broken.push(`${f}:${i + 1}: ${m[0]} (${why})`);
        }
      });
    }
    expect(broken).toEqual([]);
  });

  it('every src/, tests/ or bench/ path the docs name in code spans exists', () => {
    const missing: string[] = [];
    for (const f of markdown) {
      readFileSync(join(ROOT, f), 'utf8').split('\n').forEach((line, i) => {
        for (const m of line.matchAll(/`((?:src|tests|bench)\/[^`\s]*)`/g)) {
          if (/[*<{]/.test(m[1])) continue; // a pattern, not a path
          if (!existsSync(join(ROOT, m[1]))) missing.push(`${f}:${i + 1}: ${m[1]}`);
        }
      });
    }
    expect(missing).toEqual([]);
  });

  it('README.md is a front door of at most 200 lines', () => {
    const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').replace(/\n$/, '').split('\n').length;
    expect(lines).toBeLessThanOrEqual(200);
  });

  it('README.md and the guides carry no issue numbers', () => {
    const found: string[] = [];
    for (const f of markdown.filter((x) => x === 'README.md' || x.startsWith('docs/guide/'))) {
      readFileSync(join(ROOT, f), 'utf8').split('\n').forEach((line, i) => {
        if (/\bissues?\s+#?\d+|#\d+\s+issue/i.test(line)) found.push(`${f}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(found).toEqual([]);
  });

  it('no tracked file refers to a path outside the repository', () => {
    // Built from parts so that this file does not match itself.
    const outside = [
      new RegExp(['\\.\\.', 'shared'].join('/') + '\\b'),
      new RegExp(['shared', 'design'].join('/')),
      new RegExp('(?<![\\w.~-])' + ['', 'work', ''].join('/')),
    ];
    const found: string[] = [];
    for (const f of files) {
      const buf = readFileSync(join(ROOT, f));
      if (!isText(buf)) continue;
      buf.toString('utf8').split('\n').forEach((line, i) => {
        if (outside.some((re) => re.test(line))) found.push(`${f}:${i + 1}: ${line.trim().slice(0, 120)}`);
      });
    }
    expect(found).toEqual([]);
  });
});

describe('the checks themselves', () => {
  it('find links, skip code, and compute GitHub anchors', () => {
    const md = '# The `reference-cnn-28` preset\n## Choices where the paper is silent\n## A\n## A\n'
      + 'See [m](docs/method.md#x) and ![i](a.png).\n```\n[no](inside/code.md)\n```\n`[no](inline.md)`\n';
    expect(linksOf(md).map((l) => l.target)).toEqual(['docs/method.md#x', 'a.png']);
    expect([...anchorsOf(md)])
      .toEqual(['the-reference-cnn-28-preset', 'choices-where-the-paper-is-silent', 'a', 'a-1']);
  });

  it('report a missing file, a missing anchor and a path outside the repository', () => {
    expect(brokenLink('README.md', 'docs/no-such-page.md')).toBe('no such file');
    expect(brokenLink('README.md', 'docs/method.md#no-such-section')).toBe('no heading with anchor #no-such-section');
    expect(brokenLink('docs/method.md', '../../elsewhere/METHOD.md')).toBe('points outside the repository');
    expect(brokenLink('README.md', 'docs/method.md#curriculum')).toBeNull();
    expect(brokenLink('README.md', 'https://arxiv.org/abs/2111.10561')).toBeNull();
  });
});
