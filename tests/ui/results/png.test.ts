// PNG export against a recording fake canvas (Node has no DOM canvas, Image or XMLSerializer): chart SVG copied,
// sized and drawn at 2x on white with its blob URL revoked on every path, and confusion matrices tiled three to a
// line with hand-computed tile positions, cell colours, counts and truncated class labels.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Visibility } from '../../../src/core/data/types';
import type { GridRow } from '../../../src/core/events';
import { chartsPng, confusionsPng, svgPng } from '../../../src/ui/results/png';

// --- a canvas that records what is drawn ---------------------------------------------------------------

interface State {
  fillStyle: string;
  strokeStyle: string;
  font: string;
  textAlign: string;
  tx: number;
  ty: number;
  rot: number;
}
type Op =
  | { op: 'fillRect' | 'strokeRect'; x: number; y: number; w: number; h: number; style: string }
  | {
      op: 'fillText';
      text: string;
      x: number;
      y: number;
      maxWidth?: number;
      fillStyle: string;
      font: string;
      textAlign: string;
      tx: number;
      ty: number;
      rot: number;
    }
  | { op: 'drawImage'; img: unknown; x: number; y: number; w: number; h: number; revokedBefore: number };

class FakeContext {
  ops: Op[] = [];
  private s: State = {
    fillStyle: '#000000',
    strokeStyle: '#000000',
    font: '10px sans-serif',
    textAlign: 'start',
    tx: 0,
    ty: 0,
    rot: 0,
  };
  private stack: State[] = [];
  get fillStyle() {
    return this.s.fillStyle;
  }
  set fillStyle(v: string) {
    this.s.fillStyle = v;
  }
  get strokeStyle() {
    return this.s.strokeStyle;
  }
  set strokeStyle(v: string) {
    this.s.strokeStyle = v;
  }
  get font() {
    return this.s.font;
  }
  set font(v: string) {
    this.s.font = v;
  }
  get textAlign() {
    return this.s.textAlign;
  }
  set textAlign(v: string) {
    this.s.textAlign = v;
  }
  save() {
    this.stack.push({ ...this.s });
  }
  restore() {
    const s = this.stack.pop();
    if (s) this.s = s;
  }
  translate(x: number, y: number) {
    this.s.tx += x;
    this.s.ty += y;
  }
  rotate(a: number) {
    this.s.rot += a;
  }
  fillRect(x: number, y: number, w: number, h: number) {
    this.ops.push({ op: 'fillRect', x, y, w, h, style: this.s.fillStyle });
  }
  strokeRect(x: number, y: number, w: number, h: number) {
    this.ops.push({ op: 'strokeRect', x, y, w, h, style: this.s.strokeStyle });
  }
  fillText(text: string, x: number, y: number, maxWidth?: number) {
    const { fillStyle, font, textAlign, tx, ty, rot } = this.s;
    this.ops.push({
      op: 'fillText',
      text,
      x,
      y,
      ...(maxWidth === undefined ? {} : { maxWidth }),
      fillStyle,
      font,
      textAlign,
      tx,
      ty,
      rot,
    });
  }
  drawImage(img: unknown, x: number, y: number, w: number, h: number) {
    this.ops.push({ op: 'drawImage', img, x, y, w, h, revokedBefore: revoke.mock.calls.length });
  }
  get depth() {
    return this.stack.length;
  }
}

class FakeCanvas {
  width = 300;
  height = 150;
  ctx = new FakeContext();
  blobType: string | undefined;
  /** null: what a browser hands toBlob for a canvas with no pixels (HTML spec), or forced by `encodeFails`. */
  getContext(kind: string) {
    return kind === '2d' ? this.ctx : null;
  }
  toBlob(cb: (b: Blob | null) => void, type?: string) {
    this.blobType = type;
    const empty = this.width === 0 || this.height === 0 || encodeFails;
    setTimeout(
      () => cb(empty ? null : new Blob([`png ${this.width}x${this.height}`], { type: type ?? 'image/png' })),
      0,
    );
  }
}

