// Paints a sampled face (face.ts) on a FaceCanvas: outline, skin, hair, features and the expression cues.
import {
  type FaceCanvas,
  type Sdf,
  almondSdf,
  boxOf,
  clamp01,
  curve,
  ellipseSdf,
  mix,
  polygonSdf,
  scale,
  smoothstep,
} from './draw';
import type { Face } from './face';

const FACE_CY = 0.04;
/** Faces fill the frame like FER crops: the chin touches the lower edge, the hair the upper one. */
const ZOOM = 1.15;

/** Face outline: an ellipse whose lower part narrows towards the chin by `jawTaper`. */
function faceSdf(f: Face, grow = 0): Sdf {
  const rx = f.faceRx + grow;
  const ry = f.faceRy + grow;
  const base = ellipseSdf(0, FACE_CY, rx, ry);
  return (x, y) => {
    const w = 1 - f.jawTaper * smoothstep(0.15, 0.9, y);
    return base(x / w, y) * (0.5 + 0.5 * w);
  };
}

function boxSdf(x0: number, y0: number, x1: number, y1: number): Sdf {
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const hx = (x1 - x0) / 2;
  const hy = (y1 - y0) / 2;
  return (x, y) => {
    const qx = Math.abs(x - cx) - hx;
    const qy = Math.abs(y - cy) - hy;
    const ox = Math.max(qx, 0);
    const oy = Math.max(qy, 0);
    return Math.sqrt(ox * ox + oy * oy) + Math.min(Math.max(qx, qy), 0);
  };
}

const union =
  (a: Sdf, b: Sdf): Sdf =>
  (x, y) =>
    Math.min(a(x, y), b(x, y));
const intersect =
  (a: Sdf, b: Sdf): Sdf =>
  (x, y) =>
    Math.max(a(x, y), b(x, y));

