// Streaming RFC-4180 CSV reader: text arrives in chunks of any size and only the unfinished row is kept.
// Plain TypeScript (runs in Node and in a worker); unquoted lines take a fast indexOf/split path.

export class CsvError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'CsvError';
  }
}

export interface CsvRow {
  /** 1-based physical line where the row starts. */
  line: number;
  fields: string[];
}

const LF = 10;
const CR = 13;
const QUOTE = 34;
const COMMA = 44;
const NONE = Number.POSITIVE_INFINITY;
/** A row longer than this is not a CSV (a binary file, or an unclosed quote): fail before holding the file. */
const DEFAULT_MAX_ROW_CHARS = 16 * 1024 * 1024;

/**
 * Incremental RFC-4180 parser. Quirks, as in Python's non-strict csv module: a quote inside an unquoted
 * field is kept literally, and text after a closing quote is appended to the field.
 */
export class CsvParser {
  /** Text not consumed yet: the start of an unfinished line, or chars held back to see what follows. */
  private buf = '';
  /** Chars at the start of `buf` already known to hold no line end and no quote (saves rescans). */
  private clean = 0;
  private line = 1;
  private started = false;
  private ended = false;
  // State of the char-by-char path; `row` is non-null while a row with quotes is being parsed.
  private row: string[] | null = null;
  private field = '';
  private fieldQuoted = false;
  private inQuotes = false;
  private rowLine = 0;
  private quoteLine = 0;
  /** Last char consumed inside quotes was '\r', so a following '\n' is the same line break. */
  private prevCR = false;
  /** Chars in the finished fields of `row`. */
  private rowChars = 0;
  private readonly maxRowChars: number;

  constructor(opts: { maxRowChars?: number } = {}) {
    this.maxRowChars = opts.maxRowChars ?? DEFAULT_MAX_ROW_CHARS;
  }

