export type * from './ast.js';
export { parseScript } from './script.js';
export { parseBoot, MAX_NESTING } from './boot.js';
