// The synthetic face generator (docs/method.md#synthetic-faces): public API re-exported for the worker, the CLI and
// tests.
export {
  generateFaces,
  generateSplits,
  FERPLUS_LIKE_WEIGHTS,
  SPLIT_STREAMS,
  type SynthOptions,
  type SynthLatents,
  type SynthImageSet,
} from './generate';
export { EXPRESSION_CUES, type ExpressionCue } from './face';
