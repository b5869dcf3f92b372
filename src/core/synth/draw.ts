// Anti-aliased drawing on a float canvas through signed distance fields, in "face units" that a pose
// (shift, scale, rotation) maps to pixels. Analytic coverage instead of supersampling keeps it fast.

/** Colour as linear-ish RGB in [0, 1]. */
export type Rgb = readonly [number, number, number];

/** Signed distance in face units: negative inside the shape, positive outside. */
export type Sdf = (x: number, y: number) => number;

/** Multiplier on the paint colour at a point in face units (hair strands, stubble). */
export type Modulation = (x: number, y: number) => number;

/** Box in face units: [xMin, yMin, xMax, yMax]. */
export type Box = readonly [number, number, number, number];

export function luminance(c: Rgb): number {
  return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
}

export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

export function scale(a: Rgb, k: number): Rgb {
  return [a[0] * k, a[1] * k, a[2] * k];
}

export function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

export function smoothstep(e0: number, e1: number, x: number): number {
  const t = clamp01((x - e0) / (e1 - e0));
  return t * t * (3 - 2 * t);
}

// ---- distance fields (all in face units) ----

/** Ellipse, axis-aligned. Inigo Quilez's gradient-normalised approximation: exact on the boundary. */
export function ellipseSdf(cx: number, cy: number, rx: number, ry: number): Sdf {
  const minR = Math.min(rx, ry);
  return (x, y) => {
    const px = x - cx;
    const py = y - cy;
    const k0 = Math.sqrt((px * px) / (rx * rx) + (py * py) / (ry * ry));
    const k1 = Math.sqrt((px * px) / (rx * rx * rx * rx) + (py * py) / (ry * ry * ry * ry));
    return k1 < 1e-9 ? -minR : (k0 * (k0 - 1)) / k1;
  };
}

/** Eye-like shape: an ellipse whose upper and lower halves have their own vertical radius. */
export function almondSdf(cx: number, cy: number, rx: number, ryTop: number, ryBottom: number): Sdf {
  const top = ellipseSdf(cx, cy, rx, Math.max(ryTop, 1e-4));
  const bottom = ellipseSdf(cx, cy, rx, Math.max(ryBottom, 1e-4));
  return (x, y) => (y < cy ? top(x, y) : bottom(x, y));
}

/**
 * Stroke along a polyline (flat array x0, y0, x1, y1, ...) whose half-width goes linearly from
 * `hw0` at the first point to `hw1` at the last (tapered brows, fading wrinkles). Round caps.
 */
export function strokeSdf(pts: ArrayLike<number>, hw0: number, hw1: number): Sdf {
  const n = pts.length / 2;
  const cum = new Float64Array(n);
  for (let i = 1; i < n; i++) {
    cum[i] = cum[i - 1] + Math.hypot(pts[2 * i] - pts[2 * i - 2], pts[2 * i + 1] - pts[2 * i - 1]);
  }
  const total = cum[n - 1] || 1;
  return (x, y) => {
    let best = Infinity;
    for (let i = 0; i < n - 1; i++) {
      const ax = pts[2 * i];
      const ay = pts[2 * i + 1];
      const ex = pts[2 * i + 2] - ax;
      const ey = pts[2 * i + 3] - ay;
      const wx = x - ax;
      const wy = y - ay;
      const ee = ex * ex + ey * ey;
      let t = ee > 0 ? (wx * ex + wy * ey) / ee : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const bx = wx - ex * t;
      const by = wy - ey * t;
      const s = (cum[i] + t * (cum[i + 1] - cum[i])) / total;
      const d = Math.sqrt(bx * bx + by * by) - (hw0 + (hw1 - hw0) * s);
      if (d < best) best = d;
    }
    return best;
  };
}

/** Closed polygon (flat array of vertices), exact signed distance (Inigo Quilez's winding test). */
export function polygonSdf(pts: ArrayLike<number>): Sdf {
  const n = pts.length / 2;
  return (x, y) => {
    let d = (x - pts[0]) ** 2 + (y - pts[1]) ** 2;
    let s = 1;
    for (let i = 0, j = n - 1; i < n; j = i, i++) {
      const vix = pts[2 * i];
      const viy = pts[2 * i + 1];
      const ex = pts[2 * j] - vix;
      const ey = pts[2 * j + 1] - viy;
      const wx = x - vix;
      const wy = y - viy;
      const ee = ex * ex + ey * ey;
      let t = ee > 0 ? (wx * ex + wy * ey) / ee : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const bx = wx - ex * t;
      const by = wy - ey * t;
      const dd = bx * bx + by * by;
      if (dd < d) d = dd;
      const c1 = y >= viy;
      const c2 = y < pts[2 * j + 1];
      const c3 = ex * wy > ey * wx;
      if ((c1 && c2 && c3) || (!c1 && !c2 && !c3)) s = -s;
    }
    return s * Math.sqrt(d);
  };
}