/** Paints `f` on `cv` (which must be cleared or fully overwritten by the background). */
export function renderFace(cv: FaceCanvas, f: Face): void {
  const c = f.cue;
  cv.setPose(0, 0, 1, 0);
  cv.paintBackground(f.background, f.bgWaves);
  cv.setPose(f.dx, f.dy, f.scale * ZOOM, f.rotation);

  const skin = f.skin;
  const shadow = scale(skin, 0.78);
  const ink = scale(skin, 0.35); // lines drawn into skin
  const hair = f.hairColor;
  const strands = (x: number) => 1 + 0.08 * Math.sin(35 * x + f.hairShade * 10);
  const hairTop = FACE_CY - f.faceRy - f.volume;
  const hairRx = f.faceRx + f.volume;

  // hair behind the head: short hair stops above the ears, long hair falls beside the face
  const backHair =
    f.hairLen > -0.1
      ? union(ellipseSdf(0, FACE_CY - 0.1, hairRx, f.faceRy + f.volume), boxSdf(-hairRx, -0.1, hairRx, f.hairLen))
      : intersect(ellipseSdf(0, FACE_CY, hairRx, f.faceRy + f.volume), (_x, y) => y - f.hairLen);
  cv.fill(backHair, [-hairRx, hairTop, hairRx, Math.max(f.hairLen, -0.1)], { color: hair, modulate: strands });

  // neck, then the face with soft shading towards its edge
  cv.fill(boxSdf(-0.24, 0.5, 0.24, 1.6), [-0.3, 0.4, 0.3, 1.6], { color: scale(skin, 0.8) });
  cv.fill(faceSdf(f), [-f.faceRx, FACE_CY - f.faceRy, f.faceRx, FACE_CY + f.faceRy], { color: shadow });
  cv.fill(faceSdf(f, -0.1), [-f.faceRx, FACE_CY - f.faceRy, f.faceRx, FACE_CY + f.faceRy], {
    color: skin,
    feather: 0.16 * cv.ppu,
  });

  // forehead lines (age, upper half); a fringe painted later may hide them, as on real faces
  for (let i = 0; i < 3; i++) {
    const y0 = -0.53 - 0.065 * i;
    const pts = curve(-0.24 + 0.03 * i, 0.24 - 0.03 * i, 6, (x) => y0 + 0.25 * x * x);
    cv.stroke(pts, 0.011, 0.011, { color: ink, alpha: f.foreheadLines * (1 - 0.2 * i) });
  }

  // lower-face marks: nasolabial folds, jowl lines (age), beard or stubble (gender)
  const noseTipY = f.eyeY + f.noseLen;
  for (const s of [-1, 1]) {
    const nl = new Array<number>(14).fill(0);
    for (let k = 0; k <= 6; k++) {
      const t = k / 6;
      nl[2 * k] = s * (f.noseW + 0.04 + t * (f.mouthW - f.noseW + 0.02) + 0.03 * Math.sin(Math.PI * t));
      nl[2 * k + 1] = noseTipY + 0.01 + t * (f.mouthY + 0.03 - noseTipY);
    }
    cv.stroke(nl, 0.012, 0.008, { color: ink, alpha: f.nasolabial });
    const jl = [s * (f.mouthW + 0.02), f.mouthY + 0.04, s * (f.mouthW + 0.05), f.mouthY + 0.2];
    cv.stroke(jl, 0.01, 0.006, { color: ink, alpha: f.jowls });
  }
  if (f.beard > 0 || f.stubble > 0) {
    const region = intersect(faceSdf(f), (_x, y) => noseTipY + 0.06 - y);
    const fuzz = (x: number, y: number) => 1 + 0.12 * Math.sin(50 * x + 3 * Math.sin(40 * y));
    cv.fill(region, [-f.faceRx, noseTipY, f.faceRx, FACE_CY + f.faceRy], {
      color: f.beard > 0 ? hair : scale(skin, 0.45),
      alpha: f.beard || f.stubble,
      modulate: fuzz,
      feather: 2,
    });
  }

  // nose: shaded side, nostrils; disgust wrinkles across the bridge (upper half)
  cv.stroke([0.03, f.eyeY + 0.05, 0.05, noseTipY - 0.02, f.noseW * 0.6, noseTipY + 0.01], 0.012, 0.018, {
    color: shadow,
    alpha: 0.5,
    feather: 1.5,
  });
  for (const s of [-1, 1]) {
    cv.fill(
      ellipseSdf(s * f.noseW * 0.55, noseTipY + 0.015, f.noseW * 0.32, f.noseW * 0.2),
      [s * f.noseW * 0.55 - 0.04, noseTipY - 0.03, s * f.noseW * 0.55 + 0.04, noseTipY + 0.06],
      { color: scale(skin, 0.3), alpha: 0.8 },
    );
  }
  for (let i = 0; i < 3; i++) {
    const y = f.eyeY + 0.03 + 0.03 * i;
    cv.stroke(
      curve(-0.05, 0.05, 3, (x) => y + 2 * x * x),
      0.008,
      0.008,
      { color: ink, alpha: clamp01(c.noseWrinkle) },
    );
  }

  // eyes
  for (const s of [-1, 1]) {
    const ex = s * f.eyeX;
    const ryTop = f.eyeRy * Math.max(0.15, 1 + c.eyeTop);
    const ryBot = f.eyeRy * 0.75 * Math.max(0.1, 1 + c.eyeBottom);
    const eye = almondSdf(ex, f.eyeY, f.eyeRx, ryTop, ryBot);
    const box: [number, number, number, number] = [ex - f.eyeRx, f.eyeY - ryTop, ex + f.eyeRx, f.eyeY + ryBot];
    // crease above the eye and bags below it
    cv.stroke(
      curve(ex - f.eyeRx * 0.8, ex + f.eyeRx * 0.8, 6, (x) => f.eyeY - ryTop - 0.03 + 1.2 * (x - ex) ** 2),
      0.007,
      0.007,
      { color: ink, alpha: 0.25 },
    );
    cv.stroke(
      curve(ex - f.eyeRx * 0.7, ex + f.eyeRx * 0.7, 6, (x) => f.eyeY + ryBot + 0.035 - 1.5 * (x - ex) ** 2),
      0.008,
      0.008,
      { color: ink, alpha: f.eyeBags },
    );
    cv.fill(eye, box, { color: [0.92, 0.91, 0.88] });
    const ix = ex + f.gaze;
    cv.fill(
      ellipseSdf(ix, f.eyeY, f.irisR, f.irisR),
      [ix - f.irisR, f.eyeY - f.irisR, ix + f.irisR, f.eyeY + f.irisR],
      { color: [f.irisShade * 0.8, f.irisShade * 0.7, f.irisShade * 0.55], clip: eye },
    );
    const pr = f.irisR * 0.45;
    cv.fill(ellipseSdf(ix, f.eyeY, pr, pr), [ix - pr, f.eyeY - pr, ix + pr, f.eyeY + pr], {
      color: [0.03, 0.03, 0.03],
      clip: eye,
    });
    // lids: the upper one carries the lashes (thicker towards the outer corner)
    const upper = curve(
      ex - s * f.eyeRx,
      ex + s * f.eyeRx,
      8,
      (x) => f.eyeY - ryTop * Math.sqrt(Math.max(0, 1 - ((x - ex) / f.eyeRx) ** 2)),
    );
    cv.stroke(upper, f.lashThick * 0.6, f.lashThick, { color: [0.05, 0.04, 0.04], alpha: f.lashInk });
    const lower = curve(
      ex - f.eyeRx,
      ex + f.eyeRx,
      8,
      (x) => f.eyeY + ryBot * Math.sqrt(Math.max(0, 1 - ((x - ex) / f.eyeRx) ** 2)),
    );
    cv.stroke(lower, 0.006, 0.006, { color: ink, alpha: 0.45 });
    // crow's feet at the outer corner: age, and the smile of happiness
    const crow = clamp01(f.crowsFeet + 0.6 * c.crow);
    for (let k = -1; k <= 1; k++) {
      const ax = ex + s * (f.eyeRx + 0.025);
      const ang = 0.45 * k;
      cv.stroke([ax, f.eyeY, ax + s * 0.07 * Math.cos(ang), f.eyeY + 0.07 * Math.sin(ang)], 0.007, 0.004, {
        color: ink,
        alpha: crow,
      });
    }
  }

  // brows: inner end, middle, outer end, moved by the expression
  for (const s of [-1, 1]) {
    const xi = s * (f.browInner - c.browInnerX);
    const xo = s * (f.browInner + f.browLen);
    const yi = f.browY + c.browInnerY + f.browSlope;
    const yo = f.browY + c.browOuterY - f.browSlope;
    const arch = f.browArch + c.browArch;
    const pts = new Array<number>(14).fill(0);
    for (let k = 0; k <= 6; k++) {
      const t = k / 6;
      pts[2 * k] = xi + (xo - xi) * t;
      pts[2 * k + 1] = yi + (yo - yi) * t - arch * 4 * t * (1 - t);
    }
    cv.stroke(pts, f.browThick * 1.1, f.browThick * 0.55, {
      color: mix(hair, [0.08, 0.06, 0.05], 0.6),
      alpha: f.browInk,
    });
  }

  // mouth: centre line bent by the corners, an opening between an upper and a lower inner lip, lips around
  const mw = f.mouthW + c.mouthWidth;
  const lipThin = 1 - clamp01(c.lipThin);
  const open = Math.max(0, c.open + f.restOpen);
  const cornerL = c.cornerUp + f.mouthCurve + (f.smirkSide < 0 ? c.cornerOne : 0);
  const cornerR = c.cornerUp + f.mouthCurve + (f.smirkSide > 0 ? c.cornerOne : 0);
  const mid = (x: number) => {
    const t = x / mw;
    return f.mouthY - (t < 0 ? cornerL : cornerR) * t * t;
  };
  const bulge = (x: number) => Math.sqrt(Math.max(0, 1 - (x / mw) ** 2));
  const raise = (x: number) => c.upperLipRaise * (1 + 0.8 * f.smirkSide * (x / mw)) * bulge(x);
  const innerTop = (x: number) => mid(x) - open * 0.35 * bulge(x) - raise(x);
  const innerBot = (x: number) => mid(x) + open * 0.65 * bulge(x);
  const N = 12;
  const topInner = curve(-mw, mw, N, innerTop);
  const botInner = curve(mw, -mw, N, innerBot);
  const topOuter = curve(-mw, mw, N, (x) => innerTop(x) - f.lipUpper * lipThin * (0.3 + 0.7 * bulge(x)));
  const botOuter = curve(mw, -mw, N, (x) => innerBot(x) + f.lipLower * lipThin * (0.3 + 0.7 * bulge(x)));
  const lipColor = mix(skin, [0.45, 0.12, 0.15], f.lipInk);
  const lips = topOuter.concat(botOuter);
  cv.fill(polygonSdf(lips), boxOf(lips, 0.01), { color: lipColor });
  if (open > 0.004) {
    const hole = topInner.concat(botInner);
    cv.fill(polygonSdf(hole), boxOf(hole, 0.01), { color: [0.1, 0.04, 0.04] });
    if (c.teeth > 0.02) {
      const teethBot = curve(mw, -mw, N, (x) => innerTop(x) + Math.min(0.03, open * 0.6) * bulge(x));
      const teeth = topInner.concat(teethBot);
      cv.fill(polygonSdf(teeth), boxOf(teeth, 0.01), {
        color: [0.9, 0.89, 0.84],
        alpha: clamp01(c.teeth),
        clip: polygonSdf(hole),
      });
    }
  }
  cv.stroke(
    curve(-mw, mw, N, (x) => (innerTop(x) + innerBot(x)) / 2),
    0.014,
    0.014,
    { color: [0.08, 0.03, 0.03], alpha: 0.9 },
  );
  // the dimple of a one-sided smile (contempt)
  if (c.cornerOne > 0.01) {
    const sx = f.smirkSide * (mw + 0.015);
    const sy = mid(f.smirkSide * mw);
    cv.stroke([sx, sy - 0.03, sx + f.smirkSide * 0.015, sy + 0.02], 0.009, 0.006, {
      color: ink,
      alpha: clamp01(c.cornerOne * 6),
    });
  }

  // hair in front: the cap above the hairline (fringe, receding temples) and locks beside the face
  const hairline = (x: number) => f.fringe + (0.5 + 1.5 * f.recede) * x * x - 0.12 * f.recede;
  const cap = intersect(ellipseSdf(0, FACE_CY, hairRx, f.faceRy + f.volume), (x, y) => y - hairline(x));
  cv.fill(cap, [-hairRx, hairTop, hairRx, f.fringe + 0.6], { color: hair, modulate: strands });
  if (f.hairLen > -0.1) {
    for (const s of [-1, 1]) {
      const x = s * (f.faceRx - 0.04);
      cv.stroke([s * (f.faceRx - 0.12), f.fringe + 0.05, x, -0.2, x, f.hairLen - 0.04], 0.05, 0.04, {
        color: hair,
        modulate: strands,
      });
    }
  }

  cv.light(f.brightness, f.lightGain * Math.cos(f.lightAngle), f.lightGain * Math.sin(f.lightAngle));
}
