// Public face of the models module: the registry, the model contract and the LRN layer.
export {
  ARCHITECTURES, buildModel, copyModel, copyWeightsInto, modelFlops, modelSize, withEmbedding, withLastConv,
  type ArchitectureInfo, type ModelSize,
} from './registry';
export {
  ARCH_NAMES, EMBEDDING_LAYER, LAST_CONV_LAYER, NORMS, OUTPUT_LAYER, validateSpec,
  type ArchName, type ModelSpec, type Norm,
} from './spec';
export { LRN, PAPER_LRN, type LRNConfig } from './lrn';
export type { Graph, Layout } from './graph';
