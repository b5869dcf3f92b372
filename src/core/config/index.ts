export * from './config';
export * from './validate';
export * from './presets';
