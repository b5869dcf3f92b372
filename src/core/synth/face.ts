// The face model: draws every factor of one face (expression, gender, age, identity, nuisance) from a
// seeded stream, then paints it. Cue placement follows docs/method.md#synthetic-faces: which half of the image carries
// what.
import { type Rgb, clamp01, mix, smoothstep } from './draw';
import type { Rng } from '../random';
import { CUE_KEYS, EXPRESSION_CUES, ZERO, type ExpressionCue } from './cues';

export { EXPRESSION_CUES, type ExpressionCue };
export { renderFace } from './render';

/** Everything needed to paint one face. Drawn by sampleFace, painted by renderFace. */
export interface Face {
  expression: number;
  gender: number; // 0 male, 1 female
  age: number; // years
  intensity: number;
  cue: ExpressionCue;
  smirkSide: number; // -1 left, +1 right (contempt, disgust asymmetry)
  // pose and nuisance
  dx: number;
  dy: number;
  scale: number;
  rotation: number;
  skinTone: number; // 0 light .. 1 dark
  skin: Rgb;
  hairShade: number; // 0 dark .. 1 light, before greying
  hairColor: Rgb;
  grey: number; // 0..1 hair greying
  lightGain: number;
  lightAngle: number;
  brightness: number;
  background: Rgb;
  bgWaves: number[]; // kx, ky, phase, amplitude per wave
  noiseSd: number;
  // identity geometry
  faceRx: number;
  faceRy: number;
  jawTaper: number;
  eyeX: number;
  eyeY: number;
  eyeRx: number;
  eyeRy: number;
  irisR: number;
  gaze: number;
  irisShade: number;
  browY: number;
  browSlope: number;
  browArch: number;
  browThick: number;
  browInner: number;
  browLen: number;
  browInk: number;
  lashThick: number;
  lashInk: number;
  noseLen: number;
  noseW: number;
  mouthY: number;
  mouthW: number;
  mouthCurve: number;
  lipUpper: number;
  lipLower: number;
  lipInk: number;
  restOpen: number;
  // hair
  hairLen: number; // y where the hair ends (face units); short hair stops above the ears
  fringe: number; // y of the hairline at the centre
  recede: number; // 0..1 temples receding
  volume: number;
  // age and gender marks (ink 0..1)
  foreheadLines: number;
  crowsFeet: number;
  eyeBags: number;
  nasolabial: number;
  jowls: number;
  child: number; // 1 for a baby, 0 from ~15 years
  beard: number;
  stubble: number;
}

const HAIR_COLOURS: readonly Rgb[] = [
  [0.07, 0.06, 0.05],
  [0.2, 0.13, 0.08],
  [0.36, 0.24, 0.14],
  [0.52, 0.25, 0.12],
  [0.74, 0.6, 0.38],
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
  const fringe = female
    ? rng.chance(0.45)
      ? rng.uniform(-0.55, -0.45)
      : rng.uniform(-0.72, -0.62)
    : rng.chance(0.2)
      ? rng.uniform(-0.6, -0.52)
      : rng.uniform(-0.72, -0.64);
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
    expression,
    gender,
    age,
    intensity,
    cue,
    smirkSide,
    dx,
    dy,
    scale: sc,
    rotation,
    skinTone,
    skin,
    hairShade,
    hairColor,
    grey,
    lightGain,
    lightAngle,
    brightness,
    background,
    bgWaves,
    noiseSd,
    faceRx,
    faceRy,
    jawTaper,
    eyeX,
    eyeY,
    eyeRx,
    eyeRy,
    irisR,
    gaze,
    irisShade,
    browY,
    browSlope,
    browArch,
    browThick,
    browInner,
    browLen,
    browInk,
    lashThick,
    lashInk,
    noseLen,
    noseW,
    mouthY,
    mouthW,
    mouthCurve,
    lipUpper,
    lipLower,
    lipInk,
    restOpen,
    hairLen,
    fringe,
    recede,
    volume,
    foreheadLines,
    crowsFeet,
    eyeBags,
    nasolabial,
    jowls,
    child,
    beard,
    stubble,
  };
}