/** Samples y = f(x) at `segments + 1` points from x0 to x1 into a flat polyline array. */
export function curve(x0: number, x1: number, segments: number, f: (x: number) => number): number[] {
  const out: number[] = [];
  for (let i = 0; i <= segments; i++) {
    const x = x0 + ((x1 - x0) * i) / segments;
    out.push(x, f(x));
  }
  return out;
}

/** Bounding box of a flat point array, padded by `pad`. */
export function boxOf(pts: ArrayLike<number>, pad: number): Box {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < pts.length; i += 2) {
    x0 = Math.min(x0, pts[i]);
    x1 = Math.max(x1, pts[i]);
    y0 = Math.min(y0, pts[i + 1]);
    y1 = Math.max(y1, pts[i + 1]);
  }
  return [x0 - pad, y0 - pad, x1 + pad, y1 + pad];
}

export interface FillStyle {
  color: Rgb;
  /** Opacity in [0, 1]. */
  alpha?: number;
  /** Width of the edge ramp in pixels (1 = crisp anti-aliasing, more = soft shading). */
  feather?: number;
  /** Coverage is also limited to the inside of this shape (the iris inside the eye). */
  clip?: Sdf;
  modulate?: Modulation;
}

/**
 * A float canvas [height, width, channels] in [0, 1]. One channel paints the luminance of each colour.
 * The face frame: face units are half the shorter image side at scale 1, origin at the image centre
 * plus the pose shift, y pointing down, rotated by the pose angle.
 */
export class FaceCanvas {
  readonly data: Float32Array;
  private ox = 0;
  private oy = 0;
  private cos = 1;
  private sin = 0;
  /** Pixels per face unit. */
  ppu = 1;

  constructor(
    readonly width: number,
    readonly height: number,
    readonly channels: 1 | 3,
  ) {
    this.data = new Float32Array(width * height * channels);
  }

  /**
   * @param dx horizontal shift as a fraction of the image width
   * @param dy vertical shift as a fraction of the image height
   * @param s scale (1 = the face frame spans the shorter side)
   * @param rotation in radians, positive clockwise on screen
   */
  setPose(dx: number, dy: number, s: number, rotation: number): void {
    this.ox = this.width / 2 + dx * this.width;
    this.oy = this.height / 2 + dy * this.height;
    this.ppu = (Math.min(this.width, this.height) / 2) * s;
    this.cos = Math.cos(rotation);
    this.sin = Math.sin(rotation);
  }

  /** Pixel rectangle [x0, y0, x1, y1) covering a face-unit box after the pose, clipped to the image. */
  private pixelBox(b: Box, padPx: number): [number, number, number, number] {
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (let k = 0; k < 4; k++) {
      const fx = k & 1 ? b[2] : b[0];
      const fy = k & 2 ? b[3] : b[1];
      const px = this.ox + this.ppu * (this.cos * fx - this.sin * fy);
      const py = this.oy + this.ppu * (this.sin * fx + this.cos * fy);
      x0 = Math.min(x0, px);
      x1 = Math.max(x1, px);
      y0 = Math.min(y0, py);
      y1 = Math.max(y1, py);
    }
    return [
      Math.max(0, Math.floor(x0 - padPx)),
      Math.max(0, Math.floor(y0 - padPx)),
      Math.min(this.width, Math.ceil(x1 + padPx)),
      Math.min(this.height, Math.ceil(y1 + padPx)),
    ];
  }

  /** Paints the inside of `sdf` (restricted to `box`, in face units) with anti-aliased edges. */
  fill(sdf: Sdf, box: Box, style: FillStyle): void {
    const alpha = style.alpha ?? 1;
    if (alpha <= 0) return;
    const feather = Math.max(style.feather ?? 1, 1e-3);
    const [x0, y0, x1, y1] = this.pixelBox(box, feather + 1);
    const { clip, modulate } = style;
    const c = this.channels;
    const col = style.color;
    const grey = luminance(col);
    const inv = 1 / this.ppu;
    const ppu = this.ppu;
    const data = this.data;
    for (let py = y0; py < y1; py++) {
      const v = py + 0.5 - this.oy;
      for (let px = x0; px < x1; px++) {
        const u = px + 0.5 - this.ox;
        const fx = (this.cos * u + this.sin * v) * inv;
        const fy = (-this.sin * u + this.cos * v) * inv;
        let cov = 0.5 - (sdf(fx, fy) * ppu) / feather;
        if (cov <= 0) continue;
        if (cov > 1) cov = 1;
        if (clip) {
          const cc = 0.5 - clip(fx, fy) * ppu;
          if (cc <= 0) continue;
          if (cc < cov) cov = cc;
        }
        const a = alpha * cov;
        const m = modulate ? modulate(fx, fy) : 1;
        const i = (py * this.width + px) * c;
        if (c === 1) {
          data[i] += (grey * m - data[i]) * a;
        } else {
          data[i] += (col[0] * m - data[i]) * a;
          data[i + 1] += (col[1] * m - data[i + 1]) * a;
          data[i + 2] += (col[2] * m - data[i + 2]) * a;
        }
      }
    }
  }

