export * from './api.js';
export * from './errors.js';
export * from './primitives.js';
export * from './schema.js';
export * from './codec.js';
export * from './frame.js';
export * from './record-batch.js';
export * from './messages/index.js';
