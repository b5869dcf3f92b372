// CsvParser: line ends, BOM, quoting, physical line numbers and chunk boundaries anywhere (the reader
// sees a 290 MB file in arbitrary decoder chunks, so every split point must give the same rows).
import { describe, it, expect } from 'vitest';
import { CsvError, CsvParser, csvRows, type CsvRow } from '../../../../src/core/data/formats/csv';
import { createRng } from '../../../../src/core/random';

function parseWhole(text: string): CsvRow[] {
  const p = new CsvParser();
  return [...p.push(text), ...p.end()];
}

function parseChunks(chunks: string[]): CsvRow[] {
  const p = new CsvParser();
  const rows: CsvRow[] = [];
  for (const c of chunks) rows.push(...p.push(c));
  rows.push(...p.end());
  return rows;
}

/** Every way of cutting `text` in two, plus one char at a time. */
function allSplits(text: string): string[][] {
  const out: string[][] = [[...text]];
  for (let i = 0; i <= text.length; i++) out.push([text.slice(0, i), text.slice(i)]);
  return out;
}

describe('CsvParser basics', () => {
  it('splits unquoted rows and numbers lines from 1', () => {
    expect(parseWhole('a,b,c\n1,2,3\n')).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', '2', '3'] },
    ]);
  });

  it('flushes a last row without a final newline at end()', () => {
    const p = new CsvParser();
    expect(p.push('x,y\n7,8')).toEqual([{ line: 1, fields: ['x', 'y'] }]);
    expect(p.end()).toEqual([{ line: 2, fields: ['7', '8'] }]);
  });

  it('keeps empty fields', () => {
    expect(parseWhole(',a,,\n')).toEqual([{ line: 1, fields: ['', 'a', '', ''] }]);
  });

  it('strips a UTF-8 BOM at the very start and reads CRLF line ends', () => {
    expect(parseWhole('\uFEFFemotion,pixels,Usage\r\n0,70 80,Training\r\n2,1 2,PublicTest\r\n')).toEqual([
      { line: 1, fields: ['emotion', 'pixels', 'Usage'] },
      { line: 2, fields: ['0', '70 80', 'Training'] },
      { line: 3, fields: ['2', '1 2', 'PublicTest'] },
    ]);
  });

  it('strips the BOM when it comes after empty chunks, but keeps one that is not at the start', () => {
    expect(parseChunks(['', '\uFEFF', 'a\n'])).toEqual([{ line: 1, fields: ['a'] }]);
    expect(parseWhole('a\n\uFEFFb\n')).toEqual([
      { line: 1, fields: ['a'] },
      { line: 2, fields: ['\uFEFFb'] },
    ]);
  });

  it('reads lone CR line ends', () => {
    expect(parseWhole('a,b\rc,d\re')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['c', 'd'] },
      { line: 3, fields: ['e'] },
    ]);
  });

  it('skips blank lines but counts them', () => {
    expect(parseWhole('\n\na\r\n\r\n\rb\n\n')).toEqual([
      { line: 3, fields: ['a'] },
      { line: 6, fields: ['b'] },
    ]);
    expect(parseWhole('')).toEqual([]);
    expect(parseWhole('\n\r\n')).toEqual([]);
  });

  it('reads CRLF split across chunks as one line end', () => {
    expect(parseChunks(['a,b\r', '\nc\r', '\n'])).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['c'] },
    ]);
    expect(parseChunks(['a\r', 'b\r', ''])).toEqual([
      { line: 1, fields: ['a'] },
      { line: 2, fields: ['b'] },
    ]);
  });

  it('refuses push() after end()', () => {
    const p = new CsvParser();
    p.end();
    expect(() => p.push('a')).toThrow('push() after end()');
  });
});

describe('CsvParser quoting', () => {
  it('reads quoted fields with "" escapes and embedded commas', () => {
    expect(parseWhole('"a,b","say ""hi""",c\n""\n')).toEqual([
      { line: 1, fields: ['a,b', 'say "hi"', 'c'] },
      { line: 2, fields: [''] },
    ]);
  });

  it('keeps embedded line breaks and still numbers physical lines', () => {
    const text = 'id,note\n1,"two\nlines"\n2,"crlf\r\nand\rcr"\n3,x\n';
    expect(parseWhole(text)).toEqual([
      { line: 1, fields: ['id', 'note'] },
      { line: 2, fields: ['1', 'two\nlines'] },
      { line: 4, fields: ['2', 'crlf\r\nand\rcr'] },
      { line: 7, fields: ['3', 'x'] },
    ]);
  });

  it('gives the same rows for every chunk split, including inside quotes, "" and CRLF', () => {
    const text = '\uFEFFh1,"h,2"\r\n"a""b","multi\r\nline",z\r\n\r\n"",x,"\r"\n"end"""';
    const whole = parseWhole(text);
    expect(whole).toEqual([
      { line: 1, fields: ['h1', 'h,2'] },
      { line: 2, fields: ['a"b', 'multi\r\nline', 'z'] },
      { line: 5, fields: ['', 'x', '\r'] },
      { line: 7, fields: ['end"'] },
    ]);
    for (const chunks of allSplits(text)) expect(parseChunks(chunks)).toEqual(whole);
  });

  it('keeps a quote inside an unquoted field, and text after a closing quote, literally', () => {
    expect(parseWhole('a"b,5" tall\n"x"y,z\n')).toEqual([
      { line: 1, fields: ['a"b', '5" tall'] },
      { line: 2, fields: ['xy', 'z'] },
    ]);
  });

  it('an unterminated quote throws CsvError naming the line where the field started', () => {
    const p = new CsvParser();
    expect(p.push('a,b\nc,d\n1,"open\nstill open\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['c', 'd'] },
    ]);
    let err: unknown;
    try {
      p.end();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CsvError);
    expect((err as CsvError).line).toBe(3);
    expect((err as CsvError).message).toBe('unterminated quoted field starting on line 3');
  });

  it('reports the quote line even when earlier quoted fields spanned lines', () => {
    expect(() => parseWhole('"a\nb",1\n2,"c\n')).toThrowError(
      new CsvError('unterminated quoted field starting on line 3', 3),
    );
    // The row starts on line 1; its second quoted field opens on line 2 and never closes.
    let err: unknown;
    try {
      parseWhole('x,"a\nb","c\nd\n');
    } catch (e) {
      err = e;
    }
    expect((err as CsvError).line).toBe(2);
  });
});

