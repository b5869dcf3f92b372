export * from './types';
export * from './occlusion';
export * from './batching';
