// The face model: draws every factor of one face (expression, gender, age, identity, nuisance) from a
// seeded stream, then paints it. Cue placement follows docs/method.md#synthetic-faces: which half of the image carries
// what.
import {
  type FaceCanvas, type Rgb, type Sdf, almondSdf, boxOf, clamp01, curve, ellipseSdf, mix, polygonSdf,
  scale, smoothstep,
} from './draw';
import type { Rng } from '../random';

/**
 * Expression cues at intensity 1, in face units (the face is about 1.2 wide; y points down, so a
 * negative y moves a feature up). Upper-half cues: brows, eyes, crow's feet, nose wrinkles. Lower-half
 * cues: everything about the mouth. Pairs meant to be confusable from one half share that half's cues.
 */
export interface ExpressionCue {
  browInnerY: number; // + lowers the inner brow ends
  browOuterY: number;
  browInnerX: number; // + draws the inner ends together
  browArch: number; // + raises the middle of the brow
  eyeTop: number; // relative change of the upper eye opening
  eyeBottom: number; // relative change of the lower eye opening (- = raised lower lid)
  crow: number; // crow's-feet ink
  noseWrinkle: number; // lines across the nose bridge
  mouthWidth: number; // change of the mouth half-width
  cornerUp: number; // both corners up (+) or down (-)
  cornerOne: number; // one corner up (side drawn per face)
  open: number; // opening at the mouth centre
  teeth: number; // 0..1 how much of the opening shows teeth
  upperLipRaise: number; // upper lip lifted (mostly on one side)
  lipThin: number; // fraction by which lips are pressed thinner
}

const ZERO: ExpressionCue = {
  browInnerY: 0, browOuterY: 0, browInnerX: 0, browArch: 0, eyeTop: 0, eyeBottom: 0, crow: 0,
  noseWrinkle: 0, mouthWidth: 0, cornerUp: 0, cornerOne: 0, open: 0, teeth: 0, upperLipRaise: 0, lipThin: 0,
};

/** Indexed like EXPRESSION_CLASSES: neutral, happiness, surprise, sadness, anger, disgust, fear, contempt. */
export const EXPRESSION_CUES: readonly ExpressionCue[] = [
  // neutral: nothing moves
  { ...ZERO },
  // happiness: cheeks push the lower lids up, crow's feet; wide smile with teeth
  { ...ZERO, browInnerY: -0.015, browOuterY: -0.015, eyeTop: -0.2, eyeBottom: -0.55, crow: 1,
    mouthWidth: 0.06, cornerUp: 0.12, open: 0.08, teeth: 1 },
  // surprise: brows high and arched, eyes wide; round open mouth
  { ...ZERO, browInnerY: -0.12, browOuterY: -0.09, browArch: 0.035, eyeTop: 0.6, eyeBottom: 0.3,
    mouthWidth: -0.04, open: 0.2 },
  // sadness: inner brow ends up, lids a little closed; corners down
  { ...ZERO, browInnerY: -0.08, browOuterY: 0.035, browInnerX: 0.02, eyeTop: -0.25,
    mouthWidth: -0.015, cornerUp: -0.09 },
  // anger: inner ends lowered and drawn together (V), eyes narrowed; lips pressed (close to neutral)
  { ...ZERO, browInnerY: 0.115, browOuterY: 0.0, browInnerX: 0.05, eyeTop: -0.3, eyeBottom: -0.25,
    mouthWidth: -0.015, lipThin: 0.4 },
  // disgust: brows lowered (less of a V than anger), eyes narrowed, nose wrinkled; upper lip raised
  { ...ZERO, browInnerY: 0.1, browOuterY: 0.035, browInnerX: 0.035, eyeTop: -0.3, eyeBottom: -0.35,
    noseWrinkle: 0.8, cornerUp: -0.025, upperLipRaise: 0.06, open: 0.02, teeth: 0.6 },
  // fear: brows raised but drawn together and flat, eyes wide; open mouth a little wider and flatter
  // than surprise. Each half tells the two apart only weakly; the whole face does better.
  { ...ZERO, browInnerY: -0.1, browOuterY: -0.075, browInnerX: 0.03, browArch: 0.0, eyeTop: 0.55,
    eyeBottom: 0.25, mouthWidth: 0.0, cornerUp: -0.02, open: 0.17 },
  // contempt: only one mouth corner moves
  { ...ZERO, cornerOne: 0.17 },
];