describe('CsvParser memory bound', () => {
  it('refuses a line longer than maxRowChars instead of buffering the whole input', () => {
    const p = new CsvParser({ maxRowChars: 100 });
    expect(p.push('a,b\n')).toEqual([{ line: 1, fields: ['a', 'b'] }]);
    expect(p.push('x'.repeat(60))).toEqual([]);
    expect(() => p.push('y'.repeat(60))).toThrowError(
      new CsvError('line 2 is longer than 100 characters (not a CSV file?)', 2),
    );
  });

  it('refuses an unclosed quoted field that grows past maxRowChars', () => {
    const p = new CsvParser({ maxRowChars: 100 });
    p.push('h\n1,"opens here\n');
    let err: unknown;
    try {
      for (let i = 0; i < 20; i++) p.push('more text\n');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CsvError);
    expect((err as CsvError).message).toBe(
      'the quoted field starting on line 2 is longer than 100 characters (unterminated quote?)',
    );
    expect((err as CsvError).line).toBe(2);
  });

  it('rows up to the limit are fine', () => {
    const p = new CsvParser({ maxRowChars: 100 });
    const long = 'z'.repeat(100);
    expect([...p.push(long.slice(0, 50)), ...p.push(long.slice(50)), ...p.push('\n"q",1\n')]).toEqual([
      { line: 1, fields: [long] },
      { line: 2, fields: ['q', '1'] },
    ]);
  });
});

describe('CsvParser chunking', () => {
  it('a 2,000-row generated CSV pushed in random chunk sizes equals parsing it whole and the source rows', () => {
    const rng = createRng(20240601);
    const source: string[][] = [];
    const lines: string[] = [];
    for (let r = 0; r < 2000; r++) {
      const pixels = Array.from({ length: 1 + rng.int(60) }, () => rng.int(256)).join(' ');
      const row = [String(rng.int(7)), pixels, ['Training', 'PublicTest', 'PrivateTest'][rng.int(3)]];
      if (rng.next() < 0.1) row.push(rng.next() < 0.5 ? 'quote "inside", comma' : 'line\nbreak');
      source.push(row);
      lines.push(row.map((f) => (/[",\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(','));
    }
    const eol = ['\n', '\r\n', '\r'];
    let text = '\uFEFF';
    for (const l of lines) text += l + eol[rng.int(3)];
    const whole = parseWhole(text);
    expect(whole.map((r) => r.fields)).toEqual(source);
    expect(whole[0].line).toBe(1);
    // Physical lines: one per row plus one per embedded break.
    const breaks = source.reduce((n, row) => n + row.filter((f) => f.includes('\n')).length, 0);
    expect(whole[1999].line).toBe(2000 + breaks - (source[1999].some((f) => f.includes('\n')) ? 1 : 0));
    expect(breaks).toBeGreaterThan(50);

    for (let trial = 0; trial < 5; trial++) {
      const chunks: string[] = [];
      const maxChunk = [1, 7, 100, 5000, 70000][trial];
      for (let i = 0; i < text.length;) {
        const n = 1 + rng.int(maxChunk);
        chunks.push(text.slice(i, i + n));
        i += n;
      }
      expect(parseChunks(chunks)).toEqual(whole);
    }
  });

  it('reads a FER2013-like row (one 2,304-value field) through the fast path', () => {
    const pixels = Array.from({ length: 48 * 48 }, (_, i) => (i * 37) % 256).join(' ');
    const text = `emotion,pixels,Usage\n3,${pixels},Training\n`;
    const rows = parseChunks([text.slice(0, 1000), text.slice(1000, 5000), text.slice(5000)]);
    expect(rows).toHaveLength(2);
    expect(rows[1].line).toBe(2);
    expect(rows[1].fields[0]).toBe('3');
    expect(rows[1].fields[1].split(' ')).toHaveLength(2304);
    expect(rows[1].fields[1]).toBe(pixels);
    expect(rows[1].fields[2]).toBe('Training');
  });

  it('csvRows reads an async stream of text chunks', async () => {
    async function* source(): AsyncGenerator<string> {
      yield '\uFEFFa,"b';
      yield '\nc"\r';
      yield '\nlast';
    }
    const rows: CsvRow[] = [];
    for await (const row of csvRows(source())) rows.push(row);
    expect(rows).toEqual([
      { line: 1, fields: ['a', 'b\nc'] },
      { line: 3, fields: ['last'] },
    ]);
  });

  it('csvRows passes on the unterminated-quote error', async () => {
    async function* source(): AsyncGenerator<string> {
      yield 'x\n"never closed';
    }
    const rows: CsvRow[] = [];
    await expect(
      (async () => {
        for await (const row of csvRows(source())) rows.push(row);
      })(),
    ).rejects.toThrow('unterminated quoted field starting on line 2');
    expect(rows).toEqual([{ line: 1, fields: ['x'] }]);
  });
});
