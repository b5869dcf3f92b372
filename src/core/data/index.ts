export * from './types';
export * from './occlusion';
export * from './random';
export * from './batching';
