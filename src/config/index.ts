export * from './tree.js';
export * from './resolve.js';
export * from './errors.js';
export * from './edit.js';
export * from './serialise.js';
export * from './diff.js';
export * from './load.js';
export * from './redact.js';