  push(text: string): CsvRow[] {
    if (this.ended) throw new Error('CsvParser: push() after end()');
    if (!this.started) {
      if (text.length === 0) return [];
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (text.length === 0) return [];
    this.buf = this.buf.length === 0 ? text : this.buf + text;
    return this.parse(false);
  }

  end(): CsvRow[] {
    if (this.ended) return [];
    this.ended = true;
    const rows = this.parse(true);
    if (this.row !== null) {
      if (this.inQuotes) {
        throw new CsvError(`unterminated quoted field starting on line ${this.quoteLine}`, this.quoteLine);
      }
      // The file ends without a final line break in the middle of a row that had quotes.
      this.row.push(this.field);
      rows.push({ line: this.rowLine, fields: this.row });
      this.row = null;
    }
    return rows;
  }

  private parse(final: boolean): CsvRow[] {
    const out: CsvRow[] = [];
    const buf = this.buf;
    const len = buf.length;
    let pos = 0;
    // Next positions of '\n', '\r' and '"' at or after `pos`, each found once per push (NONE: none left).
    const from = this.row === null ? this.clean : 0;
    let nl = find(buf, '\n', from);
    let cr = find(buf, '\r', from);
    let q = find(buf, '"', from);
    this.clean = 0;
    while (pos < len) {
      if (this.row !== null) {
        pos = this.slow(buf, pos, final, out);
        if (this.row !== null) {
          // Needs more input; the row so far must stay reasonable.
          if (this.rowChars + this.field.length + (len - pos) > this.maxRowChars) {
            const max = this.maxRowChars;
            if (this.inQuotes) {
              const at = this.quoteLine;
              const msg = `the quoted field starting on line ${at} is longer than ${max} characters (unterminated quote?)`;
              throw new CsvError(msg, at);
            }
            throw new CsvError(`line ${this.rowLine} is longer than ${max} characters (not a CSV file?)`, this.rowLine);
          }
          break;
        }
        if (nl < pos) nl = find(buf, '\n', pos);
        if (cr < pos) cr = find(buf, '\r', pos);
        if (q < pos) q = find(buf, '"', pos);
        continue;
      }
      if (q < pos) q = find(buf, '"', pos);
      let end = nl < cr ? nl : cr;
      if (q < end) {
        // Quotes in this line (or in its unfinished tail): parse it char by char, resumably.
        this.startRow();
        continue;
      }
      if (end === NONE) {
        if (!final) {
          if (len - pos > this.maxRowChars) {
            throw new CsvError(
              `line ${this.line} is longer than ${this.maxRowChars} characters (not a CSV file?)`,
              this.line,
            );
          }
          this.clean = len - pos;
          break;
        }
        end = len;
      }
      let next = end + 1;
      if (end === cr) {
        if (end + 1 === len && !final) break; // a '\n' may open the next chunk
        if (end + 1 < len && buf.charCodeAt(end + 1) === LF) next = end + 2;
      }
      if (end > pos) out.push({ line: this.line, fields: buf.slice(pos, end).split(',') });
      this.line++;
      pos = next;
      if (nl < pos) nl = find(buf, '\n', pos);
      if (cr < pos) cr = find(buf, '\r', pos);
    }
    this.buf = pos === 0 ? buf : buf.slice(pos);
    return out;
  }

  private startRow(): void {
    this.row = [];
    this.field = '';
    this.fieldQuoted = false;
    this.inQuotes = false;
    this.rowChars = 0;
    this.rowLine = this.line;
  }

  /** Char-by-char parsing from `i`; returns where it stopped. Leaves `row` null when a row was finished. */
  private slow(buf: string, i: number, final: boolean, out: CsvRow[]): number {
    const len = buf.length;
    const row = this.row as string[];
    while (i < len) {
      if (this.inQuotes) {
        let q = buf.indexOf('"', i);
        if (q < 0) q = len;
        this.countBreaks(buf, i, q);
        this.field += buf.slice(i, q);
        if (q === len) return len;
        if (q + 1 === len && !final) return q; // is it '""' or a closing quote? wait for the next char
        if (q + 1 < len && buf.charCodeAt(q + 1) === QUOTE) {
          this.field += '"';
          i = q + 2;
        } else {
          this.inQuotes = false;
          i = q + 1;
        }
        continue;
      }
      const c = buf.charCodeAt(i);
      if (c === COMMA) {
        row.push(this.field);
        this.rowChars += this.field.length;
        this.field = '';
        this.fieldQuoted = false;
        i++;
      } else if (c === QUOTE && this.field.length === 0 && !this.fieldQuoted) {
        this.inQuotes = true;
        this.fieldQuoted = true;
        this.quoteLine = this.line;
        this.prevCR = false;
        i++;
      } else if (c === LF || c === CR) {
        let next = i + 1;
        if (c === CR) {
          if (i + 1 === len && !final) return i;
          if (i + 1 < len && buf.charCodeAt(i + 1) === LF) next = i + 2;
        }
        row.push(this.field);
        out.push({ line: this.rowLine, fields: row });
        this.row = null;
        this.field = '';
        this.line++;
        return next;
      } else {
        // A run of plain chars up to the next separator, quote or line end.
        let j = i + 1;
        while (j < len) {
          const d = buf.charCodeAt(j);
          if (d === COMMA || d === QUOTE || d === LF || d === CR) break;
          j++;
        }
        // A quote here is inside an unquoted field (or after a closing one): kept literally.
        if (j < len && buf.charCodeAt(j) === QUOTE) j++;
        this.field += buf.slice(i, j);
        i = j;
      }
    }
    return i;
  }

  /** Physical line breaks inside a quoted field: '\n', '\r\n' and a lone '\r' each count once. */
  private countBreaks(buf: string, from: number, to: number): void {
    let prevCR = this.prevCR;
    for (let k = from; k < to; k++) {
      const c = buf.charCodeAt(k);
      if (c === CR) this.line++;
      else if (c === LF && !prevCR) this.line++;
      prevCR = c === CR;
    }
    if (to > from) this.prevCR = prevCR;
  }
}

function find(s: string, ch: string, from: number): number {
  const i = s.indexOf(ch, from);
  return i < 0 ? NONE : i;
}

/** Rows of a CSV read from text chunks (e.g. a file decoded with a streaming TextDecoder). */
export async function* csvRows(chunks: AsyncIterable<string>): AsyncGenerator<CsvRow> {
  const parser = new CsvParser();
  for await (const chunk of chunks) {
    for (const row of parser.push(chunk)) yield row;
  }
  for (const row of parser.end()) yield row;
}