const CUE_KEYS = Object.keys(ZERO) as (keyof ExpressionCue)[];

/** Everything needed to paint one face. Drawn by sampleFace, painted by renderFace. */
export interface Face {
  expression: number;
  gender: number; // 0 male, 1 female
  age: number; // years
  intensity: number;
  cue: ExpressionCue;
  smirkSide: number; // -1 left, +1 right (contempt, disgust asymmetry)
  // pose and nuisance
  dx: number; dy: number; scale: number; rotation: number;
  skinTone: number; // 0 light .. 1 dark
  skin: Rgb;
  hairShade: number; // 0 dark .. 1 light, before greying
  hairColor: Rgb;
  grey: number; // 0..1 hair greying
  lightGain: number; lightAngle: number; brightness: number;
  background: Rgb; bgWaves: number[]; // kx, ky, phase, amplitude per wave
  noiseSd: number;
  // identity geometry
  faceRx: number; faceRy: number; jawTaper: number;
  eyeX: number; eyeY: number; eyeRx: number; eyeRy: number; irisR: number; gaze: number; irisShade: number;
  browY: number; browSlope: number; browArch: number; browThick: number; browInner: number; browLen: number; browInk: number;
  lashThick: number; lashInk: number;
  noseLen: number; noseW: number;
  mouthY: number; mouthW: number; mouthCurve: number; lipUpper: number; lipLower: number; lipInk: number; restOpen: number;
  // hair
  hairLen: number; // y where the hair ends (face units); short hair stops above the ears
  fringe: number; // y of the hairline at the centre
  recede: number; // 0..1 temples receding
  volume: number;
  // age and gender marks (ink 0..1)
  foreheadLines: number; crowsFeet: number; eyeBags: number; nasolabial: number; jowls: number;
  child: number; // 1 for a baby, 0 from ~15 years
  beard: number; stubble: number;
}

const HAIR_COLOURS: readonly Rgb[] = [
  [0.07, 0.06, 0.05], [0.2, 0.13, 0.08], [0.36, 0.24, 0.14], [0.52, 0.25, 0.12], [0.74, 0.6, 0.38],
];
const GREY_HAIR: Rgb = [0.8, 0.8, 0.79];
const LIGHT_SKIN: Rgb = [0.95, 0.8, 0.7];
const DARK_SKIN: Rgb = [0.42, 0.28, 0.2];

/** 0 before `onset`, rising linearly to 1 over `span` years: age marks that grow steadily. */
function ramp(onset: number, span: number, age: number): number {
  return clamp01((age - onset) / span);
}

/** Draws an age in years, shaped roughly like face datasets (many 20-40, fewer children and elderly). */
export function sampleAge(rng: Rng): number {
  const r = rng.next();
  if (r < 0.15) return rng.uniform(1, 16);
  if (r < 0.65) return rng.uniform(16, 45);
  return rng.uniform(45, 80);
}

export interface FaceDraw {
  expression: number;
  gender: number;
  age: number;
  intensity: number;
  rotationDeg: number;
}

