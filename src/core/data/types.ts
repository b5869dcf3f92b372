// Shared data vocabulary of the core: tasks, visibilities and the in-memory image set.
// Plain TypeScript, no tfjs: used by the generator, importers, batching and the UI alike.

/** Which part of the face the model sees. docs/method.md#problem-and-notation: full ○, lower ◑ (VR headset), upper ◐
 *  (mask). */
export type Visibility = 'full' | 'lower' | 'upper';
export const VISIBILITIES: readonly Visibility[] = ['full', 'lower', 'upper'];
export const VISIBILITY_SYMBOL: Record<Visibility, string> = { full: '○', lower: '◑', upper: '◐' };

export type Task = 'expression' | 'gender' | 'age';
export const TASKS: readonly Task[] = ['expression', 'gender', 'age'];

/** FER+ order (docs/method.md#tasks-and-metrics). */
export const EXPRESSION_CLASSES = [
  'neutral',
  'happiness',
  'surprise',
  'sadness',
  'anger',
  'disgust',
  'fear',
  'contempt',
] as const;
export type ExpressionClass = (typeof EXPRESSION_CLASSES)[number];
export const GENDER_CLASSES = ['male', 'female'] as const;

export type Split = 'train' | 'val' | 'test';
export const SPLITS: readonly Split[] = ['train', 'val', 'test'];

/**
 * A set of images with every label, all in flat typed arrays so it moves between threads as
 * transferables. Pixels are bytes 0..255, row-major [n, height, width, channels].
 * Missing labels (a dataset with only expression, say) are null.
 */
export interface ImageSet {
  height: number;
  width: number;
  channels: 1 | 3;
  count: number;
  pixels: Uint8Array;
  /** Expression class index into `classNames.expression`, or null when the set has no expression labels. */
  expression: Int32Array | null;
  /** 0 male, 1 female. */
  gender: Int32Array | null;
  /** Age in years. */
  age: Float32Array | null;
  /** Class names per task, for display and export. */
  classNames: { expression?: string[]; gender?: string[] };
}

/** The three splits of one dataset. */
export interface SplitImageSets {
  train: ImageSet;
  val: ImageSet;
  test: ImageSet;
}