  /**
   * Draws a tapered polyline. Strokes thinner than a pixel are drawn one pixel wide and
   * proportionally fainter, so a wrinkle keeps the same ink at every image size.
   */
  stroke(pts: ArrayLike<number>, hw0: number, hw1: number, style: FillStyle): void {
    const widest = Math.max(hw0, hw1) * this.ppu;
    let k = 1;
    if (widest < 0.5) k = widest > 1e-6 ? 0.5 / widest : 1;
    const alpha = (style.alpha ?? 1) / k;
    const pad = Math.max(hw0, hw1) * k;
    this.fill(strokeSdf(pts, hw0 * k, hw1 * k), boxOf(pts, pad), { ...style, alpha });
  }

  /**
   * Fills the whole image with `color` times a texture 1 + sum of a * sin(kx * u + ky * v + phase),
   * u, v in [-1, 1] over the image; `waves` holds (kx, ky, phase, a) per wave. Each wave is split into
   * row and column factors (sin(a + b) = sin a cos b + cos a sin b) so no sine is taken per pixel.
   */
  paintBackground(color: Rgb, waves: ArrayLike<number>): void {
    const { width: w, height: h, channels: c, data } = this;
    const grey = luminance(color);
    const nw = waves.length / 4;
    const colS = new Float64Array(nw * w);
    const colC = new Float64Array(nw * w);
    const rowS = new Float64Array(nw * h);
    const rowC = new Float64Array(nw * h);
    for (let k = 0; k < nw; k++) {
      for (let x = 0; x < w; x++) {
        const a = waves[4 * k] * (((x + 0.5) / w) * 2 - 1);
        colS[k * w + x] = Math.sin(a) * waves[4 * k + 3];
        colC[k * w + x] = Math.cos(a) * waves[4 * k + 3];
      }
      for (let y = 0; y < h; y++) {
        const b = waves[4 * k + 1] * (((y + 0.5) / h) * 2 - 1) + waves[4 * k + 2];
        rowS[k * h + y] = Math.sin(b);
        rowC[k * h + y] = Math.cos(b);
      }
    }
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let m = 1;
        for (let k = 0; k < nw; k++) m += colS[k * w + x] * rowC[k * h + y] + colC[k * w + x] * rowS[k * h + y];
        const i = (y * w + x) * c;
        if (c === 1) data[i] = grey * m;
        else {
          data[i] = color[0] * m;
          data[i + 1] = color[1] * m;
          data[i + 2] = color[2] * m;
        }
      }
    }
  }

  /** Multiplies every pixel by `gain * (1 + gx * u + gy * v)`, u, v in [-1, 1]: a lighting gradient. */
  light(gain: number, gx: number, gy: number): void {
    const { width: w, height: h, channels: c, data } = this;
    for (let y = 0; y < h; y++) {
      const v = ((y + 0.5) / h) * 2 - 1;
      for (let x = 0; x < w; x++) {
        const m = gain * (1 + gx * (((x + 0.5) / w) * 2 - 1) + gy * v);
        const i = (y * w + x) * c;
        for (let k = 0; k < c; k++) data[i + k] *= m;
      }
    }
  }

  /**
   * Writes the canvas as bytes into `out` at `offset`, adding sensor noise of standard deviation
   * `noiseSd` (in [0, 1] units). `nextU32` supplies the noise bits; two 16-bit uniforms per value give
   * a triangular distribution, which is cheap and close enough to sensor noise.
   */
  writeBytes(out: Uint8Array, offset: number, noiseSd: number, nextU32: () => number): void {
    const { data } = this;
    // The sum of two uniforms on [-0.5, 0.5] has variance 1/6.
    const k = noiseSd * Math.sqrt(6) * 255;
    for (let i = 0; i < data.length; i++) {
      const r = nextU32();
      const t = ((r & 0xffff) + (r >>> 16)) / 65536 - 1;
      const val = Math.round(data[i] * 255 + k * t);
      out[offset + i] = val < 0 ? 0 : val > 255 ? 255 : val;
    }
  }
}