let canvases: FakeCanvas[];
let encodeFails: boolean;
let revoke: ReturnType<typeof vi.spyOn>;
let create: ReturnType<typeof vi.spyOn>;

beforeEach(() => {
  canvases = [];
  encodeFails = false;
  vi.stubGlobal('document', {
    createElement: (tag: string) => {
      if (tag !== 'canvas') throw new Error(`unexpected element ${tag}`);
      const c = new FakeCanvas();
      canvases.push(c);
      return c;
    },
  });
  create = vi.spyOn(URL, 'createObjectURL');
  revoke = vi.spyOn(URL, 'revokeObjectURL');
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const texts = (ctx: FakeContext) => ctx.ops.filter((o): o is Extract<Op, { op: 'fillText' }> => o.op === 'fillText');
const rects = (ctx: FakeContext, op: 'fillRect' | 'strokeRect') =>
  ctx.ops.filter((o): o is Extract<Op, { op: typeof op }> => o.op === op);

// --- svgPng ----------------------------------------------------------------------------------------------

class FakeSvg {
  attrs = new Map<string, string>();
  cloned: FakeSvg[] = [];
  constructor(private rect = { width: 120.3, height: 40.6 }) {}
  getBoundingClientRect() {
    return { ...this.rect, x: 0, y: 0, top: 0, left: 0, right: this.rect.width, bottom: this.rect.height };
  }
  setAttribute(k: string, v: string) {
    this.attrs.set(k, v);
  }
  cloneNode(deep?: boolean) {
    const c = new FakeSvg(this.rect);
    c.deep = deep;
    this.cloned.push(c);
    return c;
  }
  deep: boolean | undefined;
}

class FakeSerializer {
  serializeToString(node: FakeSvg) {
    return `<svg ${[...node.attrs].map(([k, v]) => `${k}="${v}"`).join(' ')}/>`;
  }
}

let images: FakeImage[];
let imageFails: boolean;
class FakeImage {
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  private url = '';
  constructor() {
    images.push(this);
  }
  get src() {
    return this.url;
  }
  set src(v: string) {
    this.url = v;
    setTimeout(() => (imageFails ? this.onerror?.() : this.onload?.()), 0);
  }
}

describe('svgPng', () => {
  beforeEach(() => {
    images = [];
    imageFails = false;
    vi.stubGlobal('XMLSerializer', FakeSerializer);
    vi.stubGlobal('Image', FakeImage);
  });

  it('serialises a sized copy of the SVG, leaving the original untouched', async () => {
    const svg = new FakeSvg();
    await svgPng(svg as unknown as SVGSVGElement);
    expect(svg.cloned).toHaveLength(1);
    expect(svg.cloned[0].deep).toBe(true);
    expect(svg.attrs.size).toBe(0);
    expect(Object.fromEntries(svg.cloned[0].attrs)).toEqual({
      xmlns: 'http://www.w3.org/2000/svg',
      width: '120.3',
      height: '40.6',
    });
    expect(create).toHaveBeenCalledTimes(1);
    const blob = create.mock.calls[0][0] as Blob;
    expect(blob.type).toBe('image/svg+xml');
    expect(await blob.text()).toBe('<svg xmlns="http://www.w3.org/2000/svg" width="120.3" height="40.6"/>');
  });

  it('draws the image on white at twice the on-screen size, rounded', async () => {
    const out = await svgPng(new FakeSvg() as unknown as SVGSVGElement);
    expect(canvases).toHaveLength(1);
    const c = canvases[0];
    // 120.3 * 2 = 240.6 -> 241; 40.6 * 2 = 81.2 -> 81.
    expect([c.width, c.height]).toEqual([241, 81]);
    expect(images).toHaveLength(1);
    expect(images[0].src).toBe(create.mock.results[0].value);
    expect(c.ctx.ops.map((o) => (o.op === 'drawImage' ? { ...o, img: o.img === images[0] } : o))).toEqual([
      { op: 'fillRect', x: 0, y: 0, w: 241, h: 81, style: '#fff' },
      { op: 'drawImage', img: true, x: 0, y: 0, w: 241, h: 81, revokedBefore: 0 },
    ]);
    expect(c.blobType).toBe('image/png');
    expect(out.type).toBe('image/png');
    expect(await out.text()).toBe('png 241x81');
  });

  it('uses the given scale', async () => {
    await svgPng(new FakeSvg({ width: 100, height: 50 }) as unknown as SVGSVGElement, 3);
    expect([canvases[0].width, canvases[0].height]).toEqual([300, 150]);
    await svgPng(new FakeSvg({ width: 120.3, height: 40.6 }) as unknown as SVGSVGElement, 1);
    expect([canvases[1].width, canvases[1].height]).toEqual([120, 41]);
  });

  it('revokes the blob URL once, after drawing', async () => {
    await svgPng(new FakeSvg() as unknown as SVGSVGElement);
    expect(revoke).toHaveBeenCalledTimes(1);
    expect(revoke).toHaveBeenCalledWith(create.mock.results[0].value);
  });

  it('rejects when the image fails to load, revoking the URL and drawing nothing', async () => {
    imageFails = true;
    await expect(svgPng(new FakeSvg() as unknown as SVGSVGElement)).rejects.toThrow('the chart could not be drawn');
    expect(revoke).toHaveBeenCalledTimes(1);
    expect(revoke).toHaveBeenCalledWith(create.mock.results[0].value);
    expect(canvases).toHaveLength(0);
  });

  it('rejects when the canvas cannot be encoded, still revoking the URL', async () => {
    // A zero-size chart gives a canvas with no pixels: toBlob hands back null.
    await expect(svgPng(new FakeSvg({ width: 0, height: 40 }) as unknown as SVGSVGElement)).rejects.toThrow(
      'the canvas could not be encoded',
    );
    expect(revoke).toHaveBeenCalledTimes(1);
  });
});

describe('chartsPng', () => {
  beforeEach(() => {
    images = [];
    imageFails = false;
    vi.stubGlobal('XMLSerializer', FakeSerializer);
    vi.stubGlobal('Image', FakeImage);
  });

  it('puts the charts side by side on one white canvas, under the title and their captions', async () => {
    const out = await chartsPng(
      [
        { svg: new FakeSvg({ width: 300, height: 200 }) as unknown as SVGSVGElement, caption: 'loss' },
        { svg: new FakeSvg({ width: 200, height: 100 }) as unknown as SVGSVGElement, caption: 'accuracy' },
      ],
      'run 1',
      1,
    );
    // One canvas per chart (svgPng), then the sheet: 12 + 300 + 12 + 200 + 12 wide; 28 + 20 + 200 + 2 × 12 high.
    expect(canvases).toHaveLength(3);
    const sheet = canvases[2];
    expect([sheet.width, sheet.height]).toEqual([536, 272]);
    expect(sheet.ctx.ops[0]).toEqual({ op: 'fillRect', x: 0, y: 0, w: 536, h: 272, style: '#fff' });
    expect(texts(sheet.ctx).map((t) => [t.text, t.x, t.y])).toEqual([
      ['run 1', 12, 28],
      ['loss', 12, 52],
      ['accuracy', 324, 52],
    ]);
    const draws = sheet.ctx.ops.filter((o) => o.op === 'drawImage').map((o) => [o.x, o.y, o.w, o.h]);
    expect(draws).toEqual([
      [12, 60, 300, 200],
      [324, 60, 200, 100],
    ]);
    expect(await out.text()).toBe('png 536x272');
    // Every blob URL made on the way is revoked.
    expect(revoke).toHaveBeenCalledTimes(create.mock.calls.length);
  });
});

// --- confusionsPng ---------------------------------------------------------------------------------------

const row = (label: string, test: Visibility, confusion?: number[][]): GridRow => ({
  model: 'student',
  label,
  train: 'full+lower',
  test,
  metrics: { count: 8, loss: 0, accuracy: 0.5, ...(confusion ? { confusion } : {}) },
  predictions: [],
});
const cm2 = [
  [3, 1],
  [0, 4],
];

describe('confusionsPng', () => {
  // Two classes: block = (80 + 2*30 + 20) x (40 + 40 + 2*30 + 20) = 160 x 160.

  it('sizes one tile and fills it white first', async () => {
    const out = await confusionsPng([row('student', 'full', cm2)], ['happy', 'sad']);
    const c = canvases[0];
    expect([c.width, c.height]).toEqual([160, 160]);
    expect(c.ctx.ops[0]).toEqual({ op: 'fillRect', x: 0, y: 0, w: 160, h: 160, style: '#fff' });
    expect(c.blobType).toBe('image/png');
    expect(await out.text()).toBe('png 160x160');
  });

  it('tiles three to a line and wraps', async () => {
    const rows = ['a', 'b', 'c', 'd'].map((l) => row(l, 'full', cm2));
    await confusionsPng(rows, ['x', 'y']);
    const c = canvases[0];
    expect([c.width, c.height]).toEqual([480, 320]);
    // Titles at (x0 + 8, y0 + 20): tiles at x0 = 0, 160, 320 on the first line, 0 on the second.
    expect(
      texts(c.ctx)
        .filter((t) => t.maxWidth !== undefined)
        .map((t) => [t.text.split(' ')[0], t.x, t.y]),
    ).toEqual([
      ['a', 8, 20],
      ['b', 168, 20],
      ['c', 328, 20],
      ['d', 8, 180],
    ]);
  });

  it('skips rows without a confusion matrix', async () => {
    await confusionsPng([row('svm', 'lower'), row('one', 'lower', cm2), row('two', 'upper', cm2)], ['x', 'y']);
    const c = canvases[0];
    expect([c.width, c.height]).toEqual([320, 160]);
    expect(
      texts(c.ctx)
        .filter((t) => t.maxWidth !== undefined)
        .map((t) => t.text),
    ).toEqual(['one · ◑ lower', 'two · ◐ upper']);
  });

  it('grows the tile with the number of classes', async () => {
    // Seven classes: (80 + 210 + 20) x (80 + 210 + 20) = 310 x 310.
    const k = 7;
    const cm = Array.from({ length: k }, (_, t) => Array.from({ length: k }, (_, p) => (t === p ? 1 : 0)));
    await confusionsPng([row('r', 'full', cm)], ['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect([canvases[0].width, canvases[0].height]).toEqual([310, 310]);
    expect(rects(canvases[0].ctx, 'strokeRect')).toHaveLength(49);
  });

  it('writes the title and axis note', async () => {
    await confusionsPng([row('triplet', 'upper', cm2)], ['x', 'y']);
    const [title, note] = texts(canvases[0].ctx);
    expect(title).toMatchObject({
      text: 'triplet · ◐ upper',
      x: 8,
      y: 20,
      maxWidth: 144,
      fillStyle: '#111',
      font: '13px system-ui, sans-serif',
    });
    expect(note).toMatchObject({ text: 'true ↓ / predicted →', x: 8, y: 36, font: '10px system-ui, sans-serif' });
  });

  it('writes rotated column labels (8 chars) and row labels (11 chars), leaving no transform behind', async () => {
    await confusionsPng([row('r', 'full', cm2)], ['surprised-long', 'sad']);
    const ctx = canvases[0].ctx;
    const labels = texts(ctx)
      .slice(2, 6)
      .map(({ text, x, y, tx, ty, rot }) => ({ text, x, y, tx, ty, rot }));
    const r = -Math.PI / 4;
    // Columns centred above the grid at gx + j*30 + 15 = 95, 125, gy - 4 = 76; rows at gy + j*30 + 18 = 98, 128.
    expect(labels).toEqual([
      { text: 'surprise', x: 0, y: 0, tx: 95, ty: 76, rot: r },
      { text: 'surprised-l', x: 8, y: 98, tx: 0, ty: 0, rot: 0 },
      { text: 'sad', x: 0, y: 0, tx: 125, ty: 76, rot: r },
      { text: 'sad', x: 8, y: 128, tx: 0, ty: 0, rot: 0 },
    ]);
    expect(ctx.depth).toBe(0);
  });

  it('colours each cell by its share of the true class and prints the count centred', async () => {
    await confusionsPng([row('r', 'full', cm2)], ['x', 'y']);
    const ctx = canvases[0].ctx;
    const blue = (a: string) => `rgba(37, 99, 235, ${a})`;
    // Grid origin (80, 80). Row 0 total 4: 3 -> 0.75, 1 -> 0.25. Row 1 total 4: 0 -> 0, 4 -> 1.
    expect(rects(ctx, 'fillRect').slice(1)).toEqual([
      { op: 'fillRect', x: 80, y: 80, w: 30, h: 30, style: blue('0.750') },
      { op: 'fillRect', x: 110, y: 80, w: 30, h: 30, style: blue('0.250') },
      { op: 'fillRect', x: 80, y: 110, w: 30, h: 30, style: blue('0.000') },
      { op: 'fillRect', x: 110, y: 110, w: 30, h: 30, style: blue('1.000') },
    ]);
    expect(rects(ctx, 'strokeRect').map((o) => [o.x, o.y, o.w, o.h, o.style])).toEqual([
      [80, 80, 30, 30, '#e5e7eb'],
      [110, 80, 30, 30, '#e5e7eb'],
      [80, 110, 30, 30, '#e5e7eb'],
      [110, 110, 30, 30, '#e5e7eb'],
    ]);
    expect(
      texts(ctx)
        .slice(6)
        .map(({ text, x, y, fillStyle, textAlign }) => [text, x, y, fillStyle, textAlign]),
    ).toEqual([
      ['3', 95, 98, '#fff', 'center'],
      ['1', 125, 98, '#111827', 'center'],
      ['0', 95, 128, '#111827', 'center'],
      ['4', 125, 128, '#fff', 'center'],
    ]);
    expect(ctx.textAlign).toBe('start');
  });

  it('draws an all-zero true class as empty cells (no NaN colour)', async () => {
    await confusionsPng(
      [
        row('r', 'full', [
          [0, 0],
          [2, 2],
        ]),
      ],
      ['x', 'y'],
    );
    const styles = rects(canvases[0].ctx, 'fillRect')
      .slice(1)
      .map((o) => o.style);
    expect(styles).toEqual([
      'rgba(37, 99, 235, 0.000)',
      'rgba(37, 99, 235, 0.000)',
      'rgba(37, 99, 235, 0.500)',
      'rgba(37, 99, 235, 0.500)',
    ]);
  });

  it('places the cells of a later tile at its own origin', async () => {
    await confusionsPng(
      [
        row('a', 'full', cm2),
        row('b', 'lower', [
          [1, 0],
          [0, 1],
        ]),
      ],
      ['x', 'y'],
    );
    const cells = rects(canvases[0].ctx, 'fillRect').slice(1);
    // Second tile: x0 = 160, so gx = 240, gy = 80.
    expect(cells.slice(4).map((o) => [o.x, o.y])).toEqual([
      [240, 80],
      [270, 80],
      [240, 110],
      [270, 110],
    ]);
  });

  it('gives a zero-height canvas, so the encoding fails, when no row has a matrix', async () => {
    await expect(confusionsPng([row('svm', 'full')], ['x', 'y'])).rejects.toThrow('the canvas could not be encoded');
    expect([canvases[0].width, canvases[0].height]).toEqual([160, 0]);
  });

  it('rejects when the canvas cannot be encoded', async () => {
    encodeFails = true;
    await expect(confusionsPng([row('r', 'full', cm2)], ['x', 'y'])).rejects.toThrow('the canvas could not be encoded');
  });
});
