// Public face of the models module: the registry, the model contract and the LRN layer.
export {
  ARCHITECTURES,
  buildModel,
  copyModel,
  copyWeightsInto,
  modelFlops,
  modelSize,
  withEmbedding,
  withLastConv,
  type ArchitectureInfo,
  type ModelSize,
} from './registry';
export {
  ARCH_NAMES,
  CUSTOM_LIMITS,
  EMBEDDING_LAYER,
  INITS,
  LAST_CONV_LAYER,
  NORMS,
  OUTPUT_LAYER,
  customLayoutError,
  validateSpec,
  type ArchName,
  type CustomConv,
  type CustomLayout,
  type Init,
  type ModelSpec,
  type Norm,
} from './spec';
export { customLayoutSize, type CustomSize } from './customSize';
export { LRN, PAPER_LRN, type LRNConfig } from './lrn';
export type { Graph, Layout } from './layout';
