export type * from './ast.js';
export { parseScript, scanScript } from './script.js';
export { parseBoot, MAX_NESTING } from './boot.js';