/** Draws all non-label factors of a face, given its labels, from `rng`. Order of draws is fixed. */
export function sampleFace(rng: Rng, d: FaceDraw): Face {
  const { expression, gender, age, intensity } = d;
  const female = gender === 1;
  const child = 1 - smoothstep(3, 15, age);
  const adult = smoothstep(13, 18, age);

  // expression cue with a little per-face variation of each component, so no two smiles are equal
  const base = EXPRESSION_CUES[expression];
  const cue = { ...ZERO };
  for (const k of CUE_KEYS) cue[k] = base[k] * intensity * (1 + rng.normal(0, 0.15));
  const smirkSide = rng.chance(0.5) ? -1 : 1;

  // pose
  // pose: a face detector has aligned most faces well, a few badly; so the ranges are the spec's
  // (shift ±5% of the image, scale ±10%, rotation ±rotationDeg) but most faces sit near the centre
  const dx = rng.normalClamped(0, 0.02, -0.05, 0.05);
  const dy = rng.normalClamped(0, 0.02, -0.05, 0.05);
  const sc = 1 + rng.normalClamped(0, 0.04, -0.1, 0.1);
  const rotation = (rng.normalClamped(0, d.rotationDeg / 2.5, -d.rotationDeg, d.rotationDeg) * Math.PI) / 180;

  // colours
  const skinTone = rng.next();
  const skin = mix(LIGHT_SKIN, DARK_SKIN, skinTone);
  const hairShade = rng.next();
  const darkHairBias = skinTone > 0.5 ? 0.5 : 1; // dark skin: mostly dark hair
  const hairIdx = Math.min(4, Math.floor(hairShade * hairShade * darkHairBias * 5.5));
  const grey = ramp(rng.normal(42, 8), 30, age);
  const hairColor = mix(HAIR_COLOURS[hairIdx], GREY_HAIR, grey);

  // light, background, sensor
  const lightGain = rng.uniform(0, 0.25);
  const lightAngle = rng.uniform(0, 2 * Math.PI);
  const brightness = rng.uniform(0.8, 1.12);
  const bgLum = rng.uniform(0.15, 0.85);
  const background: Rgb = mix([bgLum, bgLum, bgLum], [rng.next(), rng.next(), rng.next()], 0.35);
  const bgWaves: number[] = [];
  for (let i = 0; i < 3; i++) {
    const f = rng.uniform(1, i === 2 ? 12 : 4);
    const a = rng.uniform(0, 2 * Math.PI);
    bgWaves.push(f * Math.cos(a), f * Math.sin(a), rng.uniform(0, 2 * Math.PI), rng.uniform(0, i === 2 ? 0.04 : 0.1));
  }
  const noiseSd = rng.uniform(0.005, 0.025);

  // identity geometry: the same parameters expressions move, so weak expressions stay ambiguous
  const faceRx = 0.63 * (1 + rng.normal(0, 0.04)) * (1 + 0.04 * child);
  const faceRy = 0.86 * (1 + rng.normal(0, 0.04)) * (1 - 0.1 * child);
  const jawTaper = clamp01(rng.normal(female ? 0.2 : 0.1, 0.06) * (1 - 0.5 * child) - 0.08 * smoothstep(50, 80, age));
  const eyeScale = 1 + 0.3 * child;
  const eyeX = 0.255 + rng.normal(0, 0.015);
  const eyeY = -0.2 + rng.normal(0, 0.015);
  const eyeRx = (0.115 + rng.normal(0, 0.008)) * (1 + 0.15 * child);
  const eyeRy = (0.05 + rng.normal(0, 0.006)) * eyeScale;
  const irisR = 0.045 * eyeScale * (1 + rng.normal(0, 0.05));
  const gaze = rng.normal(0, 0.015);
  const irisShade = rng.uniform(0.1, 0.5);
  const browY = eyeY - 0.165 + rng.normal(0, 0.02);
  const browSlope = rng.normal(0, 0.012);
  const browArch = 0.015 + rng.normal(0, 0.01);
  const browThinning = 1 - 0.35 * smoothstep(50, 80, age);
  const browThick = (female ? 0.022 : 0.032) * (1 + rng.normal(0, 0.15)) * (1 - 0.4 * child) * browThinning;
  const browInner = 0.085 + rng.normal(0, 0.01);
  const browLen = 0.27 + rng.normal(0, 0.015);
  const browInk = clamp01((female ? 0.85 : 0.95) * (1 - 0.4 * child) * (1 - 0.25 * grey) + rng.normal(0, 0.05));
  const makeup = female && adult > 0.5 && rng.chance(0.5) ? 1 : 0;
  const lashThick = (female ? 0.015 : 0.011) * (1 + 0.35 * makeup) * (1 + rng.normal(0, 0.1));
  const lashInk = clamp01((female ? 0.8 : 0.65) + 0.15 * makeup + rng.normal(0, 0.06));
  const noseLen = (0.32 + rng.normal(0, 0.02)) * (1 - 0.25 * child);
  const noseW = (0.065 + rng.normal(0, 0.008)) * (1 - 0.25 * child);
  const mouthY = 0.48 + rng.normal(0, 0.02) - 0.04 * child;
  const mouthW = (0.19 + rng.normal(0, 0.015)) * (1 - 0.25 * child);
  const mouthCurve = rng.normal(0, 0.015);
  const lipAge = 1 - 0.35 * ramp(35, 45, age);
  const lipUpper = 0.028 * (1 + rng.normal(0, 0.22)) * lipAge;
  const lipLower = 0.038 * (1 + rng.normal(0, 0.22)) * lipAge;
  const lipstick = female && adult > 0.5 && rng.chance(0.4) ? 1 : 0;
  const lipInk = clamp01((female ? 0.35 : 0.25) + 0.3 * lipstick + rng.normal(0, 0.07));
  const restOpen = rng.chance(0.1) ? rng.uniform(0, 0.015) : 0;

  // hair: the strongest gender cue, mostly in the upper half; long hair reaches down the sides
  let hairLen: number;
  if (age < 2.5) hairLen = -0.55;
  else if (female ? rng.chance(0.88) : rng.chance(0.08)) hairLen = rng.uniform(-0.15, 0.45);
  else hairLen = rng.uniform(-0.45, -0.25);
  const fringe = female ? (rng.chance(0.45) ? rng.uniform(-0.55, -0.45) : rng.uniform(-0.72, -0.62))
    : (rng.chance(0.2) ? rng.uniform(-0.6, -0.52) : rng.uniform(-0.72, -0.64));
  const recede = female ? 0 : smoothstep(25, 65, age) * rng.next();
  const volume = female ? rng.uniform(0.05, 0.14) : rng.uniform(0.02, 0.07);

  // age marks: each grows smoothly from a personal onset, so age is a regression target
  const foreheadLines = 0.7 * ramp(rng.normal(26, 5), 44, age);
  const crowsFeet = 0.6 * ramp(rng.normal(30, 5), 40, age);
  const eyeBags = 0.45 * ramp(rng.normal(40, 6), 40, age);
  const nasolabial = 0.5 * ramp(rng.normal(28, 6), 47, age);
  const jowls = 0.4 * ramp(rng.normal(48, 6), 32, age);
  // beards: some men; lower-half gender cue that is not always there
  const facialHair = !female && age > 17 && rng.chance(0.4);
  const beard = facialHair && rng.chance(0.4) ? rng.uniform(0.6, 0.95) : 0;
  const stubble = facialHair && beard === 0 ? rng.uniform(0.15, 0.35) : 0;

  return {
    expression, gender, age, intensity, cue, smirkSide, dx, dy, scale: sc, rotation, skinTone, skin,
    hairShade, hairColor, grey, lightGain, lightAngle, brightness, background, bgWaves, noiseSd,
    faceRx, faceRy, jawTaper, eyeX, eyeY, eyeRx, eyeRy, irisR, gaze, irisShade, browY, browSlope, browArch,
    browThick, browInner, browLen, browInk, lashThick, lashInk, noseLen, noseW, mouthY, mouthW, mouthCurve,
    lipUpper, lipLower, lipInk, restOpen, hairLen, fringe, recede, volume, foreheadLines, crowsFeet,
    eyeBags, nasolabial, jowls, child, beard, stubble,
  };
}

