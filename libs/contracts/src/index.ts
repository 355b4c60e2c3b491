export * from './topics.js';
export * from './order.js';
export * from './catalogue.js';
export * from './terminology.js';
