// The expression cues of the synthetic faces: how far each feature moves for each expression at full
// intensity (docs/method.md#synthetic-faces).

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

export const ZERO: ExpressionCue = {
  browInnerY: 0,
  browOuterY: 0,
  browInnerX: 0,
  browArch: 0,
  eyeTop: 0,
  eyeBottom: 0,
  crow: 0,
  noseWrinkle: 0,
  mouthWidth: 0,
  cornerUp: 0,
  cornerOne: 0,
  open: 0,
  teeth: 0,
  upperLipRaise: 0,
  lipThin: 0,
};

/** Indexed like EXPRESSION_CLASSES: neutral, happiness, surprise, sadness, anger, disgust, fear, contempt. */
export const EXPRESSION_CUES: readonly ExpressionCue[] = [
  // neutral: nothing moves
  { ...ZERO },
  // happiness: cheeks push the lower lids up, crow's feet; wide smile with teeth
  {
    ...ZERO,
    browInnerY: -0.015,
    browOuterY: -0.015,
    eyeTop: -0.2,
    eyeBottom: -0.55,
    crow: 1,
    mouthWidth: 0.06,
    cornerUp: 0.12,
    open: 0.08,
    teeth: 1,
  },
  // surprise: brows high and arched, eyes wide; round open mouth
  {
    ...ZERO,
    browInnerY: -0.12,
    browOuterY: -0.09,
    browArch: 0.035,
    eyeTop: 0.6,
    eyeBottom: 0.3,
    mouthWidth: -0.04,
    open: 0.2,
  },
  // sadness: inner brow ends up, lids a little closed; corners down
  {
    ...ZERO,
    browInnerY: -0.08,
    browOuterY: 0.035,
    browInnerX: 0.02,
    eyeTop: -0.25,
    mouthWidth: -0.015,
    cornerUp: -0.09,
  },
  // anger: inner ends lowered and drawn together (V), eyes narrowed; lips pressed (close to neutral)
  {
    ...ZERO,
    browInnerY: 0.115,
    browOuterY: 0.0,
    browInnerX: 0.05,
    eyeTop: -0.3,
    eyeBottom: -0.25,
    mouthWidth: -0.015,
    lipThin: 0.4,
  },
  // disgust: brows lowered (less of a V than anger), eyes narrowed, nose wrinkled; upper lip raised
  {
    ...ZERO,
    browInnerY: 0.1,
    browOuterY: 0.035,
    browInnerX: 0.035,
    eyeTop: -0.3,
    eyeBottom: -0.35,
    noseWrinkle: 0.8,
    cornerUp: -0.025,
    upperLipRaise: 0.06,
    open: 0.02,
    teeth: 0.6,
  },
  // fear: brows raised but drawn together and flat, eyes wide; open mouth a little wider and flatter
  // than surprise. Each half tells the two apart only weakly; the whole face does better.
  {
    ...ZERO,
    browInnerY: -0.1,
    browOuterY: -0.075,
    browInnerX: 0.03,
    browArch: 0.0,
    eyeTop: 0.55,
    eyeBottom: 0.25,
    mouthWidth: 0.0,
    cornerUp: -0.02,
    open: 0.17,
  },
  // contempt: only one mouth corner moves
  { ...ZERO, cornerOne: 0.17 },
];

export const CUE_KEYS = Object.keys(ZERO) as (keyof ExpressionCue)[];