// ---- painting ----

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

const union = (a: Sdf, b: Sdf): Sdf => (x, y) => Math.min(a(x, y), b(x, y));
const intersect = (a: Sdf, b: Sdf): Sdf => (x, y) => Math.max(a(x, y), b(x, y));

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
  const backHair = f.hairLen > -0.1
    ? union(ellipseSdf(0, FACE_CY - 0.1, hairRx, f.faceRy + f.volume), boxSdf(-hairRx, -0.1, hairRx, f.hairLen))
    : intersect(ellipseSdf(0, FACE_CY, hairRx, f.faceRy + f.volume), (_x, y) => y - f.hairLen);
  cv.fill(backHair, [-hairRx, hairTop, hairRx, Math.max(f.hairLen, -0.1)], { color: hair, modulate: strands });

  // neck, then the face with soft shading towards its edge
  cv.fill(boxSdf(-0.24, 0.5, 0.24, 1.6), [-0.3, 0.4, 0.3, 1.6], { color: scale(skin, 0.8) });
  cv.fill(faceSdf(f), [-f.faceRx, FACE_CY - f.faceRy, f.faceRx, FACE_CY + f.faceRy], { color: shadow });
  cv.fill(faceSdf(f, -0.1), [-f.faceRx, FACE_CY - f.faceRy, f.faceRx, FACE_CY + f.faceRy],
    { color: skin, feather: 0.16 * cv.ppu });

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
    cv.fill(region, [-f.faceRx, noseTipY, f.faceRx, FACE_CY + f.faceRy],
      { color: f.beard > 0 ? hair : scale(skin, 0.45), alpha: f.beard || f.stubble, modulate: fuzz, feather: 2 });
  }

  // nose: shaded side, nostrils; disgust wrinkles across the bridge (upper half)
  cv.stroke([0.03, f.eyeY + 0.05, 0.05, noseTipY - 0.02, f.noseW * 0.6, noseTipY + 0.01], 0.012, 0.018,
    { color: shadow, alpha: 0.5, feather: 1.5 });
  for (const s of [-1, 1]) {
    cv.fill(ellipseSdf(s * f.noseW * 0.55, noseTipY + 0.015, f.noseW * 0.32, f.noseW * 0.2),
      [s * f.noseW * 0.55 - 0.04, noseTipY - 0.03, s * f.noseW * 0.55 + 0.04, noseTipY + 0.06],
      { color: scale(skin, 0.3), alpha: 0.8 });
  }
  for (let i = 0; i < 3; i++) {
    const y = f.eyeY + 0.03 + 0.03 * i;
    cv.stroke(curve(-0.05, 0.05, 3, (x) => y + 2 * x * x), 0.008, 0.008, { color: ink, alpha: clamp01(c.noseWrinkle) });
  }

  // eyes
  for (const s of [-1, 1]) {
    const ex = s * f.eyeX;
    const ryTop = f.eyeRy * Math.max(0.15, 1 + c.eyeTop);
    const ryBot = f.eyeRy * 0.75 * Math.max(0.1, 1 + c.eyeBottom);
    const eye = almondSdf(ex, f.eyeY, f.eyeRx, ryTop, ryBot);
    const box: [number, number, number, number] = [ex - f.eyeRx, f.eyeY - ryTop, ex + f.eyeRx, f.eyeY + ryBot];
    // crease above the eye and bags below it
    cv.stroke(curve(ex - f.eyeRx * 0.8, ex + f.eyeRx * 0.8, 6, (x) => f.eyeY - ryTop - 0.03 + 1.2 * (x - ex) ** 2),
      0.007, 0.007, { color: ink, alpha: 0.25 });
    cv.stroke(curve(ex - f.eyeRx * 0.7, ex + f.eyeRx * 0.7, 6, (x) => f.eyeY + ryBot + 0.035 - 1.5 * (x - ex) ** 2),
      0.008, 0.008, { color: ink, alpha: f.eyeBags });
    cv.fill(eye, box, { color: [0.92, 0.91, 0.88] });
    const ix = ex + f.gaze;
    cv.fill(ellipseSdf(ix, f.eyeY, f.irisR, f.irisR), [ix - f.irisR, f.eyeY - f.irisR, ix + f.irisR, f.eyeY + f.irisR],
      { color: [f.irisShade * 0.8, f.irisShade * 0.7, f.irisShade * 0.55], clip: eye });
    const pr = f.irisR * 0.45;
    cv.fill(ellipseSdf(ix, f.eyeY, pr, pr), [ix - pr, f.eyeY - pr, ix + pr, f.eyeY + pr], { color: [0.03, 0.03, 0.03], clip: eye });
    // lids: the upper one carries the lashes (thicker towards the outer corner)
    const upper = curve(ex - s * f.eyeRx, ex + s * f.eyeRx, 8, (x) => f.eyeY - ryTop * Math.sqrt(Math.max(0, 1 - ((x - ex) / f.eyeRx) ** 2)));
    cv.stroke(upper, f.lashThick * 0.6, f.lashThick, { color: [0.05, 0.04, 0.04], alpha: f.lashInk });
    const lower = curve(ex - f.eyeRx, ex + f.eyeRx, 8, (x) => f.eyeY + ryBot * Math.sqrt(Math.max(0, 1 - ((x - ex) / f.eyeRx) ** 2)));
    cv.stroke(lower, 0.006, 0.006, { color: ink, alpha: 0.45 });
    // crow's feet at the outer corner: age, and the smile of happiness
    const crow = clamp01(f.crowsFeet + 0.6 * c.crow);
    for (let k = -1; k <= 1; k++) {
      const ax = ex + s * (f.eyeRx + 0.025);
      const ang = 0.45 * k;
      cv.stroke([ax, f.eyeY, ax + s * 0.07 * Math.cos(ang), f.eyeY + 0.07 * Math.sin(ang)], 0.007, 0.004, { color: ink, alpha: crow });
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
    cv.stroke(pts, f.browThick * 1.1, f.browThick * 0.55, { color: mix(hair, [0.08, 0.06, 0.05], 0.6), alpha: f.browInk });
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
      cv.fill(polygonSdf(teeth), boxOf(teeth, 0.01), { color: [0.9, 0.89, 0.84], alpha: clamp01(c.teeth), clip: polygonSdf(hole) });
    }
  }
  cv.stroke(curve(-mw, mw, N, (x) => (innerTop(x) + innerBot(x)) / 2), 0.014, 0.014, { color: [0.08, 0.03, 0.03], alpha: 0.9 });
  // the dimple of a one-sided smile (contempt)
  if (c.cornerOne > 0.01) {
    const sx = f.smirkSide * (mw + 0.015);
    const sy = mid(f.smirkSide * mw);
    cv.stroke([sx, sy - 0.03, sx + f.smirkSide * 0.015, sy + 0.02], 0.009, 0.006, { color: ink, alpha: clamp01(c.cornerOne * 6) });
  }

  // hair in front: the cap above the hairline (fringe, receding temples) and locks beside the face
  const hairline = (x: number) => f.fringe + (0.5 + 1.5 * f.recede) * x * x - 0.12 * f.recede;
  const cap = intersect(ellipseSdf(0, FACE_CY, hairRx, f.faceRy + f.volume), (x, y) => y - hairline(x));
  cv.fill(cap, [-hairRx, hairTop, hairRx, f.fringe + 0.6], { color: hair, modulate: strands });
  if (f.hairLen > -0.1) {
    for (const s of [-1, 1]) {
      const x = s * (f.faceRx - 0.04);
      cv.stroke([s * (f.faceRx - 0.12), f.fringe + 0.05, x, -0.2, x, f.hairLen - 0.04], 0.05, 0.04, { color: hair, modulate: strands });
    }
  }

  cv.light(f.brightness, f.lightGain * Math.cos(f.lightAngle), f.lightGain * Math.sin(f.lightAngle));
}
